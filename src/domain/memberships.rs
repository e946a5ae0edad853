//! An existing account joining another building with its code (issue onboarding, item 6).

use crate::auth::{Actor, authz};
use crate::db::{buildings as bdb, people as pdb};
use crate::domain::types::{LotLabel, occupancy};
use crate::domain::{AppError, AppResult, Context, is_unique_violation, throttle};
use crate::vocab::MemberRole;

/// The building joined, and whether the person waits for approval there.
pub struct Joined {
    pub building_id: String,
    pub pending: bool,
}

/// Joins the building whose registration code is given, as an occupant of `lot` (or asks
/// to, when the building needs approval). Wrong codes count against the client address,
/// as at registration.
pub async fn join(
    cx: &Context,
    actor: &Actor,
    code: &str,
    lot: &str,
    occupancy_raw: &str,
    client: std::net::IpAddr,
) -> AppResult<Joined> {
    let lot = LotLabel::parse(lot)?;
    let occupancy = occupancy(occupancy_raw)?;
    let guess = throttle::attempt(cx, throttle::WRONG_CODES, &client.to_string()).await?;
    let code = code.trim().to_uppercase();
    if code.is_empty() || code.len() > 32 {
        return Err(AppError::NotFound);
    }
    let building = bdb::by_code(&cx.db.pool, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    guess.succeeded(cx).await?;
    if actor
        .memberships
        .iter()
        .any(|m| m.building_id == building.id && authz::is_resident(m.role))
    {
        return Err(AppError::Conflict("error.already_member"));
    }
    let now = cx.clock.now_ms();
    let mut tx = cx.db.begin().await?;
    let lot_id = bdb::find_or_create_lot(&mut tx, &building.id, lot.as_str()).await?;
    if crate::db::lifecycle::needs_approval(&mut *tx, &building.id).await? {
        super::approval::request(
            cx,
            &mut tx,
            super::approval::Request {
                person_id: &actor.person_id,
                person_name: &actor.name,
                building_id: &building.id,
                building_name: &building.name,
                lot_id: &lot_id,
                lot: lot.as_str(),
                occupancy: occupancy.as_str(),
                now,
            },
        )
        .await?;
        crate::db::audit::record(
            &mut *tx,
            Some(&actor.person_id),
            "join_pending",
            "building",
            &building.id,
            lot.as_str(),
            now,
        )
        .await?;
        tx.commit().await?;
        cx.jobs_notify.notify_one();
        return Ok(Joined {
            building_id: building.id,
            pending: true,
        });
    }
    let inserted = pdb::insert_membership(
        &mut *tx,
        pdb::NewMembership {
            person_id: &actor.person_id,
            building_id: &building.id,
            role: MemberRole::Occupant.as_str(),
            occupancy: Some(occupancy.as_str()),
            referent_kind: None,
            lot_id: Some(&lot_id),
            now,
        },
    )
    .await
    .map_err(AppError::from);
    match inserted {
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::Conflict("error.already_member"));
        }
        other => other?,
    }
    crate::db::audit::record(
        &mut *tx,
        Some(&actor.person_id),
        "join",
        "building",
        &building.id,
        lot.as_str(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Joined {
        building_id: building.id,
        pending: false,
    })
}

/// The name of the building a registration code opens, to say which building is being
/// joined. Wrong codes count against the client address, as at registration.
pub async fn building_named_by_code(
    cx: &Context,
    code: &str,
    client: std::net::IpAddr,
) -> AppResult<Option<String>> {
    let code = code.trim().to_uppercase();
    if code.is_empty() || code.len() > 32 {
        return Ok(None);
    }
    let guess = throttle::attempt(cx, throttle::WRONG_CODES, &client.to_string()).await?;
    let building = bdb::by_code(&cx.db.pool, &code).await?;
    if building.is_some() {
        guess.succeeded(cx).await?;
    }
    Ok(building.map(|b| b.name))
}
