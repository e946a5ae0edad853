//! What hangs on a claim: its thread, its files, its history.

use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    pub id: String,
    pub claim_id: String,
    pub author: String,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: i64,
}

pub async fn insert_message<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    claim_id: &str,
    author: &str,
    author_id: Option<&str>,
    body: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO claim_messages (id, claim_id, author, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(claim_id)
    .bind(author)
    .bind(author_id)
    .bind(body)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn messages_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    claim_id: &str,
) -> sqlx::Result<Vec<MessageRow>> {
    sqlx::query_as(
        "SELECT m.id, m.claim_id, m.author, p.name AS author_name, m.body, m.created_at FROM claim_messages m \
         LEFT JOIN people p ON p.id = m.author_id WHERE m.claim_id = $1 ORDER BY m.created_at, m.id",
    )
    .bind(claim_id)
    .fetch_all(ex)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttachmentRow {
    pub id: String,
    pub claim_id: String,
    pub kind: String,
    pub format: String,
    pub filename: String,
    pub object_key: String,
    pub size: i64,
    pub message_id: Option<String>,
    pub from_insurer: i64,
    pub created_at: i64,
}

const ATTACHMENT_COLUMNS: &str =
    "id, claim_id, kind, format, filename, object_key, size, message_id, from_insurer, created_at";

pub async fn insert_attachment<'c>(
    ex: impl Executor<'c, Database = Any>,
    a: &AttachmentRow,
) -> sqlx::Result<()> {
    sqlx::query(&format!(
        "INSERT INTO claim_attachments ({ATTACHMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(&a.id)
    .bind(&a.claim_id)
    .bind(&a.kind)
    .bind(&a.format)
    .bind(&a.filename)
    .bind(&a.object_key)
    .bind(a.size)
    .bind(a.message_id.as_deref())
    .bind(a.from_insurer)
    .bind(a.created_at)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn attachments_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    claim_id: &str,
) -> sqlx::Result<Vec<AttachmentRow>> {
    sqlx::query_as(&format!(
        "SELECT {ATTACHMENT_COLUMNS} FROM claim_attachments WHERE claim_id = $1 ORDER BY created_at, id"
    ))
    .bind(claim_id)
    .fetch_all(ex)
    .await
}

/// One attachment of one claim (another claim's id finds nothing).
pub async fn attachment<'c>(
    ex: impl Executor<'c, Database = Any>,
    claim_id: &str,
    id: &str,
) -> sqlx::Result<Option<AttachmentRow>> {
    sqlx::query_as(&format!(
        "SELECT {ATTACHMENT_COLUMNS} FROM claim_attachments WHERE claim_id = $1 AND id = $2"
    ))
    .bind(claim_id)
    .bind(id)
    .fetch_optional(ex)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub kind: String,
    pub actor_name: Option<String>,
    pub detail: String,
    pub created_at: i64,
}

pub async fn insert_event<'c>(
    ex: impl Executor<'c, Database = Any>,
    claim_id: &str,
    kind: &str,
    actor_id: Option<&str>,
    detail: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO claim_events (id, claim_id, kind, actor_id, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(super::new_id())
    .bind(claim_id)
    .bind(kind)
    .bind(actor_id)
    .bind(detail)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn events_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    claim_id: &str,
) -> sqlx::Result<Vec<EventRow>> {
    sqlx::query_as(
        "SELECT e.kind, p.name AS actor_name, e.detail, e.created_at FROM claim_events e \
         LEFT JOIN people p ON p.id = e.actor_id WHERE e.claim_id = $1 ORDER BY e.created_at, e.id",
    )
    .bind(claim_id)
    .fetch_all(ex)
    .await
}
