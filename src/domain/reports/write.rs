//! Everything that changes a report. Each change records its domain event in the same
//! transaction (history now, notifications later); nothing here sends e-mail.

use super::categories;
use super::read::authorize;
use super::{Audience, MAX_COMMENT, MAX_PHOTOS, ReportDraft};
use crate::auth::Actor;
use crate::auth::authz::{self, Action, ReportAction, ReportPermit, ReportRelation};
use crate::db::report_items::{self as items, NewEvent};
use crate::db::reports::{self as rdb, ReportRow};
use crate::db::{self, people as pdb};
use crate::domain::Context;
use crate::domain::buildings;
use crate::domain::types::text;
use crate::domain::{AppError, AppResult};
use crate::vocab::ReportStatus;

fn event<'a>(
    kind: &'a str,
    permit_building: &'a str,
    report_id: &'a str,
    actor: &'a Actor,
    now: i64,
) -> NewEvent<'a> {
    NewEvent {
        kind,
        building_id: permit_building,
        report_id: Some(report_id),
        comment_id: None,
        actor_id: Some(&actor.person_id),
        audience: "all",
        audience_person_id: None,
        detail: "",
        now,
    }
}

/// Files a report (R1); returns its id. Urgent reports also record an `urgent_report`
/// event, which notifications deliver at once whatever the digest settings (R13).
pub async fn create(
    state: &Context,
    actor: &Actor,
    building_id: &str,
    draft: ReportDraft,
) -> AppResult<String> {
    let (building, permit) =
        buildings::authorize(state, actor, building_id, Action::CreateReport).await?;
    let known = categories::for_agency(state, &building.agency_id, actor.lang).await?;
    let valid = draft.parse(&known)?;

    let staff = authz::may_file_for_others(permit.role);
    let concerned_id = match draft.on_behalf_of.as_deref().filter(|p| !p.is_empty()) {
        Some(person) if staff => {
            let residents = pdb::memberships(&state.db.pool, person).await?;
            if !residents.iter().any(|m| {
                m.building_id == building.id
                    && crate::vocab::MemberRole::parse(&m.role).is_some_and(authz::is_resident)
            }) {
                return Err(AppError::invalid(
                    "on_behalf_of",
                    "error.person_not_resident",
                ));
            }
            person.to_string()
        }
        Some(_) => return Err(AppError::Forbidden),
        None => actor.person_id.clone(),
    };
    let neighbour = if draft.neighbour.is_empty() {
        None
    } else if !staff {
        return Err(AppError::Forbidden);
    } else if concerned_id != actor.person_id {
        // One or the other: a resident from the list, or a neighbour without an account.
        return Err(AppError::invalid(
            "neighbour_name",
            "error.neighbour_or_resident",
        ));
    } else {
        Some(draft.neighbour.parse()?)
    };
    let lot_id = pdb::memberships(&state.db.pool, &concerned_id)
        .await?
        .into_iter()
        .filter(|m| m.building_id == building.id)
        .find_map(|m| m.lot_id);
    // Council filter (R8): a referent's report stays with occupants and referents unless shared.
    let manager_visible = authz::report_visible_to_manager(
        permit.role,
        building.council_filter,
        draft.share_with_manager,
    );

    let id = db::new_id();
    let now = state.clock.now_ms();
    let location = [
        valid.location_part.as_str(),
        valid.location_floor.as_str(),
        valid.location_detail.as_str(),
    ]
    .join(" ");
    let search_text = super::search::document(&valid.title, &valid.description, &location);
    let due_at = crate::domain::service_levels::targets_for_building(state, &building.id)
        .await?
        .due_at(now, draft.urgent);
    let mut tx = state.db.begin().await?;
    rdb::insert(
        &mut *tx,
        state.db.backend,
        rdb::NewReport {
            id: &id,
            building_id: &building.id,
            author_id: &actor.person_id,
            concerned_id: &concerned_id,
            lot_id: lot_id.as_deref(),
            category: &valid.category,
            title: &valid.title,
            description: &valid.description,
            location_part: &valid.location_part,
            location_floor: &valid.location_floor,
            location_detail: &valid.location_detail,
            urgent: draft.urgent,
            manager_visible,
            search_text: &search_text,
            due_at,
            now,
        },
    )
    .await?;
    if let Some(n) = &neighbour {
        crate::db::neighbours::insert(&mut *tx, &id, n).await?;
    }
    rdb::follow(&mut *tx, &id, &actor.person_id, now).await?;
    rdb::follow(&mut *tx, &id, &concerned_id, now).await?;
    if manager_visible {
        crate::domain::notifications::schedule_overdue_digests(
            &mut tx,
            &building.agency_id,
            due_at,
            now,
        )
        .await?;
    }
    let detail = if concerned_id != actor.person_id {
        concerned_id.as_str()
    } else {
        ""
    };
    items::insert_event(
        &mut *tx,
        NewEvent {
            detail,
            ..event("report_created", &building.id, &id, actor, now)
        },
    )
    .await?;
    if draft.urgent {
        items::insert_event(
            &mut *tx,
            event("urgent_report", &building.id, &id, actor, now),
        )
        .await?;
    }
    tx.commit().await?;
    state.jobs_notify.notify_one();
    Ok(id)
}

