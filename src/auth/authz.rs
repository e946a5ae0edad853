//! Authorization, in one place: a function of (who, which action, which building).
//!
//! Handlers call [`check`] and receive a [`Permit`]; privileged services take the permit as
//! an argument, so a privileged call cannot be written without the check. Anything outside
//! the actor's buildings is `NotFound`, never `Forbidden`, so existence does not leak.

use super::Actor;
use crate::domain::AppError;

/// The building an action is about, with the agency that manages it.
#[derive(Debug, Clone)]
pub struct BuildingRef {
    pub id: String,
    pub agency_id: String,
}

/// A person's strongest relation to one building.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BuildingRole {
    Landlord,
    Occupant,
    Referent,
    Manager,
}

impl BuildingRole {
    pub fn as_str(self) -> &'static str {
        match self {
            BuildingRole::Landlord => "landlord",
            BuildingRole::Occupant => "occupant",
            BuildingRole::Referent => "referent",
            BuildingRole::Manager => "manager",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See the building page and its basic information.
    ViewBuilding,
    /// See the occupants list (B6).
    ListMembers,
    /// Turn an occupant into a referent and back (B3).
    ChangeRole,
    /// Edit the building's settings and see its registration code and poster.
    ManageBuilding,
    /// File a report in the building (R1).
    CreateReport,
    /// Read the agency's reply templates (R4): staff material, like replying as staff.
    UseReplyTemplates,
}

impl Action {
    pub const ALL: [Action; 6] = [
        Action::ViewBuilding,
        Action::ListMembers,
        Action::ChangeRole,
        Action::ManageBuilding,
        Action::CreateReport,
        Action::UseReplyTemplates,
    ];
}

/// Proof that `check` granted `action` on `building_id`. The private field means only this
/// module can make one (`#[non_exhaustive]` would still allow it anywhere in the crate).
#[allow(clippy::manual_non_exhaustive)]
#[derive(Debug, Clone)]
pub struct Permit {
    pub building_id: String,
    pub role: BuildingRole,
    pub action: Action,
    _granted: (),
}

impl Actor {
    pub fn role_in(&self, building: &BuildingRef) -> Option<BuildingRole> {
        if self.agencies.contains(&building.agency_id) {
            return Some(BuildingRole::Manager);
        }
        self.memberships
            .iter()
            .filter(|m| m.building_id == building.id)
            .filter_map(|m| match m.role.as_str() {
                "referent" => Some(BuildingRole::Referent),
                "occupant" => Some(BuildingRole::Occupant),
                "landlord" => Some(BuildingRole::Landlord),
                _ => None,
            })
            .max()
    }
}

/// The permission table of SPEC §4 for building-level actions.
pub fn allowed(role: BuildingRole, action: Action) -> bool {
    use Action::*;
    use BuildingRole::*;
    match action {
        ViewBuilding | CreateReport => true,
        ListMembers | UseReplyTemplates => matches!(role, Referent | Manager),
        ChangeRole | ManageBuilding => role == Manager,
    }
}

pub fn check(actor: &Actor, action: Action, building: &BuildingRef) -> Result<Permit, AppError> {
    let role = actor.role_in(building).ok_or(AppError::NotFound)?;
    if !allowed(role, action) {
        return Err(AppError::Forbidden);
    }
    Ok(Permit {
        building_id: building.id.clone(),
        role,
        action,
        _granted: (),
    })
}

/// Only platform administrators create agencies and their managers.
pub fn check_admin(actor: &Actor) -> Result<(), AppError> {
    if actor.is_admin {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// What authorization needs to know about one report.
#[derive(Debug, Clone)]
pub struct ReportFacts {
    pub author_id: String,
    /// The person the report is about (the author, or who they filed it for).
    pub concerned_id: String,
    pub lot_id: Option<String>,
    pub removed: bool,
    /// False while the council filter keeps a referent's report from the manager (R8).
    pub manager_visible: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportAction {
    View,
    /// Comment to everyone who sees the report.
    Comment,
    /// Choose who sees an update: council only or one occupant (R5).
    ChooseAudience,
    /// Read and write the private manager-landlord thread (R10).
    PrivateThread,
    AddPhoto,
    Close,
    Reopen,
    Remove,
    /// Share a report kept by the council filter with the manager (R8).
    Share,
    Follow,
    /// Create a work order from the report (issue W).
    WorkOrder,
}

impl ReportAction {
    pub const ALL: [ReportAction; 11] = [
        ReportAction::View,
        ReportAction::Comment,
        ReportAction::ChooseAudience,
        ReportAction::PrivateThread,
        ReportAction::AddPhoto,
        ReportAction::Close,
        ReportAction::Reopen,
        ReportAction::Remove,
        ReportAction::Share,
        ReportAction::Follow,
        ReportAction::WorkOrder,
    ];
}

/// A person's relation to one report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportRelation {
    Manager,
    Referent,
    /// Author, or the person it was filed for.
    Author,
    /// The landlord of the report's lot.
    Landlord,
    Occupant,
}

impl Actor {
    fn is_landlord_of(&self, building_id: &str, lot_id: Option<&str>) -> bool {
        lot_id.is_some_and(|lot| {
            self.memberships.iter().any(|m| {
                m.building_id == building_id
                    && m.role == "landlord"
                    && m.lot_id.as_deref() == Some(lot)
            })
        })
    }

    /// `None` means the report does not exist for this person (404).
    pub fn report_relation(
        &self,
        building: &BuildingRef,
        report: &ReportFacts,
    ) -> Option<ReportRelation> {
        match self.role_in(building)? {
            BuildingRole::Manager => report.manager_visible.then_some(ReportRelation::Manager),
            BuildingRole::Referent => Some(ReportRelation::Referent),
            _ if report.removed => None,
            _ if report.author_id == self.person_id || report.concerned_id == self.person_id => {
                Some(ReportRelation::Author)
            }
            _ if self.is_landlord_of(&building.id, report.lot_id.as_deref()) => {
                Some(ReportRelation::Landlord)
            }
            BuildingRole::Occupant => Some(ReportRelation::Occupant),
            // A landlord sees only the reports of their own lots.
            BuildingRole::Landlord => None,
        }
    }
}

/// SPEC §4 for reports: who may do what once they can see the report.
pub fn report_allowed(relation: ReportRelation, action: ReportAction) -> bool {
    use ReportAction::*;
    use ReportRelation::*;
    match action {
        View | Follow => true,
        Comment => matches!(relation, Manager | Referent | Author | Landlord),
        AddPhoto => matches!(relation, Manager | Referent | Author),
        ChooseAudience | Remove => matches!(relation, Manager | Referent),
        PrivateThread => matches!(relation, Manager | Landlord),
        Close => matches!(relation, Manager | Referent | Author),
        Reopen | WorkOrder => relation == Manager,
        Share => relation == Referent,
    }
}

/// Proof that `check_report` granted `action` on `report_id`.
#[allow(clippy::manual_non_exhaustive)]
#[derive(Debug, Clone)]
pub struct ReportPermit {
    pub report_id: String,
    pub building_id: String,
    pub relation: ReportRelation,
    pub action: ReportAction,
    _granted: (),
}

pub fn check_report(
    actor: &Actor,
    action: ReportAction,
    building: &BuildingRef,
    report_id: &str,
    report: &ReportFacts,
) -> Result<ReportPermit, AppError> {
    let relation = actor
        .report_relation(building, report)
        .ok_or(AppError::NotFound)?;
    if !report_allowed(relation, action) {
        return Err(AppError::Forbidden);
    }
    Ok(ReportPermit {
        report_id: report_id.to_string(),
        building_id: building.id.clone(),
        relation,
        action,
        _granted: (),
    })
}

/// Who may read a comment (or a history entry) with this audience (R5, R10).
pub fn audience_allows(
    relation: ReportRelation,
    reader_id: &str,
    writer_id: Option<&str>,
    audience: &str,
    audience_person: Option<&str>,
) -> bool {
    use ReportRelation::*;
    let own = writer_id == Some(reader_id);
    match audience {
        "all" => true,
        "council" => own || matches!(relation, Manager | Referent),
        "person" => {
            own || matches!(relation, Manager | Referent) || audience_person == Some(reader_id)
        }
        "landlord" => matches!(relation, Manager | Landlord),
        _ => false,
    }
}

#[cfg(test)]
#[path = "authz_tests.rs"]
mod tests;
