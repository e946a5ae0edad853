//! Agencies and their settings.

use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgencyRow {
    pub id: String,
    pub name: String,
    pub lang: String,
    pub on_call_email: Option<String>,
    pub on_call_phone: String,
    pub remind_after_days: i64,
    pub reminders_before_escalation: i64,
    pub answer_target_hours: i64,
    pub urgent_target_hours: i64,
    /// `calendar` or `working` hours.
    pub target_clock: String,
    pub timezone: String,
}

pub const AGENCY_COLUMNS: &str = "id, name, lang, on_call_email, on_call_phone, remind_after_days, \
     reminders_before_escalation, answer_target_hours, urgent_target_hours, target_clock, timezone";

pub async fn by_id<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<AgencyRow>> {
    sqlx::query_as(&format!(
        "SELECT {AGENCY_COLUMNS} FROM agencies WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(ex)
    .await
}

/// The agencies a person manages, by name.
pub async fn managed_by<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<Vec<AgencyRow>> {
    sqlx::query_as(&format!(
        "SELECT {AGENCY_COLUMNS} FROM agencies WHERE id IN \
         (SELECT agency_id FROM agency_staff WHERE person_id = $1) ORDER BY name, id"
    ))
    .bind(person_id)
    .fetch_all(ex)
    .await
}

pub struct Settings<'a> {
    pub name: &'a str,
    pub lang: &'a str,
    pub on_call_email: Option<&'a str>,
    pub on_call_phone: &'a str,
    pub remind_after_days: i64,
    pub reminders_before_escalation: i64,
    pub answer_target_hours: i64,
    pub urgent_target_hours: i64,
    pub target_clock: &'a str,
    pub timezone: &'a str,
}

pub async fn update_settings<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    s: Settings<'_>,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE agencies SET name = $2, lang = $3, on_call_email = $4, on_call_phone = $5, \
         remind_after_days = $6, reminders_before_escalation = $7, answer_target_hours = $8, \
         urgent_target_hours = $9, target_clock = $10, timezone = $11 WHERE id = $1",
    )
    .bind(id)
    .bind(s.name)
    .bind(s.lang)
    .bind(s.on_call_email)
    .bind(s.on_call_phone)
    .bind(s.remind_after_days)
    .bind(s.reminders_before_escalation)
    .bind(s.answer_target_hours)
    .bind(s.urgent_target_hours)
    .bind(s.target_clock)
    .bind(s.timezone)
    .execute(ex)
    .await?;
    Ok(done.rows_affected())
}

/// Sets the on-call e-mail unless one is set already (the demo's seed is idempotent).
pub async fn default_on_call_email<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    email: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE agencies SET on_call_email = $2 WHERE id = $1 AND on_call_email IS NULL")
        .bind(id)
        .bind(email)
        .execute(ex)
        .await?;
    Ok(())
}
