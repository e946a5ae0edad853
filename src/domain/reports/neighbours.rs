//! Filing for a neighbour without an account (issue 15 item 10): staff type the name, the
//! phone and the lot of the person who called; the report is theirs, the neighbour is who
//! to call back. Staff (who may file for others) see the phone; others the name and lot.

use crate::auth::authz::{self, ReportRelation};
use crate::db::neighbours::NeighbourRow;
use crate::domain::AppResult;
use crate::domain::types::{optional_text, text};

/// What the form or the API says about the neighbour (all empty: none).
#[derive(Debug, Clone, Default)]
pub struct NeighbourDraft {
    pub name: String,
    pub phone: String,
    pub lot: String,
}

/// The neighbour as a reader of the report sees them.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Neighbour {
    pub name: String,
    /// Only for the building's staff; empty otherwise.
    pub phone: String,
    pub lot: String,
}

impl NeighbourDraft {
    pub fn is_empty(&self) -> bool {
        [&self.name, &self.phone, &self.lot]
            .iter()
            .all(|s| s.trim().is_empty())
    }

    /// A name is needed once anything is given; the phone and lot are optional.
    pub(super) fn parse(&self) -> AppResult<NeighbourRow> {
        Ok(NeighbourRow {
            name: text("neighbour_name", &self.name, 100)?,
            phone: optional_text("neighbour_phone", &self.phone, 30)?,
            lot: optional_text("neighbour_lot", &self.lot, 40)?,
        })
    }
}

pub(super) fn shown(row: NeighbourRow, relation: ReportRelation) -> Neighbour {
    Neighbour {
        phone: if authz::sees_neighbour_phone(relation) {
            row.phone
        } else {
            String::new()
        },
        name: row.name,
        lot: row.lot,
    }
}
