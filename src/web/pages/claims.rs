//! Claim pages for managers (no JavaScript needed): the building's claims with the
//! declaration form (pre-filled from a report with `?report_id=`), and one claim with its
//! files, PDF, transmission and thread.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::claim_link::{FileLine, MessageLine};
use super::{FormErrors, NoticeQuery, Page, form_outcome, render};
use crate::app::AppState;
use crate::auth::Actor;
use crate::domain::claims::declare::{self, ClaimInput, euros_to_cents};
use crate::domain::claims::document::{money, when};
use crate::domain::claims::{self as service, Claim, files, thread};
use crate::i18n::local_datetime_in;
use crate::web::api::claims::file_response;
use crate::web::api::work_orders::pdf_response;
use crate::web::context::Ctx;
use crate::web::error::WebResult;
use crate::web::extract::User;
use crate::web::multipart::read_named_file;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/buildings/{id}/claims", get(list_page).post(declare))
        .route("/claims/{id}", get(claim_page))
        .route("/claims/{id}/attachments", post(add_file))
        .route("/claims/{id}/transmit", post(transmit))
        .route("/claims/{id}/messages", post(message))
        .route("/claims/{id}/pdf", get(pdf))
        .route("/claims/{id}/files/{file}", get(file))
}

pub struct ClaimLine {
    pub id: String,
    pub reference: String,
    pub title: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub created: String,
}

#[derive(Template)]
#[template(path = "claims.html")]
struct ListTpl {
    page: Page,
    building_id: String,
    claims: Vec<ClaimLine>,
    kinds: Vec<(&'static str, &'static str)>,
    report_id: String,
    errors: FormErrors,
}

#[derive(Deserialize)]
struct ListQuery {
    report_id: Option<String>,
}

async fn list_render(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    building_id: &str,
    report_id: &str,
    errors: FormErrors,
) -> WebResult<ListTpl> {
    let lang = ctx.lang;
    let (claims, _) = service::list(
        state,
        actor,
        service::ListFilter {
            building_id: Some(building_id),
            ..Default::default()
        },
    )
    .await?;
    Ok(ListTpl {
        page: Page::new(ctx),
        building_id: building_id.to_string(),
        claims: claims
            .into_iter()
            .map(|c: Claim| ClaimLine {
                kind: lang.t(&format!("claim.kind.{}", c.kind)),
                status: lang.t(&format!("claim.status.{}", c.status.as_str())),
                created: local_datetime_in(lang, c.created_at),
                id: c.id,
                reference: c.reference,
                title: c.title,
            })
            .collect(),
        kinds: service::KINDS
            .iter()
            .map(|k| (*k, lang.t(&format!("claim.kind.{k}"))))
            .collect(),
        report_id: report_id.to_string(),
        errors,
    })
}

async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    User(actor, _): User,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let report_id = q.report_id.unwrap_or_default();
    render(&list_render(&state, &ctx, &actor, &id, &report_id, FormErrors::default()).await?)
}

#[derive(Deserialize)]
struct DeclareForm {
    #[serde(default)]
    report_id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    occurred_at: String,
    #[serde(default)]
    discovered_at: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    damages: String,
    #[serde(default)]
    estimate: String,
    #[serde(default)]
    third_parties: String,
}

async fn declare(
    State(state): State<AppState>,
    ctx: Ctx,
    User(actor, _): User,
    Path(id): Path<String>,
    Form(f): Form<DeclareForm>,
) -> WebResult<Response> {
    let input = ClaimInput {
        report_id: Some(f.report_id.clone()),
        kind: f.kind,
        occurred_at: Some(f.occurred_at),
        discovered_at: Some(f.discovered_at),
        title: Some(f.title),
        description: f.description,
        damages: f.damages,
        estimated_amount_cents: Some(euros_to_cents(&f.estimate)),
        lots_concerned: Vec::new(),
        third_parties: Some(f.third_parties),
        photo_ids: None,
    };
    form_outcome(
        ctx.lang,
        declare::create(&state, &actor, &id, input).await,
        |c| Ok(Redirect::to(&format!("/claims/{}", c.id)).into_response()),
        |errors| list_render(&state, &ctx, &actor, &id, &f.report_id, errors),
    )
    .await
}

#[derive(Template)]
#[template(path = "claim.html")]
struct ClaimTpl {
    page: Page,
    id: String,
    building_id: String,
    reference: String,
    title: String,
    kind: &'static str,
    status: &'static str,
    draft: bool,
    occurred: String,
    discovered: String,
    place: String,
    description: String,
    damages: String,
    estimate: String,
    irsi: Option<&'static str>,
    insurer: String,
    insurer_reference: String,
    visit: Option<String>,
    files: Vec<FileLine>,
    messages: Vec<MessageLine>,
    history: Vec<(String, String)>,
    file_kinds: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
}

