//! Reply addresses (N6): `reponse+<token>@domain`, one token per recipient and item,
//! stored as a digest, expiring and revocable; and each building's intake address
//! `signaler+<token>@domain`.

use sqlx::{Any, Executor};

use crate::auth::Actor;
use crate::auth::authz::Action;
use crate::clock::DAY_MS;
use crate::config::Config;
use crate::db::mail_in as mdb;
use crate::domain::{AppResult, Context};

/// A reply address works for a year; the person's rights are checked again at use.
pub const TOKEN_VALIDITY_MS: i64 = 365 * DAY_MS;
/// Local part of the buildings' intake addresses.
pub const INTAKE_LOCAL: &str = "signaler";

/// The configured reply address, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyBase {
    pub local: String,
    pub domain: String,
}

/// The reply address of the configuration, when set and well formed (`local@domain`).
pub fn base(config: &Config) -> Option<ReplyBase> {
    let (local, domain) = config.reply_address.as_deref()?.split_once('@')?;
    let ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    };
    (ok(local) && ok(domain) && local != INTAKE_LOCAL).then(|| ReplyBase {
        local: local.to_string(),
        domain: domain.to_string(),
    })
}

/// 20 random bytes in lower-case hex: safe in an address whatever a mail server does to
/// the case of local parts, and short enough for the 64-character limit.
fn new_token() -> String {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).expect("operating system random generator unavailable");
    crate::auth::secret::hex(&bytes)
}

/// Where a received message was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A reply address: the token as received.
    Reply(String),
    /// A building's intake address.
    Intake(String),
}

/// The first of `recipients` that is one of Palier's addresses.
pub fn target(base: &ReplyBase, recipients: &[String]) -> Option<Target> {
    recipients.iter().find_map(|address| {
        let (local, domain) = address.rsplit_once('@')?;
        if !domain.eq_ignore_ascii_case(&base.domain) {
            return None;
        }
        let (name, token) = local.split_once('+')?;
        if token.is_empty() || token.len() > 64 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let token = token.to_ascii_lowercase();
        if name.eq_ignore_ascii_case(&base.local) {
            Some(Target::Reply(token))
        } else if name.eq_ignore_ascii_case(INTAKE_LOCAL) {
            Some(Target::Intake(token))
        } else {
            None
        }
    })
}

/// What a reply address is bound to.
pub struct Grant<'a> {
    /// "report" or "work_order".
    pub kind: &'a str,
    pub item_id: &'a str,
    pub person_id: Option<&'a str>,
    pub email: &'a str,
    /// Audience of the message answered ("all", "council", "person", "landlord").
    pub audience: &'a str,
    /// For a personal message: who the answer goes to.
    pub audience_person_id: Option<&'a str>,
}

/// Records a reply address for `grant` and returns it, in the same transaction as the
/// e-mail that carries it; `None` when no reply address is configured.
pub async fn mint<'c>(
    ex: impl Executor<'c, Database = Any>,
    config: &Config,
    grant: Grant<'_>,
    now: i64,
) -> sqlx::Result<Option<String>> {
    let Some(prepared) = prepare(config, grant, now) else {
        return Ok(None);
    };
    record(ex, &prepared, now).await?;
    Ok(Some(prepared.address))
}

/// A reply address chosen before its transaction (the batched dispatcher renders e-mails
/// first): the address goes in the e-mail, the row is recorded with it by [`record`].
pub struct Prepared {
    pub address: String,
    token_hash: String,
    kind: String,
    item_id: String,
    person_id: Option<String>,
    email: String,
    audience: String,
    audience_person_id: Option<String>,
    expires_at: i64,
}

/// Like [`mint`] without writing: `None` when no reply address is configured.
pub fn prepare(config: &Config, grant: Grant<'_>, now: i64) -> Option<Prepared> {
    let base = base(config)?;
    let token = new_token();
    Some(Prepared {
        address: format!("{}+{token}@{}", base.local, base.domain),
        token_hash: crate::auth::secret::digest(&token),
        kind: grant.kind.to_string(),
        item_id: grant.item_id.to_string(),
        person_id: grant.person_id.map(str::to_string),
        email: grant.email.to_ascii_lowercase(),
        audience: grant.audience.to_string(),
        audience_person_id: grant.audience_person_id.map(str::to_string),
        expires_at: now + TOKEN_VALIDITY_MS,
    })
}

/// Records a [`prepare`]d reply address, in the transaction that queues its e-mail.
pub async fn record<'c>(
    ex: impl Executor<'c, Database = Any>,
    p: &Prepared,
    now: i64,
) -> sqlx::Result<()> {
    mdb::insert_token(
        ex,
        mdb::NewToken {
            token_hash: &p.token_hash,
            kind: &p.kind,
            item_id: &p.item_id,
            person_id: p.person_id.as_deref(),
            email: &p.email,
            audience: &p.audience,
            audience_person_id: p.audience_person_id.as_deref(),
            expires_at: p.expires_at,
            now,
        },
    )
    .await
}

/// The token behind a reply address, if it exists, has not expired and is not revoked.
pub async fn lookup(state: &Context, token: &str) -> AppResult<Option<mdb::TokenRow>> {
    let row = mdb::token(&state.db.pool, &crate::auth::secret::digest(token)).await?;
    let now = state.clock.now_ms();
    Ok(row.filter(|r| r.revoked_at.is_none() && r.expires_at > now))
}

/// The building's intake address, shown to its staff (created on first request); `None`
/// without a configured reply address.
pub async fn intake_address(
    state: &Context,
    actor: &Actor,
    building_id: &str,
) -> AppResult<Option<String>> {
    let (building, _) =
        crate::domain::buildings::authorize(state, actor, building_id, Action::ManageBuilding)
            .await?;
    let Some(base) = base(&state.config) else {
        return Ok(None);
    };
    let token = match mdb::intake_token(&state.db.pool, &building.id).await? {
        Some(t) => t,
        None => {
            mdb::insert_intake(
                &state.db.pool,
                &building.id,
                &new_token(),
                state.clock.now_ms(),
            )
            .await?;
            mdb::intake_token(&state.db.pool, &building.id)
                .await?
                .unwrap_or_default()
        }
    };
    Ok(Some(format!("{INTAKE_LOCAL}+{token}@{}", base.domain)))
}

/// Revokes every reply address a person was sent (their account closed, or on request).
pub async fn revoke_for_person(state: &Context, person_id: &str) -> AppResult<u64> {
    Ok(mdb::revoke_person(&state.db.pool, person_id, state.clock.now_ms()).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rb() -> ReplyBase {
        ReplyBase {
            local: "reponse".into(),
            domain: "palier.example.fr".into(),
        }
    }

    #[test]
    fn addresses_are_recognised_by_local_part_and_domain() {
        let r = |a: &str| target(&rb(), &[a.to_string()]);
        assert_eq!(
            r("reponse+ab12@palier.example.fr"),
            Some(Target::Reply("ab12".into()))
        );
        assert_eq!(
            r("Signaler+AB12@Palier.Example.fr"),
            Some(Target::Intake("ab12".into()))
        );
        assert_eq!(r("reponse+ab12@elsewhere.fr"), None);
        assert_eq!(r("reponse@palier.example.fr"), None);
        assert_eq!(r("reponse+not-hex@palier.example.fr"), None);
        assert_eq!(r("other+ab12@palier.example.fr"), None);
    }
}
