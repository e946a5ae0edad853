//! Pages of the people lifecycle: requests to join (approval), moving out, residence edits,
//! former residents and their erasure, and the account's e-mail, time zone and erasure.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::{FormErrors, Page, form_outcome, render};
use crate::app::AppState;
use crate::auth::authz::{self, Action};
use crate::domain::approval::{self, Pending};
use crate::domain::buildings::{self as bsvc, Building};
use crate::domain::moving_out::{self, Former};
use crate::domain::{AppError, account_settings, erasure};
use crate::i18n::local_datetime;
use crate::web::context::{self, SESSION_COOKIE};
use crate::web::error::WebResult;
use crate::web::extract::User;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/buildings/{id}/requests", get(requests))
        .route(
            "/buildings/{id}/requests/{person_id}/approve",
            post(approve),
        )
        .route("/buildings/{id}/requests/{person_id}/refuse", post(refuse))
        .route("/buildings/{id}/approval", post(set_approval))
        .route(
            "/buildings/{id}/members/{person_id}/end",
            post(end_residence),
        )
        .route(
            "/buildings/{id}/members/{person_id}/residence",
            post(edit_residence),
        )
        .route("/buildings/{id}/former", get(former))
        .route(
            "/buildings/{id}/former/{person_id}/erase",
            post(erase_former),
        )
        .route("/account/email", post(change_email))
        .route("/account/email/{token}", get(confirm_email))
        .route("/account/timezone", post(set_timezone))
        .route("/account/erase", post(erase_me))
}

/// Notices of these pages (`?notice=…`).
pub(super) fn notice_key(code: &str) -> Option<&'static str> {
    Some(match code {
        "registration_pending" => "notice.registration_pending",
        "member_approved" => "notice.member_approved",
        "member_refused" => "notice.member_refused",
        "approval_saved" => "notice.approval_saved",
        "residence_ended" => "notice.residence_ended",
        "moved_out" => "notice.moved_out",
        "residence_saved" => "notice.residence_saved",
        "erased" => "notice.erased",
        "account_erased" => "notice.account_erased",
        "email_link_sent" => "notice.email_link_sent",
        "email_changed" => "notice.email_changed",
        "timezone_saved" => "notice.timezone_saved",
        _ => return None,
    })
}

#[derive(Deserialize, Default)]
struct ListQuery {
    notice: Option<String>,
    cursor: Option<String>,
}

pub struct PendingLine {
    pub person: Pending,
    pub requested: String,
}

#[derive(Template)]
#[template(path = "requests.html")]
struct RequestsTpl {
    page: Page,
    building: Building,
    requests: Vec<PendingLine>,
    next: Option<String>,
    needs_approval: bool,
    can_set_approval: bool,
}

async fn requests(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let (building, permit) = bsvc::authorize(&state, &actor, &id, Action::ApproveMembers).await?;
    let list = approval::list(&state, &permit, q.cursor.as_deref()).await?;
    let needs_approval = approval::needs_approval(&state, &id).await?;
    render(&RequestsTpl {
        page: Page::new(&ctx).with_notice(q.notice.as_deref()),
        requests: list
            .items
            .into_iter()
            .map(|p| PendingLine {
                requested: local_datetime(p.requested_at),
                person: p,
            })
            .collect(),
        next: list.next_cursor,
        needs_approval,
        can_set_approval: authz::allowed(permit.role, Action::ManageBuilding),
        building,
    })
}

async fn decide(
    state: &AppState,
    actor: &crate::auth::Actor,
    id: &str,
    person_id: &str,
    approve: bool,
) -> WebResult<Response> {
    let (building, permit) = bsvc::authorize(state, actor, id, Action::ApproveMembers).await?;
    approval::decide(state, actor, &permit, &building.name, person_id, approve).await?;
    let notice = if approve {
        "member_approved"
    } else {
        "member_refused"
    };
    Ok(Redirect::to(&format!("/buildings/{id}/requests?notice={notice}")).into_response())
}

