//! The on-call contact's private links to urgent reports.

use sqlx::{Any, Executor};

pub async fn insert<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
    report_id: &str,
    expires_at: i64,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO on_call_links (token_hash, report_id, expires_at, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(report_id)
    .bind(expires_at)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// The report behind a link and when the link expires.
pub async fn by_token<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
) -> sqlx::Result<Option<(String, i64)>> {
    sqlx::query_as("SELECT report_id, expires_at FROM on_call_links WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(ex)
        .await
}
