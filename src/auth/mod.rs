//! Who is acting: passwords, secrets, the [`Actor`] loaded per request, and authorization.

pub mod authz;
pub mod password;
pub mod secret;

use crate::i18n::Lang;

/// A membership of the acting person in one building.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Membership {
    pub building_id: String,
    pub role: String,
    pub occupancy: Option<String>,
    pub referent_kind: Option<String>,
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
