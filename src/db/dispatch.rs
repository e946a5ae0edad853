//! Batched event dispatch (issue 17 item 3): pending events taken many at a time, their
//! candidate recipients found in one set-based query, and notifications and jobs written
//! as multi-row `INSERT`s.
//!
//! `IN` lists and multi-row statements are kept to a few hundred values each (SQLite and
//! PostgreSQL both cap the number of parameters of a statement); callers chunk with
//! [`IN_CHUNK`].

use sqlx::{Any, Executor};

use super::Backend;
use super::notifications::EventRow;
use super::sql::Sql;

/// Ids per `IN` list.
pub const IN_CHUNK: usize = 400;

/// The oldest pending events, on the partial index `events_pending`. On PostgreSQL the
/// rows are locked until the caller's transaction ends and other workers skip them.
pub async fn pending_events<'c>(
    ex: impl Executor<'c, Database = Any>,
    backend: Backend,
    limit: i64,
) -> sqlx::Result<Vec<EventRow>> {
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    sqlx::query_as(&format!(
        "SELECT id, kind, building_id, report_id, comment_id, actor_id, audience, audience_person_id, detail, created_at \
         FROM events WHERE dispatched_at IS NULL ORDER BY created_at, id LIMIT $1{lock}"
    ))
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Marks events dispatched; returns the ids this call marked (not those another worker
/// marked first).
pub async fn mark_dispatched<'c>(
    ex: impl Executor<'c, Database = Any>,
    ids: &[String],
    now: i64,
) -> sqlx::Result<Vec<String>> {
    let mut q = Sql::new("UPDATE events SET dispatched_at = ");
    q.int(now)
        .push(" WHERE dispatched_at IS NULL AND id IN ")
        .list(ids)
        .push(" RETURNING id");
    // fetch_all drains the statement (see jobs::claim).
    q.query_scalar().fetch_all(ex).await
}

/// One candidate recipient of one event, with what the dispatcher needs of them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CandidateRow {
    pub event_id: String,
    pub person_id: String,
    pub name: String,
    pub email: String,
    pub lang: String,
    pub timezone: String,
    /// `immediate` unless the person chose `digest`.
    pub mode: String,
}

/// Who may hear of each event, before any rule: the report's followers; for a new,
/// urgent or shared report the agency's managers and the building's referents; the one
/// person a message is addressed to. People who no longer exist are left out. `event_ids`
/// are events with a report (one `IN` list).
pub async fn candidates<'c>(
    ex: impl Executor<'c, Database = Any>,
    event_ids: &[String],
) -> sqlx::Result<Vec<CandidateRow>> {
    let mut q = Sql::new(
        "WITH batch AS (SELECT e.id, e.kind, e.audience, e.audience_person_id, r.id AS report_id, r.building_id \
         FROM events e JOIN reports r ON r.id = e.report_id WHERE e.id IN ",
    );
    q.list(event_ids).push(
        "), c AS (\
         SELECT b.id AS event_id, f.person_id FROM batch b JOIN report_followers f ON f.report_id = b.report_id \
           WHERE b.kind <> 'report_assigned' \
         UNION SELECT b.id, s.person_id FROM batch b JOIN buildings bu ON bu.id = b.building_id \
           JOIN agency_staff s ON s.agency_id = bu.agency_id \
           WHERE b.kind IN ('report_created', 'urgent_report', 'report_shared') \
         UNION SELECT b.id, m.person_id FROM batch b JOIN memberships m ON m.building_id = b.building_id \
           WHERE m.role = 'referent' AND b.kind IN ('report_created', 'urgent_report', 'report_shared') \
         UNION SELECT b.id, b.audience_person_id FROM batch b \
           WHERE b.audience = 'person' AND b.audience_person_id IS NOT NULL) \
         SELECT c.event_id, p.id AS person_id, p.name, p.email, p.lang, p.timezone, \
         COALESCE(ns.mode, 'immediate') AS mode \
         FROM c JOIN people p ON p.id = c.person_id \
         LEFT JOIN notification_settings ns ON ns.person_id = p.id",
    );
    q.query_as().fetch_all(ex).await
}

/// A membership of one of `person_ids` in one of `building_ids` (landlords' lots
/// included, as `people::memberships` gives them).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MembershipOfRow {
    pub person_id: String,
    #[sqlx(flatten)]
    pub membership: super::people::MembershipRow,
}

pub async fn memberships_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_ids: &[String],
    building_ids: &[String],
) -> sqlx::Result<Vec<MembershipOfRow>> {
    let mut q = Sql::new(
        "SELECT person_id, building_id, role, occupancy, referent_kind, lot_id FROM memberships WHERE person_id IN ",
    );
    q.list(person_ids).push(" AND building_id IN ").list(building_ids).push(
        " UNION ALL SELECT person_id, building_id, 'landlord', NULL, NULL, lot_id FROM lot_landlords WHERE person_id IN ",
    );
    q.list(person_ids)
        .push(" AND building_id IN ")
        .list(building_ids);
    q.query_as().fetch_all(ex).await
}

