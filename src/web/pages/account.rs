//! The account page: details, language, password, personal API tokens (B5, X1), the
//! private calendar address (X2).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::{FormErrors, NoticeQuery, Page, form_outcome, render, render_status};
use crate::app::AppState;
use crate::auth::Actor;
use crate::domain::{AppError, accounts, calendar};
use crate::i18n::local_datetime;
use crate::web::error::WebResult;
use crate::web::extract::User;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(show))
        .route("/account/profile", post(save_profile))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/account/calendar", post(make_calendar))
        .route("/account/calendar/revoke", post(revoke_calendar))
}

pub struct TokenLine {
    pub id: String,
    pub name: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "account.html")]
pub(super) struct AccountTpl {
    page: Page,
    name: String,
    email: String,
    phone: String,
    lang: String,
    tokens: Vec<TokenLine>,
    new_token: Option<String>,
    /// The private calendar address (X2), once asked for.
    calendar_url: Option<String>,
    errors: FormErrors,
    /// Time zone, moving out (see `lifecycle`).
    extras: super::lifecycle::AccountExtras,
    person_id: String,
}

pub(super) async fn page_for(
    state: &AppState,
    actor: &Actor,
    page: Page,
    new_token: Option<String>,
    errors: FormErrors,
) -> WebResult<AccountTpl> {
    let person = crate::domain::accounts::profile(state, actor).await?;
    let tokens = person
        .tokens
        .into_iter()
        .map(|t| TokenLine {
            id: t.id,
            name: t.name,
            created: local_datetime(t.created_at),
        })
        .collect();
    Ok(AccountTpl {
        page,
        name: person.name,
        email: person.email,
        phone: person.phone,
        lang: person.lang,
        tokens,
        new_token,
        calendar_url: calendar::existing_url(state, actor).await?,
        errors,
        extras: super::lifecycle::account_extras(state, actor).await?,
        person_id: actor.person_id.clone(),
    })
}

async fn show(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Query(q): Query<NoticeQuery>,
) -> WebResult<Response> {
    let page = Page::new(&ctx).with_notice(q.notice.as_deref());
    render(&page_for(&state, &actor, page, None, FormErrors::default()).await?)
}

#[derive(Deserialize)]
struct ProfileForm {
    name: String,
    #[serde(default)]
    phone: String,
    lang: String,
}

async fn save_profile(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Form(form): Form<ProfileForm>,
) -> WebResult<Response> {
    form_outcome(
        ctx.lang,
        accounts::update_profile(&state, &actor, &form.name, &form.phone, &form.lang).await,
        |()| Ok(Redirect::to("/account?notice=profile_saved").into_response()),
        |errors| page_for(&state, &actor, Page::new(&ctx), None, errors),
    )
    .await
}

#[derive(Deserialize)]
struct PasswordForm {
    current_password: String,
    new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Form(form): Form<PasswordForm>,
) -> WebResult<Response> {
    let keep = ctx.session.clone().unwrap_or_default();
    match accounts::change_password(
        &state,
        &actor,
        &form.current_password,
        &form.new_password,
        &keep,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/account?notice=password_changed").into_response()),
        Err(AppError::Invalid(mut i)) => {
            if i.field == "password" {
                i.field = "new_password";
            }
            let tpl = page_for(
                &state,
                &actor,
                Page::new(&ctx),
                None,
                FormErrors::from_invalid(ctx.lang, &i),
            )
            .await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &tpl)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Form(form): Form<TokenForm>,
) -> WebResult<Response> {
    let token = accounts::create_api_token(&state, &actor.person_id, &form.name).await?;
    // Shown once, on this response only; it is stored as a digest.
    render(
        &page_for(
            &state,
            &actor,
            Page::new(&ctx),
            Some(token),
            FormErrors::default(),
        )
        .await?,
    )
}

async fn revoke_token(
    State(state): State<AppState>,
    User(actor, _ctx): User,
    Path(id): Path<String>,
) -> WebResult<Response> {
    accounts::revoke_api_token(&state, &actor.person_id, &id).await?;
    Ok(Redirect::to("/account?notice=token_revoked").into_response())
}

async fn make_calendar(
    State(state): State<AppState>,
    User(actor, _ctx): User,
) -> WebResult<Response> {
    calendar::feed_url(&state, &actor).await?;
    Ok(Redirect::to("/account?notice=calendar_ready#calendar").into_response())
}

async fn revoke_calendar(
    State(state): State<AppState>,
    User(actor, _ctx): User,
) -> WebResult<Response> {
    calendar::revoke(&state, &actor).await?;
    Ok(Redirect::to("/account?notice=calendar_revoked#calendar").into_response())
}
