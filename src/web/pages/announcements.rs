//! Announcement pages (A1, A2): the building's list with the publishing form (from a
//! template or blank), one announcement with its attachments, and the staff's actions.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::{FormErrors, Page, form_outcome, render};
use crate::app::AppState;
use crate::auth::authz::Action;
use crate::domain::announcements::templates::{self, Template as NewsTemplate};
use crate::domain::announcements::{self as service, Announcement, Draft, files};
use crate::domain::buildings::{self, Building};
use crate::domain::news::local_input;
use crate::web::error::WebResult;
use crate::web::extract::User;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/buildings/{id}/announcements", get(list_page).post(create))
        .route("/announcements/{id}", get(read_page))
        .route("/announcements/{id}/edit", post(edit))
        .route("/announcements/{id}/withdraw", post(withdraw))
        .route("/announcements/{id}/attachments", post(attach))
        .route("/announcements/{id}/files/{file}", get(download))
        .route("/announcements/{id}/notice.pdf", get(notice_pdf))
}

/// What the publishing form holds (kept when it is sent back with an error).
#[derive(Deserialize, Default, Clone)]
pub struct NewsForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    publish_at: String,
    #[serde(default)]
    expires_at: String,
    #[serde(default)]
    template: String,
    #[serde(default)]
    pinned: Option<String>,
}

impl NewsForm {
    fn draft(&self) -> Draft {
        Draft {
            title: self.title.clone(),
            body: self.body.clone(),
            audience: self.audience.clone(),
            publish_at: Some(self.publish_at.clone()),
            expires_at: Some(self.expires_at.clone()),
            template: Some(self.template.clone()),
            pinned: self.pinned.is_some(),
            fields: Default::default(),
        }
    }
}

#[derive(Template)]
#[template(path = "announcements.html")]
struct ListTpl {
    page: Page,
    building: Building,
    items: Vec<Announcement>,
    next_cursor: Option<String>,
    past: bool,
    can_publish: bool,
    templates: Vec<NewsTemplate>,
    /// Managers: where to rewrite the agency's templates.
    can_edit_templates: bool,
    form: NewsForm,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    past: Option<String>,
    cursor: Option<String>,
    template: Option<String>,
    notice: Option<String>,
}

async fn list_tpl(
    state: &AppState,
    actor: &crate::auth::Actor,
    ctx: &crate::web::context::Ctx,
    id: &str,
    q: &ListQuery,
    form: Option<NewsForm>,
    errors: FormErrors,
) -> WebResult<ListTpl> {
    let (building, _) = buildings::authorize(state, actor, id, Action::ViewBuilding).await?;
    let past = q.past.is_some();
    let list = service::list(
        state,
        actor,
        id,
        past,
        q.cursor.as_deref(),
        service::PAGE_SIZE,
    )
    .await?;
    let templates = if list.can_publish {
        templates::for_building(state, actor, id, actor.lang).await?
    } else {
        Vec::new()
    };
    let form = form.unwrap_or_else(|| {
        let chosen = q
            .template
            .as_deref()
            .and_then(|slug| templates.iter().find(|t| t.slug == slug));
        NewsForm {
            title: chosen.map(|t| t.title.clone()).unwrap_or_default(),
            body: chosen.map(|t| t.body.clone()).unwrap_or_default(),
            template: chosen.map(|t| t.slug.clone()).unwrap_or_default(),
            audience: "all".into(),
            ..NewsForm::default()
        }
    });
    Ok(ListTpl {
        page: Page::new(ctx).with_notice(q.notice.as_deref()),
        can_edit_templates: templates::may_edit(actor, &building.agency_id),
        building,
        items: list.items,
        next_cursor: list.next_cursor,
        past,
        can_publish: list.can_publish,
        templates,
        form,
        errors,
    })
}

async fn list_page(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    render(&list_tpl(&state, &actor, &ctx, &id, &q, None, FormErrors::default()).await?)
}

