//! The e-mail notice of an announcement: a job due at its publication time, which claims
//! the notice with a conditional update (so it leaves exactly once, never before its time,
//! never after a withdrawal) and queues one e-mail per subscribed member of the audience in
//! the same transaction.

use serde::{Deserialize, Serialize};
use sqlx::Any;

use crate::auth::authz;
use crate::clock::MINUTE_MS;
use crate::db::announcements as adb;
use crate::domain::{AppError, AppResult, Context, news};
use crate::mail::{self, OutgoingEmail};
use crate::vocab::NewsAudience;

pub const JOB: &str = "announcement_notice";
/// The notification category people can turn off (on by default).
pub const CATEGORY: &str = "announcements";
/// An announcement published "now" is e-mailed a little later, so the photos and PDFs
/// attached right after creating it are in the notice.
pub const GRACE_MS: i64 = 2 * MINUTE_MS;

#[derive(Serialize, Deserialize)]
struct Payload {
    announcement_id: String,
}

pub async fn schedule(
    tx: &mut sqlx::Transaction<'static, Any>,
    id: &str,
    publish_at: i64,
    now: i64,
) -> AppResult<()> {
    let payload = serde_json::to_string(&Payload {
        announcement_id: id.to_string(),
    })
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let run_at = publish_at.max(now + GRACE_MS);
    crate::db::notifications::enqueue_once(
        &mut **tx,
        JOB,
        &payload,
        run_at,
        &format!("ann:{id}:notice"),
        now,
    )
    .await?;
    Ok(())
}

/// Runs the notice job.
pub async fn run(cx: &Context, payload: &str) -> AppResult<()> {
    let p: Payload =
        serde_json::from_str(payload).map_err(|e| AppError::Internal(format!("payload: {e}")))?;
    let Some(row) = adb::by_id(&cx.db.pool, &p.announcement_id).await? else {
        return Ok(());
    };
    let now = cx.clock.now_ms();
    if row.publish_at > now {
        // Never early: a job run before its time (a clock moved back) fails and is retried.
        return Err(AppError::Internal("announcement not yet due".into()));
    }
    let Some(audience) = NewsAudience::parse(&row.audience) else {
        return Ok(());
    };
    let building = crate::db::buildings::by_id(&cx.db.pool, &row.building_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let attachments = super::files::list(cx, &row.id).await?;
    let base = cx.config.base_url.trim_end_matches('/').to_string();
    let domain = news::mail_domain(cx);
    let mut emails = Vec::new();
    for person in news::members(cx, &row.building_id).await? {
        if person.id == row.author_id || !authz::announcement_reaches(audience, person.standing) {
            continue;
        }
        if !crate::domain::notifications::subscribed(cx, &person.id, CATEGORY, false).await? {
            continue;
        }
        let lang = person.lang;
        let mut text = lang.tf(
            "news.mail.announcement_body",
            &[
                ("name", &person.name),
                ("author", lang.person(&row.author_name)),
                ("building", &building.name),
                ("title", &row.title),
                ("body", &row.body),
            ],
        );
        if !attachments.is_empty() {
            text.push_str("\n\n");
            text.push_str(lang.t("news.mail.attachments"));
            for a in &attachments {
                text.push_str(&format!(
                    "\n- {} : {base}/announcements/{}/files/{}",
                    a.filename, row.id, a.id
                ));
            }
        }
        text.push_str("\n\n");
        text.push_str(&lang.tf(
            "news.mail.read_link",
            &[("link", &format!("{base}/announcements/{}", row.id))],
        ));
        text.push_str("\n\n");
        text.push_str(&lang.tf(
            "news.mail.settings",
            &[("link", &format!("{base}/account/notifications"))],
        ));
        let subject = lang.tf(
            "news.mail.announcement_subject",
            &[("building", &building.name), ("title", &row.title)],
        );
        emails.push(OutgoingEmail {
            message_id: Some(format!("ann.{}.{}@{domain}", row.id, person.id)),
            thread_id: Some(format!("ann.{}@{domain}", row.id)),
            unsubscribe: Some(format!("{base}/account/notifications")),
            ..mail::messages::plain(&person.email, subject, text)?
        });
    }
    let mut tx = cx.db.begin().await?;
    if !adb::claim_notice(&mut *tx, &row.id, now).await? {
        // Already sent, or withdrawn in the meantime.
        return Ok(());
    }
    for email in &emails {
        mail::enqueue(&mut *tx, email, now).await?;
    }
    tx.commit().await?;
    cx.jobs_notify.notify_one();
    Ok(())
}
