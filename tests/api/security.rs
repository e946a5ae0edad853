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
