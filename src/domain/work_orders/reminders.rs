//! Reminders to providers (W6), scheduled as jobs so a restart loses none. Each reminder
//! checks, when it runs, whether the provider has acted since: if so it does nothing,
//! which is how acting cancels it.

use crate::vocab::WorkOrderStatus;
use jiff::Timestamp;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use sqlx::Any;

use crate::clock::DAY_MS;
use crate::db::notifications as ndb;
use crate::db::work_orders as wdb;
use crate::domain::Context;
use crate::domain::{AppError, AppResult};
use crate::mail::{self, OutgoingEmail};

pub const JOB: &str = "work_order_reminder";

#[derive(Serialize, Deserialize, Debug, PartialEq, Eq)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Reminder {
    /// The n-th reminder to acknowledge; past the agency's count, escalation to the manager.
    Acknowledge { work_order_id: String, n: i64 },
    /// The n-th reminder to confirm a date, once acknowledged without one (W6); past the
    /// agency's count, escalation to the manager.
    Confirm { work_order_id: String, n: i64 },
    /// The day before the visit.
    Visit { work_order_id: String, at: i64 },
    /// The day after the visit, asking for the report.
    Report { work_order_id: String, at: i64 },
}

/// `days` working days (Monday to Friday, Paris time) after `from`.
pub fn add_working_days(from: i64, days: i64) -> i64 {
    let zone = TimeZone::get("Europe/Paris").unwrap_or(TimeZone::UTC);
    let Ok(start) = Timestamp::from_millisecond(from) else {
        return from + days * DAY_MS;
    };
    let mut day = start.to_zoned_datetime(zone);
    let mut left = days;
    while left > 0 {
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => return from + days * DAY_MS,
        }
        if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            left -= 1;
        }
    }
    day.timestamp().as_millisecond()
}

async fn enqueue(
    tx: &mut sqlx::Transaction<'static, Any>,
    reminder: &Reminder,
    run_at: i64,
    key: &str,
    now: i64,
) -> AppResult<()> {
    let payload = serde_json::to_string(reminder).map_err(|e| AppError::Internal(e.to_string()))?;
    ndb::enqueue_once(&mut **tx, JOB, &payload, run_at, key, now).await?;
    Ok(())
}

pub async fn schedule_ack_reminder(
    tx: &mut sqlx::Transaction<'static, Any>,
    state: &Context,
    agency_id: &str,
    wo: &str,
    n: i64,
    from: i64,
) -> AppResult<()> {
    let (delay, _) = wdb::reminder_settings(&state.db.pool, agency_id).await?;
    let run_at = add_working_days(from, delay.max(1));
    enqueue(
        tx,
        &Reminder::Acknowledge {
            work_order_id: wo.to_string(),
            n,
        },
        run_at,
        &format!("wo:{wo}:ack:{n}"),
        from,
    )
    .await
}

/// Chases a date after an acknowledgment without one (W6), on the agency's delay.
pub async fn schedule_confirm_reminder(
    tx: &mut sqlx::Transaction<'static, Any>,
    state: &Context,
    agency_id: &str,
    wo: &str,
    n: i64,
    from: i64,
) -> AppResult<()> {
    let (delay, _) = wdb::reminder_settings(&state.db.pool, agency_id).await?;
    let run_at = add_working_days(from, delay.max(1));
    enqueue(
        tx,
        &Reminder::Confirm {
            work_order_id: wo.to_string(),
            n,
        },
        run_at,
        &format!("wo:{wo}:confirm:{from}:{n}"),
        from,
    )
    .await
}

pub async fn schedule_visit_jobs(
    tx: &mut sqlx::Transaction<'static, Any>,
    wo: &str,
    at: i64,
    now: i64,
) -> AppResult<()> {
    if at - DAY_MS > now {
        enqueue(
            tx,
            &Reminder::Visit {
                work_order_id: wo.to_string(),
                at,
            },
            at - DAY_MS,
            &format!("wo:{wo}:visit:{at}"),
            now,
        )
        .await?;
    }
    enqueue(
        tx,
        &Reminder::Report {
            work_order_id: wo.to_string(),
            at,
        },
        at + DAY_MS,
        &format!("wo:{wo}:report:{at}"),
        now,
    )
    .await
}

/// One kind of chase of a provider: the reminder's texts, the escalation's, and which
/// reminder comes next.
struct Chase {
    remind: (&'static str, &'static str),
    escalate: (&'static str, &'static str),
    /// Chasing a date (W6, acknowledged orders) rather than an acknowledgement.
    date: bool,
}

const ACKNOWLEDGE: Chase = Chase {
    remind: ("wo.mail.reminder_subject", "wo.mail.reminder_body"),
    escalate: ("wo.mail.escalation_subject", "wo.mail.escalation_body"),
    date: false,
};

const CONFIRM: Chase = Chase {
    remind: ("wo.mail.confirm_subject", "wo.mail.confirm_body"),
    escalate: (
        "wo.mail.confirm_escalation_subject",
        "wo.mail.confirm_escalation_body",
    ),
    date: true,
};

