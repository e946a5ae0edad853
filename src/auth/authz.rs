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
}

impl Action {
    pub const ALL: [Action; 4] = [
        Action::ViewBuilding,
        Action::ListMembers,
        Action::ChangeRole,
        Action::ManageBuilding,
    ];
}

/// Proof that `check` granted `action` on `building_id`.
#[derive(Debug, Clone)]
pub struct Permit {
    pub building_id: String,
    pub role: BuildingRole,
    pub action: Action,
    _granted: (),
}

impl Actor {
    pub fn role_in(&self, building: &BuildingRef) -> Option<BuildingRole> {
        if self.agencies.iter().any(|a| *a == building.agency_id) {
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
        ViewBuilding => true,
        ListMembers => matches!(role, Referent | Manager),
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
    if actor.is_admin { Ok(()) } else { Err(AppError::Forbidden) }
}
