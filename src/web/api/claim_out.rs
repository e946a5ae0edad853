//! Claims as the JSON API returns them.

use serde::Serialize;
use utoipa::ToSchema;

use crate::clock::iso;
use crate::domain::claims::views::{Attachment, Message, Step};
use crate::domain::claims::{Claim, ClaimDetail};
use crate::vocab::ClaimStatus;

#[derive(Serialize, ToSchema)]
pub struct ClaimOut {
    pub id: String,
    /// "SIN-2026-0001".
    pub reference: String,
    pub building_id: String,
    pub report_id: Option<String>,
    /// `degat-des-eaux`, `incendie`, `bris-de-glace`, `vol-vandalisme`, `evenement-climatique`, `responsabilite-civile` or `autre`.
    pub kind: String,
    pub status: ClaimStatus,
    pub title: String,
    pub place: String,
    pub occurred_at: String,
    pub discovered_at: String,
    pub description: String,
    pub damages: String,
    pub estimated_amount_cents: Option<i64>,
    /// For water damage with an estimate: the IRSI convention band (`up_to_1600`,
    /// `1600_to_5000`, `above_5000`, amounts excluding tax), a hint for the manager.
    pub irsi_band: Option<String>,
    pub third_parties: String,
    pub policy_number: String,
    pub insurer_reference: String,
    pub expert_visit_at: Option<String>,
    pub settled_amount_cents: Option<i64>,
    pub transmitted_at: Option<String>,
    pub link_active: bool,
    pub reminders_sent: i64,
    pub pdf_url: String,
    pub created_at: String,
}

pub fn out(c: Claim, now: i64) -> ClaimOut {
    ClaimOut {
        pdf_url: format!("/api/v1/claims/{}/pdf", c.id),
        link_active: c.link_active(now),
        irsi_band: c.irsi_band().map(str::to_string),
        occurred_at: iso(c.occurred_at),
        discovered_at: iso(c.discovered_at),
        expert_visit_at: c.expert_visit_at.map(iso),
        transmitted_at: c.transmitted_at.map(iso),
        created_at: iso(c.created_at),
        id: c.id,
        reference: c.reference,
        building_id: c.building_id,
        report_id: c.report_id,
        kind: c.kind,
        status: c.status,
        title: c.title,
        place: c.place,
        description: c.description,
        damages: c.damages,
        estimated_amount_cents: c.estimated_amount_cents,
        third_parties: c.third_parties,
        policy_number: c.policy_number,
        insurer_reference: c.insurer_reference,
        settled_amount_cents: c.settled_amount_cents,
        reminders_sent: c.reminders_sent,
    }
}

#[derive(Serialize, ToSchema)]
pub struct LotOut {
    pub id: String,
    pub label: String,
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: String,
    /// `quote`, `invoice`, `photo`, `expert_report` or `note`.
    pub kind: String,
    /// `pdf` or `photo`.
    pub format: String,
    pub filename: String,
    pub size: i64,
    pub from_insurer: bool,
    pub message_id: Option<String>,
    pub url: String,
    pub created_at: String,
}

pub fn attachment_out(claim_id: &str, a: Attachment) -> AttachmentOut {
    AttachmentOut {
        url: format!("/api/v1/claims/{claim_id}/attachments/{}", a.id),
        created_at: iso(a.created_at),
        id: a.id,
        kind: a.kind,
        format: a.format,
        filename: a.filename,
        size: a.size,
        from_insurer: a.from_insurer,
        message_id: a.message_id,
    }
}

#[derive(Serialize, ToSchema)]
pub struct MessageOut {
    pub id: String,
    /// `manager` or `insurer`.
    pub author: String,
    pub author_name: String,
    pub body: String,
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct StepOut {
    /// `declared`, `attachment_added`, `transmitted`, `insurer_reference`, `expert_visit`,
    /// `insurer_message`, `message_sent`, `status_changed`, `reminder_sent`, `escalated`, `link_revoked`.
    pub kind: String,
    pub actor: Option<String>,
    pub detail: String,
    pub at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ClaimDetailOut {
    #[serde(flatten)]
    pub claim: ClaimOut,
    pub building: String,
    pub insurer: String,
    pub lots: Vec<LotOut>,
    pub attachments: Vec<AttachmentOut>,
    pub messages: Vec<MessageOut>,
    pub history: Vec<StepOut>,
}

pub fn detail_out(d: ClaimDetail, now: i64) -> ClaimDetailOut {
    let id = d.claim.id.clone();
    ClaimDetailOut {
        claim: out(d.claim, now),
        building: d.building_name,
        insurer: d.insurer_name,
        lots: d
            .lots
            .into_iter()
            .map(|(id, label)| LotOut { id, label })
            .collect(),
        attachments: d
            .attachments
            .into_iter()
            .map(|a| attachment_out(&id, a))
            .collect(),
        messages: d
            .messages
            .into_iter()
            .map(|m: Message| MessageOut {
                id: m.id,
                author: m.author,
                author_name: m.author_name,
                body: m.body,
                created_at: iso(m.created_at),
            })
            .collect(),
        history: d
            .history
            .into_iter()
            .map(|s: Step| StepOut {
                kind: s.kind,
                actor: s.actor_name,
                detail: s.detail,
                at: iso(s.created_at),
            })
            .collect(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ClaimPage {
    pub items: Vec<ClaimOut>,
    /// Pass as `after` for the next page; absent on the last one.
    pub next: Option<String>,
}