/// Adds a comment (R4, R5, R10). The first public answer of a manager or referent moves
/// the report to in progress (R3). Returns the comment's id.
pub async fn comment(
    state: &Context,
    actor: &Actor,
    report_id: &str,
    body: &str,
    audience: Audience,
) -> AppResult<String> {
    comment_with_photos(state, actor, report_id, body, audience, Vec::new()).await
}

/// A comment with up to [`MAX_PHOTOS`] photos: all or nothing.
pub async fn comment_with_photos(
    state: &Context,
    actor: &Actor,
    report_id: &str,
    body: &str,
    audience: Audience,
    photos: Vec<Vec<u8>>,
) -> AppResult<String> {
    let action = match audience {
        Audience::All => ReportAction::Comment,
        Audience::Council | Audience::Person(_) => ReportAction::ChooseAudience,
        Audience::Landlord => ReportAction::PrivateThread,
    };
    let (report, permit) = authorize(state, actor, report_id, action).await?;
    if report.status == ReportStatus::Closed.as_str() {
        return Err(AppError::Conflict("error.report_closed"));
    }
    let body = text("body", body, MAX_COMMENT)?;
    if let Audience::Person(person) = &audience {
        let members = pdb::memberships(&state.db.pool, person).await?;
        if !members.iter().any(|m| m.building_id == report.building_id) {
            return Err(AppError::invalid("person_id", "error.person_not_resident"));
        }
        // The person must be able to open what they are told about (R5).
        let (_, building) = super::building_of(state, &report.building_id).await?;
        let reader = crate::domain::accounts::actor_by_id(state, person)
            .await?
            .ok_or(AppError::invalid("person_id", "error.person_not_resident"))?;
        if !authz::may_be_addressed(actor, &reader, &building, &report.facts()) {
            return Err(AppError::invalid("person_id", "error.person_cannot_see"));
        }
    }
    if photos.len() > MAX_PHOTOS as usize {
        return Err(AppError::invalid("photo", "error.too_many_photos"));
    }
    let stored = store_photos(state, report_id, photos).await?;
    let id = db::new_id();
    let outcome = insert_comment(
        state, actor, &report, &permit, &id, &body, audience, &stored,
    )
    .await;
    if outcome.is_err() {
        discard_photos(state, &stored).await;
    }
    outcome.map(|()| id)
}

