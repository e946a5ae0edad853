//! Agencies and their settings, for their managers.

use axum::Json;
use axum::extract::{Path, State};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ErrorBody;
use crate::app::AppState;
use crate::domain::agencies::{self as service, AgencySettings, AgencySummary};
use crate::web::error::WebResult;
use crate::web::extract::{ApiJson, User};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(show_settings, update_settings))
}

/// The agencies the caller manages (empty for residents).
#[utoipa::path(get, path = "/api/v1/agencies", tag = "agencies", security(("bearer" = [])),
    responses((status = 200, body = [AgencySummary]), (status = 401, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    User(actor, _): User,
) -> WebResult<Json<Vec<AgencySummary>>> {
    Ok(Json(service::managed(&state, &actor).await?))
}

/// An agency's settings (its managers only; any other agency is 404).
#[utoipa::path(get, path = "/api/v1/agencies/{id}/settings", tag = "agencies", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = AgencySettings), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn show_settings(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<AgencySettings>> {
    Ok(Json(service::settings(&state, &actor, &id).await?))
}

/// Replace an agency's settings; every field is checked before any is saved.
#[utoipa::path(put, path = "/api/v1/agencies/{id}/settings", tag = "agencies", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AgencySettings,
    responses((status = 200, body = AgencySettings), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_settings(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AgencySettings>,
) -> WebResult<Json<AgencySettings>> {
    Ok(Json(
        service::update_settings(&state, &actor, &id, &input).await?,
    ))
}
