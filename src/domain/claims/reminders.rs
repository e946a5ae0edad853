//! Reminders to the insurer when nothing happened on a claim for the agency's delay
//! (default 10 working days), then escalation to the manager. Durable jobs: each one
//! checks, when it runs, whether anything happened since it was queued; if so it does
//! nothing, which is how any step cancels it.

use serde::{Deserialize, Serialize};
use sqlx::Any;

use crate::db::claims as cdb;
use crate::db::notifications as ndb;
use crate::domain::work_orders::reminders::add_working_days;
use crate::domain::{AppError, AppResult, Context};
use crate::mail::{self, OutgoingEmail};
use crate::vocab::ClaimStatus;

pub const JOB: &str = "claim_reminder";

#[derive(Serialize, Deserialize, Debug, PartialEq, Eq)]
pub struct Reminder {
    pub claim_id: String,
    /// The n-th reminder; past the agency's count, escalation to the manager.
    pub n: i64,
    /// The claim's last step when this reminder was queued.
    pub since: i64,
}

/// Queues the n-th reminder, the agency's delay after `from` (the claim's last step).
pub async fn schedule(
    tx: &mut sqlx::Transaction<'static, Any>,
    cx: &Context,
    agency_id: &str,
    claim_id: &str,
    n: i64,
    from: i64,
) -> AppResult<()> {
    let (delay, _) = cdb::reminder_settings(&cx.db.pool, agency_id).await?;
    let reminder = Reminder {
        claim_id: claim_id.to_string(),
        n,
        since: from,
    };
    let payload =
        serde_json::to_string(&reminder).map_err(|e| AppError::Internal(e.to_string()))?;
    let run_at = add_working_days(from, delay.max(1));
    let key = format!("claim:{claim_id}:{from}:{n}");
    ndb::enqueue_once(&mut **tx, JOB, &payload, run_at, &key, from).await?;
    Ok(())
}

/// Runs one reminder job.
pub async fn run(cx: &Context, payload: &str) -> AppResult<()> {
    let r: Reminder = serde_json::from_str(payload)
        .map_err(|e| AppError::Internal(format!("claim reminder payload: {e}")))?;
    let Some(claim) = cdb::by_id(&cx.db.pool, &r.claim_id).await? else {
        return Ok(());
    };
    let done = matches!(
        claim.status.as_str(),
        "draft" | "settled" | "refused" | "closed"
    );
    // Something happened since (a step resets the count) or nothing is left to chase.
    if done || claim.last_activity_at != r.since || claim.token_revoked_at.is_some() {
        return Ok(());
    }
    let pool = &cx.db.pool;
    let lang = crate::domain::buildings::agency_lang(cx, &claim.agency_id).await?;
    let (_, before_escalation) = cdb::reminder_settings(pool, &claim.agency_id).await?;
    let now = cx.clock.now_ms();
    let status = ClaimStatus::parse(&claim.status).unwrap_or(ClaimStatus::Transmitted);
    let status_text = lang.t(&format!("claim.status.{}", status.as_str()));
    let mut tx = cx.db.begin().await?;
    if r.n <= before_escalation {
        let insurer = match claim.insurer_id.as_deref() {
            Some(id) => cdb::insurer(pool, id).await?,
            None => None,
        };
        let Some(insurer) = insurer else {
            return Ok(());
        };
        let subject = lang.tf(
            "claim.mail.reminder_subject",
            &[
                ("reference", &claim.reference),
                ("policy", &claim.policy_number),
            ],
        );
        let body = lang.tf(
            "claim.mail.reminder_body",
            &[
                ("reference", &claim.reference),
                ("status", status_text),
                ("note", lang.t("claim.mail.link_note")),
            ],
        );
        let email = OutgoingEmail {
            thread_id: Some(super::thread::thread_id(&claim.id)),
            ..mail::messages::plain(&insurer.claims_email, subject, body)?
        };
        mail::enqueue(&mut *tx, &email, now).await?;
        cdb::count_reminder(&mut *tx, &claim.id).await?;
        cdb::insert_event(
            &mut *tx,
            &claim.id,
            "reminder_sent",
            None,
            &r.n.to_string(),
            now,
        )
        .await?;
        // The next one counts from the same last step.
        let next = Reminder {
            claim_id: claim.id.clone(),
            n: r.n + 1,
            since: r.since,
        };
        let payload =
            serde_json::to_string(&next).map_err(|e| AppError::Internal(e.to_string()))?;
        let (delay, _) = cdb::reminder_settings(pool, &claim.agency_id).await?;
        let key = format!("claim:{}:{}:{}", claim.id, r.since, r.n + 1);
        ndb::enqueue_once(
            &mut *tx,
            JOB,
            &payload,
            add_working_days(now, delay.max(1)),
            &key,
            now,
        )
        .await?;
    } else if let Some(manager) = crate::db::people::by_id(pool, &claim.created_by).await? {
        let subject = lang.tf(
            "claim.mail.escalation_subject",
            &[("reference", &claim.reference)],
        );
        let body = lang.tf(
            "claim.mail.escalation_body",
            &[
                ("reference", &claim.reference),
                ("count", &(r.n - 1).to_string()),
                ("status", status_text),
                (
                    "link",
                    &format!("{}/claims/{}", cx.config.base_url, claim.id),
                ),
            ],
        );
        let email = OutgoingEmail {
            thread_id: Some(super::thread::thread_id(&claim.id)),
            ..mail::messages::plain(&manager.email, subject, body)?
        };
        mail::enqueue(&mut *tx, &email, now).await?;
        cdb::insert_event(&mut *tx, &claim.id, "escalated", None, "", now).await?;
    }
    tx.commit().await?;
    cx.jobs_notify.notify_one();
    Ok(())
}