/// The `n`th chase: reminded (and the next one booked) up to the agency's count, then the
/// manager who sent the order is told once.
async fn chase(
    state: &Context,
    tx: &mut sqlx::Transaction<'static, Any>,
    wo: &wdb::WorkOrderRow,
    lang: crate::i18n::Lang,
    n: i64,
    now: i64,
    c: Chase,
) -> AppResult<()> {
    let (_, before_escalation) = wdb::reminder_settings(&state.db.pool, &wo.agency_id).await?;
    if n <= before_escalation {
        let vars = [
            ("reference", wo.reference.as_str()),
            ("note", lang.t("wo.mail.link_note")),
        ];
        let subject = lang.tf(c.remind.0, &vars);
        let body = lang.tf(c.remind.1, &vars);
        let mail = email(&wo.provider_email, subject, body, &wo.id)?;
        mail::enqueue(&mut **tx, &mail, now).await?;
        wdb::count_reminder(&mut **tx, &wo.id).await?;
        if c.date {
            schedule_confirm_reminder(tx, state, &wo.agency_id, &wo.id, n + 1, now).await?;
        } else {
            schedule_ack_reminder(tx, state, &wo.agency_id, &wo.id, n + 1, now).await?;
        }
    } else if let Some(manager) = crate::db::people::by_id(&state.db.pool, &wo.created_by).await? {
        let count = (n - 1).to_string();
        let vars = [
            ("reference", wo.reference.as_str()),
            ("provider", wo.provider_company.as_str()),
            ("count", count.as_str()),
        ];
        let subject = lang.tf(c.escalate.0, &vars);
        let body = lang.tf(c.escalate.1, &vars);
        let mail = email(&manager.email, subject, body, &wo.id)?;
        mail::enqueue(&mut **tx, &mail, now).await?;
    }
    Ok(())
}

fn email(to: &str, subject: String, body: String, wo: &str) -> AppResult<OutgoingEmail> {
    Ok(OutgoingEmail {
        thread_id: Some(format!("wo.{wo}@palier")),
        ..mail::messages::plain(to, subject, body)?
    })
}

/// Runs one reminder job.
pub async fn run(state: &Context, payload: &str) -> AppResult<()> {
    let reminder: Reminder = serde_json::from_str(payload)
        .map_err(|e| AppError::Internal(format!("reminder payload: {e}")))?;
    let id = match &reminder {
        Reminder::Acknowledge { work_order_id, .. }
        | Reminder::Confirm { work_order_id, .. }
        | Reminder::Visit { work_order_id, .. }
        | Reminder::Report { work_order_id, .. } => work_order_id,
    };
    let Some(wo) = wdb::by_id(&state.db.pool, id).await? else {
        return Ok(());
    };
    let now = state.clock.now_ms();
    let lang = crate::domain::buildings::agency_lang(state, &wo.agency_id).await?;
    let link_note = lang.t("wo.mail.link_note");
    let mut tx = state.db.begin().await?;
    match reminder {
        Reminder::Acknowledge { n, .. } => {
            if wo.acknowledged_at.is_some()
                || wo.token_revoked_at.is_some()
                || wo.status != WorkOrderStatus::Sent.as_str()
            {
                return Ok(());
            }
            chase(state, &mut tx, &wo, lang, n, now, ACKNOWLEDGE).await?;
        }
        Reminder::Confirm { n, .. } => {
            // A date confirmed, the work done, the link revoked: nothing to chase.
            if wo.scheduled_for.is_some()
                || wo.token_revoked_at.is_some()
                || wo.status != WorkOrderStatus::Acknowledged.as_str()
            {
                return Ok(());
            }
            chase(state, &mut tx, &wo, lang, n, now, CONFIRM).await?;
        }
        Reminder::Visit { at, .. } => {
            if wo.status != WorkOrderStatus::Scheduled.as_str() || wo.scheduled_for != Some(at) {
                return Ok(());
            }
            let when = crate::i18n::local_datetime_in(lang, at);
            let subject = lang.tf(
                "wo.mail.visit_subject",
                &[("reference", &wo.reference), ("date", &when)],
            );
            let body = lang.tf(
                "wo.mail.visit_body",
                &[
                    ("reference", &wo.reference),
                    ("date", &when),
                    ("note", link_note),
                ],
            );
            mail::enqueue(
                &mut *tx,
                &email(&wo.provider_email, subject, body, &wo.id)?,
                now,
            )
            .await?;
        }
        Reminder::Report { at, .. } => {
            if wo.status != WorkOrderStatus::Scheduled.as_str() || wo.scheduled_for != Some(at) {
                return Ok(());
            }
            let subject = lang.tf("wo.mail.report_subject", &[("reference", &wo.reference)]);
            let body = lang.tf(
                "wo.mail.report_body",
                &[("reference", &wo.reference), ("note", link_note)],
            );
            mail::enqueue(
                &mut *tx,
                &email(&wo.provider_email, subject, body, &wo.id)?,
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;
    state.jobs_notify.notify_one();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::add_working_days;

    fn ms(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>()
            .map(|t| t.as_millisecond())
            .unwrap_or_default()
    }

    #[test]
    fn working_days_skip_weekends() {
        // Thursday 26 November 2026 + 2 working days = Monday 30 November.
        assert_eq!(
            add_working_days(ms("2026-11-26T09:00:00Z"), 2),
            ms("2026-11-30T09:00:00Z")
        );
        // Monday + 2 = Wednesday.
        assert_eq!(
            add_working_days(ms("2026-11-23T09:00:00Z"), 2),
            ms("2026-11-25T09:00:00Z")
        );
        // Saturday + 1 = Monday.
        assert_eq!(
            add_working_days(ms("2026-11-28T09:00:00Z"), 1),
            ms("2026-11-30T09:00:00Z")
        );
    }
}
