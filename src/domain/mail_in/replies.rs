//! Acting on a received message: a reply to a report thread, a provider's reply to a work
//! order, or a report sent to a building's intake address.

use super::parse::Incoming;
use super::{Outcome, answer, cut, tokens};
use crate::auth::authz;
use crate::db::mail_in::{self as mdb, TokenRow};
use crate::db::{self, people as pdb, work_orders as wdb};
use crate::domain::reports::{self, Audience, MAX_COMMENT, MAX_DESCRIPTION, MAX_TITLE};
use crate::domain::{AppError, AppResult, Context, accounts};
use crate::vocab::ReportStatus;

/// A message to a reply address.
pub async fn reply(state: &Context, token: &str, from: &str, msg: &Incoming) -> AppResult<Outcome> {
    let Some(row) = tokens::lookup(state, token).await? else {
        tracing::warn!(
            from,
            "reply to an unknown, expired or revoked address ignored"
        );
        return Ok(Outcome::Ignored("unknown_token"));
    };
    // The token is bound to one recipient: someone else's reply (a forwarded notification,
    // a reused address) is refused.
    if !row.email.eq_ignore_ascii_case(from) {
        tracing::warn!(from, expected = %row.email, "reply from another address than the token's, refused");
        return Ok(Outcome::Refused("sender_mismatch"));
    }
    match row.kind.as_str() {
        "report" => to_report(state, &row, msg).await,
        "work_order" => to_work_order(state, &row, from, msg).await,
        _ => Ok(Outcome::Ignored("unknown_kind")),
    }
}

