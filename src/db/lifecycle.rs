//! The people lifecycle: membership requests (approval), ended memberships (moving out),
//! e-mail changes and the erasure of a person's data.

use sqlx::{Any, AnyConnection, Executor};

use super::{Backend, Db};

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
         ORDER BY r.created_at, r.id LIMIT $4"
    ))
    .bind(building_id)
    .bind(at)
    .bind(id)
    .bind(limit)
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
    sqlx::query_as(
        "SELECT f.id, f.person_id, p.name, p.email, l.label AS lot, f.ended_at, p.erased_at \
         FROM past_memberships f JOIN people p ON p.id = f.person_id LEFT JOIN lots l ON l.id = f.lot_id \
         WHERE f.building_id = $1 AND (f.ended_at < $2 OR (f.ended_at = $2 AND f.id < $3)) \
         ORDER BY f.ended_at DESC, f.id DESC LIMIT $4",
    )
    .bind(building_id)
    .bind(at)
    .bind(id)
    .bind(limit)
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

/// Memberships, requests and agency roles a person still holds anywhere.
pub async fn current_ties<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM memberships WHERE person_id = $1) \
         + (SELECT COUNT(*) FROM membership_requests WHERE person_id = $1) \
         + (SELECT COUNT(*) FROM agency_staff WHERE person_id = $1)",
    )
    .bind(person_id)
    .fetch_one(ex)
    .await
}

/// Agencies this person is the only manager of.
pub async fn agencies_managed_alone<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM agency_staff s WHERE s.person_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM agency_staff o WHERE o.agency_id = s.agency_id AND o.person_id <> $1)",
    )
    .bind(person_id)
    .fetch_one(ex)
    .await
}

pub async fn erased_at<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<Option<Option<i64>>> {
    sqlx::query_scalar("SELECT erased_at FROM people WHERE id = $1")
        .bind(person_id)
        .fetch_optional(ex)
        .await
}

/// `%text%` for LIKE, with the wildcards in `text` taken literally (`ESCAPE '\'`).
fn contains_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Rows of `table` whose `column` holds any of `needles`: (id, status or '', text).
async fn rows_mentioning(
    conn: &mut AnyConnection,
    select: &str,
    column: &str,
    needles: &[String],
) -> sqlx::Result<Vec<(String, String, String)>> {
    if needles.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = super::sql::Sql::new(select);
    sql.push(" WHERE ");
    for (i, n) in needles.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        sql.push(column).push(" LIKE ");
        sql.text(&contains_pattern(n));
        sql.push(" ESCAPE '\\'");
    }
    sql.query_as().fetch_all(&mut *conn).await
}

/// Queued and sent jobs whose payload mentions any of `needles`: (id, status, payload).
pub async fn jobs_mentioning(
    conn: &mut AnyConnection,
    needles: &[String],
) -> sqlx::Result<Vec<(String, String, String)>> {
    rows_mentioning(
        conn,
        "SELECT id, status, payload FROM jobs",
        "payload",
        needles,
    )
    .await
}

pub async fn set_job_payload<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    payload: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE jobs SET payload = $2 WHERE id = $1")
        .bind(id)
        .bind(payload)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn delete_job<'c>(ex: impl Executor<'c, Database = Any>, id: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM jobs WHERE id = $1")
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}

/// Audit lines whose detail mentions any of `needles`: (id, '', detail).
pub async fn audit_mentioning(
    conn: &mut AnyConnection,
    needles: &[String],
) -> sqlx::Result<Vec<(String, String, String)>> {
    rows_mentioning(
        conn,
        "SELECT id, '' AS status, detail FROM audit_log",
        "detail",
        needles,
    )
    .await
}

pub async fn set_audit_detail<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    detail: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE audit_log SET detail = $2 WHERE id = $1")
        .bind(id)
        .bind(detail)
        .execute(ex)
        .await?;
    Ok(())
}

/// Removes everything that identifies a person or lets anyone act as them, and blanks
/// their row; what they wrote stays, pointing at the blank row.
pub async fn erase_person(
    conn: &mut AnyConnection,
    person_id: &str,
    old_email: &str,
    placeholder_email: &str,
    now: i64,
) -> sqlx::Result<()> {
    for statement in [
        "DELETE FROM sessions WHERE person_id = $1",
        "DELETE FROM api_tokens WHERE person_id = $1",
        "DELETE FROM password_resets WHERE person_id = $1",
        "DELETE FROM email_changes WHERE person_id = $1",
        "DELETE FROM notification_settings WHERE person_id = $1",
        "DELETE FROM category_subscriptions WHERE person_id = $1",
        "DELETE FROM report_followers WHERE person_id = $1",
        "DELETE FROM notifications WHERE person_id = $1",
        "DELETE FROM provider_favorites WHERE person_id = $1",
        "DELETE FROM charter_acceptances WHERE person_id = $1",
        "DELETE FROM membership_requests WHERE person_id = $1",
        "DELETE FROM memberships WHERE person_id = $1",
        "DELETE FROM agency_staff WHERE person_id = $1",
    ] {
        sqlx::query(statement)
            .bind(person_id)
            .execute(&mut *conn)
            .await?;
    }
    for statement in [
        "DELETE FROM login_failures WHERE email = $1",
        "DELETE FROM login_unlocks WHERE email = $1",
    ] {
        sqlx::query(statement)
            .bind(old_email)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(
        "UPDATE people SET name = '', email = $2, password_hash = '', phone = '', erased_at = $3 \
         WHERE id = $1",
    )
    .bind(person_id)
    .bind(placeholder_email)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// SQLite: moves the write-ahead log into the database file and empties it, so erased
/// data does not linger in the `-wal` file (with `secure_delete`, the freed space in the
/// database is zeroed). Retried while readers hold old snapshots. Nothing on PostgreSQL.
pub async fn checkpoint(db: &Db) -> sqlx::Result<bool> {
    if db.backend != Backend::Sqlite {
        return Ok(true);
    }
    for _ in 0..20 {
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&db.pool)
            .await?;
        if busy == 0 {
            return Ok(true);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Ok(false)
}

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
