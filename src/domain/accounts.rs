//! Accounts: registration with a building code, login, sessions, tokens, password changes.

use super::types::{Email, LotLabel, NewPassword, Occupancy, PersonName};
use super::{AppError, AppResult, inbox, is_unique_violation, throttle};
use crate::auth::{Actor, password, secret};
use crate::clock::{DAY_MS, HOUR_MS, MINUTE_MS};
use crate::db::{self, buildings as bdb, people as pdb, sessions as sdb, throttle as tdb};
use crate::domain::Context;
use crate::i18n::Lang;
use crate::vocab::{MemberRole, ReferentKind};

/// The charter occupants accept when registering; bump when its text changes.
pub const CHARTER_VERSION: &str = "2026-11";
/// Failed logins allowed per account within [`THROTTLE_WINDOW_MS`].
pub const MAX_LOGIN_FAILURES: i64 = 5;
pub const THROTTLE_WINDOW_MS: i64 = 15 * MINUTE_MS;
const RESET_VALIDITY_MS: i64 = HOUR_MS;
/// Reset links sent to one person per hour, at most.
pub const MAX_RESETS_PER_HOUR: i64 = 3;

pub struct Registration {
    pub building_code: String,
    pub name: PersonName,
    pub email: Email,
    pub password: NewPassword,
    pub lot: LotLabel,
    pub occupancy: Occupancy,
    pub lang: Lang,
}

impl Registration {
    /// Parses raw input; the first invalid field is reported.
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        building_code: &str,
        name: &str,
        email: &str,
        password: &str,
        lot: &str,
        occupancy: &str,
        accept_charter: bool,
        lang: Lang,
    ) -> AppResult<Registration> {
        let reg = Registration {
            building_code: building_code.trim().to_uppercase(),
            name: PersonName::parse(name)?,
            email: Email::parse(email)?,
            password: NewPassword::parse(password)?,
            lot: LotLabel::parse(lot)?,
            occupancy: super::types::occupancy(occupancy)?,
            lang,
        };
        if !accept_charter {
            return Err(AppError::invalid(
                "accept_charter",
                "error.charter_required",
            ));
        }
        Ok(reg)
    }
}

/// Creates the person and their occupant membership; returns the new person's id.
/// Wrong codes count against the client address (`throttle::WRONG_CODES`): codes cannot
/// be guessed at speed.
pub async fn register(
    state: &Context,
    reg: Registration,
    client: std::net::IpAddr,
) -> AppResult<(String, String)> {
    let guess = throttle::attempt(state, throttle::WRONG_CODES, &client.to_string()).await?;
    if reg.building_code.is_empty() || reg.building_code.len() > 32 {
        return Err(AppError::NotFound);
    }
    let building = bdb::by_code(&state.db.pool, &reg.building_code)
        .await?
        .ok_or(AppError::NotFound)?;
    guess.succeeded(state).await?;
    if pdb::by_email(&state.db.pool, reg.email.as_str())
        .await?
        .is_some()
    {
        return Err(AppError::invalid("email", "error.email_taken"));
    }
    let hash = password::hash(reg.password.expose().to_string()).await?;
    let now = state.clock.now_ms();
    let id = db::new_id();
    let mut tx = state.db.begin().await?;
    let inserted = pdb::insert(
        &mut *tx,
        pdb::NewPerson {
            id: &id,
            name: reg.name.as_str(),
            email: reg.email.as_str(),
            password_hash: &hash,
            lang: reg.lang.code(),
            is_admin: false,
            now,
        },
    )
    .await
    .map_err(AppError::from);
    match inserted {
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::invalid("email", "error.email_taken"));
        }
        other => other?,
    }
    let lot_id = bdb::find_or_create_lot(&mut tx, &building.id, reg.lot.as_str()).await?;
    pdb::accept_charter(&mut *tx, &id, CHARTER_VERSION, now).await?;
    if crate::db::lifecycle::needs_approval(&mut *tx, &building.id).await? {
        // Seed 001: the person waits, member of nothing, until someone approves them; the
        // approval e-mail is their welcome.
        super::approval::request(
            state,
            &mut tx,
            super::approval::Request {
                person_id: &id,
                person_name: reg.name.as_str(),
                building_id: &building.id,
                building_name: &building.name,
                lot_id: &lot_id,
                lot: reg.lot.as_str(),
                occupancy: reg.occupancy.as_str(),
                now,
            },
        )
        .await?;
        crate::db::audit::record(
            &mut *tx,
            Some(&id),
            "register_pending",
            "building",
            &building.id,
            "",
            now,
        )
        .await?;
        tx.commit().await?;
        state.jobs_notify.notify_one();
        return Ok((id, building.id));
    }
    pdb::insert_membership(
        &mut *tx,
        pdb::NewMembership {
            person_id: &id,
            building_id: &building.id,
            role: "occupant",
            occupancy: Some(reg.occupancy.as_str()),
            referent_kind: None,
            lot_id: Some(&lot_id),
            now,
        },
    )
    .await?;
    let link = format!("{}/buildings/{}", state.config.base_url, building.id);
    let email = crate::mail::messages::welcome(
        reg.lang,
        reg.email.as_str(),
        reg.name.as_str(),
        &building.name,
        &link,
    )?;
    crate::mail::enqueue(&mut *tx, &email, now).await?;
    crate::db::audit::record(
        &mut *tx,
        Some(&id),
        "register",
        "building",
        &building.id,
        "",
        now,
    )
    .await?;
    tx.commit().await?;
    state.jobs_notify.notify_one();
    Ok((id, building.id))
}

