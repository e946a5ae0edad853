//! The manager's portfolio dashboard (D1): per building counts, what is overdue first, work
//! orders waiting for the provider, people active over 90 days. Every figure is an aggregate
//! query (see `db::dashboard`); Rust only joins the per-building results by id.

use std::collections::HashMap;

use crate::auth::Actor;
use crate::auth::authz::{self, PortfolioPermit};
use crate::clock::{DAY_MS, iso};
use crate::db::dashboard as ddb;
use crate::domain::{AppResult, Context};

/// How many overdue reports and waiting work orders the dashboard lists.
pub const LIST_LIMIT: i64 = 50;

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub buildings: Vec<BuildingLine>,
    /// Reports past their first-answer target, the most overdue first.
    pub overdue: Vec<OverdueReport>,
    /// Work orders not acknowledged, or acknowledged without a date, oldest first.
    pub work_orders_waiting: Vec<WaitingOrder>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BuildingLine {
    pub id: String,
    pub name: String,
    pub lots: i64,
    pub reports: StatusCounts,
    pub overdue: i64,
    pub urgent_open: i64,
    pub work_orders_open: i64,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StatusCounts {
    pub todo: i64,
    pub in_progress: i64,
    pub closed: i64,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OverdueReport {
    pub report_id: String,
    pub building_id: String,
    pub title: String,
    /// RFC 3339, UTC.
    pub due_at: String,
    #[serde(skip)]
    pub building_name: String,
    #[serde(skip)]
    pub urgent: bool,
    #[serde(skip)]
    pub due_ms: i64,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct WaitingOrder {
    pub work_order_id: String,
    pub reference: String,
    pub building_id: String,
    pub building_name: String,
    pub report_id: String,
    pub report_title: String,
    /// `sent` (not acknowledged) or `acknowledged` (no date yet).
    pub status: String,
    /// Since when it waits (sent, or acknowledged), RFC 3339.
    pub since: String,
    /// Whole days it has waited.
    pub days: i64,
}

/// People active over the last 90 days (filed a report or wrote a comment), by kind.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct ActivePeople {
    pub referents: i64,
    pub owners: i64,
    pub tenants: i64,
}

pub async fn portfolio(cx: &Context, actor: &Actor) -> AppResult<Dashboard> {
    let permit = authz::check_portfolio(actor)?;
    build(cx, &permit).await
}

async fn build(cx: &Context, permit: &PortfolioPermit) -> AppResult<Dashboard> {
    let pool = &cx.db.pool;
    let now = cx.clock.now_ms();
    let agencies = &permit.agencies;
    let counts = ddb::building_counts(pool, agencies).await?;
    let overdue: HashMap<String, i64> = ddb::overdue_counts(pool, agencies, now)
        .await?
        .into_iter()
        .collect();
    let orders: HashMap<String, i64> = ddb::open_work_orders(pool, agencies)
        .await?
        .into_iter()
        .collect();
    let buildings = counts
        .into_iter()
        .map(|c| BuildingLine {
            overdue: overdue.get(&c.id).copied().unwrap_or(0),
            work_orders_open: orders.get(&c.id).copied().unwrap_or(0),
            reports: StatusCounts {
                todo: c.todo,
                in_progress: c.in_progress,
                closed: c.closed,
            },
            urgent_open: c.urgent_open,
            lots: c.lots,
            id: c.id,
            name: c.name,
        })
        .collect();
    let overdue = overdue_list(cx, permit, now, LIST_LIMIT).await?;
    let work_orders_waiting = ddb::work_orders_waiting(pool, agencies, LIST_LIMIT)
        .await?
        .into_iter()
        .map(|w| {
            let since = w.acknowledged_at.unwrap_or(w.created_at);
            WaitingOrder {
                work_order_id: w.work_order_id,
                reference: w.reference,
                building_id: w.building_id,
                building_name: w.building_name,
                report_id: w.report_id,
                report_title: w.report_title,
                status: w.status,
                since: iso(since),
                days: (now - since).max(0) / DAY_MS,
            }
        })
        .collect();
    Ok(Dashboard {
        buildings,
        overdue,
        work_orders_waiting,
    })
}

/// The overdue reports of the agencies, most overdue first (the dashboard, the digest).
pub async fn overdue_list(
    cx: &Context,
    permit: &PortfolioPermit,
    now: i64,
    limit: i64,
) -> AppResult<Vec<OverdueReport>> {
    Ok(ddb::overdue(&cx.db.pool, &permit.agencies, now, limit)
        .await?
        .into_iter()
        .map(|r| OverdueReport {
            due_at: iso(r.due_at),
            due_ms: r.due_at,
            report_id: r.report_id,
            building_id: r.building_id,
            building_name: r.building_name,
            title: r.title,
            urgent: r.urgent != 0,
        })
        .collect())
}

/// People of the portfolio active over the last 90 days.
pub async fn active_people(cx: &Context, actor: &Actor) -> AppResult<ActivePeople> {
    let permit = authz::check_portfolio(actor)?;
    let since = cx.clock.now_ms() - 90 * DAY_MS;
    let mut out = ActivePeople::default();
    for (role, occupancy, n) in ddb::active_people(&cx.db.pool, &permit.agencies, since).await? {
        match (role.as_str(), occupancy.as_deref()) {
            ("referent", _) => out.referents += n,
            (_, Some("owner")) | ("landlord", _) => out.owners += n,
            (_, Some("tenant")) => out.tenants += n,
            _ => {}
        }
    }
    Ok(out)
}
