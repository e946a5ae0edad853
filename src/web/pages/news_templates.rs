//! The agency's announcement templates (A2), rewritten by its managers.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::{FormErrors, NoticeQuery, Page, form_outcome, render};
use crate::app::AppState;
use crate::domain::announcements::templates::{self, Template as NewsTemplate};
use crate::web::error::WebResult;
use crate::web::extract::User;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agencies/{id}/announcement-templates", get(templates_page))
        .route(
            "/agencies/{id}/announcement-templates/{slug}/{lang}",
            post(save),
        )
}

#[derive(Template)]
#[template(path = "news_templates.html")]
struct TemplatesTpl {
    page: Page,
    agency_id: String,
    templates: Vec<NewsTemplate>,
    errors: FormErrors,
    /// (slug, lang) of the form the errors are about.
    failed: (String, String),
}

async fn templates_page(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult<Response> {
    let templates = templates::for_agency(&state, &actor, &id).await?;
    render(&TemplatesTpl {
        page: Page::new(&ctx).with_notice(q.notice.as_deref()),
        agency_id: id,
        templates,
        errors: FormErrors::default(),
        failed: Default::default(),
    })
}

#[derive(Deserialize)]
struct TemplateForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

async fn save(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path((id, slug, lang)): Path<(String, String, String)>,
    Form(form): Form<TemplateForm>,
) -> WebResult<Response> {
    let result = templates::save(
        &state,
        &actor,
        Some(&id),
        &slug,
        &lang,
        &form.title,
        &form.body,
    )
    .await;
    form_outcome(
        ctx.lang,
        result,
        |_| {
            Ok(Redirect::to(&format!(
                "/agencies/{id}/announcement-templates?notice=template_saved"
            ))
            .into_response())
        },
        |errors| async {
            let mut templates = templates::for_agency(&state, &actor, &id).await?;
            // Keep what was typed in the form that failed.
            if let Some(t) = templates
                .iter_mut()
                .find(|t| t.slug == slug && t.lang == lang)
            {
                t.title = form.title.clone();
                t.body = form.body.clone();
            }
            Ok(TemplatesTpl {
                page: Page::new(&ctx),
                agency_id: id.clone(),
                templates,
                errors,
                failed: (slug.clone(), lang.clone()),
            })
        },
    )
    .await
}
