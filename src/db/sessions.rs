//! Browser sessions, API tokens, password-reset links and login throttling.
//! Everything is stored by digest (see `auth::secret`), never as the secret itself.

use sqlx::{Any, Executor};

pub async fn create_session<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
    person_id: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO sessions (token_hash, person_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(person_id)
        .bind(now)
        .bind(expires_at)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn delete_session<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(ex)
        .await?;
    Ok(())
}

/// Ends every session of a person (after a password reset), except `keep` if given.
pub async fn delete_sessions_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    keep: &str,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND token_hash <> $2")
        .bind(person_id)
        .bind(keep)
        .execute(ex)
        .await?;
    Ok(())
}

/// Revokes every live API token of a person (after a password change or reset).
pub async fn revoke_api_tokens_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE api_tokens SET revoked_at = $2 WHERE person_id = $1 AND revoked_at IS NULL",
    )
    .bind(person_id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Spends every outstanding reset link of a person: a new password makes them stale.
pub async fn spend_resets_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE password_resets SET used_at = $2 WHERE person_id = $1 AND used_at IS NULL")
        .bind(person_id)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn create_api_token<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    person_id: &str,
    token_hash: &str,
    name: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO api_tokens (id, person_id, token_hash, name, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(person_id)
        .bind(token_hash)
        .bind(name)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
pub struct ApiTokenRow {
    pub id: String,
    pub name: String,
    pub created_at: i64,
}

pub async fn api_tokens_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<Vec<ApiTokenRow>> {
    sqlx::query_as(
        "SELECT id, name, created_at FROM api_tokens WHERE person_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC",
    )
    .bind(person_id)
    .fetch_all(ex)
    .await
}

/// Revokes by id (from the account page) or by digest (the token revoking itself).
pub async fn revoke_api_token<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    id_or_hash: &str,
    now: i64,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $3 WHERE person_id = $1 AND (id = $2 OR token_hash = $2) AND revoked_at IS NULL",
    )
    .bind(person_id)
    .bind(id_or_hash)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected())
}

pub async fn create_reset<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
    person_id: &str,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO password_resets (token_hash, person_id, expires_at) VALUES ($1, $2, $3)",
    )
    .bind(token_hash)
    .bind(person_id)
    .bind(expires_at)
    .execute(ex)
    .await?;
    Ok(())
}

/// Marks a reset link used and returns its person, if it was live: single use by construction.
pub async fn consume_reset<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND purpose = 'reset' AND used_at IS NULL AND expires_at > $2 \
         RETURNING person_id",
    )
    .bind(token_hash)
    .bind(now)
    // Drained, not fetch_optional: see `jobs::claim`.
    .fetch_all(ex)
    .await
    .map(|rows| rows.into_iter().next())
}

/// Records a login attempt as failed (until proven otherwise); returns its id.
pub async fn record_login_failure<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
    now: i64,
) -> sqlx::Result<String> {
    let id = super::new_id();
    sqlx::query("INSERT INTO login_failures (id, email, at) VALUES ($1, $2, $3)")
        .bind(&id)
        .bind(email)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(id)
}

pub async fn delete_login_failure<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE id = $1")
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn login_failures_since<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
    since: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE email = $1 AND at > $2")
        .bind(email)
        .bind(since)
        .fetch_one(ex)
        .await
}

pub async fn clear_login_failures<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE email = $1")
        .bind(email)
        .execute(ex)
        .await?;
    Ok(())
}

/// Reset links of a person expiring after `after` (links are dated by their expiry).
pub async fn resets_expiring_after<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    after: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM password_resets WHERE person_id = $1 AND purpose = 'reset' AND expires_at > $2",
    )
    .bind(person_id)
    .bind(after)
    .fetch_all(ex)
    .await
    .map(|r| r.into_iter().next().unwrap_or(0))
}
