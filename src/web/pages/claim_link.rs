//! The insurer's pages behind their private link `/i/{token}` (no account, works without
//! JavaScript on a phone): read the claim, download its files, give a reference and the
//! expert's visit (with a calendar file), answer on the thread.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{FormErrors, NoticeQuery, Page, form_outcome, render};
use crate::app::AppState;
use crate::domain::claims::document::{money, when};
use crate::domain::claims::link;
use crate::i18n::{Lang, local_datetime_in};
use crate::web::api::claims::file_response;
use crate::web::api::work_orders::pdf_response;
use crate::web::context::Ctx;
use crate::web::error::WebResult;
use crate::web::multipart::read_named_file;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/i/{token}", get(insurer_page))
        .route("/i/{token}/reference", post(insurer_reference))
        .route("/i/{token}/visit", post(insurer_visit))
        .route("/i/{token}/messages", post(insurer_message))
        .route("/i/{token}/visit.ics", get(insurer_ics))
        .route("/i/{token}/pdf", get(insurer_pdf))
        .route("/i/{token}/attachments/{id}", get(insurer_attachment))
}

/// One file as listed on the page.
pub struct FileLine {
    pub url: String,
    pub kind: &'static str,
    pub filename: String,
    pub from_insurer: bool,
}

/// One message of the thread.
pub struct MessageLine {
    pub from_insurer: bool,
    pub who: String,
    pub when: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "claim_link.html")]
struct InsurerTpl {
    page: Page,
    token: String,
    reference: String,
    status: &'static str,
    title: String,
    kind: &'static str,
    building: String,
    address: String,
    place: String,
    policy_number: String,
    occurred: String,
    discovered: String,
    description: String,
    damages: String,
    estimate: String,
    lots: String,
    third_parties: String,
    insurer_reference: String,
    visit: Option<String>,
    visit_input: String,
    files: Vec<FileLine>,
    messages: Vec<MessageLine>,
    file_kinds: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
}

async fn insurer_render(
    state: &AppState,
    ctx: &Ctx,
    token: &str,
    errors: FormErrors,
    notice: Option<&str>,
) -> WebResult<InsurerTpl> {
    let d = link::view(state, token).await?;
    let lang: Lang = ctx.lang;
    let c = &d.claim;
    let visit_input = c
        .expert_visit_at
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .and_then(|t| t.in_tz("Europe/Paris").ok())
        .map(|z| z.strftime("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default();
    let files = d
        .attachments
        .iter()
        .map(|a| FileLine {
            url: format!("/i/{token}/attachments/{}", a.id),
            kind: lang.t(&format!("claim.file.{}", a.kind)),
            filename: a.filename.clone(),
            from_insurer: a.from_insurer,
        })
        .collect();
    let messages = d
        .messages
        .iter()
        .map(|m| MessageLine {
            from_insurer: m.author == "insurer",
            who: if m.author == "insurer" {
                lang.t("claim.link.you").to_string()
            } else {
                m.author_name.clone()
            },
            when: local_datetime_in(lang, m.created_at),
            body: m.body.clone(),
        })
        .collect();
    let estimate = c
        .estimated_amount_cents
        .map(|a| money(lang, a))
        .unwrap_or_default();
    Ok(InsurerTpl {
        page: Page::new(ctx).with_notice(notice),
        token: token.to_string(),
        reference: c.reference.clone(),
        status: lang.t(&format!("claim.status.{}", c.status.as_str())),
        title: c.title.clone(),
        kind: lang.t(&format!("claim.kind.{}", c.kind)),
        building: d.building_name.clone(),
        address: d.building_address.clone(),
        place: c.place.clone(),
        policy_number: c.policy_number.clone(),
        occurred: when(lang, c.occurred_at),
        discovered: when(lang, c.discovered_at),
        description: c.description.clone(),
        damages: c.damages.clone(),
        estimate,
        lots: d
            .lots
            .iter()
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        third_parties: c.third_parties.clone(),
        insurer_reference: c.insurer_reference.clone(),
        visit: c.expert_visit_at.map(|ms| local_datetime_in(lang, ms)),
        visit_input,
        files,
        messages,
        file_kinds: crate::domain::claims::files::KINDS
            .iter()
            .map(|k| (*k, lang.t(&format!("claim.file.{k}"))))
            .collect(),
        errors,
    })
}

async fn insurer_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult<Response> {
    render(
        &insurer_render(
            &state,
            &ctx,
            &token,
            FormErrors::default(),
            q.notice.as_deref(),
        )
        .await?,
    )
}

#[derive(Deserialize)]
struct ReferenceForm {
    #[serde(default)]
    reference: String,
}

async fn insurer_reference(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<ReferenceForm>,
) -> WebResult<Response> {
    form_outcome(
        ctx.lang,
        link::set_reference(&state, &token, &f.reference).await,
        |_| Ok(Redirect::to(&format!("/i/{token}?notice=claim_reference")).into_response()),
        |errors| insurer_render(&state, &ctx, &token, errors, None),
    )
    .await
}

#[derive(Deserialize)]
struct VisitForm {
    #[serde(default)]
    date: String,
}

async fn insurer_visit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<VisitForm>,
) -> WebResult<Response> {
    form_outcome(
        ctx.lang,
        link::set_visit(&state, &token, &f.date).await,
        |_| Ok(Redirect::to(&format!("/i/{token}?notice=claim_visit")).into_response()),
        |errors| insurer_render(&state, &ctx, &token, errors, None),
    )
    .await
}

async fn insurer_message(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    mut multipart: Multipart,
) -> WebResult<Response> {
    let (file, fields) = read_named_file(&mut multipart).await?;
    let file = file.map(|(name, bytes)| (name, bytes, fields.text("kind")));
    form_outcome(
        ctx.lang,
        link::post_message(&state, &token, &fields.text("body"), file).await,
        |_| Ok(Redirect::to(&format!("/i/{token}?notice=claim_message")).into_response()),
        |errors| insurer_render(&state, &ctx, &token, errors, None),
    )
    .await
}

async fn insurer_ics(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> WebResult<Response> {
    let ics = link::visit_ics(&state, &token).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"expertise.ics\"",
            ),
        ],
        ics,
    )
        .into_response())
}

async fn insurer_pdf(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> WebResult<Response> {
    let (name, bytes) = link::pdf(&state, &token).await?;
    Ok(pdf_response(&name, bytes))
}

async fn insurer_attachment(
    State(state): State<AppState>,
    Path((token, id)): Path<(String, String)>,
) -> WebResult<Response> {
    let (att, bytes) = link::attachment(&state, &token, &id).await?;
    Ok(file_response(att.content_type(), &att.filename, bytes))
}
