//! Buildings added from the browser or the API, their registration code, and their lots
//! with ownership shares (B1, B2; P5's weights).

use crate::auth::Actor;
use crate::auth::authz::{self, Action, AgencyAction};
use crate::db::buildings as bdb;
use crate::db::lots::{self as ldb, LotInput, LotRow};
use crate::domain::buildings::{self, Building};
use crate::domain::types::{optional_text, text};
use crate::domain::{AppError, AppResult, Context, is_unique_violation};

/// A lot of a building.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Lot {
    pub id: String,
    pub label: String,
    /// Ownership shares (tantièmes), a positive integer.
    pub shares: i64,
    pub staircase: String,
    pub floor: String,
}

impl From<LotRow> for Lot {
    fn from(l: LotRow) -> Self {
        Lot {
            id: l.id,
            label: l.label,
            shares: l.shares,
            staircase: l.staircase,
            floor: l.floor,
        }
    }
}

/// The building's lots and the total of their shares.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct LotList {
    pub lots: Vec<Lot>,
    pub total_shares: i64,
}

/// A lot as typed.
pub struct LotDraft<'a> {
    pub label: &'a str,
    pub shares: i64,
    pub staircase: &'a str,
    pub floor: &'a str,
}

struct ValidLot {
    label: String,
    shares: i64,
    staircase: String,
    floor: String,
}

impl LotDraft<'_> {
    fn parse(&self) -> AppResult<ValidLot> {
        let label = text("label", self.label, 40)?;
        if !(1..=1_000_000).contains(&self.shares) {
            return Err(AppError::invalid("shares", "error.shares_invalid"));
        }
        Ok(ValidLot {
            label,
            shares: self.shares,
            staircase: optional_text("staircase", self.staircase, 40)?,
            floor: optional_text("floor", self.floor, 40)?,
        })
    }
}

impl ValidLot {
    fn input(&self) -> LotInput<'_> {
        LotInput {
            label: &self.label,
            shares: self.shares,
            staircase: &self.staircase,
            floor: &self.floor,
        }
    }
}

fn label_taken(e: AppError) -> AppError {
    if is_unique_violation(&e) {
        AppError::Conflict("error.lot_label_taken")
    } else {
        e
    }
}

/// A new building in one of the actor's agencies, with a fresh registration code.
pub async fn create_building(
    cx: &Context,
    actor: &Actor,
    agency_id: Option<&str>,
    name: &str,
    address: &str,
) -> AppResult<(Building, authz::Permit)> {
    let permit = authz::check_agency(actor, AgencyAction::ManageBuildings, agency_id)?;
    let name = text("name", name, 120)?;
    let address = text("address", address, 300)?;
    let id = crate::db::new_id();
    let now = cx.clock.now_ms();
    let mut tx = cx.db.begin().await?;
    bdb::insert(
        &mut *tx,
        bdb::NewBuilding {
            id: &id,
            agency_id: &permit.agency_id,
            name: &name,
            address: &address,
            lots_count: 0,
            code: &crate::auth::secret::new_building_code(),
            access_codes: "",
            contact_name: "",
            contact_phone: "",
            now,
        },
    )
    .await?;
    crate::db::audit::record(
        &mut *tx,
        Some(&actor.person_id),
        "building_created",
        "building",
        &id,
        &permit.agency_id,
        now,
    )
    .await?;
    tx.commit().await?;
    buildings::authorize(cx, actor, &id, Action::ManageBuilding).await
}

/// Replaces a building's registration code: the old one (on an old poster) stops working.
pub async fn regenerate_code(cx: &Context, actor: &Actor, building_id: &str) -> AppResult<String> {
    let (_, permit) = buildings::authorize(cx, actor, building_id, Action::ManageBuilding).await?;
    let code = crate::auth::secret::new_building_code();
    bdb::set_building_code(&cx.db.pool, &permit.building_id, &code).await?;
    Ok(code)
}

/// The building's lots, for its managers and referents.
pub async fn list(cx: &Context, actor: &Actor, building_id: &str) -> AppResult<LotList> {
    let (_, permit) = buildings::authorize(cx, actor, building_id, Action::ListMembers).await?;
    let lots: Vec<Lot> = ldb::of_building(&cx.db.pool, &permit.building_id)
        .await?
        .into_iter()
        .map(Lot::from)
        .collect();
    let total_shares = lots.iter().map(|l| l.shares).sum();
    Ok(LotList { lots, total_shares })
}

pub async fn create(
    cx: &Context,
    actor: &Actor,
    building_id: &str,
    draft: LotDraft<'_>,
) -> AppResult<Lot> {
    let (_, permit) = buildings::authorize(cx, actor, building_id, Action::ManageBuilding).await?;
    let valid = draft.parse()?;
    let id = crate::db::new_id();
    ldb::insert(&cx.db.pool, &id, &permit.building_id, valid.input())
        .await
        .map_err(|e| label_taken(e.into()))?;
    lot(cx, &id).await
}

pub async fn update(
    cx: &Context,
    actor: &Actor,
    lot_id: &str,
    draft: LotDraft<'_>,
) -> AppResult<Lot> {
    let current = ldb::by_id(&cx.db.pool, lot_id)
        .await?
        .ok_or(AppError::NotFound)?;
    buildings::authorize(cx, actor, &current.building_id, Action::ManageBuilding).await?;
    let valid = draft.parse()?;
    ldb::update(&cx.db.pool, lot_id, valid.input())
        .await
        .map_err(|e| label_taken(e.into()))?;
    lot(cx, lot_id).await
}

async fn lot(cx: &Context, id: &str) -> AppResult<Lot> {
    Ok(ldb::by_id(&cx.db.pool, id)
        .await?
        .ok_or(AppError::NotFound)?
        .into())
}
