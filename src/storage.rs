//! Blob storage for uploaded files, behind `object_store`.
//!
//! The app only sees [`FileStore`]: a local folder by default, an S3-compatible
//! bucket when `--storage-url s3://bucket/prefix` says so; callers and keys are
//! the same for both.

use bytes::Bytes;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};
use std::path::Path;
use std::sync::Arc;

/// Longest accepted key; S3 allows 1024 bytes, filesystems ~4096.
const MAX_KEY_LEN: usize = 1024;

/// Makes ring the process's TLS provider: reqwest (the S3 client) is built without one,
/// as lettre already links ring and aws-lc-rs would add a C build. Call it before
/// building any HTTP client; calling it again is harmless.
pub fn install_tls_provider() {
    // An error only means a provider was installed first, which is as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Connection settings of an S3-compatible bucket (flags with `AWS_*` twins).
#[derive(Debug, Clone, Default)]
pub struct S3Options {
    /// `https://s3.fr-par.scw.cloud`, `http://minio:9000`…; `None`: Amazon's own.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
}

/// Cheap to clone: clones share the same backend.
#[derive(Debug, Clone)]
pub struct FileStore {
    inner: Arc<dyn ObjectStore>,
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("file not found")]
    NotFound,
    #[error("invalid storage key")]
    BadKey,
    /// The backend did not answer or failed (disk error, bucket unreachable).
    #[error("storage backend error: {0}")]
    Backend(String),
}

impl FileStore {
    /// Stores files under `root` (created if missing), one file per key.
    pub fn local(root: &Path) -> Result<FileStore, StorageError> {
        std::fs::create_dir_all(root)
            .map_err(|e| StorageError::Backend(format!("{}: {e}", root.display())))?;
        let fs = LocalFileSystem::new_with_prefix(root)
            .map_err(backend)?
            // Otherwise every deleted report leaves an empty folder behind.
            .with_automatic_cleanup(true);
        Ok(FileStore::new(Arc::new(fs)))
    }

    /// The store a `--storage-url` names: `s3://bucket[/prefix]` for an S3-compatible
    /// bucket, or a folder (`file:///srv/palier/files` or a plain path).
    pub fn from_url(url: &str, s3: &S3Options) -> Result<FileStore, StorageError> {
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            return FileStore::s3(bucket, prefix.trim_matches('/'), s3);
        }
        let path = url.strip_prefix("file://").unwrap_or(url);
        if path.is_empty() || (url.contains("://") && !url.starts_with("file://")) {
            return Err(StorageError::Backend(format!(
                "unsupported storage URL {url:?}: use s3://bucket/prefix or a folder path"
            )));
        }
        FileStore::local(Path::new(path))
    }

    fn s3(bucket: &str, prefix: &str, options: &S3Options) -> Result<FileStore, StorageError> {
        use object_store::aws::AmazonS3Builder;
        use object_store::{BackoffConfig, ClientOptions, RetryConfig};
        use std::time::Duration;
        if bucket.is_empty() {
            return Err(StorageError::Backend("s3:// URL without a bucket".into()));
        }
        install_tls_provider();
        // Anything not given here (session tokens, web identity, container credentials)
        // still comes from the `AWS_*` variables.
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .with_region(&options.region);
        if let Some(endpoint) = &options.endpoint {
            // A self-hosted server (MinIO, Garage, Ceph, moto) answers on its own host,
            // with the bucket in the path, often over plain HTTP on a private network.
            builder = builder
                .with_endpoint(endpoint)
                .with_virtual_hosted_style_request(false);
        }
        if let (Some(id), Some(secret)) = (&options.access_key_id, &options.secret_access_key) {
            builder = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret);
        }
        // A request waiting on a storage outage must fail in seconds (503 to the
        // client), not after object_store's default three minutes of retries.
        let retry = RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(1),
                base: 2.0,
            },
            max_retries: 2,
            retry_timeout: Duration::from_secs(10),
        };
        let plain_http = options
            .endpoint
            .as_deref()
            .is_some_and(|e| e.starts_with("http://"));
        let client = ClientOptions::new()
            .with_allow_http(plain_http)
            .with_connect_timeout(Duration::from_secs(2))
            .with_timeout(Duration::from_secs(60));
        let s3 = builder
            .with_retry(retry)
            .with_client_options(client)
            .build()
            .map_err(backend)?;
        if prefix.is_empty() {
            return Ok(FileStore::new(Arc::new(s3)));
        }
        let prefix = parse_key(prefix)?;
        Ok(FileStore::new(Arc::new(
            object_store::prefix::PrefixStore::new(s3, prefix),
        )))
    }

    /// Volatile store, for tests.
    pub fn in_memory() -> FileStore {
        FileStore::new(Arc::new(InMemory::new()))
    }

    /// Wraps any `object_store` backend (the hook for S3-compatible storage).
    pub fn new(inner: Arc<dyn ObjectStore>) -> FileStore {
        FileStore { inner }
    }

    /// Writes `bytes` at `key`, replacing any previous content atomically.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StorageError> {
        let path = parse_key(key)?;
        self.inner.put(&path, bytes.into()).await.map_err(backend)?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<Bytes, StorageError> {
        let path = parse_key(key)?;
        let result = self.inner.get(&path).await.map_err(backend)?;
        result.bytes().await.map_err(backend)
    }

    /// Removes `key`. Removing a missing key succeeds, so retries are safe.
    /// Whether the store answers: a probe of a key nobody writes ("not found" is an answer).
    pub async fn ping(&self) -> bool {
        let probe = ObjectPath::from("readyz-probe");
        match self.inner.head(&probe).await {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => true,
            Err(_) => false,
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let path = parse_key(key)?;
        match self.inner.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(backend(e)),
        }
    }
}

