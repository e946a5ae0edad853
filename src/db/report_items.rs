//! What hangs off a report: comments, photos, events (history) and reply templates.

use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CommentRow {
    pub id: String,
    pub author_id: String,
    pub author_name: String,
    pub body: String,
    pub audience: String,
    pub audience_person_id: Option<String>,
    pub created_at: i64,
}

pub struct NewComment<'a> {
    pub id: &'a str,
    pub report_id: &'a str,
    pub author_id: &'a str,
    pub body: &'a str,
    pub audience: &'a str,
    pub audience_person_id: Option<&'a str>,
    pub now: i64,
}

pub async fn insert_comment<'c>(
    ex: impl Executor<'c, Database = Any>,
    c: NewComment<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO comments (id, report_id, author_id, body, audience, audience_person_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(c.id)
    .bind(c.report_id)
    .bind(c.author_id)
    .bind(c.body)
    .bind(c.audience)
    .bind(c.audience_person_id)
    .bind(c.now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn comments_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    report_id: &str,
) -> sqlx::Result<Vec<CommentRow>> {
    sqlx::query_as(
        "SELECT c.id, c.author_id, p.name AS author_name, c.body, c.audience, c.audience_person_id, c.created_at \
         FROM comments c JOIN people p ON p.id = c.author_id WHERE c.report_id = $1 ORDER BY c.created_at, c.id",
    )
    .bind(report_id)
    .fetch_all(ex)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PhotoRow {
    pub id: String,
    pub report_id: String,
    pub comment_id: Option<String>,
    pub object_key: String,
    pub thumb_key: String,
    pub width: i64,
    pub height: i64,
    pub from_provider: i64,
}

pub struct NewPhoto<'a> {
    pub id: &'a str,
    pub report_id: &'a str,
    pub comment_id: Option<&'a str>,
    pub uploader_id: &'a str,
    pub object_key: &'a str,
    pub thumb_key: &'a str,
    pub width: i64,
    pub height: i64,
    pub now: i64,
    pub from_provider: bool,
}

pub async fn insert_photo<'c>(
    ex: impl Executor<'c, Database = Any>,
    p: NewPhoto<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO photos (id, report_id, comment_id, uploader_id, object_key, thumb_key, width, height, created_at, \
         from_provider) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(p.id)
    .bind(p.report_id)
    .bind(p.comment_id)
    .bind(p.uploader_id)
    .bind(p.object_key)
    .bind(p.thumb_key)
    .bind(p.width)
    .bind(p.height)
    .bind(p.now)
    .bind(super::flag(p.from_provider))
    .execute(ex)
    .await?;
    Ok(())
}

const PHOTO_COLUMNS: &str =
    "id, report_id, comment_id, object_key, thumb_key, width, height, from_provider";

pub async fn photos_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    report_id: &str,
) -> sqlx::Result<Vec<PhotoRow>> {
    sqlx::query_as(&format!(
        "SELECT {PHOTO_COLUMNS} FROM photos WHERE report_id = $1 ORDER BY created_at, id"
    ))
    .bind(report_id)
    .fetch_all(ex)
    .await
}

pub async fn photo<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<PhotoRow>> {
    sqlx::query_as(&format!("SELECT {PHOTO_COLUMNS} FROM photos WHERE id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

pub async fn comment_audience<'c>(
    ex: impl Executor<'c, Database = Any>,
    comment_id: &str,
) -> sqlx::Result<Option<CommentRow>> {
    sqlx::query_as(
        "SELECT c.id, c.author_id, p.name AS author_name, c.body, c.audience, c.audience_person_id, c.created_at \
         FROM comments c JOIN people p ON p.id = c.author_id WHERE c.id = $1",
    )
    .bind(comment_id)
    .fetch_optional(ex)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: String,
    pub kind: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub audience: String,
    pub audience_person_id: Option<String>,
    pub detail: String,
    pub created_at: i64,
}

pub struct NewEvent<'a> {
    pub kind: &'a str,
    pub building_id: &'a str,
    pub report_id: Option<&'a str>,
    pub comment_id: Option<&'a str>,
    pub actor_id: Option<&'a str>,
    pub audience: &'a str,
    pub audience_person_id: Option<&'a str>,
    pub detail: &'a str,
    pub now: i64,
}

/// Records a domain event: one line of history and, later, notifications.
pub async fn insert_event<'c>(
    ex: impl Executor<'c, Database = Any>,
    e: NewEvent<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO events (id, kind, building_id, report_id, comment_id, actor_id, audience, audience_person_id, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(super::new_id())
    .bind(e.kind)
    .bind(e.building_id)
    .bind(e.report_id)
    .bind(e.comment_id)
    .bind(e.actor_id)
    .bind(e.audience)
    .bind(e.audience_person_id)
    .bind(e.detail)
    .bind(e.now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn events_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    report_id: &str,
) -> sqlx::Result<Vec<EventRow>> {
    sqlx::query_as(
        "SELECT e.id, e.kind, e.actor_id, p.name AS actor_name, e.audience, e.audience_person_id, e.detail, e.created_at \
         FROM events e LEFT JOIN people p ON p.id = e.actor_id WHERE e.report_id = $1 ORDER BY e.created_at, e.id",
    )
    .bind(report_id)
    .fetch_all(ex)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TemplateRow {
    pub id: String,
    pub title: String,
    pub body: String,
}

pub async fn templates_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
) -> sqlx::Result<Vec<TemplateRow>> {
    sqlx::query_as("SELECT id, title, body FROM reply_templates WHERE agency_id = $1 ORDER BY position, created_at")
        .bind(agency_id)
        .fetch_all(ex)
        .await
}

pub async fn insert_template<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
    title: &str,
    body: &str,
    position: i64,
    now: i64,
) -> sqlx::Result<String> {
    let id = super::new_id();
    sqlx::query("INSERT INTO reply_templates (id, agency_id, title, body, position, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&id)
        .bind(agency_id)
        .bind(title)
        .bind(body)
        .bind(position)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(id)
}

pub async fn update_template<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
    id: &str,
    title: &str,
    body: &str,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE reply_templates SET title = $3, body = $4 WHERE agency_id = $1 AND id = $2",
    )
    .bind(agency_id)
    .bind(id)
    .bind(title)
    .bind(body)
    .execute(ex)
    .await?;
    Ok(done.rows_affected())
}

pub async fn delete_template<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
    id: &str,
) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM reply_templates WHERE agency_id = $1 AND id = $2")
        .bind(agency_id)
        .bind(id)
        .execute(ex)
        .await?;
    Ok(done.rows_affected())
}
