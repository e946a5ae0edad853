//! Report photos over JSON: upload, and serving to the report's readers only.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ErrorBody;
use crate::app::AppState;
use crate::domain::AppError;
use crate::domain::reports::{read, write};
use crate::web::error::WebResult;
use crate::web::extract::{ApiMultipart, User};

use super::report_out::PhotoOut;
use crate::web::multipart::read_files;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload_photos))
        .routes(routes!(photo_full))
        .routes(routes!(photo_thumb))
}

#[derive(Serialize, ToSchema)]
pub struct PhotosCreated {
    /// The first photo's id.
    id: String,
    photos: Vec<PhotoOut>,
}

/// Add photos to a report (JPEG, PNG or WebP; re-encoded, location data removed).
#[utoipa::path(post, path = "/api/v1/reports/{id}/photos", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)), request_body(content_type = "multipart/form-data", description = "one or more `photo` file fields"),
    responses((status = 201, body = PhotosCreated), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn upload_photos(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    ApiMultipart(mut multipart): ApiMultipart,
) -> WebResult<(StatusCode, Json<PhotosCreated>)> {
    let (files, _) = read_files(&mut multipart).await?;
    if files.is_empty() {
        return Err(AppError::invalid("photo", "error.photo_missing").into());
    }
    let mut photos = Vec::new();
    for photo_id in write::add_photos(&state, &actor, &id, None, files).await? {
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
    let bytes = state.files.get(key).await.map_err(AppError::from)?;
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