fn backend(e: object_store::Error) -> StorageError {
    match e {
        object_store::Error::NotFound { .. } => StorageError::NotFound,
        other => StorageError::Backend(other.to_string()),
    }
}

/// Keys are relative, `/`-separated paths built by the app (e.g.
/// `photos/<report-id>/<photo-id>.jpg`). Besides the traversal-shaped keys
/// (`..`, `\`, leading `/`), anything outside a portable character set is
/// refused: `object_store::path::Path::parse` alone would silently strip a
/// leading `/` and accept characters that some backends escape differently.
fn parse_key(key: &str) -> Result<ObjectPath, StorageError> {
    let portable = |segment: &str| {
        !segment.is_empty()
            && segment != "."
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    if key.is_empty()
        || key.len() > MAX_KEY_LEN
        || key.starts_with('/')
        || key.contains("..")
        || key.contains('\\')
        || !key.split('/').all(portable)
    {
        return Err(StorageError::BadKey);
    }
    ObjectPath::parse(key).map_err(|_| StorageError::BadKey)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "photos/0192-report/0193-photo.jpg";

    #[tokio::test]
    async fn local_round_trip_writes_under_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("uploads"); // does not exist yet
        let store = FileStore::local(&root).unwrap();

        store
            .put(KEY, Bytes::from_static(b"jpeg bytes"))
            .await
            .unwrap();
        let on_disk = root
            .join("photos")
            .join("0192-report")
            .join("0193-photo.jpg");
        assert_eq!(std::fs::read(&on_disk).unwrap(), b"jpeg bytes");
        assert_eq!(
            store.get(KEY).await.unwrap(),
            Bytes::from_static(b"jpeg bytes")
        );

        // Overwrite, through a clone: same backend.
        let clone = store.clone();
        clone.put(KEY, Bytes::from_static(b"v2")).await.unwrap();
        assert_eq!(store.get(KEY).await.unwrap(), Bytes::from_static(b"v2"));

        store.delete(KEY).await.unwrap();
        assert!(!on_disk.exists());
        // Empty folders are cleaned up, but never the root itself.
        assert!(!root.join("photos").exists());
        assert!(root.is_dir());
        assert!(matches!(store.get(KEY).await, Err(StorageError::NotFound)));
        // Idempotent.
        store.delete(KEY).await.unwrap();
    }

    #[tokio::test]
    async fn missing_key_is_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let local = FileStore::local(dir.path()).unwrap();
        for store in [local, FileStore::in_memory()] {
            let err = store.get("photos/nope.jpg").await.unwrap_err();
            assert!(matches!(err, StorageError::NotFound), "{err:?}");
        }
    }

    #[tokio::test]
    async fn in_memory_round_trip() {
        let store = FileStore::in_memory();
        store.put(KEY, Bytes::from_static(b"x")).await.unwrap();
        assert_eq!(store.get(KEY).await.unwrap(), Bytes::from_static(b"x"));
        store.delete(KEY).await.unwrap();
        assert!(matches!(store.get(KEY).await, Err(StorageError::NotFound)));
    }

    #[tokio::test]
    async fn bad_keys_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::local(dir.path()).unwrap();
        let bad = [
            "",
            "/etc/passwd",
            "../secret",
            "photos/../../secret",
            "photos/..",
            "..",
            "photos\\..\\x.jpg",
            "photos\\x.jpg",
            "photos//x.jpg",
            "photos/./x.jpg",
            "photos/",
            "photos/x y.jpg",
            "photos/x%2F.jpg",
            "photos/é.jpg",
        ];
        for key in bad {
            let put = store.put(key, Bytes::from_static(b"x")).await;
            assert!(
                matches!(put, Err(StorageError::BadKey)),
                "put {key:?}: {put:?}"
            );
            assert!(
                matches!(store.get(key).await, Err(StorageError::BadKey)),
                "{key:?}"
            );
            assert!(
                matches!(store.delete(key).await, Err(StorageError::BadKey)),
                "{key:?}"
            );
        }
        let long = format!("photos/{}.jpg", "a".repeat(MAX_KEY_LEN));
        assert!(matches!(store.get(&long).await, Err(StorageError::BadKey)));
        // Nothing escaped the root.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
