//! Work orders (W2–W8): dispatch a provider from a report, follow their answers through a
//! private link, chase them, and measure their reactivity.

pub mod link;
mod list;
pub mod providers;
pub mod reminders;
pub mod stats;
pub mod views;

pub use list::{ListFilter, WorkOrderLine, WorkOrderPage, list};
pub use views::{Provider, WorkOrder};

use crate::auth::Actor;
use crate::auth::authz::{self, AgencyAction, ReportAction};
use crate::auth::secret;
use crate::clock::DAY_MS;
use crate::db::report_items::{self as items, NewEvent};
use crate::db::work_orders as wdb;
use crate::db::{self, buildings as bdb, people as pdb, reports as rdb};
use crate::domain::Context;
use crate::domain::reports::read::authorize;
use crate::domain::types::{optional_text, text};
use crate::domain::{AppError, AppResult};
use crate::mail::{self, Attachment, OutgoingEmail};

/// How long a provider's link works.
pub const LINK_VALIDITY_MS: i64 = 90 * DAY_MS;
pub const MAX_PDF_BYTES: usize = 10 * 1024 * 1024;

pub struct WorkOrderInput {
    pub provider_id: String,
    pub description: Option<String>,
    pub desired_date: String,
    pub priority: String,
    /// A PDF made by the agency's own software (W3), instead of Palier's.
    pub attached_pdf: Option<Vec<u8>>,
}

fn priority(raw: &str) -> AppResult<&'static str> {
    match raw {
        "" | "normal" => Ok("normal"),
        "urgent" => Ok("urgent"),
        "low" => Ok("low"),
        _ => Err(AppError::invalid("priority", "error.priority_invalid")),
    }
}

