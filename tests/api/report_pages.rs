//! The report pages without JavaScript: two-step form with the duplicate check, multipart
//! upload with the CSRF token in the action, replies from a template, the board.

use crate::fixtures::small_png;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::helpers::*;
use crate::reports::create_report;

fn new_report_form(category: &str, title: &str) -> Form {
    Form::new()
        .text("category", category.to_string())
        .text("title", title.to_string())
        .text("location_part", "Escalier A")
        .text("description", "L'eau goutte depuis ce matin.")
        .part(
            "photos",
            Part::bytes(small_png(32, 32)).file_name("photo.png"),
        )
}

#[tokio::test]
async fn an_occupant_reports_with_a_photo_after_the_duplicate_check() {
    let app = spawn_app().await;
    let existing = create_report(
        &app,
        &app.token(OWNER).await,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite au plafond", "location": "escalier A"}),
    )
    .await;
    let browser = app.browser(Some(TENANT)).await;

    let (status, step1) = browser
        .get_text(&format!("/buildings/{}/reports/new", app.tilleuls))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        step1.contains("Plomberie / fuite") && step1.contains("réparation locative"),
        "categories with their hints"
    );
    assert!(!step1.contains("Déjà signalé"));

    let (_, step2) = browser.get_text(&format!("/buildings/{}/reports/new?category=plomberie&title=fuite+plafond&location_part=Escalier+A", app.tilleuls)).await;
    assert!(
        step2.contains("Déjà signalé")
            && step2.contains(&format!(
                "/reports/{}/follow",
                existing["id"].as_str().unwrap_or_default()
            ))
    );
    assert!(
        step2.contains("value=\"fuite plafond\""),
        "what was typed is kept"
    );

    let csrf = browser
        .csrf(&format!("/buildings/{}/reports/new?title=x", app.tilleuls))
        .await;
    let url = format!("{}/buildings/{}/reports", app.address, app.tilleuls);
    let resp = browser
        .client
        .post(&url)
        .multipart(new_report_form("plomberie", "Fuite sous l'évier commun"))
        .send()
        .await
        .expect("post");
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "no CSRF token, no report"
    );
    let resp = browser
        .client
        .post(format!("{url}?csrf={csrf}"))
        .multipart(new_report_form("plomberie", "Fuite sous l'évier commun"))
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let report_path = location(&resp);
    assert!(
        report_path.ends_with("?notice=report_created"),
        "{report_path}"
    );
    let (status, page) = browser.get_text(&report_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Fuite sous l") && page.contains("À traiter") && page.contains("/thumb\"")
    );
    let thumb = page
        .split("src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("thumbnail src");
    let img = browser.get(thumb).await;
    assert_eq!(
        (img.status(), img.headers()["content-type"].to_str().ok()),
        (StatusCode::OK, Some("image/jpeg"))
    );

    // A bad draft comes back with the typed text and the error next to the field.
    let resp = browser
        .client
        .post(format!("{url}?csrf={csrf}"))
        .multipart(new_report_form("plomberie", ""))
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap_or_default()
            .contains("Ce champ est obligatoire")
    );
}

#[tokio::test]
async fn a_referent_answers_with_a_template_and_the_board_moves_it() {
    let app = spawn_app().await;
    let report = create_report(
        &app,
        &app.token(TENANT).await,
        &app.tilleuls,
        json!({"category": "ascenseur", "title": "Ascenseur à l'arrêt"}),
    )
    .await;
    let id = report["id"].as_str().expect("id");
    let browser = app.browser(Some(REFERENT)).await;
    let (_, page) = browser.get_text(&format!("/reports/{id}")).await;
    let template_link = page
        .split("?template=")
        .nth(1)
        .and_then(|s| s.split('#').next())
        .expect("template links");
    let (_, filled) = browser
        .get_text(&format!("/reports/{id}?template={template_link}"))
        .await;
    assert!(
        filled.contains("votre signalement est bien pris en compte"),
        "the template fills the reply box"
    );

    let csrf = browser.csrf(&format!("/reports/{id}")).await;
    let form = Form::new()
        .text(
            "body",
            "Bonjour, votre signalement est bien pris en compte.",
        )
        .text("audience", "all");
    let resp = browser
        .client
        .post(format!("{}/reports/{id}/comments?csrf={csrf}", app.address))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);

    let (_, board) = browser
        .get_text(&format!("/buildings/{}", app.tilleuls))
        .await;
    let in_progress = board
        .split("column status-in_progress")
        .nth(1)
        .and_then(|s| s.split("column status-closed").next())
        .unwrap_or_default();
    assert!(
        in_progress.contains("Ascenseur à l"),
        "the card is in the in-progress column"
    );
    let (_, found) = browser
        .get_text(&format!("/buildings/{}?q=ascenseur", app.tilleuls))
        .await;
    assert!(found.contains("Résultats (1)"));

    // Closing from the page, then the reply form is gone.
    let resp = browser
        .submit(
            &format!("/reports/{id}"),
            &format!("/reports/{id}/close"),
            &[],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, closed) = browser.get_text(&format!("/reports/{id}")).await;
    assert!(closed.contains("Ce signalement est clôturé.") && !closed.contains("id=\"reply\""));
}

#[tokio::test]
async fn managers_edit_the_reply_templates() {
    let app = spawn_app().await;
    let browser = app.browser(Some(MANAGER)).await;
    let page = format!("/buildings/{}/reply-templates", app.tilleuls);
    let resp = browser
        .submit(
            &page,
            &page,
            &[
                ("title", "Relance syndic"),
                ("body", "Nous relançons l'entreprise."),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    // Templates are staff material (issue 16): the neighbour reads them as a referent.
    let neighbour_id = app.person_id(NEIGHBOUR).await;
    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            &format!(
                "/api/v1/buildings/{}/members/{neighbour_id}/role",
                app.vignes
            ),
            Some(&app.token(MANAGER).await),
            &serde_json::json!({"role": "referent"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = app
        .get_json(
            &format!("/api/v1/buildings/{}/reply-templates", app.vignes),
            Some(&app.token(NEIGHBOUR).await),
        )
        .await;
    assert!(
        list.as_array()
            .is_some_and(|t| t.iter().any(|x| x["title"] == "Relance syndic")),
        "templates are agency-wide"
    );
    let referent = app.browser(Some(REFERENT)).await;
    assert_eq!(referent.get(&page).await.status(), StatusCode::FORBIDDEN);
}
