//! Where people land after signing in (issue 15 item 11): a resident of one building on
//! it, managers and people of several buildings on the list.

use reqwest::StatusCode;

use crate::helpers::*;

async fn landing(app: &TestApp, email: &str) -> String {
    let browser = app.browser(None).await;
    let resp = browser
        .submit(
            "/login",
            "/login",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/", "{email}: no page asked for");
    let resp = browser.get("/").await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    location(&resp)
}

#[tokio::test]
async fn a_resident_of_one_building_lands_on_it() {
    let app = spawn_app().await;
    assert_eq!(
        landing(&app, TENANT).await,
        format!("/buildings/{}", app.tilleuls)
    );
    assert_eq!(
        landing(&app, MANAGER).await,
        "/dashboard",
        "agency staff: the portfolio dashboard"
    );

    // Joining a second building: the list again.
    let token = app.token(TENANT).await;
    let code = app.building_code(&app.vignes).await;
    let (status, _) = app
        .post_json(
            "/api/v1/me/memberships",
            Some(&token),
            &serde_json::json!({"building_code": code, "lot": "2", "occupancy": "tenant"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(landing(&app, TENANT).await, "/buildings");

    // The list stays reachable for the one-building resident.
    let browser = app.browser(Some(OWNER)).await;
    let (status, html) = browser.get_text("/buildings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Mes immeubles"));
}
