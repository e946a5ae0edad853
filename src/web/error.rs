//! The one mapping from domain errors to HTTP: JSON `{"error": …}` under `/api/`, an error
//! page (or a redirect to the login page) elsewhere, in the requester's language.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::context::{self, RequestKind};
use crate::domain::AppError;

#[derive(Debug)]
pub struct WebError(pub AppError);

impl<E: Into<AppError>> From<E> for WebError {
    fn from(value: E) -> Self {
        WebError(value.into())
    }
}

pub type WebResult<T> = Result<T, WebError>;

impl WebError {
    pub fn status_and_key(&self) -> (StatusCode, &'static str) {
        match &self.0 {
            AppError::NotFound => (StatusCode::NOT_FOUND, "error.not_found"),
            AppError::Forbidden => (StatusCode::FORBIDDEN, "error.forbidden"),
            AppError::Unauthorized(key) => (StatusCode::UNAUTHORIZED, key),
            AppError::Invalid(i) => (StatusCode::UNPROCESSABLE_ENTITY, i.key),
            AppError::BadRequest(key) => (StatusCode::BAD_REQUEST, key),
            AppError::Conflict(key) => (StatusCode::CONFLICT, key),
            AppError::Gone(key) => (StatusCode::GONE, key),
            AppError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "error.too_large"),
            AppError::TooManyRequests => (StatusCode::TOO_MANY_REQUESTS, "error.too_many_attempts"),
            AppError::Throttled { key, .. } => (StatusCode::TOO_MANY_REQUESTS, key),
            AppError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "error.busy"),
            AppError::StorageUnavailable(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "error.storage_unavailable")
            }
            AppError::Db(e) if e.is_busy() => (StatusCode::SERVICE_UNAVAILABLE, "error.busy"),
            AppError::Db(_) | AppError::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "error.internal")
            }
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let req = context::current();
        let (status, key) = self.status_and_key();
        if status.is_server_error() {
            tracing::error!(error = %self.0, "request failed");
        }
        let message = req.lang.t(key);
        let mut response = match req.kind {
            RequestKind::Api => {
                let field = match &self.0 {
                    AppError::Invalid(i) => Some(i.field),
                    _ => None,
                };
                let body = match field {
                    Some(field) => serde_json::json!({ "error": message, "field": field }),
                    None => serde_json::json!({ "error": message }),
                };
                (status, Json(body)).into_response()
            }
            RequestKind::Page if status == StatusCode::UNAUTHORIZED => {
                Redirect::to(&format!("/login?next={}", urlencode(&req.path))).into_response()
            }
            RequestKind::Page => super::pages::error_page(req.lang, status, message),
        };
        let retry_after = match &self.0 {
            AppError::Throttled { retry_after, .. } => Some(*retry_after),
            AppError::TooManyRequests => {
                Some(crate::domain::accounts::THROTTLE_WINDOW_MS as u64 / 1000)
            }
            _ => None,
        };
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds.max(1)),
            );
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            // Saturation passes in a moment: tell clients when to try again.
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("1"),
            );
        }
        response
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn urlencode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
