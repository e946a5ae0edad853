//! Due times of first answers (service levels, D4).

use sqlx::{Any, Executor};

use super::agencies::{AGENCY_COLUMNS, AgencyRow};

/// The agency managing a building, with its targets.
pub async fn agency_of_building<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
) -> sqlx::Result<Option<AgencyRow>> {
    sqlx::query_as(&format!(
        "SELECT {AGENCY_COLUMNS} FROM agencies WHERE id = \
         (SELECT agency_id FROM buildings WHERE id = $1)"
    ))
    .bind(building_id)
    .fetch_optional(ex)
    .await
}

const WAITING: &str = "first_response_at IS NULL AND status <> 'closed' AND removed_at IS NULL";

/// Calendar hours: the due time is the filing time plus the target, for every report of the
/// agency still waiting for its first answer.
pub async fn set_calendar_due<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
    normal_ms: i64,
    urgent_ms: i64,
) -> sqlx::Result<u64> {
    let done = sqlx::query(&format!(
        "UPDATE reports SET due_at = created_at + CASE WHEN urgent = 1 THEN $3 ELSE $2 END \
         WHERE {WAITING} AND building_id IN (SELECT id FROM buildings WHERE agency_id = $1)"
    ))
    .bind(agency_id)
    .bind(normal_ms)
    .bind(urgent_ms)
    .execute(ex)
    .await?;
    Ok(done.rows_affected())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WaitingRow {
    pub id: String,
    pub created_at: i64,
    pub urgent: i64,
}

/// A page (by id) of the agency's reports still waiting for their first answer.
pub async fn waiting_page<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
    after_id: &str,
    limit: i64,
) -> sqlx::Result<Vec<WaitingRow>> {
    sqlx::query_as(&format!(
        "SELECT id, created_at, urgent FROM reports WHERE {WAITING} AND id > $2 \
         AND building_id IN (SELECT id FROM buildings WHERE agency_id = $1) ORDER BY id LIMIT {limit}"
    ))
    .bind(agency_id)
    .bind(after_id)
    .fetch_all(ex)
    .await
}

pub async fn set_due<'c>(
    ex: impl Executor<'c, Database = Any>,
    report_id: &str,
    due_at: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE reports SET due_at = $2 WHERE id = $1")
        .bind(report_id)
        .bind(due_at)
        .execute(ex)
        .await?;
    Ok(())
}

/// The staff of an agency who chose the daily digest, with their time zone (the digest
/// lists the overdue reports).
pub async fn digest_staff<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT p.id, p.timezone FROM agency_staff s JOIN people p ON p.id = s.person_id \
         JOIN notification_settings n ON n.person_id = p.id \
         WHERE s.agency_id = $1 AND n.mode = 'digest'",
    )
    .bind(agency_id)
    .fetch_all(ex)
    .await
}
