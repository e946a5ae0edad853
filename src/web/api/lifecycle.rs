//! The people lifecycle: approval of new members, moving out, erasure, e-mail and time zone.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ErrorBody;
use crate::app::AppState;
use crate::auth::authz::Action;
use crate::domain::approval::{self, Pending};
use crate::domain::buildings as bsvc;
use crate::domain::moving_out::{self, Former};
use crate::domain::{account_settings, erasure};
use crate::web::error::WebResult;
use crate::web::extract::{ApiJson, ApiQuery, User};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(requests))
        .routes(routes!(approve))
        .routes(routes!(refuse))
        .routes(routes!(get_approval, set_approval))
        .routes(routes!(end_residence, edit_residence))
        .routes(routes!(former))
        .routes(routes!(erase_former))
        .routes(routes!(erase_me))
        .routes(routes!(change_email))
        .routes(routes!(confirm_email))
        .routes(routes!(get_timezone, set_timezone))
}

#[derive(Deserialize, IntoParams)]
pub struct PageQuery {
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PendingPage {
    items: Vec<Pending>,
    next_cursor: Option<String>,
}

/// People waiting for approval to join the building, oldest request first (managers and
/// referents).
#[utoipa::path(get, path = "/api/v1/buildings/{id}/membership-requests", tag = "members", security(("bearer" = [])),
    params(("id" = String, Path), PageQuery),
    responses((status = 200, body = PendingPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn requests(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> WebResult<Json<PendingPage>> {
    let (_, permit) = bsvc::authorize(&state, &actor, &id, Action::ApproveMembers).await?;
    let page = approval::list(&state, &permit, q.cursor.as_deref()).await?;
    Ok(Json(PendingPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

async fn decide(
    state: &AppState,
    actor: &crate::auth::Actor,
    id: &str,
    person_id: &str,
    approve: bool,
) -> WebResult<StatusCode> {
    let (building, permit) = bsvc::authorize(state, actor, id, Action::ApproveMembers).await?;
    approval::decide(state, actor, &permit, &building.name, person_id, approve).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Approve a request: the person becomes a member at once and is told by e-mail.
#[utoipa::path(post, path = "/api/v1/buildings/{id}/membership-requests/{person_id}/approve", tag = "members", security(("bearer" = [])),
    params(("id" = String, Path), ("person_id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn approve(
    State(state): State<AppState>,
    User(actor, _): User,
    Path((id, person_id)): Path<(String, String)>,
) -> WebResult<StatusCode> {
    decide(&state, &actor, &id, &person_id, true).await
}

/// Refuse a request: the person is told by e-mail and stays outside the building.
#[utoipa::path(post, path = "/api/v1/buildings/{id}/membership-requests/{person_id}/refuse", tag = "members", security(("bearer" = [])),
    params(("id" = String, Path), ("person_id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn refuse(
    State(state): State<AppState>,
    User(actor, _): User,
    Path((id, person_id)): Path<(String, String)>,
) -> WebResult<StatusCode> {
    decide(&state, &actor, &id, &person_id, false).await
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ApprovalSetting {
    /// New members wait for a manager's or referent's approval.
    needs_approval: bool,
}

/// Whether new members wait for approval (managers and referents).
#[utoipa::path(get, path = "/api/v1/buildings/{id}/approval", tag = "members", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ApprovalSetting), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_approval(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<ApprovalSetting>> {
    let (building, _) = bsvc::authorize(&state, &actor, &id, Action::ApproveMembers).await?;
    Ok(Json(ApprovalSetting {
        needs_approval: approval::needs_approval(&state, &building.id).await?,
    }))
}

/// Turn approval of new members on or off (managers).
#[utoipa::path(put, path = "/api/v1/buildings/{id}/approval", tag = "members", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ApprovalSetting,
    responses((status = 200, body = ApprovalSetting), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn set_approval(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ApprovalSetting>,
) -> WebResult<Json<ApprovalSetting>> {
    let (_, permit) = bsvc::authorize(&state, &actor, &id, Action::ManageBuilding).await?;
    approval::set_needs_approval(&state, &actor, &permit, req.needs_approval).await?;
    Ok(Json(req))
}

/// End a residence (moving out): the person themself, or the building's manager. Access
/// ends at once; the person's reports and comments stay.
#[utoipa::path(delete, path = "/api/v1/buildings/{id}/members/{person_id}", tag = "members", security(("bearer" = [])),
    params(("id" = String, Path), ("person_id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn end_residence(
    State(state): State<AppState>,
    User(actor, _): User,
    Path((id, person_id)): Path<(String, String)>,
) -> WebResult<StatusCode> {
    moving_out::end_residence(&state, &actor, &id, &person_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ResidenceIn {
    /// The lot's label ("12", "A-103").
    lot: String,
    occupancy: crate::vocab::Occupancy,
}

/// Change a resident's lot or owner/tenant status (managers; kept in the audit trail).
#[utoipa::path(put, path = "/api/v1/buildings/{id}/members/{person_id}", tag = "members", security(("bearer" = [])),
    params(("id" = String, Path), ("person_id" = String, Path)), request_body = ResidenceIn,
    responses((status = 200, body = ResidenceIn), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn edit_residence(
    State(state): State<AppState>,
    User(actor, _): User,
    Path((id, person_id)): Path<(String, String)>,
    ApiJson(req): ApiJson<ResidenceIn>,
) -> WebResult<Json<ResidenceIn>> {
    let (_, permit) = bsvc::authorize(&state, &actor, &id, Action::ManageMemberships).await?;
    moving_out::edit_residence(
        &state,
        &actor,
        &permit,
        &person_id,
        &req.lot,
        req.occupancy.as_str(),
    )
    .await?;
    Ok(Json(req))
}

#[derive(Serialize, ToSchema)]
pub struct FormerPage {
    items: Vec<Former>,
    next_cursor: Option<String>,
}

/// People who lived in the building, most recent departure first (managers).
#[utoipa::path(get, path = "/api/v1/buildings/{id}/former-members", tag = "members", security(("bearer" = [])),
    params(("id" = String, Path), PageQuery),
    responses((status = 200, body = FormerPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn former(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> WebResult<Json<FormerPage>> {
    let (_, permit) = bsvc::authorize(&state, &actor, &id, Action::ManageMemberships).await?;
    let page = moving_out::former(&state, &permit, q.cursor.as_deref()).await?;
    Ok(Json(FormerPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// Erase the personal data of someone who left the building and lives nowhere on Palier
/// now (managers; audited). 409 when already erased or still a member somewhere.
#[utoipa::path(delete, path = "/api/v1/buildings/{id}/former-members/{person_id}", tag = "members", security(("bearer" = [])),
    params(("id" = String, Path), ("person_id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn erase_former(
    State(state): State<AppState>,
    User(actor, _): User,
    Path((id, person_id)): Path<(String, String)>,
) -> WebResult<StatusCode> {
    let (_, permit) = bsvc::authorize(&state, &actor, &id, Action::ManageMemberships).await?;
    erasure::erase_former(&state, &actor, &permit, &person_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordIn {
    password: String,
}

/// Erase the caller's account: name, e-mail, phone, password, sessions, tokens,
/// subscriptions and pending e-mails. Reports and comments stay, signed "Former resident".
/// 409 for the last manager of an agency.
#[utoipa::path(delete, path = "/api/v1/me", tag = "auth", security(("bearer" = [])), request_body = PasswordIn,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn erase_me(
    State(state): State<AppState>,
    User(actor, _): User,
    ApiJson(req): ApiJson<PasswordIn>,
) -> WebResult<StatusCode> {
    erasure::erase_self(&state, &actor, &req.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct EmailChangeIn {
    /// The new address; it changes once the link sent to it is followed.
    email: String,
    /// The current password.
    password: String,
}

/// Ask to change the caller's e-mail: a confirmation link goes to the new address.
#[utoipa::path(put, path = "/api/v1/me/email", tag = "auth", security(("bearer" = [])), request_body = EmailChangeIn,
    responses((status = 202, description = "Confirmation link sent to the new address"), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn change_email(
    State(state): State<AppState>,
    User(actor, _): User,
    ApiJson(req): ApiJson<EmailChangeIn>,
) -> WebResult<StatusCode> {
    account_settings::request_email_change(&state, &actor, &req.email, &req.password).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, ToSchema)]
pub struct TokenIn {
    /// The token of the link sent to the new address.
    token: String,
}

/// Confirm an e-mail change with the token from the link (no login needed: the link is
/// the proof). 410 when the link expired or was used.
#[utoipa::path(post, path = "/api/v1/me/email/confirm", tag = "auth", request_body = TokenIn,
    responses((status = 204), (status = 409, body = ErrorBody), (status = 410, body = ErrorBody)))]
async fn confirm_email(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<TokenIn>,
) -> WebResult<StatusCode> {
    account_settings::confirm_email_change(&state, &req.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct TimezoneBody {
    /// An IANA time zone, e.g. `Europe/Paris`.
    timezone: String,
}

/// The caller's time zone (the daily digest arrives at 08:00 in it).
#[utoipa::path(get, path = "/api/v1/me/timezone", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = TimezoneBody), (status = 401, body = ErrorBody)))]
async fn get_timezone(
    State(state): State<AppState>,
    User(actor, _): User,
) -> WebResult<Json<TimezoneBody>> {
    Ok(Json(TimezoneBody {
        timezone: account_settings::timezone(&state, &actor).await?,
    }))
}

/// Set the caller's time zone.
#[utoipa::path(put, path = "/api/v1/me/timezone", tag = "auth", security(("bearer" = [])), request_body = TimezoneBody,
    responses((status = 200, body = TimezoneBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_timezone(
    State(state): State<AppState>,
    User(actor, _): User,
    ApiJson(req): ApiJson<TimezoneBody>,
) -> WebResult<Json<TimezoneBody>> {
    Ok(Json(TimezoneBody {
        timezone: account_settings::set_timezone(&state, &actor, &req.timezone).await?,
    }))
}
