//! The people lifecycle: membership requests (approval) and ended memberships (moving out).

use sqlx::{Any, AnyConnection, Executor};

pub async fn needs_approval<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
) -> sqlx::Result<bool> {
    let flag: Option<i64> =
        sqlx::query_scalar("SELECT needs_approval FROM buildings WHERE id = $1")
            .bind(building_id)
            .fetch_optional(ex)
            .await?;
    Ok(flag.unwrap_or(0) != 0)
}

pub async fn set_needs_approval<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
    on: bool,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE buildings SET needs_approval = $2 WHERE id = $1")
        .bind(building_id)
        .bind(super::flag(on))
        .execute(ex)
        .await?;
    Ok(())
}

pub struct NewRequest<'a> {
    pub person_id: &'a str,
    pub building_id: &'a str,
    pub lot_id: Option<&'a str>,
    pub occupancy: &'a str,
    pub now: i64,
}

pub async fn insert_request<'c>(
    ex: impl Executor<'c, Database = Any>,
    r: NewRequest<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO membership_requests (id, person_id, building_id, lot_id, occupancy, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(super::new_id())
    .bind(r.person_id)
    .bind(r.building_id)
    .bind(r.lot_id)
    .bind(r.occupancy)
    .bind(r.now)
    .execute(ex)
    .await?;
    Ok(())
}

/// One person waiting for approval, as the list shows them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestRow {
    pub id: String,
    pub person_id: String,
    pub name: String,
    pub email: String,
    pub lot_id: Option<String>,
    pub lot: Option<String>,
    pub occupancy: String,
    pub created_at: i64,
}

const REQUEST_SELECT: &str = "SELECT r.id, r.person_id, p.name, p.email, r.lot_id, l.label AS lot, \
     r.occupancy, r.created_at FROM membership_requests r JOIN people p ON p.id = r.person_id \
     LEFT JOIN lots l ON l.id = r.lot_id";

/// A building's requests, oldest first, after the `(created_at, id)` cursor (on
/// `membership_requests_building`).
pub async fn requests_of_building<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
    after: Option<(i64, &str)>,
    limit: i64,
) -> sqlx::Result<Vec<RequestRow>> {
    let (at, id) = after.unwrap_or((i64::MIN, ""));
    sqlx::query_as(&format!(
        "{REQUEST_SELECT} WHERE r.building_id = $1 AND (r.created_at > $2 OR (r.created_at = $2 AND r.id > $3)) \
         ORDER BY r.created_at, r.id LIMIT {limit}"
    ))
    .bind(building_id)
    .bind(at)
    .bind(id)
    .fetch_all(ex)
    .await
}

pub async fn request_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
    person_id: &str,
) -> sqlx::Result<Option<RequestRow>> {
    sqlx::query_as(&format!(
        "{REQUEST_SELECT} WHERE r.building_id = $1 AND r.person_id = $2"
    ))
    .bind(building_id)
    .bind(person_id)
    .fetch_optional(ex)
    .await
}

pub async fn delete_request<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM membership_requests WHERE id = $1")
        .bind(id)
        .execute(ex)
        .await?
        .rows_affected())
}

/// The buildings a person waits to join: (building id, building name).
pub async fn pending_of_person<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT b.id, b.name FROM membership_requests r JOIN buildings b ON b.id = r.building_id \
         WHERE r.person_id = $1 ORDER BY r.created_at",
    )
    .bind(person_id)
    .fetch_all(ex)
    .await
}

/// How many people wait to join a building (on `membership_requests_building`).
pub async fn count_requests<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM membership_requests WHERE building_id = $1")
        .bind(building_id)
        .fetch_one(ex)
        .await
}

/// A person's ended residences, for their export: (building id, building name, started,
/// ended), on `past_memberships_person`.
pub async fn past_of_person<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<Vec<(String, String, i64, i64)>> {
    sqlx::query_as(
        "SELECT f.building_id, b.name, f.started_at, f.ended_at FROM past_memberships f \
         JOIN buildings b ON b.id = f.building_id WHERE f.person_id = $1 ORDER BY f.ended_at",
    )
    .bind(person_id)
    .fetch_all(ex)
    .await
}

