//! Extractors: the request context, the signed-in person, JSON bodies with our error format.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::context::Ctx;
use super::error::WebError;
use crate::auth::Actor;
use crate::domain::AppError;

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| WebError(AppError::Internal("request context missing".into())))
    }
}

/// The client's address: the peer, or what a configured trusted proxy says it forwarded.
pub struct ClientAddr(pub std::net::IpAddr);

impl FromRequestParts<crate::app::AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::app::AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let forwarded = (!forwarded.is_empty()).then(|| forwarded.join(","));
        Ok(ClientAddr(crate::domain::throttle::client_address(
            peer,
            forwarded.as_deref(),
            &state.config.trusted_proxies,
        )))
    }
}

/// A signed-in person; anonymous requests get 401 (API) or the login page.
pub struct User(pub Actor, pub Ctx);

impl<S: Send + Sync> FromRequestParts<S> for User {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        match ctx.actor.clone() {
            Some(actor) => Ok(User(actor, ctx)),
            None => Err(WebError(AppError::Unauthorized("error.login_required"))),
        }
    }
}

/// JSON body whose rejections use the API's error format and language.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::JsonDataError(_)) => {
                Err(WebError(AppError::invalid("body", "error.json_fields")))
            }
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(WebError(AppError::BadRequest("error.json_content_type")))
            }
            Err(JsonRejection::BytesRejection(_)) => Err(WebError(AppError::TooLarge)),
            Err(_) => Err(WebError(AppError::BadRequest("error.json_syntax"))),
        }
    }
}

/// Query string whose rejections use the API's error format (JSON, 400) instead of axum's
/// plain text.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(_) => Err(WebError(AppError::BadRequest("error.query"))),
        }
    }
}

/// Multipart body whose rejections (no or bad boundary) use the API's error format.
pub struct ApiMultipart(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Multipart::from_request(req, state)
            .await
            .map(ApiMultipart)
            .map_err(|_| WebError(AppError::BadRequest("error.multipart")))
    }
}
