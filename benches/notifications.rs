//! Notification throughput, run with `cargo bench --bench notifications` (SQLite by
//! default; set BENCH_DATABASE_URL=postgres://… for PostgreSQL).
//!
//! 1. One update to 10,000 followers: time to dispatch the event into notifications and
//!    queued e-mails.
//! 2. The 08:00 digests of 100,000 people: time to prepare (render and queue) them all.
//!
//! Prints times and the process's peak memory (VmHWM).

use std::time::Instant;

use palier::app::{self, AppState};
use palier::clock::Clock;
use palier::config::Config;
use palier::db::new_id;

const FOLLOWERS: usize = 10_000;
const DIGEST_PEOPLE: usize = 100_000;

fn peak_memory_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.to_string())
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Inserts `count` occupants of `building` in batches; returns their ids.
async fn bulk_people(state: &AppState, building: &str, count: usize, prefix: &str) -> Vec<String> {
    let ids: Vec<String> = (0..count).map(|_| new_id()).collect();
    let now = state.clock.now_ms();
    for chunk in ids.chunks(400) {
        let mut tx = state.db.begin().await.expect("tx");
        for id in chunk {
            sqlx::query("INSERT INTO people (id, name, email, password_hash, created_at) VALUES ($1, $2, $3, 'x', $4)")
                .bind(id)
                .bind(format!("{prefix} {id}"))
                .bind(format!("{prefix}.{id}@bench.test"))
                .bind(now)
                .execute(&mut *tx)
                .await
                .expect("person");
            sqlx::query("INSERT INTO memberships (id, person_id, building_id, role, occupancy, created_at) VALUES ($1, $2, $3, 'occupant', 'owner', $4)")
                .bind(new_id())
                .bind(id)
                .bind(building)
                .bind(now)
                .execute(&mut *tx)
                .await
                .expect("membership");
        }
        tx.commit().await.expect("commit");
    }
    ids
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        )
    });
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        database_url,
        base_url: "https://palier.example".into(),
        smtp_url: None,
        mail_from: "Palier <bench@palier.test>".into(),
        smtp_rate: 0.0,
        secure_cookies: true,
        session_days: 30,
        worker_poll_ms: 1000,
        run_worker: false,
        mail_retention_days: 30,
        trusted_proxies: Vec::new(),
        metrics_token: None,
        storage_url: None,
        s3: Default::default(),
        reply_address: None,
        imap_url: None,
    };
    let state = app::state(config, Clock::system()).await.expect("state");
    palier::demo::seed(&state).await.expect("seed");
    let manager = palier::db::people::by_email(&state.db.pool, "gestionnaire@demo.palier.test")
        .await
        .expect("q")
        .expect("manager");
    let actor = palier::domain::accounts::actor_by_id(&state, &manager.id)
        .await
        .expect("q")
        .expect("actor");
    let building = palier::domain::buildings::list_for(&state, &actor)
        .await
        .expect("list")[1]
        .0
        .id
        .clone();

    // 1. One update to 10,000 followers.
    let started = Instant::now();
    let followers = bulk_people(&state, &building, FOLLOWERS, "Voisin").await;
    let seeded = started.elapsed();
    let draft = palier::domain::reports::ReportDraft {
        category: "ascenseur".into(),
        title: "Ascenseur arrêté pour travaux".into(),
        ..Default::default()
    };
    let report = palier::domain::reports::write::create(&state, &actor, &building, draft)
        .await
        .expect("report");
    palier::domain::notifications::dispatch_pending(&state, 1000)
        .await
        .expect("dispatch creation");
    let now = state.clock.now_ms();
    for chunk in followers.chunks(500) {
        let mut tx = state.db.begin().await.expect("tx");
        for p in chunk {
            palier::db::reports::follow(&mut *tx, &report, p, now)
                .await
                .expect("follow");
        }
        tx.commit().await.expect("commit");
    }
    palier::domain::notifications::dispatch_pending(&state, 1000)
        .await
        .expect("dispatch creation");
    palier::domain::reports::write::comment(
        &state,
        &actor,
        &report,
        "Les travaux durent deux jours.",
        palier::domain::reports::Audience::All,
    )
    .await
    .expect("comment");
    let started = Instant::now();
    palier::domain::notifications::dispatch_pending(&state, 1000)
        .await
        .expect("dispatch");
    let dispatch = started.elapsed();
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'email'")
        .fetch_one(&state.db.pool)
        .await
        .expect("count");
    println!("seeded {FOLLOWERS} occupants in {:.2?}", seeded);
    println!(
        "dispatch of one update to {FOLLOWERS} followers: {:.2?} ({queued} notifications and e-mails queued)",
        dispatch
    );

    // 2. Digests of 100,000 people, one pending line each.
    let people = bulk_people(&state, &building, DIGEST_PEOPLE, "Lecteur").await;
    let event: String = sqlx::query_scalar("SELECT id FROM events WHERE kind = 'comment_added'")
        .fetch_one(&state.db.pool)
        .await
        .expect("event");
    let until = now + palier::clock::DAY_MS;
    for chunk in people.chunks(500) {
        let mut tx = state.db.begin().await.expect("tx");
        for p in chunk {
            sqlx::query(
                "INSERT INTO notifications (id, person_id, event_id, building_id, report_id, kind, delivery, created_at) \
                 VALUES ($1, $2, $3, $4, $5, 'comment_added', 'digest', $6)",
            )
            .bind(new_id())
            .bind(p)
            .bind(&event)
            .bind(&building)
            .bind(&report)
            .bind(now)
            .execute(&mut *tx)
            .await
            .expect("notification");
        }
        tx.commit().await.expect("commit");
    }
    let started = Instant::now();
    for p in &people {
        let payload = serde_json::json!({ "person_id": p, "until": until }).to_string();
        palier::domain::notifications::run_digest(&state, &payload)
            .await
            .expect("digest");
    }
    let digests = started.elapsed();
    println!(
        "digests of {DIGEST_PEOPLE} people prepared in {:.2?} ({:.0} per second)",
        digests,
        DIGEST_PEOPLE as f64 / digests.as_secs_f64()
    );
    println!("peak memory (VmHWM): {:.1} MiB", peak_memory_mib());
}