async fn to_report(state: &Context, row: &TokenRow, msg: &Incoming) -> AppResult<Outcome> {
    let Some(person_id) = row.person_id.as_deref() else {
        return Ok(Outcome::Ignored("token_without_person"));
    };
    let Some(actor) = accounts::actor_by_id(state, person_id).await? else {
        return Ok(Outcome::Refused("not_allowed"));
    };
    // The address the token was sent to must still be the person's.
    if !actor.email.eq_ignore_ascii_case(&row.email) {
        return Ok(Outcome::Refused("sender_mismatch"));
    }
    let Some(action) = authz::mail_reply_action(&row.audience) else {
        return Ok(Outcome::Ignored("unknown_audience"));
    };
    // Checked again now: the person may have moved out or the report been removed.
    let (report, permit) = match reports::read::authorize(state, &actor, &row.item_id, action).await
    {
        Ok(granted) => granted,
        Err(AppError::NotFound | AppError::Forbidden) => {
            tracing::warn!(person = person_id, report = %row.item_id, "reply from someone no longer allowed, refused");
            return Ok(Outcome::Refused("not_allowed"));
        }
        Err(e) => return Err(e),
    };
    let link = format!("{}/reports/{}", state.config.base_url, report.id);
    if report.status == ReportStatus::Closed.as_str() {
        // A reply never reopens a report: the sender is told so, with the link.
        answer(
            state,
            &actor.email,
            actor.lang,
            "mail_in.closed.subject",
            "mail_in.closed.body",
            &[("title", &report.title), ("link", &link)],
        )
        .await?;
        return Ok(Outcome::Refused("report_closed"));
    }
    let audience = match row.audience.as_str() {
        "council" => Audience::Council,
        "landlord" => Audience::Landlord,
        "person" => {
            // Back to the writer of the personal message, who must still see the report.
            let Some(writer) = row.audience_person_id.as_deref() else {
                return Ok(Outcome::Ignored("unknown_audience"));
            };
            let (_, building) = reports::building_of(state, &report.building_id).await?;
            let reader = accounts::actor_by_id(state, writer).await?;
            if !reader
                .is_some_and(|r| authz::may_be_addressed(&actor, &r, &building, &report.facts()))
            {
                return Ok(Outcome::Refused("addressee_cannot_see"));
            }
            Audience::Person(writer.to_string())
        }
        _ => Audience::All,
    };
    let mut body = cut(&msg.text, MAX_COMMENT);
    if body.is_empty() {
        if msg.images.is_empty() {
            return Ok(Outcome::Ignored("empty"));
        }
        body = actor.lang.t("mail_in.photo_only").to_string();
    }
    let images = msg.images.clone();
    let stored = match reports::write::store_photos(state, &report.id, images).await {
        Ok(stored) => stored,
        // An image the upload checks refuse is left out; the words still count.
        Err(AppError::Invalid(i)) => {
            tracing::info!(reason = i.key, "attached image refused");
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    let id = db::new_id();
    let inserted = reports::write::insert_comment(
        state, &actor, &report, &permit, &id, &body, audience, &stored,
    )
    .await;
    if let Err(e) = inserted {
        reports::write::discard_photos(state, &stored).await;
        return Err(e);
    }
    Ok(Outcome::Commented {
        report_id: report.id,
        comment_id: id,
    })
}

/// A provider's reply: into the work order's history (staff only), the manager told.
async fn to_work_order(
    state: &Context,
    row: &TokenRow,
    from: &str,
    msg: &Incoming,
) -> AppResult<Outcome> {
    let Some(wo) = wdb::by_id(&state.db.pool, &row.item_id).await? else {
        return Ok(Outcome::Ignored("unknown_work_order"));
    };
    let body = cut(&msg.text, MAX_COMMENT);
    if body.is_empty() {
        return Ok(Outcome::Ignored("empty"));
    }
    let now = state.clock.now_ms();
    let manager = pdb::by_id(&state.db.pool, &wo.created_by).await?;
    let mut tx = state.db.begin().await?;
    mdb::insert_work_order_message(&mut *tx, &db::new_id(), &wo.id, from, &body, now).await?;
    if let Some(manager) = manager {
        let lang = crate::i18n::Lang::parse(&manager.lang).unwrap_or_default();
        let link = format!("{}/reports/{}", state.config.base_url, wo.report_id);
        let args = [
            ("company", wo.provider_company.as_str()),
            ("reference", wo.reference.as_str()),
            ("body", body.as_str()),
            ("link", link.as_str()),
        ];
        let email = crate::mail::messages::plain(
            &manager.email,
            lang.tf("mail_in.provider.subject", &args),
            lang.tf("mail_in.provider.body", &args),
        )?;
        crate::mail::enqueue(&mut *tx, &email, now).await?;
    }
    tx.commit().await?;
    state.jobs_notify.notify_one();
    Ok(Outcome::WorkOrderNote(wo.id))
}

/// A message to a building's intake address: a report from a member, a polite refusal to
/// anyone else.
pub async fn intake(
    state: &Context,
    token: &str,
    from: &str,
    msg: &Incoming,
) -> AppResult<Outcome> {
    let Some(building_id) = mdb::intake_building(&state.db.pool, token).await? else {
        tracing::warn!(from, "message to an unknown intake address ignored");
        return Ok(Outcome::Ignored("unknown_token"));
    };
    let building = crate::db::buildings::by_id(&state.db.pool, &building_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let actor = match pdb::by_email(&state.db.pool, from).await? {
        Some(p) => Some(accounts::actor_from(state, p).await?),
        None => None,
    };
    let lang = match &actor {
        Some(a) => a.lang,
        None => crate::domain::buildings::agency_lang(state, &building.agency_id).await?,
    };
    let refuse = || async {
        let register = format!("{}/register", state.config.base_url);
        answer(
            state,
            from,
            lang,
            "mail_in.intake.refused_subject",
            "mail_in.intake.refused_body",
            &[("building", &building.name), ("link", &register)],
        )
        .await?;
        Ok::<_, AppError>(Outcome::Refused("not_a_member"))
    };
    let Some(actor) = actor else {
        return refuse().await;
    };
    let subject = strip_prefixes(&msg.subject);
    let title = match cut(subject, MAX_TITLE) {
        t if t.is_empty() => lang.t("mail_in.intake.untitled").to_string(),
        t => t,
    };
    let draft = reports::ReportDraft {
        category: "autre".into(),
        title,
        description: cut(&msg.text, MAX_DESCRIPTION),
        ..Default::default()
    };
    let id = match reports::write::create(state, &actor, &building.id, draft).await {
        Ok(id) => id,
        Err(AppError::NotFound | AppError::Forbidden) => return refuse().await,
        Err(AppError::Invalid(i)) => {
            tracing::info!(field = i.field, "report by e-mail refused");
            return Ok(Outcome::Refused("invalid"));
        }
        Err(e) => return Err(e),
    };
    if !msg.images.is_empty() {
        match reports::write::add_photos(state, &actor, &id, None, msg.images.clone()).await {
            Ok(_) | Err(AppError::Invalid(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Outcome::ReportCreated(id))
}

/// "Re: Fwd: TR: subject" → "subject".
fn strip_prefixes(subject: &str) -> &str {
    let mut s = subject.trim();
    loop {
        let lower = s.to_ascii_lowercase();
        let Some(n) = ["re:", "fwd:", "fw:", "tr:"]
            .iter()
            .find(|p| lower.starts_with(*p))
            .map(|p| p.len())
        else {
            return s;
        };
        s = s[n..].trim_start();
    }
}
