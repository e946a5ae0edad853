//! The calendar feed itself (X2): `/calendar/{token}.ics`, no sign-in, for calendar apps.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::app::AppState;
use crate::domain::calendar;
use crate::web::error::WebResult;

pub fn router() -> Router<AppState> {
    Router::new().route("/calendar/{file}", get(feed))
}

async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> WebResult<Response> {
    let body = calendar::feed(&state, &file).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    )
        .into_response())
}
