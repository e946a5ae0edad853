//! Reports, followers, comments, photos, events and reply templates.

use sqlx::{Any, Executor};

use super::Backend;
use super::search::Reach;
use super::sql::Sql;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub id: String,
    pub building_id: String,
    pub author_id: String,
    pub author_name: String,
    pub concerned_id: String,
    pub concerned_name: String,
    pub lot_id: Option<String>,
    pub category: String,
    pub title: String,
    pub description: String,
    pub location_part: String,
    pub location_floor: String,
    pub location_detail: String,
    pub urgent: i64,
    pub status: String,
    pub manager_visible: i64,
    pub removed_at: Option<i64>,
    pub removed_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub first_response_at: Option<i64>,
    pub closed_at: Option<i64>,
    /// When the first staff answer is due (service levels, D4).
    pub due_at: Option<i64>,
    pub photo_count: i64,
    pub follower_count: i64,
    /// The staff member the report is assigned to (D5).
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
}

const REPORT_SELECT: &str = "SELECT r.id, r.building_id, r.author_id, a.name AS author_name, r.concerned_id, \
     c.name AS concerned_name, r.lot_id, r.category, r.title, r.description, r.location_part, r.location_floor, \
     r.location_detail, r.urgent, r.status, r.manager_visible, r.removed_at, r.removed_reason, r.created_at, \
     r.updated_at, r.first_response_at, r.closed_at, r.due_at, \
     r.photo_count, r.follower_count, r.assignee_id, s.name AS assignee_name \
     FROM reports r JOIN people a ON a.id = r.author_id JOIN people c ON c.id = r.concerned_id \
     LEFT JOIN people s ON s.id = r.assignee_id";

pub struct NewReport<'a> {
    pub id: &'a str,
    pub building_id: &'a str,
    pub author_id: &'a str,
    pub concerned_id: &'a str,
    pub lot_id: Option<&'a str>,
    pub category: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub location_part: &'a str,
    pub location_floor: &'a str,
    pub location_detail: &'a str,
    pub urgent: bool,
    pub manager_visible: bool,
    /// Folded; stored as the backend's index compares it ([`super::search::index_text`]).
    pub search_text: &'a str,
    pub due_at: i64,
    pub now: i64,
}

pub async fn insert<'c>(
    ex: impl Executor<'c, Database = Any>,
    backend: Backend,
    r: NewReport<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO reports (id, building_id, author_id, concerned_id, lot_id, category, title, description, \
         location_part, location_floor, location_detail, urgent, manager_visible, search_text, created_at, updated_at, \
         search_version, due_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, $17)",
    )
    .bind(r.id)
    .bind(r.building_id)
    .bind(r.author_id)
    .bind(r.concerned_id)
    .bind(r.lot_id)
    .bind(r.category)
    .bind(r.title)
    .bind(r.description)
    .bind(r.location_part)
    .bind(r.location_floor)
    .bind(r.location_detail)
    .bind(super::flag(r.urgent))
    .bind(super::flag(r.manager_visible))
    .bind(super::search::index_text(backend, r.search_text))
    .bind(r.now)
    .bind(super::search::VERSION)
    .bind(r.due_at)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn by_id<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<ReportRow>> {
    sqlx::query_as(&format!("{REPORT_SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// Reports by id, in no particular order (the ids in one `IN` list: keep it to a few
/// hundred).
pub async fn by_ids<'c>(
    ex: impl Executor<'c, Database = Any>,
    ids: &[String],
) -> sqlx::Result<Vec<ReportRow>> {
    let mut q = super::sql::Sql::new(REPORT_SELECT);
    q.push(" WHERE r.id IN ").list(ids);
    q.query_as().fetch_all(ex).await
}

/// Which reports of a building a person may list.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Referents: everything, removed reports included.
    Everything,
    /// Managers: all but what the council filter keeps from them.
    ManagerVisible,
    /// Occupants: all but removed reports.
    NotRemoved,
    /// Landlords: their lots' reports and their own.
    Lots {
        lots: Vec<String>,
        person_id: String,
    },
}

fn push_scope(sql: &mut Sql, scope: &Scope) {
    match scope {
        Scope::Everything => {}
        Scope::ManagerVisible => {
            sql.push(" AND r.manager_visible = 1");
        }
        Scope::NotRemoved => {
            sql.push(" AND r.removed_at IS NULL");
        }
        Scope::Lots { lots, person_id } => {
            sql.push(" AND r.removed_at IS NULL AND (r.lot_id IN ")
                .list(lots)
                .push(" OR r.author_id = ");
            sql.text(person_id)
                .push(" OR r.concerned_id = ")
                .text(person_id)
                .push(")");
        }
    }
}

fn push_search(sql: &mut Sql, backend: Backend, terms: &[String], any: bool, reach: Reach) {
    match backend {
        Backend::Sqlite => {
            sql.push(" AND r.rowid IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH ");
            sql.text(&super::search::fts5_query(terms, any, reach))
                .push(")");
        }
        Backend::Postgres => {
            sql.push(" AND r.search @@ to_tsquery('french', ");
            sql.text(&super::search::tsquery(terms, any, reach))
                .push(")");
        }
    }
}

pub struct BoardQuery<'a> {
    pub building_id: &'a str,
    pub status: Option<&'a str>,
    pub terms: &'a [String],
    /// The indexed columns the reader's search may look into.
    pub reach: Reach,
    pub scope: &'a Scope,
    /// Only the reports assigned to this person (`reports_assigned`).
    pub assignee: Option<&'a str>,
    /// Only the reports still waiting for a first answer past their due time at this
    /// instant (`reports_overdue_board`).
    pub overdue_at: Option<i64>,
    /// Continue after this (updated_at, id).
    pub after: Option<(i64, String)>,
    pub limit: i64,
}

