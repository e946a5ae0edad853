//! Configuration: command-line flags, each with an environment-variable twin.

use std::path::PathBuf;

#[derive(clap::Args, Clone, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "PALIER_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Do not run the job worker in this process (run `palier worker` separately).
    #[arg(long, env = "PALIER_NO_WORKER")]
    pub no_worker: bool,
}

#[derive(clap::Args, Clone, Debug)]
pub struct CommonArgs {
    /// Folder for the SQLite database, uploaded files and written e-mails.
    #[arg(
        long,
        global = true,
        env = "PALIER_DATA_DIR",
        default_value = "./palier-data"
    )]
    pub data_dir: PathBuf,
    /// Database URL: `postgres://…` for PostgreSQL; default a SQLite file in the data dir.
    #[arg(long, global = true, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Public address used in links sent by e-mail (default: http://<bound address>).
    #[arg(long, global = true, env = "PALIER_BASE_URL")]
    pub base_url: Option<String>,
    /// SMTP relay, e.g. `smtp://localhost:25`; without it e-mails are written as .eml files
    /// under `<data-dir>/mail/`.
    #[arg(long, global = true, env = "PALIER_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Most e-mails sent per second by one worker (0: no limit); relays throttle bursts.
    #[arg(long, global = true, env = "PALIER_SMTP_RATE", default_value_t = 20.0)]
    pub smtp_rate: f64,
    /// Days a sent e-mail keeps its full text in the job queue; past them only a summary
    /// (recipient, subject, attachment names) is kept. 0 keeps the full text for good.
    #[arg(
        long,
        global = true,
        env = "PALIER_MAIL_RETENTION_DAYS",
        default_value_t = 30
    )]
    pub mail_retention_days: u32,
    /// Addresses of reverse proxies whose `X-Forwarded-For` is believed (comma-separated);
    /// other peers' headers are ignored, so nobody can pose as another client address.
    #[arg(
        long,
        global = true,
        env = "PALIER_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Bearer token that `GET /metrics` requires; without it the route answers 404.
    #[arg(
        long,
        global = true,
        env = "PALIER_METRICS_TOKEN",
        hide_env_values = true
    )]
    pub metrics_token: Option<String>,
    /// Where uploaded files go: `s3://bucket/prefix` for an S3-compatible bucket, or a
    /// folder; default `<data-dir>/files`. Several instances must share one bucket.
    #[arg(long, global = true, env = "PALIER_STORAGE_URL")]
    pub storage_url: Option<String>,
    /// Endpoint of an S3-compatible server other than Amazon's (`http://minio:9000`).
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL")]
    pub s3_endpoint: Option<String>,
    #[arg(long, global = true, env = "AWS_REGION", default_value = "us-east-1")]
    pub s3_region: String,
    #[arg(long, global = true, env = "AWS_ACCESS_KEY_ID")]
    pub s3_access_key_id: Option<String>,
    #[arg(
        long,
        global = true,
        env = "AWS_SECRET_ACCESS_KEY",
        hide_env_values = true
    )]
    pub s3_secret_access_key: Option<String>,
    /// Address that answers go to, e.g. `reponse@palier.example.fr`: notification e-mails
    /// then carry a `Reply-To` of `reponse+<token>@…` and replies become comments (N6).
    /// Without it e-mails say that replies are not read.
    #[arg(long, global = true, env = "PALIER_REPLY_ADDRESS")]
    pub reply_address: Option<String>,
    /// Mailbox of answers the worker polls (IDLE when offered), e.g.
    /// `imaps://reponse%40palier.example.fr:password@mail.example.fr/INBOX`; each message is
    /// handled as by `palier mail receive`, then moved to `Processed` or `Rejected`.
    #[arg(long, global = true, env = "PALIER_IMAP_URL", hide_env_values = true)]
    pub imap_url: Option<String>,
    /// Sender of the e-mails.
    #[arg(
        long,
        env = "PALIER_MAIL_FROM",
        default_value = "Palier <no-reply@palier.invalid>"
    )]
    pub mail_from: String,
}

/// Resolved configuration shared by the application.
#[derive(Clone, Debug)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub base_url: String,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// E-mails per second per worker; 0 means unlimited.
    pub smtp_rate: f64,
    /// Secure cookies when served over HTTPS.
    pub secure_cookies: bool,
    pub session_days: i64,
    pub worker_poll_ms: u64,
    pub run_worker: bool,
    /// Days sent e-mails keep their full text (0: for good).
    pub mail_retention_days: i64,
    /// Reverse proxies whose `X-Forwarded-For` names the client address.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Token that `/metrics` requires (the route is hidden when `None`).
    pub metrics_token: Option<String>,
    /// `s3://bucket/prefix` or a folder; `None`: `<data-dir>/files`.
    pub storage_url: Option<String>,
    pub s3: crate::storage::S3Options,
    /// Base reply address (`local@domain`, no `+`) for answers by e-mail (N6).
    pub reply_address: Option<String>,
    /// Mailbox of answers polled by the worker (N6).
    pub imap_url: Option<String>,
}

impl Config {
    pub fn from_args(common: &CommonArgs, run_worker: bool) -> Config {
        let database_url = common.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                common.data_dir.join("palier.db").display()
            )
        });
        let base_url = common
            .base_url
            .clone()
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_string();
        Config {
            data_dir: common.data_dir.clone(),
            database_url,
            secure_cookies: base_url.starts_with("https://"),
            base_url,
            smtp_url: common.smtp_url.clone(),
            mail_from: common.mail_from.clone(),
            smtp_rate: common.smtp_rate.max(0.0),
            session_days: 30,
            worker_poll_ms: 1000,
            run_worker,
            mail_retention_days: i64::from(common.mail_retention_days),
            trusted_proxies: common.trusted_proxies.clone(),
            metrics_token: common.metrics_token.clone().filter(|t| !t.is_empty()),
            reply_address: common
                .reply_address
                .as_deref()
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_ascii_lowercase),
            imap_url: common.imap_url.clone().filter(|u| !u.is_empty()),
            storage_url: common.storage_url.clone().filter(|u| !u.is_empty()),
            s3: crate::storage::S3Options {
                endpoint: common.s3_endpoint.clone().filter(|e| !e.is_empty()),
                region: common.s3_region.clone(),
                access_key_id: common.s3_access_key_id.clone(),
                secret_access_key: common.s3_secret_access_key.clone(),
            },
        }
    }

    /// The file store this configuration names.
    pub fn file_store(&self) -> Result<crate::storage::FileStore, crate::storage::StorageError> {
        match &self.storage_url {
            Some(url) => crate::storage::FileStore::from_url(url, &self.s3),
            None => crate::storage::FileStore::local(&self.data_dir.join("files")),
        }
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }
}
