//! The bell's list of notifications and the notification settings (N1–N3).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use super::{FormErrors, NoticeQuery, Page, form_outcome, render};
use crate::app::AppState;
use crate::domain::inbox;
use crate::domain::notifications as service;
use crate::i18n::human_time;
use crate::web::error::WebResult;
use crate::web::extract::User;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(list))
        .route("/notifications/read", post(read_all))
        .route("/notifications/{id}/read", post(read_one))
        .route(
            "/account/notifications",
            get(settings_form).post(save_settings),
        )
}

pub struct Line {
    pub id: String,
    pub what: String,
    pub title: String,
    pub building: String,
    pub link: String,
    pub when: String,
    pub unread: bool,
    pub urgent: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct ListTpl {
    page: Page,
    lines: Vec<Line>,
}

async fn list(State(state): State<AppState>, User(actor, ctx): User) -> WebResult<Response> {
    let page = Page::new(&ctx);
    let now = state.clock.now_ms();
    let lines = inbox::latest(&state, &actor)
        .await?
        .into_iter()
        .map(|n| Line {
            what: page.lang.tf(
                &format!("event.{}", n.kind),
                &[
                    (
                        "who",
                        page.lang.person(n.actor_name.as_deref().unwrap_or("—")),
                    ),
                    (
                        "detail",
                        &crate::domain::reports::event_detail(page.lang, &n.kind, &n.detail),
                    ),
                ],
            ),
            // Without a report: someone moved out; the former residents list tells more.
            title: n
                .report_title
                .unwrap_or_else(|| page.t("notifications.member_left").to_string()),
            building: n.building_name,
            link: match n.report_id {
                Some(id) => format!("/reports/{id}"),
                None => format!("/buildings/{}/former", n.building_id),
            },
            when: human_time(page.lang, n.created_at, now),
            unread: !n.read,
            urgent: n.urgent,
            id: n.id,
        })
        .collect();
    render(&ListTpl { page, lines })
}

async fn read_all(State(state): State<AppState>, User(actor, _): User) -> WebResult<Response> {
    inbox::mark_read(&state, &actor, None).await?;
    Ok(Redirect::to("/notifications").into_response())
}

async fn read_one(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Response> {
    inbox::mark_read(&state, &actor, Some(&id)).await?;
    Ok(Redirect::to("/notifications").into_response())
}

#[derive(Template)]
#[template(path = "notification_settings.html")]
struct SettingsTpl {
    page: Page,
    mode: String,
    categories: Vec<(String, String, bool)>,
    errors: FormErrors,
}

async fn settings_form(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Query(q): Query<NoticeQuery>,
) -> WebResult<Response> {
    let s = service::settings(&state, &actor).await?;
    let page = Page::new(&ctx).with_notice(q.notice.as_deref());
    render(&SettingsTpl {
        page,
        mode: s.mode,
        categories: s.categories,
        errors: FormErrors::default(),
    })
}

async fn save_settings(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Form(fields): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let mode = fields
        .iter()
        .find(|(k, _)| k == "mode")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    let ticked: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "category")
        .map(|(_, v)| v.clone())
        .collect();
    form_outcome(
        ctx.lang,
        service::save_settings(&state, &actor, mode, &ticked).await,
        |()| Ok(Redirect::to("/account/notifications?notice=notifications_saved").into_response()),
        |errors| async {
            let s = service::settings(&state, &actor).await?;
            Ok(SettingsTpl {
                page: Page::new(&ctx),
                mode: s.mode,
                categories: s.categories,
                errors,
            })
        },
    )
    .await
}
