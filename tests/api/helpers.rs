//! `spawn_app()`: the real application on port 0 with a fresh database (SQLite by default,
//! PostgreSQL when `TEST_DATABASE_URL` points at a server), seeded with the demo accounts.

use std::path::PathBuf;
use std::time::Duration;

use palier::app::{AppState, Application};
use palier::clock::Clock;
use palier::config::Config;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Connection;

/// What `/metrics` asks of scrapers in the test app.
pub const METRICS_TOKEN: &str = "test-metrics-token";
pub const PASSWORD: &str = palier::demo::PASSWORD;
pub const MANAGER: &str = "gestionnaire@demo.palier.test";
pub const REFERENT: &str = "referent@demo.palier.test";
pub const CARETAKER: &str = "gardien@demo.palier.test";
pub const OWNER: &str = "occupant@demo.palier.test";
pub const TENANT: &str = "locataire@demo.palier.test";
pub const LANDLORD: &str = "bailleur@demo.palier.test";
pub const NEIGHBOUR: &str = "voisin@demo.palier.test";
/// Manager of another agency, created by `spawn_app`.
pub const OTHER_MANAGER: &str = "autre.gestionnaire@example.test";

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub client: reqwest::Client,
    pub data_dir: tempfile::TempDir,
    pub tilleuls: String,
    pub vignes: String,
    pub other_building: String,
    pg_database: Option<(String, String)>,
}

/// Creates a uniquely named PostgreSQL database next to the one in `admin_url`.
pub async fn fresh_postgres(admin_url: &str) -> (String, String) {
    let name = format!("palier_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("connect to TEST_DATABASE_URL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    (format!("{base}/{name}"), name)
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Clock::system()).await
}

pub async fn spawn_app_with(clock: Clock) -> TestApp {
    spawn_app_custom(clock, None).await
}

/// With a pinned clock and/or a real SMTP server instead of `.eml` files.
pub async fn spawn_app_custom(clock: Clock, smtp_url: Option<String>) -> TestApp {
    spawn_app_at(clock, smtp_url, String::new()).await
}

/// With a public base URL (e.g. `https://…`, as behind a TLS proxy).
pub async fn spawn_app_at(clock: Clock, smtp_url: Option<String>, base_url: String) -> TestApp {
    spawn_app_full(clock, smtp_url, base_url, None, None, true).await
}

/// With files in an S3-compatible bucket (`s3://bucket/prefix`) instead of the data dir.
pub async fn spawn_app_s3(storage_url: String, s3: palier::storage::S3Options) -> TestApp {
    spawn_app_full(
        Clock::system(),
        None,
        String::new(),
        None,
        Some((storage_url, s3)),
        true,
    )
    .await
}

/// The reply address of [`spawn_app_replying`].
pub const REPLY_ADDRESS: &str = "reponse@palier.test";

/// With a reply address (N6): e-mails carry `reponse+<token>@palier.test`.
pub async fn spawn_app_replying() -> TestApp {
    spawn_app_replying_at(
        Clock::system(),
        None,
        String::new(),
        Some(REPLY_ADDRESS.into()),
    )
    .await
}

pub async fn spawn_app_replying_at(
    clock: Clock,
    smtp_url: Option<String>,
    base_url: String,
    reply_address: Option<String>,
) -> TestApp {
    spawn_app_full(clock, smtp_url, base_url, reply_address, None, true).await
}

/// Without the background worker: the test runs the dispatcher and jobs itself.
pub async fn spawn_app_without_worker() -> TestApp {
    spawn_app_full(Clock::system(), None, String::new(), None, None, false).await
}

