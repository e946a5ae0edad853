//! Approval of new members (seed 001): a building may ask that someone checks each new
//! member really lives there. Until then the person waits in `membership_requests`, member
//! of nothing; managers and referents approve or refuse, and the person is told by e-mail.

use super::{AppError, AppResult, Context, is_unique_violation};
use crate::auth::Actor;
use crate::auth::authz::{Action, Permit};
use crate::db::{lifecycle as ldb, people as pdb};
use crate::i18n::Lang;
use crate::vocab::{MemberRole, Occupancy};

/// Requests shown per page of the list.
pub const PAGE_SIZE: i64 = 50;

/// Who asks to join which building, for the request and the staff's e-mail.
pub(crate) struct Request<'a> {
    pub person_id: &'a str,
    pub person_name: &'a str,
    pub building_id: &'a str,
    pub building_name: &'a str,
    pub lot_id: &'a str,
    pub lot: &'a str,
    pub occupancy: &'a str,
    pub now: i64,
}

/// Records a request to join (a second one for the same building is a conflict) and tells
/// the agency's managers and the building's referents, who decide, by e-mail.
pub(crate) async fn request(
    cx: &Context,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    r: Request<'_>,
) -> AppResult<()> {
    let inserted = ldb::insert_request(
        &mut **tx,
        ldb::NewRequest {
            person_id: r.person_id,
            building_id: r.building_id,
            lot_id: Some(r.lot_id),
            occupancy: r.occupancy,
            now: r.now,
        },
    )
    .await
    .map_err(AppError::from);
    match inserted {
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::Conflict("error.already_pending"));
        }
        other => other?,
    }
    let link = format!(
        "{}/buildings/{}/requests",
        cx.config.base_url, r.building_id
    );
    for staff_id in crate::db::notifications::staff(&mut **tx, r.building_id).await? {
        let Some(staff) = pdb::by_id(&mut **tx, &staff_id).await? else {
            continue;
        };
        let lang = Lang::parse(&staff.lang).unwrap_or_default();
        let args = [
            ("name", staff.name.as_str()),
            ("person", r.person_name),
            ("building", r.building_name),
            ("lot", r.lot),
            ("occupancy", lang.t(&format!("occupancy.{}", r.occupancy))),
            ("link", link.as_str()),
        ];
        let email = crate::mail::messages::plain(
            &staff.email,
            lang.tf("mail.membership_request.subject", &args),
            lang.tf("mail.membership_request.text", &args),
        )?;
        crate::mail::enqueue(&mut **tx, &email, r.now).await?;
    }
    Ok(())
}

/// One person waiting to join.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Pending {
    pub person_id: String,
    pub name: String,
    pub email: String,
    /// The lot's label as they gave it.
    pub lot: Option<String>,
    pub occupancy: Option<Occupancy>,
    /// When they asked, in milliseconds since the epoch.
    pub requested_at: i64,
}

/// A page of requests and the cursor of the next one.
pub struct PendingPage {
    pub items: Vec<Pending>,
    pub next_cursor: Option<String>,
}

fn parse_cursor(cursor: Option<&str>) -> AppResult<Option<(i64, String)>> {
    let Some(c) = cursor.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let (at, id) = c
        .split_once('_')
        .ok_or(AppError::invalid("cursor", "error.cursor_invalid"))?;
    let at = at
        .parse::<i64>()
        .map_err(|_| AppError::invalid("cursor", "error.cursor_invalid"))?;
    Ok(Some((at, id.to_string())))
}

/// The building's requests, oldest first (whoever waited longest comes first).
pub async fn list(cx: &Context, permit: &Permit, cursor: Option<&str>) -> AppResult<PendingPage> {
    debug_assert_eq!(permit.action, Action::ApproveMembers);
    let after = parse_cursor(cursor)?;
    let mut rows = ldb::requests_of_building(
        &cx.db.pool,
        &permit.building_id,
        after.as_ref().map(|(at, id)| (*at, id.as_str())),
        PAGE_SIZE + 1,
    )
    .await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let next_cursor = more
        .then(|| rows.last().map(|r| format!("{}_{}", r.created_at, r.id)))
        .flatten();
    Ok(PendingPage {
        items: rows
            .into_iter()
            .map(|r| Pending {
                occupancy: Occupancy::parse(&r.occupancy),
                person_id: r.person_id,
                name: r.name,
                email: r.email,
                lot: r.lot,
                requested_at: r.created_at,
            })
            .collect(),
        next_cursor,
    })
}

