//! The portfolio dashboard (D1): aggregates computed by the database (GROUP BY, COUNT,
//! ORDER BY … LIMIT), never by walking rows in Rust. A building's statistics: `stats`.

use sqlx::{Any, Executor};

use super::sql::Sql;

/// A report still waiting for its first answer, open and not removed.
const WAITING: &str =
    "r.first_response_at IS NULL AND r.status <> 'closed' AND r.removed_at IS NULL";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BuildingCounts {
    pub id: String,
    pub name: String,
    pub lots: i64,
    pub todo: i64,
    pub in_progress: i64,
    pub closed: i64,
    pub urgent_open: i64,
}

/// Reports per status and open urgent reports of each building of the agencies (those the
/// manager may see: not kept by the council filter, not removed), read from the counts the
/// triggers keep per building, status and urgency (`report_status_counts`, migration 0037).
pub async fn building_counts<'c>(
    ex: impl Executor<'c, Database = Any>,
    agencies: &[String],
) -> sqlx::Result<Vec<BuildingCounts>> {
    let mut sql = Sql::new(
        "SELECT b.id, b.name, b.lots_count AS lots, \
         CAST(COALESCE(SUM(CASE WHEN c.status = 'todo' THEN c.n END), 0) AS BIGINT) AS todo, \
         CAST(COALESCE(SUM(CASE WHEN c.status = 'in_progress' THEN c.n END), 0) AS BIGINT) AS in_progress, \
         CAST(COALESCE(SUM(CASE WHEN c.status = 'closed' THEN c.n END), 0) AS BIGINT) AS closed, \
         CAST(COALESCE(SUM(CASE WHEN c.status <> 'closed' AND c.urgent = 1 THEN c.n END), 0) AS BIGINT) AS urgent_open \
         FROM buildings b LEFT JOIN report_status_counts c \
         ON c.building_id = b.id AND c.manager_visible = 1 WHERE b.agency_id IN ",
    );
    sql.list(agencies);
    sql.push(" GROUP BY b.id, b.name, b.lots_count ORDER BY b.name, b.id");
    sql.query_as().fetch_all(ex).await
}

/// Overdue reports (waiting past their due time) per building.
pub async fn overdue_counts<'c>(
    ex: impl Executor<'c, Database = Any>,
    agencies: &[String],
    now: i64,
) -> sqlx::Result<Vec<(String, i64)>> {
    let mut sql = Sql::new(&format!(
        "SELECT r.building_id, COUNT(*) FROM reports r WHERE {WAITING} AND r.due_at < "
    ));
    sql.int(now);
    sql.push(" AND r.manager_visible = 1 AND r.building_id IN (SELECT id FROM buildings WHERE agency_id IN ");
    sql.list(agencies);
    sql.push(") GROUP BY r.building_id");
    sql.query_as().fetch_all(ex).await
}

/// Open work orders (sent, acknowledged or scheduled) per building.
pub async fn open_work_orders<'c>(
    ex: impl Executor<'c, Database = Any>,
    agencies: &[String],
) -> sqlx::Result<Vec<(String, i64)>> {
    let mut sql = Sql::new("SELECT building_id, COUNT(*) FROM work_orders WHERE agency_id IN ");
    sql.list(agencies);
    sql.push(" AND status IN ('sent', 'acknowledged', 'scheduled') GROUP BY building_id");
    sql.query_as().fetch_all(ex).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OverdueRow {
    pub report_id: String,
    pub building_id: String,
    pub building_name: String,
    pub title: String,
    pub urgent: i64,
    pub due_at: i64,
}

/// The most overdue reports first, walked along `reports_waiting_answer` (due order).
pub async fn overdue<'c>(
    ex: impl Executor<'c, Database = Any>,
    agencies: &[String],
    now: i64,
    limit: i64,
) -> sqlx::Result<Vec<OverdueRow>> {
    let mut sql = Sql::new(&format!(
        "SELECT r.id AS report_id, r.building_id, b.name AS building_name, r.title, r.urgent, \
         r.due_at FROM reports r JOIN buildings b ON b.id = r.building_id \
         WHERE {WAITING} AND r.due_at < "
    ));
    sql.int(now);
    sql.push(" AND r.manager_visible = 1 AND b.agency_id IN ");
    sql.list(agencies);
    sql.push(" ORDER BY r.due_at, r.id").limit(limit);
    sql.query_as().fetch_all(ex).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WaitingOrderRow {
    pub work_order_id: String,
    pub reference: String,
    pub building_id: String,
    pub building_name: String,
    pub report_id: String,
    pub report_title: String,
    pub status: String,
    pub created_at: i64,
    pub acknowledged_at: Option<i64>,
}

/// Work orders not acknowledged, or acknowledged without a date, oldest first.
pub async fn work_orders_waiting<'c>(
    ex: impl Executor<'c, Database = Any>,
    agencies: &[String],
    limit: i64,
) -> sqlx::Result<Vec<WaitingOrderRow>> {
    let mut sql = Sql::new(
        "SELECT w.id AS work_order_id, w.reference, w.building_id, b.name AS building_name, \
         w.report_id, r.title AS report_title, w.status, w.created_at, w.acknowledged_at \
         FROM work_orders w JOIN buildings b ON b.id = w.building_id \
         JOIN reports r ON r.id = w.report_id WHERE w.agency_id IN ",
    );
    sql.list(agencies);
    sql.push(" AND w.status IN ('sent', 'acknowledged') ORDER BY w.created_at, w.id")
        .limit(limit);
    sql.query_as().fetch_all(ex).await
}

/// People of the agencies' buildings who filed a report or wrote a comment since `since`,
/// by membership: (role, occupancy, people).
pub async fn active_people<'c>(
    ex: impl Executor<'c, Database = Any>,
    agencies: &[String],
    since: i64,
) -> sqlx::Result<Vec<(String, Option<String>, i64)>> {
    let mut sql = Sql::new(
        "SELECT m.role, m.occupancy, COUNT(DISTINCT m.person_id) FROM memberships m \
         WHERE m.building_id IN (SELECT id FROM buildings WHERE agency_id IN ",
    );
    sql.list(agencies);
    sql.push(
        ") AND (EXISTS (SELECT 1 FROM reports r WHERE r.author_id = m.person_id \
         AND r.building_id = m.building_id AND r.created_at >= ",
    );
    sql.int(since);
    sql.push(
        ") OR EXISTS (SELECT 1 FROM comments c JOIN reports r ON r.id = c.report_id \
         WHERE c.author_id = m.person_id AND r.building_id = m.building_id AND c.created_at >= ",
    );
    sql.int(since);
    sql.push(")) GROUP BY m.role, m.occupancy");
    sql.query_as().fetch_all(ex).await
}
