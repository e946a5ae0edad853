//! Pages for the portfolio import, invitations and the lots with their landlords.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::context::Ctx;
use super::{FormErrors, NoticeQuery, Page, form_outcome, render, render_status};
use crate::app::AppState;
use crate::auth::authz::{self, AgencyAction};
use crate::domain::buildings::Building;
use crate::domain::portfolio::{self, ImportOptions, ImportSummary};
use crate::domain::{AppError, accounts, invitations, landlords};
use crate::web::error::WebResult;
use crate::web::extract::User;
use crate::web::multipart::read_files;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agencies/{id}/import", get(import_form).post(import))
        .route("/invitation/{token}", get(invitation_form).post(accept))
        .route("/buildings/{id}/lots", get(lots))
        .route("/lots/{id}/landlord", post(set_landlord))
        .route("/lots/{id}/landlord/remove", post(unset_landlord))
        .route(
            "/buildings/{id}/members/{person_id}/invite",
            post(invite_member),
        )
}

#[derive(Template)]
#[template(path = "portfolio_import.html")]
struct ImportTpl {
    page: Page,
    agency_id: String,
    summary: Option<ImportSummary>,
    errors: FormErrors,
}

async fn import_form(User(actor, ctx): User, Path(id): Path<String>) -> WebResult<Response> {
    authz::check_agency(&actor, AgencyAction::ImportPortfolio, Some(&id))?;
    render(&ImportTpl {
        page: Page::new(&ctx),
        agency_id: id,
        summary: None,
        errors: FormErrors::default(),
    })
}

/// The summary is shown on the same page, above the form (to import again, or for real
/// after a dry run).
async fn import(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> WebResult<Response> {
    let (files, fields) = read_files(&mut multipart).await?;
    let options = ImportOptions {
        dry_run: fields.get("dry_run").is_some(),
        invite: fields.get("invite").is_some(),
    };
    let result = match files.first() {
        Some(file) => portfolio::import(&state, &actor, Some(&id), file, options, |_, _| {}).await,
        None => Err(AppError::invalid("file", "error.import_no_file")),
    };
    let page = |summary, errors| ImportTpl {
        page: Page::new(&ctx),
        agency_id: id.clone(),
        summary,
        errors,
    };
    match result {
        Ok(summary) => render(&page(Some(summary), FormErrors::default())),
        Err(AppError::Invalid(i)) => render_status(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            &page(None, FormErrors::from_invalid(ctx.lang, &i)),
        ),
        Err(AppError::TooLarge) => render_status(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            &page(None, FormErrors::one("file", ctx.lang.t("error.too_large"))),
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationTpl {
    page: Page,
    token: String,
    name: String,
    email: String,
    charter_version: &'static str,
    errors: FormErrors,
}

async fn invitation_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> WebResult<Response> {
    let who = invitations::invitation(&state, &token).await?;
    render(&InvitationTpl {
        page: Page::new(&ctx),
        token,
        name: who.name,
        email: who.email,
        charter_version: accounts::CHARTER_VERSION,
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize)]
struct AcceptForm {
    #[serde(default)]
    password: String,
    accept_charter: Option<String>,
}

/// Accepting signs the person in at once (their first visit ends on their buildings).
async fn accept(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(form): Form<AcceptForm>,
) -> WebResult<Response> {
    let result = invitations::accept(
        &state,
        &token,
        &form.password,
        form.accept_charter.is_some(),
    )
    .await;
    let person_id = match result {
        Ok(id) => id,
        Err(AppError::Invalid(i)) => {
            let who = invitations::invitation(&state, &token).await?;
            return render_status(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                &InvitationTpl {
                    page: Page::new(&ctx),
                    token,
                    name: who.name,
                    email: who.email,
                    charter_version: accounts::CHARTER_VERSION,
                    errors: FormErrors::from_invalid(ctx.lang, &i),
                },
            );
        }
        Err(e) => return Err(e.into()),
    };
    let session = accounts::open_session(&state, &person_id, ctx.session.as_deref()).await?;
    let mut response = Redirect::to("/buildings").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        super::auth::session_cookie(&state, &session),
    );
    Ok(response)
}

pub struct LotLine {
    pub id: String,
    pub label: String,
    pub shares: i64,
    pub staircase: String,
    pub floor: String,
    /// "Name (e-mail)".
    pub landlord: Option<String>,
}

#[derive(Template)]
#[template(path = "lots.html")]
struct LotsTpl {
    page: Page,
    building: Building,
    lots: Vec<LotLine>,
    total_shares: i64,
    /// The lot whose landlord form was refused.
    errors_for: Option<String>,
    errors: FormErrors,
}

async fn lots_page(
    state: &AppState,
    actor: &crate::auth::Actor,
    page: Page,
    building_id: &str,
    errors_for: Option<String>,
    errors: FormErrors,
) -> WebResult<LotsTpl> {
    let (building, _) =
        crate::domain::buildings::authorize(state, actor, building_id, authz::Action::ManagePeople)
            .await?;
    let lots: Vec<LotLine> = landlords::lots_with_landlords(state, actor, building_id)
        .await?
        .into_iter()
        .map(|(l, who)| LotLine {
            id: l.id,
            label: l.label,
            shares: l.shares,
            staircase: l.staircase,
            floor: l.floor,
            landlord: who.map(|(name, email)| format!("{name} ({email})")),
        })
        .collect();
    let total_shares = lots.iter().map(|l| l.shares).sum();
    Ok(LotsTpl {
        page,
        building,
        lots,
        total_shares,
        errors_for,
        errors,
    })
}

async fn lots(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult<Response> {
    let page = Page::new(&ctx).with_notice(q.notice.as_deref());
    render(&lots_page(&state, &actor, page, &id, None, FormErrors::default()).await?)
}

#[derive(Deserialize)]
struct LandlordForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
}

async fn set_landlord(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(lot_id): Path<String>,
    Form(form): Form<LandlordForm>,
) -> WebResult<Response> {
    let building_id = landlords::building_of_lot(&state, &lot_id).await?;
    form_outcome(
        ctx.lang,
        landlords::link(&state, &actor, &lot_id, &form.email, &form.name).await,
        |_| {
            Ok(Redirect::to(&format!(
                "/buildings/{building_id}/lots?notice=landlord_linked#lot-{lot_id}"
            ))
            .into_response())
        },
        |errors| {
            lots_page(
                &state,
                &actor,
                Page::new(&ctx),
                &building_id,
                Some(lot_id.clone()),
                errors,
            )
        },
    )
    .await
}

async fn unset_landlord(
    State(state): State<AppState>,
    User(actor, _ctx): User,
    Path(lot_id): Path<String>,
) -> WebResult<Response> {
    let building_id = landlords::building_of_lot(&state, &lot_id).await?;
    landlords::unlink(&state, &actor, &lot_id).await?;
    Ok(Redirect::to(&format!(
        "/buildings/{building_id}/lots?notice=landlord_unlinked#lot-{lot_id}"
    ))
    .into_response())
}

async fn invite_member(
    State(state): State<AppState>,
    User(actor, _): User,
    Path((id, person_id)): Path<(String, String)>,
) -> WebResult<Response> {
    invitations::invite_member(&state, &actor, &id, &person_id).await?;
    Ok(Redirect::to(&format!("/buildings/{id}/members?notice=invitation_sent")).into_response())
}
