//! Buildings, members and roles.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ErrorBody;
use crate::app::AppState;
use crate::auth::authz::{self, Action, BuildingRole};
use crate::domain::buildings::Building;
use crate::domain::buildings::Member;
use crate::domain::buildings::{self as service, ResidentRole};
use crate::web::error::WebResult;
use crate::web::extract::{ApiJson, User};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(regenerate_code))
        .routes(routes!(show))
        .routes(routes!(members))
        .routes(routes!(set_role))
        .routes(routes!(poster))
}

#[derive(Serialize, ToSchema)]
pub struct BuildingOut {
    id: String,
    /// The agency that manages it.
    agency_id: String,
    name: String,
    address: String,
    lots: i64,
    /// The caller's role here.
    role: String,
    /// Registration code; managers only.
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    /// Access codes and on-site contact; managers and referents only.
    #[serde(skip_serializing_if = "Option::is_none")]
    access_codes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contact_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contact_phone: Option<String>,
    council_filter: bool,
}

fn building_out(b: Building, role: BuildingRole) -> BuildingOut {
    let manager = authz::sees_registration_code(role);
    let staff = authz::sees_access_details(role);
    BuildingOut {
        council_filter: b.council_filter,
        code: manager.then_some(b.code),
        access_codes: staff.then_some(b.access_codes),
        contact_name: staff.then_some(b.contact_name),
        contact_phone: staff.then_some(b.contact_phone),
        id: b.id,
        agency_id: b.agency_id,
        name: b.name,
        address: b.address,
        lots: b.lots_count,
        role: role.as_str().to_string(),
    }
}

/// The caller's buildings.
#[utoipa::path(get, path = "/api/v1/buildings", tag = "buildings", security(("bearer" = [])),
    responses((status = 200, body = [BuildingOut]), (status = 401, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    User(actor, _): User,
) -> WebResult<Json<Vec<BuildingOut>>> {
    let rows = service::list_for(&state, &actor).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(b, role)| building_out(b, role))
            .collect(),
    ))
}

/// One building.
#[utoipa::path(get, path = "/api/v1/buildings/{id}", tag = "buildings", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = BuildingOut), (status = 404, body = ErrorBody)))]
async fn show(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<BuildingOut>> {
    let (building, permit) = service::authorize(&state, &actor, &id, Action::ViewBuilding).await?;
    Ok(Json(building_out(building, permit.role)))
}

/// The occupants list (managers and referents).
#[utoipa::path(get, path = "/api/v1/buildings/{id}/members", tag = "buildings", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = [Member]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn members(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<Vec<Member>>> {
    let (_, permit) = service::authorize(&state, &actor, &id, Action::ListMembers).await?;
    Ok(Json(service::members(&state, &permit).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct RoleRequest {
    /// `referent` or `occupant`.
    role: String,
    /// For referents: `council` (default) or `caretaker`.
    kind: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RoleOut {
    person_id: String,
    role: String,
}

/// Make a resident a referent, or an occupant again (managers only).
#[utoipa::path(put, path = "/api/v1/buildings/{id}/members/{person_id}/role", tag = "buildings", security(("bearer" = [])),
    params(("id" = String, Path), ("person_id" = String, Path)), request_body = RoleRequest,
    responses((status = 200, body = RoleOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_role(
    State(state): State<AppState>,
    User(actor, _): User,
    Path((id, person_id)): Path<(String, String)>,
    ApiJson(req): ApiJson<RoleRequest>,
) -> WebResult<Json<RoleOut>> {
    let (_, permit) = service::authorize(&state, &actor, &id, Action::ChangeRole).await?;
    let role = ResidentRole::parse(&req.role, req.kind.as_deref())?;
    service::set_role(&state, &actor, &permit, &person_id, role).await?;
    Ok(Json(RoleOut {
        person_id,
        role: req.role,
    }))
}

/// The printable hall poster: building code, registration address and QR code.
#[utoipa::path(get, path = "/api/v1/buildings/{id}/poster.pdf", tag = "buildings", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, content_type = "application/pdf"), (status = 403, body = ErrorBody)))]
async fn poster(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<axum::response::Response> {
    let (name, bytes) = service::poster(&state, &actor, &id).await?;
    Ok(crate::web::api::work_orders::pdf_response(&name, bytes))
}

#[derive(Deserialize, ToSchema)]
pub struct NewBuildingIn {
    /// Required only of managers of several agencies.
    agency_id: Option<String>,
    name: String,
    address: String,
}

/// Add a building to one of the caller's agencies; it gets its registration code at once.
#[utoipa::path(post, path = "/api/v1/buildings", tag = "buildings", security(("bearer" = [])), request_body = NewBuildingIn,
    responses((status = 201, body = BuildingOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    User(actor, _): User,
    ApiJson(b): ApiJson<NewBuildingIn>,
) -> WebResult<(axum::http::StatusCode, Json<BuildingOut>)> {
    let (building, permit) = crate::domain::lots::create_building(
        &state,
        &actor,
        b.agency_id.as_deref(),
        &b.name,
        &b.address,
    )
    .await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(building_out(building, permit.role)),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct CodeOut {
    code: String,
}

/// Replace the building's registration code (the old code and posters stop working).
#[utoipa::path(post, path = "/api/v1/buildings/{id}/code", tag = "buildings", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = CodeOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn regenerate_code(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<CodeOut>> {
    Ok(Json(CodeOut {
        code: crate::domain::lots::regenerate_code(&state, &actor, &id).await?,
    }))
}
