//! The provider's link over JSON (W5): no account, one work order, the token in the path.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ErrorBody;
use super::reports::iso;
use crate::app::AppState;
use crate::domain::work_orders::WorkOrder;
use crate::domain::work_orders::link;
use crate::web::error::WebResult;
use crate::web::extract::{ApiJson, ApiMultipart};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(provider_view))
        .routes(routes!(provider_acknowledge))
        .routes(routes!(provider_schedule))
        .routes(routes!(provider_report))
        .routes(routes!(provider_report_photos))
}

#[derive(Serialize, ToSchema)]
pub struct ProviderView {
    pub reference: String,
    pub status: crate::vocab::WorkOrderStatus,
    pub description: String,
    pub desired_date: String,
    pub building: String,
    pub address: String,
    pub access_codes: String,
    pub on_site_contact: String,
    pub scheduled_for: Option<String>,
    /// Where in the building ("Escalier B, 3e étage").
    pub place: String,
    #[schema(value_type = String, example = "urgent")]
    /// `low`, `normal` or `urgent`.
    pub priority: String,
    /// The manager who sent it, and how to reach them.
    pub manager: String,
    pub manager_phone: String,
    pub manager_email: String,
    /// The report's own photos, each at an address of this link.
    pub photos: Vec<String>,
    /// The work order's PDF, at an address of this link.
    pub pdf: String,
}

pub async fn provider_view_of(
    state: &AppState,
    token: &str,
    wo: WorkOrder,
) -> WebResult<ProviderView> {
    let b = crate::domain::work_orders::link::site(state, &wo).await?;
    let d = crate::domain::work_orders::link::details(state, &wo).await?;
    Ok(ProviderView {
        place: d.place,
        priority: wo.priority.clone(),
        manager: d.manager_name,
        manager_phone: d.manager_phone,
        manager_email: d.manager_email,
        photos: d
            .photo_ids
            .iter()
            .map(|id| format!("/p/{token}/photos/{id}"))
            .collect(),
        pdf: format!("/p/{token}/pdf"),
        reference: wo.reference,
        status: wo.status,
        description: wo.description,
        desired_date: wo.desired_date,
        building: b.name,
        address: b.address,
        access_codes: b.access_codes,
        on_site_contact: format!("{} {}", b.contact_name, b.contact_phone)
            .trim()
            .to_string(),
        scheduled_for: wo.scheduled_for.map(iso),
    })
}

/// What the provider sees through their link (no account).
#[utoipa::path(get, path = "/api/v1/p/{token}", tag = "provider link", params(("token" = String, Path)),
    responses((status = 200, body = ProviderView), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody)))]
async fn provider_view(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> WebResult<Json<ProviderView>> {
    let wo = link::open(&state, &token).await?;
    Ok(Json(provider_view_of(&state, &token, wo).await?))
}

/// The provider acknowledges the work order.
#[utoipa::path(post, path = "/api/v1/p/{token}/acknowledge", tag = "provider link", params(("token" = String, Path)),
    responses((status = 200, body = ProviderView), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody)))]
async fn provider_acknowledge(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> WebResult<Json<ProviderView>> {
    let wo = link::acknowledge(&state, &token).await?;
    Ok(Json(provider_view_of(&state, &token, wo).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ScheduleIn {
    /// Local Paris time, `2026-11-26T09:00`.
    date: String,
}

/// The provider confirms or proposes the visit date; a calendar file is e-mailed to them.
#[utoipa::path(post, path = "/api/v1/p/{token}/schedule", tag = "provider link", params(("token" = String, Path)), request_body = ScheduleIn,
    responses((status = 200, body = ProviderView), (status = 422, body = ErrorBody), (status = 410, body = ErrorBody)))]
async fn provider_schedule(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(s): ApiJson<ScheduleIn>,
) -> WebResult<Json<ProviderView>> {
    let wo = link::schedule(&state, &token, &s.date).await?;
    Ok(Json(provider_view_of(&state, &token, wo).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ReportIn {
    body: String,
    /// True when finished; false when another visit is needed.
    done: bool,
}

/// The provider's report after the visit.
#[utoipa::path(post, path = "/api/v1/p/{token}/report", tag = "provider link", params(("token" = String, Path)), request_body = ReportIn,
    responses((status = 200, body = ProviderView), (status = 409, body = ErrorBody), (status = 410, body = ErrorBody)))]
async fn provider_report(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(r): ApiJson<ReportIn>,
) -> WebResult<Json<ProviderView>> {
    let wo = link::report(&state, &token, &r.body, r.done, Vec::new()).await?;
    Ok(Json(provider_view_of(&state, &token, wo).await?))
}

/// The provider's report with photos (multipart: `body`, `done` = true|false, up to 3 `photo` files).
#[utoipa::path(post, path = "/api/v1/p/{token}/report-with-photos", tag = "provider link", params(("token" = String, Path)),
    request_body(content_type = "multipart/form-data"),
    responses((status = 200, body = ProviderView), (status = 422, body = ErrorBody), (status = 410, body = ErrorBody)))]
async fn provider_report_photos(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiMultipart(mut multipart): ApiMultipart,
) -> WebResult<Json<ProviderView>> {
    let (files, fields) = super::reports::read_files(&mut multipart).await?;
    let get = |k: &str| fields.text(k);
    let wo = link::report(&state, &token, &get("body"), get("done") != "false", files).await?;
    Ok(Json(provider_view_of(&state, &token, wo).await?))
}
