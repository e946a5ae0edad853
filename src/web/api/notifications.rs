//! In-app notifications and their settings over JSON (N1–N3).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ErrorBody;
use super::reports::iso;
use crate::app::AppState;
use crate::domain::inbox;
use crate::domain::notifications as service;
use crate::web::error::WebResult;
use crate::web::extract::{ApiJson, User};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(mark_read))
        .routes(routes!(get_settings, put_settings))
}

#[derive(Serialize, ToSchema)]
pub struct NotificationOut {
    id: String,
    /// The event: `report_created`, `urgent_report`, `comment_added`, `report_closed`…,
    /// `member_left` (someone moved out; no report).
    kind: String,
    building_id: String,
    report_id: Option<String>,
    report_title: Option<String>,
    building: String,
    actor: Option<String>,
    read: bool,
    created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct NotificationList {
    /// Unread notifications, counted up to 100.
    unread: i64,
    /// True when `unread` reached its cap: there may be more.
    unread_capped: bool,
    items: Vec<NotificationOut>,
}

/// The caller's latest notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = NotificationList), (status = 401, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    User(actor, _): User,
) -> WebResult<Json<NotificationList>> {
    let unread = inbox::unread_count(&state, &actor).await?;
    let items = inbox::latest(&state, &actor)
        .await?
        .into_iter()
        .map(|n| NotificationOut {
            id: n.id,
            kind: n.kind,
            building_id: n.building_id,
            report_id: n.report_id,
            report_title: n.report_title,
            building: n.building_name,
            actor: n.actor_name.map(|a| actor.lang.person(&a).to_string()),
            read: n.read,
            created_at: iso(n.created_at),
        })
        .collect();
    Ok(Json(NotificationList {
        unread,
        unread_capped: unread >= inbox::UNREAD_CAP,
        items,
    }))
}

/// Mark one notification as read.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn mark_read(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<StatusCode> {
    inbox::mark_read(&state, &actor, Some(&id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct SettingsBody {
    /// `immediate` or `digest` (08:00 in the person's time zone).
    mode: String,
    /// Category slugs the person hears about.
    categories: Vec<String>,
}

impl From<service::Settings> for SettingsBody {
    fn from(s: service::Settings) -> Self {
        let categories = s
            .categories
            .into_iter()
            .filter(|(_, _, on)| *on)
            .map(|(slug, _, _)| slug)
            .collect();
        SettingsBody {
            mode: s.mode,
            categories,
        }
    }
}

/// The caller's notification settings.
#[utoipa::path(get, path = "/api/v1/me/notification-settings", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = SettingsBody)))]
async fn get_settings(
    State(state): State<AppState>,
    User(actor, _): User,
) -> WebResult<Json<SettingsBody>> {
    let s = service::settings(&state, &actor).await?;
    Ok(Json(s.into()))
}

/// Change the caller's notification settings.
#[utoipa::path(put, path = "/api/v1/me/notification-settings", tag = "notifications", security(("bearer" = [])),
    request_body = SettingsBody, responses((status = 200, body = SettingsBody), (status = 422, body = ErrorBody)))]
async fn put_settings(
    State(state): State<AppState>,
    User(actor, _): User,
    ApiJson(body): ApiJson<SettingsBody>,
) -> WebResult<Json<SettingsBody>> {
    service::save_settings(&state, &actor, &body.mode, &body.categories).await?;
    let s = service::settings(&state, &actor).await?;
    Ok(Json(s.into()))
}
