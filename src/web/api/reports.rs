//! Reports over JSON: the same services as the pages (R1–R13).

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ErrorBody;
use crate::app::AppState;
use crate::auth::authz::ReportRelation;
use crate::db::report_items::{CommentRow, EventRow, PhotoRow, TemplateRow};
use crate::db::reports::ReportRow;
use crate::domain::reports::categories::{self, Category};
use crate::domain::reports::{Audience, ReportDraft, read, write};
use crate::domain::{AppError, buildings};
use crate::web::error::WebResult;
use crate::web::extract::{ApiJson, User};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_categories))
        .routes(routes!(create_report, list_reports))
        .routes(routes!(similar_reports))
        .routes(routes!(get_report))
        .routes(routes!(upload_photos))
        .routes(routes!(add_comment))
        .routes(routes!(follow))
        .routes(routes!(close))
        .routes(routes!(reopen))
        .routes(routes!(remove))
        .routes(routes!(share))
        .routes(routes!(list_templates))
        .routes(routes!(photo_full))
        .routes(routes!(photo_thumb))
}

pub fn iso(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

#[derive(Serialize, ToSchema)]
pub struct PersonRef {
    id: String,
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct PhotoOut {
    id: String,
    url: String,
    thumb_url: String,
    width: i64,
    height: i64,
}

impl From<&PhotoRow> for PhotoOut {
    fn from(p: &PhotoRow) -> Self {
        PhotoOut {
            id: p.id.clone(),
            url: format!("/api/v1/photos/{}", p.id),
            thumb_url: format!("/api/v1/photos/{}/thumb", p.id),
            width: p.width,
            height: p.height,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReportOut {
    id: String,
    building_id: String,
    category: String,
    title: String,
    description: String,
    /// Staircase, floor and free text, joined.
    location: String,
    location_part: String,
    location_floor: String,
    location_detail: String,
    urgent: bool,
    /// `todo`, `in_progress` or `closed`.
    status: String,
    author: PersonRef,
    /// The person the report is about, when filed on their behalf.
    concerned: PersonRef,
    shared_with_manager: bool,
    removed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    removed_reason: Option<String>,
    photo_count: i64,
    follower_count: i64,
    created_at: String,
    updated_at: String,
    first_response_at: Option<String>,
    closed_at: Option<String>,
}

impl From<ReportRow> for ReportOut {
    fn from(r: ReportRow) -> Self {
        ReportOut {
            location: r.location(),
            shared_with_manager: r.manager_visible != 0,
            removed: r.removed_at.is_some(),
            created_at: iso(r.created_at),
            updated_at: iso(r.updated_at),
            first_response_at: r.first_response_at.map(iso),
            closed_at: r.closed_at.map(iso),
            urgent: r.urgent != 0,
            author: PersonRef {
                id: r.author_id,
                name: r.author_name,
            },
            concerned: PersonRef {
                id: r.concerned_id,
                name: r.concerned_name,
            },
            id: r.id,
            building_id: r.building_id,
            category: r.category,
            title: r.title,
            description: r.description,
            location_part: r.location_part,
            location_floor: r.location_floor,
            location_detail: r.location_detail,
            status: r.status,
            removed_reason: r.removed_reason,
            photo_count: r.photo_count,
            follower_count: r.follower_count,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CommentOut {
    id: String,
    author: PersonRef,
    body: String,
    /// `all`, `council`, `person` or `landlord` (private manager-landlord thread).
    audience: String,
    person_id: Option<String>,
    created_at: String,
    photos: Vec<PhotoOut>,
}

#[derive(Serialize, ToSchema)]
pub struct HistoryOut {
    kind: String,
    actor: Option<PersonRef>,
    detail: String,
    at: String,
}

impl From<EventRow> for HistoryOut {
    fn from(e: EventRow) -> Self {
        HistoryOut {
            kind: e.kind,
            actor: e.actor_id.map(|id| PersonRef {
                id,
                name: e.actor_name.unwrap_or_default(),
            }),
            // Removal reasons are for the council's eyes; the audience filter already applied.
            detail: e.detail,
            at: iso(e.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReportDetail {
    #[serde(flatten)]
    report: ReportOut,
    photos: Vec<PhotoOut>,
    comments: Vec<CommentOut>,
    history: Vec<HistoryOut>,
    following: bool,
    /// What the caller may do: comment, close, reopen, remove, share, private_thread, choose_audience.
    can: Vec<&'static str>,
}

fn comment_out(c: CommentRow, photos: &[PhotoRow]) -> CommentOut {
    CommentOut {
        photos: photos
            .iter()
            .filter(|p| p.comment_id.as_deref() == Some(c.id.as_str()))
            .map(PhotoOut::from)
            .collect(),
        id: c.id,
        author: PersonRef {
            id: c.author_id,
            name: c.author_name,
        },
        body: c.body,
        audience: c.audience,
        person_id: c.audience_person_id,
        created_at: iso(c.created_at),
    }
}

/// The actions a relation allows, for clients to show the right buttons.
pub fn abilities(relation: ReportRelation) -> Vec<&'static str> {
    use crate::auth::authz::{ReportAction as A, report_allowed};
    [
        (A::Comment, "comment"),
        (A::ChooseAudience, "choose_audience"),
        (A::PrivateThread, "private_thread"),
        (A::AddPhoto, "add_photo"),
        (A::Close, "close"),
        (A::Reopen, "reopen"),
        (A::Remove, "remove"),
        (A::Share, "share"),
        (A::WorkOrder, "work_order"),
    ]
    .into_iter()
    .filter(|(a, _)| report_allowed(relation, *a))
    .map(|(_, name)| name)
    .collect()
}

async fn detail(state: &AppState, actor: &crate::auth::Actor, id: &str) -> WebResult<ReportDetail> {
    let view = read::view(state, actor, id).await?;
    let photos = view.photos;
    Ok(ReportDetail {
        can: abilities(view.relation),
        comments: view
            .comments
            .into_iter()
            .map(|c| comment_out(c, &photos))
            .collect(),
        history: view.history.into_iter().map(HistoryOut::from).collect(),
        photos: photos
            .iter()
            .filter(|p| p.comment_id.is_none())
            .map(PhotoOut::from)
            .collect(),
        following: view.following,
        report: view.report.into(),
    })
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
        categories::for_agency(&state.db.pool, &building.agency_id, ctx.lang).await?,
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
    /// Referents, with the council filter on: let the manager see it.
    #[serde(default)]
    share_with_manager: bool,
}

/// File a report.
#[utoipa::path(post, path = "/api/v1/buildings/{id}/reports", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = NewReportRequest,
    responses((status = 201, body = ReportDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
    Query(q): Query<ListQuery>,
) -> WebResult<Json<ReportPage>> {
    let page = read::board(
        &state,
        &actor,
        &id,
        q.status.as_deref(),
        q.q.as_deref(),
        q.cursor.as_deref(),
        q.limit.unwrap_or(read::PAGE_SIZE),
    )
    .await?;
    Ok(Json(ReportPage {
        items: page.items.into_iter().map(ReportOut::from).collect(),
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
    Query(q): Query<SimilarQuery>,
) -> WebResult<Json<Vec<ReportOut>>> {
    let rows = read::similar(&state, &actor, &id, &q.title, &q.category, &q.location).await?;
    Ok(Json(rows.into_iter().map(ReportOut::from).collect()))
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

#[derive(Serialize, ToSchema)]
pub struct PhotosCreated {
    /// The first photo's id.
    id: String,
    photos: Vec<PhotoOut>,
}

/// The text fields of a multipart form.
#[derive(Debug, Default)]
pub struct FormFields(Vec<(String, String)>);

impl FormFields {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The field's text, empty when absent.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_string()
    }
}

/// Reads a multipart body: its files (non-empty file parts, or fields `photo`, `photos`,
/// `file`) and its text fields.
pub async fn read_files(multipart: &mut Multipart) -> Result<(Vec<Vec<u8>>, FormFields), AppError> {
    let mut files = Vec::new();
    let mut fields = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("error.multipart"))?
    {
        let name = field.name().unwrap_or_default().to_string();
        let is_file =
            field.file_name().is_some() || matches!(name.as_str(), "photo" | "photos" | "file");
        let bytes = field.bytes().await.map_err(|_| AppError::TooLarge)?;
        if is_file {
            // Browsers send an empty part for an empty file input.
            if !bytes.is_empty() {
                files.push(bytes.to_vec());
            }
        } else {
            fields.push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    Ok((files, FormFields(fields)))
}

/// Add photos to a report (JPEG, PNG or WebP; re-encoded, location data removed).
#[utoipa::path(post, path = "/api/v1/reports/{id}/photos", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)), request_body(content_type = "multipart/form-data", description = "one or more `photo` file fields"),
    responses((status = 201, body = PhotosCreated), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn upload_photos(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> WebResult<(StatusCode, Json<PhotosCreated>)> {
    let (files, _) = read_files(&mut multipart).await?;
    if files.is_empty() {
        return Err(AppError::invalid("photo", "error.photo_missing").into());
    }
    let mut photos = Vec::new();
    for bytes in files {
        let photo_id = write::add_photo(&state, &actor, &id, None, bytes).await?;
        photos.push(PhotoOut::from(
            &read::photo(&state, &actor, &photo_id).await?,
        ));
    }
    Ok((
        StatusCode::CREATED,
        Json(PhotosCreated {
            id: photos[0].id.clone(),
            photos,
        }),
    ))
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
        Json(comment_out(comment, &view.photos)),
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

/// The agency's reply templates for a building.
#[utoipa::path(get, path = "/api/v1/buildings/{id}/reply-templates", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = [TemplateRow]), (status = 404, body = ErrorBody)))]
async fn list_templates(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<Vec<TemplateRow>>> {
    Ok(Json(read::templates(&state, &actor, &id).await?))
}

/// Serves a stored photo (or its thumbnail) to people who may see it.
pub async fn serve_photo(
    state: &AppState,
    actor: &crate::auth::Actor,
    id: &str,
    thumb: bool,
) -> WebResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let photo = read::photo(state, actor, id).await?;
    let key = if thumb {
        &photo.thumb_key
    } else {
        &photo.object_key
    };
    let bytes = state.files.get(key).await.map_err(|e| match e {
        crate::storage::StorageError::NotFound => AppError::NotFound,
        other => AppError::Internal(format!("storage: {other}")),
    })?;
    let headers = [
        (axum::http::header::CONTENT_TYPE, "image/jpeg"),
        // Private: photos are only for the report's readers; they never change.
        (
            axum::http::header::CACHE_CONTROL,
            "private, max-age=86400, immutable",
        ),
    ];
    Ok((headers, bytes).into_response())
}

/// A report photo, re-encoded as JPEG.
#[utoipa::path(get, path = "/api/v1/photos/{id}", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, content_type = "image/jpeg"), (status = 404, body = ErrorBody)))]
async fn photo_full(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<axum::response::Response> {
    serve_photo(&state, &actor, &id, false).await
}

/// A report photo's thumbnail.
#[utoipa::path(get, path = "/api/v1/photos/{id}/thumb", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, content_type = "image/jpeg"), (status = 404, body = ErrorBody)))]
async fn photo_thumb(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<axum::response::Response> {
    serve_photo(&state, &actor, &id, true).await
}
