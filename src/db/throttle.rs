//! Attempts counted for abuse limits (see `domain::throttle`), and login unlock links.

use sqlx::{Any, Executor};

pub async fn insert_hit<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    bucket: &str,
    subject: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO throttle_hits (id, bucket, subject, at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(bucket)
        .bind(subject)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

/// Attempts since `since`, and the time of the oldest of them.
pub async fn hits_since<'c>(
    ex: impl Executor<'c, Database = Any>,
    bucket: &str,
    subject: &str,
    since: i64,
) -> sqlx::Result<(i64, Option<i64>)> {
    sqlx::query_as(
        "SELECT COUNT(*), MIN(at) FROM throttle_hits WHERE bucket = $1 AND subject = $2 AND at > $3",
    )
    .bind(bucket)
    .bind(subject)
    .bind(since)
    .fetch_one(ex)
    .await
}

pub async fn delete_hit<'c>(ex: impl Executor<'c, Database = Any>, id: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM throttle_hits WHERE id = $1")
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}

/// Forgets attempts older than `before`: they no longer count.
pub async fn prune<'c>(ex: impl Executor<'c, Database = Any>, before: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM throttle_hits WHERE at <= $1")
        .bind(before)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn create_unlock<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
    email: &str,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO login_unlocks (token_hash, email, expires_at) VALUES ($1, $2, $3)")
        .bind(token_hash)
        .bind(email)
        .bind(expires_at)
        .execute(ex)
        .await?;
    Ok(())
}

/// Marks an unlock link used and returns its address, if it was live.
pub async fn consume_unlock<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "UPDATE login_unlocks SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
         RETURNING email",
    )
    .bind(token_hash)
    .bind(now)
    // Drained, not fetch_optional: see `jobs::claim`.
    .fetch_all(ex)
    .await
    .map(|rows| rows.into_iter().next())
}

/// Unlock links of an address still usable at `now`.
pub async fn live_unlocks<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
    now: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_unlocks WHERE email = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(email)
    .bind(now)
    .fetch_one(ex)
    .await
}
