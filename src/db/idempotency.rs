//! Idempotency keys: the first answer to a create request, replayed to its retries.

use sqlx::{Any, Executor};

#[derive(sqlx::FromRow, Debug, Clone)]
pub struct KeyRow {
    pub request_hash: String,
    pub status: Option<i64>,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub body: Option<String>,
    pub created_at: i64,
}

pub async fn find<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    key: &str,
) -> sqlx::Result<Option<KeyRow>> {
    sqlx::query_as(
        "SELECT request_hash, status, content_type, location, body, created_at \
         FROM idempotency_keys WHERE person_id = $1 AND idem_key = $2",
    )
    .bind(person_id)
    .bind(key)
    .fetch_optional(ex)
    .await
}

/// Claims the key for a first request; false when another request holds it already.
pub async fn claim<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    key: &str,
    request_hash: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO idempotency_keys (person_id, idem_key, request_hash, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (person_id, idem_key) DO NOTHING",
    )
    .bind(person_id)
    .bind(key)
    .bind(request_hash)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes over a claim whose request never finished (its client left mid-request).
pub async fn take_over<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    key: &str,
    claimed_before: i64,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE idempotency_keys SET created_at = $4 \
         WHERE person_id = $1 AND idem_key = $2 AND status IS NULL AND created_at < $3",
    )
    .bind(person_id)
    .bind(key)
    .bind(claimed_before)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn complete<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    key: &str,
    status: i64,
    content_type: Option<&str>,
    location: Option<&str>,
    body: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE idempotency_keys SET status = $3, content_type = $4, location = $5, body = $6 \
         WHERE person_id = $1 AND idem_key = $2",
    )
    .bind(person_id)
    .bind(key)
    .bind(status)
    .bind(content_type)
    .bind(location)
    .bind(body)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn release<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    key: &str,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM idempotency_keys WHERE person_id = $1 AND idem_key = $2")
        .bind(person_id)
        .bind(key)
        .execute(ex)
        .await?;
    Ok(())
}

/// Forgets keys created before `before` (on `idempotency_keys_created`).
pub async fn purge<'c>(ex: impl Executor<'c, Database = Any>, before: i64) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(before)
        .execute(ex)
        .await?;
    Ok(done.rows_affected())
}
