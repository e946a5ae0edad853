//! Joining another building from the browser with its code (issue 9 item 6), for someone
//! who already has an account: first the code, then the building is named and the person
//! says which lot and whether they own or rent it (nothing preselected).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::{FormErrors, Page, render_status};
use crate::app::AppState;
use crate::domain::{AppError, memberships};
use crate::web::error::WebResult;
use crate::web::extract::{ClientAddr, User};

pub fn router() -> Router<AppState> {
    Router::new().route("/account/join", get(join_form).post(join))
}

#[derive(Deserialize, Default)]
struct JoinForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    lot: String,
    #[serde(default)]
    occupancy: String,
}

#[derive(Template)]
#[template(path = "join.html")]
struct JoinTpl {
    page: Page,
    form: JoinForm,
    /// The building the code opens: the second step names it.
    joining: Option<String>,
    errors: FormErrors,
}

async fn join_form(
    State(state): State<AppState>,
    User(_, ctx): User,
    ClientAddr(client): ClientAddr,
    Query(form): Query<JoinForm>,
) -> WebResult<Response> {
    let typed = !form.code.trim().is_empty();
    let joining = memberships::building_named_by_code(&state, &form.code, client).await?;
    let (status, errors) = match (typed, &joining) {
        (true, None) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors::one("code", ctx.lang.t("error.building_code_unknown")),
        ),
        _ => (StatusCode::OK, FormErrors::default()),
    };
    let tpl = JoinTpl {
        page: Page::new(&ctx),
        form: JoinForm {
            code: form.code.trim().to_uppercase(),
            ..Default::default()
        },
        joining,
        errors,
    };
    render_status(status, &tpl)
}

async fn join(
    State(state): State<AppState>,
    User(actor, ctx): User,
    ClientAddr(client): ClientAddr,
    Form(form): Form<JoinForm>,
) -> WebResult<Response> {
    let result = memberships::join(
        &state,
        &actor,
        &form.code,
        &form.lot,
        &form.occupancy,
        client,
    )
    .await;
    let errors = match result {
        Ok(joined) if joined.pending => {
            return Ok(Redirect::to("/buildings?notice=registration_pending").into_response());
        }
        Ok(joined) => {
            return Ok(
                Redirect::to(&format!("/buildings/{}?notice=joined", joined.building_id))
                    .into_response(),
            );
        }
        Err(AppError::Invalid(i)) => FormErrors::from_invalid(ctx.lang, &i),
        Err(AppError::NotFound) => {
            FormErrors::one("code", ctx.lang.t("error.building_code_unknown"))
        }
        Err(AppError::Conflict(key)) => FormErrors::one("code", ctx.lang.t(key)),
        Err(e) => return Err(e.into()),
    };
    let joining = match errors.get("code") {
        Some(_) => None,
        None => memberships::building_named_by_code(&state, &form.code, client).await?,
    };
    let tpl = JoinTpl {
        page: Page::new(&ctx),
        form,
        joining,
        errors,
    };
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &tpl)
}
