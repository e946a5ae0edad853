//! Joining another building from the browser (issue 9 item 6): the code first, then the
//! building is named and owner/tenant is an explicit choice.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn an_occupant_joins_another_building_from_the_account_page() {
    let app = spawn_app().await;
    let browser = app.browser(Some(TENANT)).await;
    let (status, account) = browser.get_text("/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        account.contains("href=\"/account/join\""),
        "linked from Mon compte"
    );
    let title = account
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap_or_default();
    assert!(!title.contains('<'), "the page title is text only: {title}");

    // Step 1: the code. A wrong one is said so, on its field.
    let (status, html) = browser.get_text("/account/join").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"code\"") && !html.contains("name=\"occupancy\""));
    let (status, html) = browser.get_text("/account/join?code=NOPE42").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("code-error"), "{html}");

    // Step 2: the building is named, nothing is preselected.
    let code = app.building_code(&app.vignes).await;
    let step2 = format!("/account/join?code={}", code.to_lowercase());
    let (status, html) = browser.get_text(&step2).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Vous rejoignez l’immeuble"), "{html}");
    assert!(
        html.contains("Le Clos des Vignes"),
        "names the building: {html}"
    );
    assert!(!html.contains("checked"), "owner/tenant is not preselected");
    assert!(html.contains(&format!("value=\"{code}\"")), "code kept");

    // No choice made: refused on that field, what was typed is kept.
    let resp = browser
        .submit(&step2, "/account/join", &[("code", &code), ("lot", "12B")])
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap_or_default();
    assert!(
        html.contains("value=\"12B\"") && html.contains("Le Clos des Vignes"),
        "{html}"
    );
    assert!(html.contains("field-error"));

    let resp = browser
        .submit(
            &step2,
            "/account/join",
            &[("code", &code), ("lot", "12B"), ("occupancy", "tenant")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let to = location(&resp);
    assert!(
        to.starts_with(&format!("/buildings/{}", app.vignes)) && to.contains("notice=joined"),
        "{to}"
    );
    let (status, page) = browser.get_text(&to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Bienvenue dans l’immeuble."));
    let token = app.token(TENANT).await;
    let (status, _) = app
        .get_json(&format!("/api/v1/buildings/{}", app.vignes), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "a member now");

    // Joining twice is refused with a clear message on the code.
    let resp = browser
        .submit(
            &step2,
            "/account/join",
            &[("code", &code), ("lot", "12B"), ("occupancy", "tenant")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap_or_default()
            .contains("Vous êtes déjà membre de cet immeuble.")
    );
}

#[tokio::test]
async fn joining_a_building_that_needs_approval_waits() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/buildings/{}/approval", app.vignes),
            Some(&manager),
            &serde_json::json!({"needs_approval": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let browser = app.browser(Some(OWNER)).await;
    let code = app.building_code(&app.vignes).await;
    let step2 = format!("/account/join?code={code}");
    let resp = browser
        .submit(
            &step2,
            "/account/join",
            &[("code", &code), ("lot", "4"), ("occupancy", "owner")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location(&resp).contains("notice=registration_pending"));
    let token = app.token(OWNER).await;
    let (status, _) = app
        .get_json(&format!("/api/v1/buildings/{}", app.vignes), Some(&token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "waits outside");
}
