//! Work-order pages for managers: dispatch from a report, the lists, the PDF, and the
//! provider directory.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::{FormErrors, NoticeQuery, Page, form_outcome, render, render_status};
use crate::app::AppState;
use crate::auth::authz::{self, AgencyAction};
use crate::domain::AppError;
use crate::domain::work_orders::stats::Reactivity;
use crate::domain::work_orders::{self as service, WorkOrderInput, providers, stats};
use crate::domain::work_orders::{Provider, WorkOrder};
use crate::i18n::local_datetime_in;
use crate::web::api::reports::read_files;
use crate::web::api::work_orders::pdf_response;
use crate::web::context::Ctx;
use crate::web::error::WebResult;
use crate::web::extract::User;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports/{id}/work-orders", post(create))
        .route("/work-orders", get(list))
        .route("/work-orders/{id}/pdf", get(pdf))
        .route("/providers", get(providers_page).post(add_provider))
        .route("/providers/import", post(import))
        .route("/providers/{id}/favorite", post(toggle_favorite))
}

async fn create(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> WebResult<Response> {
    let (files, fields) = read_files(&mut multipart).await?;
    let get = |k: &str| fields.text(k);
    let input = WorkOrderInput {
        provider_id: get("provider_id"),
        description: Some(get("description")),
        // A day, and a time when the manager gives one: "2026-11-26 14:00".
        desired_date: match (get("desired_date").trim(), get("desired_time").trim()) {
            (day, "") => day.to_string(),
            ("", _) => String::new(),
            (day, time) => format!("{day} {time}"),
        },
        priority: get("priority"),
        attached_pdf: files.into_iter().next(),
    };
    service::create(&state, &actor, &id, input).await?;
    Ok(Redirect::to(&format!("/reports/{id}?notice=wo_sent")).into_response())
}

pub struct WoLine {
    pub id: String,
    pub reference: String,
    pub provider: String,
    pub status: crate::vocab::WorkOrderStatus,
    pub report_id: String,
    pub created: String,
    pub scheduled: Option<String>,
}

pub fn line(lang: crate::i18n::Lang, w: WorkOrder) -> WoLine {
    WoLine {
        created: local_datetime_in(lang, w.created_at),
        scheduled: w.scheduled_for.map(|ms| local_datetime_in(lang, ms)),
        id: w.id,
        reference: w.reference,
        provider: w.provider_company,
        status: w.status,
        report_id: w.report_id,
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
fn percent(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A line of the work-order list (W7): with its building, report and waiting time.
pub struct ListLine {
    pub line: WoLine,
    pub building: String,
    pub report_title: String,
    /// "Non pris en compte depuis 3 jours", for a sent order still unacknowledged.
    pub waiting: Option<String>,
}

#[derive(Template)]
#[template(path = "work_orders.html")]
struct ListTpl {
    page: Page,
    lines: Vec<ListLine>,
    status: String,
    provider: String,
    building: String,
    from: String,
    to: String,
    providers: Vec<(Provider, bool)>,
    /// The query of the next page, when there is one.
    next: Option<String>,
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
    building: Option<String>,
    provider: Option<String>,
    from: Option<String>,
    to: Option<String>,
    cursor: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let keep = |v: Option<String>| v.filter(|s| !s.trim().is_empty()).unwrap_or_default();
    let (status, building, provider) = (keep(q.status), keep(q.building), keep(q.provider));
    let (from, to) = (keep(q.from), keep(q.to));
    let some = |s: &String| (!s.is_empty()).then_some(s.as_str()).map(str::to_string);
    let page_of = service::list(
        &state,
        &actor,
        service::ListFilter {
            building_id: some(&building).as_deref(),
            status: some(&status).as_deref(),
            provider: some(&provider).as_deref(),
            from: some(&from).as_deref(),
            to: some(&to).as_deref(),
            cursor: q.cursor.as_deref(),
            ..Default::default()
        },
    )
    .await?;
    let providers = providers::list(&state, &actor, None)
        .await
        .unwrap_or_default();
    let lang = ctx.lang;
    let next = page_of.next_cursor.map(|c| {
        let mut pairs: Vec<String> = [
            ("status", &status),
            ("building", &building),
            ("provider", &provider),
            ("from", &from),
            ("to", &to),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", percent(v)))
        .collect();
        pairs.push(format!("cursor={}", percent(&c)));
        pairs.join("&")
    });
    render(&ListTpl {
        page: Page::new(&ctx),
        lines: page_of
            .items
            .into_iter()
            .map(|l| ListLine {
                waiting: l
                    .unacknowledged_days
                    .map(|d| lang.tf("wo.not_acknowledged_for", &[("days", &d.to_string())])),
                building: l.building_name,
                report_title: l.report_title,
                line: line(lang, l.work_order),
            })
            .collect(),
        status,
        provider,
        building,
        from,
        to,
        providers,
        next,
    })
}

async fn pdf(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let (name, bytes) = service::pdf(&state, &actor, &id).await?;
    Ok(pdf_response(&name, bytes))
}

#[derive(Template)]
#[template(path = "providers.html")]
struct ProvidersTpl {
    page: Page,
    providers: Vec<(Provider, bool, Reactivity)>,
    errors: FormErrors,
    import: Option<providers::ImportReport>,
}

impl ProvidersTpl {
    /// Hours with one decimal, with a decimal comma in French.
    fn hours(&self, h: &f64) -> String {
        let text = format!("{h:.1}");
        match self.page.lang {
            crate::i18n::Lang::Fr => text.replace('.', ","),
            crate::i18n::Lang::En => text,
        }
    }
}

async fn providers_render(
    state: &AppState,
    actor: &crate::auth::Actor,
    ctx: &Ctx,
    errors: FormErrors,
    import: Option<providers::ImportReport>,
    notice: Option<&str>,
) -> WebResult<ProvidersTpl> {
    let mut by_provider = stats::by_provider(state, actor, None).await?;
    let list = providers::list(state, actor, None)
        .await?
        .into_iter()
        .map(|(p, fav)| {
            let r = by_provider.remove(&p.id).unwrap_or_default();
            (p, fav, r)
        })
        .collect();
    Ok(ProvidersTpl {
        page: Page::new(ctx).with_notice(notice),
        providers: list,
        errors,
        import,
    })
}

async fn providers_page(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Query(q): Query<NoticeQuery>,
) -> WebResult<Response> {
    render(
        &providers_render(
            &state,
            &actor,
            &ctx,
            FormErrors::default(),
            None,
            q.notice.as_deref(),
        )
        .await?,
    )
}

#[derive(Deserialize)]
struct ProviderForm {
    #[serde(default)]
    company: String,
    #[serde(default)]
    trades: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
}

async fn add_provider(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Form(f): Form<ProviderForm>,
) -> WebResult<Response> {
    let agency = authz::check_agency(&actor, AgencyAction::ManageProviders, None)?.agency_id;
    let saved = match providers::parse(
        &f.company,
        &f.trades,
        &f.contact_name,
        &f.email,
        &f.phone,
        "",
    ) {
        Ok(p) => providers::save(&state, &agency, &p).await,
        Err(e) => Err(e),
    };
    form_outcome(
        ctx.lang,
        saved,
        |_| Ok(Redirect::to("/providers?notice=provider_saved").into_response()),
        |errors| providers_render(&state, &actor, &ctx, errors, None, None),
    )
    .await
}

async fn import(
    State(state): State<AppState>,
    User(actor, ctx): User,
    mut multipart: Multipart,
) -> WebResult<Response> {
    let agency = authz::check_agency(&actor, AgencyAction::ManageProviders, None)?.agency_id;
    let (files, _) = read_files(&mut multipart).await?;
    let file = files.into_iter().next().unwrap_or_default();
    match providers::import_csv(&state, &agency, &file, |_, _| {}).await {
        Ok(report) => render(
            &providers_render(
                &state,
                &actor,
                &ctx,
                FormErrors::default(),
                Some(report),
                None,
            )
            .await?,
        ),
        Err(AppError::Invalid(i)) => {
            let errors = FormErrors::from_invalid(ctx.lang, &i);
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &providers_render(&state, &actor, &ctx, errors, None, None).await?,
            )
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct FavoriteForm {
    on: Option<String>,
}

async fn toggle_favorite(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    Form(f): Form<FavoriteForm>,
) -> WebResult<Response> {
    providers::favorite(&state, &actor, None, &id, f.on.is_some()).await?;
    Ok(Redirect::to("/providers").into_response())
}
