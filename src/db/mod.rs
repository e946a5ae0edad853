//! Storage: one sqlx `Any` pool over SQLite (default) or PostgreSQL, chosen from the URL.
//!
//! Queries are written once with `$n` placeholders, which both drivers accept; the few
//! statements that must differ (full-text search, row locking) branch on [`Backend`].

pub mod account_settings;
pub mod agencies;
pub mod announcements;
pub mod audit;
pub mod buildings;
pub mod calendar;
pub mod claim_items;
pub mod claims;
pub mod dashboard;
pub mod dispatch;
pub mod erasure;
pub mod idempotency;
pub mod insurers;
pub mod jobs;
pub mod lifecycle;
pub mod lots;
pub mod mail_in;
pub mod neighbours;
pub mod notifications;
pub mod on_call;
pub mod owned_lots;
pub mod people;
pub mod personal_data;
pub mod polls;
pub mod portfolio;
pub mod report_items;
pub mod reports;
pub mod search;
pub mod service_levels;
pub mod sessions;
pub mod sql;
pub mod stats;
pub mod throttle;
pub mod work_orders;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Connection, Executor};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// How long a request waits for a connection or for the write lock before it is told to
/// come back later (503 + `Retry-After`) rather than queueing without end.
pub const LOCK_WAIT: Duration = Duration::from_secs(5);

impl DbError {
    /// The database is there but saturated: no connection freed, or the write lock not
    /// granted, within [`LOCK_WAIT`]. Worth a retry; not a fault of ours or of the request.
    pub fn is_busy(&self) -> bool {
        match self {
            DbError::Sqlx(sqlx::Error::PoolTimedOut) => true,
            DbError::Sqlx(sqlx::Error::Database(e)) => {
                // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with extended codes in the high
                // byte; PostgreSQL's lock_not_available when `lock_timeout` fires.
                let code = e.code();
                let code = code.as_deref().unwrap_or("");
                match code.parse::<i64>() {
                    Ok(n) => matches!(n & 0xff, 5 | 6),
                    Err(_) => code == "55P03",
                }
            }
            _ => false,
        }
    }
}

/// Whether an idle PostgreSQL connection may serve the next query, as it leaves the pool.
/// One idle for a while is pinged first (the server may have gone away); a busy pool
/// skips that round trip, which sqlx's default test on every acquire would cost (sqlx
/// already pings every connection as it comes back).
async fn fit_for_use(
    conn: &mut sqlx::AnyConnection,
    meta: sqlx::pool::PoolConnectionMetadata,
) -> sqlx::Result<bool> {
    if meta.idle_for > IDLE_CHECK_AFTER {
        conn.ping().await?;
    }
    Ok(true)
}

/// Idle longer than this, a PostgreSQL connection is pinged before use.
const IDLE_CHECK_AFTER: Duration = Duration::from_secs(1);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

impl Db {
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        let options = AnyConnectOptions::from_str(url)?;
        let pool = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(LOCK_WAIT)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // The busy timeout comes first so that the other pragmas, and
                            // every later write, wait for a lock (boundedly) instead of failing.
                            // secure_delete zeroes deleted content, so an erased person's data
                            // does not survive in free space (GDPR erasure).
                            conn.execute(
                                format!(
                                    "PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;",
                                    LOCK_WAIT.as_millis()
                                )
                                .as_str(),
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    // A file connection does not go stale: no ping before each use.
                    .test_before_acquire(false)
                    .after_release(|conn, _meta| {
                        Box::pin(async move {
                            // A request dropped while sqlx-sqlite 0.8 finishes a custom BEGIN
                            // (between the BEGIN and taking the connection's handle) returns
                            // the connection with its transaction open and no `Transaction` to
                            // roll it back: the write lock would be held for good. The ping
                            // flushes any rollback queued by a dropped `Transaction`; what is
                            // still open after it is orphaned, and closing the connection
                            // rolls it back and frees the lock. (Checked here, not as the
                            // connection leaves the pool: an idle one would hold the lock.)
                            conn.ping().await?;
                            if conn.is_in_transaction() {
                                tracing::debug!("closing a connection returned with an open transaction");
                                return Ok(false);
                            }
                            Ok(true)
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(LOCK_WAIT)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // Row locks are waited for as boundedly as SQLite's write lock.
                            conn.execute(
                                format!("SET lock_timeout = {}", LOCK_WAIT.as_millis()).as_str(),
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .test_before_acquire(false)
                    .before_acquire(|conn, meta| Box::pin(fit_for_use(conn, meta)))
                    // sqlx-postgres counts transactions as it sends their statements, so a
                    // leftover one shows at once (and the ping sqlx runs next flushes the
                    // rollback a dropped `Transaction` queued).
                    .after_release(|conn, _meta| {
                        Box::pin(async move { Ok(!conn.is_in_transaction()) })
                    })
                    .connect_with(options)
                    .await?
            }
        };
        if backend == Backend::Sqlite {
            // WAL lets readers work while one writer commits. It is a property of the file,
            // set once here: switching it per connection would need an exclusive lock.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        Ok(Db { pool, backend })
    }

    pub async fn migrate(&self) -> Result<(), DbError> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => {
                sqlx::migrate!("migrations/postgres")
                    .run(&self.pool)
                    .await?
            }
        }
        Ok(())
    }

    /// A write transaction. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`):
    /// a deferred transaction whose snapshot predates another writer's commit fails with
    /// "database is locked" at once, without waiting for the busy timeout.
    pub async fn begin(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Any>> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// A consistent copy of a SQLite database at `path`, taken while others write (SQLite's
    /// `VACUUM INTO` reads one snapshot and writes a compact new file).
    pub async fn vacuum_into(&self, path: &std::path::Path) -> sqlx::Result<()> {
        let target = path.to_string_lossy().replace('\'', "''");
        sqlx::query(&format!("VACUUM INTO '{target}'"))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// SQLite's own check of a database file: "ok" when sound.
    pub async fn integrity_check(&self) -> sqlx::Result<String> {
        let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.join("; "))
    }

    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// A new opaque identifier (UUID v7: time-ordered, so inserts stay index-friendly).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// SQLite sorts and compares booleans stored as integers; so does our PostgreSQL schema.
pub fn flag(value: bool) -> i64 {
    i64::from(value)
}
