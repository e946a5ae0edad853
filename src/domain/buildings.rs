//! Buildings as their members and managers see them; occupants list and roles (B1, B3, B6).

use super::{AppError, AppResult};
use crate::auth::Actor;
use crate::auth::authz::{self, Action, BuildingRef, BuildingRole, Permit};
use crate::db::buildings::{self as bdb, BuildingRow};
use crate::db::people::{self as pdb, MemberRow};
use crate::domain::Context;
use crate::vocab::{MemberRole, Occupancy, ReferentKind};

/// A building as the pages and the API see it.
#[derive(Debug, Clone)]
pub struct Building {
    pub id: String,
    pub agency_id: String,
    pub name: String,
    pub address: String,
    pub lots_count: i64,
    /// Registration code (managers see it).
    pub code: String,
    pub access_codes: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// R8: referents' reports stay with the council unless shared.
    pub council_filter: bool,
}

impl From<BuildingRow> for Building {
    fn from(b: BuildingRow) -> Self {
        Building {
            id: b.id,
            agency_id: b.agency_id,
            name: b.name,
            address: b.address,
            lots_count: b.lots_count,
            code: b.code,
            access_codes: b.access_codes,
            contact_name: b.contact_name,
            contact_phone: b.contact_phone,
            council_filter: b.council_filter != 0,
        }
    }
}

impl Building {
    pub fn reference(&self) -> BuildingRef {
        BuildingRef {
            id: self.id.clone(),
            agency_id: self.agency_id.clone(),
        }
    }
}

/// A member of a building, as the occupants list shows them (B6).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Member {
    pub person_id: String,
    pub name: String,
    pub email: String,
    pub role: MemberRole,
    pub occupancy: Option<Occupancy>,
    pub referent_kind: Option<ReferentKind>,
    /// The lot's label, when the member has one.
    pub lot: Option<String>,
    /// False until the person has chosen a password (imported people, before their
    /// invitation is accepted).
    pub signed_up: bool,
    /// How many more lots an owner of several holds in the building beside `lot`.
    pub other_lots: i64,
    /// The shares (tantièmes) of every lot the member owns in the building, summed.
    pub owned_shares: i64,
}

impl Member {
    /// Rows whose role the schema would not allow are left out rather than guessed.
    fn from_row(m: MemberRow) -> Option<Member> {
        Some(Member {
            role: MemberRole::parse(&m.role)?,
            occupancy: m.occupancy.as_deref().and_then(Occupancy::parse),
            referent_kind: m.referent_kind.as_deref().and_then(ReferentKind::parse),
            person_id: m.person_id,
            name: m.name,
            email: m.email,
            lot: m.lot,
            signed_up: m.signed_up != 0,
            other_lots: m.other_lots,
            owned_shares: m.owned_shares,
        })
    }
}

async fn members_of(state: &Context, building_id: &str) -> AppResult<Vec<Member>> {
    Ok(pdb::members_of(&state.db.pool, building_id)
        .await?
        .into_iter()
        .filter_map(Member::from_row)
        .collect())
}

/// Loads a building and checks `action` on it: unknown and foreign buildings are both 404.
pub async fn authorize(
    state: &Context,
    actor: &Actor,
    building_id: &str,
    action: Action,
) -> AppResult<(Building, Permit)> {
    authorize_on(
        &mut *state.db.pool.acquire().await?,
        actor,
        building_id,
        action,
    )
    .await
}

/// [`authorize`] on a connection the caller goes on using (one checkout per request).
pub async fn authorize_on(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    building_id: &str,
    action: Action,
) -> AppResult<(Building, Permit)> {
    let building = Building::from(
        bdb::by_id(conn, building_id)
            .await?
            .ok_or(AppError::NotFound)?,
    );
    let permit = authz::check(actor, action, &building.reference())?;
    Ok((building, permit))
}

/// The caller's buildings with their role in each.
pub async fn list_for(state: &Context, actor: &Actor) -> AppResult<Vec<(Building, BuildingRole)>> {
    let rows = bdb::visible_to(&state.db.pool, &actor.person_id).await?;
    Ok(rows
        .into_iter()
        .map(Building::from)
        .filter_map(|b| actor.role_in(&b.reference()).map(|role| (b, role)))
        .collect())
}

pub async fn members(state: &Context, permit: &Permit) -> AppResult<Vec<Member>> {
    debug_assert_eq!(permit.action, Action::ListMembers);
    members_of(state, &permit.building_id).await
}

/// The residents staff can file a report for (empty for everyone else).
pub async fn residents_for_filing(state: &Context, permit: &Permit) -> AppResult<Vec<Member>> {
    if !authz::may_file_for_others(permit.role) {
        return Ok(Vec::new());
    }
    // Once each: someone with two memberships (the caretaker, referent and occupant) is
    // one person to file for.
    let mut seen = std::collections::HashSet::new();
    Ok(members_of(state, &permit.building_id)
        .await?
        .into_iter()
        .filter(|m| authz::is_resident(m.role))
        .filter(|m| seen.insert(m.person_id.clone()))
        .collect())
}

/// Everyone in a building, for choosing who a reply is addressed to; the caller has checked
/// the right to choose an audience.
pub(crate) async fn audience_people(state: &Context, building_id: &str) -> AppResult<Vec<Member>> {
    members_of(state, building_id).await
}

