//! Lots of a building, with their ownership shares.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ErrorBody;
use crate::app::AppState;
use crate::domain::lots::{self as service, Lot, LotDraft, LotList};
use crate::web::error::WebResult;
use crate::web::extract::{ApiJson, User};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update))
}

#[derive(Deserialize, ToSchema)]
pub struct LotIn {
    label: String,
    /// Ownership shares (tantièmes), a positive integer.
    shares: i64,
    #[serde(default)]
    staircase: String,
    #[serde(default)]
    floor: String,
}

impl LotIn {
    fn draft(&self) -> LotDraft<'_> {
        LotDraft {
            label: &self.label,
            shares: self.shares,
            staircase: &self.staircase,
            floor: &self.floor,
        }
    }
}

/// The building's lots and their total shares (managers and referents).
#[utoipa::path(get, path = "/api/v1/buildings/{id}/lots", tag = "buildings", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = LotList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<LotList>> {
    Ok(Json(service::list(&state, &actor, &id).await?))
}

/// Add a lot (managers).
#[utoipa::path(post, path = "/api/v1/buildings/{id}/lots", tag = "buildings", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = LotIn,
    responses((status = 201, body = Lot), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiJson(lot): ApiJson<LotIn>,
) -> WebResult<(StatusCode, Json<Lot>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::create(&state, &actor, &id, lot.draft()).await?),
    ))
}

/// Change a lot's label, shares or place (managers).
#[utoipa::path(put, path = "/api/v1/lots/{id}", tag = "buildings", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = LotIn,
    responses((status = 200, body = Lot), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiJson(lot): ApiJson<LotIn>,
) -> WebResult<Json<Lot>> {
    Ok(Json(
        service::update(&state, &actor, &id, lot.draft()).await?,
    ))
}
