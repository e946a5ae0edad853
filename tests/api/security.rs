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
        // Never the foreign host: the local landing page ("/" picks the building or the list).
        assert_eq!(location(&resp), "/", "{next:?}");
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
    use crate::fixtures::small_png;
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

fn registration(code: &str, n: usize) -> serde_json::Value {
    serde_json::json!({"building_code": code, "name": "Nadia Test", "email": format!("guess{n}@example.test"),
        "password": "un-bon-mot-de-passe", "lot": "12", "occupancy": "tenant", "accept_charter": true})
}

#[tokio::test]
async fn wrong_building_codes_are_rate_limited_per_address() {
    let app = spawn_app().await;
    let max = palier::domain::throttle::WRONG_CODES.max as usize;
    for n in 0..max {
        // A forged X-Forwarded-For is ignored: no proxy is trusted here.
        let resp = app
            .client
            .post(app.url("/api/v1/register"))
            .header("x-forwarded-for", format!("203.0.113.{n}"))
            .json(&registration(&format!("WRONG{n:03}"), n))
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "guess {n}");
    }
    let resp = app
        .client
        .post(app.url("/api/v1/register"))
        .json(&registration("WRONG999", 99))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=15 * 60).contains(&wait), "{wait}");
    // The registration page shares the limit.
    let browser = app.browser(None).await;
    let resp = browser
        .submit(
            "/register",
            "/register",
            &[
                ("code", "WRONG998"),
                ("name", "Nadia Test"),
                ("email", "page@example.test"),
                ("password", "un-bon-mot-de-passe"),
                ("lot", "12"),
                ("occupancy", "tenant"),
                ("accept_charter", "on"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn right_codes_do_not_count_as_guesses() {
    let app = spawn_app().await;
    let code = app.building_code(&app.tilleuls).await;
    let max = palier::domain::throttle::WRONG_CODES.max as usize;
    for n in 0..max + 2 {
        let (status, body) = app
            .post_json("/api/v1/register", None, &registration(&code, n))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{n}: {body}");
    }
}

#[tokio::test]
async fn failed_logins_are_limited_per_address() {
    let app = spawn_app().await;
    let max = palier::domain::throttle::LOGIN_FAILURES.max;
    for n in 0..max {
        let (status, _) = app
            .post_json(
                "/api/v1/auth/token",
                None,
                &serde_json::json!({"email": format!("nobody{n}@example.test"), "password": "guess"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    let (status, _) = app
        .post_json(
            "/api/v1/auth/token",
            None,
            &serde_json::json!({"email": OWNER, "password": "guess"}),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn concurrent_guesses_get_no_more_password_checks_than_the_limit() {
    let app = spawn_app().await;
    let body = serde_json::json!({"email": TENANT, "password": "wrong password"});
    let attempts = (0..12).map(|_| app.post_json("/api/v1/auth/token", None, &body));
    let results = join_all(attempts).await;
    let checked = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::UNAUTHORIZED)
        .count() as i64;
    let refused = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .count() as i64;
    // Every attempt is recorded before it is counted: concurrent ones may all see one
    // another and be refused (on a loaded machine, even the first ones), but never more
    // than the limit reach the password check.
    assert!(
        checked <= palier::domain::accounts::MAX_LOGIN_FAILURES,
        "{checked} password checks"
    );
    assert_eq!(checked + refused, 12);
}

#[tokio::test]
async fn a_locked_out_owner_gets_back_in_through_the_e_mailed_link() {
    let app = spawn_app().await;
    for _ in 0..palier::domain::accounts::MAX_LOGIN_FAILURES {
        app.post_json(
            "/api/v1/auth/token",
            None,
            &serde_json::json!({"email": OWNER, "password": "wrong password"}),
        )
        .await;
    }
    let (status, _) = app
        .post_json(
            "/api/v1/auth/token",
            None,
            &serde_json::json!({"email": OWNER, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let mail = app.wait_for_mail(OWNER, "débloquer").await;
    let link = mail
        .split_whitespace()
        .find(|w| w.contains("/login/unlock/"))
        .expect("unlock link")
        .trim_start_matches(&app.address)
        .to_string();
    // Hammering the account sends no second e-mail while the link is live.
    for _ in 0..3 {
        app.post_json(
            "/api/v1/auth/token",
            None,
            &serde_json::json!({"email": OWNER, "password": "wrong again"}),
        )
        .await;
    }
    let browser = app.browser(None).await;
    let resp = browser.get(&link).await;
    assert_eq!(location(&resp), "/login?notice=login_unlocked");
    let (status, _) = app
        .post_json(
            "/api/v1/auth/token",
            None,
            &serde_json::json!({"email": OWNER, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        browser.get(&link).await.status(),
        StatusCode::GONE,
        "single use"
    );
    app.drained().await;
    let unlocks = app
        .mails_to(OWNER)
        .iter()
        .filter(|m| m.contains("/login/unlock/"))
        .count();
    assert_eq!(unlocks, 1);
}

#[tokio::test]
async fn private_answers_are_not_stored_by_caches() {
    let app = spawn_app().await;
    let browser = app.browser(Some(OWNER)).await;
    for page in ["/account", "/buildings"] {
        let resp = browser.get(page).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["cache-control"], "no-store", "{page}");
    }
    let token = app.token(OWNER).await;
    let resp = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.headers()["cache-control"], "no-store");
    // Not over plain HTTP: no HSTS.
    assert!(!resp.headers().contains_key("strict-transport-security"));
    // The public stylesheet keeps its caching.
    let resp = app
        .client
        .get(app.url("/static/style.css"))
        .send()
        .await
        .expect("css");
    assert_eq!(resp.headers()["cache-control"], "public, max-age=3600");
}

#[tokio::test]
async fn https_deployments_send_hsts() {
    let app = spawn_app_at(
        palier::clock::Clock::system(),
        None,
        "https://palier.example".into(),
    )
    .await;
    for path in ["/", "/login", "/api/v1/buildings", "/healthz"] {
        let resp = app.client.get(app.url(path)).send().await.expect("send");
        let hsts = resp
            .headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(hsts.starts_with("max-age=31536000"), "{path}: {hsts:?}");
    }
}

/// The `name=value` of a Set-Cookie header for `name`.
fn set_cookie(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|kv| kv.starts_with(&format!("{name}=")))
        .map(|kv| kv[name.len() + 1..].to_string())
}

#[tokio::test]
async fn csrf_tokens_are_bound_to_the_session_and_change_at_login() {
    let app = spawn_app().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    // Before login: the anonymous token, which an attacker may know or plant.
    let resp = client
        .get(app.url("/login"))
        .send()
        .await
        .expect("login page");
    let before = set_cookie(&resp, "palier_csrf").expect("csrf cookie");
    let resp = client
        .post(app.url("/login"))
        .header("cookie", format!("palier_csrf={before}"))
        .form(&[("email", OWNER), ("password", PASSWORD), ("csrf", &before)])
        .send()
        .await
        .expect("login");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let session = set_cookie(&resp, "palier_session").expect("session cookie");
    let cookies = format!("palier_session={session}; palier_csrf={before}");
    let profile = |csrf: String| {
        client
            .post(app.url("/account/profile"))
            .header("cookie", cookies.clone())
            .form(&[
                ("name", "Paul Lefèvre"),
                ("phone", ""),
                ("lang", "fr"),
                ("csrf", &csrf),
            ])
            .send()
    };
    let resp = profile(before.clone()).await.expect("post");
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "the pre-login token no longer works"
    );
    // The token the pages now carry works.
    let html = client
        .get(app.url("/account"))
        .header("cookie", cookies.clone())
        .send()
        .await
        .expect("account")
        .text()
        .await
        .unwrap_or_default();
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("csrf field") + marker.len();
    let token = html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string();
    assert_ne!(token, before);
    let resp = profile(token.clone()).await.expect("post");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    // Another session of the same person has another token.
    let other = app.browser(Some(OWNER)).await;
    assert_ne!(other.csrf("/account").await, token);
}

#[tokio::test]
async fn a_rejected_comment_with_photos_leaves_no_comment() {
    use crate::fixtures::small_png;
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
    let browser = app.browser(Some(TENANT)).await;
    let page = format!("/reports/{report}");
    let csrf = browser.csrf(&page).await;
    let send = |photos: Vec<Vec<u8>>| {
        let mut form = reqwest::multipart::Form::new().text("body", "Voici des photos");
        for (i, bytes) in photos.into_iter().enumerate() {
            form = form.part(
                "photos",
                reqwest::multipart::Part::bytes(bytes).file_name(format!("p{i}.png")),
            );
        }
        browser
            .client
            .post(format!(
                "{}/reports/{report}/comments?csrf={csrf}",
                browser.base
            ))
            .multipart(form)
            .send()
    };
    // Six photos (five were kept before, silently), then a bad one among good ones.
    let resp = send(vec![small_png(8, 8); 6]).await.expect("post");
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = send(vec![small_png(8, 8), b"not a photo".to_vec()])
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, view) = app
        .get_json(&format!("/api/v1/reports/{report}"), Some(&tenant))
        .await;
    assert_eq!(view["comments"].as_array().map(Vec::len), Some(0), "{view}");
    assert_eq!(stored_files(&app, &report), 0);
    let resp = send(vec![small_png(8, 8); 2]).await.expect("post");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(stored_files(&app, &report), 4);
}

#[tokio::test]
async fn openapi_declares_the_shared_error_answers() {
    let app = spawn_app().await;
    let (_, doc) = app.get_json("/api/v1/openapi.json", None).await;
    let paths = doc["paths"].as_object().expect("paths");
    let mut checked = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            let responses = &op["responses"];
            let declared = |status: &str| responses.get(status).is_some();
            let what = format!("{method} {path}");
            assert!(declared("503"), "{what}: 503");
            if op
                .get("security")
                .is_some_and(|s| s.as_array().is_some_and(|a| !a.is_empty()))
            {
                assert!(declared("401") && declared("403"), "{what}: 401/403");
            }
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "422"] {
                    assert!(declared(status), "{what}: {status}");
                }
            }
            if path.contains('{') {
                assert!(declared("404"), "{what}: 404");
            }
            checked += 1;
        }
    }
    assert!(checked > 30, "{checked} operations");
}

#[tokio::test]
async fn unreadable_queries_and_multiparts_answer_in_json() {
    let app = spawn_app().await;
    let token = app.token(MANAGER).await;
    let resp = app
        .client
        .get(app.url(&format!(
            "/api/v1/buildings/{}/reports?limit=99999999999999999999999",
            app.tilleuls
        )))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = resp.json().await.expect("JSON error");
    assert!(body["error"].is_string());
    let resp = app
        .client
        .post(app.url("/api/v1/reports/nope/photos"))
        .bearer_auth(&token)
        .header("content-type", "multipart/form-data")
        .body("x")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = resp.json().await.expect("JSON error");
    assert!(body["error"].is_string());
}

#[tokio::test]
async fn openapi_declares_the_closed_lists_the_server_checks() {
    let app = spawn_app().await;
    let (_, doc) = app.get_json("/api/v1/openapi.json", None).await;
    for (schema, field, values) in palier::web::api::ENUM_FIELDS {
        let listed = &doc["components"]["schemas"][schema]["properties"][field]["enum"];
        for v in values {
            assert!(
                listed.as_array().is_some_and(|l| l.iter().any(|x| x == v)),
                "{schema}.{field}: {v} in {listed}"
            );
        }
    }
    // The lists are the server's: a listed value passes, another is refused.
    let token = app.token(MANAGER).await;
    let owner = app.person_id(OWNER).await;
    let path = format!("/api/v1/buildings/{}/members/{owner}/role", app.tilleuls);
    for (role, expected) in [
        ("referent", StatusCode::OK),
        ("occupant", StatusCode::OK),
        ("manager", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let (status, body) = app
            .send_json(
                reqwest::Method::PUT,
                &path,
                Some(&token),
                &serde_json::json!({ "role": role }),
            )
            .await;
        assert_eq!(status, expected, "{role}: {body}");
    }
}

#[tokio::test]
async fn the_provider_link_refuses_image_bombs_too() {
    use crate::fixtures::{jpeg_truncated_claiming, png_header_only};
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let provider =
        crate::work_orders::add_provider(&app, &manager, "Vitrerie", "vitre@test.test").await;
    let tenant = app.token(TENANT).await;
    let report = crate::reports::create_report(
        &app,
        &tenant,
        &app.tilleuls,
        serde_json::json!({"category": "autre", "title": "Vitre cassée"}),
    )
    .await;
    let rid = report["id"].as_str().expect("id");
    let (status, wo) = app
        .post_json(
            &format!("/api/v1/reports/{rid}/work-orders"),
            Some(&manager),
            &serde_json::json!({"provider_id": provider}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{wo}");
    let token = crate::work_orders::provider_token(
        &app,
        "vitre@test.test",
        wo["reference"].as_str().unwrap_or_default(),
    )
    .await;
    for bomb in [
        jpeg_truncated_claiming(6_000, 6_000),
        png_header_only(8_000, 7_000),
    ] {
        let form = reqwest::multipart::Form::new()
            .text("body", "Vitre remplacée")
            .text("done", "true")
            .part(
                "photo",
                reqwest::multipart::Part::bytes(bomb).file_name("p.jpg"),
            );
        let resp = app
            .client
            .post(app.url(&format!("/api/v1/p/{token}/report-with-photos")))
            .multipart(form)
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (_, seen) = app
        .get_json(&format!("/api/v1/reports/{rid}"), Some(&tenant))
        .await;
    assert_eq!(seen["photo_count"], 0);
}
