//! A person's e-mail address changes (confirmed by a link) and time zone.

use sqlx::{Any, Executor};

pub async fn create_email_change<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
    person_id: &str,
    new_email: &str,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO email_changes (token_hash, person_id, new_email, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(person_id)
    .bind(new_email)
    .bind(expires_at)
    .execute(ex)
    .await?;
    Ok(())
}

/// Spends a live e-mail change link: (person id, new address).
pub async fn consume_email_change<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<Option<(String, String)>> {
    sqlx::query_as(
        "UPDATE email_changes SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
         RETURNING person_id, new_email",
    )
    .bind(token_hash)
    .bind(now)
    // Drained, as in `jobs::claim`: an un-reset UPDATE … RETURNING keeps SQLite's lock.
    .fetch_all(ex)
    .await
    .map(|rows| rows.into_iter().next())
}

/// Other pending changes of a person end when one is confirmed (and they stop existing).
pub async fn drop_email_changes<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM email_changes WHERE person_id = $1")
        .bind(person_id)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn set_email<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    email: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE people SET email = $2 WHERE id = $1")
        .bind(person_id)
        .bind(email)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn set_timezone<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    timezone: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE people SET timezone = $2 WHERE id = $1")
        .bind(person_id)
        .bind(timezone)
        .execute(ex)
        .await?;
    Ok(())
}
