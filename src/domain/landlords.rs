//! Landlords linked to lots (R10): the manager names a lot's landlord by e-mail; someone new
//! is created and invited. The landlord then sees the reports of their lots and the private
//! manager–landlord thread on them.

use crate::auth::Actor;
use crate::auth::authz::Action;
use crate::db::lots as ldb;
use crate::db::portfolio as pdb;
use crate::domain::types::{Email, PersonName};
use crate::domain::{AppError, AppResult, Context, buildings, invitations, is_unique_violation};
use crate::i18n::Lang;

/// A lot's landlord after linking.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct LotLandlord {
    pub lot_id: String,
    pub person_id: String,
    pub name: String,
    pub email: String,
    /// The person did not exist before this request.
    pub created: bool,
    /// An invitation e-mail was queued (new, or never signed in without a live link).
    pub invited: bool,
}

pub async fn link(
    cx: &Context,
    actor: &Actor,
    lot_id: &str,
    email: &str,
    name: &str,
) -> AppResult<LotLandlord> {
    let lot = ldb::by_id(&cx.db.pool, lot_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (building, permit) =
        buildings::authorize(cx, actor, &lot.building_id, Action::ManagePeople).await?;
    let email = Email::parse(email)?;
    let now = cx.clock.now_ms();
    let existing = pdb::person_by_email(&cx.db.pool, email.as_str()).await?;
    // A name is needed only to create someone; an existing person keeps their own.
    let name = match &existing {
        Some(p) => p.name.clone(),
        None => PersonName::parse(name)?.as_str().to_string(),
    };
    let lang = match &existing {
        Some(p) => Lang::parse(&p.lang).unwrap_or_default(),
        None => buildings::agency_lang(cx, &building.agency_id).await?,
    };
    let mut tx = cx.db.begin().await?;
    let (person_id, created, active) = match &existing {
        Some(p) => (p.id.clone(), false, p.active != 0),
        None => {
            let id = crate::db::new_id();
            let row = pdb::NewPersonRow {
                id: id.clone(),
                name: name.clone(),
                email: email.as_str().to_string(),
                phone: String::new(),
                lang: lang.code().to_string(),
            };
            pdb::insert_people(&mut tx, std::slice::from_ref(&row), now)
                .await
                .map_err(|e| match AppError::from(e) {
                    e if is_unique_violation(&e) => AppError::Conflict("error.import_conflict"),
                    e => e,
                })?;
            (id, true, false)
        }
    };
    pdb::set_lot_landlord(&mut tx, lot_id, &permit.building_id, &person_id, now).await?;
    let invited = !active && !pdb::has_live_invitation(&mut *tx, &person_id, now).await?;
    if invited {
        let invitee = invitations::Invitee {
            person_id: &person_id,
            name: &name,
            email: email.as_str(),
            lang,
            building: &building.name,
        };
        invitations::issue(cx, &mut tx, &invitee, now).await?;
    }
    crate::db::audit::record(
        &mut *tx,
        Some(&actor.person_id),
        "landlord_linked",
        "lot",
        lot_id,
        &person_id,
        now,
    )
    .await?;
    tx.commit().await?;
    if invited {
        cx.jobs_notify.notify_one();
    }
    Ok(LotLandlord {
        lot_id: lot_id.to_string(),
        person_id,
        name,
        email: email.as_str().to_string(),
        created,
        invited,
    })
}

/// Unlinks the lot's landlord (managers): they stop seeing the lot's reports and its
/// private thread at once; what they wrote stays. 404 when the lot has no landlord.
pub async fn unlink(cx: &Context, actor: &Actor, lot_id: &str) -> AppResult<()> {
    let lot = ldb::by_id(&cx.db.pool, lot_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, permit) =
        buildings::authorize(cx, actor, &lot.building_id, Action::ManagePeople).await?;
    let now = cx.clock.now_ms();
    let mut tx = cx.db.begin().await?;
    let old = pdb::unset_lot_landlord(&mut tx, lot_id, &permit.building_id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::db::audit::record(
        &mut *tx,
        Some(&actor.person_id),
        "landlord_unlinked",
        "lot",
        lot_id,
        &old,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A building's lots with their landlord's name and e-mail, for the lots page.
pub async fn lots_with_landlords(
    cx: &Context,
    actor: &Actor,
    building_id: &str,
) -> AppResult<Vec<(crate::domain::lots::Lot, Option<(String, String)>)>> {
    let (_, permit) = buildings::authorize(cx, actor, building_id, Action::ManagePeople).await?;
    let landlords = pdb::landlords_in_building(&cx.db.pool, &permit.building_id).await?;
    Ok(ldb::of_building(&cx.db.pool, &permit.building_id)
        .await?
        .into_iter()
        .map(|l| {
            let landlord = landlords
                .iter()
                .find(|x| x.lot_id == l.id)
                .map(|x| (x.name.clone(), x.email.clone()));
            (crate::domain::lots::Lot::from(l), landlord)
        })
        .collect())
}

/// The building a lot belongs to (404 for an unknown lot; the action then checks rights).
pub async fn building_of_lot(cx: &Context, lot_id: &str) -> AppResult<String> {
    Ok(ldb::by_id(&cx.db.pool, lot_id)
        .await?
        .ok_or(AppError::NotFound)?
        .building_id)
}
