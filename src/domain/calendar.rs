//! The private calendar feed (X2, issue 12 item 7): an iCalendar (RFC 5545) list of the
//! planned interventions and poll closing dates of the reports and buildings a person may
//! see, at a private address they can revoke. The feed is computed when fetched, with the
//! person's rights of that moment: someone who left a building stops seeing its dates.

use std::collections::HashMap;

use jiff::Timestamp;

use crate::auth::Actor;
use crate::auth::authz::{self, Action, ReportFacts};
use crate::clock::{DAY_MS, HOUR_MS};
use crate::db::calendar as cdb;
use crate::domain::buildings::{self, Building};
use crate::domain::{AppError, AppResult, Context, accounts};
use crate::i18n::Lang;

/// How far back and ahead the feed reaches.
const PAST_DAYS: i64 = 90;
const AHEAD_DAYS: i64 = 400;
/// Most events of each kind in one feed.
const MAX_EVENTS: i64 = 1_000;

/// The person's private feed address, made on first request and the same afterwards.
pub async fn feed_url(state: &Context, actor: &Actor) -> AppResult<String> {
    let token = match cdb::token_of(&state.db.pool, &actor.person_id).await? {
        Some(t) => t,
        None => {
            let fresh = crate::auth::secret::new_token();
            cdb::ensure(
                &state.db.pool,
                &actor.person_id,
                &fresh,
                state.clock.now_ms(),
            )
            .await?
        }
    };
    Ok(url_of(state, &token))
}

/// The person's feed address if they have asked for one (the account page shows it
/// without making one).
pub async fn existing_url(state: &Context, actor: &Actor) -> AppResult<Option<String>> {
    Ok(cdb::token_of(&state.db.pool, &actor.person_id)
        .await?
        .map(|token| url_of(state, &token)))
}

fn url_of(state: &Context, token: &str) -> String {
    format!("{}/calendar/{token}.ics", state.config.base_url)
}

/// Revokes the feed: its address stops working; asking again gives a new one.
pub async fn revoke(state: &Context, actor: &Actor) -> AppResult<()> {
    cdb::revoke(&state.db.pool, &actor.person_id).await?;
    Ok(())
}

/// The feed behind a token (`.ics` suffix accepted); unknown or revoked tokens are 404.
pub async fn feed(state: &Context, token: &str) -> AppResult<String> {
    let token = token.strip_suffix(".ics").unwrap_or(token);
    if token.len() != 64 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let person = cdb::person_of(&state.db.pool, token)
        .await?
        .ok_or(AppError::NotFound)?;
    let actor = accounts::actor_by_id(state, &person)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = state.clock.now_ms();
    let window = (now - PAST_DAYS * DAY_MS, now + AHEAD_DAYS * DAY_MS);
    let visible: HashMap<String, Building> = buildings::list_for(state, &actor)
        .await?
        .into_iter()
        .filter(|(b, _)| authz::check(&actor, Action::ViewBuilding, &b.reference()).is_ok())
        .map(|(b, _)| (b.id.clone(), b))
        .collect();
    let ids: Vec<String> = visible.keys().cloned().collect();
    let lang = actor.lang;
    let base = &state.config.base_url;
    let host = host(base);
    let mut events = Vec::new();
    for w in cdb::interventions(&state.db.pool, &ids, window, MAX_EVENTS).await? {
        let Some(building) = visible.get(&w.building_id) else {
            continue;
        };
        let facts = ReportFacts {
            author_id: w.author_id.clone(),
            concerned_id: w.concerned_id.clone(),
            lot_id: w.lot_id.clone(),
            removed: w.removed_at.is_some(),
            manager_visible: w.manager_visible != 0,
        };
        // Only the reports the person may see (R5, R8, landlords' lots).
        if actor
            .report_relation(&building.reference(), &facts)
            .is_none()
        {
            continue;
        }
        events.push(Event {
            uid: format!("intervention-{}@{host}", w.work_order_id),
            start: w.scheduled_for,
            end: w.scheduled_for + 2 * HOUR_MS,
            summary: format!(
                "{} — {}",
                lang.tf("calendar.intervention", &[("title", &w.title)]),
                building.name
            ),
            location: format!("{}, {}", building.name, building.address),
            description: lang.tf(
                "calendar.intervention_detail",
                &[
                    ("provider", &w.provider_company),
                    ("reference", &w.reference),
                ],
            ),
            url: format!("{base}/reports/{}", w.report_id),
        });
    }
    for p in cdb::poll_closings(&state.db.pool, &ids, window, MAX_EVENTS).await? {
        let Some(building) = visible.get(&p.building_id) else {
            continue;
        };
        events.push(Event {
            uid: format!("poll-{}@{host}", p.id),
            start: p.closes_at,
            end: p.closes_at + HOUR_MS / 4,
            summary: format!(
                "{} — {}",
                lang.tf("calendar.poll_closes", &[("title", &p.title)]),
                building.name
            ),
            location: building.name.clone(),
            description: String::new(),
            url: format!("{base}/polls/{}", p.id),
        });
    }
    events.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.uid.cmp(&b.uid)));
    Ok(ics(lang, now, &events))
}

struct Event {
    uid: String,
    start: i64,
    end: i64,
    summary: String,
    location: String,
    description: String,
    url: String,
}

fn host(base_url: &str) -> &str {
    base_url
        .split("://")
        .nth(1)
        .unwrap_or(base_url)
        .split(['/', ':'])
        .next()
        .filter(|h| !h.is_empty())
        .unwrap_or("palier")
}

fn ics_time(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_default()
}

/// Escapes text for an iCalendar value (RFC 5545 §3.3.11).
fn ics_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace(['\n', '\r'], "\\n")
}

/// Folds a content line at 75 octets, never inside a UTF-8 character (RFC 5545 §3.1).
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn ics(lang: Lang, now: i64, events: &[Event]) -> String {
    let mut out = String::new();
    let name = lang.t("calendar.name");
    for line in [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//Palier//Calendar feed//FR".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
        "METHOD:PUBLISH".to_string(),
        format!("X-WR-CALNAME:{}", ics_text(name)),
    ] {
        fold(&line, &mut out);
    }
    let stamp = ics_time(now);
    for e in events {
        let mut lines = vec![
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}", e.uid),
            format!("DTSTAMP:{stamp}"),
            format!("DTSTART:{}", ics_time(e.start)),
            format!("DTEND:{}", ics_time(e.end)),
            format!("SUMMARY:{}", ics_text(&e.summary)),
            format!("LOCATION:{}", ics_text(&e.location)),
        ];
        if !e.description.is_empty() {
            lines.push(format!("DESCRIPTION:{}", ics_text(&e.description)));
        }
        if e.url.starts_with("http") {
            lines.push(format!("URL:{}", e.url));
        }
        lines.push("END:VEVENT".to_string());
        for line in lines {
            fold(&line, &mut out);
        }
    }
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut out = String::new();
        let line = format!("SUMMARY:{}", "é".repeat(60));
        fold(&line, &mut out);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{l:?}");
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{line}\r\n"));
        assert_eq!(ics_text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}
