//! Insurance claims (C1–C4): declared by the manager (from a report or not), printed as a
//! PDF, transmitted to the building's insurer with a private link, followed in a thread
//! with reminders. Claims are for managers (SPEC §4); a report's readers see only what
//! `authz::claim_news_audience` lets them.

pub mod declare;
pub mod document;
pub mod files;
pub mod insurers;
pub mod link;
pub mod reminders;
pub mod thread;
pub mod views;

pub use views::{Claim, ClaimDetail};

use crate::auth::Actor;
use crate::auth::authz::{self, Action, AgencyAction};
use crate::db::claims::{self as cdb, ListQuery};
use crate::domain::{AppError, AppResult, Context};
use crate::vocab::ClaimStatus;

/// The kinds of claim, as the issue and the insurers name them.
pub const KINDS: [&str; 7] = [
    "degat-des-eaux",
    "incendie",
    "bris-de-glace",
    "vol-vandalisme",
    "evenement-climatique",
    "responsabilite-civile",
    "autre",
];

pub fn kind(raw: &str) -> AppResult<&'static str> {
    KINDS
        .iter()
        .find(|k| **k == raw.trim())
        .copied()
        .ok_or(AppError::invalid("kind", "error.claim_kind"))
}

/// The IRSI convention band of a water-damage estimate (amounts excluding tax): up to
/// 1,600 €, 1,600 to 5,000 €, above. A hint to the manager, never a decision.
pub fn irsi_band(kind: &str, estimated_cents: Option<i64>) -> Option<&'static str> {
    if kind != "degat-des-eaux" {
        return None;
    }
    Some(match estimated_cents? {
        c if c <= 160_000 => "up_to_1600",
        c if c <= 500_000 => "1600_to_5000",
        _ => "above_5000",
    })
}

/// Loads a claim and checks that the actor manages its building.
pub async fn load(cx: &Context, actor: &Actor, id: &str) -> AppResult<cdb::ClaimRow> {
    let row = cdb::by_id(&cx.db.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, building) = crate::domain::reports::building_of(cx, &row.building_id).await?;
    authz::check(actor, Action::ManageClaims, &building)?;
    Ok(row)
}

/// One claim with its lots, attachments, thread and history.
pub async fn get(cx: &Context, actor: &Actor, id: &str) -> AppResult<ClaimDetail> {
    let row = load(cx, actor, id).await?;
    views::detail(cx, row).await
}

/// Which claims a list shows.
#[derive(Debug, Default, Clone, Copy)]
pub struct ListFilter<'a> {
    /// For a manager of several agencies, when no building is given.
    pub agency_id: Option<&'a str>,
    pub building_id: Option<&'a str>,
    pub status: Option<&'a str>,
    pub kind: Option<&'a str>,
    /// The `next` cursor of the previous page.
    pub after: Option<&'a str>,
}

pub const PAGE_SIZE: i64 = 50;

/// A page of claims, newest first, and the cursor of the next one.
pub async fn list(
    cx: &Context,
    actor: &Actor,
    f: ListFilter<'_>,
) -> AppResult<(Vec<Claim>, Option<String>)> {
    let status = f.status.filter(|s| !s.is_empty());
    if let Some(s) = status
        && ClaimStatus::parse(s).is_none()
    {
        return Err(AppError::invalid("status", "error.status_invalid"));
    }
    let kind_filter = f.kind.filter(|k| !k.is_empty()).map(kind).transpose()?;
    let before = match f.after.filter(|a| !a.is_empty()) {
        Some(cursor) => {
            let (at, id) = cursor
                .split_once('_')
                .and_then(|(at, id)| Some((at.parse::<i64>().ok()?, id)))
                .ok_or(AppError::invalid("after", "error.cursor_invalid"))?;
            Some((at, id))
        }
        None => None,
    };
    let agency = match f.building_id {
        Some(b) => {
            let (building, _) =
                crate::domain::buildings::authorize(cx, actor, b, Action::ManageClaims).await?;
            building.agency_id
        }
        None => authz::check_agency(actor, AgencyAction::ManageClaims, f.agency_id)?.agency_id,
    };
    let rows = cdb::list(
        &cx.db.pool,
        ListQuery {
            agency_id: &agency,
            building_id: f.building_id,
            status,
            kind: kind_filter,
            before,
            limit: PAGE_SIZE + 1,
        },
    )
    .await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    let items: Vec<Claim> = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(Claim::from)
        .collect();
    let next = if more {
        items.last().map(|c| format!("{}_{}", c.created_at, c.id))
    } else {
        None
    };
    Ok((items, next))
}

/// The statuses a manager sets by hand; the others follow the insurer's answers.
pub async fn set_status(
    cx: &Context,
    actor: &Actor,
    id: &str,
    status: &str,
    amount: Option<&serde_json::Value>,
) -> AppResult<Claim> {
    let row = load(cx, actor, id).await?;
    let status = ClaimStatus::parse(status.trim())
        .filter(|s| {
            matches!(
                s,
                ClaimStatus::Settled | ClaimStatus::Refused | ClaimStatus::Closed
            )
        })
        .ok_or(AppError::invalid("status", "error.status_invalid"))?;
    if row.status == ClaimStatus::Draft.as_str() && status != ClaimStatus::Closed {
        return Err(AppError::Conflict("error.claim_not_transmitted"));
    }
    let amount = declare::amount("amount_cents", amount)?;
    if status == ClaimStatus::Settled && amount.is_none() {
        return Err(AppError::invalid("amount_cents", "error.amount_invalid"));
    }
    let now = cx.clock.now_ms();
    let mut tx = cx.db.begin().await?;
    cdb::set_status(&mut *tx, &row.id, status.as_str(), amount, now).await?;
    let detail = match amount {
        Some(a) if status == ClaimStatus::Settled => format!("{}\n{a}", status.as_str()),
        _ => status.as_str().to_string(),
    };
    cdb::insert_event(
        &mut *tx,
        &row.id,
        "status_changed",
        Some(&actor.person_id),
        &detail,
        now,
    )
    .await?;
    views::report_news(
        &mut tx,
        &row,
        authz::ClaimNews::Status,
        status.as_str(),
        now,
    )
    .await?;
    tx.commit().await?;
    cx.jobs_notify.notify_one();
    Ok(load(cx, actor, id).await?.into())
}

/// Reminder delays of the manager's agency for claims, in working days.
pub async fn set_reminder_settings(
    cx: &Context,
    actor: &Actor,
    agency_id: Option<&str>,
    after_days: i64,
    before_escalation: i64,
) -> AppResult<()> {
    let agency = &authz::check_agency(actor, AgencyAction::ManageClaims, agency_id)?.agency_id;
    if !(1..=60).contains(&after_days) {
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
    cdb::set_reminder_settings(&cx.db.pool, agency, after_days, before_escalation).await?;
    Ok(())
}
