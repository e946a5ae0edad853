//! Server-rendered pages (askama), French by default, usable without JavaScript.

mod account;
pub mod agencies;
mod announcements;
mod auth;
mod buildings;
mod calendar;
pub mod claim_link;
mod claims;
mod dashboard;
mod join;
mod lifecycle;
mod news_templates;
mod notifications;
pub mod on_call;
mod polls;
mod portfolio;
pub mod provider_link;
mod reply_templates;
mod report_view;
mod reports;
mod search;
pub mod work_orders;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::context::{self, Ctx, LANG_COOKIE};
use super::error::{WebError, WebResult};
use crate::app::AppState;
use crate::domain::Invalid;
use crate::i18n::Lang;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/lang/{code}", get(switch_lang))
        .merge(auth::router())
        .merge(account::router())
        .merge(buildings::router())
        .merge(dashboard::router())
        .merge(reports::router())
        .merge(report_view::router())
        .merge(reply_templates::router())
        .merge(notifications::router())
        .merge(work_orders::router())
        .merge(provider_link::router())
        .merge(claim_link::router())
        .merge(claims::router())
        .merge(on_call::router())
        .merge(agencies::router())
        .merge(lifecycle::router())
        .merge(join::router())
        .merge(portfolio::router())
        .merge(announcements::router())
        .merge(polls::router())
        .merge(search::router())
        .merge(calendar::router())
        .merge(news_templates::router())
}

/// What every page's layout needs.
pub struct Page {
    pub lang: Lang,
    pub csrf: String,
    pub user: Option<String>,
    pub path: String,
    pub notice: Option<&'static str>,
    pub unread: i64,
}

impl Page {
    /// A fresh key for a create form's `idempotency_key`: a double tap or a resubmitted
    /// page then creates one item (see `web::idempotency`).
    pub fn form_key(&self) -> String {
        crate::auth::secret::new_token()
    }

    pub fn new(ctx: &Ctx) -> Page {
        Page {
            lang: ctx.lang,
            csrf: ctx.csrf.clone(),
            user: ctx.actor.as_ref().map(|a| a.name.clone()),
            path: ctx.path.clone(),
            notice: None,
            unread: ctx.unread,
        }
    }
    pub fn with_notice(mut self, notice: Option<&str>) -> Page {
        self.notice = notice.and_then(notice_key).map(|k| self.lang.t(k));
        self
    }
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }
    /// The bell's figure: the count is capped, so "99+" past it.
    pub fn unread_label(&self) -> String {
        if self.unread >= crate::domain::inbox::UNREAD_CAP {
            format!("{}+", crate::domain::inbox::UNREAD_CAP - 1)
        } else {
            self.unread.to_string()
        }
    }
    /// "non lue" for one, "non lues" for more.
    pub fn unread_word(&self) -> &'static str {
        if self.unread == 1 {
            self.t("notifications.unread_one")
        } else {
            self.t("notifications.unread")
        }
    }
    /// The other language, for the switch in the footer.
    pub fn other_lang(&self) -> Lang {
        match self.lang {
            Lang::Fr => Lang::En,
            Lang::En => Lang::Fr,
        }
    }
}

/// Notices shown after a redirect (`?notice=…`); unknown values show nothing.
fn notice_key(code: &str) -> Option<&'static str> {
    Some(match code {
        "password_changed" => "notice.password_changed",
        "password_reset" => "notice.password_reset",
        "login_unlocked" => "notice.login_unlocked",
        "profile_saved" => "notice.profile_saved",
        "role_changed" => "notice.role_changed",
        "settings_saved" => "notice.settings_saved",
        "token_revoked" => "notice.token_revoked",
        "calendar_ready" => "notice.calendar_ready",
        "calendar_revoked" => "notice.calendar_revoked",
        "logged_out" => "notice.logged_out",
        "registered" => "notice.registered",
        "joined" => "notice.joined",
        "report_created" => "notice.report_created",
        "photo_rejected" => "notice.photo_rejected",
        "following" => "notice.following",
        "reply_sent" => "notice.reply_sent",
        "unfollowed" => "notice.unfollowed",
        "report_closed" => "notice.report_closed",
        "report_reopened" => "notice.report_reopened",
        "report_shared" => "notice.report_shared",
        "report_removed" => "notice.report_removed",
        "template_saved" => "notice.template_saved",
        "template_deleted" => "notice.template_deleted",
        "notifications_saved" => "notice.notifications_saved",
        "wo_sent" => "notice.wo_sent",
        "wo_acknowledged" => "notice.wo_acknowledged",
        "wo_scheduled" => "notice.wo_scheduled",
        "wo_reported" => "notice.wo_reported",
        "claim_reference" => "claim.notice.reference",
        "claim_visit" => "claim.notice.visit",
        "claim_message" => "claim.notice.message",
        "provider_saved" => "notice.provider_saved",
        "announcement_published" => "news.notice.published",
        "announcement_saved" => "news.notice.saved",
        "announcement_withdrawn" => "news.notice.withdrawn",
        "attachment_added" => "news.notice.attached",
        "poll_created" => "poll.notice.created",
        "poll_published" => "poll.notice.published",
        "vote_saved" => "poll.notice.voted",
        "poll_closed" => "poll.notice.closed",
        "landlord_linked" => "notice.landlord_linked",
        "landlord_unlinked" => "notice.landlord_unlinked",
        "invitation_sent" => "notice.invitation_sent",
        other => return lifecycle::notice_key(other),
    })
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}

