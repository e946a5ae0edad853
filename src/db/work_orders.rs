//! Providers, work orders, provider reports.

use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProviderRow {
    pub id: String,
    pub company: String,
    pub trades: String,
    pub contact_name: String,
    pub email: String,
    pub phone: String,
    pub notes: String,
}

pub struct ProviderInput<'a> {
    pub company: &'a str,
    pub trades: &'a str,
    pub contact_name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
    pub notes: &'a str,
}

/// Creates or updates (same agency and e-mail) a provider; true when created.
pub async fn upsert_provider<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
    p: &ProviderInput<'_>,
    now: i64,
) -> sqlx::Result<bool> {
    let id = super::new_id();
    let row: Option<String> = sqlx::query_scalar(
        "INSERT INTO providers (id, agency_id, company, trades, contact_name, email, phone, notes, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
         ON CONFLICT (agency_id, email) DO UPDATE SET company = excluded.company, trades = excluded.trades, \
         contact_name = excluded.contact_name, phone = excluded.phone, notes = excluded.notes, updated_at = excluded.updated_at \
         RETURNING id",
    )
    .bind(&id)
    .bind(agency_id)
    .bind(p.company)
    .bind(p.trades)
    .bind(p.contact_name)
    .bind(p.email)
    .bind(p.phone)
    .bind(p.notes)
    .bind(now)
    .fetch_all(ex)
    .await
    .map(|rows| rows.into_iter().next())?;
    Ok(row.as_deref() == Some(id.as_str()))
}

/// The id of the agency's provider with this e-mail.
pub async fn provider_id_by_email<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
    email: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT id FROM providers WHERE agency_id = $1 AND email = $2")
        .bind(agency_id)
        .bind(email)
        .fetch_optional(ex)
        .await
}

/// The agency's providers, the person's favorites first.
pub async fn providers<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
    person_id: &str,
) -> sqlx::Result<Vec<(ProviderRow, i64)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        p: ProviderRow,
        favorite: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT p.id, p.company, p.trades, p.contact_name, p.email, p.phone, p.notes, \
         (SELECT COUNT(*) FROM provider_favorites f WHERE f.provider_id = p.id AND f.person_id = $2) AS favorite \
         FROM providers p WHERE p.agency_id = $1 ORDER BY favorite DESC, p.company",
    )
    .bind(agency_id)
    .bind(person_id)
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().map(|r| (r.p, r.favorite)).collect())
}

pub async fn provider<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
    id: &str,
) -> sqlx::Result<Option<ProviderRow>> {
    sqlx::query_as("SELECT id, company, trades, contact_name, email, phone, notes FROM providers WHERE agency_id = $1 AND id = $2")
        .bind(agency_id)
        .bind(id)
        .fetch_all(ex)
        .await
        .map(|r| r.into_iter().next())
}

pub async fn set_favorite<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    provider_id: &str,
    on: bool,
) -> sqlx::Result<()> {
    let sql = if on {
        "INSERT INTO provider_favorites (person_id, provider_id) VALUES ($1, $2) ON CONFLICT (person_id, provider_id) DO NOTHING"
    } else {
        "DELETE FROM provider_favorites WHERE person_id = $1 AND provider_id = $2"
    };
    sqlx::query(sql)
        .bind(person_id)
        .bind(provider_id)
        .execute(ex)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WorkOrderRow {
    pub id: String,
    pub agency_id: String,
    pub building_id: String,
    pub report_id: String,
    pub provider_id: String,
    pub provider_company: String,
    pub provider_email: String,
    pub reference: String,
    pub description: String,
    pub desired_date: String,
    pub priority: String,
    pub status: String,
    pub pdf_key: String,
    pub attached: i64,
    pub token_expires_at: i64,
    pub token_revoked_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub acknowledged_at: Option<i64>,
    pub scheduled_for: Option<i64>,
    pub done_at: Option<i64>,
    pub visits: i64,
    pub reminders_sent: i64,
}

const WO_SELECT: &str = "SELECT w.id, w.agency_id, w.building_id, w.report_id, w.provider_id, p.company AS provider_company, \
     p.email AS provider_email, w.reference, w.description, w.desired_date, w.priority, w.status, w.pdf_key, w.attached, \
     w.token_expires_at, w.token_revoked_at, w.created_by, w.created_at, w.acknowledged_at, w.scheduled_for, w.done_at, \
     w.visits, w.reminders_sent FROM work_orders w JOIN providers p ON p.id = w.provider_id";

pub async fn next_seq<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM work_orders WHERE agency_id = $1")
        .bind(agency_id)
        .fetch_all(ex)
        .await
        .map(|r| r.into_iter().next().unwrap_or(1))
}

pub struct NewWorkOrder<'a> {
    pub id: &'a str,
    pub agency_id: &'a str,
    pub building_id: &'a str,
    pub report_id: &'a str,
    pub provider_id: &'a str,
    pub seq: i64,
    pub reference: &'a str,
    pub description: &'a str,
    pub desired_date: &'a str,
    pub priority: &'a str,
    pub pdf_key: &'a str,
    pub attached: bool,
    pub token_hash: &'a str,
    pub token_expires_at: i64,
    pub created_by: &'a str,
    pub now: i64,
}