async fn approve(
    State(state): State<AppState>,
    User(actor, _): User,
    Path((id, person_id)): Path<(String, String)>,
) -> WebResult<Response> {
    decide(&state, &actor, &id, &person_id, true).await
}

async fn refuse(
    State(state): State<AppState>,
    User(actor, _): User,
    Path((id, person_id)): Path<(String, String)>,
) -> WebResult<Response> {
    decide(&state, &actor, &id, &person_id, false).await
}

#[derive(Deserialize)]
struct ApprovalForm {
    needs_approval: Option<String>,
}

async fn set_approval(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    Form(form): Form<ApprovalForm>,
) -> WebResult<Response> {
    let (_, permit) = bsvc::authorize(&state, &actor, &id, Action::ManageBuilding).await?;
    approval::set_needs_approval(&state, &actor, &permit, form.needs_approval.is_some()).await?;
    Ok(Redirect::to(&format!("/buildings/{id}/requests?notice=approval_saved")).into_response())
}

async fn end_residence(
    State(state): State<AppState>,
    User(actor, _): User,
    Path((id, person_id)): Path<(String, String)>,
) -> WebResult<Response> {
    moving_out::end_residence(&state, &actor, &id, &person_id).await?;
    let to = if person_id == actor.person_id {
        "/buildings?notice=moved_out".to_string()
    } else {
        format!("/buildings/{id}/members?notice=residence_ended")
    };
    Ok(Redirect::to(&to).into_response())
}

#[derive(Deserialize)]
struct ResidenceForm {
    lot: String,
    #[serde(default)]
    occupancy: String,
}

async fn edit_residence(
    State(state): State<AppState>,
    User(actor, _): User,
    Path((id, person_id)): Path<(String, String)>,
    Form(form): Form<ResidenceForm>,
) -> WebResult<Response> {
    let (_, permit) = bsvc::authorize(&state, &actor, &id, Action::ManageMemberships).await?;
    moving_out::edit_residence(
        &state,
        &actor,
        &permit,
        &person_id,
        &form.lot,
        &form.occupancy,
    )
    .await?;
    Ok(Redirect::to(&format!("/buildings/{id}/members?notice=residence_saved")).into_response())
}

pub struct FormerLine {
    pub person: Former,
    pub ended: String,
}

#[derive(Template)]
#[template(path = "former_members.html")]
struct FormerTpl {
    page: Page,
    building: Building,
    people: Vec<FormerLine>,
    next: Option<String>,
    errors: FormErrors,
}

async fn former(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let page = Page::new(&ctx).with_notice(q.notice.as_deref());
    render(
        &former_page(
            &state,
            &actor,
            page,
            &id,
            q.cursor.as_deref(),
            FormErrors::default(),
        )
        .await?,
    )
}

async fn former_page(
    state: &AppState,
    actor: &crate::auth::Actor,
    page: Page,
    id: &str,
    cursor: Option<&str>,
    errors: FormErrors,
) -> WebResult<FormerTpl> {
    let (building, permit) = bsvc::authorize(state, actor, id, Action::ManageMemberships).await?;
    let list = moving_out::former(state, &permit, cursor).await?;
    Ok(FormerTpl {
        people: list
            .items
            .into_iter()
            .map(|p| FormerLine {
                ended: local_datetime(p.ended_at),
                person: Former {
                    name: page.lang.person(&p.name).to_string(),
                    ..p
                },
            })
            .collect(),
        page,
        next: list.next_cursor,
        building,
        errors,
    })
}

#[derive(Deserialize)]
struct EraseFormerForm {
    /// The box saying erasure cannot be undone.
    confirm: Option<String>,
}