/// The role a manager can give a resident (B3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResidentRole {
    Occupant,
    Referent { caretaker: bool },
}

impl ResidentRole {
    pub fn parse(role: &str, kind: Option<&str>) -> AppResult<ResidentRole> {
        match (role, kind.unwrap_or("council")) {
            ("occupant", _) => Ok(ResidentRole::Occupant),
            ("referent", "council") => Ok(ResidentRole::Referent { caretaker: false }),
            ("referent", "caretaker") => Ok(ResidentRole::Referent { caretaker: true }),
            _ => Err(AppError::invalid("role", "error.role_invalid")),
        }
    }
}

pub async fn set_role(
    state: &Context,
    actor: &Actor,
    permit: &Permit,
    person_id: &str,
    role: ResidentRole,
) -> AppResult<()> {
    debug_assert_eq!(permit.action, Action::ChangeRole);
    let (role_name, kind) = match role {
        ResidentRole::Occupant => ("occupant", None),
        ResidentRole::Referent { caretaker: false } => ("referent", Some("council")),
        ResidentRole::Referent { caretaker: true } => ("referent", Some("caretaker")),
    };
    let mut tx = state.db.begin().await?;
    let changed =
        pdb::set_resident_role(&mut *tx, &permit.building_id, person_id, role_name, kind).await?;
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    crate::db::audit::record(
        &mut *tx,
        Some(&actor.person_id),
        "role_change",
        "person",
        person_id,
        &format!("{}:{role_name}", permit.building_id),
        state.clock.now_ms(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub struct SettingsInput {
    pub name: String,
    pub address: String,
    pub lots_count: i64,
    pub access_codes: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub council_filter: bool,
}

pub async fn update_settings(
    state: &Context,
    actor: &Actor,
    permit: &Permit,
    input: SettingsInput,
) -> AppResult<()> {
    debug_assert_eq!(permit.action, Action::ManageBuilding);
    use super::types::{optional_text, text};
    let name = text("name", &input.name, 120)?;
    let address = text("address", &input.address, 300)?;
    let access_codes = optional_text("access_codes", &input.access_codes, 500)?;
    let contact_name = optional_text("contact_name", &input.contact_name, 120)?;
    let contact_phone = optional_text("contact_phone", &input.contact_phone, 40)?;
    if !(0..=100_000).contains(&input.lots_count) {
        return Err(AppError::invalid("lots_count", "error.number_invalid"));
    }
    let mut tx = state.db.begin().await?;
    bdb::update_settings(
        &mut *tx,
        &permit.building_id,
        bdb::Settings {
            name: &name,
            address: &address,
            lots_count: input.lots_count,
            access_codes: &access_codes,
            contact_name: &contact_name,
            contact_phone: &contact_phone,
            council_filter: input.council_filter,
        },
    )
    .await?;
    crate::db::audit::record(
        &mut *tx,
        Some(&actor.person_id),
        "settings",
        "building",
        &permit.building_id,
        "",
        state.clock.now_ms(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The language an agency writes to providers, insurers and the hall in (French by default).
pub async fn agency_lang(state: &Context, agency_id: &str) -> AppResult<crate::i18n::Lang> {
    Ok(bdb::agency_lang(&state.db.pool, agency_id)
        .await?
        .and_then(|code| crate::i18n::Lang::parse(&code))
        .unwrap_or_default())
}

/// The hall poster of a building (B4): its code, the registration address and a QR code,
/// as a PDF named after the code.
pub async fn poster(
    state: &Context,
    actor: &Actor,
    building_id: &str,
) -> AppResult<(String, Vec<u8>)> {
    let (b, _) = authorize(state, actor, building_id, Action::ManageBuilding).await?;
    let url = format!("{}/register?code={}", state.config.base_url, b.code);
    let lang = agency_lang(state, &b.agency_id).await?;
    // Members may also report by e-mail (N6): the intake address is printed with the rest.
    let instructions =
        match crate::domain::mail_in::tokens::intake_address(state, actor, &b.id).await? {
            Some(address) => format!(
                "{} {}",
                lang.t("poster.instructions"),
                lang.tf("mail_in.poster", &[("address", &address)])
            ),
            None => lang.t("poster.instructions").to_string(),
        };
    let doc = crate::pdf::PosterDoc {
        building_name: &b.name,
        building_code: &b.code,
        register_url: &url,
        headline: lang.t("poster.headline"),
        instructions: &instructions,
        code_label: lang.t("poster.code_label"),
        url_label: lang.t("poster.url_label"),
    };
    let bytes = crate::pdf::poster(&doc).map_err(|e| AppError::Internal(format!("pdf: {e}")))?;
    Ok((format!("affiche-{}", b.code), bytes))
}

/// Where someone lands after signing in (issue 15 item 11): the building itself for a
/// resident of exactly one building who waits for no other; `None` shows the list.
pub async fn landing(state: &Context, actor: &Actor) -> AppResult<Option<String>> {
    if authz::is_agency_staff(actor) {
        return Ok(None);
    }
    let buildings = list_for(state, actor).await?;
    if buildings.len() != 1 || !super::approval::waiting_for(state, actor).await?.is_empty() {
        return Ok(None);
    }
    Ok(buildings.into_iter().next().map(|(b, _)| b.id))
}
