//! The on-call contact's page behind their private link (no account): one urgent report,
//! read-only, with its photos.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{Page, render};
use crate::app::AppState;
use crate::domain::AppError;
use crate::domain::reports::on_call::{self, UrgentFacts};
use crate::i18n::local_datetime_in;
use crate::web::context::Ctx;
use crate::web::error::WebResult;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/urgent/{token}", get(on_call_page))
        .route("/urgent/{token}/photos/{id}", get(on_call_photo))
}

#[derive(Template)]
#[template(path = "on_call.html")]
struct OnCallTpl {
    page: Page,
    token: String,
    facts: UrgentFacts,
    /// The facts under the building's heading, labelled (the building line left out).
    lines: Vec<(String, String)>,
    status: String,
    created: String,
}

async fn on_call_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> WebResult<Response> {
    let view = on_call::open(&state, &token).await?;
    let lines = view
        .facts
        .lines(ctx.lang, true)
        .into_iter()
        .skip(1)
        .collect();
    render(&OnCallTpl {
        page: Page::new(&ctx),
        token,
        lines,
        facts: view.facts,
        status: view.status,
        created: local_datetime_in(ctx.lang, view.created_at),
    })
}

async fn on_call_photo(
    State(state): State<AppState>,
    Path((token, id)): Path<(String, String)>,
) -> WebResult<Response> {
    let photo = on_call::photo(&state, &token, &id).await?;
    let bytes = state
        .files
        .get(&photo.object_key)
        .await
        .map_err(AppError::from)?;
    let headers = [
        (axum::http::header::CONTENT_TYPE, "image/jpeg"),
        (axum::http::header::CACHE_CONTROL, "private, max-age=86400"),
    ];
    Ok((headers, bytes).into_response())
}
