//! Reports over JSON: the same services as the pages (R1–R13).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ErrorBody;
pub use super::photos::serve_photo;
pub use super::report_out::*;
use crate::app::AppState;
use crate::domain::reports::ReplyTemplate;
use crate::domain::reports::categories::{self, Category};
use crate::domain::reports::neighbours::NeighbourDraft;
use crate::domain::reports::{Audience, ReportDraft, read, write};
use crate::domain::{AppError, buildings};
use crate::web::error::WebResult;
use crate::web::extract::{ApiJson, ApiQuery, User};
pub use crate::web::multipart::{FormFields, read_files};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_categories))
        .routes(routes!(create_report, list_reports))
        .routes(routes!(similar_reports))
        .routes(routes!(get_report))
        .routes(routes!(add_comment))
        .routes(routes!(follow, unfollow))
        .routes(routes!(close))
        .routes(routes!(reopen))
        .routes(routes!(remove))
        .routes(routes!(share))
        .routes(routes!(assign))
        .routes(routes!(list_templates))
}

/// Report categories of a building, with who usually pays for the repair.
#[utoipa::path(get, path = "/api/v1/buildings/{id}/categories", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = [Category]), (status = 404, body = ErrorBody)))]
async fn list_categories(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
) -> WebResult<Json<Vec<Category>>> {
    let (building, _) = buildings::authorize(
        &state,
        &actor,
        &id,
        crate::auth::authz::Action::ViewBuilding,
    )
    .await?;
    Ok(Json(
        categories::for_agency(&state, &building.agency_id, ctx.lang).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewReportRequest {
    /// A category slug from `/buildings/{id}/categories`.
    category: String,
    title: String,
    #[serde(default)]
    description: String,
    /// Free text: where in the building.
    #[serde(default)]
    location: String,
    /// Staircase or building part.
    #[serde(default)]
    location_part: String,
    #[serde(default)]
    location_floor: String,
    #[serde(default)]
    urgent: bool,
    /// Managers and referents: the occupant this report is filed for.
    on_behalf_of: Option<String>,
    /// Managers and referents: a neighbour without an account who asked (instead of
    /// `on_behalf_of`). The report is the caller's; the neighbour is who to call back.
    for_neighbour: Option<NeighbourIn>,
    /// Referents, with the council filter on: let the manager see it.
    #[serde(default)]
    share_with_manager: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct NeighbourIn {
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    lot: String,
}

/// File a report.
#[utoipa::path(post, path = "/api/v1/buildings/{id}/reports", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = NewReportRequest,
    responses((status = 201, body = ReportDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_report(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<NewReportRequest>,
) -> WebResult<(StatusCode, Json<ReportDetail>)> {
    let draft = ReportDraft {
        category: req.category,
        title: req.title,
        description: req.description,
        location_part: req.location_part,
        location_floor: req.location_floor,
        location_detail: req.location,
        urgent: req.urgent,
        on_behalf_of: req.on_behalf_of,
        neighbour: req
            .for_neighbour
            .map(|n| NeighbourDraft {
                name: n.name,
                phone: n.phone,
                lot: n.lot,
            })
            .unwrap_or_default(),
        share_with_manager: req.share_with_manager,
    };
    let report_id = write::create(&state, &actor, &id, draft).await?;
    Ok((
        StatusCode::CREATED,
        Json(detail(&state, &actor, &report_id).await?),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// `todo`, `in_progress` or `closed`; all when absent.
    status: Option<String>,
    /// Full-text search, closed reports included.
    q: Option<String>,
    /// `me`: only the reports assigned to the caller.
    assigned: Option<String>,
    /// `true`: only the reports still waiting for a first answer past their due time.
    overdue: Option<bool>,
    cursor: Option<String>,
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ReportPage {
    items: Vec<ReportOut>,
    next_cursor: Option<String>,
}

/// A building's reports, newest activity first, paginated.
#[utoipa::path(get, path = "/api/v1/buildings/{id}/reports", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path), ListQuery), responses((status = 200, body = ReportPage), (status = 404, body = ErrorBody)))]
async fn list_reports(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> WebResult<Json<ReportPage>> {
    let assigned_to_me = match q.assigned.as_deref() {
        None | Some("") => false,
        Some("me") => true,
        Some(_) => return Err(AppError::invalid("assigned", "error.assigned_invalid").into()),
    };
    let page = read::board(
        &state,
        &actor,
        &id,
        q.status.as_deref(),
        read::Only {
            assigned_to_me,
            overdue: q.overdue.unwrap_or(false),
        },
        q.q.as_deref(),
        q.cursor.as_deref(),
        q.limit.unwrap_or(read::PAGE_SIZE),
    )
    .await?;
    Ok(Json(ReportPage {
        items: page
            .items
            .into_iter()
            .map(|r| ReportOut::new(r, actor.lang))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct SimilarQuery {
    #[serde(default)]
    title: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    location: String,
}

/// Open reports that look like a draft, to follow instead of duplicating.
#[utoipa::path(get, path = "/api/v1/buildings/{id}/reports/similar", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path), SimilarQuery), responses((status = 200, body = [ReportOut]), (status = 404, body = ErrorBody)))]
async fn similar_reports(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<SimilarQuery>,
) -> WebResult<Json<Vec<ReportOut>>> {
    let rows = read::similar(&state, &actor, &id, &q.title, &q.category, &q.location).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| ReportOut::new(r, actor.lang))
            .collect(),
    ))
}

/// One report with the comments and history the caller may see.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = ReportDetail), (status = 404, body = ErrorBody)))]
async fn get_report(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<ReportDetail>> {
    Ok(Json(detail(&state, &actor, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct CommentRequest {
    body: String,
    /// `all` (default), `council` (referents and manager) or `person`.
    audience: Option<String>,
    /// With `audience: person`: the occupant who sees it.
    person_id: Option<String>,
    /// Managers and the lot's landlord: the private thread the tenant never sees.
    #[serde(default)]
    private_landlord: bool,
}

/// Reply to a report.
#[utoipa::path(post, path = "/api/v1/reports/{id}/comments", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CommentRequest,
    responses((status = 201, body = CommentOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_comment(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CommentRequest>,
) -> WebResult<(StatusCode, Json<CommentOut>)> {
    let audience = Audience::parse(
        req.audience.as_deref(),
        req.person_id.as_deref(),
        req.private_landlord,
    )?;
    let comment_id = write::comment(&state, &actor, &id, &req.body, audience).await?;
    let view = read::view(&state, &actor, &id).await?;
    let comment = view
        .comments
        .into_iter()
        .find(|c| c.id == comment_id)
        .ok_or(AppError::NotFound)?;
    Ok((
        StatusCode::CREATED,
        Json(comment_out(comment, &view.photos, actor.lang)),
    ))
}

macro_rules! report_action {
    ($name:ident, $path:literal, $doc:literal, $call:expr) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "reports", security(("bearer" = [])), params(("id" = String, Path)),
            responses((status = 200, body = ReportDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
        async fn $name(State(state): State<AppState>, User(actor, _): User, Path(id): Path<String>) -> WebResult<Json<ReportDetail>> {
            $call(&state, &actor, &id).await?;
            Ok(Json(detail(&state, &actor, &id).await?))
        }
    };
}

report_action!(
    follow,
    "/api/v1/reports/{id}/follow",
    "Follow a report (\"me too\").",
    write::follow
);
/// Stop following a report: no more news of it.
#[utoipa::path(delete, path = "/api/v1/reports/{id}/follow", tag = "reports", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ReportDetail), (status = 404, body = ErrorBody)))]
async fn unfollow(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<ReportDetail>> {
    write::unfollow(&state, &actor, &id).await?;
    Ok(Json(detail(&state, &actor, &id).await?))
}

report_action!(
    close,
    "/api/v1/reports/{id}/close",
    "Close a report: manager, referent or author.",
    write::close
);
report_action!(
    reopen,
    "/api/v1/reports/{id}/reopen",
    "Reopen a closed report: managers.",
    write::reopen
);
report_action!(
    share,
    "/api/v1/reports/{id}/share",
    "Share a report kept by the council filter with the manager.",
    write::share
);

#[derive(Deserialize, ToSchema)]
pub struct RemoveRequest {
    reason: String,
}

/// Remove a report as abuse or duplicate, with a reason: managers and referents.
#[utoipa::path(post, path = "/api/v1/reports/{id}/remove", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = RemoveRequest,
    responses((status = 200, body = ReportDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn remove(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RemoveRequest>,
) -> WebResult<Json<ReportDetail>> {
    write::remove(&state, &actor, &id, &req.reason).await?;
    Ok(Json(detail(&state, &actor, &id).await?))
}

/// The agency's reply templates for a building: staff (managers and referents) only.
#[utoipa::path(get, path = "/api/v1/buildings/{id}/reply-templates", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = [ReplyTemplate]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_templates(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<Vec<ReplyTemplate>>> {
    Ok(Json(read::templates(&state, &actor, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct AssigneeRequest {
    /// A staff member of the report's building (manager, council referent, caretaker);
    /// `null` unassigns.
    person_id: Option<String>,
}

/// Assign a report to one staff member, or unassign it: managers and referents. The
/// assignee is notified (in the app and by e-mail).
#[utoipa::path(put, path = "/api/v1/reports/{id}/assignee", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AssigneeRequest,
    responses((status = 200, body = ReportDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn assign(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AssigneeRequest>,
) -> WebResult<Json<ReportDetail>> {
    write::assign(&state, &actor, &id, req.person_id.as_deref()).await?;
    Ok(Json(detail(&state, &actor, &id).await?))
}