async fn erase_former(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path((id, person_id)): Path<(String, String)>,
    Form(form): Form<EraseFormerForm>,
) -> WebResult<Response> {
    let (_, permit) = bsvc::authorize(&state, &actor, &id, Action::ManageMemberships).await?;
    let result = match form.confirm {
        // Erasure cannot be undone: the page asks for the box to be ticked.
        None => Err(AppError::invalid("confirm", "error.erase_confirm")),
        Some(_) => erasure::erase_former(&state, &actor, &permit, &person_id).await,
    };
    form_outcome(
        ctx.lang,
        result,
        |()| Ok(Redirect::to(&format!("/buildings/{id}/former?notice=erased")).into_response()),
        |errors| former_page(&state, &actor, Page::new(&ctx), &id, None, errors),
    )
    .await
}

#[derive(Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn change_email(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Form(form): Form<EmailForm>,
) -> WebResult<Response> {
    let result =
        account_settings::request_email_change(&state, &actor, &form.email, &form.password)
            .await
            .map_err(|e| renamed(e, "email_password"));
    form_outcome(
        ctx.lang,
        result,
        |()| Ok(Redirect::to("/account?notice=email_link_sent").into_response()),
        |errors| super::account::page_for(&state, &actor, Page::new(&ctx), None, errors),
    )
    .await
}

/// The account page has several password fields: each form's error goes next to its own.
fn renamed(e: AppError, field: &'static str) -> AppError {
    match e {
        AppError::Invalid(i) if i.field == "password" => AppError::invalid(field, i.key),
        e => e,
    }
}

/// The link sent to the new address: no login needed, the token is the proof.
async fn confirm_email(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> WebResult<Response> {
    account_settings::confirm_email_change(&state, &token).await?;
    Ok(Redirect::to("/account?notice=email_changed").into_response())
}

#[derive(Deserialize)]
struct TimezoneForm {
    timezone: String,
}

async fn set_timezone(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Form(form): Form<TimezoneForm>,
) -> WebResult<Response> {
    form_outcome(
        ctx.lang,
        account_settings::set_timezone(&state, &actor, &form.timezone).await,
        |_| Ok(Redirect::to("/account?notice=timezone_saved").into_response()),
        |errors| super::account::page_for(&state, &actor, Page::new(&ctx), None, errors),
    )
    .await
}

#[derive(Deserialize)]
struct EraseForm {
    #[serde(default)]
    password: String,
}

async fn erase_me(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Form(form): Form<EraseForm>,
) -> WebResult<Response> {
    // Refusals (wrong password, last manager of an agency) are shown next to the form.
    let result = erasure::erase_self(&state, &actor, &form.password)
        .await
        .map_err(|e| match e {
            AppError::Conflict(key) => AppError::invalid("erase_password", key),
            e => renamed(e, "erase_password"),
        });
    let secure = state.config.secure_cookies;
    form_outcome(
        ctx.lang,
        result,
        |()| {
            let mut response = Redirect::to("/?notice=account_erased").into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                context::set_cookie(SESSION_COOKIE, "", 0, true, secure),
            );
            Ok(response)
        },
        |errors| super::account::page_for(&state, &actor, Page::new(&ctx), None, errors),
    )
    .await
}

/// The account page's extra sections: time zone, where one lives (to move out).
pub struct AccountExtras {
    pub timezone: String,
    pub zones: &'static [&'static str],
    pub homes: Vec<(String, String)>,
}

pub(super) async fn account_extras(
    state: &AppState,
    actor: &crate::auth::Actor,
) -> WebResult<AccountExtras> {
    let homes = bsvc::list_for(state, actor)
        .await?
        .into_iter()
        .filter(|(b, _)| {
            authz::check_end_residence(actor, &b.reference(), &actor.person_id).is_ok_and(|own| own)
        })
        .map(|(b, _)| (b.id, b.name))
        .collect();
    Ok(AccountExtras {
        timezone: account_settings::timezone(state, actor).await?,
        zones: &account_settings::COMMON_ZONES,
        homes,
    })
}
