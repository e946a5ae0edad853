//! Moving out and residence edits (issue onboarding, item 7). A residence ends at once (the
//! membership moves to `past_memberships`); what the person wrote stays in the building's
//! history. Changing a resident's lot or owner/tenant status is an audited edit.

use super::{AppError, AppResult, Context};
use crate::auth::Actor;
use crate::auth::authz::{self, Action, Permit};
use crate::db::{buildings as bdb, lifecycle as ldb};
use crate::domain::types::{LotLabel, occupancy};

/// Ends a person's residence in a building: by the person, or by its manager.
pub async fn end_residence(
    cx: &Context,
    actor: &Actor,
    building_id: &str,
    person_id: &str,
) -> AppResult<()> {
    let building = bdb::by_id(&cx.db.pool, building_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let reference = authz::BuildingRef {
        id: building.id.clone(),
        agency_id: building.agency_id.clone(),
    };
    let own = authz::check_end_residence(actor, &reference, person_id)?;
    let now = cx.clock.now_ms();
    let mut tx = cx.db.begin().await?;
    let lot = ldb::residence(&mut *tx, building_id, person_id)
        .await?
        .and_then(|r| r.lot)
        .unwrap_or_else(|| "—".to_string());
    let ended = ldb::end_residence(&mut tx, building_id, person_id, &actor.person_id, now).await?;
    if ended == 0 {
        return Err(AppError::NotFound);
    }
    crate::db::owned_lots::end(&mut tx, person_id, building_id).await?;
    if own {
        tell_managers(cx, &mut tx, &building, actor, &lot, now).await?;
    }
    crate::db::audit::record(
        &mut *tx,
        Some(&actor.person_id),
        if own { "move_out" } else { "end_residence" },
        "person",
        person_id,
        building_id,
        now,
    )
    .await?;
    tx.commit().await?;
    if own {
        cx.jobs_notify.notify_one();
    }
    Ok(())
}

/// Someone moved out by themself: the agency's managers get a notification and an e-mail
/// (at once: the lot may need a new occupant, the landlord a word).
async fn tell_managers(
    cx: &Context,
    tx: &mut sqlx::AnyConnection,
    building: &bdb::BuildingRow,
    person: &Actor,
    lot: &str,
    now: i64,
) -> AppResult<()> {
    let event_id = crate::db::new_id();
    let managers =
        ldb::notify_departure(tx, &event_id, &building.id, &person.person_id, lot, now).await?;
    let base = &cx.config.base_url;
    let link = format!("{base}/buildings/{}/former", building.id);
    let settings = format!("{base}/account/notifications");
    let domain = base
        .split("://")
        .nth(1)
        .unwrap_or(base)
        .split(['/', ':'])
        .next()
        .unwrap_or("palier");
    for m in managers {
        let lang = crate::i18n::Lang::parse(&m.lang).unwrap_or_default();
        let headline = lang.tf(
            "event.member_left",
            &[("who", lang.person(&person.name)), ("detail", lot)],
        );
        let email = crate::mail::messages::event(crate::mail::messages::EventMail {
            lang,
            to: &m.email,
            name: &m.name,
            subject: lang.tf(
                "mail.subject.member_left",
                &[("building", &building.name), ("who", &person.name)],
            ),
            headline: &headline,
            comment: None,
            facts: &[],
            photos: &[],
            link: &link,
            settings: &settings,
            // A notice about a person, not a thread: nothing to answer.
            reply_to: None,
            message_id: format!("{event_id}.{}@{domain}", m.id),
            thread_id: None,
        })?;
        crate::mail::enqueue(&mut *tx, &email, now).await?;
    }
    Ok(())
}

/// Changes a resident's lot and owner/tenant status (managers), kept in the audit trail
/// as `lot:<old>→<new> occupancy:<old>→<new>`.
pub async fn edit_residence(
    cx: &Context,
    actor: &Actor,
    permit: &Permit,
    person_id: &str,
    lot: &str,
    occupancy_raw: &str,
) -> AppResult<()> {
    debug_assert_eq!(permit.action, Action::ManageMemberships);
    let lot = LotLabel::parse(lot)?;
    let occupancy = occupancy(occupancy_raw)?;
    let now = cx.clock.now_ms();
    let mut tx = cx.db.begin().await?;
    let before = ldb::residence(&mut *tx, &permit.building_id, person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lot_id = bdb::find_or_create_lot(&mut tx, &permit.building_id, lot.as_str()).await?;
    ldb::update_residence(
        &mut *tx,
        &permit.building_id,
        person_id,
        &lot_id,
        occupancy.as_str(),
    )
    .await?;
    let detail = format!(
        "{} lot:{}→{} occupancy:{}→{}",
        permit.building_id,
        before.lot.unwrap_or_default(),
        lot.as_str(),
        before.occupancy.unwrap_or_default(),
        occupancy.as_str()
    );
    crate::db::audit::record(
        &mut *tx,
        Some(&actor.person_id),
        "residence_edit",
        "person",
        person_id,
        &detail,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Someone who lived in the building.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Former {
    pub person_id: String,
    /// Empty once their data is erased.
    pub name: String,
    pub email: String,
    pub lot: Option<String>,
    /// When they left, in milliseconds since the epoch.
    pub ended_at: i64,
    pub erased: bool,
}

pub struct FormerPage {
    pub items: Vec<Former>,
    pub next_cursor: Option<String>,
}

/// Residents per page of the former residents list.
pub const PAGE_SIZE: i64 = 50;

/// A building's former residents, most recent departure first (managers).
pub async fn former(cx: &Context, permit: &Permit, cursor: Option<&str>) -> AppResult<FormerPage> {
    debug_assert_eq!(permit.action, Action::ManageMemberships);
    let before = match cursor.filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => {
            let (at, id) = c
                .split_once('_')
                .ok_or(AppError::invalid("cursor", "error.cursor_invalid"))?;
            let at = at
                .parse::<i64>()
                .map_err(|_| AppError::invalid("cursor", "error.cursor_invalid"))?;
            Some((at, id.to_string()))
        }
    };
    let mut rows = ldb::former_of_building(
        &cx.db.pool,
        &permit.building_id,
        before.as_ref().map(|(at, id)| (*at, id.as_str())),
        PAGE_SIZE + 1,
    )
    .await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let next_cursor = more
        .then(|| rows.last().map(|r| format!("{}_{}", r.ended_at, r.id)))
        .flatten();
    Ok(FormerPage {
        items: rows
            .into_iter()
            .map(|r| Former {
                erased: r.erased_at.is_some(),
                email: if r.erased_at.is_some() {
                    String::new()
                } else {
                    r.email
                },
                person_id: r.person_id,
                name: r.name,
                lot: r.lot,
                ended_at: r.ended_at,
            })
            .collect(),
        next_cursor,
    })
}
