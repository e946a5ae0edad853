//! Idempotent retries (issue 13 item 5): a create call sent again with the same
//! `Idempotency-Key` and body returns the first answer and creates nothing more.

use reqwest::StatusCode;
use reqwest::multipart::Form;
use serde_json::{Value, json};

use crate::helpers::*;

fn report(title: &str) -> Value {
    json!({"category": "plomberie", "location": "Hall", "title": title,
           "description": "Fuite sous l'escalier", "urgent": false})
}

async fn post_with_key(
    app: &TestApp,
    token: &str,
    path: &str,
    key: &str,
    body: &Value,
) -> (StatusCode, Value, bool) {
    let resp = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .expect("post");
    let status = resp.status();
    let replayed = resp.headers().contains_key("idempotent-replayed");
    (status, resp.json().await.unwrap_or(Value::Null), replayed)
}

async fn count_titled(app: &TestApp, token: &str, title: &str) -> usize {
    let (status, list) = app
        .get_json(
            &format!("/api/v1/buildings/{}/reports?limit=100", app.tilleuls),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|r| r["title"] == title)
        .count()
}

#[tokio::test]
async fn a_retried_report_with_the_same_key_is_created_once() {
    let app = spawn_app().await;
    let token = app.token(CARETAKER).await;
    let path = format!("/api/v1/buildings/{}/reports", app.tilleuls);
    let body = report("Porte du local vélos cassée");

    let (first, created, replayed) = post_with_key(&app, &token, &path, "round-7-a", &body).await;
    assert_eq!(first, StatusCode::CREATED, "{created}");
    assert!(!replayed);
    let (again, second, replayed) = post_with_key(&app, &token, &path, "round-7-a", &body).await;
    assert_eq!(again, StatusCode::CREATED, "{second}");
    assert!(replayed, "the retry is answered from the stored answer");
    assert_eq!(second["id"], created["id"]);
    assert_eq!(
        count_titled(&app, &token, "Porte du local vélos cassée").await,
        1
    );

    // The same key with another body is refused, and creates nothing.
    let (status, err, _) =
        post_with_key(&app, &token, &path, "round-7-a", &report("Autre chose")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(err["error"].as_str().unwrap_or("").contains("clé"), "{err}");
    assert_eq!(count_titled(&app, &token, "Autre chose").await, 0);

    // Keys are per person: the manager's key of the same name is his own.
    let manager = app.token(MANAGER).await;
    let (status, other, replayed) = post_with_key(&app, &manager, &path, "round-7-a", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{other}");
    assert!(!replayed);
    assert_ne!(other["id"], created["id"]);

    // A malformed key is a clear 400.
    let (status, _, _) = post_with_key(&app, &token, &path, "", &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_refused_request_lets_its_key_serve_the_corrected_retry() {
    let app = spawn_app().await;
    let token = app.token(OWNER).await;
    let path = format!("/api/v1/buildings/{}/reports", app.tilleuls);
    let (status, err, _) = post_with_key(&app, &token, &path, "k-fix", &report("")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    // The corrected body runs for real under the same key (nothing was created before).
    let (status, created, replayed) =
        post_with_key(&app, &token, &path, "k-fix", &report("Interphone muet")).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert!(!replayed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_retries_create_one_report_and_share_its_answer() {
    let app = spawn_app().await;
    let token = app.token(OWNER).await;
    let path = format!("/api/v1/buildings/{}/reports", app.tilleuls);
    let body = report("Lumière du parking");
    let mut tries = Vec::new();
    for _ in 0..6 {
        tries.push(post_with_key(&app, &token, &path, "double-tap", &body));
    }
    let answers = join_all(tries).await;
    let ids: Vec<&Value> = answers.iter().map(|(_, v, _)| &v["id"]).collect();
    for (status, v, _) in &answers {
        assert_eq!(*status, StatusCode::CREATED, "{v}");
    }
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert_eq!(count_titled(&app, &token, "Lumière du parking").await, 1);
}

/// The report form carries a fresh key: the same page submitted twice (a double tap, a
/// resubmission after a lost answer) creates one report, whatever multipart boundary the
/// browser picks each time.
#[tokio::test]
async fn the_report_form_submitted_twice_creates_one_report() {
    let app = spawn_app().await;
    let browser = app.browser(Some(OWNER)).await;
    let (status, page) = browser
        .get_text(&format!(
            "/buildings/{}/reports/new?category=electricite&title=Ampoule+grill%C3%A9e",
            app.tilleuls
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let action = page
        .split("id=\"report-form\"")
        .next()
        .and_then(|before| before.rsplit("action=\"").next())
        .and_then(|a| a.split('"').next())
        .expect("the report form's action")
        .replace("&amp;", "&");
    assert!(action.contains("idempotency_key="), "{action}");
    let mut locations = Vec::new();
    for _ in 0..2 {
        let form = Form::new()
            .text("category", "electricite")
            .text("title", "Ampoule grillée au 3e")
            .text("description", "Palier du 3e dans le noir")
            .text("location_part", "Escalier B")
            .text("location_floor", "3");
        let resp = browser
            .client
            .post(format!("{}{action}", app.address))
            .multipart(form)
            .send()
            .await
            .expect("post");
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        locations.push(location(&resp));
    }
    assert_eq!(locations[0], locations[1]);
    let token = app.token(OWNER).await;
    assert_eq!(count_titled(&app, &token, "Ampoule grillée au 3e").await, 1);
}
