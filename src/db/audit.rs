//! Audit trail of sensitive actions (role changes, password changes, settings).

use sqlx::{Any, Executor};

pub async fn record<'c>(
    ex: impl Executor<'c, Database = Any>,
    actor_id: Option<&str>,
    action: &str,
    target_type: &str,
    target_id: &str,
    detail: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, actor_id, action, target_type, target_id, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(super::new_id())
    .bind(actor_id)
    .bind(action)
    .bind(target_type)
    .bind(target_id)
    .bind(detail)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}
