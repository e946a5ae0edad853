//! `palier backup` under write load and `palier restore` (issue 13 item 4).

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::json;
use sqlx::{Connection, Row};
use tokio::sync::Mutex;

use crate::fixtures::small_png;
use crate::helpers::*;
use crate::photos::upload;
use crate::reports::create_report;

fn palier(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_palier"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run palier");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn report(n: usize) -> serde_json::Value {
    json!({"category": "plomberie", "location": "Hall", "title": format!("Sauvegarde {n}"),
           "description": "écrit pendant la sauvegarde", "urgent": false})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_load_restores_everything_acknowledged() {
    let app = spawn_app().await;
    let token = app.token(OWNER).await;
    let archive_dir = tempfile::tempdir().expect("dir");
    let archive = archive_dir.path().join("palier-backup.tar");
    let archive_arg = archive.to_str().expect("path").to_string();

    if app.state.config.database_url.starts_with("postgres") {
        // PostgreSQL is backed up with pg_dump: the command says so instead of half-working.
        let (ok, out) = palier(&[
            "backup",
            "--database-url",
            &app.state.config.database_url,
            "--to",
            &archive_arg,
        ]);
        assert!(!ok && out.contains("pg_dump"), "{out}");
        assert!(!archive.exists());
        return;
    }

    let mut acknowledged = Vec::new();
    for n in 0..20 {
        acknowledged
            .push(create_report(&app, &token, &app.tilleuls, report(n)).await["id"].clone());
    }
    let first = acknowledged[0].as_str().expect("id").to_string();
    let (status, photo) = upload(&app, &token, &first, "hall.png", small_png(320, 240)).await;
    assert_eq!(status.as_u16(), 201, "{photo}");

    // Writers keep creating reports during the whole backup.
    let stop = Arc::new(AtomicBool::new(false));
    let during = Arc::new(Mutex::new(0usize));
    let writer = {
        let (stop, during) = (stop.clone(), during.clone());
        let (client, url, token) = (
            app.client.clone(),
            app.url(&format!("/api/v1/buildings/{}/reports", app.tilleuls)),
            token.clone(),
        );
        tokio::spawn(async move {
            let mut n = 100;
            while !stop.load(Ordering::Relaxed) {
                let ok = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&report(n))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().as_u16() == 201);
                if ok {
                    *during.lock().await += 1;
                }
                n += 1;
            }
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let data_dir = app.data_dir.path().to_str().expect("path").to_string();
    let (ok, out) = {
        let (d, a) = (data_dir.clone(), archive_arg.clone());
        tokio::task::spawn_blocking(move || palier(&["backup", "--data-dir", &d, "--to", &a]))
            .await
            .expect("backup")
    };
    stop.store(true, Ordering::Relaxed);
    writer.await.expect("writer");
    assert!(ok, "{out}");
    assert!(*during.lock().await > 0, "the backup ran under write load");

    let restored = tempfile::tempdir().expect("dir");
    let target = restored.path().join("data");
    let target_arg = target.to_str().expect("path").to_string();
    let (ok, out) = palier(&["restore", "--data-dir", &target_arg, "--from", &archive_arg]);
    assert!(ok && out.contains("integrity ok"), "{out}");

    let mut db = sqlx::SqliteConnection::connect(&format!(
        "sqlite://{}",
        target.join("palier.db").display()
    ))
    .await
    .expect("open restored database");
    let check: String = sqlx::query("PRAGMA integrity_check")
        .fetch_one(&mut db)
        .await
        .expect("integrity_check")
        .get(0);
    assert_eq!(check, "ok");
    for id in &acknowledged {
        let found: i64 = sqlx::query("SELECT COUNT(*) FROM reports WHERE id = ?")
            .bind(id.as_str().expect("id"))
            .fetch_one(&mut db)
            .await
            .expect("count")
            .get(0);
        assert_eq!(
            found, 1,
            "report {id} acknowledged before the backup is restored"
        );
    }
    let key: String = sqlx::query("SELECT object_key FROM photos WHERE report_id = ?")
        .bind(&first)
        .fetch_one(&mut db)
        .await
        .expect("photo row")
        .get(0);
    assert!(
        target.join("files").join(&key).is_file(),
        "the photo's file {key} is restored with its row"
    );

    // Restoring over a data directory that holds a database is refused.
    let (ok, out) = palier(&["restore", "--data-dir", &target_arg, "--from", &archive_arg]);
    assert!(!ok && out.contains("empty data directory"), "{out}");
}
