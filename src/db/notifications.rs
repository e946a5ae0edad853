//! Event dispatch, in-app notifications, preferences and digests.

use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: String,
    pub kind: String,
    pub building_id: String,
    pub report_id: Option<String>,
    pub comment_id: Option<String>,
    pub actor_id: Option<String>,
    pub audience: String,
    pub audience_person_id: Option<String>,
    pub detail: String,
    pub created_at: i64,
}

/// The agency's managers and the building's referents.
pub async fn staff<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT s.person_id FROM agency_staff s JOIN buildings b ON b.agency_id = s.agency_id WHERE b.id = $1 \
         UNION SELECT person_id FROM memberships WHERE building_id = $1 AND role = 'referent'",
    )
    .bind(building_id)
    .fetch_all(ex)
    .await
}

pub async fn on_call_email<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
) -> sqlx::Result<Option<String>> {
    let found: Option<Option<String>> =
        sqlx::query_scalar("SELECT a.on_call_email FROM agencies a JOIN buildings b ON b.agency_id = a.id WHERE b.id = $1")
            .bind(building_id)
            .fetch_optional(ex)
            .await?;
    Ok(found.flatten().filter(|e| !e.is_empty()))
}

pub async fn mode<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<String> {
    let mode: Option<String> =
        sqlx::query_scalar("SELECT mode FROM notification_settings WHERE person_id = $1")
            .bind(person_id)
            .fetch_optional(ex)
            .await?;
    Ok(mode.unwrap_or_else(|| "immediate".to_string()))
}

pub async fn set_mode<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    mode: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO notification_settings (person_id, mode) VALUES ($1, $2) \
         ON CONFLICT (person_id) DO UPDATE SET mode = excluded.mode",
    )
    .bind(person_id)
    .bind(mode)
    .execute(ex)
    .await?;
    Ok(())
}

/// Explicit category choices of a person: (category, subscribed).
pub async fn category_choices<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as("SELECT category, subscribed FROM category_subscriptions WHERE person_id = $1")
        .bind(person_id)
        .fetch_all(ex)
        .await
}

pub async fn set_category<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    category: &str,
    subscribed: bool,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO category_subscriptions (person_id, category, subscribed) VALUES ($1, $2, $3) \
         ON CONFLICT (person_id, category) DO UPDATE SET subscribed = excluded.subscribed",
    )
    .bind(person_id)
    .bind(category)
    .bind(super::flag(subscribed))
    .execute(ex)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: String,
    pub kind: String,
    pub building_id: String,
    pub report_id: Option<String>,
    pub report_title: Option<String>,
    pub urgent: Option<i64>,
    pub building_name: String,
    pub actor_name: Option<String>,
    pub detail: String,
    pub read_at: Option<i64>,
    pub created_at: i64,
}

const NOTIFICATION_SELECT: &str = "SELECT n.id, n.kind, n.building_id, n.report_id, r.title AS report_title, r.urgent, \
     b.name AS building_name, p.name AS actor_name, e.detail, n.read_at, n.created_at \
     FROM notifications n JOIN events e ON e.id = n.event_id JOIN buildings b ON b.id = n.building_id \
     LEFT JOIN reports r ON r.id = n.report_id LEFT JOIN people p ON p.id = e.actor_id";

pub async fn list<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    limit: i64,
) -> sqlx::Result<Vec<NotificationRow>> {
    sqlx::query_as(&format!("{NOTIFICATION_SELECT} WHERE n.person_id = $1 ORDER BY n.created_at DESC, n.id DESC LIMIT {limit}"))
        .bind(person_id)
        .fetch_all(ex)
        .await
}

/// The bell shows at most this many unread notifications ("99+" beyond).
pub const UNREAD_CAP: i64 = 100;

/// Unread notifications of a person, counted up to [`UNREAD_CAP`] on the partial index
/// `notifications_unread`: the cost of a page, whatever the backlog.
pub async fn unread_count<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM notifications WHERE person_id = $1 AND read_at IS NULL LIMIT {UNREAD_CAP}) u",
    ))
    .bind(person_id)
    .fetch_one(ex)
    .await
}

pub async fn mark_read<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    id: Option<&str>,
    now: i64,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE notifications SET read_at = COALESCE(read_at, $3) WHERE person_id = $1 AND ($2 IS NULL OR id = $2)",
    )
    .bind(person_id)
    .bind(id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected())
}

/// Queues a job once per `dedup_key` (a person's digest for one morning).
pub async fn enqueue_once<'c>(
    ex: impl Executor<'c, Database = Any>,
    kind: &str,
    payload: &str,
    run_at: i64,
    dedup_key: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO jobs (id, kind, payload, run_at, created_at, dedup_key) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (dedup_key) DO NOTHING",
    )
    .bind(super::new_id())
    .bind(kind)
    .bind(payload)
    .bind(run_at)
    .bind(now)
    .bind(dedup_key)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A digest line with the person it waits for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DigestLineRow {
    pub digest_person: String,
    #[sqlx(flatten)]
    pub line: NotificationRow,
}

/// Digest lines waiting for several people, created before `until` (the latest of their
/// mornings: the caller keeps each person's own), grouped by person, then the urgent first and
/// oldest first.
pub async fn digest_pending_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_ids: &[String],
    until: i64,
) -> sqlx::Result<Vec<DigestLineRow>> {
    let mut q = super::sql::Sql::new(&NOTIFICATION_SELECT.replacen(
        "SELECT ",
        "SELECT n.person_id AS digest_person, ",
        1,
    ));
    q.push(" WHERE n.person_id IN ")
        .list(person_ids)
        .push(" AND n.delivery = 'digest' AND n.emailed_at IS NULL AND n.created_at < ")
        .int(until)
        .push(" ORDER BY n.person_id, r.urgent DESC, n.created_at");
    q.query_as().fetch_all(ex).await
}

/// Marks the notifications of `ids` e-mailed (those sent in a digest).
pub async fn mark_emailed<'c>(
    ex: impl Executor<'c, Database = Any>,
    ids: &[String],
    now: i64,
) -> sqlx::Result<u64> {
    let mut q = super::sql::Sql::new("UPDATE notifications SET emailed_at = ");
    q.int(now)
        .push(" WHERE emailed_at IS NULL AND id IN ")
        .list(ids);
    Ok(q.query().execute(ex).await?.rows_affected())
}
