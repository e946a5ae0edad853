//! The insurer's private link `/i/{token}` (C4): no account, one claim only. The token is
//! random, stored as a digest, expires and can be revoked. Through it the insurer reads the
//! claim, downloads its files, gives their reference and the expert's visit, and writes on
//! the thread; the manager is e-mailed each time.

use crate::auth::authz::ClaimNews;
use crate::auth::secret;
use crate::db::claims::{self as cdb, ClaimRow};
use crate::domain::types::text;
use crate::domain::{AppError, AppResult, Context};
use crate::mail::{self, Attachment as MailAttachment, OutgoingEmail};
use crate::vocab::ClaimStatus;

use super::{ClaimDetail, files, reminders, thread, views};

/// The claim behind a link: 404 for a token that never existed, 410 once expired or revoked.
pub async fn open(cx: &Context, token: &str) -> AppResult<ClaimRow> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let claim = cdb::by_token(&cx.db.pool, &secret::digest(token))
        .await?
        .ok_or(AppError::NotFound)?;
    let live = claim.token_revoked_at.is_none()
        && claim
            .token_expires_at
            .is_some_and(|t| t > cx.clock.now_ms());
    if !live {
        return Err(AppError::Gone("error.link_expired"));
    }
    Ok(claim)
}

/// Everything the insurer's page shows.
pub async fn view(cx: &Context, token: &str) -> AppResult<ClaimDetail> {
    let claim = open(cx, token).await?;
    views::detail(cx, claim).await
}

pub async fn pdf(cx: &Context, token: &str) -> AppResult<(String, Vec<u8>)> {
    let d = view(cx, token).await?;
    let bytes = super::document::render(cx, &d).await?;
    Ok((d.claim.reference.clone(), bytes))
}

/// One file of this claim (another claim's file is not found).
pub async fn attachment(
    cx: &Context,
    token: &str,
    attachment_id: &str,
) -> AppResult<(super::views::Attachment, Vec<u8>)> {
    let claim = open(cx, token).await?;
    files::read(cx, &claim.id, attachment_id).await
}

/// E-mails the claim's manager about the insurer's step, in the same transaction.
async fn notify_manager(
    cx: &Context,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    claim: &ClaimRow,
    what: &str,
    ics: Option<String>,
    now: i64,
) -> AppResult<()> {
    let Some(manager) = crate::db::people::by_id(&cx.db.pool, &claim.created_by).await? else {
        return Ok(());
    };
    let lang = crate::i18n::Lang::parse(&manager.lang).unwrap_or_default();
    let subject = lang.tf(
        "claim.mail.insurer_subject",
        &[("reference", &claim.reference)],
    );
    let body = lang.tf(
        "claim.mail.insurer_body",
        &[
            ("reference", &claim.reference),
            ("what", what),
            (
                "link",
                &format!("{}/claims/{}", cx.config.base_url, claim.id),
            ),
        ],
    );
    let attachments = ics
        .map(|text| MailAttachment {
            filename: "expertise.ics".into(),
            content_type: "text/calendar; charset=utf-8".into(),
            file_key: None,
            text: Some(text),
        })
        .into_iter()
        .collect();
    let email = OutgoingEmail {
        thread_id: Some(thread::thread_id(&claim.id)),
        attachments,
        ..mail::messages::plain(&manager.email, subject, body)?
    };
    mail::enqueue(&mut **tx, &email, now).await?;
    Ok(())
}

