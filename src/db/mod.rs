//! Storage: one sqlx `Any` pool over SQLite (default) or PostgreSQL, chosen from the URL.
//!
//! Queries are written once with `$n` placeholders, which both drivers accept; the few
//! statements that must differ (full-text search, row locking) branch on [`Backend`].

pub mod audit;
pub mod buildings;
pub mod jobs;
pub mod notifications;
pub mod people;
pub mod report_items;
pub mod reports;
pub mod sessions;
pub mod sql;
pub mod work_orders;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

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
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // The busy timeout comes first so that the other pragmas, and
                            // every later write, wait for a lock instead of failing.
                            conn.execute(
                                "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
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
