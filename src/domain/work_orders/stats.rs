//! Provider reactivity (W8): how fast they acknowledge and intervene, how often they need
//! chasing, how often one visit is enough.

use crate::vocab::WorkOrderStatus;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::auth::authz::{self, AgencyAction};
use crate::db::work_orders as wdb;
use crate::domain::AppResult;
use crate::domain::Context;

#[derive(Debug, Serialize, ToSchema, Default)]
pub struct Reactivity {
    /// Work orders counted.
    pub work_orders: usize,
    pub median_hours_to_acknowledge: Option<f64>,
    pub p90_hours_to_acknowledge: Option<f64>,
    pub median_hours_to_intervention: Option<f64>,
    pub p90_hours_to_intervention: Option<f64>,
    pub average_reminders: Option<f64>,
    /// Share of finished work orders done on the first visit, 0 to 1.
    pub done_first_visit: Option<f64>,
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

pub fn compute(rows: &[wdb::WorkOrderRow]) -> Reactivity {
    let hours = |a: i64, b: i64| (b - a) as f64 / 3_600_000.0;
    let mut ack: Vec<f64> = rows
        .iter()
        .filter_map(|w| w.acknowledged_at.map(|a| hours(w.created_at, a)))
        .collect();
    let mut done: Vec<f64> = rows
        .iter()
        .filter_map(|w| w.done_at.map(|d| hours(w.created_at, d)))
        .collect();
    ack.sort_by(f64::total_cmp);
    done.sort_by(f64::total_cmp);
    let finished: Vec<_> = rows
        .iter()
        .filter(|w| w.status == WorkOrderStatus::Done.as_str())
        .collect();
    Reactivity {
        work_orders: rows.len(),
        median_hours_to_acknowledge: percentile(&ack, 0.5),
        p90_hours_to_acknowledge: percentile(&ack, 0.9),
        median_hours_to_intervention: percentile(&done, 0.5),
        p90_hours_to_intervention: percentile(&done, 0.9),
        average_reminders: (!rows.is_empty())
            .then(|| rows.iter().map(|w| w.reminders_sent as f64).sum::<f64>() / rows.len() as f64),
        done_first_visit: (!finished.is_empty()).then(|| {
            finished.iter().filter(|w| w.visits == 1).count() as f64 / finished.len() as f64
        }),
    }
}

/// Reactivity of one provider of the manager's agency.
pub async fn for_provider(
    state: &Context,
    actor: &Actor,
    agency: Option<&str>,
    provider_id: &str,
) -> AppResult<Reactivity> {
    let agency = &authz::check_agency(actor, AgencyAction::ViewStatistics, agency)?.agency_id;
    wdb::provider(&state.db.pool, agency, provider_id)
        .await?
        .ok_or(crate::domain::AppError::NotFound)?;
    let rows = wdb::list(
        &state.db.pool,
        agency,
        None,
        None,
        Some(provider_id),
        (None, None),
    )
    .await?;
    Ok(compute(&rows))
}

/// Reactivity of every provider of the manager's agency, from one read of its work orders.
pub async fn by_provider(
    state: &Context,
    actor: &Actor,
    agency: Option<&str>,
) -> AppResult<std::collections::HashMap<String, Reactivity>> {
    let agency = &authz::check_agency(actor, AgencyAction::ViewStatistics, agency)?.agency_id;
    let rows = wdb::list(&state.db.pool, agency, None, None, None, (None, None)).await?;
    let mut grouped: std::collections::HashMap<String, Vec<wdb::WorkOrderRow>> =
        std::collections::HashMap::new();
    for row in rows {
        grouped
            .entry(row.provider_id.clone())
            .or_default()
            .push(row);
    }
    Ok(grouped
        .into_iter()
        .map(|(id, rows)| (id, compute(&rows)))
        .collect())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TradeReactivity {
    pub trade: String,
    #[serde(flatten)]
    pub reactivity: Reactivity,
}

/// Reactivity per trade across the agency's providers.
pub async fn by_trade(
    state: &Context,
    actor: &Actor,
    agency: Option<&str>,
) -> AppResult<Vec<TradeReactivity>> {
    let agency = &authz::check_agency(actor, AgencyAction::ViewStatistics, agency)?.agency_id;
    let providers = wdb::providers(&state.db.pool, agency, &actor.person_id).await?;
    let rows = wdb::list(&state.db.pool, agency, None, None, None, (None, None)).await?;
    let mut trades: Vec<String> = providers
        .iter()
        .flat_map(|(p, _)| p.trades.split(',').map(str::to_string))
        .filter(|t| !t.is_empty())
        .collect();
    trades.sort();
    trades.dedup();
    Ok(trades
        .into_iter()
        .map(|trade| {
            let ids: Vec<&str> = providers
                .iter()
                .filter(|(p, _)| p.trades.split(',').any(|t| t == trade))
                .map(|(p, _)| p.id.as_str())
                .collect();
            let mine: Vec<wdb::WorkOrderRow> = rows
                .iter()
                .filter(|w| ids.contains(&w.provider_id.as_str()))
                .cloned()
                .collect();
            TradeReactivity {
                trade,
                reactivity: compute(&mine),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn percentiles_use_nearest_rank() {
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(super::percentile(&v, 0.5), Some(3.0));
        assert_eq!(super::percentile(&v, 0.9), Some(10.0));
        assert_eq!(super::percentile(&[], 0.5), None);
    }
}
