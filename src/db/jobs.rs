//! The durable job queue. Written in the same transaction as the business change; claimed
//! by workers with a lease (`locked_until`), so a worker that dies loses nothing: its job
//! becomes claimable again when the lease expires.

use sqlx::{Any, Executor};

use super::Backend;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
}

pub async fn enqueue<'c>(
    ex: impl Executor<'c, Database = Any>,
    kind: &str,
    payload: &str,
    run_at: i64,
    now: i64,
) -> sqlx::Result<String> {
    let id = super::new_id();
    sqlx::query(
        "INSERT INTO jobs (id, kind, payload, run_at, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(kind)
    .bind(payload)
    .bind(run_at)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(id)
}

/// Claims the oldest due job. On PostgreSQL concurrent workers skip each other's rows.
pub async fn claim<'c>(
    ex: impl Executor<'c, Database = Any>,
    backend: Backend,
    worker: &str,
    now: i64,
    lease_ms: i64,
) -> sqlx::Result<Option<JobRow>> {
    let lock = match backend {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    sqlx::query_as(&format!(
        "UPDATE jobs SET locked_by = $1, locked_until = $2, attempts = attempts + 1 \
         WHERE id = (SELECT id FROM jobs WHERE status = 'pending' AND run_at <= $3 \
                     AND (locked_until IS NULL OR locked_until < $3) \
                     ORDER BY run_at, id LIMIT 1 {lock}) \
         RETURNING id, kind, payload, attempts, max_attempts"
    ))
    .bind(worker)
    .bind(now + lease_ms)
    .bind(now)
    // fetch_all drains the statement: on SQLite an UPDATE … RETURNING left un-reset keeps
    // its write transaction open and blocks every other writer.
    .fetch_all(ex)
    .await
    .map(|rows| rows.into_iter().next())
}

pub async fn complete<'c>(ex: impl Executor<'c, Database = Any>, id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE jobs SET status = 'done', locked_by = NULL, locked_until = NULL, last_error = NULL WHERE id = $1")
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}

/// Records a failure: retried at `retry_at`, or dead when attempts are exhausted.
pub async fn fail<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    error: &str,
    retry_at: Option<i64>,
) -> sqlx::Result<()> {
    let (status, run_at) = match retry_at {
        Some(at) => ("pending", Some(at)),
        None => ("dead", None),
    };
    sqlx::query(
        "UPDATE jobs SET status = $2, run_at = COALESCE($3, run_at), last_error = $4, \
         locked_by = NULL, locked_until = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(run_at)
    .bind(error)
    .execute(ex)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobSummary {
    pub id: String,
    pub kind: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub run_at: i64,
}

pub async fn list<'c>(
    ex: impl Executor<'c, Database = Any>,
    status: &str,
    limit: i64,
) -> sqlx::Result<Vec<JobSummary>> {
    sqlx::query_as(
        "SELECT id, kind, status, attempts, last_error, run_at FROM jobs WHERE status = $1 ORDER BY run_at DESC LIMIT $2",
    )
    .bind(status)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Puts a dead job back in the queue with fresh attempts.
pub async fn retry<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    now: i64,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE jobs SET status = 'pending', attempts = 0, run_at = $2, locked_by = NULL, locked_until = NULL \
         WHERE id = $1 AND status = 'dead'",
    )
    .bind(id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected())
}

pub async fn count_pending<'c>(ex: impl Executor<'c, Database = Any>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE status = 'pending'")
        .fetch_one(ex)
        .await
}

/// Jobs waiting to run, per kind (on `jobs_due`: only the pending rows are read).
pub async fn pending_by_kind<'c>(
    ex: impl Executor<'c, Database = Any>,
) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as("SELECT kind, COUNT(*) FROM jobs WHERE status = 'pending' GROUP BY kind")
        .fetch_all(ex)
        .await
}

/// Sent e-mails due before `before` that still carry their full text, oldest first (on
/// the partial index `jobs_to_summarize`). `run_at` is when the last attempt was due.
pub async fn sent_mail_to_summarize<'c>(
    ex: impl Executor<'c, Database = Any>,
    before: i64,
    limit: i64,
) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT id, payload FROM jobs WHERE kind = 'email' AND status = 'done' AND summarized_at IS NULL \
         AND run_at < $1 ORDER BY run_at LIMIT $2",
    )
    .bind(before)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Replaces a job's payload with its summary.
pub async fn summarize<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    summary: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE jobs SET payload = $2, summarized_at = $3 WHERE id = $1")
        .bind(id)
        .bind(summary)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

/// Claims up to `limit` due digest jobs at once (on the partial index `jobs_digest_due`;
/// the kind is written out so that the index applies). On PostgreSQL concurrent workers
/// skip each other's rows.
pub async fn claim_digests<'c>(
    ex: impl Executor<'c, Database = Any>,
    backend: Backend,
    worker: &str,
    now: i64,
    lease_ms: i64,
    limit: i64,
) -> sqlx::Result<Vec<JobRow>> {
    // SQLite would rather walk `jobs_due` (every pending job, e-mails included, which a
    // morning's digests queue by the thousand) than the digests' own partial index.
    let (index, lock) = match backend {
        Backend::Postgres => ("", "FOR UPDATE SKIP LOCKED"),
        Backend::Sqlite => ("INDEXED BY jobs_digest_due", ""),
    };
    sqlx::query_as(&format!(
        "UPDATE jobs SET locked_by = $1, locked_until = $2, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM jobs {index} WHERE status = 'pending' AND kind = 'digest' AND run_at <= $3 \
                      AND (locked_until IS NULL OR locked_until < $3) \
                      ORDER BY run_at, id LIMIT $4 {lock}) \
         RETURNING id, kind, payload, attempts, max_attempts"
    ))
    .bind(worker)
    .bind(now + lease_ms)
    .bind(now)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Marks jobs done (one `IN` list).
pub async fn complete_many<'c>(
    ex: impl Executor<'c, Database = Any>,
    ids: &[String],
) -> sqlx::Result<()> {
    let mut q = super::sql::Sql::new(
        "UPDATE jobs SET status = 'done', locked_by = NULL, locked_until = NULL, last_error = NULL WHERE id IN ",
    );
    q.list(ids);
    q.query().execute(ex).await?;
    Ok(())
}
