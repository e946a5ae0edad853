//! The portfolio dashboard and a building's statistics (D1–D3), as JSON and CSV.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ErrorBody;
use super::polls::csv_response;
use crate::app::AppState;
use crate::domain::dashboard::{self, Dashboard};
use crate::domain::dashboard_csv;
use crate::domain::stats::{self, BuildingStats};
use crate::web::error::WebResult;
use crate::web::extract::{ApiQuery, User};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(portfolio))
        .routes(routes!(portfolio_csv))
        .routes(routes!(building_stats))
        .routes(routes!(building_stats_csv))
}

/// The manager's portfolio: per building counts (reports by status, overdue, open urgent
/// ones, open work orders), the overdue reports (most overdue first, 50 at most) and the
/// work orders waiting for the provider. Agency managers only: 403 for everyone else.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "dashboard", security(("bearer" = [])),
    responses((status = 200, body = Dashboard), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn portfolio(
    State(state): State<AppState>,
    User(actor, _): User,
) -> WebResult<Json<Dashboard>> {
    Ok(Json(dashboard::portfolio(&state, &actor).await?))
}

/// The portfolio as CSV (`;`, UTF-8 with BOM, for a French spreadsheet): one line per building.
#[utoipa::path(get, path = "/api/v1/dashboard.csv", tag = "dashboard", security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn portfolio_csv(State(state): State<AppState>, User(actor, _): User) -> WebResult<Response> {
    let csv = dashboard_csv::portfolio(&state, &actor).await?;
    Ok(csv_response("portfolio.csv", csv))
}

#[derive(Deserialize, IntoParams)]
pub struct PeriodQuery {
    /// First day, `YYYY-MM-DD` (default: the first of the month eleven months before `to`).
    from: Option<String>,
    /// Last day included, `YYYY-MM-DD` (default: today in the agency's time zone).
    to: Option<String>,
}

/// A building's statistics over a period (days and months in the agency's time zone):
/// reports per month and category, median hours to the first answer and to closing, the
/// share of first answers on time, and the category/place pairs that come back. Referents
/// and managers; 403 for occupants and landlords; 422 for a bad date or period.
#[utoipa::path(get, path = "/api/v1/buildings/{id}/stats", tag = "dashboard", security(("bearer" = [])),
    params(("id" = String, Path), PeriodQuery),
    responses((status = 200, body = BuildingStats), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn building_stats(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> WebResult<Json<BuildingStats>> {
    let view = stats::building(&state, &actor, &id, q.from.as_deref(), q.to.as_deref()).await?;
    Ok(Json(view.stats))
}

/// The same statistics as CSV (`;`, UTF-8 with BOM), section by section.
#[utoipa::path(get, path = "/api/v1/buildings/{id}/stats.csv", tag = "dashboard", security(("bearer" = [])),
    params(("id" = String, Path), PeriodQuery),
    responses((status = 200, content_type = "text/csv"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn building_stats_csv(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> WebResult<Response> {
    let view = stats::building(&state, &actor, &id, q.from.as_deref(), q.to.as_deref()).await?;
    let csv = dashboard_csv::building(actor.lang, &view);
    Ok(csv_response(
        &format!("statistiques-{}-{}.csv", view.from, view.to),
        csv,
    ))
}
