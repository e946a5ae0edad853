//! Work orders and providers as the pages and the API see them, separate from their rows.

use crate::db::work_orders::{ProviderRow, WorkOrderRow};
use crate::vocab::WorkOrderStatus;

#[derive(Debug, Clone)]
pub struct WorkOrder {
    pub id: String,
    pub agency_id: String,
    pub building_id: String,
    pub report_id: String,
    pub provider_id: String,
    pub provider_company: String,
    pub provider_email: String,
    /// "OS-2026-0001".
    pub reference: String,
    pub description: String,
    pub desired_date: String,
    pub priority: String,
    pub status: WorkOrderStatus,
    /// The agency's own PDF was attached instead of the generated one.
    pub attached: bool,
    /// Where the PDF sent to the provider is stored.
    pub pdf_key: String,
    /// The manager who sent it.
    pub created_by: String,
    pub token_expires_at: i64,
    pub token_revoked_at: Option<i64>,
    pub created_at: i64,
    pub acknowledged_at: Option<i64>,
    pub scheduled_for: Option<i64>,
    pub done_at: Option<i64>,
    pub visits: i64,
    pub reminders_sent: i64,
}

impl WorkOrder {
    /// Whether the provider's private link still opens.
    pub fn link_active(&self, now: i64) -> bool {
        self.token_revoked_at.is_none() && self.token_expires_at > now
    }
}

impl From<WorkOrderRow> for WorkOrder {
    fn from(w: WorkOrderRow) -> Self {
        WorkOrder {
            // The schema's CHECK keeps statuses to the five words.
            status: WorkOrderStatus::parse(&w.status).unwrap_or(WorkOrderStatus::Sent),
            attached: w.attached != 0,
            pdf_key: w.pdf_key,
            created_by: w.created_by,
            id: w.id,
            agency_id: w.agency_id,
            building_id: w.building_id,
            report_id: w.report_id,
            provider_id: w.provider_id,
            provider_company: w.provider_company,
            provider_email: w.provider_email,
            reference: w.reference,
            description: w.description,
            desired_date: w.desired_date,
            priority: w.priority,
            token_expires_at: w.token_expires_at,
            token_revoked_at: w.token_revoked_at,
            created_at: w.created_at,
            acknowledged_at: w.acknowledged_at,
            scheduled_for: w.scheduled_for,
            done_at: w.done_at,
            visits: w.visits,
            reminders_sent: w.reminders_sent,
        }
    }
}

/// An entry of the agency's provider directory (W1).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Provider {
    pub id: String,
    pub company: String,
    /// Trade slugs, comma-separated ("ascenseur,serrurerie").
    pub trades: String,
    pub contact_name: String,
    pub email: String,
    pub phone: String,
    pub notes: String,
}

impl From<ProviderRow> for Provider {
    fn from(p: ProviderRow) -> Self {
        Provider {
            id: p.id,
            company: p.company,
            trades: p.trades,
            contact_name: p.contact_name,
            email: p.email,
            phone: p.phone,
            notes: p.notes,
        }
    }
}