async fn create(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Form(form): Form<NewsForm>,
) -> WebResult<Response> {
    let result = service::create(&state, &actor, &id, &form.draft()).await;
    form_outcome(
        ctx.lang,
        result,
        |(new_id, _)| {
            Ok(Redirect::to(&format!(
                "/announcements/{new_id}?notice=announcement_published"
            ))
            .into_response())
        },
        |errors| async {
            list_tpl(
                &state,
                &actor,
                &ctx,
                &id,
                &ListQuery::default(),
                Some(form.clone()),
                errors,
            )
            .await
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "announcement.html")]
struct ReadTpl {
    page: Page,
    a: Announcement,
    /// Staff: "Vu par 23 / 40".
    seen_line: Option<String>,
    form: NewsForm,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
struct NoticeOnly {
    notice: Option<String>,
}

async fn read_tpl(
    state: &AppState,
    actor: &crate::auth::Actor,
    ctx: &crate::web::context::Ctx,
    id: &str,
    notice: Option<&str>,
    form: Option<NewsForm>,
    errors: FormErrors,
) -> WebResult<ReadTpl> {
    let a = service::read(state, actor, id).await?;
    let form = form.unwrap_or_else(|| NewsForm {
        title: a.title.clone(),
        body: a.body.clone(),
        audience: a.audience.as_str().to_string(),
        expires_at: a.expires_at_ms.map(local_input).unwrap_or_default(),
        pinned: a.pinned.then(|| "on".to_string()),
        ..NewsForm::default()
    });
    let seen_line = a.seen_by.zip(a.audience_size).map(|(seen, size)| {
        actor.lang.tf(
            "news.seen_by",
            &[("seen", &seen.to_string()), ("size", &size.to_string())],
        )
    });
    Ok(ReadTpl {
        page: Page::new(ctx).with_notice(notice),
        seen_line,
        a,
        form,
        errors,
    })
}

async fn read_page(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Query(q): Query<NoticeOnly>,
) -> WebResult<Response> {
    render(
        &read_tpl(
            &state,
            &actor,
            &ctx,
            &id,
            q.notice.as_deref(),
            None,
            FormErrors::default(),
        )
        .await?,
    )
}

async fn edit(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Form(form): Form<NewsForm>,
) -> WebResult<Response> {
    let draft = Draft {
        publish_at: None,
        template: None,
        ..form.draft()
    };
    let result = service::edit(&state, &actor, &id, &draft).await;
    form_outcome(
        ctx.lang,
        result,
        |_| {
            Ok(
                Redirect::to(&format!("/announcements/{id}?notice=announcement_saved"))
                    .into_response(),
            )
        },
        |errors| async {
            read_tpl(&state, &actor, &ctx, &id, None, Some(form.clone()), errors).await
        },
    )
    .await
}

async fn withdraw(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let a = service::read(&state, &actor, &id).await?;
    service::withdraw(&state, &actor, &id).await?;
    Ok(Redirect::to(&format!(
        "/buildings/{}/announcements?notice=announcement_withdrawn",
        a.building_id
    ))
    .into_response())
}

async fn attach(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> WebResult<Response> {
    let result = match crate::web::multipart::read_named_file(&mut multipart).await? {
        (Some((name, bytes)), _) => files::add(&state, &actor, &id, &name, bytes).await,
        (None, _) => Err(crate::domain::AppError::invalid(
            "file",
            "error.news_file_missing",
        )),
    };
    form_outcome(
        ctx.lang,
        result,
        |_| {
            Ok(
                Redirect::to(&format!("/announcements/{id}?notice=attachment_added"))
                    .into_response(),
            )
        },
        |errors| async { read_tpl(&state, &actor, &ctx, &id, None, None, errors).await },
    )
    .await
}

async fn download(
    State(state): State<AppState>,
    User(actor, _): User,
    Path((id, file)): Path<(String, String)>,
) -> WebResult<Response> {
    let (content_type, name, bytes) = files::get(&state, &actor, &id, &file).await?;
    Ok(crate::web::api::announcements::file_response(
        content_type,
        &name,
        bytes,
    ))
}

async fn notice_pdf(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let (name, bytes) = files::notice_pdf(&state, &actor, &id).await?;
    Ok(crate::web::api::work_orders::pdf_response(&name, bytes))
}
