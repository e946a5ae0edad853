//! Announcements over JSON (A1, A2): publish, list, read, edit, withdraw, attachments,
//! templates and the printable notice.

use std::collections::BTreeMap;

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
use crate::domain::AppError;
use crate::domain::announcements::templates::{self, Template};
use crate::domain::announcements::{self as service, Announcement, Attachment, Draft, files};
use crate::vocab::AnnouncementStatus;
use crate::web::error::WebResult;
use crate::web::extract::{ApiJson, ApiMultipart, ApiQuery, User};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(read, edit))
        .routes(routes!(withdraw))
        .routes(routes!(upload))
        .routes(routes!(download))
        .routes(routes!(pdf))
        .routes(routes!(list_templates))
        .routes(routes!(save_template))
}

#[derive(Deserialize, ToSchema)]
pub struct AnnouncementIn {
    title: String,
    body: String,
    /// `all`, `owners`, `tenants` or `council`.
    audience: String,
    /// RFC 3339; later than now schedules the publication.
    publish_at: Option<String>,
    /// RFC 3339; after it the announcement is listed under "past".
    expires_at: Option<String>,
    /// The slug of the A2 template it was written from.
    template: Option<String>,
    /// Values of the template's `{field}` placeholders, replaced in the title and body.
    #[serde(default)]
    fields: BTreeMap<String, String>,
    /// Shown above the others.
    #[serde(default)]
    pinned: bool,
}

