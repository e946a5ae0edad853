//! The private calendar feed's address (X2, issue 12 item 7): get it, revoke it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ErrorBody;
use crate::app::AppState;
use crate::domain::calendar;
use crate::web::error::WebResult;
use crate::web::extract::User;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_feed, revoke_feed))
}

#[derive(Serialize, ToSchema)]
pub struct CalendarFeed {
    /// Private iCalendar address (no sign-in): planned interventions and poll closing
    /// dates of the reports and buildings the caller may see. The same until revoked.
    url: String,
}

/// The caller's private calendar address, made on first request.
#[utoipa::path(get, path = "/api/v1/me/calendar", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = CalendarFeed), (status = 401, body = ErrorBody)))]
async fn get_feed(
    State(state): State<AppState>,
    User(actor, _): User,
) -> WebResult<Json<CalendarFeed>> {
    Ok(Json(CalendarFeed {
        url: calendar::feed_url(&state, &actor).await?,
    }))
}

/// Revoke the caller's calendar address: it stops working at once; the next GET gives a
/// new one.
#[utoipa::path(delete, path = "/api/v1/me/calendar", tag = "accounts", security(("bearer" = [])),
    responses((status = 204, description = "Revoked"), (status = 401, body = ErrorBody)))]
async fn revoke_feed(State(state): State<AppState>, User(actor, _): User) -> WebResult<StatusCode> {
    calendar::revoke(&state, &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}
