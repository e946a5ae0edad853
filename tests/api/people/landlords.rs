//! Unlinking a lot's landlord (`DELETE /api/v1/lots/{id}/landlord` and the lot page's button).

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

async fn lot_id(app: &TestApp, token: &str, label: &str) -> String {
    let (_, lots) = app
        .get_json(
            &format!("/api/v1/buildings/{}/lots", app.tilleuls),
            Some(token),
        )
        .await;
    lots["lots"]
        .as_array()
        .and_then(|l| l.iter().find(|x| x["label"] == label))
        .and_then(|x| x["id"].as_str())
        .expect("lot")
        .to_string()
}

#[tokio::test]
async fn a_manager_unlinks_a_landlord_who_then_sees_nothing_of_the_lot() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let tenant = app.token(TENANT).await;
    let landlord = app.token(LANDLORD).await;
    let (status, report) = app
        .post_json(
            &format!("/api/v1/buildings/{}/reports", app.tilleuls),
            Some(&tenant),
            &json!({"category": "plomberie", "title": "Chauffe-eau en panne", "description": "Plus d’eau chaude depuis ce matin dans l’appartement."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let report = format!("/api/v1/reports/{}", report["id"].as_str().expect("id"));
    let (status, _) = app.get_json(&report, Some(&landlord)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the demo landlord of lot 23 sees it"
    );

    let lot = lot_id(&app, &manager, "23").await;
    let path = format!("/api/v1/lots/{lot}/landlord");
    // Every demo role but the building's manager, and the other agency's manager.
    for (who, expected) in [
        (REFERENT, StatusCode::FORBIDDEN),
        (CARETAKER, StatusCode::FORBIDDEN),
        (OWNER, StatusCode::FORBIDDEN),
        (TENANT, StatusCode::FORBIDDEN),
        (LANDLORD, StatusCode::FORBIDDEN),
        (NEIGHBOUR, StatusCode::NOT_FOUND),
        (OTHER_MANAGER, StatusCode::NOT_FOUND),
    ] {
        let token = app.token(who).await;
        let (status, _) = app
            .send_json(Method::DELETE, &path, Some(&token), &json!({}))
            .await;
        assert_eq!(status, expected, "{who}");
    }
    let (status, _) = app.get_json(&report, Some(&landlord)).await;
    assert_eq!(status, StatusCode::OK, "refused attempts changed nothing");

    let (status, body) = app
        .send_json(Method::DELETE, &path, Some(&manager), &json!({}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) = app.get_json(&report, Some(&landlord)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "access ends at once");
    let (status, _) = app
        .send_json(Method::DELETE, &path, Some(&manager), &json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the lot has no landlord now");
    let (status, _) = app
        .send_json(
            Method::DELETE,
            "/api/v1/lots/no-such-lot/landlord",
            Some(&manager),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'landlord_unlinked' AND target_id = $1",
    )
    .bind(&lot)
    .fetch_one(&app.state.db.pool)
    .await
    .expect("audit");
    assert_eq!(audited, 1);
    // Linked again, they see it again.
    let (status, _) = app
        .send_json(
            Method::PUT,
            &path,
            Some(&manager),
            &json!({"email": LANDLORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get_json(&report, Some(&landlord)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_lot_page_has_a_button_to_remove_the_landlord() {
    let app = spawn_app().await;
    let manager = app.browser(Some(MANAGER)).await;
    let token = app.token(MANAGER).await;
    let lot = lot_id(&app, &token, "23").await;
    let page = format!("/buildings/{}/lots", app.tilleuls);
    let action = format!("/lots/{lot}/landlord/remove");
    let (_, html) = manager.get_text(&page).await;
    assert!(
        html.contains("Henri Dubois") && html.contains(&action),
        "button shown"
    );
    let resp = manager.submit(&page, &action, &[]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let to = location(&resp);
    assert!(to.contains("notice=landlord_unlinked"));
    let (_, html) = manager.get_text(&to).await;
    assert!(html.contains("Bailleur retiré du lot."), "notice");
    assert!(!html.contains("Henri Dubois"), "no longer shown");
    assert!(
        !html.contains(&action),
        "no button for a lot without landlord"
    );
}
