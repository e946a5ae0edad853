//! The provider's private link (W5): no account, one work order only. The token is random
//! (unguessable), stored as a digest, expires, and can be revoked by the manager.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

use super::WorkOrder;
use crate::auth::secret;
use crate::db::report_items::{self as items, NewEvent};
use crate::db::work_orders as wdb;
use crate::db::{buildings as bdb, reports as rdb};
use crate::domain::Context;
use crate::domain::types::text;
use crate::domain::{AppError, AppResult};
use crate::mail::{self, Attachment, OutgoingEmail};
use crate::vocab::{VisitOutcome, WorkOrderStatus};

/// The work order behind a link, if the link is genuine, live and not revoked.
pub async fn open(state: &Context, token: &str) -> AppResult<WorkOrder> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let wo = wdb::by_token(&state.db.pool, &secret::digest(token))
        .await?
        .ok_or(AppError::NotFound)?;
    if wo.token_revoked_at.is_some() || wo.token_expires_at <= state.clock.now_ms() {
        return Err(AppError::Gone("error.link_expired"));
    }
    Ok(wo.into())
}

/// What the provider needs to come once, beyond the work order itself (issue 15 item 6):
/// the place inside the building, the manager to call, the report's own photos.
pub struct Details {
    pub place: String,
    pub manager_name: String,
    pub manager_email: String,
    pub manager_phone: String,
    pub photo_ids: Vec<String>,
}

