//! A person's e-mail address (changed only once the new address proves it receives mail)
//! and time zone (the daily digest arrives at 08:00 in it).

use super::types::Email;
use super::{AppError, AppResult, Context, is_unique_violation};
use crate::auth::{Actor, password, secret};
use crate::clock::DAY_MS;
use crate::db::{account_settings as adb, people as pdb, sessions as sdb};

/// How long the confirmation link sent to the new address works.
const EMAIL_CHANGE_VALIDITY_MS: i64 = DAY_MS;

/// Sends a confirmation link to the new address; nothing changes until it is followed.
/// The password confirms it is the account's owner asking.
pub async fn request_email_change(
    cx: &Context,
    actor: &Actor,
    new_email: &str,
    password_typed: &str,
) -> AppResult<()> {
    let email = Email::parse(new_email)?;
    let person = pdb::by_id(&cx.db.pool, &actor.person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !password::verify(password_typed.to_string(), person.password_hash).await {
        return Err(AppError::invalid(
            "password",
            "error.current_password_wrong",
        ));
    }
    if email.as_str() == person.email {
        return Err(AppError::invalid("email", "error.email_unchanged"));
    }
    if pdb::by_email(&cx.db.pool, email.as_str()).await?.is_some() {
        return Err(AppError::invalid("email", "error.email_taken"));
    }
    let now = cx.clock.now_ms();
    let token = secret::new_token();
    let link = format!("{}/account/email/{token}", cx.config.base_url);
    let lang = actor.lang;
    let args = [("name", person.name.as_str()), ("link", link.as_str())];
    let message = crate::mail::messages::plain(
        email.as_str(),
        lang.t("mail.email_change.subject").to_string(),
        lang.tf("mail.email_change.text", &args),
    )?;
    let mut tx = cx.db.begin().await?;
    // One live link at a time: asking again replaces the previous one.
    adb::drop_email_changes(&mut *tx, &actor.person_id).await?;
    adb::create_email_change(
        &mut *tx,
        &secret::digest(&token),
        &actor.person_id,
        email.as_str(),
        now + EMAIL_CHANGE_VALIDITY_MS,
    )
    .await?;
    crate::mail::enqueue(&mut *tx, &message, now).await?;
    tx.commit().await?;
    cx.jobs_notify.notify_one();
    Ok(())
}

/// Follows the link sent to the new address: the address changes (single use).
pub async fn confirm_email_change(cx: &Context, token: &str) -> AppResult<()> {
    let now = cx.clock.now_ms();
    let mut tx = cx.db.begin().await?;
    let (person_id, email) = adb::consume_email_change(&mut *tx, &secret::digest(token), now)
        .await?
        .ok_or(AppError::Gone("error.email_link_invalid"))?;
    let changed = adb::set_email(&mut *tx, &person_id, &email)
        .await
        .map_err(AppError::from);
    match changed {
        // Someone took the address meanwhile.
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::Conflict("error.email_taken"));
        }
        other => other?,
    }
    adb::drop_email_changes(&mut *tx, &person_id).await?;
    // Reset links went to the old address: they end.
    sdb::spend_resets_of(&mut *tx, &person_id, now).await?;
    crate::db::audit::record(
        &mut *tx,
        Some(&person_id),
        "email_change",
        "person",
        &person_id,
        "",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A time zone of the IANA database ("Europe/Paris", "America/Montreal").
pub async fn set_timezone(cx: &Context, actor: &Actor, zone: &str) -> AppResult<String> {
    let zone = zone.trim();
    let plausible = zone
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'+'));
    if zone.is_empty()
        || zone.len() > 64
        || !plausible
        || zone.contains("..")
        || jiff::tz::TimeZone::get(zone).is_err()
    {
        return Err(AppError::invalid("timezone", "error.timezone_invalid"));
    }
    adb::set_timezone(&cx.db.pool, &actor.person_id, zone).await?;
    Ok(zone.to_string())
}

/// The person's time zone.
pub async fn timezone(cx: &Context, actor: &Actor) -> AppResult<String> {
    Ok(pdb::by_id(&cx.db.pool, &actor.person_id)
        .await?
        .map(|p| p.timezone)
        .unwrap_or_default())
}

/// Time zones offered on the account page (any valid zone is accepted through the API).
pub const COMMON_ZONES: [&str; 12] = [
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Luxembourg",
    "Europe/Zurich",
    "Europe/London",
    "Europe/Lisbon",
    "Indian/Reunion",
    "America/Guadeloupe",
    "America/Martinique",
    "America/Cayenne",
    "America/Montreal",
    "Pacific/Noumea",
];
