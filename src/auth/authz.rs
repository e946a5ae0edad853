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
    if actor.is_admin {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Membership;

    fn actor(agencies: &[&str], memberships: &[(&str, &str)]) -> Actor {
        Actor {
            person_id: "p".into(),
            name: "n".into(),
            email: "e@x.test".into(),
            lang: Default::default(),
            is_admin: false,
            agencies: agencies.iter().map(|a| a.to_string()).collect(),
            memberships: memberships
                .iter()
                .map(|(b, r)| Membership {
                    building_id: b.to_string(),
                    role: r.to_string(),
                    occupancy: None,
                    referent_kind: None,
                    lot_id: None,
                })
                .collect(),
        }
    }

    #[test]
    fn permission_table_role_by_action_with_foreign_buildings() {
        let home = BuildingRef {
            id: "b1".into(),
            agency_id: "a1".into(),
        };
        let foreign = BuildingRef {
            id: "b2".into(),
            agency_id: "a2".into(),
        };
        let cases = [
            (actor(&["a1"], &[]), [true, true, true, true]),
            (
                actor(&[], &[("b1", "referent")]),
                [true, true, false, false],
            ),
            (
                actor(&[], &[("b1", "occupant")]),
                [true, false, false, false],
            ),
            (
                actor(&[], &[("b1", "landlord")]),
                [true, false, false, false],
            ),
            (
                actor(&[], &[("b1", "landlord"), ("b1", "referent")]),
                [true, true, false, false],
            ),
        ];
        for (who, expected) in cases {
            for (action, allowed) in Action::ALL.iter().zip(expected) {
                let result = check(&who, *action, &home);
                match allowed {
                    true => assert!(result.is_ok(), "{action:?} for {:?}", who.memberships),
                    false => assert!(matches!(result, Err(AppError::Forbidden)), "{action:?}"),
                }
                assert!(
                    matches!(check(&who, *action, &foreign), Err(AppError::NotFound)),
                    "foreign {action:?}"
                );
            }
        }
    }
}
