//! Several instances (SPEC §5): two `palier serve --no-worker` and two `palier worker`
//! processes on one database (PostgreSQL when `TEST_DATABASE_URL` says so, else one SQLite
//! file) and one S3 bucket, each with its own data directory: nothing is shared but the
//! database and the bucket.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Connection;

use crate::fixtures::small_png;
use crate::helpers::{MANAGER, PASSWORD, TENANT, eventually};
use crate::s3::S3Server;

const BUCKET: &str = "palier-shared";

struct Process {
    child: Child,
    name: &'static str,
}

impl Process {
    fn sigterm(&self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "kill -TERM {}", self.name);
    }

    /// Waits for the exit after SIGTERM; true when it exited by itself and cleanly.
    fn exited_cleanly(&mut self, within: Duration) -> bool {
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Cluster {
    database_url: String,
    s3: S3Server,
    dirs: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl Cluster {
    fn start(&self, name: &'static str, args: &[&str]) -> Process {
        let data_dir = self.data_dir(name);
        let child = Command::new(env!("CARGO_BIN_EXE_palier"))
            .args(args)
            .env("PALIER_DATA_DIR", &data_dir)
            .env("DATABASE_URL", &self.database_url)
            .env("PALIER_STORAGE_URL", format!("s3://{BUCKET}/files"))
            .env("AWS_ENDPOINT_URL", &self.s3.endpoint)
            .env("AWS_REGION", "eu-west-3")
            .env("AWS_ACCESS_KEY_ID", "palier-test")
            .env("AWS_SECRET_ACCESS_KEY", "palier-test-secret")
            .env("PALIER_SMTP_RATE", "0")
            .env("PALIER_BASE_URL", "http://palier.test")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start palier");
        Process { child, name }
    }

    fn data_dir(&self, name: &str) -> PathBuf {
        self.dirs.path().join(name)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            crate::helpers::drop_postgres(admin, name);
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

async fn wait_healthy(base: &str) {
    let client = reqwest::Client::new();
    for _ in 0..600 {
        if let Ok(resp) = client.get(format!("{base}/readyz")).send().await
            && resp.status() == StatusCode::OK
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{base} did not become ready");
}

async fn token(client: &reqwest::Client, base: &str, email: &str) -> String {
    let body: Value = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    body["token"].as_str().expect("token").to_string()
}

fn eml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            eml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "eml") {
            out.push(path);
        }
    }
}

fn message_id(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("eml");
    text.lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("message-id")
                .then(|| value.trim().to_string())
        })
        .unwrap_or_else(|| panic!("no Message-ID in {}", path.display()))
}

async fn count(database_url: &str, sql: &str) -> i64 {
    let mut conn = sqlx::AnyConnection::connect(database_url)
        .await
        .expect("connect");
    let n: i64 = sqlx::query_scalar(sql)
        .fetch_one(&mut conn)
        .await
        .expect("count");
    n
}

