//! Invitations (B8): people the agency imported or added get a single-use, expiring link to
//! choose their password and accept the charter. No password is ever e-mailed. The links are
//! the password-reset machinery's, with their own purpose.

use crate::auth::authz::Action;
use crate::auth::{Actor, password, secret};
use crate::clock::DAY_MS;
use crate::db::portfolio as pdb;
use crate::db::{people as people_db, sessions as sdb};
use crate::domain::accounts::CHARTER_VERSION;
use crate::domain::types::NewPassword;
use crate::domain::{AppError, AppResult, Context, buildings};
use crate::i18n::Lang;

/// How long an invitation link works.
pub const VALIDITY_MS: i64 = 14 * DAY_MS;

/// Who is invited, and to which building (named in the e-mail).
pub struct Invitee<'a> {
    pub person_id: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub lang: Lang,
    pub building: &'a str,
}

/// Stores a new link and queues its e-mail, inside the caller's transaction.
pub async fn issue(
    cx: &Context,
    conn: &mut sqlx::AnyConnection,
    who: &Invitee<'_>,
    now: i64,
) -> AppResult<()> {
    let token = secret::new_token();
    let link = format!("{}/invitation/{token}", cx.config.base_url);
    let email =
        crate::mail::messages::invitation(who.lang, who.email, who.name, who.building, &link)?;
    pdb::create_invitation(
        &mut *conn,
        &secret::digest(&token),
        who.person_id,
        now + VALIDITY_MS,
    )
    .await?;
    crate::mail::enqueue(&mut *conn, &email, now).await?;
    Ok(())
}

/// Invites one member of a building who has no password yet (again: an earlier link stops
/// working). Someone who already signs in is not invited (409).
pub async fn invite_member(
    cx: &Context,
    actor: &Actor,
    building_id: &str,
    person_id: &str,
) -> AppResult<()> {
    let (building, permit) =
        buildings::authorize(cx, actor, building_id, Action::ManagePeople).await?;
    if !pdb::is_member(&cx.db.pool, person_id, &permit.building_id).await? {
        return Err(AppError::NotFound);
    }
    let person = pdb::person_by_id(&cx.db.pool, person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if person.active != 0 {
        return Err(AppError::Conflict("error.already_signed_up"));
    }
    let now = cx.clock.now_ms();
    let mut tx = cx.db.begin().await?;
    pdb::spend_invitations_of(&mut *tx, person_id, now).await?;
    let invitee = Invitee {
        person_id,
        name: &person.name,
        email: &person.email,
        lang: Lang::parse(&person.lang).unwrap_or_default(),
        building: &building.name,
    };
    issue(cx, &mut tx, &invitee, now).await?;
    crate::db::audit::record(
        &mut *tx,
        Some(&actor.person_id),
        "invitation_sent",
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

/// Whom a live link invites (the page greets them by name).
pub struct Invitation {
    pub name: String,
    pub email: String,
}

pub async fn invitation(cx: &Context, token: &str) -> AppResult<Invitation> {
    let gone = AppError::Gone("error.invitation_invalid");
    let person_id = pdb::invitation_person(&cx.db.pool, &secret::digest(token), cx.clock.now_ms())
        .await?
        .ok_or(gone)?;
    let person = pdb::person_by_id(&cx.db.pool, &person_id)
        .await?
        .ok_or(AppError::Gone("error.invitation_invalid"))?;
    Ok(Invitation {
        name: person.name,
        email: person.email,
    })
}

/// Sets the password and records the charter from a live link (which is then spent, with
/// every other invitation and reset link of the person); returns the person's id.
pub async fn accept(
    cx: &Context,
    token: &str,
    new_password: &str,
    accept_charter: bool,
) -> AppResult<String> {
    let new_password = NewPassword::parse(new_password)?;
    if !accept_charter {
        return Err(AppError::invalid(
            "accept_charter",
            "error.charter_required",
        ));
    }
    let hash = password::hash(new_password.expose().to_string()).await?;
    let now = cx.clock.now_ms();
    let mut tx = cx.db.begin().await?;
    let person_id = pdb::consume_invitation(&mut *tx, &secret::digest(token), now)
        .await?
        .ok_or(AppError::Gone("error.invitation_invalid"))?;
    people_db::set_password(&mut *tx, &person_id, &hash).await?;
    people_db::accept_charter(&mut *tx, &person_id, CHARTER_VERSION, now).await?;
    sdb::spend_resets_of(&mut *tx, &person_id, now).await?;
    crate::db::audit::record(
        &mut *tx,
        Some(&person_id),
        "invitation_accepted",
        "person",
        &person_id,
        "",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(person_id)
}
