//! Providers, work orders, and the provider link's JSON twins.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ErrorBody;
pub use super::provider_link::{ProviderView, provider_view_of};
use super::reports::iso;
use crate::app::AppState;
use crate::auth::Actor;
use crate::auth::authz::{self, AgencyAction};
use crate::domain::AppError;
use crate::domain::work_orders::providers::{self, ImportReport};
use crate::domain::work_orders::stats::{self, Reactivity};
use crate::domain::work_orders::{self as service, WorkOrderInput};
use crate::domain::work_orders::{Provider, WorkOrder};
use crate::web::error::WebResult;
use crate::web::extract::{ApiJson, ApiMultipart, ApiQuery, User};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_providers, create_provider))
        .routes(routes!(import_providers))
        .routes(routes!(favorite, unfavorite))
        .routes(routes!(provider_stats))
        .routes(routes!(trade_stats))
        .routes(routes!(reminder_settings))
        .routes(routes!(create_work_order))
        .routes(routes!(attach_work_order))
        .routes(routes!(get_work_order))
        .routes(routes!(work_order_pdf))
        .routes(routes!(revoke_link))
        .routes(routes!(portfolio_work_orders))
        .routes(routes!(building_work_orders))
}

#[derive(Serialize, ToSchema)]
pub struct ProviderOut {
    #[serde(flatten)]
    provider: Provider,
    favorite: bool,
}

/// Which agency an agency-wide request is for: required only of managers of several agencies.
#[derive(Deserialize, IntoParams)]
pub struct AgencyQuery {
    agency_id: Option<String>,
}

