//! Everything stored about one person, for their export (GDPR, right of access).

use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConsentRow {
    pub version: String,
    pub accepted_at: i64,
}

/// Lots the person owns beside the one their membership names:
/// (building id, building name, lot label, shares).
pub async fn owned_lots<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<Vec<(String, String, String, i64)>> {
    sqlx::query_as(
        "SELECT o.building_id, b.name, l.label, l.shares FROM owned_lots o \
         JOIN lots l ON l.id = o.lot_id JOIN buildings b ON b.id = o.building_id \
         WHERE o.person_id = $1 ORDER BY b.name, l.label",
    )
    .bind(person_id)
    .fetch_all(ex)
    .await
}

pub async fn consents<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<Vec<ConsentRow>> {
    sqlx::query_as(
        "SELECT version, accepted_at FROM charter_acceptances WHERE person_id = $1 ORDER BY accepted_at",
    )
    .bind(person_id)
    .fetch_all(ex)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OwnReportRow {
    pub id: String,
    pub building_id: String,
    pub category: String,
    pub title: String,
    pub description: String,
    pub status: String,
    pub created_at: i64,
}

/// Reports the person filed (on `reports_author`).
pub async fn reports<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<Vec<OwnReportRow>> {
    sqlx::query_as(
        "SELECT id, building_id, category, title, description, status, created_at \
         FROM reports WHERE author_id = $1 ORDER BY created_at, id",
    )
    .bind(person_id)
    .fetch_all(ex)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OwnCommentRow {
    pub id: String,
    pub report_id: String,
    pub body: String,
    pub audience: String,
    pub created_at: i64,
}

/// Comments the person wrote (on `comments_author`).
pub async fn comments<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<Vec<OwnCommentRow>> {
    sqlx::query_as(
        "SELECT id, report_id, body, audience, created_at FROM comments \
         WHERE author_id = $1 ORDER BY created_at, id",
    )
    .bind(person_id)
    .fetch_all(ex)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OwnPhotoRow {
    pub id: String,
    pub report_id: String,
    pub created_at: i64,
}

/// Photos the person uploaded (on `photos_uploader`).
pub async fn photos<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<Vec<OwnPhotoRow>> {
    sqlx::query_as(
        "SELECT id, report_id, created_at FROM photos WHERE uploader_id = $1 ORDER BY created_at, id",
    )
    .bind(person_id)
    .fetch_all(ex)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OwnNotificationRow {
    pub id: String,
    pub kind: String,
    pub report_id: Option<String>,
    pub delivery: String,
    pub read_at: Option<i64>,
    pub created_at: i64,
}

/// Every notification of the person (on `notifications_person`).
pub async fn notifications<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<Vec<OwnNotificationRow>> {
    sqlx::query_as(
        "SELECT id, kind, report_id, delivery, read_at, created_at FROM notifications \
         WHERE person_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(person_id)
    .fetch_all(ex)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OwnVoteRow {
    pub poll_id: String,
    pub poll_title: String,
    /// The poll's option labels, as stored (JSON array).
    pub poll_options: String,
    /// The indexes chosen, as stored (JSON array).
    pub chosen: String,
    pub voted_at: i64,
}

/// Every vote of the person (on `poll_votes_person`), newest first.
pub async fn votes<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<Vec<OwnVoteRow>> {
    sqlx::query_as(
        "SELECT v.poll_id, p.title AS poll_title, p.options AS poll_options, \
         v.options AS chosen, v.voted_at FROM poll_votes v JOIN polls p ON p.id = v.poll_id \
         WHERE v.person_id = $1 ORDER BY v.voted_at DESC",
    )
    .bind(person_id)
    .fetch_all(ex)
    .await
}