pub async fn details(state: &Context, wo: &WorkOrder) -> AppResult<Details> {
    let report = rdb::by_id(&state.db.pool, &wo.report_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let manager = crate::db::people::by_id(&state.db.pool, &wo.created_by).await?;
    let photo_ids = items::photos_of(&state.db.pool, &wo.report_id)
        .await?
        .into_iter()
        // The report's own photos: those of comments may have a narrower audience.
        .filter(|p| p.comment_id.is_none())
        .map(|p| p.id)
        .collect();
    let (manager_name, manager_email, manager_phone) = manager
        .map(|m| (m.name, m.email, m.phone))
        .unwrap_or_default();
    Ok(Details {
        place: crate::domain::reports::join_location(
            &report.location_part,
            &report.location_floor,
            &report.location_detail,
        ),
        manager_name,
        manager_email,
        manager_phone,
        photo_ids,
    })
}

/// The work order's PDF, through the link.
pub async fn pdf(state: &Context, token: &str) -> AppResult<(String, Vec<u8>)> {
    let wo = open(state, token).await?;
    let bytes = state.files.get(&wo.pdf_key).await.map_err(AppError::from)?;
    Ok((wo.reference, bytes.to_vec()))
}

/// One of the report's own photos, through the link.
pub async fn photo(
    state: &Context,
    token: &str,
    photo_id: &str,
) -> AppResult<crate::domain::reports::Photo> {
    let wo = open(state, token).await?;
    let photo = items::photo(&state.db.pool, photo_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if photo.report_id != wo.report_id || photo.comment_id.is_some() {
        return Err(AppError::NotFound);
    }
    Ok(photo.into())
}

/// The date field's first value: the desired date when it is a day ("2026-11-26", with an
/// optional "HH:MM"), at 09:00 without a time; empty otherwise.
pub fn prefill(desired: &str) -> String {
    let desired = desired.trim();
    let Some(day) = desired.get(..10) else {
        return String::new();
    };
    if day.parse::<jiff::civil::Date>().is_err() {
        return String::new();
    }
    let time = desired[10..]
        .trim_start_matches(['T', ' '])
        .get(..5)
        .filter(|t| t.parse::<jiff::civil::Time>().is_ok())
        .unwrap_or("09:00");
    format!("{day}T{time}")
}

fn paris() -> TimeZone {
    TimeZone::get("Europe/Paris").unwrap_or(TimeZone::UTC)
}

/// The building a link's work order is in (its name, address and access details are part
/// of what the provider is sent).
pub async fn site(
    state: &Context,
    wo: &WorkOrder,
) -> AppResult<crate::domain::buildings::Building> {
    Ok(crate::db::buildings::by_id(&state.db.pool, &wo.building_id)
        .await?
        .ok_or(AppError::NotFound)?
        .into())
}

/// Parses "2026-11-26T09:00" (a datetime-local field, Paris time) into UTC milliseconds.
pub fn parse_local(raw: &str) -> AppResult<i64> {
    let invalid = || AppError::invalid("date", "error.date_invalid");
    let dt: DateTime = raw.trim().parse().map_err(|_| invalid())?;
    let zoned = dt.to_zoned_datetime(paris()).map_err(|_| invalid())?;
    Ok(zoned.timestamp().as_millisecond())
}

async fn record(
    wo: &WorkOrder,
    kind: &str,
    detail: &str,
    now: i64,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
) -> AppResult<()> {
    items::insert_event(
        &mut **tx,
        NewEvent {
            kind,
            building_id: &wo.building_id,
            report_id: Some(&wo.report_id),
            comment_id: None,
            actor_id: None,
            audience: "all",
            audience_person_id: None,
            detail,
            now,
        },
    )
    .await?;
    rdb::touch(&mut **tx, &wo.report_id, now).await?;
    Ok(())
}

pub async fn acknowledge(state: &Context, token: &str) -> AppResult<WorkOrder> {
    let wo = open(state, token).await?;
    if wo.acknowledged_at.is_none() {
        let now = state.clock.now_ms();
        let mut tx = state.db.begin().await?;
        wdb::acknowledge(&mut *tx, &wo.id, now).await?;
        record(
            &wo,
            "provider_acknowledged",
            &wo.provider_company,
            now,
            &mut tx,
        )
        .await?;
        // W6: an acknowledgment without a date is chased until one is confirmed.
        if wo.scheduled_for.is_none() {
            super::reminders::schedule_confirm_reminder(
                &mut tx,
                state,
                &wo.agency_id,
                &wo.id,
                1,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        state.jobs_notify.notify_one();
    }
    open(state, token).await
}

/// The provider confirms or proposes the visit; they get a calendar file by e-mail.
pub async fn schedule(state: &Context, token: &str, date: &str) -> AppResult<WorkOrder> {
    let wo = open(state, token).await?;
    if wo.status == WorkOrderStatus::Done {
        return Err(AppError::Conflict("error.work_order_done"));
    }
    let at = parse_local(date)?;
    let now = state.clock.now_ms();
    if at <= now {
        return Err(AppError::invalid("date", "error.date_past"));
    }
    let building = bdb::by_id(&state.db.pool, &wo.building_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lang = crate::domain::buildings::agency_lang(state, &wo.agency_id).await?;
    let when = crate::i18n::local_datetime_in(lang, at);
    let ics = ics(
        &wo,
        &building.name,
        &building.address,
        at,
        &state.config.base_url,
    );
    let body = lang.tf(
        "wo.mail.confirmed_body",
        &[
            ("reference", &wo.reference),
            ("date", &when),
            ("address", &building.address),
        ],
    );
    let subject = lang.tf(
        "wo.mail.confirmed_subject",
        &[("reference", &wo.reference), ("date", &when)],
    );
    let email = OutgoingEmail {
        message_id: Some(format!("wo.{}.schedule.{at}@palier", wo.id)),
        thread_id: Some(format!("wo.{}@palier", wo.id)),
        attachments: vec![Attachment {
            filename: "intervention.ics".into(),
            content_type: "text/calendar; charset=utf-8".into(),
            file_key: None,
            text: Some(ics),
        }],
        ..mail::messages::plain(&wo.provider_email, subject, body)?
    };
    let mut tx = state.db.begin().await?;
    wdb::schedule(&mut *tx, &wo.id, at, now).await?;
    let detail = crate::domain::reports::views::visit_scheduled_detail(at);
    record(&wo, "visit_scheduled", &detail, now, &mut tx).await?;
    mail::enqueue(&mut *tx, &email, now).await?;
    super::reminders::schedule_visit_jobs(&mut tx, &wo.id, at, now).await?;
    tx.commit().await?;
    state.jobs_notify.notify_one();
    open(state, token).await
}

/// Photos a provider may attach to one report.
pub const MAX_PROVIDER_PHOTOS: usize = 3;

/// The provider's report after the visit: done, or another visit needed, with photos that
/// appear on the report for everyone who sees it.
pub async fn report(
    state: &Context,
    token: &str,
    body: &str,
    done: bool,
    photos: Vec<Vec<u8>>,
) -> AppResult<WorkOrder> {
    let wo = open(state, token).await?;
    if wo.status == WorkOrderStatus::Done {
        return Err(AppError::Conflict("error.work_order_done"));
    }
    let body = text("body", body, 2_000)?;
    if photos.len() > MAX_PROVIDER_PHOTOS {
        return Err(AppError::invalid("photo", "error.too_many_photos"));
    }
    // Every photo is checked before anything is recorded: a bad one rejects the report whole.
    let stored = crate::domain::reports::write::store_photos(state, &wo.report_id, photos).await?;
    let recorded = record_report(state, &wo, &body, done, &stored).await;
    if recorded.is_err() {
        crate::domain::reports::write::discard_photos(state, &stored).await;
    }
    recorded?;
    state.jobs_notify.notify_one();
    open(state, token).await
}

async fn record_report(
    state: &Context,
    wo: &WorkOrder,
    body: &str,
    done: bool,
    stored: &[crate::domain::reports::write::StoredPhoto],
) -> AppResult<()> {
    let now = state.clock.now_ms();
    let outcome = if done {
        VisitOutcome::Done
    } else {
        VisitOutcome::AnotherVisit
    };
    let mut tx = state.db.begin().await?;
    wdb::insert_provider_report(&mut *tx, &wo.id, body, outcome.as_str(), now).await?;
    // Seen by everyone who sees the report (its event's audience is "all"): searched alike.
    crate::domain::reports::search::index_more(&mut *tx, state, &wo.report_id, "all", body).await?;
    for p in stored {
        // Providers have no account: their photos are filed under the manager who sent them.
        items::insert_photo(
            &mut *tx,
            items::NewPhoto {
                id: &p.id,
                report_id: &wo.report_id,
                comment_id: None,
                uploader_id: &wo.created_by,
                object_key: &p.object_key,
                thumb_key: &p.thumb_key,
                width: p.width,
                height: p.height,
                now,
                from_provider: true,
            },
        )
        .await?;
    }
    wdb::record_visit(&mut *tx, &wo.id, done, now).await?;
    if !done {
        // Another visit is needed: its date is chased like the first (W6).
        super::reminders::schedule_confirm_reminder(&mut tx, state, &wo.agency_id, &wo.id, 1, now)
            .await?;
    }
    // Stored as a code: each reader sees the outcome in their own language.
    let detail = crate::domain::reports::views::visit_reported_detail(outcome, body);
    record(wo, "visit_reported", &detail, now, &mut tx).await?;
    tx.commit().await?;
    Ok(())
}

fn ics_time(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_default()
}

/// Escapes text for an iCalendar value (RFC 5545 §3.3.11).
fn ics_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
        .replace('\r', "")
}

/// The calendar file of a confirmed visit (two hours).
pub fn ics(wo: &WorkOrder, building: &str, address: &str, at: i64, base_url: &str) -> String {
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
        "PRODID:-//Palier//Work orders//FR".to_string(),
        "BEGIN:VEVENT".to_string(),
        format!("UID:wo-{}@{host}", wo.id),
        format!("DTSTAMP:{}", ics_time(wo.created_at)),
        format!("DTSTART:{}", ics_time(at)),
        format!("DTEND:{}", ics_time(at + 2 * crate::clock::HOUR_MS)),
        format!(
            "SUMMARY:{}",
            ics_text(&format!("{} — {building}", wo.reference))
        ),
        format!("LOCATION:{}", ics_text(address)),
        format!("DESCRIPTION:{}", ics_text(&wo.description)),
        "END:VEVENT".to_string(),
        "END:VCALENDAR".to_string(),
    ]
    .join("\r\n")
        + "\r\n"
}