async fn claim_render(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: &str,
    errors: FormErrors,
    notice: Option<&str>,
) -> WebResult<ClaimTpl> {
    let lang = ctx.lang;
    let d = service::get(state, actor, id).await?;
    let c = &d.claim;
    Ok(ClaimTpl {
        page: Page::new(ctx).with_notice(notice),
        id: c.id.clone(),
        building_id: c.building_id.clone(),
        reference: c.reference.clone(),
        title: c.title.clone(),
        kind: lang.t(&format!("claim.kind.{}", c.kind)),
        status: lang.t(&format!("claim.status.{}", c.status.as_str())),
        draft: c.status == crate::vocab::ClaimStatus::Draft,
        occurred: when(lang, c.occurred_at),
        discovered: when(lang, c.discovered_at),
        place: c.place.clone(),
        description: c.description.clone(),
        damages: c.damages.clone(),
        estimate: c
            .estimated_amount_cents
            .map(|a| money(lang, a))
            .unwrap_or_default(),
        irsi: c.irsi_band().map(|b| lang.t(&format!("claim.irsi.{b}"))),
        insurer: d.insurer_name.clone(),
        insurer_reference: c.insurer_reference.clone(),
        visit: c.expert_visit_at.map(|ms| local_datetime_in(lang, ms)),
        files: d
            .attachments
            .iter()
            .map(|a| FileLine {
                url: format!("/claims/{}/files/{}", c.id, a.id),
                kind: lang.t(&format!("claim.file.{}", a.kind)),
                filename: a.filename.clone(),
                from_insurer: a.from_insurer,
            })
            .collect(),
        messages: d
            .messages
            .iter()
            .map(|m| MessageLine {
                from_insurer: m.author == "insurer",
                who: if m.author == "insurer" {
                    d.insurer_name.clone()
                } else {
                    m.author_name.clone()
                },
                when: local_datetime_in(lang, m.created_at),
                body: m.body.clone(),
            })
            .collect(),
        history: d
            .history
            .iter()
            .map(|s| {
                (
                    local_datetime_in(lang, s.created_at),
                    lang.t(&format!("claim.step.{}", s.kind)).to_string(),
                )
            })
            .collect(),
        file_kinds: files::KINDS
            .iter()
            .map(|k| (*k, lang.t(&format!("claim.file.{k}"))))
            .collect(),
        errors,
    })
}

async fn claim_page(
    State(state): State<AppState>,
    ctx: Ctx,
    User(actor, _): User,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult<Response> {
    render(
        &claim_render(
            &state,
            &ctx,
            &actor,
            &id,
            FormErrors::default(),
            q.notice.as_deref(),
        )
        .await?,
    )
}

async fn add_file(
    State(state): State<AppState>,
    ctx: Ctx,
    User(actor, _): User,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> WebResult<Response> {
    let (file, fields) = read_named_file(&mut multipart).await?;
    let result = match file {
        Some((name, bytes)) => {
            files::add(&state, &actor, &id, &fields.text("kind"), &name, bytes).await
        }
        None => Err(crate::domain::AppError::invalid(
            "file",
            "error.claim_file_type",
        )),
    };
    form_outcome(
        ctx.lang,
        result,
        |_| Ok(Redirect::to(&format!("/claims/{id}")).into_response()),
        |errors| claim_render(&state, &ctx, &actor, &id, errors, None),
    )
    .await
}

async fn transmit(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Response> {
    thread::transmit(&state, &actor, &id).await?;
    Ok(Redirect::to(&format!("/claims/{id}")).into_response())
}

#[derive(Deserialize)]
struct MessageForm {
    #[serde(default)]
    body: String,
}

async fn message(
    State(state): State<AppState>,
    ctx: Ctx,
    User(actor, _): User,
    Path(id): Path<String>,
    Form(f): Form<MessageForm>,
) -> WebResult<Response> {
    form_outcome(
        ctx.lang,
        thread::post_message(&state, &actor, &id, &f.body).await,
        |_| Ok(Redirect::to(&format!("/claims/{id}")).into_response()),
        |errors| claim_render(&state, &ctx, &actor, &id, errors, None),
    )
    .await
}

async fn pdf(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let (name, bytes) = crate::domain::claims::document::pdf(&state, &actor, &id).await?;
    Ok(pdf_response(&name, bytes))
}

async fn file(
    State(state): State<AppState>,
    User(actor, _): User,
    Path((id, file)): Path<(String, String)>,
) -> WebResult<Response> {
    let (att, bytes) = files::get(&state, &actor, &id, &file).await?;
    Ok(file_response(att.content_type(), &att.filename, bytes))
}
