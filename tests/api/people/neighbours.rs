//! Filing for someone (issue 15 item 10): a neighbour without an account (name, phone,
//! lot), the caretaker listed once, one e-mail per event and person.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

fn reports_path(app: &TestApp) -> String {
    format!("/api/v1/buildings/{}/reports", app.tilleuls)
}

#[tokio::test]
async fn staff_file_for_a_neighbour_without_an_account() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let report = json!({
        "category": "acces",
        "title": "Porte du local vélos cassée",
        "description": "Mme Girard a appelé : la porte ne ferme plus.",
        "for_neighbour": {"name": "Josiane Girard", "phone": "06 12 34 56 78", "lot": "14"}
    });
    let (status, created) = app
        .post_json(&reports_path(&app), Some(&manager), &report)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["filed_for"],
        json!({"name": "Josiane Girard", "phone": "06 12 34 56 78", "lot": "14"})
    );
    let path = format!("/api/v1/reports/{}", created["id"].as_str().expect("id"));
    // The referent calls back too; an occupant sees who it is for, not the phone.
    let referent = app.token(REFERENT).await;
    let (_, seen) = app.get_json(&path, Some(&referent)).await;
    assert_eq!(seen["filed_for"]["phone"], "06 12 34 56 78");
    let owner = app.token(OWNER).await;
    let (status, seen) = app.get_json(&path, Some(&owner)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen["filed_for"]["name"], "Josiane Girard");
    assert_eq!(seen["filed_for"]["phone"], "");
    // An ordinary report has none.
    let (_, plain) = app
        .post_json(
            &reports_path(&app),
            Some(&owner),
            &json!({"category": "acces", "title": "Ampoule grillée", "description": "Hall B"}),
        )
        .await;
    assert_eq!(plain["filed_for"], serde_json::Value::Null);

    // The page shows it, the phone as a link to call.
    let browser = app.browser(Some(MANAGER)).await;
    let (_, html) = browser
        .get_text(&format!(
            "/reports/{}",
            created["id"].as_str().unwrap_or_default()
        ))
        .await;
    assert!(html.contains("Josiane Girard") && html.contains("tel:06 12 34 56 78"));
}

#[tokio::test]
async fn filing_for_a_neighbour_refuses_bad_input() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let base = json!({"category": "acces", "title": "Porte cassée", "description": "Local vélos"});
    let with = |extra: serde_json::Value| {
        let mut r = base.clone();
        if let (Some(o), Some(e)) = (r.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        r
    };
    // A phone without a name.
    let (status, err) = app
        .post_json(
            &reports_path(&app),
            Some(&manager),
            &with(json!({"for_neighbour": {"name": " ", "phone": "0612"}})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "neighbour_name");
    // Both a resident and a neighbour.
    let tenant_id = app.person_id(TENANT).await;
    let (status, err) = app
        .post_json(
            &reports_path(&app),
            Some(&manager),
            &with(json!({"on_behalf_of": tenant_id, "for_neighbour": {"name": "Josiane Girard"}})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["field"], "neighbour_name");
    // A phone number of 31 characters.
    let (status, err) = app
        .post_json(
            &reports_path(&app),
            Some(&manager),
            &with(json!({"for_neighbour": {"name": "Josiane Girard", "phone": "0".repeat(31)}})),
        )
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("neighbour_phone"))
    );
    // Occupants do not file for others.
    let tenant = app.token(TENANT).await;
    let (status, _) = app
        .post_json(
            &reports_path(&app),
            Some(&tenant),
            &with(json!({"for_neighbour": {"name": "Josiane Girard"}})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM report_neighbours")
        .fetch_one(&app.state.db.pool)
        .await
        .expect("count");
    assert_eq!(count, 0, "nothing half-written");
}

#[tokio::test]
async fn the_form_lists_each_resident_once_and_takes_a_neighbour() {
    let app = spawn_app().await;
    let browser = app.browser(Some(MANAGER)).await;
    let form = format!(
        "/buildings/{}/reports/new?category=acces&title=Porte+cass%C3%A9e",
        app.tilleuls
    );
    let (status, html) = browser.get_text(&form).await;
    assert_eq!(status, StatusCode::OK);
    let caretaker = app.person_id(CARETAKER).await;
    assert_eq!(
        html.matches(&format!("value=\"{caretaker}\"")).count(),
        1,
        "the caretaker is listed once"
    );
    assert!(
        html.contains("name=\"neighbour_name\"") && html.contains("Ou pour un voisin sans compte")
    );

    let action = format!("/buildings/{}/reports", app.tilleuls);
    let csrf = browser.csrf(&form).await;
    let multipart = reqwest::multipart::Form::new()
        .text("category", "acces")
        .text("title", "Porte cassée")
        .text("description", "Le local vélos ne ferme plus.")
        .text("neighbour_name", "")
        .text("neighbour_phone", "06 00 00 00 00");
    let resp = browser
        .client
        .post(app.url(&format!("{action}?csrf={csrf}")))
        .multipart(multipart)
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap_or_default();
    assert!(
        html.contains("neighbour-name-error") && html.contains("06 00 00 00 00"),
        "kept, said on the field"
    );
    let multipart = reqwest::multipart::Form::new()
        .text("category", "acces")
        .text("title", "Porte cassée")
        .text("description", "Le local vélos ne ferme plus.")
        .text("neighbour_name", "Josiane Girard")
        .text("neighbour_lot", "14");
    let resp = browser
        .client
        .post(app.url(&format!("{action}?csrf={csrf}")))
        .multipart(multipart)
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, page) = browser.get_text(&location(&resp)).await;
    assert!(
        page.contains("Josiane Girard (Lot 14)"),
        "shown on the report"
    );
}

#[tokio::test]
async fn an_urgent_report_filed_for_someone_reaches_them_once() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let tenant_id = app.person_id(TENANT).await;
    let (status, _) = app
        .post_json(
            &reports_path(&app),
            Some(&manager),
            &json!({"category": "acces", "title": "Porte d’entrée bloquée", "description": "Impossible d’entrer.", "urgent": true, "on_behalf_of": tenant_id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    app.dispatched().await;
    app.drained().await;
    let mails = app.mails_to(TENANT);
    assert_eq!(mails.len(), 1, "one e-mail per event and person: {mails:?}");
    assert!(mails[0].contains("URGENT"), "{mails:?}");
}