/// Records a comment already authorized (also used by replies by e-mail, N6).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_comment(
    state: &Context,
    actor: &Actor,
    report: &ReportRow,
    permit: &ReportPermit,
    id: &str,
    body: &str,
    audience: Audience,
    photos: &[StoredPhoto],
) -> AppResult<()> {
    let report_id = report.id.as_str();
    let now = state.clock.now_ms();
    let mut tx = state.db.begin().await?;
    items::insert_comment(
        &mut *tx,
        items::NewComment {
            id,
            report_id,
            author_id: &actor.person_id,
            body,
            audience: audience.as_str(),
            audience_person_id: audience.person(),
            now,
        },
    )
    .await?;
    super::search::index_more(&mut *tx, state, report_id, audience.as_str(), body).await?;
    items::insert_event(
        &mut *tx,
        NewEvent {
            comment_id: Some(id),
            audience: audience.as_str(),
            audience_person_id: audience.person(),
            ..event("comment_added", &report.building_id, report_id, actor, now)
        },
    )
    .await?;
    // The private landlord thread must leave no trace a tenant could see, not even activity.
    if audience != Audience::Landlord {
        let staff = matches!(
            permit.relation,
            ReportRelation::Manager | ReportRelation::Referent
        );
        if staff && rdb::mark_answered(&mut *tx, report_id, now).await? {
            items::insert_event(
                &mut *tx,
                NewEvent {
                    detail: "in_progress",
                    ..event("status_changed", &report.building_id, report_id, actor, now)
                },
            )
            .await?;
        } else {
            rdb::touch(&mut *tx, report_id, now).await?;
        }
    }
    insert_photos(&mut tx, actor, report_id, Some(id), photos, now).await?;
    tx.commit().await?;
    state.jobs_notify.notify_one();
    Ok(())
}

async fn change_status(
    state: &Context,
    actor: &Actor,
    report: &ReportRow,
    status: &str,
    kind: &str,
) -> AppResult<()> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin().await?;
    rdb::set_status(&mut *tx, &report.id, status, now).await?;
    items::insert_event(
        &mut *tx,
        NewEvent {
            detail: status,
            ..event(kind, &report.building_id, &report.id, actor, now)
        },
    )
    .await?;
    tx.commit().await?;
    state.jobs_notify.notify_one();
    Ok(())
}

/// Closes a report (R6): manager, referent or its author.
pub async fn close(state: &Context, actor: &Actor, report_id: &str) -> AppResult<()> {
    let (report, _) = authorize(state, actor, report_id, ReportAction::Close).await?;
    if report.status == ReportStatus::Closed.as_str() {
        return Err(AppError::Conflict("error.report_already_closed"));
    }
    change_status(state, actor, &report, "closed", "report_closed").await
}

/// Closes a report with an optional closing note, posted to everyone first (issue 15).
pub async fn close_with_note(
    state: &Context,
    actor: &Actor,
    report_id: &str,
    note: &str,
) -> AppResult<()> {
    let (report, _) = authorize(state, actor, report_id, ReportAction::Close).await?;
    if report.status == ReportStatus::Closed.as_str() {
        return Err(AppError::Conflict("error.report_already_closed"));
    }
    if !note.trim().is_empty() {
        comment(state, actor, report_id, note, Audience::All).await?;
    }
    change_status(state, actor, &report, "closed", "report_closed").await
}

/// Reopens a closed report: managers only.
pub async fn reopen(state: &Context, actor: &Actor, report_id: &str) -> AppResult<()> {
    let (report, _) = authorize(state, actor, report_id, ReportAction::Reopen).await?;
    if report.status != ReportStatus::Closed.as_str() {
        return Err(AppError::Conflict("error.report_not_closed"));
    }
    change_status(state, actor, &report, "in_progress", "report_reopened").await
}

