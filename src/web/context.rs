//! Per-request context: who is asking (session cookie for pages, bearer token for the API),
//! in which language, and the CSRF check for every state-changing page request.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::WebError;
use crate::app::AppState;
use crate::auth::{Actor, secret};
use crate::domain::{AppError, accounts};
use crate::i18n::Lang;

pub const SESSION_COOKIE: &str = "palier_session";
pub const CSRF_COOKIE: &str = "palier_csrf";
pub const LANG_COOKIE: &str = "palier_lang";
/// Largest URL-encoded form read for the CSRF check.
const FORM_LIMIT: usize = 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RequestKind {
    #[default]
    Page,
    Api,
}

/// What error rendering needs, available anywhere inside the request's future.
#[derive(Clone, Debug, Default)]
pub struct RequestInfo {
    pub lang: Lang,
    pub kind: RequestKind,
    pub path: String,
    /// The signed-in person's name and the CSRF token, so error pages keep the header.
    pub user: Option<String>,
    pub csrf: String,
}

tokio::task_local! {
    static CURRENT: RequestInfo;
}

pub fn current() -> RequestInfo {
    CURRENT.try_with(Clone::clone).unwrap_or_default()
}

/// The context handed to handlers through request extensions.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub actor: Option<Actor>,
    pub lang: Lang,
    pub csrf: String,
    pub session: Option<String>,
    pub path: String,
    /// Unread in-app notifications, for the bell.
    pub unread: i64,
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value; `max_age` in seconds, 0 deletes.
pub fn set_cookie(
    name: &str,
    value: &str,
    max_age: i64,
    http_only: bool,
    secure: bool,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; Max-Age={max_age}; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1; Max-Age=0"))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

fn is_token(v: &str) -> bool {
    v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit())
}

fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Finds the CSRF token a form sent: header, `csrf` query parameter (multipart forms),
/// or `csrf` field of a URL-encoded body (which is then handed on intact).
async fn submitted_csrf(req: Request) -> Result<(Request, Option<String>), AppError> {
    if let Some(v) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        let v = v.to_string();
        return Ok((req, Some(v)));
    }
    if let Some(v) = query_param(req.uri().query(), "csrf") {
        return Ok((req, Some(v)));
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((req, None));
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, FORM_LIMIT)
        .await
        .map_err(|_| AppError::TooLarge)?;
    let token = form_urlencoded_field(&bytes, "csrf");
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// Sets the request context, then keeps private answers out of caches: every API answer
/// and every page asked with a session cookie is `no-store` unless the handler chose.
pub async fn layer(state: State<AppState>, req: Request, next: Next) -> Response {
    let private = req.uri().path().starts_with("/api/")
        || cookie(req.headers(), SESSION_COOKIE).is_some()
        || req.headers().contains_key(header::AUTHORIZATION);
    let mut response = context(state, req, next).await;
    if private {
        response
            .headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    response
}

/// The CSRF token of a signed-in browser: derived from its session secret, so it changes
/// with the session (at every login) and a token learnt before login, or planted in the
/// CSRF cookie, is worthless.
fn session_csrf(session: &str) -> String {
    secret::digest(&format!("csrf:{session}"))
}

async fn context(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let kind = if path.starts_with("/api/") {
        RequestKind::Api
    } else {
        RequestKind::Page
    };
    let headers = req.headers();
    let session = match kind {
        RequestKind::Page => cookie(headers, SESSION_COOKIE)
            .filter(|v| is_token(v))
            .map(str::to_string),
        RequestKind::Api => None,
    };
    let token = match kind {
        RequestKind::Api => bearer(headers).map(str::to_string),
        RequestKind::Page => None,
    };
    let cookie_lang = cookie(headers, LANG_COOKIE).and_then(Lang::parse);
    let accept_lang = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language);
    let csrf_cookie = cookie(headers, CSRF_COOKIE)
        .filter(|v| is_token(v))
        .map(str::to_string);

    let mut info = RequestInfo {
        lang: cookie_lang.or(accept_lang).unwrap_or_default(),
        kind,
        path: path.clone(),
        user: None,
        csrf: csrf_cookie.clone().unwrap_or_default(),
    };
    // A session's unread count comes with the actor (pages show it in the bell).
    let (actor, unread) =
        match accounts::load_actor(&state, session.as_deref(), token.as_deref()).await {
            Ok(Some((actor, unread))) => (Some(actor), unread),
            Ok(None) => (None, 0),
            Err(e) => {
                return CURRENT
                    .scope(info, async { WebError(e).into_response() })
                    .await;
            }
        };
    if let Some(a) = &actor {
        info.lang = cookie_lang.unwrap_or(a.lang);
        info.user = Some(a.name.clone());
    }
    if kind == RequestKind::Api && token.is_some() && actor.is_none() {
        let err = WebError(AppError::Unauthorized("error.token_invalid"));
        return CURRENT.scope(info, async { err.into_response() }).await;
    }

    let (cookie_csrf, new_csrf) = match csrf_cookie {
        Some(v) => (v, false),
        None => (secret::new_token(), true),
    };
    let bound = match (&actor, &session) {
        (Some(_), Some(s)) => Some(session_csrf(s)),
        _ => None,
    };
    let csrf = bound.clone().unwrap_or_else(|| cookie_csrf.clone());
    info.csrf = csrf.clone();
    let mut req = req;
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if kind == RequestKind::Page && unsafe_method {
        let checked = submitted_csrf(req).await;
        let (r, sent) = match checked {
            Ok(v) => v,
            Err(e) => {
                return CURRENT
                    .scope(info, async { WebError(e).into_response() })
                    .await;
            }
        };
        req = r;
        let valid = (bound.is_some() || !new_csrf) && sent.is_some_and(|s| secret::same(&s, &csrf));
        if !valid {
            let err = WebError(AppError::BadRequest("error.csrf"));
            return CURRENT.scope(info, async { err.into_response() }).await;
        }
    }

    req.extensions_mut().insert(Ctx {
        actor,
        lang: info.lang,
        csrf: csrf.clone(),
        session,
        path,
        unread,
    });
    let secure = state.config.secure_cookies;
    let mut response = CURRENT.scope(info, next.run(req)).await;
    if new_csrf && kind == RequestKind::Page {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &cookie_csrf, 365 * 86_400, true, secure),
        );
    }
    response
}
