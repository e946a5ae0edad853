//! Hardening found by an outside probe (issue 16): redirects, tokens and sessions after a
//! password change, abuse limits, headers.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn login_next_never_leaves_the_site() {
    let app = spawn_app().await;
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
        "/\\evil.example",
        "//evil.example",
        "https://evil.example/",
        "/ /evil.example",
    ] {
        let browser = app.browser(None).await;
        let resp = browser
            .submit(
                "/login",
                "/login",
                &[("email", OWNER), ("password", PASSWORD), ("next", next)],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(location(&resp), "/buildings", "{next:?}");
    }
    let browser = app.browser(None).await;
    let resp = browser
        .submit(
            "/login",
            "/login",
            &[
                ("email", OWNER),
                ("password", PASSWORD),
                ("next", "/account?tab=1"),
            ],
        )
        .await;
    assert_eq!(location(&resp), "/account?tab=1");
    // The language switch follows the same rule.
    let resp = browser.get("/lang/en?next=/%09/evil.example").await;
    assert_eq!(location(&resp), "/buildings");
}

/// The reset link from the latest e-mail to `to`, as a path.
async fn reset_path(app: &TestApp, browser: &Browser, to: &str, nth: usize) -> String {
    browser
        .submit("/password/forgot", "/password/forgot", &[("email", to)])
        .await;
    let mut mails = Vec::new();
    eventually("reset e-mail", || {
        mails = app.mails_to(to);
        let ok = mails.len() > nth;
        async move { ok }
    })
    .await;
    let link = mails[nth]
        .split_whitespace()
        .find(|w| w.contains("/password/reset/"))
        .expect("reset link in e-mail")
        .to_string();
    link.trim_start_matches(&app.address).to_string()
}

#[tokio::test]
async fn a_password_change_ends_tokens_sessions_and_reset_links() {
    let app = spawn_app().await;
    let token = app.token(OWNER).await;
    let browser = app.browser(Some(OWNER)).await;
    let other = app.browser(Some(OWNER)).await;
    let anonymous = app.browser(None).await;
    let stale_link = reset_path(&app, &anonymous, OWNER, 0).await;

    let resp = browser
        .submit(
            "/account",
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "tout-nouveau-mdp"),
            ],
        )
        .await;
    assert_eq!(location(&resp), "/account?notice=password_changed");
    assert_eq!(browser.get("/account").await.status(), StatusCode::OK);
    assert_eq!(other.get("/account").await.status(), StatusCode::SEE_OTHER);
    let (status, _) = app.get_json("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the API token died too");
    let resp = anonymous
        .submit(
            &stale_link,
            &stale_link,
            &[("password", "repris-par-un-autre")],
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "reset link spent"
    );
}

#[tokio::test]
async fn a_password_reset_ends_tokens_sessions_and_other_reset_links() {
    let app = spawn_app().await;
    let token = app.token(OWNER).await;
    let session = app.browser(Some(OWNER)).await;
    let anonymous = app.browser(None).await;
    let first = reset_path(&app, &anonymous, OWNER, 0).await;
    let second = reset_path(&app, &anonymous, OWNER, 1).await;
    assert_ne!(first, second);

    let resp = anonymous
        .submit(&second, &second, &[("password", "nouveau-mot-de-passe")])
        .await;
    assert_eq!(location(&resp), "/login?notice=password_reset");
    let (status, _) = app.get_json("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the API token died too");
    assert_eq!(
        session.get("/account").await.status(),
        StatusCode::SEE_OTHER
    );
    let resp = anonymous
        .submit(&first, &first, &[("password", "encore-un-autre-mdp")])
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the other link is spent"
    );
}
