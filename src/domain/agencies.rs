//! Agencies as their managers set them up: name, language of what is sent outside, on-call
//! contact for urgent reports, reminder delays, first-answer target.

use crate::auth::Actor;
use crate::auth::authz::{self, AgencyAction};
use crate::db::agencies::{self as adb, AgencyRow};
use crate::domain::service_levels::{self, TargetClock};
use crate::domain::types::{Email, optional_text, text};
use crate::domain::{AppError, AppResult, Context};
use crate::i18n::Lang;

/// An agency a person manages, for choosing which one they act for.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AgencySummary {
    pub id: String,
    pub name: String,
}

/// An agency's settings, as read and written by its managers.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct AgencySettings {
    pub name: String,
    /// Language of the e-mails and PDFs sent to providers, the on-call e-mail and the poster.
    pub lang: LangCode,
    /// Who receives urgent reports at once (empty: nobody beyond the managers).
    #[serde(default)]
    pub on_call_email: String,
    #[serde(default)]
    pub on_call_phone: String,
    /// Working days before a provider who has not acknowledged is reminded (1–30).
    pub remind_after_days: i64,
    /// Reminders before the manager is told (0–10).
    pub reminders_before_escalation: i64,
    /// First-answer target for reports, in hours (1–720; 48 by default).
    pub answer_target_hours: i64,
    /// First-answer target for urgent reports, in hours (1–720; 4 by default).
    #[serde(default = "default_urgent_target")]
    pub urgent_target_hours: i64,
    /// Whether targets count calendar hours or working hours (D4).
    #[serde(default)]
    pub target_clock: TargetClock,
    /// The agency's time zone (working hours, months of the statistics); IANA name.
    #[serde(default = "default_timezone")]
    pub timezone: String,
}

fn default_urgent_target() -> i64 {
    4
}

fn default_timezone() -> String {
    service_levels::DEFAULT_TZ.to_string()
}

/// `fr` or `en`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum LangCode {
    Fr,
    En,
}

impl From<LangCode> for Lang {
    fn from(value: LangCode) -> Self {
        match value {
            LangCode::Fr => Lang::Fr,
            LangCode::En => Lang::En,
        }
    }
}

impl From<Lang> for LangCode {
    fn from(value: Lang) -> Self {
        match value {
            Lang::Fr => LangCode::Fr,
            Lang::En => LangCode::En,
        }
    }
}

impl From<AgencyRow> for AgencySettings {
    fn from(a: AgencyRow) -> Self {
        AgencySettings {
            name: a.name,
            lang: Lang::parse(&a.lang).unwrap_or_default().into(),
            on_call_email: a.on_call_email.unwrap_or_default(),
            on_call_phone: a.on_call_phone,
            remind_after_days: a.remind_after_days,
            reminders_before_escalation: a.reminders_before_escalation,
            answer_target_hours: a.answer_target_hours,
            urgent_target_hours: a.urgent_target_hours,
            target_clock: TargetClock::parse(&a.target_clock).unwrap_or_default(),
            timezone: a.timezone,
        }
    }
}

/// The agencies the actor manages.
pub async fn managed(cx: &Context, actor: &Actor) -> AppResult<Vec<AgencySummary>> {
    Ok(adb::managed_by(&cx.db.pool, &actor.person_id)
        .await?
        .into_iter()
        .map(|a| AgencySummary {
            id: a.id,
            name: a.name,
        })
        .collect())
}

pub async fn settings(cx: &Context, actor: &Actor, agency_id: &str) -> AppResult<AgencySettings> {
    let permit = authz::check_agency(actor, AgencyAction::ManageSettings, Some(agency_id))?;
    Ok(adb::by_id(&cx.db.pool, &permit.agency_id)
        .await?
        .ok_or(AppError::NotFound)?
        .into())
}

/// Checks every field, then saves them together.
pub async fn update_settings(
    cx: &Context,
    actor: &Actor,
    agency_id: &str,
    input: &AgencySettings,
) -> AppResult<AgencySettings> {
    let permit = authz::check_agency(actor, AgencyAction::ManageSettings, Some(agency_id))?;
    let name = text("name", &input.name, 120)?;
    let on_call_email = match input.on_call_email.trim() {
        "" => None,
        raw => Some(
            Email::parse(raw)
                .map_err(|_| AppError::invalid("on_call_email", "error.email_invalid"))?
                .as_str()
                .to_string(),
        ),
    };
    let on_call_phone = optional_text("on_call_phone", &input.on_call_phone, 40)?;
    for (field, value, range) in [
        ("remind_after_days", input.remind_after_days, 1..=30),
        (
            "reminders_before_escalation",
            input.reminders_before_escalation,
            0..=10,
        ),
        ("answer_target_hours", input.answer_target_hours, 1..=720),
        ("urgent_target_hours", input.urgent_target_hours, 1..=720),
    ] {
        if !range.contains(&value) {
            return Err(AppError::invalid(field, "error.number_invalid"));
        }
    }
    let timezone = input.timezone.trim();
    if timezone.is_empty() || jiff::tz::TimeZone::get(timezone).is_err() {
        return Err(AppError::invalid("timezone", "error.timezone_invalid"));
    }
    let before = adb::by_id(&cx.db.pool, &permit.agency_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lang: Lang = input.lang.into();
    adb::update_settings(
        &cx.db.pool,
        &permit.agency_id,
        adb::Settings {
            name: &name,
            lang: lang.code(),
            on_call_email: on_call_email.as_deref(),
            on_call_phone: &on_call_phone,
            remind_after_days: input.remind_after_days,
            reminders_before_escalation: input.reminders_before_escalation,
            answer_target_hours: input.answer_target_hours,
            urgent_target_hours: input.urgent_target_hours,
            target_clock: input.target_clock.as_str(),
            timezone,
        },
    )
    .await?;
    let after = adb::by_id(&cx.db.pool, &permit.agency_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // Due times follow the targets (D4).
    if (
        before.answer_target_hours,
        before.urgent_target_hours,
        &before.target_clock,
        &before.timezone,
    ) != (
        after.answer_target_hours,
        after.urgent_target_hours,
        &after.target_clock,
        &after.timezone,
    ) {
        service_levels::recompute_agency(cx, &after).await?;
    }
    settings(cx, actor, &permit.agency_id).await
}