/// How many reports, in board order, a search checks one by one before it turns to the
/// full-text index: a first window, then a wider one when matches are sparse near the top.
const SEARCH_WINDOWS: [i64; 2] = [2_000, 20_000];

/// How a page of the board is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BoardPlan {
    /// No search: along an index matching the filters and the order.
    Ordered,
    /// Search, first tries: along the same index, each report checked for the words, no
    /// further than `updated_at >= bound` (the next [`SEARCH_WINDOWS`] reports). Enough
    /// when matches are common: the case where collecting and sorting every match costs
    /// most.
    Window(Option<i64>),
    /// Search, when the windows held less than a page: every full-text match from the
    /// full-text index (FTS5, GIN), joined to its report and sorted; matches are rare then.
    FullText,
}

/// Newest activity first; keyset pagination on (updated_at, id). The filters and the
/// order match an index (`reports_board` with a status, `reports_recent` without), so a
/// page reads about `limit` rows whatever the size of the building; a search reads at
/// most the [`SEARCH_WINDOWS`], or its matches when they are rarer than that.
pub async fn board(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    q: BoardQuery<'_>,
) -> sqlx::Result<Vec<ReportRow>> {
    if q.terms.is_empty() {
        let sql = board_sql(&q, backend, BoardPlan::Ordered);
        return sql.query_as().fetch_all(conn).await;
    }
    for (i, window) in SEARCH_WINDOWS.into_iter().enumerate() {
        if i > 0 && !common_words(&mut *conn, backend, q.terms).await? {
            // Rare words: their matches, from the full-text index, cost less than a
            // wider window.
            break;
        }
        // Where the window ends: the window-th report after the cursor, read from the
        // index alone. None: the rest of the board is smaller than the window.
        let mut sql = Sql::new("SELECT r.updated_at FROM reports r");
        push_board_filters(&mut sql, &q);
        sql.push(BOARD_ORDER)
            .limit(1)
            .push(&format!(" OFFSET {window}"));
        let bound: Option<i64> = sql.query_scalar().fetch_optional(&mut *conn).await?;
        let rows: Vec<ReportRow> = board_sql(&q, backend, BoardPlan::Window(bound))
            .query_as()
            .fetch_all(&mut *conn)
            .await?;
        if rows.len() as i64 >= q.limit || bound.is_none() {
            // The window is a prefix of the board's order: its first matches are the
            // page (or, without a bound, all there is).
            return Ok(rows);
        }
    }
    board_sql(&q, backend, BoardPlan::FullText)
        .query_as()
        .fetch_all(conn)
        .await
}

