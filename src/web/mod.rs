//! HTTP: server-rendered pages and the JSON API over the same domain services.

pub mod api;
pub mod context;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod multipart;
pub mod pages;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::app::AppState;

/// Uploads (photos, PDFs) are checked again per file; this caps any request body.
const BODY_LIMIT: usize = 30 * 1024 * 1024;

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

pub fn router(state: AppState) -> Router {
    // Health and assets are added after the context layer: they need no session lookup.
    let app = pages::router()
        .merge(api::router())
        // After routing, so that requests are counted by route template, not raw path.
        .route_layer(axum::middleware::from_fn(count_request))
        .fallback(pages::not_found)
        // Inside the context layer: keys belong to the person asking.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            context::layer,
        ))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/static/style.css", get(stylesheet))
        .route("/static/reply.js", get(reply_script));
    let headers = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            HeaderName::from_static("permissions-policy"),
            "geolocation=(), microphone=()",
        ),
    ];
    let mut app = app
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TraceLayer::new_for_http());
    if state.config.base_url.starts_with("https://") {
        // Served over HTTPS: browsers should never try plain HTTP again.
        app = app.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    for (name, value) in headers {
        app = app.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    app.with_state(state)
}

/// The process is up (for a supervisor); `/readyz` says whether it can serve.
async fn healthz() -> &'static str {
    "ok"
}

/// Whether the database and the file storage answer: a load balancer sends requests only to
/// ready instances.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let ready = crate::domain::health::readiness(&state).await;
    let word = |ok: bool| if ok { "ok" } else { "unavailable" };
    let status = if ready.ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        axum::Json(serde_json::json!({
            "database": word(ready.database),
            "storage": word(ready.storage),
        })),
    )
}

/// Prometheus scrape: hidden (404) unless an operator set a token, then only with it.
async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Err(status) = metrics_access(state.config.metrics_token.as_deref(), given) {
        return status.into_response();
    }
    let snapshot = crate::domain::health::metrics_snapshot(&state).await;
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        crate::metrics::render(&snapshot),
    )
        .into_response()
}

fn metrics_access(configured: Option<&str>, given: Option<&str>) -> Result<(), StatusCode> {
    match (configured, given) {
        (None, _) => Err(StatusCode::NOT_FOUND),
        (Some(want), Some(got)) if crate::auth::secret::same(want, got) => Ok(()),
        (Some(_), _) => Err(StatusCode::UNAUTHORIZED),
    }
}

async fn count_request(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(String::new, |p| p.as_str().to_owned());
    let response = next.run(request).await;
    crate::metrics::http_request(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/style.css"),
    )
}

async fn reply_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/reply.js"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_hidden_without_a_token_and_closed_without_the_right_one() {
        assert_eq!(metrics_access(None, Some("x")), Err(StatusCode::NOT_FOUND));
        assert_eq!(metrics_access(None, None), Err(StatusCode::NOT_FOUND));
        assert_eq!(
            metrics_access(Some("s3cret"), None),
            Err(StatusCode::UNAUTHORIZED)
        );
        assert_eq!(
            metrics_access(Some("s3cret"), Some("s3cre")),
            Err(StatusCode::UNAUTHORIZED)
        );
        assert_eq!(metrics_access(Some("s3cret"), Some("s3cret")), Ok(()));
    }
}
