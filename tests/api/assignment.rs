//! Assignment of a report to one staff member (issue 12 item 4, D5): who may assign, to
//! whom, the "assigned to me" filter, the assignee's notification and e-mail, the pages.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::reports::create_report;

async fn assign(app: &TestApp, token: &str, report: &str, person: Value) -> (StatusCode, Value) {
    app.send_json(
        Method::PUT,
        &format!("/api/v1/reports/{report}/assignee"),
        Some(token),
        &json!({ "person_id": person }),
    )
    .await
}

async fn mine(app: &TestApp, token: &str, building: &str) -> Vec<String> {
    let (status, page) = app
        .get_json(
            &format!("/api/v1/buildings/{building}/reports?assigned=me"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect()
}

#[tokio::test]
async fn a_caretaker_assigned_a_report_is_notified_and_finds_it_under_assigned_to_me() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let manager = app.token(MANAGER).await;
    let caretaker = app.token(CARETAKER).await;
    let report = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite sous l’évier du local vélos"}),
    )
    .await;
    let other = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "electricite", "title": "Ampoule grillée au 2e"}),
    )
    .await;
    let id = report["id"].as_str().expect("id");
    assert!(report["assignee"].is_null());
    let caretaker_id = app.person_id(CARETAKER).await;

    let (status, out) = assign(&app, &manager, id, json!(caretaker_id)).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["assignee"]["id"], json!(caretaker_id));
    assert_eq!(out["assignee"]["name"], json!("Jean Moreau"));

    // The caretaker hears of it at once: in the app and by e-mail.
    let body = app
        .wait_for_mail(CARETAKER, "Signalement qui vous est confié")
        .await;
    assert!(body.contains("Marc Lambert"), "{body}");
    let (_, list) = app
        .get_json("/api/v1/notifications", Some(&caretaker))
        .await;
    assert!(
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|n| n["kind"] == "report_assigned" && n["report_id"] == json!(id)),
        "{list}"
    );
    // Nobody else is told about the assignment.
    assert!(
        app.mails_to(TENANT).iter().all(|m| !m.contains("confié")),
        "the tenant hears nothing of it"
    );

    assert_eq!(mine(&app, &caretaker, &app.tilleuls).await, [id]);
    assert!(mine(&app, &manager, &app.tilleuls).await.is_empty());
    let other_id = other["id"].as_str().expect("id");
    let (status, _) = assign(
        &app,
        &manager,
        other_id,
        json!(app.person_id(MANAGER).await),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine(&app, &manager, &app.tilleuls).await, [other_id]);

    // The same assignment again changes nothing; null unassigns.
    let (status, _) = assign(&app, &manager, id, json!(caretaker_id)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, out) = assign(&app, &caretaker, id, Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert!(out["assignee"].is_null());
    assert!(mine(&app, &caretaker, &app.tilleuls).await.is_empty());

    let (status, err) = app
        .get_json(
            &format!(
                "/api/v1/buildings/{}/reports?assigned=everyone",
                app.tilleuls
            ),
            Some(&caretaker),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
}

#[tokio::test]
async fn only_staff_assign_and_only_to_staff_of_the_building() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let manager = app.token(MANAGER).await;
    let report = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Robinet du local poubelles"}),
    )
    .await;
    let id = report["id"].as_str().expect("id");
    let caretaker_id = app.person_id(CARETAKER).await;
    // Not staff of the building: occupants, landlords, another agency's manager, unknown.
    for who in [TENANT, OWNER, LANDLORD, NEIGHBOUR, OTHER_MANAGER] {
        let (status, err) = assign(&app, &manager, id, json!(app.person_id(who).await)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{who}: {err}");
        assert_eq!(err["field"], "person_id");
    }
    let (status, _) = assign(&app, &manager, id, json!("nobody")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Who may assign: managers and referents; residents may not; elsewhere it is not found.
    for (who, expected) in [
        (REFERENT, StatusCode::OK),
        (CARETAKER, StatusCode::OK),
        (MANAGER, StatusCode::OK),
        (TENANT, StatusCode::FORBIDDEN),
        (OWNER, StatusCode::FORBIDDEN),
        (LANDLORD, StatusCode::FORBIDDEN),
        (NEIGHBOUR, StatusCode::NOT_FOUND),
        (OTHER_MANAGER, StatusCode::NOT_FOUND),
    ] {
        let token = app.token(who).await;
        let (status, body) = assign(&app, &token, id, json!(caretaker_id)).await;
        assert_eq!(status, expected, "{who}: {body}");
    }
}

#[tokio::test]
async fn the_board_and_the_report_page_show_the_assignee() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let report = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Chasse d’eau du local gardien"}),
    )
    .await;
    create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "electricite", "title": "Interrupteur cassé"}),
    )
    .await;
    let id = report["id"].as_str().expect("id");
    let browser = app.browser(Some(MANAGER)).await;
    // Assign through the page's form (no JavaScript).
    let (_, page) = browser.get_text(&format!("/reports/{id}")).await;
    let form = page
        .split("id=\"assignee\"")
        .nth(1)
        .and_then(|rest| rest.split("</select>").next())
        .expect("the assignment form");
    assert!(
        form.contains(">Jean Moreau<"),
        "the form lists staff: {form}"
    );
    assert!(form.contains(">Marc Lambert<"), "{form}");
    assert!(!form.contains("Paul Lefèvre"), "not the occupants: {form}");
    let resp = browser
        .submit(
            &format!("/reports/{id}"),
            &format!("/reports/{id}/assignee"),
            &[("person_id", &app.person_id(CARETAKER).await)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, page) = browser.get_text(&format!("/reports/{id}")).await;
    assert!(page.contains("Confié à <strong>Jean Moreau</strong>"));

    let caretaker = app.browser(Some(CARETAKER)).await;
    let (status, board) = caretaker
        .get_text(&format!("/buildings/{}?assigned=me", app.tilleuls))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(board.contains("Chasse d’eau du local gardien"), "{board}");
    assert!(!board.contains("Interrupteur cassé"));
    assert!(board.contains("Confié à Jean Moreau"));
    let (_, all) = caretaker
        .get_text(&format!("/buildings/{}", app.tilleuls))
        .await;
    assert!(all.contains("Interrupteur cassé"));
    // Residents get no such filter.
    let resident = app.browser(Some(TENANT)).await;
    let (_, board) = resident
        .get_text(&format!("/buildings/{}", app.tilleuls))
        .await;
    assert!(!board.contains("Confiés à moi"));
}