/// (person, agency) for the people of `person_ids` who manage one of `agency_ids`.
pub async fn staff_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_ids: &[String],
    agency_ids: &[String],
) -> sqlx::Result<Vec<(String, String)>> {
    let mut q = Sql::new("SELECT person_id, agency_id FROM agency_staff WHERE person_id IN ");
    q.list(person_ids)
        .push(" AND agency_id IN ")
        .list(agency_ids);
    q.query_as().fetch_all(ex).await
}

/// The agencies (person, agency) that `person_ids` manage, whatever the agency.
pub async fn agencies_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_ids: &[String],
) -> sqlx::Result<Vec<(String, String)>> {
    let mut q = Sql::new("SELECT person_id, agency_id FROM agency_staff WHERE person_id IN ");
    q.list(person_ids);
    q.query_as().fetch_all(ex).await
}

/// Explicit choices (person, category, subscribed) of `person_ids` for `categories`.
pub async fn category_choices_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_ids: &[String],
    categories: &[String],
) -> sqlx::Result<Vec<(String, String, i64)>> {
    let mut q = Sql::new(
        "SELECT person_id, category, subscribed FROM category_subscriptions WHERE person_id IN ",
    );
    q.list(person_ids)
        .push(" AND category IN ")
        .list(categories);
    q.query_as().fetch_all(ex).await
}

/// (id, name) of people.
pub async fn names<'c>(
    ex: impl Executor<'c, Database = Any>,
    ids: &[String],
) -> sqlx::Result<Vec<(String, String)>> {
    let mut q = Sql::new("SELECT id, name FROM people WHERE id IN ");
    q.list(ids);
    q.query_as().fetch_all(ex).await
}

/// (id, body) of comments.
pub async fn comment_bodies<'c>(
    ex: impl Executor<'c, Database = Any>,
    ids: &[String],
) -> sqlx::Result<Vec<(String, String)>> {
    let mut q = Sql::new("SELECT id, body FROM comments WHERE id IN ");
    q.list(ids);
    q.query_as().fetch_all(ex).await
}

pub struct NewNotification<'a> {
    pub id: String,
    pub person_id: &'a str,
    pub event: &'a EventRow,
    pub delivery: &'static str,
}

/// Notification rows per statement (9 values each).
const NOTIFICATIONS_PER_INSERT: usize = 100;

/// Inserts notifications, at most one per (event, person); returns the (event, person)
/// pairs inserted (not those that existed).
pub async fn insert_notifications(
    conn: &mut sqlx::AnyConnection,
    rows: &[NewNotification<'_>],
    now: i64,
) -> sqlx::Result<Vec<(String, String)>> {
    let mut inserted = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(NOTIFICATIONS_PER_INSERT) {
        let mut text = String::from(
            "INSERT INTO notifications (id, person_id, event_id, building_id, report_id, kind, delivery, emailed_at, created_at) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 9;
            if i > 0 {
                text.push_str(", ");
            }
            text.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9
            ));
        }
        text.push_str(
            " ON CONFLICT (event_id, person_id) DO NOTHING RETURNING event_id, person_id",
        );
        let mut q = sqlx::query_as::<_, (String, String)>(&text);
        for n in chunk {
            q = q
                .bind(n.id.as_str())
                .bind(n.person_id)
                .bind(n.event.id.as_str())
                .bind(n.event.building_id.as_str())
                .bind(n.event.report_id.as_deref())
                .bind(n.event.kind.as_str())
                .bind(n.delivery)
                .bind((n.delivery == "immediate").then_some(now))
                .bind(n.event.created_at);
        }
        inserted.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(inserted)
}

/// A job to queue; with a `dedup_key` it is queued once per key.
pub struct NewJob {
    pub kind: &'static str,
    pub payload: String,
    pub run_at: i64,
    pub dedup_key: Option<String>,
}

/// Job rows per statement (6 values each).
const JOBS_PER_INSERT: usize = 100;

/// Queues jobs as multi-row `INSERT`s; a job whose `dedup_key` is already queued is
/// skipped. Returns how many were queued.
pub async fn insert_jobs(
    conn: &mut sqlx::AnyConnection,
    jobs: &[NewJob],
    now: i64,
) -> sqlx::Result<u64> {
    let mut queued = 0;
    for chunk in jobs.chunks(JOBS_PER_INSERT) {
        let mut text = String::from(
            "INSERT INTO jobs (id, kind, payload, run_at, created_at, dedup_key) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 6;
            if i > 0 {
                text.push_str(", ");
            }
            text.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6
            ));
        }
        text.push_str(" ON CONFLICT (dedup_key) DO NOTHING");
        let mut q = sqlx::query(&text);
        for j in chunk {
            q = q
                .bind(super::new_id())
                .bind(j.kind)
                .bind(j.payload.as_str())
                .bind(j.run_at)
                .bind(now)
                .bind(j.dedup_key.as_deref());
        }
        queued += q.execute(&mut *conn).await?.rows_affected();
    }
    Ok(queued)
}
