//! Insurers, buildings' insurance and insurance claims (C1–C4).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ErrorBody;
use super::claim_out::{
    AttachmentOut, ClaimDetailOut, ClaimOut, ClaimPage, attachment_out, detail_out, out,
};
use super::work_orders::pdf_response;
use crate::app::AppState;
use crate::domain::AppError;
use crate::domain::claims::declare::{self, ClaimInput};
use crate::domain::claims::insurers::{self, Insurance, Insurer};
use crate::domain::claims::{self as service, document, files, thread};
use crate::web::error::WebResult;
use crate::web::extract::{ApiJson, ApiMultipart, ApiQuery, User};
use crate::web::multipart::read_named_file;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_insurers, create_insurer))
        .routes(routes!(get_insurance, set_insurance))
        .routes(routes!(create_claim, building_claims))
        .routes(routes!(portfolio_claims))
        .routes(routes!(get_claim))
        .routes(routes!(claim_pdf))
        .routes(routes!(add_attachment))
        .routes(routes!(get_attachment))
        .routes(routes!(transmit))
        .routes(routes!(revoke_link))
        .routes(routes!(post_message))
        .routes(routes!(set_status))
        .routes(routes!(claim_settings))
}

#[derive(Deserialize, IntoParams)]
pub struct AgencyQuery {
    /// Which agency, for a manager of several.
    agency_id: Option<String>,
}

