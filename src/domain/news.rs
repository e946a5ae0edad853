//! What announcements and polls share: the building's members as audiences, instants typed
//! by people, and the e-mails sent to a whole audience.

use std::collections::BTreeMap;

use crate::auth::authz::{self, Standing};
use crate::db::announcements::{self as adb, AudienceRow};
use crate::domain::{AppError, AppResult, Context};
use crate::i18n::Lang;
use crate::vocab::{MemberRole, Occupancy, ReferentKind};

/// A member of the building with their standing and the lots they own there.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: String,
    pub email: String,
    pub name: String,
    pub lang: Lang,
    pub standing: Standing,
    /// Lots this person owns here (as owner-occupant or landlord): P5's weights.
    pub owned_lots: Vec<String>,
}

/// Every member of the building, once each, with their standing.
pub async fn members(cx: &Context, building_id: &str) -> AppResult<Vec<Person>> {
    let rows = adb::audience_rows(&cx.db.pool, building_id).await?;
    let mut by_person: BTreeMap<String, Vec<AudienceRow>> = BTreeMap::new();
    for r in rows {
        by_person.entry(r.person_id.clone()).or_default().push(r);
    }
    Ok(by_person
        .into_values()
        .filter_map(|rows| {
            let first = rows.first()?.clone();
            let parsed: Vec<_> = rows
                .iter()
                .filter_map(|r| {
                    Some((
                        MemberRole::parse(&r.role)?,
                        r.occupancy.as_deref().and_then(Occupancy::parse),
                        r.referent_kind.as_deref().and_then(ReferentKind::parse),
                        r.lot_id.clone(),
                    ))
                })
                .collect();
            let standing = authz::standing(parsed.iter().map(|(r, o, k, _)| (*r, *o, *k)));
            let mut owned_lots: Vec<String> = parsed
                .iter()
                .filter(|(r, o, k, _)| authz::standing([(*r, *o, *k)]).owner)
                .filter_map(|(_, _, _, lot)| lot.clone())
                .collect();
            owned_lots.sort();
            owned_lots.dedup();
            Some(Person {
                id: first.person_id,
                email: first.email,
                name: first.name,
                lang: Lang::parse(&first.lang).unwrap_or_default(),
                standing,
                owned_lots,
            })
        })
        .collect())
}

/// Parses an instant: RFC 3339 ("2026-12-03T09:00:00Z") from the API, or a datetime-local
/// field ("2026-12-03T09:00", Paris time) from the pages. Empty means none.
pub fn parse_instant(field: &'static str, raw: Option<&str>) -> AppResult<Option<i64>> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    if let Ok(t) = raw.parse::<jiff::Timestamp>() {
        return Ok(Some(t.as_millisecond()));
    }
    crate::domain::work_orders::link::parse_local(raw)
        .map(Some)
        .map_err(|_| AppError::invalid(field, "error.date_invalid"))
}

/// A datetime-local value ("2026-12-03T09:00", Paris time) for a form field.
pub fn local_input(ms: i64) -> String {
    let zone = jiff::tz::TimeZone::get("Europe/Paris").unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned_datetime(zone)
                .strftime("%Y-%m-%dT%H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// A keyset cursor "a_b_id" of numbers and an id, checked before it reaches SQL.
pub fn parse_cursor<const N: usize>(raw: Option<&str>) -> AppResult<Option<([i64; N], String)>> {
    let invalid = || AppError::invalid("cursor", "error.cursor_invalid");
    let Some(raw) = raw.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let parts: Vec<&str> = raw.split('_').collect();
    if parts.len() != N + 1 {
        return Err(invalid());
    }
    let mut numbers = [0i64; N];
    for (i, n) in numbers.iter_mut().enumerate() {
        *n = parts[i].parse().map_err(|_| invalid())?;
    }
    let id = parts[N];
    if id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(invalid());
    }
    Ok(Some((numbers, id.to_string())))
}

/// The host of the public base URL, for Message-IDs.
pub fn mail_domain(cx: &Context) -> String {
    let base = cx.config.base_url.trim_end_matches('/');
    base.split("://")
        .nth(1)
        .unwrap_or(base)
        .split(['/', ':'])
        .next()
        .filter(|h| !h.is_empty())
        .unwrap_or("palier.local")
        .to_string()
}
