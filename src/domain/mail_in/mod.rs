//! Answer by e-mail (N6): a received message becomes a comment (a reply to a notification),
//! a note in a work order's history (a provider's reply) or a report (a member writing to
//! the building's intake address). Automatic answers, bulk mail, bounces, duplicates,
//! unknown tokens and senders who are not the token's person change nothing.

pub mod parse;
mod replies;
pub mod tokens;

use crate::db::mail_in as mdb;
use crate::domain::{AppError, AppResult, Context};
use crate::i18n::Lang;

pub use parse::Incoming;

/// Messages over this size are refused unread.
pub const MAX_MESSAGE_BYTES: usize = 25 * 1024 * 1024;
/// Short answers (closed report, refused intake) one address gets per day at most, so two
/// automatic systems can never answer each other for ever.
pub const MAX_ANSWERS_PER_DAY: i64 = 3;

/// What became of a received message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Commented {
        report_id: String,
        comment_id: String,
    },
    ReportCreated(String),
    WorkOrderNote(String),
    /// A bounce: these addresses are marked as failing.
    Bounce(Vec<String>),
    /// Already handled (same Message-ID).
    Duplicate,
    /// Deliberately not acted on: automatic answers, unknown addresses…
    Ignored(&'static str),
    /// Refused: too large, sender not the token's person, no longer allowed, closed report.
    Refused(&'static str),
}

impl Outcome {
    /// One line for the mail server's log (and the record of the message).
    pub fn summary(&self) -> String {
        match self {
            Outcome::Commented {
                report_id,
                comment_id,
            } => format!("commented {comment_id} on report {report_id}"),
            Outcome::ReportCreated(id) => format!("report {id} created"),
            Outcome::WorkOrderNote(id) => format!("added to work order {id}"),
            Outcome::Bounce(addresses) => format!("bounce: {} failing", addresses.join(", ")),
            Outcome::Duplicate => "duplicate: already handled".into(),
            Outcome::Ignored(why) => format!("ignored: {why}"),
            Outcome::Refused(why) => format!("refused: {why}"),
        }
    }
}

/// Handles one raw RFC 5322 message. An `Err` is a temporary failure (the database): the
/// mail server should deliver the message again later.
pub async fn receive(state: &Context, raw: &[u8]) -> AppResult<Outcome> {
    if raw.len() > MAX_MESSAGE_BYTES {
        tracing::warn!(bytes = raw.len(), "received message too large, refused");
        return Ok(Outcome::Refused("too_large"));
    }
    let Some(msg) = parse::read(raw) else {
        tracing::info!("received message unreadable, ignored");
        return Ok(Outcome::Ignored("malformed"));
    };
    let now = state.clock.now_ms();
    if let Some(failed) = &msg.bounce {
        for address in failed {
            mdb::mark_failing(&state.db.pool, address, "bounce", now).await?;
        }
        tracing::info!(addresses = ?failed, "bounce recorded");
        return Ok(Outcome::Bounce(failed.clone()));
    }
    if msg.automatic {
        return Ok(Outcome::Ignored("automatic"));
    }
    let Some(from) = msg.from.clone() else {
        return Ok(Outcome::Ignored("no_sender"));
    };
    let Some(base) = tokens::base(&state.config) else {
        return Ok(Outcome::Ignored("no_reply_address_configured"));
    };
    // Never answer ourselves: a loop between two of Palier's own addresses.
    if from.ends_with(&format!("@{}", base.domain)) {
        return Ok(Outcome::Ignored("own_address"));
    }
    let Some(target) = tokens::target(&base, &msg.recipients) else {
        return Ok(Outcome::Ignored("not_a_palier_address"));
    };
    let message_id = msg.message_id.clone().unwrap_or_else(|| {
        use sha2::Digest;
        crate::auth::secret::hex(&sha2::Sha256::digest(raw))
    });
    if !mdb::claim_message(&state.db.pool, &message_id, now).await? {
        return Ok(Outcome::Duplicate);
    }
    let handled = match &target {
        tokens::Target::Reply(token) => replies::reply(state, token, &from, &msg).await,
        tokens::Target::Intake(token) => replies::intake(state, token, &from, &msg).await,
    };
    match handled {
        Ok(outcome) => {
            mdb::set_outcome(&state.db.pool, &message_id, &outcome.summary()).await?;
            Ok(outcome)
        }
        Err(e) => {
            // Let the retry be handled: the claim is released (best effort, the database may
            // be what failed).
            let _ = mdb::release_message(&state.db.pool, &message_id).await;
            Err(e)
        }
    }
}

/// Sends a short answer to a sender unless they had [`MAX_ANSWERS_PER_DAY`] already.
async fn answer(
    state: &Context,
    to: &str,
    lang: Lang,
    subject_key: &str,
    body_key: &str,
    args: &[(&str, &str)],
) -> AppResult<bool> {
    let now = state.clock.now_ms();
    let since = now - crate::clock::DAY_MS;
    if mdb::answers_since(&state.db.pool, to, since).await? >= MAX_ANSWERS_PER_DAY {
        tracing::info!(to, "answer not sent: rate limit");
        return Ok(false);
    }
    let email = crate::mail::OutgoingEmail {
        auto_submitted: true,
        ..crate::mail::messages::plain(to, lang.tf(subject_key, args), lang.tf(body_key, args))
            .map_err(AppError::from)?
    };
    let mut tx = state.db.begin().await?;
    mdb::record_answer(&mut *tx, &crate::db::new_id(), to, now).await?;
    crate::mail::enqueue(&mut *tx, &email, now).await?;
    tx.commit().await?;
    state.jobs_notify.notify_one();
    Ok(true)
}

/// Truncates to at most `max` characters (a long e-mail is kept, cut, rather than refused).
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => text[..i].trim_end().to_string(),
        None => text.to_string(),
    }
}

/// A provider's e-mail reply in a work order's history.
#[derive(Debug, Clone)]
pub struct WorkOrderMessage {
    pub id: String,
    pub from: String,
    pub body: String,
    pub at: i64,
}

/// A work order's e-mail replies, for the managers of its agency.
pub async fn work_order_messages(
    state: &Context,
    actor: &crate::auth::Actor,
    work_order_id: &str,
) -> AppResult<Vec<WorkOrderMessage>> {
    let wo = crate::domain::work_orders::get(state, actor, work_order_id).await?;
    Ok(mdb::work_order_messages(&state.db.pool, &wo.id, 200)
        .await?
        .into_iter()
        .map(|m| WorkOrderMessage {
            id: m.id,
            from: m.from_email,
            body: m.body,
            at: m.created_at,
        })
        .collect())
}

/// The e-mail replies to a report's work orders, as (work order id, reply), for the
/// managers of the agency (the history of each work order on the report page).
pub async fn report_work_order_messages(
    state: &Context,
    actor: &crate::auth::Actor,
    agency_id: &str,
    report_id: &str,
) -> AppResult<Vec<(String, WorkOrderMessage)>> {
    crate::auth::authz::check_agency(
        actor,
        crate::auth::authz::AgencyAction::ManageWorkOrders,
        Some(agency_id),
    )?;
    Ok(
        mdb::report_work_order_messages(&state.db.pool, report_id, agency_id, 500)
            .await?
            .into_iter()
            .map(|(wo, from, body, at)| {
                (
                    wo,
                    WorkOrderMessage {
                        id: String::new(),
                        from,
                        body,
                        at,
                    },
                )
            })
            .collect(),
    )
}
