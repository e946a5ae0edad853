//! The agency settings page, for its managers.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::{FormErrors, NoticeQuery, Page, form_outcome, render};
use crate::app::AppState;
use crate::domain::agencies::{self as service, AgencySettings, LangCode};
use crate::domain::service_levels::TargetClock;
use crate::web::error::WebResult;
use crate::web::extract::User;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/agencies/{id}/settings",
        get(settings_form).post(save_settings),
    )
}

#[derive(Template)]
#[template(path = "agency_settings.html")]
struct SettingsTpl {
    page: Page,
    agency_id: String,
    settings: AgencySettings,
    errors: FormErrors,
}

async fn settings_form(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult<Response> {
    let settings = service::settings(&state, &actor, &id).await?;
    render(&SettingsTpl {
        page: Page::new(&ctx).with_notice(q.notice.as_deref()),
        agency_id: id,
        settings,
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize)]
struct SettingsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    on_call_email: String,
    #[serde(default)]
    on_call_phone: String,
    #[serde(default)]
    remind_after_days: String,
    #[serde(default)]
    reminders_before_escalation: String,
    #[serde(default)]
    answer_target_hours: String,
    #[serde(default)]
    urgent_target_hours: String,
    #[serde(default)]
    target_clock: String,
    #[serde(default)]
    timezone: String,
}

async fn save_settings(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Form(form): Form<SettingsForm>,
) -> WebResult<Response> {
    // Unreadable numbers become out-of-range ones, refused with the field's message.
    let number = |raw: &str| raw.trim().parse::<i64>().unwrap_or(-1);
    let input = AgencySettings {
        name: form.name,
        lang: if form.lang == "en" {
            LangCode::En
        } else {
            LangCode::Fr
        },
        on_call_email: form.on_call_email,
        on_call_phone: form.on_call_phone,
        remind_after_days: number(&form.remind_after_days),
        reminders_before_escalation: number(&form.reminders_before_escalation),
        answer_target_hours: number(&form.answer_target_hours),
        // Forms from before service levels leave the new fields out: their defaults.
        urgent_target_hours: match form.urgent_target_hours.trim() {
            "" => 4,
            raw => number(raw),
        },
        target_clock: if form.target_clock == "working" {
            TargetClock::Working
        } else {
            TargetClock::Calendar
        },
        timezone: match form.timezone.trim() {
            "" => crate::domain::service_levels::DEFAULT_TZ.to_string(),
            raw => raw.to_string(),
        },
    };
    form_outcome(
        ctx.lang,
        service::update_settings(&state, &actor, &id, &input).await,
        |_| {
            Ok(
                Redirect::to(&format!("/agencies/{id}/settings?notice=settings_saved"))
                    .into_response(),
            )
        },
        |errors| async {
            Ok(SettingsTpl {
                page: Page::new(&ctx),
                agency_id: id.clone(),
                settings: input.clone(),
                errors,
            })
        },
    )
    .await
}
