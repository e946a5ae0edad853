//! Claims as the pages and the API see them, separate from their rows; and the one line a
//! claim writes on its report's history.

use sqlx::Any;

use crate::auth::authz::{self, ClaimNews};
use crate::db::claims::{self as cdb, AttachmentRow, ClaimRow};
use crate::db::report_items::{self as items, NewEvent};
use crate::domain::{AppResult, Context};
use crate::vocab::{ClaimStatus, EventKind};

#[derive(Debug, Clone)]
pub struct Claim {
    pub id: String,
    pub agency_id: String,
    pub building_id: String,
    pub report_id: Option<String>,
    /// "SIN-2026-0001".
    pub reference: String,
    pub kind: String,
    pub status: ClaimStatus,
    pub title: String,
    pub place: String,
    pub occurred_at: i64,
    pub discovered_at: i64,
    pub description: String,
    pub damages: String,
    pub estimated_amount_cents: Option<i64>,
    pub third_parties: String,
    pub policy_number: String,
    pub insurer_id: Option<String>,
    pub insurer_reference: String,
    pub expert_visit_at: Option<i64>,
    pub settled_amount_cents: Option<i64>,
    pub token_expires_at: Option<i64>,
    pub token_revoked_at: Option<i64>,
    pub transmitted_at: Option<i64>,
    pub last_activity_at: i64,
    pub reminders_sent: i64,
    pub created_by: String,
    pub created_at: i64,
}

impl Claim {
    /// Whether the insurer's private link opens.
    pub fn link_active(&self, now: i64) -> bool {
        self.token_revoked_at.is_none() && self.token_expires_at.is_some_and(|t| t > now)
    }

    /// The IRSI band of a water-damage estimate.
    pub fn irsi_band(&self) -> Option<&'static str> {
        super::irsi_band(&self.kind, self.estimated_amount_cents)
    }

    /// Settled, refused or closed: nothing more to chase.
    pub fn finished(&self) -> bool {
        matches!(
            self.status,
            ClaimStatus::Settled | ClaimStatus::Refused | ClaimStatus::Closed
        )
    }
}

impl From<ClaimRow> for Claim {
    fn from(c: ClaimRow) -> Self {
        Claim {
            // The schema's CHECK keeps statuses to the seven words.
            status: ClaimStatus::parse(&c.status).unwrap_or(ClaimStatus::Draft),
            id: c.id,
            agency_id: c.agency_id,
            building_id: c.building_id,
            report_id: c.report_id,
            reference: c.reference,
            kind: c.kind,
            title: c.title,
            place: c.place,
            occurred_at: c.occurred_at,
            discovered_at: c.discovered_at,
            description: c.description,
            damages: c.damages,
            estimated_amount_cents: c.estimated_amount_cents,
            third_parties: c.third_parties,
            policy_number: c.policy_number,
            insurer_id: c.insurer_id,
            insurer_reference: c.insurer_reference,
            expert_visit_at: c.expert_visit_at,
            settled_amount_cents: c.settled_amount_cents,
            token_expires_at: c.token_expires_at,
            token_revoked_at: c.token_revoked_at,
            transmitted_at: c.transmitted_at,
            last_activity_at: c.last_activity_at,
            reminders_sent: c.reminders_sent,
            created_by: c.created_by,
            created_at: c.created_at,
        }
    }
}

/// A file on the claim (quote, invoice, photo, expert report, note).
#[derive(Debug, Clone)]
pub struct Attachment {
    pub id: String,
    pub kind: String,
    /// "pdf" or "photo".
    pub format: String,
    pub filename: String,
    pub object_key: String,
    pub size: i64,
    pub message_id: Option<String>,
    pub from_insurer: bool,
    pub created_at: i64,
}

impl Attachment {
    pub fn content_type(&self) -> &'static str {
        if self.format == "pdf" {
            "application/pdf"
        } else {
            "image/jpeg"
        }
    }
}

impl From<AttachmentRow> for Attachment {
    fn from(a: AttachmentRow) -> Self {
        Attachment {
            id: a.id,
            kind: a.kind,
            format: a.format,
            filename: a.filename,
            object_key: a.object_key,
            size: a.size,
            message_id: a.message_id,
            from_insurer: a.from_insurer != 0,
            created_at: a.created_at,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Message {
    pub id: String,
    /// "manager" or "insurer".
    pub author: String,
    pub author_name: String,
    pub body: String,
    pub created_at: i64,
}

/// One step of the claim's history: its kind ("declared", "transmitted"…), who, a detail.
#[derive(Debug, Clone)]
pub struct Step {
    pub kind: String,
    pub actor_name: Option<String>,
    pub detail: String,
    pub created_at: i64,
}

/// A claim with everything around it.
#[derive(Debug, Clone)]
pub struct ClaimDetail {
    pub claim: Claim,
    pub building_name: String,
    pub building_address: String,
    pub insurer_name: String,
    /// (lot id, label).
    pub lots: Vec<(String, String)>,
    pub attachments: Vec<Attachment>,
    pub messages: Vec<Message>,
    pub history: Vec<Step>,
}

pub async fn detail(cx: &Context, row: ClaimRow) -> AppResult<ClaimDetail> {
    let pool = &cx.db.pool;
    let building = crate::db::buildings::by_id(pool, &row.building_id).await?;
    let insurer_name = match row.insurer_id.as_deref() {
        Some(id) => cdb::insurer(pool, id).await?.map(|i| i.name),
        None => None,
    };
    let lots = cdb::lots_of(pool, &row.id).await?;
    let attachments = cdb::attachments_of(pool, &row.id)
        .await?
        .into_iter()
        .map(Attachment::from)
        .collect();
    let messages = cdb::messages_of(pool, &row.id)
        .await?
        .into_iter()
        .map(|m| Message {
            id: m.id,
            author: m.author,
            author_name: m.author_name.unwrap_or_default(),
            body: m.body,
            created_at: m.created_at,
        })
        .collect();
    let history = cdb::events_of(pool, &row.id)
        .await?
        .into_iter()
        .map(|e| Step {
            kind: e.kind,
            actor_name: e.actor_name,
            detail: e.detail,
            created_at: e.created_at,
        })
        .collect();
    let (building_name, building_address) =
        building.map(|b| (b.name, b.address)).unwrap_or_default();
    Ok(ClaimDetail {
        claim: row.into(),
        building_name,
        building_address,
        insurer_name: insurer_name.unwrap_or_default(),
        lots,
        attachments,
        messages,
        history,
    })
}

/// Writes on the claim's report (if any) what its readers may know: that a claim was
/// declared (everyone), or its status (council and managers; `detail` is the status code).
pub async fn report_news(
    tx: &mut sqlx::Transaction<'static, Any>,
    claim: &ClaimRow,
    news: ClaimNews,
    detail: &str,
    now: i64,
) -> AppResult<()> {
    let Some(report_id) = claim.report_id.as_deref() else {
        return Ok(());
    };
    let kind = match news {
        ClaimNews::Declared => EventKind::ClaimDeclared,
        ClaimNews::Status => EventKind::ClaimStatusChanged,
    };
    items::insert_event(
        &mut **tx,
        NewEvent {
            kind: kind.as_str(),
            building_id: &claim.building_id,
            report_id: Some(report_id),
            comment_id: None,
            actor_id: None,
            audience: authz::claim_news_audience(news),
            audience_person_id: None,
            detail,
            now,
        },
    )
    .await?;
    Ok(())
}
