//! Provider reactivity (W8): how fast they acknowledge and intervene, how often they need
//! chasing, how often one visit is enough.

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

const HOUR: f64 = 3_600_000.0;

impl From<wdb::ReactivityRow> for Reactivity {
    fn from(r: wdb::ReactivityRow) -> Self {
        let hours = |ms: Option<i64>| ms.map(|ms| ms as f64 / HOUR);
        Reactivity {
            work_orders: usize::try_from(r.work_orders).unwrap_or(0),
            median_hours_to_acknowledge: hours(r.ack_median),
            p90_hours_to_acknowledge: hours(r.ack_p90),
            median_hours_to_intervention: hours(r.done_median),
            p90_hours_to_intervention: hours(r.done_p90),
            average_reminders: (r.work_orders > 0)
                .then(|| r.reminders as f64 / r.work_orders as f64),
            done_first_visit: (r.finished > 0)
                .then(|| r.finished_first_visit as f64 / r.finished as f64),
        }
    }
}

/// Reactivity of one provider of the manager's agency, over all its work orders.
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
    let ids = [provider_id.to_string()];
    let rows = wdb::reactivity(&state.db.pool, agency, wdb::ReactivityOf::Providers(&ids)).await?;
    Ok(rows
        .into_iter()
        .next()
        .map(Reactivity::from)
        .unwrap_or_default())
}

/// Reactivity of every provider of the manager's agency, from one aggregate query.
pub async fn by_provider(
    state: &Context,
    actor: &Actor,
    agency: Option<&str>,
) -> AppResult<std::collections::HashMap<String, Reactivity>> {
    let agency = &authz::check_agency(actor, AgencyAction::ViewStatistics, agency)?.agency_id;
    Ok(
        wdb::reactivity(&state.db.pool, agency, wdb::ReactivityOf::EachProvider)
            .await?
            .into_iter()
            .map(|r| (r.group_key.clone(), Reactivity::from(r)))
            .collect(),
    )
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TradeReactivity {
    pub trade: String,
    #[serde(flatten)]
    pub reactivity: Reactivity,
}

/// Reactivity per trade across the agency's providers: one aggregate query per trade over
/// the work orders of its providers (the directory says which providers have which trade).
pub async fn by_trade(
    state: &Context,
    actor: &Actor,
    agency: Option<&str>,
) -> AppResult<Vec<TradeReactivity>> {
    let agency = &authz::check_agency(actor, AgencyAction::ViewStatistics, agency)?.agency_id;
    let providers = wdb::providers(&state.db.pool, agency, &actor.person_id).await?;
    let mut trades: Vec<String> = providers
        .iter()
        .flat_map(|(p, _)| p.trades.split(',').map(str::to_string))
        .filter(|t| !t.is_empty())
        .collect();
    trades.sort();
    trades.dedup();
    let mut out = Vec::with_capacity(trades.len());
    for trade in trades {
        let ids: Vec<String> = providers
            .iter()
            .filter(|(p, _)| p.trades.split(',').any(|t| t == trade))
            .map(|(p, _)| p.id.clone())
            .collect();
        let reactivity =
            wdb::reactivity(&state.db.pool, agency, wdb::ReactivityOf::Providers(&ids))
                .await?
                .into_iter()
                .next()
                .map(Reactivity::from)
                .unwrap_or_default();
        out.push(TradeReactivity { trade, reactivity });
    }
    Ok(out)
}
