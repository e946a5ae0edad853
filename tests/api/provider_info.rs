//! The provider gets everything needed to come once (issue 15 item 6): place, priority,
//! photos and PDF through the link, the manager's phone, answers by Reply-To to the
//! manager, and the visit date first proposed on the desired day.

use reqwest::StatusCode;
use serde_json::json;

use crate::fixtures::small_png;
use crate::helpers::*;
use crate::photos::upload;
use crate::reports::create_report;
use crate::work_orders::{add_provider, provider_token};

/// The raw e-mail (headers and body) sent to `to`.
fn raw_mail_to(app: &TestApp, to: &str) -> String {
    std::fs::read_dir(app.mail_dir())
        .expect("mail dir")
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .find(|raw| raw.contains(&format!("To: {to}")))
        .expect("an e-mail to the provider")
}

#[tokio::test]
async fn the_provider_gets_place_priority_photos_pdf_and_the_managers_phone() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let tenant = app.token(TENANT).await;
    let manager_id = app.person_id(MANAGER).await;
    sqlx::query("UPDATE people SET phone = '04 72 00 00 01' WHERE id = $1")
        .bind(&manager_id)
        .execute(&app.state.db.pool)
        .await
        .expect("phone");
    let report = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "ascenseur", "title": "Ascenseur bloqué",
               "location": "Escalier B, 3e étage", "urgent": true}),
    )
    .await;
    let rid = report["id"].as_str().expect("id");
    let (status, photo) = upload(&app, &tenant, rid, "cabine.png", small_png(64, 48)).await;
    assert_eq!(status, StatusCode::CREATED, "{photo}");
    let photo_id = photo["id"].as_str().expect("photo id");

    let provider = add_provider(&app, &manager, "Ascenseurs Dupont", "dupont@asc.test").await;
    let (status, wo) = app
        .post_json(
            &format!("/api/v1/reports/{rid}/work-orders"),
            Some(&manager),
            &json!({"provider_id": provider, "desired_date": "2026-11-26 14:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{wo}");
    let reference = wo["reference"].as_str().expect("reference");
    let token = provider_token(&app, "dupont@asc.test", reference).await;

    let mail = app.wait_for_mail("dupont@asc.test", reference).await;
    for fact in [
        "Endroit : Escalier B, 3e étage",
        "Priorité : Urgente",
        "04 72 00 00 01",
        &format!("/p/{token}/photos/{photo_id}"),
    ] {
        assert!(mail.contains(fact), "{fact:?} missing from:\n{mail}");
    }
    let raw = raw_mail_to(&app, "dupont@asc.test");
    let reply_to = raw
        .lines()
        .find(|l| l.starts_with("Reply-To:"))
        .expect("Reply-To header");
    assert!(
        reply_to.contains("gestionnaire@demo.palier.test"),
        "{reply_to}"
    );

    // The link's JSON and page carry the same, with the PDF and photos behind the token.
    let (status, view) = app.get_json(&format!("/api/v1/p/{token}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["place"], "Escalier B, 3e étage");
    assert_eq!(view["priority"], "urgent");
    assert_eq!(view["manager_phone"], "04 72 00 00 01");
    assert_eq!(
        view["photos"],
        json!([format!("/p/{token}/photos/{photo_id}")])
    );
    let anonymous = reqwest::Client::new();
    let page = anonymous
        .get(app.url(&format!("/p/{token}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    for fact in [
        "Escalier B, 3e étage",
        "Urgente",
        "04 72 00 00 01",
        "value=\"2026-11-26T14:00\"",
        &format!("/p/{token}/pdf"),
        &format!("/p/{token}/photos/{photo_id}"),
    ] {
        assert!(page.contains(fact), "{fact:?} missing from the page");
    }
    let pdf = anonymous
        .get(app.url(&format!("/p/{token}/pdf")))
        .send()
        .await
        .expect("pdf");
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.expect("bytes").starts_with(b"%PDF"));
    let photo = anonymous
        .get(app.url(&format!("/p/{token}/photos/{photo_id}")))
        .send()
        .await
        .expect("photo");
    assert_eq!(photo.status(), StatusCode::OK);
    // Another report's photo does not open through this link.
    let other = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "autre", "title": "Autre"}),
    )
    .await;
    let (_, other_photo) = upload(
        &app,
        &tenant,
        other["id"].as_str().expect("id"),
        "x.png",
        small_png(16, 16),
    )
    .await;
    let status = anonymous
        .get(app.url(&format!(
            "/p/{token}/photos/{}",
            other_photo["id"].as_str().expect("id")
        )))
        .send()
        .await
        .expect("get")
        .status();
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[test]
fn the_date_field_starts_on_the_desired_day() {
    use palier::domain::work_orders::link::prefill;
    assert_eq!(prefill("2026-11-26"), "2026-11-26T09:00");
    assert_eq!(prefill("2026-11-26 14:30"), "2026-11-26T14:30");
    assert_eq!(prefill("2026-11-26T08:00"), "2026-11-26T08:00");
    assert_eq!(prefill("jeudi matin"), "");
    assert_eq!(prefill(""), "");
}

#[tokio::test]
async fn the_manager_gives_the_desired_date_as_a_day_and_an_optional_time() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let tenant = app.token(TENANT).await;
    let report = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "ascenseur", "title": "Ascenseur bloqué"}),
    )
    .await;
    let rid = report["id"].as_str().expect("id");
    let provider = add_provider(&app, &manager, "Ascenseurs Dupont", "dupont@asc.test").await;
    let browser = app.browser(Some(MANAGER)).await;
    let (_, page) = browser.get_text(&format!("/reports/{rid}")).await;
    assert!(
        page.contains("name=\"desired_date\" type=\"date\""),
        "a date field"
    );
    assert!(
        page.contains("name=\"desired_time\" type=\"time\""),
        "an optional time"
    );
    let csrf = browser.csrf(&format!("/reports/{rid}")).await;
    let form = reqwest::multipart::Form::new()
        .text("provider_id", provider)
        .text("description", "Cabine bloquée")
        .text("desired_date", "2026-11-26")
        .text("desired_time", "14:00")
        .text("priority", "normal");
    let resp = browser
        .client
        .post(app.url(&format!("/reports/{rid}/work-orders?csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let mail = app.wait_for_mail("dupont@asc.test", "OS-").await;
    assert!(mail.contains("2026-11-26 14:00"), "{mail}");
    let token = provider_token(&app, "dupont@asc.test", "OS-").await;
    let page = reqwest::Client::new()
        .get(app.url(&format!("/p/{token}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(page.contains("value=\"2026-11-26T14:00\""));
}

#[tokio::test]
async fn occupants_see_progress_at_the_top_and_staff_are_asked_to_close_once_done() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let tenant = app.token(TENANT).await;
    let report = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "ascenseur", "title": "Ascenseur bloqué"}),
    )
    .await;
    let rid = report["id"].as_str().expect("id");
    let path = format!("/reports/{rid}");
    let occupant = app.browser(Some(TENANT)).await;
    let (_, page) = occupant.get_text(&path).await;
    assert!(
        !page.contains("Avancement"),
        "nothing to show before a work order"
    );

    let provider = add_provider(&app, &manager, "Ascenseurs Dupont", "dupont@asc.test").await;
    let (_, wo) = app
        .post_json(
            &format!("/api/v1/reports/{rid}/work-orders"),
            Some(&manager),
            &json!({"provider_id": provider}),
        )
        .await;
    let token = provider_token(
        &app,
        "dupont@asc.test",
        wo["reference"].as_str().expect("reference"),
    )
    .await;
    let (_, page) = occupant.get_text(&path).await;
    assert!(page.contains("Prestataire contacté"));
    assert!(page.contains("pas encore fixée") && page.contains("pas encore terminée"));

    let (status, _) = app
        .post_json(
            &format!("/api/v1/p/{token}/schedule"),
            None,
            &json!({"date": "2026-12-03T09:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, page) = occupant.get_text(&path).await;
    assert!(
        page.contains("Intervention prévue le 03/12/2026 09:00"),
        "planned"
    );

    let (status, _) = app
        .post_json(
            &format!("/api/v1/p/{token}/report"),
            None,
            &json!({"body": "Contacteur remplacé", "done": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, page) = occupant.get_text(&path).await;
    let panel = page.find("Avancement").expect("panel");
    let description = page.find("Contacteur remplacé").expect("history");
    assert!(panel < description, "the panel comes first");
    assert!(page.contains("Intervention terminée —"));
    assert!(
        !page.contains("clôturez le signalement"),
        "occupants are not asked to close"
    );
    let staff = app.browser(Some(MANAGER)).await;
    let (_, page) = staff.get_text(&path).await;
    assert!(page.contains("Le prestataire a signalé l’intervention terminée"));
    assert!(page.contains("href=\"#close-note\""));
}

#[tokio::test]
async fn the_providers_photos_are_shown_apart_with_their_own_text_alternative() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let tenant = app.token(TENANT).await;
    let report = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "ascenseur", "title": "Ascenseur bloqué"}),
    )
    .await;
    let rid = report["id"].as_str().expect("id");
    let (_, mine) = upload(&app, &tenant, rid, "avant.png", small_png(40, 30)).await;
    let mine = mine["id"].as_str().expect("photo id").to_string();
    let provider = add_provider(&app, &manager, "Ascenseurs Dupont", "dupont@asc.test").await;
    let (_, wo) = app
        .post_json(
            &format!("/api/v1/reports/{rid}/work-orders"),
            Some(&manager),
            &json!({"provider_id": provider}),
        )
        .await;
    let token = provider_token(
        &app,
        "dupont@asc.test",
        wo["reference"].as_str().expect("reference"),
    )
    .await;
    let form = reqwest::multipart::Form::new()
        .text("body", "Réparé")
        .text("done", "true")
        .part(
            "photo",
            reqwest::multipart::Part::bytes(small_png(40, 30))
                .file_name("apres.png")
                .mime_str("image/png")
                .expect("mime"),
        );
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/p/{token}/report-with-photos")))
        .multipart(form)
        .send()
        .await
        .expect("report");
    assert_eq!(resp.status(), StatusCode::OK);

    let (_, page) = app
        .browser(Some(TENANT))
        .await
        .get_text(&format!("/reports/{rid}"))
        .await;
    let apart = page
        .find("Photos du prestataire")
        .expect("provider photos apart");
    let section = &page[apart..];
    let section = &section[..section.find("</ul>").expect("list end")];
    let alt = "alt=\"Photo du prestataire après l’intervention 1\"";
    assert!(section.contains(alt), "their own text alternative");
    assert_eq!(page.matches("alt=\"Photo du prestataire").count(), 1);
    assert!(
        !section.contains(&format!("/photos/{mine}/thumb")),
        "the author's photo is not among the provider's"
    );
    assert!(page.contains(&format!("/photos/{mine}/thumb")));
}