pub async fn insert<'c>(
    ex: impl Executor<'c, Database = Any>,
    w: NewWorkOrder<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO work_orders (id, agency_id, building_id, report_id, provider_id, seq, reference, description, desired_date, \
         priority, pdf_key, attached, token_hash, token_expires_at, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(w.id)
    .bind(w.agency_id)
    .bind(w.building_id)
    .bind(w.report_id)
    .bind(w.provider_id)
    .bind(w.seq)
    .bind(w.reference)
    .bind(w.description)
    .bind(w.desired_date)
    .bind(w.priority)
    .bind(w.pdf_key)
    .bind(super::flag(w.attached))
    .bind(w.token_hash)
    .bind(w.token_expires_at)
    .bind(w.created_by)
    .bind(w.now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn by_id<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<WorkOrderRow>> {
    sqlx::query_as(&format!("{WO_SELECT} WHERE w.id = $1"))
        .bind(id)
        .fetch_all(ex)
        .await
        .map(|r| r.into_iter().next())
}

pub async fn by_token<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
) -> sqlx::Result<Option<WorkOrderRow>> {
    sqlx::query_as(&format!("{WO_SELECT} WHERE w.token_hash = $1"))
        .bind(token_hash)
        .fetch_all(ex)
        .await
        .map(|r| r.into_iter().next())
}

/// A work order in a list, with its building's name and its report's title (W7).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WorkOrderLineRow {
    #[sqlx(flatten)]
    pub wo: WorkOrderRow,
    pub building_name: String,
    pub report_title: String,
}

/// Filters of a work-order list; every one optional but the agency.
#[derive(Debug, Clone, Default)]
pub struct ListFilter<'a> {
    pub agency_id: &'a str,
    pub building_id: Option<&'a str>,
    pub status: Option<&'a str>,
    pub provider_id: Option<&'a str>,
    /// Created in [from, to) (ms).
    pub created: (Option<i64>, Option<i64>),
}

/// One page of work orders of one building, or of the agency's whole portfolio, newest
/// first; keyset pagination on (created_at, id), on the index that matches the filter
/// (`work_orders_building`, `work_orders_provider`, `work_orders_agency` with a status,
/// `work_orders_recent` otherwise).
pub async fn page<'c>(
    ex: impl Executor<'c, Database = Any>,
    f: &ListFilter<'_>,
    after: Option<(i64, String)>,
    limit: i64,
) -> sqlx::Result<Vec<WorkOrderLineRow>> {
    let mut sql = super::sql::Sql::new(&WO_SELECT.replace(
        " FROM work_orders w JOIN providers p ON p.id = w.provider_id",
        ", b.name AS building_name, r.title AS report_title \
         FROM work_orders w JOIN providers p ON p.id = w.provider_id \
         JOIN buildings b ON b.id = w.building_id JOIN reports r ON r.id = w.report_id",
    ));
    sql.push(" WHERE w.agency_id = ").text(f.agency_id);
    if let Some(b) = f.building_id {
        sql.push(" AND w.building_id = ").text(b);
    }
    if let Some(s) = f.status {
        sql.push(" AND w.status = ").text(s);
    }
    if let Some(p) = f.provider_id {
        sql.push(" AND w.provider_id = ").text(p);
    }
    if let Some(from) = f.created.0 {
        sql.push(" AND w.created_at >= ").int(from);
    }
    if let Some(to) = f.created.1 {
        sql.push(" AND w.created_at < ").int(to);
    }
    if let Some((at, id)) = &after {
        // A range on the index's date column, then the tie-break (as the board does).
        sql.push(" AND w.created_at <= ")
            .int(*at)
            .push(" AND (w.created_at < ")
            .int(*at)
            .push(" OR w.id < ")
            .text(id)
            .push(")");
    }
    sql.push(" ORDER BY w.created_at DESC, w.id DESC")
        .limit(limit);
    sql.query_as().fetch_all(ex).await
}

/// Reactivity figures of one group of work orders (W8), computed by the database over
/// all of them: counts, and nearest-rank median and 90th percentile of the delays (ms).
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct ReactivityRow {
    /// The provider's id, or `all` for a group of providers.
    pub group_key: String,
    pub work_orders: i64,
    pub reminders: i64,
    pub finished: i64,
    pub finished_first_visit: i64,
    pub ack_median: Option<i64>,
    pub ack_p90: Option<i64>,
    pub done_median: Option<i64>,
    pub done_p90: Option<i64>,
}

/// Which work orders the figures are about, and how they are grouped.
pub enum ReactivityOf<'a> {
    /// One group per provider of the agency.
    EachProvider,
    /// One group (`all`) of these providers' work orders (a trade).
    Providers(&'a [String]),
}