/// Removes a report as abuse or duplicate (R7): soft delete with a reason, kept for audit.
pub async fn remove(
    state: &Context,
    actor: &Actor,
    report_id: &str,
    reason: &str,
) -> AppResult<()> {
    let (report, _) = authorize(state, actor, report_id, ReportAction::Remove).await?;
    let reason = text("reason", reason, 500)?;
    if report.removed_at.is_some() {
        return Err(AppError::Conflict("error.report_already_removed"));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin().await?;
    rdb::remove(&mut *tx, report_id, &actor.person_id, &reason, now).await?;
    items::insert_event(
        &mut *tx,
        NewEvent {
            audience: "council",
            detail: &reason,
            ..event("report_removed", &report.building_id, report_id, actor, now)
        },
    )
    .await?;
    db::audit::record(
        &mut *tx,
        Some(&actor.person_id),
        "report_removed",
        "report",
        report_id,
        &reason,
        now,
    )
    .await?;
    tx.commit().await?;
    state.jobs_notify.notify_one();
    Ok(())
}

/// Shares a report kept by the council filter with the manager (R8).
pub async fn share(state: &Context, actor: &Actor, report_id: &str) -> AppResult<()> {
    let (report, _) = authorize(state, actor, report_id, ReportAction::Share).await?;
    if report.manager_visible != 0 {
        return Ok(());
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin().await?;
    rdb::share(&mut *tx, report_id, now).await?;
    items::insert_event(
        &mut *tx,
        event("report_shared", &report.building_id, report_id, actor, now),
    )
    .await?;
    tx.commit().await?;
    state.jobs_notify.notify_one();
    Ok(())
}

/// "Me too": follow an existing report instead of filing a duplicate (R2).
pub async fn follow(state: &Context, actor: &Actor, report_id: &str) -> AppResult<()> {
    let (report, _) = authorize(state, actor, report_id, ReportAction::Follow).await?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin().await?;
    if rdb::follow(&mut *tx, report_id, &actor.person_id, now).await? {
        items::insert_event(
            &mut *tx,
            event(
                "report_followed",
                &report.building_id,
                report_id,
                actor,
                now,
            ),
        )
        .await?;
    }
    tx.commit().await?;
    state.jobs_notify.notify_one();
    Ok(())
}

/// Stops following a report: no more news of it (issue 15).
pub async fn unfollow(state: &Context, actor: &Actor, report_id: &str) -> AppResult<()> {
    authorize(state, actor, report_id, ReportAction::Follow).await?;
    rdb::unfollow(&state.db.pool, report_id, &actor.person_id).await?;
    Ok(())
}

/// Stores a photo on a report or one of its comments; returns the photo's id.
pub async fn add_photo(
    state: &Context,
    actor: &Actor,
    report_id: &str,
    comment_id: Option<&str>,
    bytes: Vec<u8>,
) -> AppResult<String> {
    let ids = add_photos(state, actor, report_id, comment_id, vec![bytes]).await?;
    ids.into_iter()
        .next()
        .ok_or(AppError::invalid("photo", "error.photo_missing"))
}

/// Adds photos to a report (or one of its comments): every photo is checked before any is
/// kept, so a rejected request (one photo too many, one unreadable) stores nothing.
pub async fn add_photos(
    state: &Context,
    actor: &Actor,
    report_id: &str,
    comment_id: Option<&str>,
    photos: Vec<Vec<u8>>,
) -> AppResult<Vec<String>> {
    let action = if comment_id.is_some() {
        ReportAction::Comment
    } else {
        ReportAction::AddPhoto
    };
    let (report, _permit): (ReportRow, ReportPermit) =
        authorize(state, actor, report_id, action).await?;
    let already = if comment_id.is_none() {
        report.photo_count
    } else {
        0
    };
    if already + photos.len() as i64 > MAX_PHOTOS {
        return Err(AppError::invalid("photo", "error.too_many_photos"));
    }
    let stored = store_photos(state, report_id, photos).await?;
    let now = state.clock.now_ms();
    let recorded = async {
        let mut tx = state.db.begin().await?;
        insert_photos(&mut tx, actor, report_id, comment_id, &stored, now).await?;
        if comment_id.is_none() {
            for _ in &stored {
                items::insert_event(
                    &mut *tx,
                    event("photo_added", &report.building_id, report_id, actor, now),
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    if let Err(e) = recorded {
        discard_photos(state, &stored).await;
        return Err(e);
    }
    state.jobs_notify.notify_one();
    Ok(stored.into_iter().map(|p| p.id).collect())
}

async fn insert_photos(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    actor: &Actor,
    report_id: &str,
    comment_id: Option<&str>,
    photos: &[StoredPhoto],
    now: i64,
) -> AppResult<()> {
    for p in photos {
        items::insert_photo(
            &mut **tx,
            items::NewPhoto {
                id: &p.id,
                report_id,
                comment_id,
                uploader_id: &actor.person_id,
                object_key: &p.object_key,
                thumb_key: &p.thumb_key,
                width: p.width,
                height: p.height,
                now,
                from_provider: false,
            },
        )
        .await?;
    }
    Ok(())
}

/// A photo checked, re-encoded and in the file store, waiting for its database row.
#[derive(Debug)]
pub struct StoredPhoto {
    pub id: String,
    pub object_key: String,
    pub thumb_key: String,
    pub width: i64,
    pub height: i64,
}

/// Checks and re-encodes every photo, then stores them: one bad photo rejects them all
/// before any file is written. The caller records them, or calls [`discard_photos`].
pub async fn store_photos(
    state: &Context,
    report_id: &str,
    photos: Vec<Vec<u8>>,
) -> AppResult<Vec<StoredPhoto>> {
    let mut processed = Vec::with_capacity(photos.len());
    for bytes in photos {
        processed.push(state.photo_pool.process(bytes).await.map_err(|e| match e {
            crate::photos::PhotoError::Busy => AppError::Busy,
            crate::photos::PhotoError::Encode(_) => AppError::Internal(e.to_string()),
            other => AppError::invalid("photo", other.message_key()),
        })?);
    }
    let mut stored = Vec::with_capacity(processed.len());
    for photo in processed {
        let id = db::new_id();
        let p = StoredPhoto {
            object_key: format!("photos/{report_id}/{id}.jpg"),
            thumb_key: format!("photos/{report_id}/{id}_thumb.jpg"),
            width: i64::from(photo.width),
            height: i64::from(photo.height),
            id,
        };
        let put = async {
            state.files.put(&p.object_key, photo.full.into()).await?;
            state.files.put(&p.thumb_key, photo.thumb.into()).await
        };
        let outcome = put.await;
        stored.push(p);
        if let Err(e) = outcome {
            discard_photos(state, &stored).await;
            return Err(AppError::from(e));
        }
    }
    Ok(stored)
}

/// Removes stored photo files whose rows were never written (best effort: an orphan file
/// is invisible, only wasted space).
pub async fn discard_photos(state: &Context, photos: &[StoredPhoto]) {
    for p in photos {
        for key in [&p.object_key, &p.thumb_key] {
            if let Err(e) = state.files.delete(key).await {
                tracing::warn!(key = %key, error = %e, "could not remove an unrecorded photo");
            }
        }
    }
}

/// Assigns a report to one staff member of its building (a manager of the agency, a
/// council referent or a caretaker: seed 002's levels), or unassigns it with `None` (D5).
/// Someone who is not staff there, or who may not see the report, is refused (422). The
/// assignee is told at once, in the app and by e-mail; the history shows it to staff.
pub async fn assign(
    state: &Context,
    actor: &Actor,
    report_id: &str,
    person_id: Option<&str>,
) -> AppResult<()> {
    let (report, permit) = authorize(state, actor, report_id, ReportAction::Assign).await?;
    let (_, building) = super::building_of(state, &report.building_id).await?;
    let not_staff = || AppError::invalid("person_id", "error.assignee_not_staff");
    let assignee = match person_id.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => {
            if p.len() > 64 {
                return Err(not_staff());
            }
            let person = crate::domain::accounts::actor_by_id(state, p)
                .await?
                .ok_or_else(not_staff)?;
            if !authz::may_be_assigned(&person, &building, &report.facts()) {
                return Err(not_staff());
            }
            Some(person)
        }
        None => None,
    };
    let now = state.clock.now_ms();
    let mut tx = state.db.begin().await?;
    let to = assignee.as_ref().map(|a| a.person_id.as_str());
    if !rdb::set_assignee(&mut *tx, report_id, to, now).await? {
        // Already so: nothing to record or tell.
        return Ok(());
    }
    let new_event = match &assignee {
        Some(person) => NewEvent {
            audience: "person",
            audience_person_id: Some(&person.person_id),
            detail: &person.name,
            ..event(
                "report_assigned",
                &permit.building_id,
                report_id,
                actor,
                now,
            )
        },
        None => NewEvent {
            audience: "council",
            ..event(
                "report_unassigned",
                &permit.building_id,
                report_id,
                actor,
                now,
            )
        },
    };
    items::insert_event(&mut *tx, new_event).await?;
    tx.commit().await?;
    state.jobs_notify.notify_one();
    Ok(())
}
