//! The agency's reply templates (R4), edited by managers.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::{NoticeQuery, Page, render};
use crate::app::AppState;
use crate::auth::authz::Action;
use crate::domain::buildings;
use crate::domain::buildings::Building;
use crate::domain::reports::ReplyTemplate;
use crate::domain::reports::{read, templates};
use crate::web::error::WebResult;
use crate::web::extract::User;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/buildings/{id}/reply-templates",
            get(templates_page).post(template_create),
        )
        .route(
            "/buildings/{id}/reply-templates/{tid}",
            post(template_update),
        )
        .route(
            "/buildings/{id}/reply-templates/{tid}/delete",
            post(template_delete),
        )
}

#[derive(Template)]
#[template(path = "reply_templates.html")]
struct TemplatesTpl {
    page: Page,
    building: Building,
    templates: Vec<ReplyTemplate>,
}

async fn templates_page(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult<Response> {
    let (building, _) = buildings::authorize(&state, &actor, &id, Action::ManageBuilding).await?;
    let templates = read::templates(&state, &actor, &id).await?;
    render(&TemplatesTpl {
        page: Page::new(&ctx).with_notice(q.notice.as_deref()),
        building,
        templates,
    })
}

#[derive(Deserialize)]
struct TemplateForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

async fn template_create(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    Form(form): Form<TemplateForm>,
) -> WebResult<Response> {
    templates::save_template(&state, &actor, &id, None, &form.title, &form.body).await?;
    Ok(Redirect::to(&format!(
        "/buildings/{id}/reply-templates?notice=template_saved"
    ))
    .into_response())
}

async fn template_update(
    State(state): State<AppState>,
    User(actor, _): User,
    Path((id, tid)): Path<(String, String)>,
    Form(form): Form<TemplateForm>,
) -> WebResult<Response> {
    templates::save_template(&state, &actor, &id, Some(&tid), &form.title, &form.body).await?;
    Ok(Redirect::to(&format!(
        "/buildings/{id}/reply-templates?notice=template_saved"
    ))
    .into_response())
}

async fn template_delete(
    State(state): State<AppState>,
    User(actor, _): User,
    Path((id, tid)): Path<(String, String)>,
) -> WebResult<Response> {
    templates::delete_template(&state, &actor, &id, &tid).await?;
    Ok(Redirect::to(&format!(
        "/buildings/{id}/reply-templates?notice=template_deleted"
    ))
    .into_response())
}