#[tokio::test]
async fn two_instances_and_two_workers_share_one_database_and_one_bucket() {
    sqlx::any::install_default_drivers();
    let s3 = S3Server::start().await;
    s3.create_bucket(BUCKET).await;
    let dirs = tempfile::tempdir().expect("dirs");
    let (database_url, pg) = match std::env::var("TEST_DATABASE_URL") {
        Ok(admin) if admin.starts_with("postgres") => {
            let (url, name) = crate::helpers::fresh_postgres(&admin).await;
            (url, Some((admin, name)))
        }
        _ => (
            format!(
                "sqlite://{}?mode=rwc",
                dirs.path().join("shared.db").display()
            ),
            None,
        ),
    };
    let cluster = Cluster {
        database_url,
        s3,
        dirs,
        pg,
    };

    // Instance A seeds the demo; B starts once the schema is there.
    let (port_a, port_b) = (free_port(), free_port());
    let (a, b) = (
        format!("http://127.0.0.1:{port_a}"),
        format!("http://127.0.0.1:{port_b}"),
    );
    let _web_a = cluster.start(
        "web-a",
        &[
            "demo",
            "--no-worker",
            "--listen",
            &format!("127.0.0.1:{port_a}"),
        ],
    );
    wait_healthy(&a).await;
    let _web_b = cluster.start(
        "web-b",
        &[
            "serve",
            "--no-worker",
            "--listen",
            &format!("127.0.0.1:{port_b}"),
        ],
    );
    wait_healthy(&b).await;

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let tenant = token(&client, &a, TENANT).await;
    let buildings: Value = client
        .get(format!("{b}/api/v1/buildings"))
        .bearer_auth(&tenant)
        .send()
        .await
        .expect("buildings")
        .json()
        .await
        .expect("json");
    let building = buildings[0]["id"].as_str().expect("a building").to_string();

    // A photo uploaded through A is served by B.
    let report: Value = client
        .post(format!("{a}/api/v1/buildings/{building}/reports"))
        .bearer_auth(&tenant)
        .json(&json!({"category": "plomberie", "title": "Fuite au local poubelles"}))
        .send()
        .await
        .expect("report")
        .json()
        .await
        .expect("json");
    let report_id = report["id"].as_str().expect("report id").to_string();
    let form = reqwest::multipart::Form::new().part(
        "photo",
        reqwest::multipart::Part::bytes(small_png(80, 60))
            .file_name("fuite.png")
            .mime_str("image/png")
            .expect("mime"),
    );
    let uploaded = client
        .post(format!("{a}/api/v1/reports/{report_id}/photos"))
        .bearer_auth(&tenant)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let uploaded: Value = uploaded.json().await.expect("json");
    let url = uploaded["photos"][0]["url"]
        .as_str()
        .expect("url")
        .to_string();
    let served = client
        .get(format!("{b}{url}"))
        .bearer_auth(&tenant)
        .send()
        .await
        .expect("photo from B");
    assert_eq!(served.status(), StatusCode::OK);
    assert!(
        served
            .bytes()
            .await
            .expect("bytes")
            .starts_with(&[0xFF, 0xD8])
    );

    // A session opened on A is valid on B (sessions live in the database).
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("browser");
    let login_page = browser
        .get(format!("{a}/login"))
        .send()
        .await
        .expect("login page")
        .text()
        .await
        .expect("html");
    let csrf = login_page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf token in the login form")
        .to_string();
    let logged = browser
        .post(format!("{a}/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", MANAGER),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(logged.status(), StatusCode::SEE_OTHER);
    let cookie = logged
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.split(';').next().filter(|c| c.contains('=')))
        .expect("a session cookie")
        .to_string();
    let on_b = client
        .get(format!("{b}/buildings"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("page on B");
    assert_eq!(
        on_b.status(),
        StatusCode::OK,
        "the session from A is valid on B"
    );

    // 200 events through both instances, with both workers running; one worker is
    // stopped (SIGTERM) while e-mails are being sent.
    let mut worker_1 = cluster.start("worker-1", &["worker"]);
    let _worker_2 = cluster.start("worker-2", &["worker"]);
    let creates = (0..200).map(|i| {
        let (client, tenant, building) = (client.clone(), tenant.clone(), building.clone());
        let base = if i % 2 == 0 { a.clone() } else { b.clone() };
        async move {
            client
                .post(format!("{base}/api/v1/buildings/{building}/reports"))
                .bearer_auth(&tenant)
                .json(&json!({"category": "autre", "title": format!("Signalement numéro {i}")}))
                .send()
                .await
                .map(|r| r.status())
        }
    });
    let started = std::time::Instant::now();
    let mut statuses = Vec::new();
    for create in creates {
        statuses.push(create.await);
        if statuses.len() == 100 {
            worker_1.sigterm();
        }
    }
    assert!(
        statuses
            .iter()
            .all(|s| matches!(s, Ok(s) if *s == StatusCode::CREATED)),
        "every report accepted: {statuses:?}"
    );
    assert!(
        worker_1.exited_cleanly(Duration::from_secs(20)),
        "the worker finishes its job and exits 0 on SIGTERM"
    );

    let url = cluster.database_url.clone();
    eventually("every event dispatched and every e-mail sent", || {
        let url = url.clone();
        async move {
            count(
                &url,
                "SELECT COUNT(*) FROM events WHERE dispatched_at IS NULL",
            )
            .await
                == 0
                && count(
                    &url,
                    "SELECT COUNT(*) FROM jobs WHERE kind = 'email' AND status <> 'done'",
                )
                .await
                    == 0
        }
    })
    .await;
    let sent = count(
        &cluster.database_url,
        "SELECT COUNT(*) FROM jobs WHERE kind = 'email' AND status = 'done'",
    )
    .await;
    // A figure for docs/performance.md, not a timed assertion.
    eprintln!(
        "200 reports created and {sent} e-mails sent by two workers in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    assert!(sent >= 200, "the 200 reports made e-mails ({sent})");
    let mut files = Vec::new();
    for worker in ["worker-1", "worker-2"] {
        eml_files(&cluster.data_dir(worker).join("mail"), &mut files);
    }
    let ids: HashSet<String> = files.iter().map(|f| message_id(f)).collect();
    assert_eq!(ids.len(), files.len(), "no e-mail written twice");
    assert_eq!(
        files.len() as i64,
        sent,
        "each queued e-mail went out exactly once"
    );
}
