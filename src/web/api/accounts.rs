//! Tokens, registration and the caller's identity.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ErrorBody;
use crate::app::AppState;
use crate::domain::accounts::{self, Registration};
use crate::web::context::Ctx;
use crate::web::error::WebResult;
use crate::web::extract::{ApiJson, ClientAddr, User};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_token, revoke_token))
        .routes(routes!(register))
        .routes(routes!(me))
        .routes(routes!(export))
        .routes(routes!(join))
}

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    email: String,
    password: String,
    /// A label to recognise the token by on the account page.
    name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    token: String,
}

/// Exchange credentials for a personal API token.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn create_token(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(req): ApiJson<TokenRequest>,
) -> WebResult<Json<TokenResponse>> {
    let person_id = accounts::authenticate(&state, &req.email, &req.password, client).await?;
    let token =
        accounts::create_api_token(&state, &person_id, req.name.as_deref().unwrap_or("api"))
            .await?;
    Ok(Json(TokenResponse { token }))
}

/// Revoke the token used for this request.
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
async fn revoke_token(
    State(state): State<AppState>,
    User(actor, _): User,
    headers: HeaderMap,
) -> WebResult<StatusCode> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .trim();
    accounts::revoke_api_token(&state, &actor.person_id, token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct RegisterRequest {
    building_code: String,
    name: String,
    email: String,
    password: String,
    lot: String,
    /// `owner` or `tenant`.
    occupancy: String,
    accept_charter: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    id: String,
    /// `pending` while the building's approval is awaited (the account exists but sees
    /// nothing of the building yet).
    status: MembershipStatus,
}

/// Register in a building with its code.
#[utoipa::path(post, path = "/api/v1/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 201, body = Created), (status = 404, description = "Unknown building code", body = ErrorBody),
              (status = 422, body = ErrorBody),
              (status = 429, description = "Too many wrong codes from this address; see Retry-After", body = ErrorBody)))]
async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(client): ClientAddr,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> WebResult<(StatusCode, Json<Created>)> {
    let reg = Registration::parse(
        &req.building_code,
        &req.name,
        &req.email,
        &req.password,
        &req.lot,
        &req.occupancy,
        req.accept_charter,
        ctx.lang,
    )?;
    let (id, building_id) = accounts::register(&state, reg, client).await?;
    let status = if crate::domain::approval::is_pending(&state, &id, &building_id).await? {
        MembershipStatus::Pending
    } else {
        MembershipStatus::Active
    };
    Ok((StatusCode::CREATED, Json(Created { id, status })))
}

#[derive(Serialize, ToSchema)]
pub struct MembershipOut {
    building_id: String,
    /// `occupant`, `referent`, `landlord` or `manager`.
    role: String,
    occupancy: Option<crate::vocab::Occupancy>,
    referent_kind: Option<crate::vocab::ReferentKind>,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    id: String,
    name: String,
    email: String,
    lang: String,
    memberships: Vec<MembershipOut>,
}

/// The caller and their role in each of their buildings.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(State(state): State<AppState>, User(actor, _): User) -> WebResult<Json<Me>> {
    let memberships = crate::domain::buildings::list_for(&state, &actor)
        .await?
        .into_iter()
        .map(|(b, role)| {
            let m = actor.memberships.iter().find(|m| m.building_id == b.id);
            MembershipOut {
                building_id: b.id.clone(),
                role: role.as_str().to_string(),
                occupancy: m.and_then(|m| m.occupancy),
                referent_kind: m.and_then(|m| m.referent_kind),
            }
        })
        .collect();
    Ok(Json(Me {
        id: actor.person_id,
        name: actor.name,
        email: actor.email,
        lang: actor.lang.code().into(),
        memberships,
    }))
}

/// Everything Palier stores about the caller (GDPR right of access), as one JSON document.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = crate::domain::personal_data::Export), (status = 401, body = ErrorBody)))]
async fn export(
    State(state): State<AppState>,
    User(actor, _): User,
) -> WebResult<Json<crate::domain::personal_data::Export>> {
    Ok(Json(
        crate::domain::personal_data::export(&state, &actor).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct JoinRequest {
    building_code: String,
    /// The lot's label as the person knows it ("12", "A-103").
    lot: String,
    occupancy: crate::vocab::Occupancy,
}

#[derive(Serialize, ToSchema)]
pub struct Joined {
    building_id: String,
    /// `pending` while the building's approval is awaited, `active` otherwise.
    status: MembershipStatus,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MembershipStatus {
    Active,
    Pending,
}

/// Join another building with its code, with the account one already has.
#[utoipa::path(post, path = "/api/v1/me/memberships", tag = "auth", security(("bearer" = [])), request_body = JoinRequest,
    responses((status = 201, body = Joined), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
async fn join(
    State(state): State<AppState>,
    User(actor, _): User,
    ClientAddr(client): ClientAddr,
    ApiJson(req): ApiJson<JoinRequest>,
) -> WebResult<(StatusCode, Json<Joined>)> {
    let joined = crate::domain::memberships::join(
        &state,
        &actor,
        &req.building_code,
        &req.lot,
        req.occupancy.as_str(),
        client,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(Joined {
            building_id: joined.building_id,
            status: if joined.pending {
                MembershipStatus::Pending
            } else {
                MembershipStatus::Active
            },
        }),
    ))
}
