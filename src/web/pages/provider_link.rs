//! The provider's pages behind their private link (no account): see the work order,
//! acknowledge it, confirm a date (with a calendar file), report after the visit.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{FormErrors, NoticeQuery, Page, form_outcome, render};
use crate::app::AppState;
use crate::domain::AppError;
use crate::domain::work_orders::link;
use crate::i18n::local_datetime_in;
use crate::web::api::provider_link::{ProviderView, provider_view_of};
use crate::web::api::reports::read_files;
use crate::web::context::Ctx;
use crate::web::error::WebResult;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/p/{token}", get(provider_page))
        .route("/p/{token}/acknowledge", post(provider_ack))
        .route("/p/{token}/schedule", post(provider_schedule))
        .route("/p/{token}/report", post(provider_report))
        .route("/p/{token}/visit.ics", get(provider_ics))
        .route("/p/{token}/pdf", get(provider_pdf))
        .route("/p/{token}/photos/{id}", get(provider_photo))
}

#[derive(Template)]
#[template(path = "provider.html")]
struct ProviderTpl {
    page: Page,
    token: String,
    wo: ProviderView,
    scheduled: Option<String>,
    /// The confirmed visit in the date field's format, so the form shows it.
    scheduled_input: String,
    errors: FormErrors,
}

async fn provider_render(
    state: &AppState,
    ctx: &Ctx,
    token: &str,
    errors: FormErrors,
    notice: Option<&str>,
) -> WebResult<ProviderTpl> {
    let wo = link::open(state, token).await?;
    let scheduled = wo.scheduled_for.map(|ms| local_datetime_in(ctx.lang, ms));
    let scheduled_input = wo
        .scheduled_for
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .and_then(|t| t.in_tz("Europe/Paris").ok())
        .map(|z| z.strftime("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default();
    // The visit is first proposed on the day the manager asked for (issue 15 item 6).
    let scheduled_input = if scheduled_input.is_empty() {
        link::prefill(&wo.desired_date)
    } else {
        scheduled_input
    };
    let wo = provider_view_of(state, token, wo).await?;
    Ok(ProviderTpl {
        page: Page::new(ctx).with_notice(notice),
        token: token.to_string(),
        wo,
        scheduled,
        scheduled_input,
        errors,
    })
}

async fn provider_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult<Response> {
    render(
        &provider_render(
            &state,
            &ctx,
            &token,
            FormErrors::default(),
            q.notice.as_deref(),
        )
        .await?,
    )
}

async fn provider_ack(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> WebResult<Response> {
    link::acknowledge(&state, &token).await?;
    Ok(Redirect::to(&format!("/p/{token}?notice=wo_acknowledged")).into_response())
}

#[derive(Deserialize)]
struct ScheduleForm {
    #[serde(default)]
    date: String,
}

async fn provider_schedule(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<ScheduleForm>,
) -> WebResult<Response> {
    form_outcome(
        ctx.lang,
        link::schedule(&state, &token, &f.date).await,
        |_| Ok(Redirect::to(&format!("/p/{token}?notice=wo_scheduled")).into_response()),
        |errors| provider_render(&state, &ctx, &token, errors, None),
    )
    .await
}

async fn provider_report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    mut multipart: Multipart,
) -> WebResult<Response> {
    let (files, fields) = read_files(&mut multipart).await?;
    let get = |k: &str| fields.text(k);
    form_outcome(
        ctx.lang,
        link::report(
            &state,
            &token,
            &get("body"),
            get("outcome") != "another_visit",
            files,
        )
        .await,
        |_| Ok(Redirect::to(&format!("/p/{token}?notice=wo_reported")).into_response()),
        |errors| provider_render(&state, &ctx, &token, errors, None),
    )
    .await
}

async fn provider_ics(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> WebResult<Response> {
    let wo = link::open(&state, &token).await?;
    let at = wo.scheduled_for.ok_or(AppError::NotFound)?;
    let b = link::site(&state, &wo).await?;
    let ics = link::ics(&wo, &b.name, &b.address, at, &state.config.base_url);
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"intervention.ics\"",
            ),
        ],
        ics,
    )
        .into_response())
}

async fn provider_pdf(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> WebResult<Response> {
    let (reference, bytes) = link::pdf(&state, &token).await?;
    let disposition = format!("inline; filename=\"{reference}.pdf\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

async fn provider_photo(
    State(state): State<AppState>,
    Path((token, id)): Path<(String, String)>,
) -> WebResult<Response> {
    let photo = link::photo(&state, &token, &id).await?;
    let bytes = state
        .files
        .get(&photo.object_key)
        .await
        .map_err(AppError::from)?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "private, max-age=86400"),
        ],
        bytes,
    )
        .into_response())
}
