//! The insurers' directory (C3): the agency's own, and shared ones registered by the
//! instance administrator; each building's insurer and policy number.

use crate::auth::Actor;
use crate::auth::authz::{self, Action, AgencyAction};
use crate::db::claims::{self as cdb, InsurerRow};
use crate::domain::types::{Email, optional_text, text};
use crate::domain::{AppError, AppResult, Context};

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Insurer {
    pub id: String,
    pub name: String,
    pub claims_email: String,
    pub phone: String,
    /// Registered by the instance administrator for every agency.
    pub shared: bool,
}

impl From<InsurerRow> for Insurer {
    fn from(i: InsurerRow) -> Self {
        Insurer {
            shared: i.agency_id.is_none(),
            id: i.id,
            name: i.name,
            claims_email: i.claims_email,
            phone: i.phone,
        }
    }
}

/// A building's insurance as its settings show it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Insurance {
    pub insurer: Insurer,
    pub policy_number: String,
}

fn parse(agency_id: Option<&str>, name: &str, email: &str, phone: &str) -> AppResult<InsurerRow> {
    Ok(InsurerRow {
        id: crate::db::new_id(),
        agency_id: agency_id.map(str::to_string),
        name: text("name", name, 120)?,
        claims_email: Email::parse(email)
            .map_err(|_| AppError::invalid("claims_email", "error.email_invalid"))?
            .as_str()
            .to_string(),
        phone: optional_text("phone", phone, 40)?,
    })
}

/// The insurers the manager's agency may choose.
pub async fn list(cx: &Context, actor: &Actor, agency: Option<&str>) -> AppResult<Vec<Insurer>> {
    let agency = authz::check_agency(actor, AgencyAction::ManageClaims, agency)?.agency_id;
    Ok(cdb::insurers_for(&cx.db.pool, &agency)
        .await?
        .into_iter()
        .map(Insurer::from)
        .collect())
}

/// Adds an insurer to the agency's directory.
pub async fn create(
    cx: &Context,
    actor: &Actor,
    agency: Option<&str>,
    name: &str,
    email: &str,
    phone: &str,
) -> AppResult<Insurer> {
    let agency = authz::check_agency(actor, AgencyAction::ManageClaims, agency)?.agency_id;
    let row = parse(Some(&agency), name, email, phone)?;
    cdb::insert_insurer(&cx.db.pool, &row, cx.clock.now_ms()).await?;
    Ok(row.into())
}

/// An insurer shared by every agency (`palier admin create-insurer`: the operator's command line).
pub async fn create_shared(
    cx: &Context,
    name: &str,
    email: &str,
    phone: &str,
) -> AppResult<Insurer> {
    let row = parse(None, name, email, phone)?;
    cdb::insert_insurer(&cx.db.pool, &row, cx.clock.now_ms()).await?;
    Ok(row.into())
}

/// Sets the building's insurer (the agency's or a shared one) and policy number.
pub async fn set_insurance(
    cx: &Context,
    actor: &Actor,
    building_id: &str,
    insurer_id: &str,
    policy_number: &str,
) -> AppResult<Insurance> {
    let (building, _) =
        crate::domain::buildings::authorize(cx, actor, building_id, Action::ManageClaims).await?;
    let insurer = cdb::insurer(&cx.db.pool, insurer_id.trim())
        .await?
        .filter(|i| {
            i.agency_id
                .as_deref()
                .is_none_or(|a| a == building.agency_id)
        })
        .ok_or(AppError::invalid("insurer_id", "error.insurer_unknown"))?;
    let policy_number = text("policy_number", policy_number, 60)?;
    cdb::set_insurance(
        &cx.db.pool,
        &building.id,
        &insurer.id,
        &policy_number,
        cx.clock.now_ms(),
    )
    .await?;
    Ok(Insurance {
        insurer: insurer.into(),
        policy_number,
    })
}

/// The building's insurance, for its managers.
pub async fn insurance(
    cx: &Context,
    actor: &Actor,
    building_id: &str,
) -> AppResult<Option<Insurance>> {
    let (building, _) =
        crate::domain::buildings::authorize(cx, actor, building_id, Action::ManageClaims).await?;
    Ok(cdb::insurance(&cx.db.pool, &building.id)
        .await?
        .map(|(insurer, policy_number)| Insurance {
            insurer: insurer.into(),
            policy_number,
        }))
}