/// Whether the words, taken whole, are in at least [`COMMON_MATCHES`] reports (of any
/// building). Whole words, not prefixes: both full-text indexes then stop counting at the
/// cap instead of gathering every match of a prefix first.
async fn common_words(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    terms: &[String],
) -> sqlx::Result<bool> {
    let sql = match backend {
        Backend::Sqlite => {
            let query: Vec<String> = super::search::index_terms(backend, terms)
                .iter()
                .map(|t| format!("\"{t}\""))
                .collect();
            let mut sql = Sql::new(
                "SELECT COUNT(*) FROM (SELECT 1 FROM reports_fts WHERE reports_fts MATCH ",
            );
            sql.text(&query.join(" "));
            sql
        }
        Backend::Postgres => {
            let mut sql = Sql::new(
                "SELECT COUNT(*) FROM (SELECT 1 FROM reports r WHERE r.search @@ to_tsquery('french', ",
            );
            sql.text(&terms.join(" & ")).push(")");
            sql
        }
    };
    let mut sql = sql;
    sql.limit(COMMON_MATCHES).push(") m");
    let n: i64 = sql.query_scalar().fetch_one(conn).await?;
    Ok(n >= COMMON_MATCHES)
}

/// From this many whole-word matches on, a search widens its window along the board.
const COMMON_MATCHES: i64 = 2_000;

const BOARD_ORDER: &str = " ORDER BY r.updated_at DESC, r.id DESC";

fn board_sql(q: &BoardQuery<'_>, backend: Backend, plan: BoardPlan) -> Sql {
    let mut sql = if plan == BoardPlan::FullText && backend == Backend::Sqlite {
        // CROSS JOIN keeps SQLite from walking the board's index and probing the
        // matches: here the matches are few and drive the query.
        Sql::new(&REPORT_SELECT.replace(
            " FROM reports r",
            " FROM reports_fts f CROSS JOIN reports r ON r.rowid = f.rowid",
        ))
    } else {
        Sql::new(REPORT_SELECT)
    };
    push_board_filters(&mut sql, q);
    push_scope(&mut sql, q.scope);
    match (plan, backend) {
        (BoardPlan::Ordered, _) => {}
        (BoardPlan::Window(bound), _) => {
            if let Some(bound) = bound {
                sql.push(" AND r.updated_at >= ").int(bound);
            }
            match backend {
                Backend::Sqlite => push_words(&mut sql, q.terms, q.reach),
                Backend::Postgres => {
                    // `IS TRUE` keeps the test off the GIN index: otherwise the planner
                    // ANDs every match of a common word with the window, then sorts.
                    sql.push(" AND (r.search @@ to_tsquery('french', ");
                    sql.text(&super::search::tsquery(q.terms, false, q.reach))
                        .push(")) IS TRUE");
                }
            }
        }
        (BoardPlan::FullText, Backend::Sqlite) => {
            sql.push(" AND reports_fts MATCH ");
            sql.text(&super::search::fts5_query(q.terms, false, q.reach));
        }
        (BoardPlan::FullText, Backend::Postgres) => {
            push_search(&mut sql, backend, q.terms, false, q.reach);
            // An order no index gives: the planner reads the matches from the GIN index
            // and sorts them, instead of walking the board for rare words.
            sql.push(" ORDER BY r.updated_at + 0 DESC, r.id DESC")
                .limit(q.limit);
            return sql;
        }
    }
    sql.push(BOARD_ORDER).limit(q.limit);
    sql
}

/// Building, status and cursor: the columns of the board's indexes.
fn push_board_filters(sql: &mut Sql, q: &BoardQuery<'_>) {
    sql.push(" WHERE r.building_id = ").text(q.building_id);
    if let Some(status) = q.status {
        sql.push(" AND r.status = ").text(status);
    }
    if let Some(person) = q.assignee {
        sql.push(" AND r.assignee_id = ").text(person);
    }
    if let Some(now) = q.overdue_at {
        // The partial index's own predicate, so both planners pick it.
        sql.push(
            " AND r.first_response_at IS NULL AND r.status <> 'closed' AND r.removed_at IS NULL \
             AND r.due_at < ",
        )
        .int(now);
    }
    if let Some((at, id)) = &q.after {
        // A plain range on the index's next column, then the tie-break: both databases
        // seek straight to the cursor instead of filtering from the top.
        sql.push(" AND r.updated_at <= ")
            .int(*at)
            .push(" AND (r.updated_at < ")
            .int(*at)
            .push(" OR r.id < ")
            .text(id)
            .push(")");
    }
}

