//! Declaring a claim (C1): the manager's input checked field by field, the report's title,
//! place, dates and chosen photos carried over.

use crate::auth::Actor;
use crate::auth::authz::{Action, ReportAction};
use crate::db::claims::{self as cdb, AttachmentRow, NewClaim};
use crate::db::{lots as ldb, report_items as items};
use crate::domain::types::{optional_text, text};
use crate::domain::{AppError, AppResult, Context};

use super::Claim;

/// What the manager fills in; dates as days ("2026-11-20"), local times
/// ("2026-11-20T08:30", Paris) or instants ("2026-11-20T07:30:00Z").
#[derive(Debug, Default)]
pub struct ClaimInput {
    pub report_id: Option<String>,
    pub kind: String,
    /// Optional when declared from a report: the report's date.
    pub occurred_at: Option<String>,
    pub discovered_at: Option<String>,
    pub title: Option<String>,
    pub description: String,
    pub damages: String,
    /// A JSON number of cents, kept raw so "not a number" is a field error.
    pub estimated_amount_cents: Option<serde_json::Value>,
    pub lots_concerned: Vec<String>,
    pub third_parties: Option<String>,
    /// The report's photos to carry over; all of the report's own photos when absent.
    pub photo_ids: Option<Vec<String>>,
}

/// An amount in cents: a whole, non-negative JSON number (or a string of digits, as forms send).
pub fn amount(field: &'static str, raw: Option<&serde_json::Value>) -> AppResult<Option<i64>> {
    let invalid = || AppError::invalid(field, "error.amount_invalid");
    match raw {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(serde_json::Value::Number(n)) => match n.as_i64() {
            Some(v) if (0..=100_000_000_000).contains(&v) => Ok(Some(v)),
            _ => Err(invalid()),
        },
        Some(serde_json::Value::String(s)) => match s.trim().parse::<i64>() {
            Ok(v) if (0..=100_000_000_000).contains(&v) => Ok(Some(v)),
            _ => Err(invalid()),
        },
        Some(_) => Err(invalid()),
    }
}

fn paris() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/Paris").unwrap_or(jiff::tz::TimeZone::UTC)
}

/// A date or date-time as UTC milliseconds (days and local times in Paris time).
pub fn parse_when(field: &'static str, raw: &str) -> AppResult<i64> {
    let raw = raw.trim();
    let invalid = || AppError::invalid(field, "error.date_invalid");
    if let Ok(t) = raw.parse::<jiff::Timestamp>() {
        return Ok(t.as_millisecond());
    }
    if let Ok(dt) = raw.parse::<jiff::civil::DateTime>() {
        return dt
            .to_zoned_datetime(paris())
            .map(|z| z.timestamp().as_millisecond())
            .map_err(|_| invalid());
    }
    let day: jiff::civil::Date = raw.parse().map_err(|_| invalid())?;
    day.to_zoned_datetime(paris())
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|_| invalid())
}