/// Field errors of a form, translated, to show next to each field.
#[derive(Default)]
pub struct FormErrors(Vec<(&'static str, &'static str)>);

impl FormErrors {
    pub fn from_invalid(lang: Lang, i: &Invalid) -> FormErrors {
        FormErrors(vec![(i.field, lang.t(i.key))])
    }
    pub fn one(field: &'static str, message: &'static str) -> FormErrors {
        FormErrors(vec![(field, message)])
    }
    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| *m)
    }
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
}

/// The one way a page form ends: on success `done` answers (usually a redirect); an invalid
/// input re-renders the form with the message next to its field (422), keeping what was
/// typed; any other error goes to the error mapping.
pub async fn form_outcome<T, Tpl, Fut>(
    lang: Lang,
    result: crate::domain::AppResult<T>,
    done: impl FnOnce(T) -> WebResult<Response>,
    rerender: impl FnOnce(FormErrors) -> Fut,
) -> WebResult<Response>
where
    Tpl: Template,
    Fut: std::future::Future<Output = WebResult<Tpl>>,
{
    match result {
        Ok(value) => done(value),
        Err(crate::domain::AppError::Invalid(i)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &rerender(FormErrors::from_invalid(lang, &i)).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

pub fn render(t: &impl Template) -> WebResult<Response> {
    render_status(StatusCode::OK, t)
}

pub fn render_status(status: StatusCode, t: &impl Template) -> WebResult<Response> {
    let html = t
        .render()
        .map_err(|e| WebError(crate::domain::AppError::Internal(format!("template: {e}"))))?;
    Ok((status, Html(html)).into_response())
}

/// Only same-site paths are followed after login, never another host; anything doubtful
/// goes to the home page.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_local_path(n) => n.to_string(),
        _ => "/buildings".to_string(),
    }
}

/// A path-absolute reference that stays one after a browser's clean-up: browsers drop tabs
/// and newlines anywhere and read `\` as `/`, so `/\t/evil.example` would become
/// `//evil.example`, another host. Printable ASCII only (which also keeps the value a
/// valid `Location` header), starting with a single `/`.
fn is_local_path(n: &str) -> bool {
    n.starts_with('/')
        && !n.starts_with("//")
        && n.bytes().all(|b| b.is_ascii_graphic())
        && !n.contains('\\')
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTpl {
    page: Page,
    status: u16,
    message: &'static str,
}

pub fn error_page(lang: Lang, status: StatusCode, message: &'static str) -> Response {
    let info = context::current();
    let page = Page {
        lang,
        csrf: info.csrf,
        user: info.user,
        path: info.path,
        notice: None,
        unread: 0,
    };
    let tpl = ErrorTpl {
        page,
        status: status.as_u16(),
        message,
    };
    match tpl.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, message).into_response(),
    }
}

pub async fn not_found() -> WebError {
    WebError(crate::domain::AppError::NotFound)
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomeTpl {
    page: Page,
}

async fn home(
    axum::extract::State(state): axum::extract::State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> WebResult<Response> {
    if let Some(actor) = &ctx.actor {
        // A manager's home is the portfolio dashboard (D1); a resident of one building
        // goes straight to it; everyone else to their list of buildings.
        let to = if crate::auth::authz::is_agency_staff(actor) {
            "/dashboard".to_string()
        } else {
            match crate::domain::buildings::landing(&state, actor).await? {
                Some(id) => format!("/buildings/{id}"),
                None => "/buildings".to_string(),
            }
        };
        return Ok(Redirect::to(&to).into_response());
    }
    render(&HomeTpl {
        page: Page::new(&ctx).with_notice(q.notice.as_deref()),
    })
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn switch_lang(
    axum::extract::State(state): axum::extract::State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> WebResult<Response> {
    let lang = Lang::parse(&code).ok_or(crate::domain::AppError::NotFound)?;
    if let Some(actor) = &ctx.actor {
        crate::domain::accounts::set_lang(&state, actor, lang).await?;
    }
    let mut response = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    let cookie = context::set_cookie(
        LANG_COOKIE,
        lang.code(),
        365 * 86_400,
        false,
        state.config.secure_cookies,
    );
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}