/// Checks credentials, throttled per client address and per account; returns the
/// person's id. An account under attack is not locked for its owner for long: they get an
/// e-mailed unlock link (and a password reset lifts the lock too).
pub async fn authenticate(
    state: &Context,
    email: &str,
    password_typed: &str,
    client: std::net::IpAddr,
) -> AppResult<String> {
    let email = email.trim().to_lowercase();
    let now = state.clock.now_ms();
    let from_address =
        throttle::attempt(state, throttle::LOGIN_FAILURES, &client.to_string()).await?;
    // Recorded as a failure before the check and counted after, so concurrent guesses all
    // see one another (see `domain::throttle`).
    let failure = sdb::record_login_failure(&state.db.pool, &email, now).await?;
    let failures =
        sdb::login_failures_since(&state.db.pool, &email, now - THROTTLE_WINDOW_MS).await?;
    if failures > MAX_LOGIN_FAILURES {
        // No password was checked: neither the account nor the address is charged.
        sdb::delete_login_failure(&state.db.pool, &failure).await?;
        from_address.succeeded(state).await?;
        offer_unlock(state, &email).await?;
        return Err(AppError::TooManyRequests);
    }
    let person = pdb::by_email(&state.db.pool, &email).await?;
    let stored = person
        .as_ref()
        .map(|p| p.password_hash.clone())
        // Imported people have no password yet: same timing as an unknown address.
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| password::DUMMY_HASH.to_string());
    let ok = password::verify(password_typed.to_string(), stored).await;
    match (ok, person) {
        (true, Some(p)) => {
            sdb::clear_login_failures(&state.db.pool, &email).await?;
            from_address.succeeded(state).await?;
            Ok(p.id)
        }
        _ => {
            if failures == MAX_LOGIN_FAILURES {
                offer_unlock(state, &email).await?;
            }
            Err(AppError::Unauthorized("error.bad_credentials"))
        }
    }
}

/// How long an unlock link works.
const UNLOCK_VALIDITY_MS: i64 = HOUR_MS;

