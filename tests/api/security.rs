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

/// Asks for a reset link for `to` and returns it as a path: the one not in `known`.
async fn reset_path(app: &TestApp, browser: &Browser, to: &str, known: &[&str]) -> String {
    browser
        .submit("/password/forgot", "/password/forgot", &[("email", to)])
        .await;
    let mut links = Vec::new();
    eventually("reset e-mail", || {
        links = app
            .mails_to(to)
            .iter()
            .filter_map(|m| {
                m.split_whitespace()
                    .find(|w| w.contains("/password/reset/"))
                    .map(|l| l.trim_start_matches(&app.address).to_string())
            })
            .filter(|l| !known.contains(&l.as_str()))
            .collect();
        let ok = !links.is_empty();
        async move { ok }
    })
    .await;
    links.swap_remove(0)
}

#[tokio::test]
async fn a_password_change_ends_tokens_sessions_and_reset_links() {
    let app = spawn_app().await;
    let token = app.token(OWNER).await;
    let browser = app.browser(Some(OWNER)).await;
    let other = app.browser(Some(OWNER)).await;
    let anonymous = app.browser(None).await;
    let stale_link = reset_path(&app, &anonymous, OWNER, &[]).await;

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
    let first = reset_path(&app, &anonymous, OWNER, &[]).await;
    let second = reset_path(&app, &anonymous, OWNER, &[&first]).await;
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

async fn upload_many(app: &TestApp, token: &str, report: &str, files: Vec<Vec<u8>>) -> StatusCode {
    let mut form = reqwest::multipart::Form::new();
    for (i, bytes) in files.into_iter().enumerate() {
        form = form.part(
            "photo",
            reqwest::multipart::Part::bytes(bytes).file_name(format!("p{i}.png")),
        );
    }
    app.client
        .post(app.url(&format!("/api/v1/reports/{report}/photos")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("send")
        .status()
}

async fn photo_count(app: &TestApp, token: &str, report: &str) -> i64 {
    app.get_json(&format!("/api/v1/reports/{report}"), Some(token))
        .await
        .1["photo_count"]
        .as_i64()
        .unwrap_or(-1)
}

fn stored_files(app: &TestApp, report: &str) -> usize {
    std::fs::read_dir(app.data_dir.path().join("files/photos").join(report))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_rejected_upload_stores_no_photo() {
    use palier::photos::test_fixtures::small_png;
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let report = crate::reports::create_report(
        &app,
        &tenant,
        &app.tilleuls,
        serde_json::json!({"category": "plomberie", "title": "Fuite"}),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    // Twelve photos where five are allowed: none kept (five were).
    let status = upload_many(&app, &tenant, &report, vec![small_png(8, 8); 12]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(photo_count(&app, &tenant, &report).await, 0);
    // Two good photos and a bad one: none kept.
    let files = vec![small_png(8, 8), small_png(9, 9), b"not a photo".to_vec()];
    let status = upload_many(&app, &tenant, &report, files).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(photo_count(&app, &tenant, &report).await, 0);
    assert_eq!(stored_files(&app, &report), 0, "no file left behind");
    // Three now, three more would make six.
    let status = upload_many(&app, &tenant, &report, vec![small_png(8, 8); 3]).await;
    assert_eq!(status, StatusCode::CREATED);
    let status = upload_many(&app, &tenant, &report, vec![small_png(8, 8); 3]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(photo_count(&app, &tenant, &report).await, 3);
    assert_eq!(
        stored_files(&app, &report),
        6,
        "three photos and their thumbnails"
    );
}

#[tokio::test]
async fn reply_templates_are_served_to_staff_only() {
    let app = spawn_app().await;
    let path = format!("/api/v1/buildings/{}/reply-templates", app.tilleuls);
    for who in [OWNER, TENANT, LANDLORD] {
        let (status, body) = app.get_json(&path, Some(&app.token(who).await)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {body}");
    }
    for who in [MANAGER, REFERENT, CARETAKER] {
        let (status, body) = app.get_json(&path, Some(&app.token(who).await)).await;
        assert_eq!(status, StatusCode::OK, "{who}");
        assert!(body.as_array().is_some_and(|t| !t.is_empty()), "{who}");
    }
}
