//! What an operator watches: health, readiness and the Prometheus metrics.

use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    let health = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("get");
    assert_eq!(health.status(), StatusCode::OK);
    let (status, ready) = app.get_json("/readyz", None).await;
    assert_eq!(status, StatusCode::OK, "{ready}");
    assert_eq!(ready["database"], "ok");
    assert_eq!(ready["storage"], "ok");
}

/// Parses an OpenMetrics exposition with the reference Python parser (Debian's
/// python3-prometheus-client) and returns {family: {"type", "samples": [{name, labels, value}]}}.
fn parse_openmetrics(text: &str) -> Value {
    const SCRIPT: &str = r#"
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
out = {}
for f in text_string_to_metric_families(sys.stdin.read()):
    out[f.name] = {"type": f.type, "samples": [
        {"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]}
print(json.dumps(out))
"#;
    let mut child = Command::new("/usr/bin/python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("parser");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("No module named"),
        "the metrics test needs python3-prometheus-client: apt-get install -y python3-prometheus-client (or run ./test.sh)"
    );
    assert!(
        out.status.success(),
        "the exposition does not parse: {stderr}\n{text}"
    );
    serde_json::from_slice(&out.stdout).expect("parser output")
}

#[tokio::test]
async fn metrics_need_the_token_and_parse_as_openmetrics() {
    let app = spawn_app().await;
    let token = app.token(MANAGER).await;
    let (status, _) = app
        .get_json(
            &format!("/api/v1/buildings/{}/reports", app.tilleuls),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // A job due next year waits in the queue whatever the worker does meanwhile.
    let next_year = app.state.clock.now_ms() + 365 * 86_400_000;
    palier::db::jobs::enqueue(
        &app.state.db.pool,
        "queue-probe",
        "{}",
        next_year,
        app.state.clock.now_ms(),
    )
    .await
    .expect("enqueue");

    let anonymous = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("get");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let wrong = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("not-the-token")
        .send()
        .await
        .expect("scrape");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let scrape = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .expect("scrape");
    assert_eq!(scrape.status(), StatusCode::OK);
    let text = scrape.text().await.expect("body");
    let families = parse_openmetrics(&text);

    let requests = &families["palier_http_requests"];
    assert_eq!(requests["type"], "counter");
    let listed = requests["samples"]
        .as_array()
        .expect("samples")
        .iter()
        .any(|s| {
            s["labels"]["route"] == "/api/v1/buildings/{id}/reports"
                && s["labels"]["status"] == "200"
                && s["labels"]["method"] == "GET"
                && s["value"].as_f64().unwrap_or(0.0) >= 1.0
        });
    assert!(
        listed,
        "the list request is counted by its route template:\n{text}"
    );
    assert!(
        !text.contains(&app.tilleuls),
        "raw paths (with identifiers) must not become labels"
    );
    assert_eq!(
        families["palier_http_request_duration_seconds"]["type"],
        "histogram"
    );
    for (family, kind) in [
        ("palier_emails_sent", "counter"),
        ("palier_emails_failed", "counter"),
        ("palier_db_pool_connections", "gauge"),
        ("palier_build", "info"),
        ("palier_job_queue_depth", "gauge"),
    ] {
        assert_eq!(families[family]["type"], kind, "{family} in:\n{text}");
    }
    let waiting = families["palier_job_queue_depth"]["samples"]
        .as_array()
        .expect("depth samples")
        .iter()
        .any(|s| s["labels"]["kind"] == "queue-probe" && s["value"] == 1.0);
    assert!(waiting, "the queued job is counted by kind:\n{text}");
    let pool = families["palier_db_pool_connections"]["samples"]
        .as_array()
        .expect("pool samples");
    assert!(
        pool.iter().any(|s| s["labels"]["state"] == "idle"),
        "{text}"
    );
}
