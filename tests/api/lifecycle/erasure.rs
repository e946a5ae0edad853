//! Erasure: the person's data goes, their reports stay signed "Ancien occupant", and no
//! trace of their name or e-mail is left in the database files.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{EMAIL, NAME, delete, register, set_approval};
use crate::helpers::*;

/// Every byte of the database: the SQLite files, or a dump of the PostgreSQL database.
fn database_bytes(app: &TestApp) -> Vec<u8> {
    let url = &app.state.config.database_url;
    if url.starts_with("postgres") {
        let out = std::process::Command::new("pg_dump")
            .arg("--data-only")
            .arg(url)
            .output()
            .expect("pg_dump runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        return out.stdout;
    }
    let mut all = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let path = app.data_dir.path().join(format!("palier.db{suffix}"));
        if let Ok(bytes) = std::fs::read(path) {
            all.extend(bytes);
        }
    }
    all
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn an_erased_tenant_leaves_her_reports_and_no_trace_of_her_name_or_email() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    set_approval(&app, &manager, &app.tilleuls, true).await;
    let (zoe, _) = register(&app, NAME, EMAIL).await;
    let (status, _) = app
        .post_json(
            &format!(
                "/api/v1/buildings/{}/membership-requests/{zoe}/approve",
                app.tilleuls
            ),
            Some(&manager),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let token = app.token(EMAIL).await;
    // Filed with an idempotency key: the stored answer names her too.
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/buildings/{}/reports", app.tilleuls)))
        .bearer_auth(&token)
        .header("Idempotency-Key", "zoe-report-1")
        .json(&json!({"category": "plomberie", "title": "Fuite au 3e", "description": "Au-dessus de l'ascenseur", "urgent": true}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), StatusCode::CREATED);
    let report: serde_json::Value = resp.json().await.expect("json");
    let report_id = report["id"].as_str().expect("id").to_string();
    let comments = format!("/api/v1/reports/{report_id}/comments");
    let (status, _) = app
        .post_json(&comments, Some(&token), &json!({"body": "Ça coule encore"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app
        .post_json(
            &comments,
            Some(&manager),
            &json!({"body": "Le plombier passe demain"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    app.dispatched().await;
    app.drained().await;
    let before = database_bytes(&app);
    assert!(
        holds(&before, "Quintavalle"),
        "the check can fail: her name is there before"
    );

    let (status, body) = delete(&app, "/api/v1/me", &token, &json!({"password": "wrong"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = delete(&app, "/api/v1/me", &token, &json!({"password": PASSWORD})).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) = delete(&app, "/api/v1/me", &token, &json!({"password": PASSWORD})).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "erasing twice: the token is gone"
    );
    // Her report and comment stay, signed "Ancien occupant".
    let (status, kept) = app
        .get_json(&format!("/api/v1/reports/{report_id}"), Some(&manager))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kept["author"]["id"], zoe.as_str());
    // In the API too, in the reader's language (issue 9 item 8).
    assert_eq!(kept["author"]["name"], "Ancien occupant");
    assert_eq!(kept["author"]["erased"], true);
    assert!(kept["comments"].as_array().is_some_and(|c| c.len() == 2));
    assert_eq!(kept["comments"][0]["author"]["name"], "Ancien occupant");
    assert_eq!(kept["comments"][1]["author"]["erased"], false);
    let (_, board) = app
        .get_json(
            &format!("/api/v1/buildings/{}/reports", app.tilleuls),
            Some(&manager),
        )
        .await;
    let listed = board["items"]
        .as_array()
        .and_then(|items| items.iter().find(|r| r["id"] == report_id.as_str()))
        .expect("listed");
    assert_eq!(listed["author"]["name"], "Ancien occupant");
    let browser = app.browser(Some(MANAGER)).await;
    let (_, page) = browser.get_text(&format!("/reports/{report_id}")).await;
    assert!(page.contains("Ancien occupant"), "signed on the page");
    assert!(page.contains("Ça coule encore"));

    app.drained().await;
    let after = database_bytes(&app);
    for needle in [NAME, "Quintavalle", EMAIL, "zoe.quintavalle"] {
        assert!(!holds(&after, needle), "{needle} found after erasure");
    }
    // Checked last: a failed login records the address typed (login throttling).
    let (status, _) = app
        .post_json(
            "/api/v1/auth/token",
            None,
            &json!({"email": EMAIL, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_manager_erases_someone_who_left_once_and_never_the_last_manager() {
    let app = spawn_app().await;
    let manager = app.token(MANAGER).await;
    let nadia = app.person_id(TENANT).await;
    let former = format!("/api/v1/buildings/{}/former-members/{nadia}", app.tilleuls);
    let (status, body) = delete(&app, &former, &manager, &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "still living there: {body}");
    let (status, _) = delete(
        &app,
        &format!("/api/v1/buildings/{}/members/{nadia}", app.tilleuls),
        &manager,
        &json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let other = app.token(OTHER_MANAGER).await;
    let (status, _) = delete(&app, &former, &other, &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another agency");
    let (status, _) = delete(&app, &former, &manager, &json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = delete(&app, &former, &manager, &json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "erasing twice");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("déjà effacées")),
        "{body}"
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'erase' AND target_id = $1 AND detail = 'manager'",
    )
    .bind(&nadia)
    .fetch_one(&app.state.db.pool)
    .await
    .expect("audit");
    assert_eq!(audited, 1);
    let (_, list) = app
        .get_json(
            &format!("/api/v1/buildings/{}/former-members", app.tilleuls),
            Some(&manager),
        )
        .await;
    assert_eq!(list["items"][0]["erased"], true);
    assert_eq!(list["items"][0]["email"], "");

    // The only manager of an agency cannot erase themself: the agency would be orphaned.
    let (status, body) = delete(&app, "/api/v1/me", &other, &json!({"password": PASSWORD})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("dernier gestionnaire")),
        "{body}"
    );
    let (status, _) = app.get_json("/api/v1/me", Some(&other)).await;
    assert_eq!(status, StatusCode::OK, "nothing erased");
}

/// An erasure scrubs a large outbox: 5,000 sent e-mails in the suite; for a measurement,
/// `ERASURE_OUTBOX=50000 cargo test --test api erasure_cost -- --nocapture` prints the time.
#[tokio::test]
async fn erasure_cost_with_a_large_outbox() {
    let app = spawn_app().await;
    let (_, _) = register(&app, NAME, EMAIL).await;
    let token = app.token(EMAIL).await;
    let filler = "x".repeat(2000);
    let pool = &app.state.db.pool;
    let total: usize = std::env::var("ERASURE_OUTBOX")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5_000);
    for chunk in 0..(total / 1000) {
        let mut tx = pool.begin().await.expect("tx");
        for i in 0..1000 {
            let n = chunk * 1000 + i;
            // One e-mail in a hundred names her.
            let who = if n % 100 == 0 { NAME } else { "Paul Lefèvre" };
            let payload = json!({"to": "someone@example.test", "subject": "Nouveau message",
                "text": format!("Bonjour, {who} a commenté. {filler}"), "html": ""})
            .to_string();
            sqlx::query("INSERT INTO jobs (id, kind, payload, status, run_at, created_at) VALUES ($1, 'email', $2, 'done', 0, 0)")
                .bind(format!("bulk{n}"))
                .bind(payload)
                .execute(&mut *tx)
                .await
                .expect("insert");
        }
        tx.commit().await.expect("commit");
    }
    let started = std::time::Instant::now();
    let (status, _) = delete(&app, "/api/v1/me", &token, &json!({"password": PASSWORD})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    eprintln!(
        "erasure with {total} sent e-mails ({} scrubbed): {:?}",
        total / 100,
        started.elapsed()
    );
    let left: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE payload LIKE '%Quintavalle%'")
            .fetch_one(pool)
            .await
            .expect("count");
    assert_eq!(left, 0);
}

#[tokio::test]
async fn an_erased_landlord_leaves_no_lot_link() {
    let app = spawn_app().await;
    let landlord = app.token(LANDLORD).await;
    let henri = app.person_id(LANDLORD).await;
    let links = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM lot_landlords WHERE person_id = $1")
            .bind(&henri)
            .fetch_one(&app.state.db.pool)
            .await
            .expect("count")
    };
    let manager = app.token(MANAGER).await;
    let (_, lots) = app
        .get_json(
            &format!("/api/v1/buildings/{}/lots", app.tilleuls),
            Some(&manager),
        )
        .await;
    let lot = lots["lots"]
        .as_array()
        .and_then(|l| l.iter().find(|x| x["label"] == "7"))
        .and_then(|x| x["id"].as_str())
        .expect("lot 7")
        .to_string();
    let (status, body) = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/lots/{lot}/landlord"),
            Some(&manager),
            &json!({"email": LANDLORD, "name": "Henri Dubois"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(links().await > 0, "linked to lot 7");
    let (status, body) = delete(
        &app,
        "/api/v1/me",
        &landlord,
        &json!({"password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(links().await, 0);
    let (_, members) = app
        .get_json(
            &format!("/api/v1/buildings/{}/members", app.tilleuls),
            Some(&manager),
        )
        .await;
    assert!(
        members
            .as_array()
            .is_some_and(|m| m.iter().all(|m| m["person_id"] != henri.as_str())),
        "{members}"
    );
}
