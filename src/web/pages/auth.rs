//! Login, logout, registration with a building code, password reset.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::{FormErrors, NoticeQuery, Page, form_outcome, render, render_status, safe_next};
use crate::app::AppState;
use crate::domain::AppError;
use crate::domain::accounts::{self, Registration};
use crate::web::context::{self, Ctx, SESSION_COOKIE};
use crate::web::error::{WebError, WebResult};
use crate::web::extract::ClientAddr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/register", get(register_form).post(register))
        .route("/password/forgot", get(forgot_form).post(forgot))
        .route("/password/reset/{token}", get(reset_form).post(reset))
        .route("/login/unlock/{token}", get(unlock))
}

/// The e-mailed link that lifts a login lock.
async fn unlock(State(state): State<AppState>, Path(token): Path<String>) -> WebResult<Response> {
    accounts::unlock_login(&state, &token).await?;
    Ok(Redirect::to("/login?notice=login_unlocked").into_response())
}

pub(super) fn session_cookie(state: &AppState, token: &str) -> axum::http::HeaderValue {
    context::set_cookie(
        SESSION_COOKIE,
        token,
        state.config.session_days * 86_400,
        true,
        state.config.secure_cookies,
    )
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTpl {
    page: Page,
    email: String,
    next: String,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
    notice: Option<String>,
}

async fn login_form(ctx: Ctx, Query(q): Query<LoginQuery>) -> WebResult<Response> {
    let page = Page::new(&ctx).with_notice(q.notice.as_deref());
    render(&LoginTpl {
        page,
        email: String::new(),
        next: safe_next(q.next.as_deref()),
        error: None,
    })
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(client): ClientAddr,
    Form(form): Form<LoginForm>,
) -> WebResult<Response> {
    // Without a page to go back to, "/" sends a resident of one building straight to it.
    let next = match safe_next(form.next.as_deref()) {
        n if n == "/buildings" => "/".to_string(),
        n => n,
    };
    match accounts::authenticate(&state, &form.email, &form.password, client).await {
        Ok(person_id) => {
            let token = accounts::open_session(&state, &person_id, ctx.session.as_deref()).await?;
            let mut response = Redirect::to(&next).into_response();
            response
                .headers_mut()
                .append(header::SET_COOKIE, session_cookie(&state, &token));
            Ok(response)
        }
        Err(
            e
            @ (AppError::Unauthorized(_) | AppError::TooManyRequests | AppError::Throttled { .. }),
        ) => {
            let (status, key) = WebError(e).status_and_key();
            let page = Page::new(&ctx);
            let error = Some(page.t(key));
            let mut response = render_status(
                status,
                &LoginTpl {
                    page,
                    email: form.email,
                    next,
                    error,
                },
            )?;
            if status == StatusCode::TOO_MANY_REQUESTS {
                // A rough hint for the form: the window of the account limit.
                let wait = accounts::THROTTLE_WINDOW_MS / 1000;
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from(wait));
            }
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

async fn logout(State(state): State<AppState>, ctx: Ctx) -> WebResult<Response> {
    if let Some(token) = &ctx.session {
        accounts::close_session(&state, token).await?;
    }
    let mut response = Redirect::to("/?notice=logged_out").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        context::set_cookie(SESSION_COOKIE, "", 0, true, state.config.secure_cookies),
    );
    Ok(response)
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterTpl {
    page: Page,
    form: RegisterForm,
    errors: FormErrors,
    charter_version: &'static str,
    /// The building the code opens, named so the person knows where they are registering.
    joining: Option<String>,
}

#[derive(Deserialize, Default)]
struct RegisterForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    lot: String,
    #[serde(default)]
    occupancy: String,
    accept_charter: Option<String>,
}

#[derive(Deserialize)]
struct CodeQuery {
    code: Option<String>,
}

async fn register_form(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(client): ClientAddr,
    Query(q): Query<CodeQuery>,
) -> WebResult<Response> {
    let code = q.code.unwrap_or_default();
    let joining = crate::domain::memberships::building_named_by_code(&state, &code, client).await?;
    // Owner or tenant is the person's explicit choice: nothing is preselected.
    let form = RegisterForm {
        code,
        ..Default::default()
    };
    render(&RegisterTpl {
        page: Page::new(&ctx),
        form,
        errors: FormErrors::default(),
        charter_version: accounts::CHARTER_VERSION,
        joining,
    })
}

async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(client): ClientAddr,
    Form(mut form): Form<RegisterForm>,
) -> WebResult<Response> {
    let parsed = Registration::parse(
        &form.code,
        &form.name,
        &form.email,
        &form.password,
        &form.lot,
        &form.occupancy,
        form.accept_charter.is_some(),
        ctx.lang,
    );
    let result = match parsed {
        Ok(reg) => accounts::register(&state, reg, client).await,
        Err(e) => Err(e),
    };
    let errors = match result {
        Ok((person_id, building_id)) => {
            let token = accounts::open_session(&state, &person_id, ctx.session.as_deref()).await?;
            let to =
                if crate::domain::approval::is_pending(&state, &person_id, &building_id).await? {
                    "/buildings?notice=registration_pending".to_string()
                } else {
                    format!("/buildings/{building_id}?notice=registered")
                };
            let mut response = Redirect::to(&to).into_response();
            response
                .headers_mut()
                .append(header::SET_COOKIE, session_cookie(&state, &token));
            return Ok(response);
        }
        Err(AppError::Invalid(i)) => FormErrors::from_invalid(ctx.lang, &i),
        Err(AppError::NotFound) => {
            FormErrors::one("code", ctx.lang.t("error.building_code_unknown"))
        }
        Err(e) => return Err(e.into()),
    };
    // The form keeps what was typed, except the password.
    form.password.clear();
    let joining = match errors.get("code") {
        Some(_) => None,
        None => {
            crate::domain::memberships::building_named_by_code(&state, &form.code, client).await?
        }
    };
    let tpl = RegisterTpl {
        page: Page::new(&ctx),
        form,
        errors,
        charter_version: accounts::CHARTER_VERSION,
        joining,
    };
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &tpl)
}

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotTpl {
    page: Page,
    sent: bool,
}

async fn forgot_form(ctx: Ctx, Query(q): Query<NoticeQuery>) -> WebResult<Response> {
    render(&ForgotTpl {
        page: Page::new(&ctx).with_notice(q.notice.as_deref()),
        sent: false,
    })
}

#[derive(Deserialize)]
struct ForgotForm {
    email: String,
}

async fn forgot(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<ForgotForm>,
) -> WebResult<Response> {
    accounts::request_reset(&state, &form.email).await?;
    render(&ForgotTpl {
        page: Page::new(&ctx),
        sent: true,
    })
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetTpl {
    page: Page,
    token: String,
    errors: FormErrors,
}

async fn reset_form(ctx: Ctx, Path(token): Path<String>) -> WebResult<Response> {
    render(&ResetTpl {
        page: Page::new(&ctx),
        token,
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize)]
struct ResetForm {
    password: String,
}

async fn reset(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> WebResult<Response> {
    form_outcome(
        ctx.lang,
        accounts::reset_password(&state, &token, &form.password).await,
        |_| Ok(Redirect::to("/login?notice=password_reset").into_response()),
        |errors| async {
            Ok(ResetTpl {
                page: Page::new(&ctx),
                token,
                errors,
            })
        },
    )
    .await
}