async fn spawn_app_full(
    clock: Clock,
    smtp_url: Option<String>,
    base_url: String,
    reply_address: Option<String>,
    storage: Option<(String, palier::storage::S3Options)>,
    run_worker: bool,
) -> TestApp {
    palier::storage::install_tls_provider();
    if std::env::var("TEST_LOG").is_ok() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("palier=debug")
            .try_init();
    }
    let data_dir = tempfile::tempdir().expect("temp dir");
    let (database_url, pg_database) = match std::env::var("TEST_DATABASE_URL") {
        Ok(admin) if admin.starts_with("postgres") => {
            let (url, name) = fresh_postgres(&admin).await;
            (url, Some((admin, name)))
        }
        _ => (
            format!(
                "sqlite://{}?mode=rwc",
                data_dir.path().join("palier.db").display()
            ),
            None,
        ),
    };
    let config = Config {
        data_dir: data_dir.path().to_path_buf(),
        database_url,
        base_url,
        smtp_url,
        mail_from: "Palier <no-reply@palier.test>".into(),
        smtp_rate: 0.0,
        secure_cookies: false,
        session_days: 30,
        worker_poll_ms: 50,
        run_worker,
        mail_retention_days: 30,
        trusted_proxies: Vec::new(),
        metrics_token: Some(METRICS_TOKEN.to_string()),
        storage_url: storage.as_ref().map(|(url, _)| url.clone()),
        s3: storage.map(|(_, s3)| s3).unwrap_or_default(),
        reply_address,
        imap_url: None,
    };
    let app = Application::build(config, clock, "127.0.0.1:0")
        .await
        .expect("build app");
    let address = format!("http://{}", app.address());
    let state = app.state();
    palier::demo::seed(&state).await.expect("seed demo");
    let other_building = seed_other_agency(&state).await;
    tokio::spawn(app.run_until(std::future::pending()));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut test = TestApp {
        address,
        state,
        client,
        data_dir,
        tilleuls: String::new(),
        vignes: String::new(),
        other_building,
        pg_database,
    };
    test.tilleuls = test.building_id(palier::demo::TILLEULS).await;
    test.vignes = test.building_id(palier::demo::VIGNES).await;
    test
}

/// A second agency with one building and one manager, to prove nothing crosses agencies.
async fn seed_other_agency(state: &AppState) -> String {
    use palier::db::{buildings as bdb, people as pdb};
    let now = state.clock.now_ms();
    let agency = palier::db::new_id();
    bdb::insert_agency(&state.db.pool, &agency, "Autre Syndic", now)
        .await
        .expect("agency");
    let building = palier::db::new_id();
    bdb::insert(
        &state.db.pool,
        bdb::NewBuilding {
            id: &building,
            agency_id: &agency,
            name: "Résidence Ailleurs",
            address: "1 rue Ailleurs, Paris",
            lots_count: 5,
            code: &palier::auth::secret::new_building_code(),
            access_codes: "0000",
            contact_name: "",
            contact_phone: "",
            now,
        },
    )
    .await
    .expect("building");
    let person = palier::db::new_id();
    let hash = palier::auth::password::hash(PASSWORD.into())
        .await
        .expect("hash");
    pdb::insert(
        &state.db.pool,
        pdb::NewPerson {
            id: &person,
            name: "Autre Gestionnaire",
            email: OTHER_MANAGER,
            password_hash: &hash,
            lang: "fr",
            is_admin: false,
            now,
        },
    )
    .await
    .expect("person");
    pdb::add_staff(&state.db.pool, &person, &agency)
        .await
        .expect("staff");
    building
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg_database.take() {
            drop_postgres(admin, name);
        }
    }
}