/// The agency's providers, the caller's favorites first.
#[utoipa::path(get, path = "/api/v1/providers", tag = "work orders", security(("bearer" = [])), params(AgencyQuery),
    responses((status = 200, body = [ProviderOut]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_providers(
    State(state): State<AppState>,
    User(actor, _): User,
    ApiQuery(a): ApiQuery<AgencyQuery>,
) -> WebResult<Json<Vec<ProviderOut>>> {
    let list = providers::list(&state, &actor, a.agency_id.as_deref()).await?;
    Ok(Json(
        list.into_iter()
            .map(|(provider, favorite)| ProviderOut { provider, favorite })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ProviderIn {
    company: String,
    /// Trades, comma-separated (plomberie, ascenseur…).
    #[serde(default)]
    trades: String,
    #[serde(default)]
    contact_name: String,
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    notes: String,
}

/// Add a provider (or update the one with the same e-mail).
#[utoipa::path(post, path = "/api/v1/providers", tag = "work orders", security(("bearer" = [])), request_body = ProviderIn, params(AgencyQuery),
    responses((status = 201, body = [ProviderOut]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_provider(
    State(state): State<AppState>,
    User(actor, _): User,
    ApiQuery(a): ApiQuery<AgencyQuery>,
    ApiJson(p): ApiJson<ProviderIn>,
) -> WebResult<(StatusCode, Json<Vec<ProviderOut>>)> {
    let agency = authz::check_agency(
        &actor,
        AgencyAction::ManageProviders,
        a.agency_id.as_deref(),
    )?
    .agency_id;
    let valid = providers::parse(
        &p.company,
        &p.trades,
        &p.contact_name,
        &p.email,
        &p.phone,
        &p.notes,
    )?;
    providers::save(&state, &agency, &valid).await?;
    let list = providers::list(&state, &actor, Some(&agency)).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            list.into_iter()
                .map(|(provider, favorite)| ProviderOut { provider, favorite })
                .collect(),
        ),
    ))
}

/// Import the agency's supplier base from CSV (`;` or `,`; columns company/société, email, trades/métiers, contact, phone/téléphone, notes).
#[utoipa::path(post, path = "/api/v1/providers/import", tag = "work orders", security(("bearer" = [])),
    request_body(content_type = "text/csv", description = "the CSV file"), params(AgencyQuery),
    responses((status = 200, body = ImportReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_providers(
    State(state): State<AppState>,
    User(actor, _): User,
    ApiQuery(a): ApiQuery<AgencyQuery>,
    body: Bytes,
) -> WebResult<Json<ImportReport>> {
    let agency = authz::check_agency(
        &actor,
        AgencyAction::ManageProviders,
        a.agency_id.as_deref(),
    )?
    .agency_id;
    Ok(Json(
        providers::import_csv(&state, &agency, &body, |_, _| {}).await?,
    ))
}

/// Mark a provider as a favorite.
#[utoipa::path(post, path = "/api/v1/providers/{id}/favorite", tag = "work orders", security(("bearer" = [])),
    params(("id" = String, Path), AgencyQuery), responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn favorite(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiQuery(a): ApiQuery<AgencyQuery>,
) -> WebResult<StatusCode> {
    providers::favorite(&state, &actor, a.agency_id.as_deref(), &id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a provider from the favorites.
#[utoipa::path(delete, path = "/api/v1/providers/{id}/favorite", tag = "work orders", security(("bearer" = [])),
    params(("id" = String, Path), AgencyQuery), responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn unfavorite(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiQuery(a): ApiQuery<AgencyQuery>,
) -> WebResult<StatusCode> {
    providers::favorite(&state, &actor, a.agency_id.as_deref(), &id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A provider's reactivity: times to acknowledge and to intervene, reminders, first-visit fixes.
#[utoipa::path(get, path = "/api/v1/providers/{id}/stats", tag = "work orders", security(("bearer" = [])),
    params(("id" = String, Path), AgencyQuery), responses((status = 200, body = Reactivity), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn provider_stats(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiQuery(a): ApiQuery<AgencyQuery>,
) -> WebResult<Json<Reactivity>> {
    Ok(Json(
        stats::for_provider(&state, &actor, a.agency_id.as_deref(), &id).await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct WorkOrderOut {
    id: String,
    reference: String,
    report_id: String,
    building_id: String,
    provider_id: String,
    provider: String,
    description: String,
    desired_date: String,
    priority: String,
    /// `sent`, `acknowledged`, `scheduled`, `done` or `cancelled`.
    status: crate::vocab::WorkOrderStatus,
    attached_pdf: bool,
    pdf_url: String,
    created_at: String,
    acknowledged_at: Option<String>,
    scheduled_for: Option<String>,
    done_at: Option<String>,
    visits: i64,
    reminders_sent: i64,
    link_active: bool,
}

pub fn out(w: WorkOrder, now: i64) -> WorkOrderOut {
    WorkOrderOut {
        pdf_url: format!("/api/v1/work-orders/{}/pdf", w.id),
        link_active: w.link_active(now),
        attached_pdf: w.attached,
        created_at: iso(w.created_at),
        acknowledged_at: w.acknowledged_at.map(iso),
        scheduled_for: w.scheduled_for.map(iso),
        done_at: w.done_at.map(iso),
        id: w.id,
        reference: w.reference,
        report_id: w.report_id,
        building_id: w.building_id,
        provider_id: w.provider_id,
        provider: w.provider_company,
        description: w.description,
        desired_date: w.desired_date,
        priority: w.priority,
        status: w.status,
        visits: w.visits,
        reminders_sent: w.reminders_sent,
    }
}

#[derive(Deserialize, ToSchema)]
pub struct WorkOrderIn {
    provider_id: String,
    /// Pre-filled from the report when absent.
    description: Option<String>,
    /// Desired date or window, free text ("jeudi matin", "avant le 30/11").
    #[serde(default)]
    desired_date: String,
    /// `low`, `normal` (default) or `urgent`.
    #[serde(default)]
    priority: String,
}

async fn created(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> WebResult<(StatusCode, Json<WorkOrderOut>)> {
    let wo = service::get(state, actor, id).await?;
    Ok((StatusCode::CREATED, Json(out(wo, state.clock.now_ms()))))
}

/// Send a work order for a report: Palier renders the PDF and e-mails the provider.
#[utoipa::path(post, path = "/api/v1/reports/{id}/work-orders", tag = "work orders", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = WorkOrderIn,
    responses((status = 201, body = WorkOrderOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_work_order(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiJson(w): ApiJson<WorkOrderIn>,
) -> WebResult<(StatusCode, Json<WorkOrderOut>)> {
    let input = WorkOrderInput {
        provider_id: w.provider_id,
        description: w.description,
        desired_date: w.desired_date,
        priority: w.priority,
        attached_pdf: None,
    };
    let (wo, _) = service::create(&state, &actor, &id, input).await?;
    created(&state, &actor, &wo).await
}

/// Send a work order made in the agency's own software (multipart: `pdf`, `provider_id`, `desired_date`).
#[utoipa::path(post, path = "/api/v1/reports/{id}/work-orders/attached", tag = "work orders", security(("bearer" = [])),
    params(("id" = String, Path)), request_body(content_type = "multipart/form-data"),
    responses((status = 201, body = WorkOrderOut), (status = 422, body = ErrorBody)))]
async fn attach_work_order(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiMultipart(mut multipart): ApiMultipart,
) -> WebResult<(StatusCode, Json<WorkOrderOut>)> {
    let (files, fields) = super::reports::read_files(&mut multipart).await?;
    let get = |k: &str| fields.text(k);
    let pdf = files
        .into_iter()
        .next()
        .ok_or(AppError::invalid("pdf", "error.pdf_invalid"))?;
    let input = WorkOrderInput {
        provider_id: get("provider_id"),
        description: Some(get("description")),
        desired_date: get("desired_date"),
        priority: get("priority"),
        attached_pdf: Some(pdf),
    };
    let (wo, _) = service::create(&state, &actor, &id, input).await?;
    created(&state, &actor, &wo).await
}

/// One work order (managers of its agency).
#[utoipa::path(get, path = "/api/v1/work-orders/{id}", tag = "work orders", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = WorkOrderOut), (status = 404, body = ErrorBody)))]
async fn get_work_order(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<WorkOrderOut>> {
    Ok(Json(out(
        service::get(&state, &actor, &id).await?,
        state.clock.now_ms(),
    )))
}

pub fn pdf_response(name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!("inline; filename=\"{}.pdf\"", name.replace('"', ""));
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// The work order's PDF.
#[utoipa::path(get, path = "/api/v1/work-orders/{id}/pdf", tag = "work orders", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, content_type = "application/pdf"), (status = 404, body = ErrorBody)))]
async fn work_order_pdf(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let (name, bytes) = service::pdf(&state, &actor, &id).await?;
    Ok(pdf_response(&name, bytes))
}

/// Revoke the provider's link.
#[utoipa::path(post, path = "/api/v1/work-orders/{id}/revoke", tag = "work orders", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = WorkOrderOut), (status = 404, body = ErrorBody)))]
async fn revoke_link(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<WorkOrderOut>> {
    service::revoke_link(&state, &actor, &id).await?;
    Ok(Json(out(
        service::get(&state, &actor, &id).await?,
        state.clock.now_ms(),
    )))
}

#[derive(Deserialize, IntoParams)]
pub struct WoQuery {
    /// Which agency, for a manager of several (portfolio list only).
    agency_id: Option<String>,
    /// `sent`, `acknowledged`, `scheduled`, `done` or `cancelled`.
    status: Option<String>,
    provider_id: Option<String>,
    /// Portfolio list: one building.
    building_id: Option<String>,
    /// Sent on or after this day (`2026-11-01`, Paris time).
    from: Option<String>,
    /// Sent on or before this day.
    to: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Lines per page, 1 to 200 (50 by default).
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct WorkOrderLineOut {
    #[serde(flatten)]
    work_order: WorkOrderOut,
    building_name: String,
    report_title: String,
    /// Sent and not acknowledged: for how many whole days; null otherwise.
    not_acknowledged_days: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct WorkOrderPageOut {
    items: Vec<WorkOrderLineOut>,
    next_cursor: Option<String>,
}

async fn work_order_page(
    state: &AppState,
    actor: &crate::auth::Actor,
    building: Option<&str>,
    q: &WoQuery,
) -> WebResult<WorkOrderPageOut> {
    let page = service::list(
        state,
        actor,
        service::ListFilter {
            agency_id: q.agency_id.as_deref(),
            building_id: building,
            status: q.status.as_deref(),
            provider: q.provider_id.as_deref(),
            from: q.from.as_deref(),
            to: q.to.as_deref(),
            cursor: q.cursor.as_deref(),
            limit: q.limit,
        },
    )
    .await?;
    let now = state.clock.now_ms();
    Ok(WorkOrderPageOut {
        items: page
            .items
            .into_iter()
            .map(|l| WorkOrderLineOut {
                work_order: out(l.work_order, now),
                building_name: l.building_name,
                report_title: l.report_title,
                not_acknowledged_days: l.unacknowledged_days,
            })
            .collect(),
        next_cursor: page.next_cursor,
    })
}

/// Work orders across the manager's portfolio, newest first, paginated by cursor.
#[utoipa::path(get, path = "/api/v1/work-orders", tag = "work orders", security(("bearer" = [])), params(WoQuery),
    responses((status = 200, body = WorkOrderPageOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn portfolio_work_orders(
    State(state): State<AppState>,
    User(actor, _): User,
    ApiQuery(q): ApiQuery<WoQuery>,
) -> WebResult<Json<WorkOrderPageOut>> {
    let building = q.building_id.clone().filter(|b| !b.is_empty());
    Ok(Json(
        work_order_page(&state, &actor, building.as_deref(), &q).await?,
    ))
}

/// Work orders of one building, newest first, paginated by cursor.
#[utoipa::path(get, path = "/api/v1/buildings/{id}/work-orders", tag = "work orders", security(("bearer" = [])),
    params(("id" = String, Path), WoQuery), responses((status = 200, body = WorkOrderPageOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn building_work_orders(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<WoQuery>,
) -> WebResult<Json<WorkOrderPageOut>> {
    Ok(Json(work_order_page(&state, &actor, Some(&id), &q).await?))
}

/// Reactivity per trade across the agency's providers.
#[utoipa::path(get, path = "/api/v1/provider-stats/trades", tag = "work orders", security(("bearer" = [])),
    params(AgencyQuery),
    responses((status = 200, body = [stats::TradeReactivity]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn trade_stats(
    State(state): State<AppState>,
    User(actor, _): User,
    ApiQuery(a): ApiQuery<AgencyQuery>,
) -> WebResult<Json<Vec<stats::TradeReactivity>>> {
    Ok(Json(
        stats::by_trade(&state, &actor, a.agency_id.as_deref()).await?,
    ))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ReminderSettings {
    /// Working days without acknowledgement before each reminder (1 to 30).
    remind_after_days: i64,
    /// Reminders before the manager is told (0 to 10).
    reminders_before_escalation: i64,
}

/// Set the agency's reminder delays.
#[utoipa::path(put, path = "/api/v1/agency/reminder-settings", tag = "work orders", security(("bearer" = [])),
    request_body = ReminderSettings, params(AgencyQuery),
    responses((status = 200, body = ReminderSettings), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reminder_settings(
    State(state): State<AppState>,
    User(actor, _): User,
    ApiQuery(a): ApiQuery<AgencyQuery>,
    ApiJson(r): ApiJson<ReminderSettings>,
) -> WebResult<Json<ReminderSettings>> {
    service::set_reminder_settings(
        &state,
        &actor,
        a.agency_id.as_deref(),
        r.remind_after_days,
        r.reminders_before_escalation,
    )
    .await?;
    Ok(Json(r))
}