/// Every term (stemmed) starts a word of one of the columns the reader may search: what
/// the FTS5 prefix query matches, checked on the row itself (the text is stems, one space).
fn push_words(sql: &mut Sql, terms: &[String], reach: Reach) {
    for t in super::search::index_terms(Backend::Sqlite, terms) {
        let pattern = format!("% {t}%");
        for (i, column) in reach.columns().into_iter().enumerate() {
            sql.push(if i == 0 {
                " AND ((' ' || r."
            } else {
                " OR (' ' || r."
            })
            .push(column)
            .push(") LIKE ")
            .text(&pattern);
        }
        sql.push(")");
    }
}

/// Of these buildings, those with at least one report (one index seek each): a portfolio
/// search skips the others.
pub async fn buildings_with_reports<'c>(
    ex: impl Executor<'c, Database = Any>,
    buildings: &[String],
) -> sqlx::Result<Vec<String>> {
    let mut sql = Sql::new("SELECT b.id FROM buildings b WHERE b.id IN ");
    sql.list(buildings)
        .push(" AND EXISTS (SELECT 1 FROM reports r WHERE r.building_id = b.id)");
    sql.query_scalar().fetch_all(ex).await
}

/// Open reports sharing a word or the category with a draft, for the duplicate check.
pub async fn similar_candidates<'c>(
    ex: impl Executor<'c, Database = Any>,
    backend: Backend,
    building_id: &str,
    terms: &[String],
    category: &str,
    scope: &Scope,
    exclude_person: &str,
) -> sqlx::Result<Vec<ReportRow>> {
    let mut sql = Sql::new(REPORT_SELECT);
    sql.push(" WHERE r.building_id = ")
        .text(building_id)
        .push(" AND r.status <> 'closed' AND r.author_id <> ")
        .text(exclude_person)
        .push(" AND r.concerned_id <> ")
        .text(exclude_person);
    push_scope(&mut sql, scope);
    sql.push(" AND (r.category = ").text(category);
    if !terms.is_empty() {
        sql.push(" OR (1 = 1");
        // The report's own text and its public thread: what every reader sees.
        push_search(&mut sql, backend, terms, true, Reach::PUBLIC);
        sql.push(")");
    }
    sql.push(") ORDER BY r.updated_at DESC LIMIT 50");
    sql.query_as().fetch_all(ex).await
}

pub async fn set_status<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    status: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE reports SET status = $2, updated_at = $3, \
         closed_at = CASE WHEN $2 = 'closed' THEN $3 ELSE NULL END WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// First answer by a manager or referent: to-do becomes in progress (R3).
pub async fn mark_answered<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE reports SET status = CASE WHEN status = 'todo' THEN 'in_progress' ELSE status END, \
         first_response_at = COALESCE(first_response_at, $2), updated_at = $2 WHERE id = $1 AND status = 'todo'",
    )
    .bind(id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Assigns the report to a person, or unassigns it (`None`); true when it changed.
pub async fn set_assignee<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    assignee: Option<&str>,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE reports SET assignee_id = $2, updated_at = $3 WHERE id = $1 \
         AND (assignee_id IS NULL OR $2 IS NULL OR assignee_id <> $2) \
         AND NOT (assignee_id IS NULL AND $2 IS NULL)",
    )
    .bind(id)
    .bind(assignee)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn touch<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE reports SET updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn remove<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    by: &str,
    reason: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE reports SET removed_at = $2, removed_by = $3, removed_reason = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .bind(by)
    .bind(reason)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn share<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE reports SET manager_visible = 1, updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn follow<'c>(
    ex: impl Executor<'c, Database = Any>,
    report_id: &str,
    person_id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO report_followers (report_id, person_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (report_id, person_id) DO NOTHING",
    )
    .bind(report_id)
    .bind(person_id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Stops following; true when the person was following.
pub async fn unfollow<'c>(
    ex: impl Executor<'c, Database = Any>,
    report_id: &str,
    person_id: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM report_followers WHERE report_id = $1 AND person_id = $2")
        .bind(report_id)
        .bind(person_id)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn is_following<'c>(
    ex: impl Executor<'c, Database = Any>,
    report_id: &str,
    person_id: &str,
) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM report_followers WHERE report_id = $1 AND person_id = $2",
    )
    .bind(report_id)
    .bind(person_id)
    .fetch_one(ex)
    .await?;
    Ok(n > 0)
}
