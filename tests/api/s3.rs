//! Files in an S3-compatible bucket (`--storage-url s3://…`), against a real S3 server:
//! moto's standalone server from PyPI (`./test.sh` installs it in `target/s3-venv`).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use palier::storage::{FileStore, S3Options, StorageError};
use reqwest::StatusCode;
use serde_json::json;

use crate::fixtures::small_png;
use crate::helpers::*;
use crate::photos::upload;
use crate::reports::create_report;

/// A moto S3 server on a free port, killed when dropped.
pub struct S3Server {
    child: Child,
    pub endpoint: String,
}

/// moto's server: `PALIER_TEST_MOTO`, then `target/s3-venv`, then `PATH`.
pub fn moto_binary() -> String {
    if let Ok(path) = std::env::var("PALIER_TEST_MOTO") {
        return path;
    }
    let venv = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/target/s3-venv/bin/moto_server"
    );
    if std::path::Path::new(venv).exists() {
        return venv.to_string();
    }
    "moto_server".to_string()
}

impl S3Server {
    pub async fn start() -> S3Server {
        palier::storage::install_tls_provider();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new(moto_binary())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start moto's S3 server ({e}): run ./test.sh, or \
                     python3 -m venv target/s3-venv && target/s3-venv/bin/pip install 'moto[server]'"
                )
            });
        let server = S3Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if client.get(&server.endpoint).send().await.is_ok() {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("moto's S3 server did not answer on {}", server.endpoint);
    }

    pub async fn create_bucket(&self, bucket: &str) {
        let resp = reqwest::Client::new()
            .put(format!("{}/{bucket}", self.endpoint))
            .send()
            .await
            .expect("create bucket");
        assert!(resp.status().is_success(), "bucket: {}", resp.status());
    }

    /// Keys in the bucket, read with the S3 API itself (ListObjectsV2).
    pub async fn keys(&self, bucket: &str) -> Vec<String> {
        let xml = reqwest::Client::new()
            .get(format!("{}/{bucket}?list-type=2", self.endpoint))
            .send()
            .await
            .expect("list")
            .text()
            .await
            .expect("xml");
        xml.split("<Key>")
            .skip(1)
            .filter_map(|s| s.split_once("</Key>").map(|(k, _)| k.to_string()))
            .collect()
    }

    pub fn options(&self) -> S3Options {
        S3Options {
            endpoint: Some(self.endpoint.clone()),
            region: "eu-west-3".into(),
            access_key_id: Some("palier-test".into()),
            secret_access_key: Some("palier-test-secret".into()),
        }
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test]
async fn the_file_store_round_trips_through_a_bucket_under_its_prefix() {
    let s3 = S3Server::start().await;
    s3.create_bucket("palier-store").await;
    let store = FileStore::from_url("s3://palier-store/site-a", &s3.options()).expect("store");
    let key = "photos/r1/p1.jpg";

    store
        .put(key, bytes::Bytes::from_static(b"jpeg bytes"))
        .await
        .expect("put");
    assert_eq!(
        s3.keys("palier-store").await,
        vec!["site-a/photos/r1/p1.jpg"]
    );
    assert_eq!(store.get(key).await.expect("get").as_ref(), b"jpeg bytes");
    assert!(matches!(
        store.get("photos/r1/missing.jpg").await,
        Err(StorageError::NotFound)
    ));
    assert!(store.ping().await, "a reachable bucket is ready");

    store.delete(key).await.expect("delete");
    assert!(s3.keys("palier-store").await.is_empty());
    store.delete(key).await.expect("deleting twice is fine");
    assert!(matches!(store.get(key).await, Err(StorageError::NotFound)));

    // A bucket that does not exist is a backend error, not "not found".
    let nowhere = FileStore::from_url("s3://no-such-bucket", &s3.options()).expect("store");
    assert!(
        nowhere
            .put(key, bytes::Bytes::from_static(b"x"))
            .await
            .is_err()
    );
    assert!(FileStore::from_url("ftp://example.org/x", &s3.options()).is_err());
}

#[tokio::test]
async fn photos_go_to_the_bucket_and_an_outage_is_a_503_that_loses_no_report() {
    let mut s3 = S3Server::start().await;
    s3.create_bucket("palier-photos").await;
    let app = spawn_app_s3("s3://palier-photos/prod".into(), s3.options()).await;
    let tenant = app.token(TENANT).await;
    let report = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite sous l'évier du local vélos"}),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_string();

    let (status, created) = upload(&app, &tenant, &report, "fuite.png", small_png(64, 48)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let keys = s3.keys("palier-photos").await;
    assert_eq!(keys.len(), 2, "the photo and its thumbnail: {keys:?}");
    assert!(
        keys.iter()
            .all(|k| k.starts_with(&format!("prod/photos/{report}/")))
    );
    assert!(
        !app.data_dir.path().join("files").exists(),
        "nothing written to the local disk"
    );
    let url = created["photos"][0]["url"]
        .as_str()
        .expect("url")
        .to_string();
    for path in [url.clone(), format!("{url}/thumb")] {
        let resp = app
            .client
            .get(app.url(&path))
            .bearer_auth(&tenant)
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let body = resp.bytes().await.expect("bytes");
        assert!(body.starts_with(&[0xFF, 0xD8]), "a JPEG from the bucket");
    }
    let (status, _) = app.get_json("/readyz", None).await;
    assert_eq!(status, StatusCode::OK);

    // An object gone from the bucket is a 404, not a server error.
    let photo_key = keys
        .iter()
        .find(|k| !k.ends_with("_thumb.jpg"))
        .expect("key");
    FileStore::from_url("s3://palier-photos", &s3.options())
        .expect("store")
        .delete(photo_key)
        .await
        .expect("delete from the bucket");
    let resp = app
        .client
        .get(app.url(&url))
        .bearer_auth(&tenant)
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);

    // The storage server goes down.
    s3.stop();
    let (status, body) = upload(&app, &tenant, &report, "encore.png", small_png(64, 48)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        body["error"].as_str().unwrap_or("").contains("stockage"),
        "a clear message: {body}"
    );
    let resp = app
        .client
        .get(app.url(&format!("{url}/thumb")))
        .bearer_auth(&tenant)
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(resp.headers().contains_key("retry-after"));
    let (status, _) = app.get_json("/readyz", None).await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "not ready without storage"
    );

    // The report and its recorded photo are untouched; nothing half-written was added.
    let (status, read) = app
        .get_json(&format!("/api/v1/reports/{report}"), Some(&tenant))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["title"], "Fuite sous l'évier du local vélos");
    assert_eq!(read["photo_count"], 1, "the failed upload recorded nothing");
    // And a new report without photos is still accepted while the bucket is down.
    let created = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "electricite", "title": "Minuterie du hall en panne"}),
    )
    .await;
    assert!(created["id"].is_string(), "{created}");
}
