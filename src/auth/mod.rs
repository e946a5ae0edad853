//! Who is acting: passwords, secrets, the [`Actor`] loaded per request, and authorization.

pub mod authz;
pub mod password;
pub mod secret;

use crate::i18n::Lang;
use crate::vocab::{MemberRole, Occupancy, ReferentKind};

/// Why an action was refused. Anything outside the actor's reach is `NotFound`, so that
/// existence does not leak; `Forbidden` is for what they can see but not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// A manager of several agencies must say which one an agency-wide request is for.
    #[error("agency required")]
    AgencyRequired,
}

/// A membership of the acting person in one building.
#[derive(Debug, Clone)]
pub struct Membership {
    pub building_id: String,
    pub role: MemberRole,
    pub occupancy: Option<Occupancy>,
    pub referent_kind: Option<ReferentKind>,
    pub lot_id: Option<String>,
}

/// The person making a request, with every relation authorization needs.
#[derive(Debug, Clone)]
pub struct Actor {
    pub person_id: String,
    pub name: String,
    pub email: String,
    pub lang: Lang,
    pub is_admin: bool,
    /// Agencies this person manages buildings for.
    pub agencies: Vec<String>,
    pub memberships: Vec<Membership>,
}
