//! The portfolio dashboard (D1) and a building's statistics (D2, D3): aggregates computed by
//! the database (GROUP BY, COUNT, ORDER BY … LIMIT), never by walking rows in Rust.

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
/// manager may see: not kept by the council filter, not removed); `reports_counts` covers it.
pub async fn building_counts<'c>(
    ex: impl Executor<'c, Database = Any>,
    agencies: &[String],
) -> sqlx::Result<Vec<BuildingCounts>> {
    let mut sql = Sql::new(
        "SELECT b.id, b.name, b.lots_count AS lots, \
         COALESCE(c.todo, 0) AS todo, COALESCE(c.in_progress, 0) AS in_progress, \
         COALESCE(c.closed, 0) AS closed, COALESCE(c.urgent_open, 0) AS urgent_open \
         FROM buildings b LEFT JOIN (SELECT r.building_id, \
           SUM(CASE WHEN r.status = 'todo' THEN 1 ELSE 0 END) AS todo, \
           SUM(CASE WHEN r.status = 'in_progress' THEN 1 ELSE 0 END) AS in_progress, \
           SUM(CASE WHEN r.status = 'closed' THEN 1 ELSE 0 END) AS closed, \
           SUM(CASE WHEN r.status <> 'closed' AND r.urgent = 1 THEN 1 ELSE 0 END) AS urgent_open \
           FROM reports r WHERE r.manager_visible = 1 AND r.removed_at IS NULL AND r.building_id IN \
           (SELECT id FROM buildings WHERE agency_id IN ",
    );
    sql.list(agencies);
    sql.push(") GROUP BY r.building_id) c ON c.building_id = b.id WHERE b.agency_id IN ");
    sql.list(agencies);
    sql.push(" ORDER BY b.name, b.id");
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
    sql.push(" ORDER BY r.due_at, r.id LIMIT ");
    sql.int(limit);
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
    sql.push(" AND w.status IN ('sent', 'acknowledged') ORDER BY w.created_at, w.id LIMIT ");
    sql.int(limit);
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

/// The reports a building's statistics count: created in [from, to), not removed, and for
/// a manager only those the council filter lets through.
fn period(sql: &mut Sql, building_id: &str, from: i64, to: i64, council_too: bool) {
    sql.push(" FROM reports r WHERE r.building_id = ");
    sql.text(building_id);
    sql.push(" AND r.created_at >= ");
    sql.int(from);
    sql.push(" AND r.created_at < ");
    sql.int(to);
    sql.push(" AND r.removed_at IS NULL");
    if !council_too {
        sql.push(" AND r.manager_visible = 1");
    }
}

/// Reports per period slot: `bounds` are the slots' starts (ascending) and the last end;
/// returns (slot index, count) for the slots that have reports.
pub async fn per_slot<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
    bounds: &[i64],
    council_too: bool,
) -> sqlx::Result<Vec<(i64, i64)>> {
    let (Some(first), Some(last)) = (bounds.first(), bounds.last()) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new("SELECT CAST(CASE");
    for (i, end) in bounds.iter().enumerate().skip(1) {
        sql.push(" WHEN r.created_at < ");
        sql.int(*end);
        sql.push(&format!(" THEN {}", i - 1));
    }
    sql.push(" END AS BIGINT) AS slot, COUNT(*)");
    period(&mut sql, building_id, *first, *last, council_too);
    sql.push(" GROUP BY 1 ORDER BY 1");
    sql.query_as().fetch_all(ex).await
}

pub async fn per_category<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
    from: i64,
    to: i64,
    council_too: bool,
) -> sqlx::Result<Vec<(String, i64)>> {
    let mut sql = Sql::new("SELECT r.category, COUNT(*)");
    period(&mut sql, building_id, from, to, council_too);
    sql.push(" GROUP BY r.category ORDER BY 2 DESC, 1");
    sql.query_as().fetch_all(ex).await
}

/// Which duration a median is taken of.
#[derive(Debug, Clone, Copy)]
pub enum Duration {
    FirstAnswer,
    Close,
}

/// The period's counts in one pass: reports answered, reports closed, first answers given by
/// the due time, and reports judged (answered, or past their due time without an answer).
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Summary {
    pub answered: i64,
    pub closed: i64,
    pub on_time: i64,
    pub judged: i64,
}

pub async fn summary<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
    from: i64,
    to: i64,
    council_too: bool,
    now: i64,
) -> sqlx::Result<Summary> {
    let mut sql = Sql::new(
        "SELECT COUNT(r.first_response_at) AS answered, COUNT(r.closed_at) AS closed, \
         COALESCE(SUM(CASE WHEN r.first_response_at <= r.due_at THEN 1 ELSE 0 END), 0) AS on_time, \
         COALESCE(SUM(CASE WHEN r.due_at IS NOT NULL AND (r.first_response_at IS NOT NULL OR r.due_at < ",
    );
    sql.int(now);
    sql.push(") THEN 1 ELSE 0 END), 0) AS judged");
    period(&mut sql, building_id, from, to, council_too);
    sql.query_as().fetch_one(ex).await
}

/// The median of a duration (ms) over the `n` reports of the period that have it: the
/// middle one or two values by ORDER BY … LIMIT 2 OFFSET (read from `reports_created`).
pub async fn median_ms<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
    from: i64,
    to: i64,
    council_too: bool,
    which: Duration,
    n: i64,
) -> sqlx::Result<Option<f64>> {
    if n <= 0 {
        return Ok(None);
    }
    let (expr, present) = match which {
        Duration::FirstAnswer => ("r.first_response_at - r.created_at", "r.first_response_at"),
        Duration::Close => ("r.closed_at - r.created_at", "r.closed_at"),
    };
    let mut sql = Sql::new(&format!("SELECT {expr} AS d"));
    period(&mut sql, building_id, from, to, council_too);
    sql.push(&format!(" AND {present} IS NOT NULL ORDER BY 1 LIMIT "));
    sql.int(if n % 2 == 0 { 2 } else { 1 });
    sql.push(" OFFSET ");
    sql.int((n - 1) / 2);
    let middle: Vec<i64> = sql.query_scalar().fetch_all(ex).await?;
    if middle.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        middle.iter().map(|v| *v as f64).sum::<f64>() / middle.len() as f64,
    ))
}

/// Categories that come back at the same place: (category, place, count), twice or more.
pub async fn recurrent<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
    from: i64,
    to: i64,
    council_too: bool,
) -> sqlx::Result<Vec<(String, String, i64)>> {
    let mut sql = Sql::new("SELECT r.category, r.location_part, COUNT(*)");
    period(&mut sql, building_id, from, to, council_too);
    sql.push(
        " GROUP BY r.category, r.location_part HAVING COUNT(*) >= 2 ORDER BY 3 DESC, 1, 2 LIMIT 20",
    );
    sql.query_as().fetch_all(ex).await
}
