//! Notification throughput, run with `cargo bench --bench notifications` (SQLite by
//! default; set BENCH_DATABASE_URL=postgres://… for PostgreSQL).
//!
//! 1. 10,000 events as the web layer records them (2,500 reports created by an occupant,
//!    each answered three times by the manager): events dispatched per second, in the
//!    worker's batches.
//! 2. One update to 10,000 followers: time to dispatch the event into notifications and
//!    queued e-mails.
//! 3. The 08:00 digests of 100,000 people: time to prepare (render and queue) them all,
//!    claimed in the worker's batches.
//!
//! Set EVENTS, FOLLOWERS or DIGEST_PEOPLE to change the sizes.
//!
//! Prints times and the process's peak memory (VmHWM).

use std::time::Instant;

use palier::app::{self, AppState};
use palier::clock::Clock;
use palier::config::Config;
use palier::db::new_id;

fn size(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

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

/// Inserts `count` occupants of `building` as multi-row inserts; returns their ids.
async fn bulk_people(state: &AppState, building: &str, count: usize, prefix: &str) -> Vec<String> {
    let ids: Vec<String> = (0..count).map(|_| new_id()).collect();
    let now = state.clock.now_ms();
    for chunk in ids.chunks(100) {
        let mut tx = state.db.begin().await.expect("tx");
        let rows = |per: usize| {
            (0..chunk.len())
                .map(|i| {
                    let b = i * per;
                    format!(
                        "({})",
                        (1..=per)
                            .map(|k| format!("${}", b + k))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let text = format!(
            "INSERT INTO people (id, name, email, password_hash, created_at) VALUES {}",
            rows(5)
        );
        let mut q = sqlx::query(&text);
        for id in chunk {
            q = q
                .bind(id)
                .bind(format!("{prefix} {id}"))
                .bind(format!("{prefix}.{id}@bench.test"))
                .bind("x")
                .bind(now);
        }
        q.execute(&mut *tx).await.expect("people");
        let text = format!(
            "INSERT INTO memberships (id, person_id, building_id, role, occupancy, created_at) VALUES {}",
            rows(6)
        );
        let mut q = sqlx::query(&text);
        for id in chunk {
            q = q
                .bind(new_id())
                .bind(id)
                .bind(building)
                .bind("occupant")
                .bind("owner")
                .bind(now);
        }
        q.execute(&mut *tx).await.expect("memberships");
        tx.commit().await.expect("commit");
    }
    ids
}

async fn dispatch_all(state: &AppState) -> usize {
    let mut total = 0;
    loop {
        let n =
            palier::domain::notifications::dispatch_pending(state, palier::jobs::DISPATCH_BATCH)
                .await
                .expect("dispatch");
        if n == 0 {
            return total;
        }
        total += n;
    }
}

async fn count(state: &AppState, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&state.db.pool)
        .await
        .expect("count")
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
        .expect("list")
        .into_iter()
        .find(|(b, _)| b.name == palier::demo::TILLEULS)
        .expect("building")
        .0
        .id
        .clone();
    let tenant = palier::db::people::by_email(&state.db.pool, "locataire@demo.palier.test")
        .await
        .expect("q")
        .expect("tenant");
    let tenant = palier::domain::accounts::actor_by_id(&state, &tenant.id)
        .await
        .expect("q")
        .expect("actor");
    dispatch_all(&state).await;

    // 1. Events as the web layer records them.
    let events = size("EVENTS", 10_000);
    let started = Instant::now();
    for i in 0..events.div_ceil(4) {
        let draft = palier::domain::reports::ReportDraft {
            category: "plomberie".into(),
            title: format!("Fuite numéro {i}"),
            ..Default::default()
        };
        let report = palier::domain::reports::write::create(&state, &tenant, &building, draft)
            .await
            .expect("report");
        for k in 0..3 {
            palier::domain::reports::write::comment(
                &state,
                &actor,
                &report,
                &format!("Réponse {k} : le plombier passe demain."),
                palier::domain::reports::Audience::All,
            )
            .await
            .expect("comment");
        }
    }
    let recorded = started.elapsed();
    let pending = count(
        &state,
        "SELECT COUNT(*) FROM events WHERE dispatched_at IS NULL",
    )
    .await;
    let (notifications_before, jobs_before) = (
        count(&state, "SELECT COUNT(*) FROM notifications").await,
        count(&state, "SELECT COUNT(*) FROM jobs").await,
    );
    let started = Instant::now();
    let handled = dispatch_all(&state).await;
    let dispatched = started.elapsed();
    let notifications =
        count(&state, "SELECT COUNT(*) FROM notifications").await - notifications_before;
    let jobs = count(&state, "SELECT COUNT(*) FROM jobs").await - jobs_before;
    println!(
        "recorded {pending} events in {:.2?} ({:.0} per second through the domain services)",
        recorded,
        pending as f64 / recorded.as_secs_f64()
    );
    println!(
        "dispatched {handled} events in {:.2?}: {:.0} events per second, batches of {} ({notifications} notifications, {jobs} jobs)",
        dispatched,
        handled as f64 / dispatched.as_secs_f64(),
        palier::jobs::DISPATCH_BATCH
    );

    // 2. One update to 10,000 followers.
    let started = Instant::now();
    let followers_count = size("FOLLOWERS", 10_000);
    let followers = bulk_people(&state, &building, followers_count, "Voisin").await;
    let seeded = started.elapsed();
    let draft = palier::domain::reports::ReportDraft {
        category: "ascenseur".into(),
        title: "Ascenseur arrêté pour travaux".into(),
        ..Default::default()
    };
    let report = palier::domain::reports::write::create(&state, &actor, &building, draft)
        .await
        .expect("report");
    dispatch_all(&state).await;
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
    dispatch_all(&state).await;
    let queued_before = count(&state, "SELECT COUNT(*) FROM jobs WHERE kind = 'email'").await;
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
    dispatch_all(&state).await;
    let dispatch = started.elapsed();
    let queued =
        count(&state, "SELECT COUNT(*) FROM jobs WHERE kind = 'email'").await - queued_before;
    println!("seeded {followers_count} occupants in {:.2?}", seeded);
    println!(
        "dispatch of one update to {followers_count} followers: {:.2?} ({queued} e-mails queued)",
        dispatch
    );

    // 3. Digests of 100,000 people, one pending line each, due now.
    let digest_people = size("DIGEST_PEOPLE", 100_000);
    let people = bulk_people(&state, &building, digest_people, "Lecteur").await;
    let event: String =
        sqlx::query_scalar("SELECT id FROM events WHERE kind = 'comment_added' AND report_id = $1")
            .bind(&report)
            .fetch_one(&state.db.pool)
            .await
            .expect("event");
    let until = now + palier::clock::DAY_MS;
    for chunk in people.chunks(100) {
        let mut tx = state.db.begin().await.expect("tx");
        let values = |per: usize| {
            (0..chunk.len())
                .map(|i| {
                    format!(
                        "({})",
                        (1..=per)
                            .map(|k| format!("${}", i * per + k))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let text = format!(
            "INSERT INTO notifications (id, person_id, event_id, building_id, report_id, kind, delivery, created_at) VALUES {}",
            values(8)
        );
        let mut q = sqlx::query(&text);
        for p in chunk {
            q = q
                .bind(new_id())
                .bind(p)
                .bind(&event)
                .bind(&building)
                .bind(&report)
                .bind("comment_added")
                .bind("digest")
                .bind(now);
        }
        q.execute(&mut *tx).await.expect("notifications");
        let text = format!(
            "INSERT INTO jobs (id, kind, payload, run_at, created_at, dedup_key) VALUES {}",
            values(6)
        );
        let mut q = sqlx::query(&text);
        for p in chunk {
            q = q
                .bind(new_id())
                .bind("digest")
                .bind(serde_json::json!({ "person_id": p, "until": until }).to_string())
                .bind(now - 1)
                .bind(now)
                .bind(format!("digest:{p}:{until}"));
        }
        q.execute(&mut *tx).await.expect("digest jobs");
        tx.commit().await.expect("commit");
    }
    let mails_before = count(&state, "SELECT COUNT(*) FROM jobs WHERE kind = 'email'").await;
    let started = Instant::now();
    loop {
        let n = palier::jobs::run_digests(&state, "bench", palier::jobs::DIGEST_BATCH)
            .await
            .expect("digests");
        if n == 0 {
            break;
        }
    }
    let digests = started.elapsed();
    let mails =
        count(&state, "SELECT COUNT(*) FROM jobs WHERE kind = 'email'").await - mails_before;
    println!(
        "digests of {digest_people} people prepared in {:.2?} ({:.0} per second, batches of {}; {mails} e-mails queued)",
        digests,
        digest_people as f64 / digests.as_secs_f64(),
        palier::jobs::DIGEST_BATCH
    );
    println!("peak memory (VmHWM): {:.1} MiB", peak_memory_mib());
}