/// E-mails the owner of a locked account a link that lifts the lock, unless one is
/// still outstanding: an attacker cannot flood the inbox.
async fn offer_unlock(state: &Context, email: &str) -> AppResult<()> {
    let Some(person) = pdb::by_email(&state.db.pool, email).await? else {
        return Ok(());
    };
    let now = state.clock.now_ms();
    if tdb::live_unlocks(&state.db.pool, email, now).await? > 0 {
        return Ok(());
    }
    let token = secret::new_token();
    let lang = Lang::parse(&person.lang).unwrap_or_default();
    let link = format!("{}/login/unlock/{token}", state.config.base_url);
    let message = crate::mail::messages::login_unlock(lang, &person.email, &person.name, &link)?;
    let mut tx = state.db.begin().await?;
    tdb::create_unlock(
        &mut *tx,
        &secret::digest(&token),
        email,
        now + UNLOCK_VALIDITY_MS,
    )
    .await?;
    crate::mail::enqueue(&mut *tx, &message, now).await?;
    tx.commit().await?;
    state.jobs_notify.notify_one();
    Ok(())
}

/// Lifts an account's login lock from an e-mailed link (single use).
pub async fn unlock_login(state: &Context, token: &str) -> AppResult<()> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin().await?;
    let email = tdb::consume_unlock(&mut *tx, &secret::digest(token), now)
        .await?
        .ok_or(AppError::Gone("error.unlock_link_invalid"))?;
    sdb::clear_login_failures(&mut *tx, &email).await?;
    tx.commit().await?;
    Ok(())
}

/// Opens a browser session; the returned secret goes in the cookie. Any session the browser
/// presented before is ended (rotation at login).
pub async fn open_session(
    state: &Context,
    person_id: &str,
    previous: Option<&str>,
) -> AppResult<String> {
    let token = secret::new_token();
    let now = state.clock.now_ms();
    if let Some(prev) = previous {
        sdb::delete_session(&state.db.pool, &secret::digest(prev)).await?;
    }
    sdb::create_session(
        &state.db.pool,
        &secret::digest(&token),
        person_id,
        now,
        now + state.config.session_days * DAY_MS,
    )
    .await?;
    Ok(token)
}

pub async fn close_session(state: &Context, token: &str) -> AppResult<()> {
    sdb::delete_session(&state.db.pool, &secret::digest(token)).await?;
    Ok(())
}

/// Issues a personal API token; the secret is shown once.
pub async fn create_api_token(state: &Context, person_id: &str, name: &str) -> AppResult<String> {
    let name = super::types::optional_text("name", name, 80)?;
    let name = if name.is_empty() {
        "api".to_string()
    } else {
        name
    };
    let token = format!("plr_{}", secret::new_token());
    sdb::create_api_token(
        &state.db.pool,
        &db::new_id(),
        person_id,
        &secret::digest(&token),
        &name,
        state.clock.now_ms(),
    )
    .await?;
    Ok(token)
}

pub async fn revoke_api_token(
    state: &Context,
    person_id: &str,
    id_or_token: &str,
) -> AppResult<()> {
    let key = if id_or_token.starts_with("plr_") {
        secret::digest(id_or_token)
    } else {
        id_or_token.to_string()
    };
    match sdb::revoke_api_token(&state.db.pool, person_id, &key, state.clock.now_ms()).await? {
        0 => Err(AppError::NotFound),
        _ => Ok(()),
    }
}

/// Who a session cookie or a bearer token belongs to, with their memberships, and for a
/// session their unread notifications (up to the cap).
pub async fn load_actor(
    state: &Context,
    session: Option<&str>,
    bearer: Option<&str>,
) -> AppResult<Option<(Actor, i64)>> {
    let (token, is_session) = match (session, bearer) {
        (_, Some(token)) => (token, false),
        (Some(token), None) => (token, true),
        (None, None) => return Ok(None),
    };
    let hash = secret::digest(token);
    let now = state.clock.now_ms();
    Ok(
        pdb::by_credential(&state.db.pool, &hash, is_session, now, inbox::UNREAD_CAP)
            .await?
            .map(|(person, relations, unread)| (actor_with(person, relations), unread)),
    )
}

