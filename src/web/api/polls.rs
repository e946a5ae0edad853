//! Polls over JSON (P1–P5): drafts, publication, votes, closing, results and their CSV.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ErrorBody;
use crate::app::AppState;
use crate::domain::polls::{self as service, Draft, Poll};
use crate::vocab::PollStatus;
use crate::web::error::WebResult;
use crate::web::extract::{ApiJson, ApiQuery, User};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(read, edit))
        .routes(routes!(publish))
        .routes(routes!(vote))
        .routes(routes!(close))
        .routes(routes!(results_csv))
}

#[derive(Deserialize, ToSchema)]
pub struct PollIn {
    title: String,
    question: String,
    /// 2 to 10 distinct labels.
    options: Vec<String>,
    #[serde(default)]
    multiple: bool,
    /// `all`, `owners` or `tenants`.
    audience: String,
    /// Counts the shares (tantièmes) of the owners' lots (P5).
    #[serde(default)]
    weighted: bool,
    /// RFC 3339, in the future.
    closes_at: Option<String>,
    /// `after_vote` or `after_close`.
    results_visible: String,
}

impl PollIn {
    fn draft(self) -> Draft {
        Draft {
            title: self.title,
            question: self.question,
            options: self.options,
            multiple: self.multiple,
            audience: self.audience,
            weighted: self.weighted,
            closes_at: self.closes_at,
            results_visible: self.results_visible,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PollCreated {
    id: String,
    /// Always `draft`: publishing is a separate step.
    status: PollStatus,
}

/// Create a poll as a draft (referents and managers).
#[utoipa::path(post, path = "/api/v1/buildings/{id}/polls", tag = "polls", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = PollIn,
    responses((status = 201, body = PollCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PollIn>,
) -> WebResult<(StatusCode, Json<PollCreated>)> {
    let id = service::create(&state, &actor, &id, &body.draft()).await?;
    Ok((
        StatusCode::CREATED,
        Json(PollCreated {
            id,
            status: PollStatus::Draft,
        }),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    cursor: Option<String>,
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct PollPage {
    items: Vec<Poll>,
    next_cursor: Option<String>,
}

/// The building's polls, newest first (drafts for staff only).
#[utoipa::path(get, path = "/api/v1/buildings/{id}/polls", tag = "polls", security(("bearer" = [])),
    params(("id" = String, Path), ListQuery), responses((status = 200, body = PollPage), (status = 404, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> WebResult<Json<PollPage>> {
    let page = service::list(
        &state,
        &actor,
        &id,
        q.cursor.as_deref(),
        q.limit.unwrap_or(service::PAGE_SIZE),
    )
    .await?;
    Ok(Json(PollPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// A poll: counts only once `results_visible` allows; the turnout always; never who voted what.
#[utoipa::path(get, path = "/api/v1/polls/{id}", tag = "polls", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Poll), (status = 404, body = ErrorBody)))]
async fn read(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<Poll>> {
    Ok(Json(service::read(&state, &actor, &id).await?))
}

/// Rewrite a draft; a published poll is refused (409).
#[utoipa::path(put, path = "/api/v1/polls/{id}", tag = "polls", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = PollIn,
    responses((status = 200, body = Poll), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn edit(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PollIn>,
) -> WebResult<Json<Poll>> {
    service::edit(&state, &actor, &id, &body.draft()).await?;
    Ok(Json(service::read(&state, &actor, &id).await?))
}

/// Publish a draft: it opens, and its audience is e-mailed an invitation.
#[utoipa::path(post, path = "/api/v1/polls/{id}/publish", tag = "polls", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Poll), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn publish(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<Poll>> {
    service::publish(&state, &actor, &id).await?;
    Ok(Json(service::read(&state, &actor, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct VoteIn {
    /// Indexes of the chosen options (one on a single-answer poll).
    options: Vec<i64>,
}

/// Vote, or replace one's vote, until the poll closes.
#[utoipa::path(post, path = "/api/v1/polls/{id}/votes", tag = "polls", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = VoteIn,
    responses((status = 201, body = Poll), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn vote(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<VoteIn>,
) -> WebResult<(StatusCode, Json<Poll>)> {
    service::vote(&state, &actor, &id, &body.options).await?;
    Ok((
        StatusCode::CREATED,
        Json(service::read(&state, &actor, &id).await?),
    ))
}

/// Close the poll (its author or a manager); the results are e-mailed to its audience.
#[utoipa::path(post, path = "/api/v1/polls/{id}/close", tag = "polls", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Poll), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn close(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<Poll>> {
    service::close(&state, &actor, &id).await?;
    Ok(Json(service::read(&state, &actor, &id).await?))
}

/// The results as CSV, for the council meeting (when the counts are visible to the caller).
#[utoipa::path(get, path = "/api/v1/polls/{id}/results.csv", tag = "polls", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "text/csv"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn results_csv(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let (name, csv) = service::results_csv(&state, &actor, &id).await?;
    Ok(csv_response(&name, csv))
}

pub fn csv_response(name: &str, csv: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", name.replace('"', "")),
            ),
        ],
        csv,
    )
        .into_response()
}