/// The insurers the agency may choose: its own and those shared by the instance.
#[utoipa::path(get, path = "/api/v1/insurers", tag = "claims", security(("bearer" = [])), params(AgencyQuery),
    responses((status = 200, body = [Insurer]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_insurers(
    State(state): State<AppState>,
    User(actor, _): User,
    ApiQuery(a): ApiQuery<AgencyQuery>,
) -> WebResult<Json<Vec<Insurer>>> {
    Ok(Json(
        insurers::list(&state, &actor, a.agency_id.as_deref()).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct InsurerIn {
    name: String,
    claims_email: String,
    #[serde(default)]
    phone: String,
}

/// Add an insurer to the agency's directory.
#[utoipa::path(post, path = "/api/v1/insurers", tag = "claims", security(("bearer" = [])), params(AgencyQuery), request_body = InsurerIn,
    responses((status = 201, body = Insurer), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_insurer(
    State(state): State<AppState>,
    User(actor, _): User,
    ApiQuery(a): ApiQuery<AgencyQuery>,
    ApiJson(i): ApiJson<InsurerIn>,
) -> WebResult<(StatusCode, Json<Insurer>)> {
    let insurer = insurers::create(
        &state,
        &actor,
        a.agency_id.as_deref(),
        &i.name,
        &i.claims_email,
        &i.phone,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(insurer)))
}

/// The building's insurer and policy number (null while unset).
#[utoipa::path(get, path = "/api/v1/buildings/{id}/insurance", tag = "claims", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Option<Insurance>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_insurance(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<Option<Insurance>>> {
    Ok(Json(insurers::insurance(&state, &actor, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct InsuranceIn {
    insurer_id: String,
    policy_number: String,
}

/// Set the building's insurer (the agency's or a shared one) and policy number.
#[utoipa::path(put, path = "/api/v1/buildings/{id}/insurance", tag = "claims", security(("bearer" = [])), params(("id" = String, Path)), request_body = InsuranceIn,
    responses((status = 200, body = Insurance), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_insurance(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiJson(i): ApiJson<InsuranceIn>,
) -> WebResult<Json<Insurance>> {
    Ok(Json(
        insurers::set_insurance(&state, &actor, &id, &i.insurer_id, &i.policy_number).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ClaimIn {
    /// Declared from this report: its title, place, dates and photos are carried over.
    report_id: Option<String>,
    kind: String,
    /// A day ("2026-11-20"), a Paris local time ("2026-11-20T08:30") or an instant; not in
    /// the future. Defaults to the report's date when declared from one.
    occurred_at: Option<String>,
    discovered_at: Option<String>,
    /// Defaults to the report's title.
    title: Option<String>,
    description: String,
    damages: String,
    /// Whole cents, not negative.
    #[schema(value_type = Option<i64>)]
    estimated_amount_cents: Option<serde_json::Value>,
    #[serde(default)]
    lots_concerned: Vec<String>,
    third_parties: Option<String>,
    /// The report's photos to carry over (all of its own photos when absent).
    photo_ids: Option<Vec<String>>,
}

/// Declare a claim (status "draft").
#[utoipa::path(post, path = "/api/v1/buildings/{id}/claims", tag = "claims", security(("bearer" = [])), params(("id" = String, Path)), request_body = ClaimIn,
    responses((status = 201, body = ClaimDetailOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_claim(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiJson(c): ApiJson<ClaimIn>,
) -> WebResult<(StatusCode, Json<ClaimDetailOut>)> {
    let input = ClaimInput {
        report_id: c.report_id,
        kind: c.kind,
        occurred_at: c.occurred_at,
        discovered_at: c.discovered_at,
        title: c.title,
        description: c.description,
        damages: c.damages,
        estimated_amount_cents: c.estimated_amount_cents,
        lots_concerned: c.lots_concerned,
        third_parties: c.third_parties,
        photo_ids: c.photo_ids,
    };
    let claim = declare::create(&state, &actor, &id, input).await?;
    let detail = service::get(&state, &actor, &claim.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(detail_out(detail, state.clock.now_ms())),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct ClaimQuery {
    /// Which agency, for a manager of several (portfolio list only).
    agency_id: Option<String>,
    status: Option<String>,
    kind: Option<String>,
    /// The `next` cursor of the previous page.
    after: Option<String>,
}

async fn page(
    state: &AppState,
    actor: &crate::auth::Actor,
    building: Option<&str>,
    q: &ClaimQuery,
) -> WebResult<Json<ClaimPage>> {
    let (items, next) = service::list(
        state,
        actor,
        service::ListFilter {
            agency_id: q.agency_id.as_deref(),
            building_id: building,
            status: q.status.as_deref(),
            kind: q.kind.as_deref(),
            after: q.after.as_deref(),
        },
    )
    .await?;
    let now = state.clock.now_ms();
    Ok(Json(ClaimPage {
        items: items.into_iter().map(|c| out(c, now)).collect(),
        next,
    }))
}

/// The building's claims, newest first, by status and kind.
#[utoipa::path(get, path = "/api/v1/buildings/{id}/claims", tag = "claims", security(("bearer" = [])), params(("id" = String, Path), ClaimQuery),
    responses((status = 200, body = ClaimPage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn building_claims(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ClaimQuery>,
) -> WebResult<Json<ClaimPage>> {
    page(&state, &actor, Some(&id), &q).await
}

/// Claims across the manager's portfolio, newest first, by status and kind.
#[utoipa::path(get, path = "/api/v1/claims", tag = "claims", security(("bearer" = [])), params(ClaimQuery),
    responses((status = 200, body = ClaimPage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn portfolio_claims(
    State(state): State<AppState>,
    User(actor, _): User,
    ApiQuery(q): ApiQuery<ClaimQuery>,
) -> WebResult<Json<ClaimPage>> {
    page(&state, &actor, None, &q).await
}

/// One claim with its lots, files, thread and history.
#[utoipa::path(get, path = "/api/v1/claims/{id}", tag = "claims", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ClaimDetailOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_claim(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<ClaimDetailOut>> {
    let detail = service::get(&state, &actor, &id).await?;
    Ok(Json(detail_out(detail, state.clock.now_ms())))
}

/// The declaration as a PDF, in the insurer's expected order.
#[utoipa::path(get, path = "/api/v1/claims/{id}/pdf", tag = "claims", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, content_type = "application/pdf"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn claim_pdf(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let (name, bytes) = document::pdf(&state, &actor, &id).await?;
    Ok(pdf_response(&name, bytes))
}

/// Attach a file (multipart: `file`, `kind` = quote, invoice, photo, expert_report or note).
/// PDFs must parse; anything else must be an image (re-encoded). 10 MB at most.
#[utoipa::path(post, path = "/api/v1/claims/{id}/attachments", tag = "claims", security(("bearer" = [])), params(("id" = String, Path)),
    request_body(content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_attachment(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiMultipart(mut multipart): ApiMultipart,
) -> WebResult<(StatusCode, Json<AttachmentOut>)> {
    let (file, fields) = read_named_file(&mut multipart).await?;
    let (name, bytes) = file.ok_or(AppError::invalid("file", "error.claim_file_type"))?;
    let att = files::add(&state, &actor, &id, &fields.text("kind"), &name, bytes).await?;
    Ok((StatusCode::CREATED, Json(attachment_out(&id, att))))
}

pub fn file_response(content_type: &str, filename: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!(
        "inline; filename=\"{}\"",
        filename.replace(['"', '\\', '\r', '\n'], "")
    );
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// One file of the claim.
#[utoipa::path(get, path = "/api/v1/claims/{id}/attachments/{attachment_id}", tag = "claims", security(("bearer" = [])),
    params(("id" = String, Path), ("attachment_id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_attachment(
    State(state): State<AppState>,
    User(actor, _): User,
    Path((id, attachment_id)): Path<(String, String)>,
) -> WebResult<Response> {
    let (att, bytes) = files::get(&state, &actor, &id, &attachment_id).await?;
    Ok(file_response(att.content_type(), &att.filename, bytes))
}

/// Send the claim to the building's insurer: the PDF, the files (links past 8 MB) and a
/// private link; status "transmitted". 409 while the building has no insurer or policy number.
#[utoipa::path(post, path = "/api/v1/claims/{id}/transmit", tag = "claims", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ClaimDetailOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn transmit(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<ClaimDetailOut>> {
    thread::transmit(&state, &actor, &id).await?;
    let detail = service::get(&state, &actor, &id).await?;
    Ok(Json(detail_out(detail, state.clock.now_ms())))
}

/// Revoke the insurer's link (410 afterwards).
#[utoipa::path(post, path = "/api/v1/claims/{id}/revoke", tag = "claims", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ClaimOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn revoke_link(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<ClaimOut>> {
    let claim = thread::revoke_link(&state, &actor, &id).await?;
    Ok(Json(out(claim, state.clock.now_ms())))
}

#[derive(Deserialize, ToSchema)]
pub struct MessageIn {
    body: String,
}

/// Write to the insurer on the claim's thread (they are e-mailed). Files go through the
/// attachments route; the insurer sees every file of the claim.
#[utoipa::path(post, path = "/api/v1/claims/{id}/messages", tag = "claims", security(("bearer" = [])), params(("id" = String, Path)), request_body = MessageIn,
    responses((status = 201, body = ClaimDetailOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn post_message(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiJson(m): ApiJson<MessageIn>,
) -> WebResult<(StatusCode, Json<ClaimDetailOut>)> {
    thread::post_message(&state, &actor, &id, &m.body).await?;
    let detail = service::get(&state, &actor, &id).await?;
    Ok((
        StatusCode::CREATED,
        Json(detail_out(detail, state.clock.now_ms())),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct StatusIn {
    /// `settled` (with `amount_cents`), `refused` or `closed`.
    status: String,
    #[schema(value_type = Option<i64>)]
    amount_cents: Option<serde_json::Value>,
}

/// Record the outcome: settled (amount), refused, or closed.
#[utoipa::path(post, path = "/api/v1/claims/{id}/status", tag = "claims", security(("bearer" = [])), params(("id" = String, Path)), request_body = StatusIn,
    responses((status = 200, body = ClaimOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_status(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiJson(s): ApiJson<StatusIn>,
) -> WebResult<Json<ClaimOut>> {
    let claim =
        service::set_status(&state, &actor, &id, &s.status, s.amount_cents.as_ref()).await?;
    Ok(Json(out(claim, state.clock.now_ms())))
}

#[derive(Deserialize, serde::Serialize, ToSchema)]
pub struct ClaimSettings {
    /// Working days without news before the insurer is reminded (1 to 60; default 10).
    remind_after_days: i64,
    /// Reminders before the manager is told (0 to 10; default 2).
    reminders_before_escalation: i64,
}

/// Set the agency's claim reminder delays.
#[utoipa::path(put, path = "/api/v1/agency/claim-settings", tag = "claims", security(("bearer" = [])), params(AgencyQuery), request_body = ClaimSettings,
    responses((status = 200, body = ClaimSettings), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn claim_settings(
    State(state): State<AppState>,
    User(actor, _): User,
    ApiQuery(a): ApiQuery<AgencyQuery>,
    ApiJson(s): ApiJson<ClaimSettings>,
) -> WebResult<Json<ClaimSettings>> {
    service::set_reminder_settings(
        &state,
        &actor,
        a.agency_id.as_deref(),
        s.remind_after_days,
        s.reminders_before_escalation,
    )
    .await?;
    Ok(Json(s))
}