/// A person with every relation authorization needs (also used to filter notifications).
pub async fn actor_by_id(state: &Context, person_id: &str) -> AppResult<Option<Actor>> {
    match pdb::by_id(&state.db.pool, person_id).await? {
        Some(person) => Ok(Some(actor_from(state, person).await?)),
        None => Ok(None),
    }
}

/// The actor for an already loaded person: adds their memberships and agencies.
pub async fn actor_from(state: &Context, person: pdb::PersonRow) -> AppResult<Actor> {
    let relations = pdb::relations(&state.db.pool, &person.id).await?;
    Ok(actor_with(person, relations))
}

fn actor_with(person: pdb::PersonRow, (memberships, agencies): pdb::Relations) -> Actor {
    Actor {
        person_id: person.id,
        name: person.name,
        email: person.email,
        lang: Lang::parse(&person.lang).unwrap_or_default(),
        is_admin: person.is_admin != 0,
        agencies,
        // The schema's CHECK constraints keep roles to known words; anything else is
        // ignored, so an unreadable membership grants nothing.
        memberships: memberships.into_iter().filter_map(membership).collect(),
    }
}

/// A stored membership for authorization; an unknown role grants nothing.
pub(crate) fn membership(m: pdb::MembershipRow) -> Option<crate::auth::Membership> {
    Some(crate::auth::Membership {
        role: MemberRole::parse(&m.role)?,
        occupancy: m.occupancy.as_deref().and_then(Occupancy::parse),
        referent_kind: m.referent_kind.as_deref().and_then(ReferentKind::parse),
        building_id: m.building_id,
        lot_id: m.lot_id,
    })
}

/// The members of one building as actors, with their memberships there only (enough for
/// rules about that building's reports; agency staff are not members).
pub(crate) async fn members_as_actors(state: &Context, building_id: &str) -> AppResult<Vec<Actor>> {
    let mut out: Vec<Actor> = Vec::new();
    for row in pdb::memberships_in(&state.db.pool, building_id).await? {
        let Some(m) = membership(row.membership) else {
            continue;
        };
        match out.last_mut() {
            Some(a) if a.person_id == row.person_id => a.memberships.push(m),
            _ => out.push(Actor {
                person_id: row.person_id,
                name: String::new(),
                email: String::new(),
                lang: Lang::default(),
                is_admin: false,
                agencies: Vec::new(),
                memberships: vec![m],
            }),
        }
    }
    Ok(out)
}