/// Declares a claim in `building_id` (status "draft").
pub async fn create(
    cx: &Context,
    actor: &Actor,
    building_id: &str,
    input: ClaimInput,
) -> AppResult<Claim> {
    let (building, _) =
        crate::domain::buildings::authorize(cx, actor, building_id, Action::ManageClaims).await?;
    let pool = &cx.db.pool;
    let report = match input.report_id.as_deref().filter(|r| !r.trim().is_empty()) {
        Some(rid) => {
            let (report, _) =
                crate::domain::reports::read::authorize(cx, actor, rid, ReportAction::View)
                    .await
                    .map_err(|e| match e {
                        AppError::NotFound => AppError::invalid("report_id", "error.claim_report"),
                        other => other,
                    })?;
            if report.building_id != building.id {
                return Err(AppError::invalid("report_id", "error.claim_report"));
            }
            Some(report)
        }
        None => None,
    };
    let kind = super::kind(&input.kind)?;
    let now = cx.clock.now_ms();
    let when = |field: &'static str, raw: &Option<String>| -> AppResult<i64> {
        match (raw.as_deref().filter(|r| !r.trim().is_empty()), &report) {
            (Some(r), _) => parse_when(field, r),
            (None, Some(report)) => Ok(report.created_at),
            (None, None) => Err(AppError::invalid(field, "error.date_invalid")),
        }
    };
    let occurred_at = when("occurred_at", &input.occurred_at)?;
    if occurred_at > now {
        return Err(AppError::invalid("occurred_at", "error.claim_date_future"));
    }
    let discovered_at = when("discovered_at", &input.discovered_at)?;
    if discovered_at > now {
        return Err(AppError::invalid(
            "discovered_at",
            "error.claim_date_future",
        ));
    }
    if discovered_at < occurred_at {
        return Err(AppError::invalid(
            "discovered_at",
            "error.claim_discovered_before",
        ));
    }
    let title = match (
        input.title.as_deref().filter(|t| !t.trim().is_empty()),
        &report,
    ) {
        (Some(t), _) => text("title", t, 200)?,
        (None, Some(r)) => r.title.clone(),
        (None, None) => String::new(),
    };
    let place = report
        .as_ref()
        .map(|r| {
            crate::domain::reports::join_location(
                &r.location_part,
                &r.location_floor,
                &r.location_detail,
            )
        })
        .unwrap_or_default();
    let description = text("description", &input.description, 5_000)?;
    let damages = text("damages", &input.damages, 5_000)?;
    let third_parties = optional_text(
        "third_parties",
        input.third_parties.as_deref().unwrap_or_default(),
        2_000,
    )?;
    let estimated = amount(
        "estimated_amount_cents",
        input.estimated_amount_cents.as_ref(),
    )?;
    let mut lots = Vec::new();
    for lot in &input.lots_concerned {
        let row = ldb::by_id(pool, lot)
            .await?
            .filter(|l| l.building_id == building.id)
            .ok_or(AppError::invalid("lots_concerned", "error.claim_lot"))?;
        lots.push(row.id);
    }
    let photos = match &report {
        Some(r) => {
            let own: Vec<_> = items::photos_of(pool, &r.id)
                .await?
                .into_iter()
                .filter(|p| p.comment_id.is_none())
                .collect();
            match &input.photo_ids {
                None => own,
                Some(ids) => {
                    if ids.iter().any(|id| !own.iter().any(|p| &p.id == id)) {
                        return Err(AppError::invalid("photo_ids", "error.claim_photo"));
                    }
                    own.into_iter().filter(|p| ids.contains(&p.id)).collect()
                }
            }
        }
        None => Vec::new(),
    };

    // Their sizes, for the e-mail to the insurer (attached up to a total, linked beyond).
    let mut sizes = Vec::new();
    for p in &photos {
        let size = cx.files.get(&p.object_key).await.map(|b| b.len() as i64);
        sizes.push(size.unwrap_or_default());
    }
    let seq = cdb::next_seq(pool, &building.agency_id).await?;
    let year = jiff::Timestamp::from_millisecond(now)
        .map(|t| t.strftime("%Y").to_string())
        .unwrap_or_default();
    let reference = format!("SIN-{year}-{seq:04}");
    let id = crate::db::new_id();
    let mut tx = cx.db.begin().await?;
    cdb::insert(
        &mut *tx,
        NewClaim {
            id: &id,
            agency_id: &building.agency_id,
            building_id: &building.id,
            report_id: report.as_ref().map(|r| r.id.as_str()),
            seq,
            reference: &reference,
            kind,
            title: &title,
            place: &place,
            occurred_at,
            discovered_at,
            description: &description,
            damages: &damages,
            estimated_amount_cents: estimated,
            third_parties: &third_parties,
            created_by: &actor.person_id,
            now,
        },
    )
    .await?;
    for lot in &lots {
        cdb::insert_lot(&mut *tx, &id, lot).await?;
    }
    // The report's photos are shared, not copied: the same stored JPEG.
    for (i, p) in photos.iter().enumerate() {
        cdb::insert_attachment(
            &mut *tx,
            &AttachmentRow {
                id: crate::db::new_id(),
                claim_id: id.clone(),
                kind: "photo".into(),
                format: "photo".into(),
                filename: format!("photo-{}.jpg", i + 1),
                object_key: p.object_key.clone(),
                size: sizes.get(i).copied().unwrap_or_default(),
                message_id: None,
                from_insurer: 0,
                created_at: now,
            },
        )
        .await?;
    }
    cdb::insert_event(&mut *tx, &id, "declared", Some(&actor.person_id), "", now).await?;
    tx.commit().await?;
    Ok(super::load(cx, actor, &id).await?.into())
}

/// An amount typed in euros in a form ("1250", "1 250,50", "1250.5") as cents, for
/// [`amount`]; empty stays empty, anything else is kept so `amount` refuses it.
pub fn euros_to_cents(raw: &str) -> serde_json::Value {
    let cleaned: String = raw
        .trim()
        .trim_end_matches('€')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
        .collect::<String>()
        .replace(',', ".");
    if cleaned.is_empty() {
        return serde_json::Value::Null;
    }
    let (whole, frac) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let frac_ok = frac.len() <= 2 && frac.chars().all(|c| c.is_ascii_digit());
    match (whole.parse::<i64>(), frac_ok) {
        (Ok(w), true) if !whole.starts_with('-') => {
            let cents = format!("{frac:0<2}").parse::<i64>().unwrap_or_default();
            serde_json::Value::from(w.saturating_mul(100).saturating_add(cents))
        }
        _ => serde_json::Value::String(raw.to_string()),
    }
}
