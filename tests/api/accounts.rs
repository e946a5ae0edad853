use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

fn registration(code: &str, email: &str) -> serde_json::Value {
    json!({"building_code": code, "name": "Nadia Test", "email": email, "password": "un-bon-mot-de-passe",
           "lot": "14", "occupancy": "tenant", "accept_charter": true})
}

#[tokio::test]
async fn health_answers_when_the_database_does() {
    let app = spawn_app().await;
    let resp = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn registration_with_a_building_code_creates_an_occupant() {
    let app = spawn_app().await;
    let code = app.building_code(&app.tilleuls).await;

    let (status, body) = app
        .post_json(
            "/api/v1/register",
            None,
            &registration(&code.to_lowercase(), "Nadia@Example.test"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().expect("id").to_string();

    let (status, body) = app
        .post_json(
            "/api/v1/auth/token",
            None,
            &json!({"email": "nadia@example.test", "password": "un-bon-mot-de-passe"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let token = body["token"].as_str().expect("token");
    let (status, me) = app.get_json("/api/v1/me", Some(token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["id"], id);
    assert_eq!(me["email"], "nadia@example.test");
    assert_eq!(
        me["memberships"],
        json!([{"building_id": app.tilleuls, "role": "occupant", "occupancy": "tenant", "referent_kind": null}])
    );

    // The charter acceptance is stored with its version and time.
    let version: String =
        sqlx::query_scalar("SELECT version FROM charter_acceptances WHERE person_id = $1")
            .bind(&id)
            .fetch_one(&app.state.db.pool)
            .await
            .expect("charter row");
    assert_eq!(version, palier::domain::accounts::CHARTER_VERSION);
    // And a welcome e-mail went through the queue.
    let text = app.wait_for_mail("nadia@example.test", "Bienvenue").await;
    assert!(
        text.contains(&format!("/buildings/{}", app.tilleuls)),
        "{text}"
    );
}

#[tokio::test]
async fn registration_rejects_bad_input_and_changes_nothing() {
    let app = spawn_app().await;
    let code = app.building_code(&app.tilleuls).await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM people")
            .fetch_one(&app.state.db.pool)
            .await
            .expect("count")
    };
    let before = count().await;

    let (status, body) = app
        .post_json(
            "/api/v1/register",
            None,
            &registration("NOPE1234", "a@example.test"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    let mut no_charter = registration(&code, "b@example.test");
    no_charter["accept_charter"] = json!(false);
    let (status, body) = app.post_json("/api/v1/register", None, &no_charter).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "accept_charter");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("charte"),
        "{body}"
    );

    let mut weak = registration(&code, "c@example.test");
    weak["password"] = json!("1234");
    let (status, body) = app.post_json("/api/v1/register", None, &weak).await;
    assert_eq!(
        (status, body["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("password"))
    );

    let (status, body) = app
        .post_json("/api/v1/register", None, &registration(&code, OWNER))
        .await;
    assert_eq!(
        (status, body["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("email"))
    );

    for (field, value) in [
        ("email", json!("not-an-email")),
        ("name", json!("   ")),
        ("name", json!("x".repeat(500))),
        ("occupancy", json!("squatter")),
    ] {
        let mut bad = registration(&code, "d@example.test");
        bad[field] = value;
        let (status, body) = app.post_json("/api/v1/register", None, &bad).await;
        assert_eq!(
            (status, body["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!(field)),
            "{body}"
        );
    }

    let resp = app
        .client
        .post(app.url("/api/v1/register"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = resp.json().await.expect("json error body");
    assert!(body["error"].is_string());

    assert_eq!(
        count().await,
        before,
        "no person was created by rejected registrations"
    );
}

#[tokio::test]
async fn errors_follow_the_callers_language() {
    let app = spawn_app().await;
    let resp = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .header("accept-language", "en-GB,en;q=0.9")
        .json(&json!({"email": OWNER, "password": "wrong password"}))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["error"], "Wrong e-mail address or password.");
    let (_, body) = app
        .post_json(
            "/api/v1/auth/token",
            None,
            &json!({"email": OWNER, "password": "wrong password"}),
        )
        .await;
    assert_eq!(body["error"], "Adresse e-mail ou mot de passe incorrect.");
}

#[tokio::test]
async fn tokens_authenticate_until_revoked() {
    let app = spawn_app().await;
    let (status, _) = app.get_json("/api/v1/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.get_json("/api/v1/me", Some("plr_forged")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let token = app.token(OWNER).await;
    let (status, me) = app.get_json("/api/v1/me", Some(&token)).await;
    assert_eq!(
        (status, me["email"].clone()),
        (StatusCode::OK, json!(OWNER))
    );

    let resp = app
        .client
        .delete(app.url("/api/v1/auth/token"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let (status, _) = app.get_json("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn repeated_failed_logins_are_throttled_per_account() {
    let app = spawn_app().await;
    for _ in 0..palier::domain::accounts::MAX_LOGIN_FAILURES {
        let (status, _) = app
            .post_json(
                "/api/v1/auth/token",
                None,
                &json!({"email": TENANT, "password": "wrong password"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused while throttled: guessing gains nothing.
    let (status, body) = app
        .post_json(
            "/api/v1/auth/token",
            None,
            &json!({"email": TENANT, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    // Other accounts are not affected.
    let (status, _) = app
        .post_json(
            "/api/v1/auth/token",
            None,
            &json!({"email": OWNER, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn password_reset_link_works_once() {
    let app = spawn_app().await;
    let browser = app.browser(None).await;
    let resp = browser
        .submit("/password/forgot", "/password/forgot", &[("email", OWNER)])
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    // Unknown addresses get the same answer and no e-mail.
    let resp = browser
        .submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", "nobody@example.test")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);

    let text = app.wait_for_mail(OWNER, "mot de passe").await;
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/password/reset/"))
        .expect("reset link in e-mail");
    let path = link.trim_start_matches(&app.address).to_string();

    let resp = browser
        .submit(&path, &path, &[("password", "nouveau-mot-de-passe")])
        .await;
    assert_eq!(location(&resp), "/login?notice=password_reset");
    let (status, _) = app
        .post_json(
            "/api/v1/auth/token",
            None,
            &json!({"email": OWNER, "password": "nouveau-mot-de-passe"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .post_json(
            "/api/v1/auth/token",
            None,
            &json!({"email": OWNER, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let resp = browser
        .submit(&path, &path, &[("password", "encore-un-autre-mdp")])
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a used link is refused"
    );
    let files = std::fs::read_dir(app.mail_dir()).expect("mail dir").count();
    assert_eq!(files, 1, "only the known address got an e-mail");

    // Asking again and again sends a few links an hour, not an inbox flood.
    for _ in 0..5 {
        browser
            .submit("/password/forgot", "/password/forgot", &[("email", OWNER)])
            .await;
    }
    app.drained().await;
    let sent = app.mails_to(OWNER).len() as i64;
    assert_eq!(
        sent,
        palier::domain::accounts::MAX_RESETS_PER_HOUR,
        "{sent} reset e-mails"
    );
}
