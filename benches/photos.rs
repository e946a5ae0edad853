//! Memory of concurrent worst-case photo uploads, run with
//! `cargo bench --bench photos` (add `--profile dev` to skip the release build).
//!
//! Serves the app in-process, then sends 20 uploads at once of the costliest image the
//! server accepts (a small file that decodes to about the whole decode budget), each to
//! its own report. Samples the process's resident memory every few milliseconds and
//! prints the peak above the idle figure measured just before. The goal: under 300 MiB.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use palier::app::Application;
use palier::clock::Clock;
use palier::config::Config;
#[path = "../tests/fixtures/images.rs"]
#[allow(dead_code)]
mod fixtures;

use fixtures::{noisy_jpeg, small_png, uniform_webp};
use serde_json::{Value, json};

const UPLOADS: usize = 20;
const GOAL_MIB: f64 = 300.0;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse().ok())
        })
        .unwrap_or(0)
}

/// A uniform RGBA PNG: a few hundred kilobytes for tens of megapixels.
fn uniform_png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(w, h, image::Rgba([90, 160, 30, 200]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

/// A uniform baseline JPEG of `w`×`h` (about 50 MP for a phone-sized photo).
fn uniform_jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(w, h, image::Rgb([120, 110, 100]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .expect("jpeg");
    out
}

#[tokio::main]
async fn main() {
    palier::storage::install_tls_provider();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config {
        mail_retention_days: 30,
        data_dir: dir.path().to_path_buf(),
        database_url: format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        ),
        base_url: String::new(),
        smtp_url: None,
        mail_from: "Palier <bench@palier.test>".into(),
        smtp_rate: 0.0,
        secure_cookies: false,
        session_days: 30,
        worker_poll_ms: 1000,
        run_worker: false,
        trusted_proxies: Vec::new(),
        metrics_token: None,
        storage_url: None,
        s3: Default::default(),
        reply_address: None,
        imap_url: None,
    };
    let app = Application::build(config, Clock::system(), "127.0.0.1:0")
        .await
        .expect("app");
    let base = format!("http://{}", app.address());
    let state = app.state();
    palier::demo::seed(&state).await.expect("seed");
    tokio::spawn(app.run_until(std::future::pending()));
    let client = reqwest::Client::new();

    let login: Value = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"email": palier::demo::MANAGER.0, "password": palier::demo::PASSWORD}))
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
    let mut reports = Vec::new();
    for i in 0..UPLOADS {
        let report: Value = client
            .post(format!("{base}/api/v1/buildings/{building}/reports"))
            .bearer_auth(&token)
            .json(&json!({"category": "plomberie", "title": format!("Fuite {i}")}))
            .send()
            .await
            .expect("report")
            .json()
            .await
            .expect("json");
        reports.push(report["id"].as_str().expect("report id").to_string());
    }

    // Candidates near the limits; the costliest accepted one is the worst case.
    let candidates = [
        ("JPEG 8160×6120 (50 MP, baseline)", uniform_jpeg(8160, 6120)),
        ("PNG RGBA 7000×7000 (49 MP)", uniform_png(7000, 7000)),
        ("lossless WebP 5300×5300 (28 MP)", uniform_webp(5300, 5300)),
        (
            "PNG 4000×3000 (resized through a float buffer)",
            uniform_png(4000, 3000),
        ),
        ("noisy JPEG 3000×2000", noisy_jpeg(3000, 2000)),
    ];
    let mut worst: Option<(&str, Vec<u8>, u64)> = None;
    for (name, bytes) in candidates {
        match palier::photos::inspect(&bytes) {
            Ok(i) => {
                println!(
                    "{name}: {} KiB file, estimated cost {} MiB",
                    bytes.len() / 1024,
                    i.cost / (1024 * 1024)
                );
                if worst.as_ref().is_none_or(|w| i.cost > w.2) {
                    worst = Some((name, bytes, i.cost));
                }
            }
            Err(e) => println!("{name}: refused ({e})"),
        }
    }
    let refused = palier::photos::inspect(&uniform_webp(7000, 7000));
    println!("lossless WebP 7000×7000 (49 MP): {refused:?}");
    let (name, worst, _) = worst.expect("one candidate accepted");
    let worst = Arc::new(worst);

    // Warm up: one small upload so the decoder code and threads exist before "idle".
    let warm = upload(&client, &base, &token, &reports[0], small_png(64, 64)).await;
    assert_eq!(warm, 201);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle = rss_kib();

    let peak = Arc::new(AtomicU64::new(idle));
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, stop) = (peak.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let started = Instant::now();
    let mut tasks = Vec::new();
    for report in reports.iter().take(UPLOADS) {
        let (client, base, token, report, worst) = (
            client.clone(),
            base.clone(),
            token.clone(),
            report.clone(),
            worst.clone(),
        );
        tasks.push(tokio::spawn(async move {
            upload(&client, &base, &token, &report, worst.to_vec()).await
        }));
    }
    let mut statuses = std::collections::BTreeMap::new();
    for t in tasks {
        *statuses.entry(t.await.expect("task")).or_insert(0) += 1;
    }
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    let above = (peak.load(Ordering::Relaxed).saturating_sub(idle)) as f64 / 1024.0;
    println!(
        "{UPLOADS} concurrent uploads of {name} ({} KiB): statuses {statuses:?} in {:.1} s",
        worst.len() / 1024,
        elapsed.as_secs_f64()
    );
    println!(
        "idle RSS {:.0} MiB, peak {:.0} MiB: {above:.0} MiB above idle (goal < {GOAL_MIB} MiB)",
        idle as f64 / 1024.0,
        peak.load(Ordering::Relaxed) as f64 / 1024.0
    );
    if above >= GOAL_MIB {
        eprintln!("over the goal");
        std::process::exit(1);
    }
}

async fn upload(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    report: &str,
    bytes: Vec<u8>,
) -> u16 {
    let form = reqwest::multipart::Form::new().part(
        "photo",
        reqwest::multipart::Part::bytes(bytes).file_name("photo.jpg"),
    );
    client
        .post(format!("{base}/api/v1/reports/{report}/photos"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}
