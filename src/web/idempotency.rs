//! `Idempotency-Key` on POST requests (header for the API, `idempotency_key` query parameter
//! for the pages' forms): the domain remembers the first successful answer and replays it.
//! Runs inside the context layer, so it knows who is asking; keys are per person.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::context::Ctx;
use super::error::WebError;
use crate::app::AppState;
use crate::domain::AppError;
use crate::domain::idempotency::{self, Begin, StoredAnswer};

pub const HEADER: &str = "idempotency-key";
const QUERY: &str = "idempotency_key";

fn requested_key(req: &Request) -> Option<String> {
    if let Some(v) = req.headers().get(HEADER) {
        return Some(v.to_str().unwrap_or("\u{0}").to_string());
    }
    req.uri()
        .query()?
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == QUERY)
        .map(|(_, v)| v.to_string())
}

/// What makes two requests "the same": method, path and body. A browser gives each
/// submission of a multipart form a new random boundary, so the boundary is left out.
fn request_hash(req: &axum::http::request::Parts, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(req.method.as_str());
    hasher.update(b" ");
    hasher.update(req.uri.path());
    hasher.update(b"\n");
    let boundary = req
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split("boundary=").nth(1))
        .map(|b| b.trim_matches('"').as_bytes().to_vec())
        .filter(|b| !b.is_empty());
    match boundary {
        Some(b) => {
            let mut rest = body;
            while let Some(at) = rest.windows(b.len()).position(|w| w == b.as_slice()) {
                hasher.update(&rest[..at]);
                rest = &rest[at + b.len()..];
            }
            hasher.update(rest);
        }
        None => hasher.update(body),
    }
    crate::auth::secret::hex(&hasher.finalize())
}

fn replay(answer: StoredAnswer) -> Response {
    let status =
        axum::http::StatusCode::from_u16(answer.status).unwrap_or(axum::http::StatusCode::OK);
    let mut response = (status, answer.body).into_response();
    let headers = response.headers_mut();
    if let Some(v) = answer
        .content_type
        .and_then(|v| HeaderValue::from_str(&v).ok())
    {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if let Some(v) = answer.location.and_then(|v| HeaderValue::from_str(&v).ok()) {
        headers.insert(header::LOCATION, v);
    }
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(raw) = requested_key(&req) else {
        return next.run(req).await;
    };
    // Anonymous requests (registration, login) have nobody to scope a key to.
    let Some(person) = req
        .extensions()
        .get::<Ctx>()
        .and_then(|c| c.actor.as_ref())
        .map(|a| a.person_id.clone())
    else {
        return next.run(req).await;
    };
    match run(&state, person, &raw, req, next).await {
        Ok(response) => response,
        Err(e) => WebError(e).into_response(),
    }
}

async fn run(
    state: &AppState,
    person: String,
    raw: &str,
    req: Request,
    next: Next,
) -> Result<Response, AppError> {
    let key = idempotency::parse_key(raw)?;
    let (parts, body) = req.into_parts();
    // The body limit of the router caps what is read here.
    let bytes = axum::body::to_bytes(body, super::BODY_LIMIT)
        .await
        .map_err(|_| AppError::TooLarge)?;
    let hash = request_hash(&parts, &bytes);
    if let Begin::Replay(answer) = idempotency::begin(state, &person, &key, &hash).await? {
        return Ok(replay(answer));
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status = response.status();
    if !(status.is_success() || status.is_redirection()) {
        // Nothing was created: a corrected retry with the same key must run.
        idempotency::release(state, &person, &key).await?;
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, idempotency::MAX_STORED_BODY).await else {
        idempotency::release(state, &person, &key).await?;
        return Err(AppError::Internal("answer too large to keep".into()));
    };
    let header_text = |name| {
        parts
            .headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    let answer = StoredAnswer {
        status: status.as_u16(),
        content_type: header_text(header::CONTENT_TYPE),
        location: header_text(header::LOCATION),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    idempotency::finish(state, &person, &key, &answer).await?;
    Ok(Response::from_parts(parts, Body::from(bytes)))
}
