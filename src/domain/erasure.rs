//! Erasure of a person's data (GDPR, right to erasure): by the person with their password,
//! or by a manager for someone who left one of their buildings (audited).
//!
//! Their name, e-mail, phone, password, sessions, tokens, subscriptions and pending e-mails
//! go; their name and address are also taken out of queued and sent e-mails and of audit
//! lines. Their reports, comments and photos stay, signed "Ancien occupant". On SQLite,
//! `secure_delete` (set on every connection) zeroes what is deleted and a checkpoint empties
//! the write-ahead log afterwards.

use super::{AppError, AppResult, Context};
use crate::auth::Actor;
use crate::auth::authz::{Action, Permit};
use crate::auth::password;
use crate::db::{erasure as edb, lifecycle as ldb, people as pdb};
use crate::i18n::Lang;
use crate::mail::OutgoingEmail;

/// The caller erases their own account; the password confirms it is them.
pub async fn erase_self(cx: &Context, actor: &Actor, password_typed: &str) -> AppResult<()> {
    let person = pdb::by_id(&cx.db.pool, &actor.person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !password::verify(password_typed.to_string(), person.password_hash).await {
        return Err(AppError::invalid(
            "password",
            "error.current_password_wrong",
        ));
    }
    erase(cx, &actor.person_id, &actor.person_id).await
}

/// A manager erases someone who lived in their building and lives nowhere on Palier now.
pub async fn erase_former(
    cx: &Context,
    actor: &Actor,
    permit: &Permit,
    person_id: &str,
) -> AppResult<()> {
    debug_assert_eq!(permit.action, Action::ManageMemberships);
    if !ldb::lived_in(&cx.db.pool, &permit.building_id, person_id).await? {
        return Err(AppError::NotFound);
    }
    if edb::current_ties(&cx.db.pool, person_id).await? > 0 {
        return Err(AppError::Conflict("error.erase_still_member"));
    }
    erase(cx, person_id, &actor.person_id).await
}

/// The forms a text takes where it may be stored: as typed, HTML-escaped (e-mail bodies),
/// and each of those JSON-escaped (job payloads).
fn stored_forms(text: &str) -> Vec<String> {
    if text.chars().count() < 2 {
        return Vec::new();
    }
    let html = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    let mut forms = vec![
        text.to_string(),
        html.replace('\'', "&#x27;"),
        html.replace('\'', "&#39;"),
    ];
    for f in forms.clone() {
        // The quotes serde adds, once at each end (an escaped `\"` may end the text).
        if let Some(inner) = serde_json::to_string(&f).ok().and_then(|j| {
            j.strip_prefix('"')
                .and_then(|j| j.strip_suffix('"'))
                .map(str::to_string)
        }) {
            forms.push(inner);
        }
    }
    forms.sort();
    forms.dedup();
    // Longest first, so a longer form is replaced before a shorter one inside it.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms
}

fn scrub(text: &str, needles: &[String], replacement: &str) -> String {
    let mut out = text.to_string();
    for n in needles {
        out = out.replace(n.as_str(), replacement);
    }
    out
}

async fn erase(cx: &Context, person_id: &str, by: &str) -> AppResult<()> {
    let now = cx.clock.now_ms();
    let mut tx = cx.db.begin().await?;
    match edb::erased_at(&mut *tx, person_id).await? {
        None => return Err(AppError::NotFound),
        Some(Some(_)) => return Err(AppError::Conflict("error.already_erased")),
        Some(None) => {}
    }
    if edb::agencies_managed_alone(&mut *tx, person_id).await? > 0 {
        return Err(AppError::Conflict("error.last_manager"));
    }
    let person = pdb::by_id(&mut *tx, person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let placeholder_email = format!("erased-{person_id}@erased.invalid");
    let label = Lang::default().t("person.former_resident");
    let mut needles = stored_forms(&person.name);
    needles.extend(stored_forms(&person.email));
    if !person.phone.trim().is_empty() {
        needles.extend(stored_forms(person.phone.trim()));
    }
    needles.sort_by_key(|f| std::cmp::Reverse(f.len()));

    for (id, status, payload) in edb::jobs_mentioning(&mut tx, &needles).await? {
        let to_them = serde_json::from_str::<OutgoingEmail>(&payload)
            .ok()
            .filter(|m| m.to.eq_ignore_ascii_case(&person.email));
        match to_them {
            // Not sent yet: it will not be.
            Some(_) if status == "pending" => edb::delete_job(&mut *tx, &id).await?,
            // Sent or given up: what is kept of it is that an e-mail went to someone.
            Some(mail) => {
                let kept = OutgoingEmail {
                    to: placeholder_email.clone(),
                    subject: scrub(&mail.subject, &needles, label),
                    ..mail.summary()
                };
                let kept = serde_json::to_string(&kept)
                    .map_err(|e| AppError::Internal(format!("job payload: {e}")))?;
                edb::set_job_payload(&mut *tx, &id, &kept).await?;
            }
            // Someone else's e-mail that names them ("Nadia a commenté…").
            None => edb::set_job_payload(&mut *tx, &id, &scrub(&payload, &needles, label)).await?,
        }
    }
    for (id, _, detail) in edb::audit_mentioning(&mut tx, &needles).await? {
        edb::set_audit_detail(&mut *tx, &id, &scrub(&detail, &needles, label)).await?;
    }
    edb::erase_person(&mut tx, person_id, &person.email, &placeholder_email, now).await?;
    crate::db::audit::record(
        &mut *tx,
        Some(by),
        "erase",
        "person",
        person_id,
        if by == person_id { "self" } else { "manager" },
        now,
    )
    .await?;
    tx.commit().await?;
    if !edb::checkpoint(&cx.db).await? {
        tracing::warn!("the write-ahead log could not be emptied after an erasure");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_found_as_typed_escaped_for_html_and_for_json() {
        let forms = stored_forms("Zoé O'Brien \"Z\"");
        assert!(forms.contains(&"Zoé O'Brien \"Z\"".to_string()));
        assert!(forms.contains(&"Zoé O&#x27;Brien &quot;Z&quot;".to_string()));
        assert!(forms.contains(&"Zoé O'Brien \\\"Z\\\"".to_string()));
        let text = r#"{"text":"Bonjour Zoé O'Brien \"Z\","}"#;
        let scrubbed = scrub(text, &forms, "Ancien occupant");
        assert_eq!(scrubbed, r#"{"text":"Bonjour Ancien occupant,"}"#);
        assert!(
            stored_forms("Z").is_empty(),
            "one letter would match everywhere"
        );
    }
}