/// After an insurer's step: history, report news when the status moved, manager e-mailed,
/// reminders counted afresh.
async fn after_step(
    cx: &Context,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    before: &ClaimRow,
    event: (&str, &str),
    what: &str,
    ics: Option<String>,
    now: i64,
) -> AppResult<()> {
    cdb::insert_event(&mut **tx, &before.id, event.0, None, event.1, now).await?;
    let after = cdb::by_id(&mut **tx, &before.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if after.status != before.status {
        views::report_news(tx, &after, ClaimNews::Status, &after.status, now).await?;
    }
    notify_manager(cx, tx, &after, what, ics, now).await?;
    reminders::schedule(tx, cx, &after.agency_id, &after.id, 1, now).await?;
    Ok(())
}

/// The insurer's own reference for the claim; a transmitted claim becomes acknowledged.
pub async fn set_reference(cx: &Context, token: &str, reference: &str) -> AppResult<ClaimRow> {
    let claim = open(cx, token).await?;
    let reference = text("reference", reference, 80)?;
    let now = cx.clock.now_ms();
    let lang = crate::domain::buildings::agency_lang(cx, &claim.agency_id).await?;
    let what = lang.tf(
        "claim.insurer.reference_given",
        &[("reference", &reference)],
    );
    let mut tx = cx.db.begin().await?;
    cdb::set_reference(&mut *tx, &claim.id, &reference, now).await?;
    after_step(
        cx,
        &mut tx,
        &claim,
        ("insurer_reference", &reference),
        &what,
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    cx.jobs_notify.notify_one();
    open(cx, token).await
}

/// The expert's visit ("2026-12-08T10:00", Paris time); the manager gets a calendar file.
pub async fn set_visit(cx: &Context, token: &str, date: &str) -> AppResult<ClaimRow> {
    let claim = open(cx, token).await?;
    if matches!(
        ClaimStatus::parse(&claim.status),
        Some(ClaimStatus::Settled | ClaimStatus::Refused | ClaimStatus::Closed)
    ) {
        return Err(AppError::Conflict("error.claim_finished"));
    }
    let at = crate::domain::work_orders::link::parse_local(date)?;
    let now = cx.clock.now_ms();
    let lang = crate::domain::buildings::agency_lang(cx, &claim.agency_id).await?;
    let when = crate::i18n::local_datetime_in(lang, at);
    let what = lang.tf("claim.insurer.visit_given", &[("date", &when)]);
    let building = crate::db::buildings::by_id(&cx.db.pool, &claim.building_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let summary = lang.tf(
        "claim.ics.summary",
        &[
            ("reference", &claim.reference),
            ("building", &building.name),
        ],
    );
    let ics = ics(&claim, &summary, &building.address, at, &cx.config.base_url);
    let mut tx = cx.db.begin().await?;
    cdb::set_visit(&mut *tx, &claim.id, at, now).await?;
    after_step(
        cx,
        &mut tx,
        &claim,
        ("expert_visit", &at.to_string()),
        &what,
        Some(ics),
        now,
    )
    .await?;
    tx.commit().await?;
    cx.jobs_notify.notify_one();
    open(cx, token).await
}

/// A file the insurer sends with a message: (file name, bytes, kind).
pub type InsurerFile = (String, Vec<u8>, String);

/// The insurer writes on the thread, with a file if they like.
pub async fn post_message(
    cx: &Context,
    token: &str,
    body: &str,
    file: Option<InsurerFile>,
) -> AppResult<ClaimRow> {
    let claim = open(cx, token).await?;
    let body = text("body", body, 5_000)?;
    let stored = match file {
        Some((name, bytes, kind)) => {
            let kind = if kind.trim().is_empty() {
                "expert_report".to_string()
            } else {
                kind
            };
            Some(files::store(cx, &claim.id, &kind, &name, bytes, true).await?)
        }
        None => None,
    };
    let now = cx.clock.now_ms();
    let lang = crate::domain::buildings::agency_lang(cx, &claim.agency_id).await?;
    let what = lang.tf("claim.insurer.message", &[("body", &body)]);
    let recorded = async {
        let message_id = crate::db::new_id();
        let mut tx = cx.db.begin().await?;
        cdb::insert_message(
            &mut *tx,
            &message_id,
            &claim.id,
            "insurer",
            None,
            &body,
            now,
        )
        .await?;
        if let Some(s) = &stored {
            let mut row = s.row.clone();
            row.message_id = Some(message_id.clone());
            cdb::insert_attachment(&mut *tx, &row).await?;
        }
        cdb::touch(&mut *tx, &claim.id, now).await?;
        after_step(
            cx,
            &mut tx,
            &claim,
            ("insurer_message", ""),
            &what,
            None,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    if let Err(e) = recorded {
        if let Some(s) = &stored {
            files::discard(cx, s).await;
        }
        return Err(e);
    }
    cx.jobs_notify.notify_one();
    open(cx, token).await
}

fn ics_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
        .replace('\r', "")
}

fn ics_time(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_default()
}

/// The calendar file of the expert's visit (two hours).
/// `summary`: the event's title in the reader's language.
pub fn ics(claim: &ClaimRow, summary: &str, address: &str, at: i64, base_url: &str) -> String {
    let host = base_url
        .split("://")
        .nth(1)
        .unwrap_or("palier")
        .split(['/', ':'])
        .next()
        .unwrap_or("palier");
    [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//Palier//Claims//FR".to_string(),
        "BEGIN:VEVENT".to_string(),
        format!("UID:claim-{}@{host}", claim.id),
        format!("DTSTAMP:{}", ics_time(claim.created_at)),
        format!("DTSTART:{}", ics_time(at)),
        format!("DTEND:{}", ics_time(at + 2 * crate::clock::HOUR_MS)),
        format!("SUMMARY:{}", ics_text(summary)),
        format!("LOCATION:{}", ics_text(address)),
        "END:VEVENT".to_string(),
        "END:VCALENDAR".to_string(),
    ]
    .join("\r\n")
        + "\r\n"
}

/// The expert's visit as a calendar file, through the link (404 before one is set).
pub async fn visit_ics(cx: &Context, token: &str) -> AppResult<String> {
    let claim = open(cx, token).await?;
    let at = claim.expert_visit_at.ok_or(AppError::NotFound)?;
    let lang = crate::domain::buildings::agency_lang(cx, &claim.agency_id).await?;
    let building = crate::db::buildings::by_id(&cx.db.pool, &claim.building_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let summary = lang.tf(
        "claim.ics.summary",
        &[
            ("reference", &claim.reference),
            ("building", &building.name),
        ],
    );
    Ok(ics(
        &claim,
        &summary,
        &building.address,
        at,
        &cx.config.base_url,
    ))
}
