//! Reports (signalements), R1–R13: creation, board, replies, visibility, history, search.

pub mod categories;
pub mod neighbours;
pub mod on_call;
pub mod portfolio_search;
pub mod progress;
pub mod read;
pub mod search;
pub mod templates;
pub mod views;
pub mod write;

pub use views::{Comment, HistoryEntry, Photo, ReplyTemplate, Report, event_detail};

use crate::auth::authz::{BuildingRef, ReportFacts};
use crate::db::reports::ReportRow;
use crate::domain::types::{optional_text, text};
use crate::domain::{AppError, AppResult};

pub const MAX_PHOTOS: i64 = 5;
pub const MAX_TITLE: usize = 120;
pub const MAX_DESCRIPTION: usize = 5_000;
pub const MAX_COMMENT: usize = 5_000;

impl ReportRow {
    pub fn facts(&self) -> ReportFacts {
        ReportFacts {
            author_id: self.author_id.clone(),
            concerned_id: self.concerned_id.clone(),
            lot_id: self.lot_id.clone(),
            removed: self.removed_at.is_some(),
            manager_visible: self.manager_visible != 0,
        }
    }

    pub fn location(&self) -> String {
        join_location(
            &self.location_part,
            &self.location_floor,
            &self.location_detail,
        )
    }
}

/// "Bât. A · 3e · près de l'ascenseur": the parts given, in order.
pub fn join_location(part: &str, floor: &str, detail: &str) -> String {
    [part, floor, detail]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A new report as typed, before it is parsed.
#[derive(Debug, Clone, Default)]
pub struct ReportDraft {
    pub category: String,
    pub title: String,
    pub description: String,
    pub location_part: String,
    pub location_floor: String,
    pub location_detail: String,
    pub urgent: bool,
    /// Managers and referents filing for someone who phoned or wrote (R1).
    pub on_behalf_of: Option<String>,
    /// Staff filing for a neighbour without an account: name, phone, lot (issue 15 item 10).
    pub neighbour: neighbours::NeighbourDraft,
    /// Council filter (R8): a referent's report reaches the manager only when ticked.
    pub share_with_manager: bool,
}

/// A draft whose fields are valid.
pub struct ValidReport {
    pub category: String,
    pub title: String,
    pub description: String,
    pub location_part: String,
    pub location_floor: String,
    pub location_detail: String,
}

impl ReportDraft {
    pub fn parse(&self, known_categories: &[categories::Category]) -> AppResult<ValidReport> {
        if !known_categories.iter().any(|c| c.slug == self.category) {
            return Err(AppError::invalid("category", "error.category_unknown"));
        }
        Ok(ValidReport {
            category: self.category.clone(),
            title: text("title", &self.title, MAX_TITLE)?,
            description: optional_text("description", &self.description, MAX_DESCRIPTION)?,
            location_part: optional_text("location_part", &self.location_part, 80)?,
            location_floor: optional_text("location_floor", &self.location_floor, 40)?,
            location_detail: optional_text("location", &self.location_detail, 200)?,
        })
    }
}

/// Who a comment is for (R5, R10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    All,
    Council,
    Person(String),
    /// The private manager-landlord thread.
    Landlord,
}

impl Audience {
    /// Reads the reply form or the API request. Choosing a person is choosing that
    /// audience; a person given with another audience is a mismatch, refused rather than
    /// guessed (it would send a private message to the whole building).
    pub fn parse(
        audience: Option<&str>,
        person_id: Option<&str>,
        private_landlord: bool,
    ) -> AppResult<Audience> {
        let person = person_id.map(str::trim).filter(|p| !p.is_empty());
        let audience = audience.map(str::trim).filter(|a| !a.is_empty());
        let mismatch = || AppError::invalid("audience", "error.audience_mismatch");
        if private_landlord {
            return match (audience, person) {
                (None | Some("all") | Some("landlord"), None) => Ok(Audience::Landlord),
                _ => Err(mismatch()),
            };
        }
        match (audience, person) {
            (None | Some("person"), Some(p)) => Ok(Audience::Person(p.to_string())),
            (Some("person"), None) => Err(AppError::invalid("person_id", "error.person_required")),
            (Some("all" | "council" | "landlord"), Some(_)) => Err(mismatch()),
            (None | Some("all"), None) => Ok(Audience::All),
            (Some("council"), None) => Ok(Audience::Council),
            (Some("landlord"), None) => Ok(Audience::Landlord),
            _ => Err(AppError::invalid("audience", "error.audience_invalid")),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Audience::All => "all",
            Audience::Council => "council",
            Audience::Person(_) => "person",
            Audience::Landlord => "landlord",
        }
    }

    pub fn person(&self) -> Option<&str> {
        match self {
            Audience::Person(p) => Some(p),
            _ => None,
        }
    }
}

/// The building reference of a report's building, loaded for authorization.
pub async fn building_of(
    state: &crate::domain::Context,
    building_id: &str,
) -> AppResult<(crate::domain::buildings::Building, BuildingRef)> {
    let b = crate::domain::buildings::Building::from(
        crate::db::buildings::by_id(&state.db.pool, building_id)
            .await?
            .ok_or(AppError::NotFound)?,
    );
    let r = b.reference();
    Ok((b, r))
}