/// Creates and sends a work order from a report; returns (work order id, provider link).
pub async fn create(
    state: &Context,
    actor: &Actor,
    report_id: &str,
    input: WorkOrderInput,
) -> AppResult<(String, String)> {
    let (report, _) = authorize(state, actor, report_id, ReportAction::WorkOrder).await?;
    let building = bdb::by_id(&state.db.pool, &report.building_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let provider = wdb::provider(&state.db.pool, &building.agency_id, &input.provider_id)
        .await?
        .ok_or(AppError::invalid("provider_id", "error.provider_unknown"))?;
    let description = match input
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        Some(d) => text("description", d, 5_000)?,
        None => format!("{}\n{}", report.title, report.description)
            .trim()
            .to_string(),
    };
    let desired_date = optional_text("desired_date", &input.desired_date, 80)?;
    // Not given: the report's own urgency (the form preselects it too).
    let priority = match input.priority.trim() {
        "" if report.urgent != 0 => "urgent",
        raw => priority(raw)?,
    };
    let agency_name = bdb::agency_name(&state.db.pool, &building.agency_id)
        .await?
        .unwrap_or_default();
    let manager = pdb::by_id(&state.db.pool, &actor.person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // The PDF and the e-mail go to the provider in the agency's language.
    let lang = crate::domain::buildings::agency_lang(state, &building.agency_id).await?;
    let now = state.clock.now_ms();
    let seq = wdb::next_seq(&state.db.pool, &building.agency_id).await?;
    let year = jiff::Timestamp::from_millisecond(now)
        .map(|t| t.strftime("%Y").to_string())
        .unwrap_or_default();
    let reference = format!("OS-{year}-{seq:04}");
    let id = db::new_id();
    let pdf_key = format!("work-orders/{id}.pdf");
    let photos = items::photos_of(&state.db.pool, report_id).await?;
    let attached = input.attached_pdf.is_some();
    let pdf = match input.attached_pdf {
        Some(bytes) => {
            if bytes.len() > MAX_PDF_BYTES {
                return Err(AppError::invalid("pdf", "error.pdf_too_large"));
            }
            if !crate::pdf::is_pdf(&bytes) {
                return Err(AppError::invalid("pdf", "error.pdf_invalid"));
            }
            bytes
        }
        None => {
            let mut photo_bytes = Vec::new();
            for p in photos.iter().filter(|p| p.comment_id.is_none()).take(5) {
                if let Ok(b) = state.files.get(&p.object_key).await {
                    photo_bytes.push(b.to_vec());
                }
            }
            let labels = crate::pdf::WorkOrderLabels {
                title: lang.t("wo.pdf.title"),
                reference: lang.t("wo.pdf.reference"),
                issued_on: lang.t("wo.pdf.issued_on"),
                building: lang.t("wo.pdf.building"),
                access: lang.t("wo.pdf.access"),
                contact: lang.t("wo.pdf.contact"),
                provider: lang.t("wo.pdf.provider"),
                description: lang.t("wo.pdf.description"),
                desired_date: lang.t("wo.pdf.desired_date"),
                priority: lang.t("wo.pdf.priority"),
                manager: lang.t("wo.pdf.manager"),
                photos: lang.t("wo.pdf.photos"),
            };
            let issued = crate::i18n::local_datetime_in(lang, now);
            let mut contact = format!("{} {}", building.contact_name, building.contact_phone);
            for (name, phone) in wdb::caretakers(&state.db.pool, &building.id).await? {
                contact.push_str(&format!("\n{} {name} {phone}", lang.t("wo.pdf.caretaker")));
            }
            let provider_contact = format!(
                "{} {} {}",
                provider.contact_name, provider.email, provider.phone
            );
            // Name, then the ways to reach them: no separator left dangling at a line's end.
            let reach: Vec<&str> = [manager.email.as_str(), manager.phone.as_str()]
                .into_iter()
                .filter(|s| !s.trim().is_empty())
                .collect();
            let manager_contact = format!("{}\n{}", manager.name, reach.join(" · "));
            let doc = crate::pdf::WorkOrderDoc {
                agency_name: &agency_name,
                reference: &reference,
                issued_on: issued.split(' ').next().unwrap_or_default(),
                building_name: &building.name,
                building_address: &building.address,
                access_codes: &building.access_codes,
                on_site_contact: contact.trim(),
                provider_name: &provider.company,
                provider_contact: provider_contact.trim(),
                title: &report.title,
                description: &description,
                desired_date: &desired_date,
                priority: lang.t(&format!("wo.priority.{priority}")),
                manager_contact: &manager_contact,
                photos: &photo_bytes,
                labels: &labels,
            };
            // A few milliseconds of CPU: not worth a blocking-pool hop with owned copies.
            crate::pdf::work_order(&doc).map_err(|e| AppError::Internal(format!("pdf: {e}")))?
        }
    };
    state
        .files
        .put(&pdf_key, pdf.into())
        .await
        .map_err(AppError::from)?;

    let token = secret::new_token();
    let link = format!("{}/p/{token}", state.config.base_url);
    // Everything needed to come once (issue 15 item 6): the place, the priority, the
    // photos through the link, the manager's phone.
    let place = crate::domain::reports::join_location(
        &report.location_part,
        &report.location_floor,
        &report.location_detail,
    );
    let photo_urls: Vec<String> = photos
        .iter()
        .filter(|p| p.comment_id.is_none())
        .map(|p| format!("{link}/photos/{}", p.id))
        .collect();
    let photo_lines = if photo_urls.is_empty() {
        String::new()
    } else {
        format!(
            "{}\n{}\n\n",
            lang.t("provider.photo_links"),
            photo_urls.join("\n")
        )
    };
    let manager_phone = if manager.phone.trim().is_empty() {
        String::new()
    } else {
        format!("\n{}", manager.phone.trim())
    };
    let subject = lang.tf(
        "wo.mail.subject",
        &[
            ("agency", &agency_name),
            ("reference", &reference),
            ("building", &building.name),
        ],
    );
    let body = lang.tf(
        "wo.mail.body",
        &[
            ("reference", &reference),
            ("building", &building.name),
            ("address", &building.address),
            ("title", &report.title),
            ("description", &description),
            ("access", &building.access_codes),
            ("date", &desired_date),
            ("link", &link),
            ("manager", &manager.name),
            ("place", &place),
            ("priority", lang.t(&format!("wo.priority.{priority}"))),
            ("photos", &photo_lines),
            ("manager_phone", &manager_phone),
        ],
    );
    let mut attachments = vec![Attachment {
        filename: format!("{reference}.pdf"),
        content_type: "application/pdf".into(),
        file_key: Some(pdf_key.clone()),
        text: None,
    }];
    if let Some(photo) = photos.iter().find(|p| p.comment_id.is_none()) {
        attachments.push(Attachment {
            filename: "photo.jpg".into(),
            content_type: "image/jpeg".into(),
            file_key: Some(photo.object_key.clone()),
            text: None,
        });
    }
    // With a reply address (N6) the provider's answers land in the work order's history
    // and the manager is told; without one they go to the manager's own mailbox.
    let reply_base = crate::domain::mail_in::tokens::base(&state.config);
    let body = if reply_base.is_some() {
        format!("{body}\n\n{}", lang.t("mail_in.provider.reply_note"))
    } else {
        body
    };
    let mut email = OutgoingEmail {
        message_id: Some(format!("wo.{id}@palier")),
        attachments,
        // The provider's answers reach the manager, not no-reply.
        reply_to: Some(format!("{} <{}>", manager.name, manager.email)),
        ..mail::messages::plain(&provider.email, subject, body)?
    };

    let mut tx = state.db.begin().await?;
    wdb::insert(
        &mut *tx,
        wdb::NewWorkOrder {
            id: &id,
            agency_id: &building.agency_id,
            building_id: &building.id,
            report_id,
            provider_id: &provider.id,
            seq,
            reference: &reference,
            description: &description,
            desired_date: &desired_date,
            priority,
            pdf_key: &pdf_key,
            attached,
            token_hash: &secret::digest(&token),
            token_expires_at: now + LINK_VALIDITY_MS,
            created_by: &actor.person_id,
            now,
        },
    )
    .await?;
    if let Some(address) = crate::domain::mail_in::tokens::mint(
        &mut *tx,
        &state.config,
        crate::domain::mail_in::tokens::Grant {
            kind: "work_order",
            item_id: &id,
            person_id: None,
            email: &provider.email,
            audience: "all",
            audience_person_id: None,
        },
        now,
    )
    .await?
    {
        email.reply_to = Some(address);
    }
    mail::enqueue(&mut *tx, &email, now).await?;
    rdb::follow(&mut *tx, report_id, &actor.person_id, now).await?;
    // Occupants see that the manager acted, never the provider's private link.
    items::insert_event(
        &mut *tx,
        NewEvent {
            kind: "work_order_sent",
            building_id: &building.id,
            report_id: Some(report_id),
            comment_id: None,
            actor_id: Some(&actor.person_id),
            audience: "all",
            audience_person_id: None,
            detail: &provider.company,
            now,
        },
    )
    .await?;
    rdb::mark_answered(&mut *tx, report_id, now).await?;
    reminders::schedule_ack_reminder(&mut tx, state, &building.agency_id, &id, 1, now).await?;
    tx.commit().await?;
    state.jobs_notify.notify_one();
    Ok((id, link))
}

/// A work order, for managers of its agency.
pub async fn get(state: &Context, actor: &Actor, id: &str) -> AppResult<WorkOrder> {
    let wo = wdb::by_id(&state.db.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    authz::check_agency(actor, AgencyAction::ManageWorkOrders, Some(&wo.agency_id))?;
    Ok(wo.into())
}

/// The work orders sent for a report, for managers of the report's agency.
pub async fn for_report(
    state: &Context,
    actor: &Actor,
    agency_id: &str,
    report_id: &str,
) -> AppResult<Vec<WorkOrder>> {
    authz::check_agency(actor, AgencyAction::ManageWorkOrders, Some(agency_id))?;
    Ok(wdb::for_report(&state.db.pool, report_id)
        .await?
        .into_iter()
        .filter(|w| w.agency_id == agency_id)
        .map(WorkOrder::from)
        .collect())
}

/// Revokes the provider's private link of a work order (it answers 410 afterwards).
pub async fn revoke_link(state: &Context, actor: &Actor, id: &str) -> AppResult<WorkOrder> {
    let wo = get(state, actor, id).await?;
    let now = state.clock.now_ms();
    wdb::revoke(&state.db.pool, &wo.id, now).await?;
    // Its reply address stops working too (N6).
    crate::db::mail_in::revoke_item(&state.db.pool, "work_order", &wo.id, now).await?;
    Ok(wo)
}

pub async fn pdf(state: &Context, actor: &Actor, id: &str) -> AppResult<(String, Vec<u8>)> {
    let wo = get(state, actor, id).await?;
    let bytes = state.files.get(&wo.pdf_key).await.map_err(AppError::from)?;
    Ok((wo.reference, bytes.to_vec()))
}

/// A day "2026-11-23" as Paris midnight in UTC milliseconds.
pub fn parse_day(field: &'static str, raw: &str) -> AppResult<i64> {
    let date: jiff::civil::Date = raw
        .trim()
        .parse()
        .map_err(|_| AppError::invalid(field, "error.date_invalid"))?;
    let zone = jiff::tz::TimeZone::get("Europe/Paris").unwrap_or(jiff::tz::TimeZone::UTC);
    date.to_zoned_datetime(zone)
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|_| AppError::invalid(field, "error.date_invalid"))
}

/// Reminder delays of the manager's agency (W6), in working days.
pub async fn set_reminder_settings(
    state: &Context,
    actor: &Actor,
    agency_id: Option<&str>,
    after_days: i64,
    before_escalation: i64,
) -> AppResult<()> {
    let agency = &authz::check_agency(actor, AgencyAction::ManageSettings, agency_id)?.agency_id;
    if !(1..=30).contains(&after_days) {
        return Err(AppError::invalid(
            "remind_after_days",
            "error.number_invalid",
        ));
    }
    if !(0..=10).contains(&before_escalation) {
        return Err(AppError::invalid(
            "reminders_before_escalation",
            "error.number_invalid",
        ));
    }
    wdb::set_reminder_settings(&state.db.pool, agency, after_days, before_escalation).await?;
    Ok(())
}
