//! Urgent e-mails with the full facts (issue 15 item 5), and the on-call contact's private
//! read-only link: no account needed, photos through it, nothing else.

use reqwest::StatusCode;
use serde_json::json;

use crate::fixtures::small_png;
use crate::helpers::*;
use crate::photos::upload;
use crate::reports::create_report;

#[tokio::test]
async fn urgent_emails_carry_the_facts_and_the_on_call_contact_gets_a_private_link() {
    let app = spawn_app().await;
    let owner = app.token(OWNER).await;
    let paul = app.person_id(OWNER).await;
    sqlx::query("UPDATE people SET phone = '06 11 22 33 44' WHERE id = $1")
        .bind(&paul)
        .execute(&app.state.db.pool)
        .await
        .expect("phone");
    let report = create_report(
        &app,
        &owner,
        &app.tilleuls,
        json!({"category": "ascenseur", "title": "Personne bloquée dans l'ascenseur",
               "description": "Ma voisine est coincée entre deux étages.",
               "location": "Escalier B, 3e étage", "urgent": true}),
    )
    .await;
    let id = report["id"].as_str().expect("id");

    let on_call = app.wait_for_mail(palier::demo::ON_CALL, "URGENT").await;
    for fact in [
        "12 rue des Tilleuls, 69003 Lyon",
        "4821B",
        "Escalier B, 3e étage",
        "Ma voisine est coincée entre deux étages.",
        "Paul Lefèvre",
        "06 11 22 33 44",
    ] {
        assert!(on_call.contains(fact), "{fact:?} missing from:\n{on_call}");
    }
    assert!(!on_call.contains("Bonjour ,"), "{on_call}");
    assert!(on_call.starts_with("Bonjour,"), "{on_call}");
    assert!(
        !on_call.contains("/reports/"),
        "the on-call contact has no account: {on_call}"
    );
    assert!(
        !on_call.contains("notifications"),
        "no settings to change without an account"
    );
    let link = on_call
        .split_whitespace()
        .find(|w| w.contains("/urgent/"))
        .expect("private link")
        .to_string();
    let token = link.rsplit('/').next().expect("token").to_string();

    // The manager's e-mail says the same, with the phone to call back.
    let manager = app.wait_for_mail(MANAGER, "URGENT").await;
    for fact in [
        "12 rue des Tilleuls",
        "4821B",
        "Escalier B, 3e étage",
        "coincée entre deux étages",
        "06 11 22 33 44",
        &format!("/reports/{id}"),
    ] {
        assert!(manager.contains(fact), "{fact:?} missing from:\n{manager}");
    }
    assert!(manager.starts_with("Bonjour Marc"), "{manager}");

    // The link opens the report read-only without any session.
    let anonymous = reqwest::Client::new();
    let resp = anonymous
        .get(app.url(&format!("/urgent/{token}")))
        .send()
        .await
        .expect("page");
    assert_eq!(resp.status(), StatusCode::OK);
    let page = resp.text().await.expect("text");
    for fact in [
        "Personne bloquée dans l&#39;ascenseur",
        "12 rue des Tilleuls",
        "4821B",
        "coincée entre deux étages",
        "06 11 22 33 44",
    ] {
        assert!(page.contains(fact), "{fact:?} missing from the page");
    }
    assert!(!page.contains("<form method=\"post\""), "read-only");

    // Photos of the report open through the link; nothing else does.
    let (status, photo) = upload(&app, &owner, id, "cabine.png", small_png(64, 48)).await;
    assert_eq!(status, StatusCode::CREATED, "{photo}");
    let photo_id = photo["id"].as_str().expect("photo id");
    let page = anonymous
        .get(app.url(&format!("/urgent/{token}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(page.contains(&format!("/urgent/{token}/photos/{photo_id}")));
    let resp = anonymous
        .get(app.url(&format!("/urgent/{token}/photos/{photo_id}")))
        .send()
        .await
        .expect("photo");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "image/jpeg");
    let other = create_report(
        &app,
        &owner,
        &app.tilleuls,
        json!({"category": "autre", "title": "Autre chose"}),
    )
    .await;
    let (_, other_photo) = upload(
        &app,
        &owner,
        other["id"].as_str().expect("id"),
        "x.png",
        small_png(32, 32),
    )
    .await;
    let other_photo = other_photo["id"].as_str().expect("photo id");
    for path in [
        format!("/urgent/{token}/photos/{other_photo}"),
        format!("/urgent/{}", "0".repeat(64)),
        "/urgent/not-a-token".to_string(),
    ] {
        let status = anonymous
            .get(app.url(&path))
            .send()
            .await
            .expect("get")
            .status();
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}