/// Moves a person's resident memberships in a building (occupant, referent) to the past;
/// returns how many there were. Landlord links are not a residence and stay.
pub async fn end_residence(
    conn: &mut AnyConnection,
    building_id: &str,
    person_id: &str,
    ended_by: &str,
    now: i64,
) -> sqlx::Result<u64> {
    sqlx::query(
        "INSERT INTO past_memberships (id, person_id, building_id, role, occupancy, lot_id, started_at, ended_at, ended_by) \
         SELECT id, person_id, building_id, role, occupancy, lot_id, created_at, $3, $4 FROM memberships \
         WHERE building_id = $1 AND person_id = $2 AND role IN ('occupant', 'referent')",
    )
    .bind(building_id)
    .bind(person_id)
    .bind(now)
    .bind(ended_by)
    .execute(&mut *conn)
    .await?;
    let done = sqlx::query(
        "DELETE FROM memberships WHERE building_id = $1 AND person_id = $2 AND role IN ('occupant', 'referent')",
    )
    .bind(building_id)
    .bind(person_id)
    .execute(&mut *conn)
    .await?;
    // Following is a way of seeing: it ends with the residence.
    sqlx::query(
        "DELETE FROM report_followers WHERE person_id = $1 \
         AND report_id IN (SELECT id FROM reports WHERE building_id = $2)",
    )
    .bind(person_id)
    .bind(building_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// A resident's lot and occupancy as stored, with the lot's label.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResidenceRow {
    pub lot_id: Option<String>,
    pub lot: Option<String>,
    pub occupancy: Option<String>,
}

pub async fn residence<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
    person_id: &str,
) -> sqlx::Result<Option<ResidenceRow>> {
    sqlx::query_as(
        "SELECT m.lot_id, l.label AS lot, m.occupancy FROM memberships m LEFT JOIN lots l ON l.id = m.lot_id \
         WHERE m.building_id = $1 AND m.person_id = $2 AND m.role IN ('occupant', 'referent')",
    )
    .bind(building_id)
    .bind(person_id)
    .fetch_all(ex)
    .await
    .map(|rows| rows.into_iter().next())
}

pub async fn update_residence<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
    person_id: &str,
    lot_id: &str,
    occupancy: &str,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE memberships SET lot_id = $3, occupancy = $4 \
         WHERE building_id = $1 AND person_id = $2 AND role IN ('occupant', 'referent')",
    )
    .bind(building_id)
    .bind(person_id)
    .bind(lot_id)
    .bind(occupancy)
    .execute(ex)
    .await?
    .rows_affected())
}

/// Someone who lived in a building, as the former residents list shows them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FormerRow {
    pub id: String,
    pub person_id: String,
    pub name: String,
    pub email: String,
    pub lot: Option<String>,
    pub ended_at: i64,
    pub erased_at: Option<i64>,
}

/// A building's former residents, most recent departure first, after the
/// `(ended_at, id)` cursor (on `past_memberships_building`).
pub async fn former_of_building<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
    before: Option<(i64, &str)>,
    limit: i64,
) -> sqlx::Result<Vec<FormerRow>> {
    // No departure is at i64::MAX, so the first page needs no id bound.
    let (at, id) = before.unwrap_or((i64::MAX, ""));
    sqlx::query_as(&format!(
        "SELECT f.id, f.person_id, p.name, p.email, l.label AS lot, f.ended_at, p.erased_at \
         FROM past_memberships f JOIN people p ON p.id = f.person_id LEFT JOIN lots l ON l.id = f.lot_id \
         WHERE f.building_id = $1 AND (f.ended_at < $2 OR (f.ended_at = $2 AND f.id < $3)) \
         ORDER BY f.ended_at DESC, f.id DESC LIMIT {limit}",
    ))
    .bind(building_id)
    .bind(at)
    .bind(id)
    .fetch_all(ex)
    .await
}

pub async fn lived_in<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
    person_id: &str,
) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM past_memberships WHERE building_id = $1 AND person_id = $2",
    )
    .bind(building_id)
    .bind(person_id)
    .fetch_one(ex)
    .await?;
    Ok(n > 0)
}

/// A manager told of a departure, with what an e-mail needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ManagerRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub lang: String,
}

/// Records that someone moved out (an event already dispatched: the notifications are
/// written here) and gives each manager of the building's agency an in-app notification.
/// Returns the managers, for their e-mails.
pub async fn notify_departure(
    conn: &mut AnyConnection,
    event_id: &str,
    building_id: &str,
    person_id: &str,
    lot: &str,
    now: i64,
) -> sqlx::Result<Vec<ManagerRow>> {
    sqlx::query(
        "INSERT INTO events (id, kind, building_id, actor_id, detail, created_at, dispatched_at) \
         VALUES ($1, 'member_left', $2, $3, $4, $5, $5)",
    )
    .bind(event_id)
    .bind(building_id)
    .bind(person_id)
    .bind(lot)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO notifications (id, person_id, event_id, building_id, kind, delivery, emailed_at, created_at) \
         SELECT e.id || '-' || s.person_id, s.person_id, e.id, b.id, 'member_left', 'immediate', $3, $3 \
         FROM events e JOIN buildings b ON b.id = e.building_id \
         JOIN agency_staff s ON s.agency_id = b.agency_id \
         WHERE e.id = $1 AND b.id = $2 AND s.person_id <> $4",
    )
    .bind(event_id)
    .bind(building_id)
    .bind(now)
    .bind(person_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query_as(
        "SELECT p.id, p.email, p.name, p.lang FROM agency_staff s \
         JOIN buildings b ON b.agency_id = s.agency_id JOIN people p ON p.id = s.person_id \
         WHERE b.id = $1 AND s.person_id <> $2 AND p.erased_at IS NULL ORDER BY p.id",
    )
    .bind(building_id)
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await
}