/// Drops a test database made by [`fresh_postgres`]. Runs on its own thread: `Drop`
/// cannot await, and the test runtime may be gone.
pub fn drop_postgres(admin: String, name: String) {
    let _ = std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async {
            if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await;
            }
        });
    })
    .join();
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    async fn building_id(&self, name: &str) -> String {
        let rows =
            palier::db::buildings::visible_to(&self.state.db.pool, &self.person_id(MANAGER).await)
                .await
                .expect("buildings");
        rows.into_iter()
            .find(|b| b.name == name)
            .map(|b| b.id)
            .unwrap_or_default()
    }

    pub async fn person_id(&self, email: &str) -> String {
        palier::db::people::by_email(&self.state.db.pool, email)
            .await
            .expect("query")
            .expect("person exists")
            .id
    }

    pub async fn building_code(&self, id: &str) -> String {
        palier::db::buildings::by_id(&self.state.db.pool, id)
            .await
            .expect("query")
            .expect("building")
            .code
    }

    /// A bearer token for a demo account.
    pub async fn token(&self, email: &str) -> String {
        let (status, body) = self
            .post_json(
                "/api/v1/auth/token",
                None,
                &json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {email}: {body}");
        body["token"].as_str().expect("token").to_string()
    }

    pub async fn get_json(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn post_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> (StatusCode, Value) {
        self.send_json(reqwest::Method::POST, path, token, body)
            .await
    }

    /// A cookie-keeping browser, logged in as `email` through the login form.
    pub async fn browser(&self, email: Option<&str>) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let browser = Browser {
            client,
            base: self.address.clone(),
        };
        if let Some(email) = email {
            let resp = browser
                .submit(
                    "/login",
                    "/login",
                    &[("email", email), ("password", PASSWORD)],
                )
                .await;
            assert_eq!(
                resp.status(),
                StatusCode::SEE_OTHER,
                "login form for {email}"
            );
        }
        browser
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.path().join("mail")
    }

    /// Waits for an e-mail to `to` whose subject contains `subject`; returns its text body.
    pub async fn wait_for_mail(&self, to: &str, subject: &str) -> String {
        for _ in 0..100 {
            if let Ok(entries) = std::fs::read_dir(self.mail_dir()) {
                for entry in entries.flatten() {
                    let Ok(raw) = std::fs::read(entry.path()) else {
                        continue;
                    };
                    let Some(msg) = mail_parser::MessageParser::default().parse(&raw) else {
                        continue;
                    };
                    let to_ok = msg
                        .to()
                        .and_then(|a| a.first())
                        .and_then(|a| a.address())
                        .is_some_and(|a| a == to);
                    let subject_ok = msg.subject().is_some_and(|s| s.contains(subject));
                    if to_ok && subject_ok {
                        return msg.body_text(0).map(|t| t.to_string()).unwrap_or_default();
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no e-mail to {to} about {subject:?}");
    }
}

pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
}

impl Browser {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("get")
    }

    pub async fn get_text(&self, path: &str) -> (StatusCode, String) {
        let resp = self.get(path).await;
        let status = resp.status();
        (status, resp.text().await.unwrap_or_default())
    }

    /// Reads the CSRF token from a page's form, as a browser would submit it.
    pub async fn csrf(&self, page: &str) -> String {
        let (_, html) = self.get_text(page).await;
        let marker = "name=\"csrf\" value=\"";
        let start = html
            .find(marker)
            .map(|i| i + marker.len())
            .expect("page has a csrf field");
        html[start..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_string()
    }

    /// Loads `form_page`, then posts `fields` (plus its CSRF token) to `action`.
    pub async fn submit(
        &self,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let csrf = self.csrf(form_page).await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf", &csrf));
        self.client
            .post(format!("{}{action}", self.base))
            .form(&all)
            .send()
            .await
            .expect("post")
    }
}

pub fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Polls `check` until it holds (no fixed sleeps); panics with `what` after ~10 s.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..400 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting for {what}");
}

impl TestApp {
    /// Waits until the worker has turned every recorded event into notifications.
    pub async fn dispatched(&self) {
        let pool = self.state.db.pool.clone();
        eventually("events dispatched", || {
            let pool = pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM events WHERE dispatched_at IS NULL",
                )
                .fetch_one(&pool)
                .await
                .is_ok_and(|n| n == 0)
            }
        })
        .await;
    }

    /// Waits until the queue holds no pending job, leaving out digests due on a later
    /// morning (a manager reading the digest has one waiting for each report's due time).
    pub async fn drained(&self) {
        let pool = self.state.db.pool.clone();
        let clock = self.state.clock.clone();
        eventually("queue drained", || {
            let pool = pool.clone();
            let now = clock.now_ms();
            async move {
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM jobs WHERE status = 'pending' \
                     AND NOT (kind = 'digest' AND run_at > $1)",
                )
                .bind(now)
                .fetch_one(&pool)
                .await
                .is_ok_and(|n| n == 0)
            }
        })
        .await;
    }

    /// `.eml` files written to `to` so far (file transport).
    pub fn mails_to(&self, to: &str) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.mail_dir()) else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|e| std::fs::read(e.path()).ok())
            .filter_map(|raw| {
                let msg = mail_parser::MessageParser::default().parse(&raw)?;
                let addressed = msg
                    .to()
                    .and_then(|a| a.first())
                    .and_then(|a| a.address())
                    .is_some_and(|a| a == to);
                addressed.then(|| {
                    format!(
                        "{}\n{}",
                        msg.subject().unwrap_or_default(),
                        msg.body_text(0).unwrap_or_default()
                    )
                })
            })
            .collect()
    }
}

/// Polls the futures together (each a request waiting on the server) until all answer;
/// the answers come back in the order of the futures.
pub async fn join_all<F: std::future::Future>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let mut pending: Vec<_> = futures.into_iter().map(|f| Some(Box::pin(f))).collect();
    let mut results: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (slot, result) in pending.iter_mut().zip(results.iter_mut()) {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        *result = Some(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    results.into_iter().flatten().collect()
}