/// How many wait in the building, for the staff's link to the list (0 for others).
pub async fn waiting_count(cx: &Context, permit: &Permit) -> AppResult<i64> {
    if !crate::auth::authz::allowed(permit.role, Action::ApproveMembers) {
        return Ok(0);
    }
    Ok(ldb::count_requests(&cx.db.pool, &permit.building_id).await?)
}

/// Whether the building asks for approval.
pub async fn needs_approval(cx: &Context, building_id: &str) -> AppResult<bool> {
    Ok(ldb::needs_approval(&cx.db.pool, building_id).await?)
}

/// Turns approval on or off (managers: a building setting).
pub async fn set_needs_approval(
    cx: &Context,
    actor: &Actor,
    permit: &Permit,
    on: bool,
) -> AppResult<()> {
    debug_assert_eq!(permit.action, Action::ManageBuilding);
    let now = cx.clock.now_ms();
    let mut tx = cx.db.begin().await?;
    ldb::set_needs_approval(&mut *tx, &permit.building_id, on).await?;
    crate::db::audit::record(
        &mut *tx,
        Some(&actor.person_id),
        "needs_approval",
        "building",
        &permit.building_id,
        if on { "on" } else { "off" },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether a person waits for approval to join a building.
pub async fn is_pending(cx: &Context, person_id: &str, building_id: &str) -> AppResult<bool> {
    Ok(ldb::request_of(&cx.db.pool, building_id, person_id)
        .await?
        .is_some())
}

/// The buildings the actor waits to join: (id, name).
pub async fn waiting_for(cx: &Context, actor: &Actor) -> AppResult<Vec<(String, String)>> {
    Ok(ldb::pending_of_person(&cx.db.pool, &actor.person_id).await?)
}

/// Approves or refuses a request; the person is told by e-mail in their language.
pub async fn decide(
    cx: &Context,
    actor: &Actor,
    permit: &Permit,
    building_name: &str,
    person_id: &str,
    approve: bool,
) -> AppResult<()> {
    debug_assert_eq!(permit.action, Action::ApproveMembers);
    let now = cx.clock.now_ms();
    let mut tx = cx.db.begin().await?;
    // Another building's request, or none: 404, so nothing leaks.
    let request = ldb::request_of(&mut *tx, &permit.building_id, person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let person = pdb::by_id(&mut *tx, person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    ldb::delete_request(&mut *tx, &request.id).await?;
    if approve {
        let inserted = pdb::insert_membership(
            &mut *tx,
            pdb::NewMembership {
                person_id,
                building_id: &permit.building_id,
                role: MemberRole::Occupant.as_str(),
                occupancy: Some(request.occupancy.as_str()),
                referent_kind: None,
                lot_id: request.lot_id.as_deref(),
                now,
            },
        )
        .await
        .map_err(AppError::from);
        match inserted {
            // Already a member another way (made a referent meanwhile): nothing to add.
            Err(e) if is_unique_violation(&e) => {}
            other => other?,
        }
    }
    let lang = Lang::parse(&person.lang).unwrap_or_default();
    let (key, link) = if approve {
        (
            "approved",
            format!("{}/buildings/{}", cx.config.base_url, permit.building_id),
        )
    } else {
        ("refused", format!("{}/buildings", cx.config.base_url))
    };
    let args = [
        ("name", person.name.as_str()),
        ("building", building_name),
        ("link", link.as_str()),
    ];
    let email = crate::mail::messages::plain(
        &person.email,
        lang.tf(&format!("mail.membership_{key}.subject"), &args),
        lang.tf(&format!("mail.membership_{key}.text"), &args),
    )?;
    crate::mail::enqueue(&mut *tx, &email, now).await?;
    crate::db::audit::record(
        &mut *tx,
        Some(&actor.person_id),
        if approve {
            "membership_approve"
        } else {
            "membership_refuse"
        },
        "person",
        person_id,
        &permit.building_id,
        now,
    )
    .await?;
    tx.commit().await?;
    cx.jobs_notify.notify_one();
    Ok(())
}
