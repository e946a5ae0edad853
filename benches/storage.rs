//! Report creation with a photo, files on the local disk versus an S3-compatible bucket:
//! `cargo bench --bench storage`. The bucket is moto's server (installed by ./test.sh in
//! `target/s3-venv`), or any server named by `PALIER_BENCH_S3_ENDPOINT` (bucket
//! `palier-bench`, credentials from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`).
//! Prints the median and p90 of one report + one phone photo (1600×1200 JPEG), one client.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use palier::app::Application;
use palier::clock::Clock;
use palier::config::Config;
use palier::storage::S3Options;
#[path = "../tests/fixtures/images.rs"]
#[allow(dead_code)]
mod fixtures;

use serde_json::{Value, json};

const REPORTS: usize = 100;

struct Moto(Child);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn bucket() -> (String, Option<Moto>) {
    if let Ok(endpoint) = std::env::var("PALIER_BENCH_S3_ENDPOINT") {
        return (endpoint, None);
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let moto = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/target/s3-venv/bin/moto_server"
    );
    let mut child = Command::new(moto)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server (run ./test.sh once to install it)");
    let endpoint = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client
            .put(format!("{endpoint}/palier-bench"))
            .send()
            .await
            .is_ok()
        {
            return (endpoint, Some(Moto(child)));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("moto did not start");
}

async fn run(label: &str, storage: Option<(String, S3Options)>, photo: &[u8]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        database_url: format!("sqlite://{}?mode=rwc", dir.path().join("b.db").display()),
        base_url: String::new(),
        smtp_url: None,
        mail_from: "Palier <no-reply@palier.test>".into(),
        smtp_rate: 0.0,
        secure_cookies: false,
        session_days: 30,
        worker_poll_ms: 1000,
        run_worker: false,
        mail_retention_days: 30,
        trusted_proxies: Vec::new(),
        metrics_token: None,
        storage_url: storage.as_ref().map(|(u, _)| u.clone()),
        s3: storage.map(|(_, o)| o).unwrap_or_default(),
        reply_address: None,
        imap_url: None,
    };
    let app = Application::build(config, Clock::system(), "127.0.0.1:0")
        .await
        .expect("app");
    let base = format!("http://{}", app.address());
    palier::demo::seed(&app.state()).await.expect("seed");
    tokio::spawn(app.run_until(std::future::pending()));
    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"email": "locataire@demo.palier.test", "password": palier::demo::PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("token");
    let token = login["token"].as_str().expect("token").to_string();
    let buildings: Value = client
        .get(format!("{base}/api/v1/buildings"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("buildings")
        .json()
        .await
        .expect("json");
    let building = buildings[0]["id"].as_str().expect("building").to_string();

    let mut times = Vec::with_capacity(REPORTS);
    for i in 0..REPORTS {
        let started = Instant::now();
        let report: Value = client
            .post(format!("{base}/api/v1/buildings/{building}/reports"))
            .bearer_auth(&token)
            .json(&json!({"category": "autre", "title": format!("Vitre fêlée {i}")}))
            .send()
            .await
            .expect("report")
            .json()
            .await
            .expect("json");
        let id = report["id"].as_str().expect("id");
        let form = reqwest::multipart::Form::new().part(
            "photo",
            reqwest::multipart::Part::bytes(photo.to_vec())
                .file_name("photo.jpg")
                .mime_str("image/jpeg")
                .expect("mime"),
        );
        let status = client
            .post(format!("{base}/api/v1/reports/{id}/photos"))
            .bearer_auth(&token)
            .multipart(form)
            .send()
            .await
            .expect("upload")
            .status();
        assert_eq!(status, 201, "upload");
        times.push(started.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label:<12} {REPORTS} reports with a photo: median {:.1} ms, p90 {:.1} ms",
        ms(times[REPORTS / 2]),
        ms(times[REPORTS * 9 / 10])
    );
}

#[tokio::main]
async fn main() {
    palier::storage::install_tls_provider();
    let photo = fixtures::noisy_jpeg(1600, 1200);
    println!("photo: {} KiB", photo.len() / 1024);
    run("local disk", None, &photo).await;
    let (endpoint, _moto) = bucket().await;
    let options = S3Options {
        endpoint: Some(endpoint),
        region: "us-east-1".into(),
        access_key_id: Some(std::env::var("AWS_ACCESS_KEY_ID").unwrap_or("bench".into())),
        secret_access_key: Some(std::env::var("AWS_SECRET_ACCESS_KEY").unwrap_or("bench".into())),
    };
    run(
        "S3 (bucket)",
        Some(("s3://palier-bench/run".into(), options)),
        &photo,
    )
    .await;
}