impl AnnouncementIn {
    fn draft(self) -> Draft {
        Draft {
            title: self.title,
            body: self.body,
            audience: self.audience,
            publish_at: self.publish_at,
            expires_at: self.expires_at,
            template: self.template,
            pinned: self.pinned,
            fields: self.fields,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AnnouncementCreated {
    id: String,
    /// `published`, or `scheduled` when `publish_at` is later.
    status: AnnouncementStatus,
}

/// Publish (or schedule) an announcement to the building (referents and managers).
#[utoipa::path(post, path = "/api/v1/buildings/{id}/announcements", tag = "announcements", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AnnouncementIn,
    responses((status = 201, body = AnnouncementCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AnnouncementIn>,
) -> WebResult<(StatusCode, Json<AnnouncementCreated>)> {
    let (id, status) = service::create(&state, &actor, &id, &body.draft()).await?;
    Ok((
        StatusCode::CREATED,
        Json(AnnouncementCreated { id, status }),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// `true`: the expired announcements ("past") instead of the current ones.
    past: Option<bool>,
    cursor: Option<String>,
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AnnouncementPage {
    items: Vec<Announcement>,
    next_cursor: Option<String>,
}

/// The building's announcements the caller may read: pinned first, newest first.
#[utoipa::path(get, path = "/api/v1/buildings/{id}/announcements", tag = "announcements", security(("bearer" = [])),
    params(("id" = String, Path), ListQuery),
    responses((status = 200, body = AnnouncementPage), (status = 404, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> WebResult<Json<AnnouncementPage>> {
    let page = service::list(
        &state,
        &actor,
        &id,
        q.past.unwrap_or(false),
        q.cursor.as_deref(),
        q.limit.unwrap_or(service::PAGE_SIZE),
    )
    .await?;
    Ok(Json(AnnouncementPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// One announcement, with its attachments; staff also get how many of the audience opened it.
#[utoipa::path(get, path = "/api/v1/announcements/{id}", tag = "announcements", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Announcement), (status = 404, body = ErrorBody)))]
async fn read(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<Announcement>> {
    Ok(Json(service::read(&state, &actor, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct AnnouncementEdit {
    title: String,
    body: String,
    /// `all`, `owners`, `tenants` or `council`.
    audience: String,
    expires_at: Option<String>,
    #[serde(default)]
    pinned: bool,
}

/// Edit an announcement (referents and managers; audited).
#[utoipa::path(put, path = "/api/v1/announcements/{id}", tag = "announcements", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AnnouncementEdit,
    responses((status = 200, body = Announcement), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn edit(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AnnouncementEdit>,
) -> WebResult<Json<Announcement>> {
    let draft = Draft {
        title: body.title,
        body: body.body,
        audience: body.audience,
        expires_at: body.expires_at,
        pinned: body.pinned,
        ..Draft::default()
    };
    service::edit(&state, &actor, &id, &draft).await?;
    Ok(Json(service::read(&state, &actor, &id).await?))
}

/// Withdraw an announcement: it disappears for its audience (audited).
#[utoipa::path(post, path = "/api/v1/announcements/{id}/withdraw", tag = "announcements", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Announcement), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn withdraw(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<Announcement>> {
    service::withdraw(&state, &actor, &id).await?;
    Ok(Json(service::read(&state, &actor, &id).await?))
}

/// Attach a photo (re-encoded, location data removed) or a PDF (checked to be one), 10 MB at most.
#[utoipa::path(post, path = "/api/v1/announcements/{id}/attachments", tag = "announcements", security(("bearer" = [])),
    params(("id" = String, Path)), request_body(content_type = "multipart/form-data", description = "a `file` field"),
    responses((status = 201, body = Attachment), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn upload(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiMultipart(mut multipart): ApiMultipart,
) -> WebResult<(StatusCode, Json<Attachment>)> {
    let (name, bytes) = crate::web::multipart::read_named_file(&mut multipart)
        .await?
        .0
        .ok_or(AppError::invalid("file", "error.news_file_missing"))?;
    let att = files::add(&state, &actor, &id, &name, bytes).await?;
    Ok((StatusCode::CREATED, Json(att)))
}

/// Serves an attachment's bytes with its type and name.
pub fn file_response(content_type: &'static str, name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!("inline; filename=\"{}\"", name.replace(['"', '\\'], ""));
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// An attachment, for the announcement's readers.
#[utoipa::path(get, path = "/api/v1/announcements/{id}/attachments/{attachment_id}", tag = "announcements", security(("bearer" = [])),
    params(("id" = String, Path), ("attachment_id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
async fn download(
    State(state): State<AppState>,
    User(actor, _): User,
    Path((id, attachment_id)): Path<(String, String)>,
) -> WebResult<Response> {
    let (content_type, name, bytes) = files::get(&state, &actor, &id, &attachment_id).await?;
    Ok(file_response(content_type, &name, bytes))
}

/// The printable A4 notice for the hall: large type, the building's name and the QR code
/// of its registration poster.
#[utoipa::path(get, path = "/api/v1/announcements/{id}/pdf", tag = "announcements", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "application/pdf"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn pdf(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let (name, bytes) = files::notice_pdf(&state, &actor, &id).await?;
    Ok(crate::web::api::work_orders::pdf_response(&name, bytes))
}

#[derive(Deserialize, IntoParams)]
pub struct LangQuery {
    /// `fr` or `en`; the caller's language when absent.
    lang: Option<String>,
}

/// The A2 templates a building's staff can start from.
#[utoipa::path(get, path = "/api/v1/buildings/{id}/announcement-templates", tag = "announcements", security(("bearer" = [])),
    params(("id" = String, Path), LangQuery),
    responses((status = 200, body = [Template]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_templates(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<LangQuery>,
) -> WebResult<Json<Vec<Template>>> {
    let lang = q
        .lang
        .as_deref()
        .and_then(crate::i18n::Lang::parse)
        .unwrap_or(actor.lang);
    Ok(Json(
        templates::for_building(&state, &actor, &id, lang).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct TemplateIn {
    /// Required only of managers of several agencies.
    agency_id: Option<String>,
    /// `fr` or `en`.
    lang: String,
    title: String,
    body: String,
}

/// Rewrite one of the agency's templates (managers).
#[utoipa::path(put, path = "/api/v1/announcement-templates/{slug}", tag = "announcements", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = TemplateIn,
    responses((status = 200, body = Template), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_template(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<TemplateIn>,
) -> WebResult<Json<Template>> {
    Ok(Json(
        templates::save(
            &state,
            &actor,
            body.agency_id.as_deref(),
            &slug,
            &body.lang,
            &body.title,
            &body.body,
        )
        .await?,
    ))
}
