//! A poll's e-mails and scheduled work: the invitation on publication (P2), the reminder
//! four days later to those who have not voted (P3), the closing at `closes_at` and the
//! results to the audience (P4). Reminder and closing are durable jobs that claim their
//! work with a conditional update, so each happens exactly once.

use serde::{Deserialize, Serialize};
use sqlx::Any;

use super::{Loaded, eligible, labels, lots, tally};
use crate::clock::DAY_MS;
use crate::db::polls::{self as pdb, PollRow};
use crate::domain::news::{self, Person};
use crate::domain::{AppError, AppResult, Context};
use crate::mail::{self, OutgoingEmail};
use crate::vocab::PollStatus;

pub const REMINDER_JOB: &str = "poll_reminder";
pub const CLOSE_JOB: &str = "poll_close";
/// P3: the reminder goes this long after publication.
pub const REMINDER_AFTER_MS: i64 = 4 * DAY_MS;

#[derive(Serialize, Deserialize)]
struct Payload {
    poll_id: String,
}

fn payload(id: &str) -> AppResult<String> {
    serde_json::to_string(&Payload {
        poll_id: id.to_string(),
    })
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// Schedules the reminder and the closing of a poll being published.
pub async fn schedule(
    tx: &mut sqlx::Transaction<'static, Any>,
    row: &PollRow,
    now: i64,
) -> AppResult<()> {
    let id = &row.id;
    let remind_at = now + REMINDER_AFTER_MS;
    if row.closes_at.is_none_or(|c| c > remind_at) {
        crate::db::notifications::enqueue_once(
            &mut **tx,
            REMINDER_JOB,
            &payload(id)?,
            remind_at,
            &format!("poll:{id}:reminder"),
            now,
        )
        .await?;
    }
    if let Some(at) = row.closes_at {
        crate::db::notifications::enqueue_once(
            &mut **tx,
            CLOSE_JOB,
            &payload(id)?,
            at,
            &format!("poll:{id}:close"),
            now,
        )
        .await?;
    }
    Ok(())
}

fn email(
    cx: &Context,
    to: &Person,
    row: &PollRow,
    kind: &str,
    subject: String,
    text: String,
) -> AppResult<OutgoingEmail> {
    let domain = news::mail_domain(cx);
    Ok(OutgoingEmail {
        message_id: Some(format!("poll.{}.{kind}.{}@{domain}", row.id, to.id)),
        thread_id: Some(format!("poll.{}@{domain}", row.id)),
        ..mail::messages::plain(&to.email, subject, text)?
    })
}

fn link(cx: &Context, row: &PollRow) -> String {
    format!(
        "{}/polls/{}",
        cx.config.base_url.trim_end_matches('/'),
        row.id
    )
}

async fn building_name(cx: &Context, row: &PollRow) -> AppResult<String> {
    Ok(crate::db::buildings::by_id(&cx.db.pool, &row.building_id)
        .await?
        .map(|b| b.name)
        .unwrap_or_default())
}

/// The invitations of a poll about to be published (P2): one-click link to its page.
pub(super) async fn invitations(cx: &Context, l: &Loaded) -> AppResult<Vec<OutgoingEmail>> {
    let members = news::members(cx, &l.row.building_id).await?;
    let lots = lots(cx, &l.row.building_id).await?;
    let mut out = Vec::new();
    for p in eligible(&l.row, &members, &lots) {
        out.push(invitation(
            cx,
            p,
            &l.row,
            &l.building.name,
            "news.mail.poll_invite",
        )?);
    }
    Ok(out)
}

fn invitation(
    cx: &Context,
    p: &Person,
    row: &PollRow,
    building: &str,
    key: &str,
) -> AppResult<OutgoingEmail> {
    let lang = p.lang;
    let mut text = lang.tf(
        &format!("{key}_body"),
        &[
            ("name", &p.name),
            ("building", building),
            ("title", &row.title),
            ("question", &row.question),
            ("link", &link(cx, row)),
        ],
    );
    if row.weighted != 0 {
        text.push_str("\n\n");
        text.push_str(lang.t("poll.weighted_notice"));
    }
    let subject = lang.tf(
        &format!("{key}_subject"),
        &[("building", building), ("title", &row.title)],
    );
    let kind = if key.ends_with("remind") {
        "remind"
    } else {
        "invite"
    };
    email(cx, p, row, kind, subject, text)
}

/// Closes an open poll now and queues its results to the audience, in one transaction;
/// false when it was not open any more (closed meanwhile).
pub async fn close_now(cx: &Context, row: &PollRow) -> AppResult<bool> {
    let now = cx.clock.now_ms();
    let labels = labels(row)?;
    let members = news::members(cx, &row.building_id).await?;
    let lots = lots(cx, &row.building_id).await?;
    let eligible = eligible(row, &members, &lots);
    let building = building_name(cx, row).await?;
    let mut tx = cx.db.begin().await?;
    if !pdb::close(&mut *tx, &row.id, now).await? {
        return Ok(false);
    }
    // Counted inside the transaction: no vote slips in after the count.
    let ballots = super::ballots(pdb::votes(&mut *tx, &row.id).await?);
    let weighted = row.weighted != 0;
    let t = tally::count(labels.len(), weighted, &ballots, &eligible, &lots);
    for p in &eligible {
        let lang = p.lang;
        let mut lines = Vec::new();
        for (label, c) in labels.iter().zip(&t.counts) {
            lines.push(if weighted {
                lang.tf(
                    "news.mail.poll_line_weighted",
                    &[
                        ("label", label),
                        ("votes", &c.votes.to_string()),
                        ("shares", &c.shares.to_string()),
                        ("total", &t.total_shares.to_string()),
                        ("percent", &format!("{:.1}", c.percent)),
                    ],
                )
            } else {
                lang.tf(
                    "news.mail.poll_line",
                    &[
                        ("label", label),
                        ("votes", &c.votes.to_string()),
                        ("percent", &format!("{:.1}", c.percent)),
                    ],
                )
            });
        }
        let mut text = lang.tf(
            "news.mail.poll_results_body",
            &[
                ("name", &p.name),
                ("building", &building),
                ("title", &row.title),
                ("question", &row.question),
                ("voters", &t.voters.to_string()),
                ("eligible", &t.eligible.to_string()),
                ("results", &lines.join("\n")),
                ("link", &link(cx, row)),
            ],
        );
        if weighted {
            text.push_str("\n\n");
            text.push_str(lang.t("poll.weighted_notice"));
        }
        let subject = lang.tf(
            "news.mail.poll_results_subject",
            &[("building", &building), ("title", &row.title)],
        );
        mail::enqueue(&mut *tx, &email(cx, p, row, "results", subject, text)?, now).await?;
    }
    tx.commit().await?;
    cx.jobs_notify.notify_one();
    Ok(true)
}

/// The closing job: closes the poll if it is still open and due.
pub async fn run_close(cx: &Context, payload: &str) -> AppResult<()> {
    let Some(row) = job_poll(cx, payload).await? else {
        return Ok(());
    };
    if row.status != PollStatus::Open.as_str()
        || row.closes_at.is_none_or(|c| c > cx.clock.now_ms())
    {
        return Ok(());
    }
    close_now(cx, &row).await?;
    Ok(())
}

/// The reminder job (P3): once, to eligible people who have not voted by now.
pub async fn run_reminder(cx: &Context, payload: &str) -> AppResult<()> {
    let Some(row) = job_poll(cx, payload).await? else {
        return Ok(());
    };
    if row.status != PollStatus::Open.as_str() {
        return Ok(());
    }
    let now = cx.clock.now_ms();
    let members = news::members(cx, &row.building_id).await?;
    let lots = lots(cx, &row.building_id).await?;
    let eligible = eligible(&row, &members, &lots);
    let building = building_name(cx, &row).await?;
    let mut tx = cx.db.begin().await?;
    if !pdb::claim_reminder(&mut *tx, &row.id, now).await? {
        return Ok(());
    }
    let voted: Vec<String> = pdb::votes(&mut *tx, &row.id)
        .await?
        .into_iter()
        .map(|v| v.person_id)
        .collect();
    for p in eligible.iter().filter(|p| !voted.contains(&p.id)) {
        let email = invitation(cx, p, &row, &building, "news.mail.poll_remind")?;
        mail::enqueue(&mut *tx, &email, now).await?;
    }
    tx.commit().await?;
    cx.jobs_notify.notify_one();
    Ok(())
}

async fn job_poll(cx: &Context, payload: &str) -> AppResult<Option<PollRow>> {
    let p: Payload =
        serde_json::from_str(payload).map_err(|e| AppError::Internal(format!("payload: {e}")))?;
    Ok(pdb::by_id(&cx.db.pool, &p.poll_id).await?)
}
