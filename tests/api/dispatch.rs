//! The dispatcher in batches (issue 17 item 3): a batch of events yields exactly the
//! notifications and jobs expected, person by person; several dispatchers at once, and
//! dispatches cut short at any point, lose and duplicate nothing.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::reports::create_report;

/// Reports recorded per test; the first is urgent.
const REPORTS: usize = 12;

/// What one person got: notifications sent at once, notifications kept for the digest,
/// e-mails queued to them, digest jobs queued for them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Got {
    immediate: i64,
    digest: i64,
    emails: i64,
    digest_jobs: i64,
}

async fn tally(app: &TestApp) -> BTreeMap<String, Got> {
    let pool = &app.state.db.pool;
    let mut out: BTreeMap<String, Got> = BTreeMap::new();
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT p.email, n.delivery, COUNT(*) FROM notifications n JOIN people p ON p.id = n.person_id \
         GROUP BY p.email, n.delivery",
    )
    .fetch_all(pool)
    .await
    .expect("notifications");
    for (email, delivery, n) in rows {
        let got = out.entry(email).or_default();
        match delivery.as_str() {
            "immediate" => got.immediate = n,
            _ => got.digest = n,
        }
    }
    let jobs: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, payload FROM jobs WHERE kind IN ('email', 'digest')")
            .fetch_all(pool)
            .await
            .expect("jobs");
    for (kind, payload) in jobs {
        let payload: Value = serde_json::from_str(&payload).expect("payload");
        if kind == "email" {
            let to = payload["to"].as_str().expect("to").to_string();
            out.entry(to).or_default().emails += 1;
        } else {
            let person = payload["person_id"].as_str().expect("person");
            let email: String = sqlx::query_scalar("SELECT email FROM people WHERE id = $1")
                .bind(person)
                .fetch_one(pool)
                .await
                .expect("person");
            out.entry(email).or_default().digest_jobs += 1;
        }
    }
    out
}

/// What each person gained between two tallies (people who gained nothing left out).
fn gained(before: &BTreeMap<String, Got>, after: &BTreeMap<String, Got>) -> BTreeMap<String, Got> {
    after
        .iter()
        .filter_map(|(who, a)| {
            let b = before.get(who).copied().unwrap_or_default();
            let d = Got {
                immediate: a.immediate - b.immediate,
                digest: a.digest - b.digest,
                emails: a.emails - b.emails,
                digest_jobs: a.digest_jobs - b.digest_jobs,
            };
            (d != Got::default()).then(|| (who.clone(), d))
        })
        .collect()
}

async fn pending(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE dispatched_at IS NULL")
        .fetch_one(&app.state.db.pool)
        .await
        .expect("pending")
}

async fn dispatch_all(app: &TestApp, limit: i64) -> usize {
    let mut total = 0;
    loop {
        match palier::domain::notifications::dispatch_pending(&app.state, limit)
            .await
            .expect("dispatch")
        {
            0 => return total,
            n => total += n,
        }
    }
}

/// The caretaker reads digests; the tenant files `REPORTS` reports (the first urgent),
/// the manager answers each to everyone and to the council. Returns the tally before
/// (the demo's own events dispatched first).
async fn record(app: &TestApp) -> BTreeMap<String, Got> {
    let caretaker = app.token(CARETAKER).await;
    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/me/notification-settings",
            Some(&caretaker),
            &json!({"mode": "digest", "categories": ["plomberie", "ascenseur"]}),
        )
        .await;
    assert!(status.is_success(), "{status}");
    let (tenant, manager) = (app.token(TENANT).await, app.token(MANAGER).await);
    dispatch_all(app, 1000).await;
    let before = tally(app).await;
    for i in 0..REPORTS {
        let body = if i == 0 {
            json!({"category": "ascenseur", "title": "Personne bloquée dans l'ascenseur", "urgent": true})
        } else {
            json!({"category": "plomberie", "title": format!("Fuite numéro {i}")})
        };
        let report = create_report(app, &tenant, &app.tilleuls, body).await;
        let id = report["id"].as_str().expect("id");
        for audience in ["all", "council"] {
            let (status, _) = app
                .post_json(
                    &format!("/api/v1/reports/{id}/comments"),
                    Some(&manager),
                    &json!({"body": "Le plombier passe demain.", "audience": audience}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED);
        }
    }
    before
}

/// Per person, what `REPORTS` reports (one urgent) and their two answers must yield.
fn expected() -> BTreeMap<String, Got> {
    let r = REPORTS as i64;
    let at_once = |n: i64| Got {
        immediate: n,
        emails: n,
        ..Got::default()
    };
    BTreeMap::from([
        // New reports reach staff at once; the urgent one by its `urgent_report` only.
        (MANAGER.to_string(), at_once(r)),
        (REFERENT.to_string(), at_once(r)),
        // A digest reader: the urgent report at once, the others in one digest job.
        (
            CARETAKER.to_string(),
            Got {
                immediate: 1,
                digest: r - 1,
                emails: 1,
                digest_jobs: 1,
            },
        ),
        // The author hears the answers to everyone, not those to the council.
        (TENANT.to_string(), at_once(r)),
        // The agency's on-call contact: one e-mail for the urgent report, no account.
        (
            palier::demo::ON_CALL.to_string(),
            Got {
                emails: 1,
                ..Got::default()
            },
        ),
    ])
}

#[tokio::test]
async fn a_batch_of_events_yields_exactly_the_expected_notifications_and_jobs() {
    let app = spawn_app_without_worker().await;
    let before = record(&app).await;
    let events = pending(&app).await;
    // A report creation records at least one event, each answer one.
    assert!(events >= 3 * REPORTS as i64, "{events} events");
    let handled = palier::domain::notifications::dispatch_pending(&app.state, 1000)
        .await
        .expect("dispatch");
    assert_eq!(handled as i64, events, "one batch takes them all");
    assert_eq!(pending(&app).await, 0);
    assert_eq!(gained(&before, &tally(&app).await), expected());
    // Nothing is left to do twice.
    assert_eq!(dispatch_all(&app, 1000).await, 0);
}

#[tokio::test]
async fn concurrent_and_interrupted_dispatchers_lose_and_duplicate_nothing() {
    let app = spawn_app_without_worker().await;
    let before = record(&app).await;
    let events = pending(&app).await;
    // Dispatches cut short at every stage: each either commits its batch or leaves its
    // events pending (its transaction rolls back).
    for micros in (0..4_000).step_by(250) {
        let _ = tokio::time::timeout(
            Duration::from_micros(micros),
            palier::domain::notifications::dispatch_pending(&app.state, 5),
        )
        .await;
    }
    // Then three workers at once, in small batches.
    let handled: usize = join_all((0..3).map(|_| dispatch_all(&app, 4)))
        .await
        .into_iter()
        .sum();
    assert!(handled as i64 <= events);
    assert_eq!(pending(&app).await, 0);
    assert_eq!(gained(&before, &tally(&app).await), expected());
}