pub async fn change_password(
    state: &Context,
    actor: &Actor,
    current: &str,
    new: &str,
    keep_session: &str,
) -> AppResult<()> {
    let new = NewPassword::parse(new)?;
    let person = pdb::by_id(&state.db.pool, &actor.person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !password::verify(current.to_string(), person.password_hash).await {
        return Err(AppError::invalid(
            "current_password",
            "error.current_password_wrong",
        ));
    }
    let hash = password::hash(new.expose().to_string()).await?;
    let mut tx = state.db.begin().await?;
    let now = state.clock.now_ms();
    pdb::set_password(&mut *tx, &actor.person_id, &hash).await?;
    // Whoever held the old password may hold a session, a token or a reset link: all end,
    // but the browser session making the change.
    sdb::delete_sessions_of(&mut *tx, &actor.person_id, &secret::digest(keep_session)).await?;
    sdb::revoke_api_tokens_of(&mut *tx, &actor.person_id, now).await?;
    sdb::spend_resets_of(&mut *tx, &actor.person_id, now).await?;
    crate::db::audit::record(
        &mut *tx,
        Some(&actor.person_id),
        "password_change",
        "person",
        &actor.person_id,
        "",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sends a single-use reset link when the address is known; says nothing either way.
pub async fn request_reset(state: &Context, email: &str) -> AppResult<()> {
    let Ok(email) = Email::parse(email) else {
        return Ok(());
    };
    let Some(person) = pdb::by_email(&state.db.pool, email.as_str()).await? else {
        return Ok(());
    };
    let now = state.clock.now_ms();
    // A few links an hour at most: the form must not become a way to flood someone's inbox.
    let recent = sdb::resets_expiring_after(
        &state.db.pool,
        &person.id,
        now - HOUR_MS + RESET_VALIDITY_MS,
    )
    .await?;
    if recent >= MAX_RESETS_PER_HOUR {
        return Ok(());
    }
    let token = secret::new_token();
    let lang = Lang::parse(&person.lang).unwrap_or_default();
    let link = format!("{}/password/reset/{token}", state.config.base_url);
    let message = crate::mail::messages::password_reset(lang, &person.email, &person.name, &link)?;
    let mut tx = state.db.begin().await?;
    sdb::create_reset(
        &mut *tx,
        &secret::digest(&token),
        &person.id,
        now + RESET_VALIDITY_MS,
    )
    .await?;
    crate::mail::enqueue(&mut *tx, &message, now).await?;
    tx.commit().await?;
    state.jobs_notify.notify_one();
    Ok(())
}

/// Sets a new password from a reset link and ends every session, API token and other reset
/// link of that person.
pub async fn reset_password(state: &Context, token: &str, new: &str) -> AppResult<String> {
    let new = NewPassword::parse(new)?;
    let hash = password::hash(new.expose().to_string()).await?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin().await?;
    let person_id = sdb::consume_reset(&mut *tx, &secret::digest(token), now)
        .await?
        .ok_or(AppError::invalid("token", "error.reset_link_invalid"))?;
    pdb::set_password(&mut *tx, &person_id, &hash).await?;
    sdb::delete_sessions_of(&mut *tx, &person_id, "").await?;
    sdb::revoke_api_tokens_of(&mut *tx, &person_id, now).await?;
    sdb::spend_resets_of(&mut *tx, &person_id, now).await?;
    if let Some(person) = pdb::by_id(&mut *tx, &person_id).await? {
        sdb::clear_login_failures(&mut *tx, &person.email).await?;
    }
    crate::db::audit::record(
        &mut *tx,
        Some(&person_id),
        "password_reset",
        "person",
        &person_id,
        "",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(person_id)
}

pub async fn update_profile(
    state: &Context,
    actor: &Actor,
    name: &str,
    phone: &str,
    lang: &str,
) -> AppResult<()> {
    let name = PersonName::parse(name)?;
    let phone = super::types::optional_text("phone", phone, 30)?;
    let lang = Lang::parse(lang).ok_or(AppError::invalid("lang", "error.lang_invalid"))?;
    pdb::update_profile(
        &state.db.pool,
        &actor.person_id,
        name.as_str(),
        &phone,
        lang.code(),
    )
    .await?;
    Ok(())
}

/// What the account page shows of a person.
pub struct Profile {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub lang: String,
    pub tokens: Vec<ApiToken>,
}

/// An API token, by its name; the secret itself is shown once, at creation.
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub created_at: i64,
}

/// The account page: the person's profile and their API tokens.
pub async fn profile(state: &Context, actor: &Actor) -> AppResult<Profile> {
    let person = pdb::by_id(&state.db.pool, &actor.person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let tokens = crate::db::sessions::api_tokens_of(&state.db.pool, &actor.person_id)
        .await?
        .into_iter()
        .map(|t| ApiToken {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
        })
        .collect();
    Ok(Profile {
        name: person.name,
        email: person.email,
        phone: person.phone,
        lang: person.lang,
        tokens,
    })
}

/// Remembers the language a person chose.
pub async fn set_lang(state: &Context, actor: &Actor, lang: Lang) -> AppResult<()> {
    pdb::set_lang(&state.db.pool, &actor.person_id, lang.code()).await?;
    Ok(())
}