/// Reactivity by aggregate queries over every work order of the agency (no cap): window
/// functions rank the delays within each group, and the median and 90th percentile are the
/// rows at ranks ceil(n/2) and ceil(9n/10).
pub async fn reactivity<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
    of: ReactivityOf<'_>,
) -> sqlx::Result<Vec<ReactivityRow>> {
    let mut sql = super::sql::Sql::new("WITH w AS (SELECT ");
    match of {
        ReactivityOf::EachProvider => {
            sql.push("provider_id AS k");
        }
        ReactivityOf::Providers(_) => {
            sql.push("'all' AS k");
        }
    }
    sql.push(
        ", created_at, acknowledged_at, done_at, status, visits, reminders_sent \
         FROM work_orders WHERE agency_id = ",
    )
    .text(agency_id);
    if let ReactivityOf::Providers(ids) = of {
        sql.push(" AND provider_id IN ").list(ids);
    }
    let ranked = |column: &str| {
        format!(
            "SELECT k, MAX(CASE WHEN rn = (n + 1) / 2 THEN d END) AS median, \
             MAX(CASE WHEN rn = (9 * n + 9) / 10 THEN d END) AS p90 FROM \
             (SELECT k, d, ROW_NUMBER() OVER (PARTITION BY k ORDER BY d) AS rn, \
             COUNT(*) OVER (PARTITION BY k) AS n FROM \
             (SELECT k, {column} - created_at AS d FROM w WHERE {column} IS NOT NULL) x) y GROUP BY k"
        )
    };
    sql.push(&format!(
        "), counts AS (SELECT k, COUNT(*) AS work_orders, \
         CAST(SUM(reminders_sent) AS BIGINT) AS reminders, \
         CAST(SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END) AS BIGINT) AS finished, \
         CAST(SUM(CASE WHEN status = 'done' AND visits = 1 THEN 1 ELSE 0 END) AS BIGINT) AS first_visit \
         FROM w GROUP BY k), ack AS ({}), done AS ({}) \
         SELECT c.k AS group_key, c.work_orders, c.reminders, c.finished, c.first_visit AS finished_first_visit, \
         ack.median AS ack_median, ack.p90 AS ack_p90, done.median AS done_median, done.p90 AS done_p90 \
         FROM counts c LEFT JOIN ack ON ack.k = c.k LEFT JOIN done ON done.k = c.k",
        ranked("acknowledged_at"),
        ranked("done_at"),
    ));
    sql.query_as().fetch_all(ex).await
}

pub async fn for_report<'c>(
    ex: impl Executor<'c, Database = Any>,
    report_id: &str,
) -> sqlx::Result<Vec<WorkOrderRow>> {
    sqlx::query_as(&format!(
        "{WO_SELECT} WHERE w.report_id = $1 ORDER BY w.created_at"
    ))
    .bind(report_id)
    .fetch_all(ex)
    .await
}

pub async fn acknowledge<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE work_orders SET acknowledged_at = COALESCE(acknowledged_at, $2), \
         status = CASE WHEN status = 'sent' THEN 'acknowledged' ELSE status END WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn schedule<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    at: i64,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE work_orders SET scheduled_for = $2, acknowledged_at = COALESCE(acknowledged_at, $3), status = 'scheduled' WHERE id = $1",
    )
    .bind(id)
    .bind(at)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn record_visit<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    done: bool,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE work_orders SET visits = visits + 1, acknowledged_at = COALESCE(acknowledged_at, $3), \
         status = CASE WHEN $2 = 1 THEN 'done' ELSE 'acknowledged' END, \
         done_at = CASE WHEN $2 = 1 THEN $3 ELSE done_at END, scheduled_for = CASE WHEN $2 = 1 THEN scheduled_for ELSE NULL END \
         WHERE id = $1",
    )
    .bind(id)
    .bind(super::flag(done))
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn insert_provider_report<'c>(
    ex: impl Executor<'c, Database = Any>,
    work_order_id: &str,
    body: &str,
    outcome: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO provider_reports (id, work_order_id, body, outcome, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(super::new_id())
        .bind(work_order_id)
        .bind(body)
        .bind(outcome)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn count_reminder<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE work_orders SET reminders_sent = reminders_sent + 1 WHERE id = $1")
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn revoke<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE work_orders SET token_revoked_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn reminder_settings<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT remind_after_days, reminders_before_escalation FROM agencies WHERE id = $1",
    )
    .bind(agency_id)
    .fetch_all(ex)
    .await
    .map(|r| r.into_iter().next().unwrap_or((2, 2)))
}

pub async fn set_reminder_settings<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
    after_days: i64,
    before_escalation: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE agencies SET remind_after_days = $2, reminders_before_escalation = $3 WHERE id = $1")
        .bind(agency_id)
        .bind(after_days)
        .bind(before_escalation)
        .execute(ex)
        .await?;
    Ok(())
}

/// Caretakers of a building (name, phone), for the work order's access information.
pub async fn caretakers<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT p.name, p.phone FROM memberships m JOIN people p ON p.id = m.person_id \
         WHERE m.building_id = $1 AND m.role = 'referent' AND m.referent_kind = 'caretaker' ORDER BY p.name",
    )
    .bind(building_id)
    .fetch_all(ex)
    .await
}
