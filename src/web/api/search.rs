//! Portfolio search over JSON (issue 12 item 5): every building the caller may see.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ErrorBody;
use super::report_out::ReportOut;
use crate::app::AppState;
use crate::domain::reports::portfolio_search;
use crate::web::error::WebResult;
use crate::web::extract::{ApiQuery, User};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search))
}

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    /// Words to find (French plurals and forms match), in reports, comments the caller
    /// may read and provider reports; closed reports included.
    #[serde(default)]
    q: String,
    cursor: Option<String>,
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct BuildingName {
    id: String,
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct SearchHit {
    #[serde(flatten)]
    report: ReportOut,
    /// The report's building.
    building: BuildingName,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResults {
    items: Vec<SearchHit>,
    next_cursor: Option<String>,
    /// How many buildings were searched.
    buildings: usize,
}

/// Search the reports of every building the caller may see, latest activity first.
#[utoipa::path(get, path = "/api/v1/search", tag = "reports", security(("bearer" = [])),
    params(SearchQuery),
    responses((status = 200, body = SearchResults), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn search(
    State(state): State<AppState>,
    User(actor, _): User,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> WebResult<Json<SearchResults>> {
    let page = portfolio_search::portfolio(
        &state,
        &actor,
        &q.q,
        q.cursor.as_deref(),
        q.limit.unwrap_or(crate::domain::reports::read::PAGE_SIZE),
    )
    .await?;
    Ok(Json(SearchResults {
        items: page
            .items
            .into_iter()
            .map(|h| SearchHit {
                building: BuildingName {
                    id: h.report.building_id.clone(),
                    name: h.building_name,
                },
                report: ReportOut::new(h.report, actor.lang),
            })
            .collect(),
        next_cursor: page.next_cursor,
        buildings: page.buildings,
    }))
}
