//! Private calendar feeds (X2) and what they list: planned interventions and poll
//! closing dates of a set of buildings, in a window of time.

use sqlx::{Any, Executor};

use super::sql::Sql;

/// The person's feed token, if they have one.
pub async fn token_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT token FROM calendar_feeds WHERE person_id = $1")
        .bind(person_id)
        .fetch_optional(ex)
        .await
}

/// Gives the person a feed unless they have one; returns the token in place.
pub async fn ensure<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    token: &str,
    now: i64,
) -> sqlx::Result<String> {
    sqlx::query_scalar(
        "INSERT INTO calendar_feeds (person_id, token, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (person_id) DO UPDATE SET person_id = excluded.person_id RETURNING token",
    )
    .bind(person_id)
    .bind(token)
    .bind(now)
    .fetch_one(ex)
    .await
}

/// Revokes the person's feed; true when there was one.
pub async fn revoke<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM calendar_feeds WHERE person_id = $1")
        .bind(person_id)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Whose feed a token opens.
pub async fn person_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    token: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT person_id FROM calendar_feeds WHERE token = $1")
        .bind(token)
        .fetch_optional(ex)
        .await
}

/// A planned intervention, with what authorization needs about its report.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InterventionRow {
    pub work_order_id: String,
    pub reference: String,
    pub scheduled_for: i64,
    pub status: String,
    pub report_id: String,
    pub title: String,
    pub author_id: String,
    pub concerned_id: String,
    pub lot_id: Option<String>,
    pub removed_at: Option<i64>,
    pub manager_visible: i64,
    pub building_id: String,
    pub provider_company: String,
}

/// Interventions planned in these buildings between `from` and `to` (ms), by date, at most
/// `limit`; from the partial index `work_orders_planned`.
pub async fn interventions<'c>(
    ex: impl Executor<'c, Database = Any>,
    buildings: &[String],
    (from, to): (i64, i64),
    limit: i64,
) -> sqlx::Result<Vec<InterventionRow>> {
    if buildings.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT w.id AS work_order_id, w.reference, w.scheduled_for, w.status, r.id AS report_id, r.title, \
         r.author_id, r.concerned_id, r.lot_id, r.removed_at, r.manager_visible, w.building_id, \
         p.company AS provider_company \
         FROM work_orders w JOIN reports r ON r.id = w.report_id JOIN providers p ON p.id = w.provider_id \
         WHERE w.building_id IN ",
    );
    sql.list(buildings)
        .push(" AND w.scheduled_for IS NOT NULL AND w.scheduled_for >= ")
        .int(from)
        .push(" AND w.scheduled_for < ")
        .int(to)
        .push(" AND w.status <> 'cancelled' ORDER BY w.scheduled_for, w.id")
        .limit(limit);
    sql.query_as().fetch_all(ex).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PollClosingRow {
    pub id: String,
    pub building_id: String,
    pub title: String,
    pub closes_at: i64,
}

/// Published polls of these buildings closing between `from` and `to`, by date.
pub async fn poll_closings<'c>(
    ex: impl Executor<'c, Database = Any>,
    buildings: &[String],
    (from, to): (i64, i64),
    limit: i64,
) -> sqlx::Result<Vec<PollClosingRow>> {
    if buildings.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql =
        Sql::new("SELECT id, building_id, title, closes_at FROM polls WHERE building_id IN ");
    sql.list(buildings)
        .push(" AND closes_at IS NOT NULL AND closes_at >= ")
        .int(from)
        .push(" AND closes_at < ")
        .int(to)
        .push(" AND status <> 'draft' ORDER BY closes_at, id")
        .limit(limit);
    sql.query_as().fetch_all(ex).await
}
