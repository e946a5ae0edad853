//! Transmission to the insurer (C3) and the manager's side of the thread (C4).

use crate::auth::Actor;
use crate::auth::authz::ClaimNews;
use crate::auth::secret;
use crate::clock::DAY_MS;
use crate::db::claims::{self as cdb, Transmission};
use crate::db::people as pdb;
use crate::domain::types::text;
use crate::domain::{AppError, AppResult, Context};
use crate::mail::{self, Attachment, OutgoingEmail};
use crate::vocab::ClaimStatus;

use super::{Claim, reminders, views};

/// How long the insurer's link works.
pub const LINK_VALIDITY_MS: i64 = 365 * DAY_MS;
/// Past this total, attachments are sent as links instead of files.
pub const MAIL_ATTACHMENTS_BYTES: i64 = 8 * 1024 * 1024;

pub fn thread_id(claim_id: &str) -> String {
    format!("claim.{claim_id}@palier")
}

/// Sends the claim to the building's insurer: the PDF, the attachments (or links past a
/// total size) and a private link. 409 while the building has no insurer or policy number.
pub async fn transmit(cx: &Context, actor: &Actor, id: &str) -> AppResult<(Claim, String)> {
    let row = super::load(cx, actor, id).await?;
    if row.status != ClaimStatus::Draft.as_str() {
        return Err(AppError::Conflict("error.claim_already_transmitted"));
    }
    let pool = &cx.db.pool;
    let (insurer, policy) = cdb::insurance(pool, &row.building_id)
        .await?
        .filter(|(_, p)| !p.trim().is_empty())
        .ok_or(AppError::Conflict("error.claim_no_insurer"))?;
    let manager = pdb::by_id(pool, &actor.person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lang = crate::domain::buildings::agency_lang(cx, &row.agency_id).await?;
    let now = cx.clock.now_ms();
    // The PDF as sent: rendered with the insurer and policy it goes under.
    let mut detail = views::detail(cx, row.clone()).await?;
    detail.claim.insurer_id = Some(insurer.id.clone());
    detail.claim.policy_number = policy.clone();
    let pdf = super::document::render(cx, &detail).await?;
    let pdf_key = format!("claims/{}/declaration-{now}.pdf", row.id);
    cx.files
        .put(&pdf_key, pdf.into())
        .await
        .map_err(|e| AppError::Internal(format!("storage: {e}")))?;
    let token = secret::new_token();
    let link = format!("{}/i/{token}", cx.config.base_url);
    let mut attachments = vec![Attachment {
        filename: format!("{}.pdf", row.reference),
        content_type: "application/pdf".into(),
        file_key: Some(pdf_key),
        text: None,
    }];
    let mut total = 0;
    let mut linked = Vec::new();
    for a in &detail.attachments {
        total += a.size;
        if total <= MAIL_ATTACHMENTS_BYTES {
            attachments.push(Attachment {
                filename: a.filename.clone(),
                content_type: a.content_type().into(),
                file_key: Some(a.object_key.clone()),
                text: None,
            });
        } else {
            linked.push(format!("{} {link}/attachments/{}", a.filename, a.id));
        }
    }
    let linked = if linked.is_empty() {
        String::new()
    } else {
        format!(
            "\n{}\n{}\n",
            lang.t("claim.mail.linked_files"),
            linked.join("\n")
        )
    };
    let kind = lang.t(&format!("claim.kind.{}", row.kind));
    let subject = lang.tf(
        "claim.mail.subject",
        &[
            ("reference", &row.reference),
            ("policy", &policy),
            ("building", &detail.building_name),
            ("kind", kind),
        ],
    );
    let body = lang.tf(
        "claim.mail.body",
        &[
            ("reference", &row.reference),
            ("policy", &policy),
            ("building", &detail.building_name),
            ("address", &detail.building_address),
            ("kind", kind),
            ("occurred", &super::document::when(lang, row.occurred_at)),
            ("description", &row.description),
            ("link", &link),
            ("linked", &linked),
            ("manager", &manager.name),
            ("manager_email", &manager.email),
            ("manager_phone", &manager.phone),
        ],
    );
    let email = OutgoingEmail {
        message_id: Some(thread_id(&row.id)),
        attachments,
        reply_to: Some(format!("{} <{}>", manager.name, manager.email)),
        ..mail::messages::plain(&insurer.claims_email, subject, body)?
    };
    let mut tx = cx.db.begin().await?;
    cdb::transmit(
        &mut *tx,
        &row.id,
        Transmission {
            insurer_id: &insurer.id,
            policy_number: &policy,
            token_hash: &secret::digest(&token),
            token_expires_at: now + LINK_VALIDITY_MS,
            now,
        },
    )
    .await?;
    cdb::insert_event(
        &mut *tx,
        &row.id,
        "transmitted",
        Some(&actor.person_id),
        &insurer.name,
        now,
    )
    .await?;
    views::report_news(&mut tx, &row, ClaimNews::Declared, "", now).await?;
    views::report_news(
        &mut tx,
        &row,
        ClaimNews::Status,
        ClaimStatus::Transmitted.as_str(),
        now,
    )
    .await?;
    mail::enqueue(&mut *tx, &email, now).await?;
    reminders::schedule(&mut tx, cx, &row.agency_id, &row.id, 1, now).await?;
    tx.commit().await?;
    cx.jobs_notify.notify_one();
    Ok((super::load(cx, actor, id).await?.into(), link))
}

/// Revokes the insurer's link (it answers 410 afterwards).
pub async fn revoke_link(cx: &Context, actor: &Actor, id: &str) -> AppResult<Claim> {
    let row = super::load(cx, actor, id).await?;
    let now = cx.clock.now_ms();
    let mut tx = cx.db.begin().await?;
    cdb::revoke(&mut *tx, &row.id, now).await?;
    cdb::insert_event(
        &mut *tx,
        &row.id,
        "link_revoked",
        Some(&actor.person_id),
        "",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(super::load(cx, actor, id).await?.into())
}

/// The manager writes to the insurer on the claim's thread; the insurer is e-mailed.
pub async fn post_message(cx: &Context, actor: &Actor, id: &str, body: &str) -> AppResult<Claim> {
    let row = super::load(cx, actor, id).await?;
    if row.status == ClaimStatus::Draft.as_str() {
        return Err(AppError::Conflict("error.claim_not_transmitted"));
    }
    let body = text("body", body, 5_000)?;
    let pool = &cx.db.pool;
    let insurer = match row.insurer_id.as_deref() {
        Some(i) => cdb::insurer(pool, i).await?,
        None => None,
    }
    .ok_or(AppError::Conflict("error.claim_no_insurer"))?;
    let lang = crate::domain::buildings::agency_lang(cx, &row.agency_id).await?;
    let manager = pdb::by_id(pool, &actor.person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = cx.clock.now_ms();
    let subject = lang.tf(
        "claim.mail.message_subject",
        &[
            ("reference", &row.reference),
            ("policy", &row.policy_number),
        ],
    );
    let mail_body = lang.tf(
        "claim.mail.message_body",
        &[
            ("reference", &row.reference),
            ("manager", &manager.name),
            ("body", &body),
            ("note", lang.t("claim.mail.link_note")),
        ],
    );
    let email = OutgoingEmail {
        thread_id: Some(thread_id(&row.id)),
        reply_to: Some(format!("{} <{}>", manager.name, manager.email)),
        ..mail::messages::plain(&insurer.claims_email, subject, mail_body)?
    };
    let mut tx = cx.db.begin().await?;
    cdb::insert_message(
        &mut *tx,
        &crate::db::new_id(),
        &row.id,
        "manager",
        Some(&actor.person_id),
        &body,
        now,
    )
    .await?;
    cdb::insert_event(
        &mut *tx,
        &row.id,
        "message_sent",
        Some(&actor.person_id),
        "",
        now,
    )
    .await?;
    cdb::touch(&mut *tx, &row.id, now).await?;
    mail::enqueue(&mut *tx, &email, now).await?;
    reminders::schedule(&mut tx, cx, &row.agency_id, &row.id, 1, now).await?;
    tx.commit().await?;
    cx.jobs_notify.notify_one();
    Ok(super::load(cx, actor, id).await?.into())
}
