//! Writes never wedge: clients that give up mid-request leave no transaction or lock behind,
//! and a write that cannot get the lock in time is told to retry (503 + Retry-After).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use sqlx::Connection;
use tokio::io::AsyncWriteExt;

use crate::helpers::*;

fn report() -> serde_json::Value {
    json!({"category": "plomberie", "location": "x", "title": "burst", "description": "d", "urgent": false})
}

/// Clients post a report and drop the connection 0–30 ms later, as `abort-burst.py` does:
/// requests are cancelled at every `.await` of the write path, BEGIN included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_writes_leave_the_database_writable() {
    let app = spawn_app().await;
    let token = app.token(OWNER).await;
    let body = report().to_string();
    let addr = app.address.trim_start_matches("http://").to_string();
    let request = format!(
        "POST /api/v1/buildings/{}/reports HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        app.tilleuls,
        body.len()
    );
    let deadline = Instant::now() + Duration::from_secs(6);
    let mut clients = Vec::new();
    for client in 0..32u64 {
        let (addr, request) = (addr.clone(), request.clone());
        clients.push(tokio::spawn(async move {
            // A cheap deterministic spread of abandon delays over 0–30 ms.
            let mut seed = client
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            while Instant::now() < deadline {
                let Ok(mut stream) = tokio::net::TcpStream::connect(&addr).await else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                if stream.write_all(request.as_bytes()).await.is_err() {
                    continue;
                }
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                tokio::time::sleep(Duration::from_micros((seed >> 33) % 30_000)).await;
                drop(stream);
            }
        }));
    }
    for c in clients {
        c.await.expect("client task");
    }

    let started = Instant::now();
    let (status, body) = tokio::time::timeout(
        Duration::from_secs(3),
        app.post_json(
            &format!("/api/v1/buildings/{}/reports", app.tilleuls),
            Some(&token),
            &report(),
        ),
    )
    .await
    .expect("the write after the burst answers");
    let took = started.elapsed();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // A wedged database answers after the lock wait (5 s) at best; a healthy one at once.
    // The bound leaves room for a loaded CI machine (the same bound as abort-burst.py).
    assert!(
        took < Duration::from_secs(2),
        "write after the burst took {took:?}"
    );
    // Logging in writes a session: it must not wait either.
    let started = Instant::now();
    app.token(MANAGER).await;
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// Another process holds the write lock longer than the server waits: the request gets a 503
/// with Retry-After (not a 500), nothing is saved, and once the lock is gone writes work.
#[tokio::test]
async fn a_held_write_lock_answers_503_with_retry_after() {
    let app = spawn_app().await;
    let token = app.token(OWNER).await;
    let path = format!("/api/v1/buildings/{}/reports", app.tilleuls);
    let (_, before) = app.get_json(&path, Some(&token)).await;

    let url = app.state.config.database_url.clone();
    let mut holder = sqlx::AnyConnection::connect(&url).await.expect("connect");
    if url.starts_with("postgres") {
        sqlx::query("BEGIN")
            .execute(&mut holder)
            .await
            .expect("begin");
        sqlx::query("LOCK TABLE reports IN ACCESS EXCLUSIVE MODE")
            .execute(&mut holder)
            .await
            .expect("lock");
    } else {
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut holder)
            .await
            .expect("begin immediate");
    }

    let resp = app
        .client
        .post(app.url(&path))
        .bearer_auth(&token)
        .json(&report())
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        resp.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
    let body: serde_json::Value = resp.json().await.expect("json");
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{body}"
    );

    sqlx::query("ROLLBACK")
        .execute(&mut holder)
        .await
        .expect("rollback");
    drop(holder);
    let (status, _) = app.post_json(&path, Some(&token), &report()).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, after) = app.get_json(&path, Some(&token)).await;
    let count = |v: &serde_json::Value| v["items"].as_array().map(|a| a.len()).unwrap_or(0);
    assert_eq!(
        count(&after),
        count(&before) + 1,
        "only the retried write was saved"
    );
}
