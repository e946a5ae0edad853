//! Work orders at scale (W7, issue 12 item 6): lists of a building or of the portfolio,
//! paginated by cursor, each line with its building, its report's title, its status and
//! how long it has waited for the provider's acknowledgment.

use super::{WorkOrder, parse_day};
use crate::auth::Actor;
use crate::auth::authz::{self, AgencyAction};
use crate::clock::DAY_MS;
use crate::db::work_orders as wdb;
use crate::domain::reports::read::parse_cursor;
use crate::domain::{AppError, AppResult, Context};
use crate::vocab::WorkOrderStatus;

pub const PAGE_SIZE: i64 = 50;

/// Which work orders a list shows, as the request says it.
#[derive(Debug, Default, Clone, Copy)]
pub struct ListFilter<'a> {
    /// For a manager of several agencies, when no building is given.
    pub agency_id: Option<&'a str>,
    /// One building, or the agency's whole portfolio.
    pub building_id: Option<&'a str>,
    pub status: Option<&'a str>,
    pub provider: Option<&'a str>,
    /// Sent on or after this day (`2026-11-01`, Paris time).
    pub from: Option<&'a str>,
    /// Sent on or before this day.
    pub to: Option<&'a str>,
    /// Continue after this line (`next_cursor` of the previous page).
    pub cursor: Option<&'a str>,
    /// Lines per page, 1 to 200 ([`PAGE_SIZE`] when absent).
    pub limit: Option<i64>,
}

/// A work order in a list.
#[derive(Debug, Clone)]
pub struct WorkOrderLine {
    pub work_order: WorkOrder,
    pub building_name: String,
    pub report_title: String,
    /// Sent and still not acknowledged: for how many whole days.
    pub unacknowledged_days: Option<i64>,
}

pub struct WorkOrderPage {
    pub items: Vec<WorkOrderLine>,
    pub next_cursor: Option<String>,
}

fn present(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|d| !d.is_empty())
}

/// Whole days a sent work order has waited for its acknowledgment.
pub fn unacknowledged_days(w: &WorkOrder, now: i64) -> Option<i64> {
    (w.acknowledged_at.is_none() && w.status == WorkOrderStatus::Sent)
        .then(|| ((now - w.created_at) / DAY_MS).max(0))
}

/// Work orders of a building or of the manager's whole portfolio, newest first, one page,
/// optionally sent between two days (`to` included), of one provider or status.
pub async fn list(
    state: &Context,
    actor: &Actor,
    filter: ListFilter<'_>,
) -> AppResult<WorkOrderPage> {
    let from = present(filter.from)
        .map(|d| parse_day("from", d))
        .transpose()?;
    let to = present(filter.to)
        .map(|d| parse_day("to", d))
        .transpose()?
        .map(|t| t + DAY_MS);
    let status = present(filter.status);
    if let Some(s) = status
        && WorkOrderStatus::parse(s).is_none()
    {
        return Err(AppError::invalid("status", "error.status_invalid"));
    }
    let agency = match filter.building_id {
        Some(b) => {
            let (building, _) = crate::domain::buildings::authorize(
                state,
                actor,
                b,
                crate::auth::authz::Action::ManageBuilding,
            )
            .await?;
            building.agency_id
        }
        None => {
            authz::check_agency(actor, AgencyAction::ManageWorkOrders, filter.agency_id)?.agency_id
        }
    };
    let limit = filter.limit.unwrap_or(PAGE_SIZE).clamp(1, 200);
    let mut rows = wdb::page(
        &state.db.pool,
        &wdb::ListFilter {
            agency_id: &agency,
            building_id: filter.building_id,
            status,
            provider_id: present(filter.provider),
            created: (from, to),
        },
        parse_cursor(filter.cursor)?,
        limit + 1,
    )
    .await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last()
            .map(|r| format!("{}_{}", r.wo.created_at, r.wo.id))
    } else {
        None
    };
    let now = state.clock.now_ms();
    Ok(WorkOrderPage {
        items: rows
            .into_iter()
            .map(|r| {
                let work_order = WorkOrder::from(r.wo);
                WorkOrderLine {
                    unacknowledged_days: unacknowledged_days(&work_order, now),
                    work_order,
                    building_name: r.building_name,
                    report_title: r.report_title,
                }
            })
            .collect(),
        next_cursor,
    })
}
