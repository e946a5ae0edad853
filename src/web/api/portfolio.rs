//! Portfolio import, invitations and lot landlords (issue 9, items 3 to 5).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ErrorBody;
use crate::app::AppState;
use crate::domain::AppError;
use crate::domain::invitations;
use crate::domain::landlords::{self, LotLandlord};
use crate::domain::portfolio::{self, ImportOptions, ImportSummary};
use crate::web::error::WebResult;
use crate::web::extract::{ApiJson, ApiMultipart, ApiQuery, User};
use crate::web::multipart::read_files;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import))
        .routes(routes!(set_landlord, unset_landlord))
        .routes(routes!(invite_member))
        .routes(routes!(accept_invitation))
}

#[derive(Deserialize, IntoParams)]
pub struct ImportQuery {
    /// Check the file and report what would change, without writing anything.
    #[serde(default)]
    dry_run: bool,
    /// E-mail an invitation to the file's people who have no password yet.
    #[serde(default)]
    invite: bool,
}

/// Import buildings, lots and people from the agency's software (CSV: UTF-8 or Windows-1252,
/// `;` or `,`; columns immeuble/building, adresse/address, lot, tantiemes/shares,
/// escalier/staircase, nom/name, email/courriel, telephone/phone, relation). Keyed on
/// building name + address, lot label and e-mail: importing the same file again changes
/// nothing. Rejected lines are listed with their number and reason; the others are written
/// in one transaction. An unreadable file, or one without a required column, is 422.
#[utoipa::path(post, path = "/api/v1/agencies/{id}/import", tag = "agencies", security(("bearer" = [])),
    params(("id" = String, Path), ImportQuery),
    request_body(content_type = "multipart/form-data", description = "the CSV file in the `file` field"),
    responses((status = 200, body = ImportSummary), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    ApiMultipart(mut multipart): ApiMultipart,
) -> WebResult<Json<ImportSummary>> {
    let (files, _) = read_files(&mut multipart).await?;
    let file = files
        .first()
        .ok_or(AppError::invalid("file", "error.import_no_file"))?;
    let options = ImportOptions {
        dry_run: q.dry_run,
        invite: q.invite,
    };
    Ok(Json(
        portfolio::import(&state, &actor, Some(&id), file, options, |_, _| {}).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct LandlordIn {
    email: String,
    /// Needed only when no one has this e-mail yet.
    #[serde(default)]
    name: String,
}

/// Make someone the lot's landlord (managers), replacing any other: they see the lot's
/// reports and the private manager–landlord thread. Someone new is created and invited.
#[utoipa::path(put, path = "/api/v1/lots/{id}/landlord", tag = "buildings", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = LandlordIn,
    responses((status = 200, body = LotLandlord), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_landlord(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LandlordIn>,
) -> WebResult<Json<LotLandlord>> {
    Ok(Json(
        landlords::link(&state, &actor, &id, &body.email, &body.name).await?,
    ))
}

/// Unlink the lot's landlord (managers): they stop seeing the lot's reports and the private
/// thread at once. 404 when the lot has no landlord.
#[utoipa::path(delete, path = "/api/v1/lots/{id}/landlord", tag = "buildings", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn unset_landlord(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<StatusCode> {
    landlords::unlink(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// E-mail a member who has no password yet a new invitation (an earlier link stops
/// working). 409 when they already sign in.
#[utoipa::path(post, path = "/api/v1/buildings/{id}/members/{person_id}/invite", tag = "buildings", security(("bearer" = [])),
    params(("id" = String, Path), ("person_id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn invite_member(
    State(state): State<AppState>,
    User(actor, _): User,
    Path((id, person_id)): Path<(String, String)>,
) -> WebResult<StatusCode> {
    invitations::invite_member(&state, &actor, &id, &person_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct AcceptIn {
    password: String,
    accept_charter: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Accepted {
    person_id: String,
}

/// Accept an invitation: choose a password and accept the charter. The link works once;
/// a spent or expired one is 410.
#[utoipa::path(post, path = "/api/v1/invitations/{token}/accept", tag = "accounts",
    params(("token" = String, Path)), request_body = AcceptIn,
    responses((status = 200, body = Accepted), (status = 400, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn accept_invitation(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<AcceptIn>,
) -> WebResult<Json<Accepted>> {
    let person_id =
        invitations::accept(&state, &token, &body.password, body.accept_charter).await?;
    Ok(Json(Accepted { person_id }))
}
