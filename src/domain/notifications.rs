//! Notifications (N1–N5): turns recorded domain events into in-app notifications and
//! e-mails, for exactly the people allowed to see them and subscribed to them.
//!
//! Dispatch runs in the worker, in batches (`dispatch`): many pending events are claimed
//! in one transaction (safe with several workers), their recipients computed, and their
//! notifications and e-mail jobs written in that transaction. Digest e-mails are jobs
//! scheduled at 08:00 in each person's time zone, so a restart loses none; due digests are
//! prepared in batches too (`digest`).

mod digest;
mod dispatch;

pub use digest::{DigestRequest, prepare as prepare_digests};

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::auth::authz;
use crate::db::notifications as ndb;
use crate::domain::Context;
use crate::domain::reports::categories::NEIGHBOURS;
use crate::domain::{AppError, AppResult};
use crate::i18n::Lang;

pub const DIGEST_JOB: &str = "digest";
pub const DIGEST_HOUR: i8 = 8;
const DEFAULT_TZ: &str = "Europe/Paris";

/// Events that reach people; the others (follows, photos, status moves that come with a
/// reply) are history only.
const NOTIFIED: [&str; 11] = [
    "report_created",
    "urgent_report",
    "comment_added",
    "report_closed",
    "report_reopened",
    "report_shared",
    "work_order_sent",
    "provider_acknowledged",
    "visit_scheduled",
    "visit_reported",
    "report_assigned",
];

/// The next 08:00 in `tz` strictly after `now_ms` (daylight saving handled by the zone rules).
pub fn next_digest_at(now_ms: i64, tz: &str) -> i64 {
    let zone = TimeZone::get(tz)
        .or_else(|_| TimeZone::get(DEFAULT_TZ))
        .unwrap_or(TimeZone::UTC);
    let Ok(now) = Timestamp::from_millisecond(now_ms) else {
        return now_ms + crate::clock::DAY_MS;
    };
    let local = now.to_zoned_datetime(zone.clone());
    let at_eight = |date: jiff::civil::Date| {
        date.at(DIGEST_HOUR, 0, 0, 0)
            .to_zoned_datetime(zone.clone())
            .ok()
    };
    let today = at_eight(local.date()).map(|z| z.timestamp().as_millisecond());
    match today {
        Some(t) if t > now_ms => t,
        _ => local
            .date()
            .tomorrow()
            .ok()
            .and_then(at_eight)
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(now_ms + crate::clock::DAY_MS),
    }
}

/// Whether a person hears about a category (N3): explicit choice, else the default, which
/// leaves managers out of neighbours' messages (R9).
pub async fn subscribed(
    state: &Context,
    person_id: &str,
    category: &str,
    is_manager: bool,
) -> AppResult<bool> {
    let choices = ndb::category_choices(&state.db.pool, person_id).await?;
    Ok(match choices.iter().find(|(c, _)| c == category) {
        Some((_, s)) => *s != 0,
        None => !(is_manager && category == NEIGHBOURS),
    })
}

/// Dispatches up to `limit` pending events, in one batch (see [`dispatch`]); returns how
/// many were handled.
pub async fn dispatch_pending(state: &Context, limit: i64) -> AppResult<usize> {
    let handled = dispatch::dispatch_batch(state, limit).await?;
    if handled > 0 {
        state.jobs_notify.notify_one();
    }
    Ok(handled)
}

fn headline(lang: Lang, kind: &str, who: &str, detail: &str) -> String {
    let detail = crate::domain::reports::event_detail(lang, kind, detail);
    lang.tf(
        &format!("event.{kind}"),
        &[("who", lang.person(who)), ("detail", &detail)],
    )
}

fn host(base_url: &str) -> &str {
    base_url
        .split("://")
        .nth(1)
        .unwrap_or(base_url)
        .split(['/', ':'])
        .next()
        .unwrap_or("palier")
}

/// Makes sure each manager of the agency who reads the daily digest has one on the first
/// morning after `due_at`,
/// where the report will be listed if it is still waiting for its first answer (D4).
pub async fn schedule_overdue_digests(
    tx: &mut sqlx::AnyConnection,
    agency_id: &str,
    due_at: i64,
    now: i64,
) -> AppResult<()> {
    for (person_id, timezone) in
        crate::db::service_levels::digest_staff(&mut *tx, agency_id).await?
    {
        let run_at = next_digest_at(due_at, &timezone);
        let key = format!("digest:{person_id}:{run_at}");
        let payload = serde_json::json!({ "person_id": person_id, "until": run_at }).to_string();
        ndb::enqueue_once(&mut *tx, DIGEST_JOB, &payload, run_at, &key, now).await?;
    }
    Ok(())
}

/// Sends one person's digest of what is waiting before `until` (the job's 08:00). The
/// worker prepares due digests in batches with [`digest::prepare`]; this is one of them.
pub async fn run_digest(state: &Context, payload: &str) -> AppResult<()> {
    let request = digest::DigestRequest::parse(payload)?;
    digest::prepare(state, &[request], &[]).await?;
    Ok(())
}

/// A person's notification settings as shown on the account page.
pub struct Settings {
    pub mode: String,
    /// (slug, label, subscribed)
    pub categories: Vec<(String, String, bool)>,
}

pub async fn settings(state: &Context, actor: &crate::auth::Actor) -> AppResult<Settings> {
    let mode = ndb::mode(&state.db.pool, &actor.person_id).await?;
    let manager = authz::is_agency_staff(actor);
    let mut categories = Vec::new();
    for (slug, _, _) in crate::domain::reports::categories::BUILT_IN {
        let label = actor.lang.t(&format!("category.{slug}.label")).to_string();
        categories.push((
            slug.to_string(),
            label,
            subscribed(state, &actor.person_id, slug, manager).await?,
        ));
    }
    // Building news (A1): on by default for everyone.
    let news = crate::domain::announcements::notice::CATEGORY;
    categories.push((
        news.to_string(),
        actor.lang.t("news.category").to_string(),
        subscribed(state, &actor.person_id, news, false).await?,
    ));
    Ok(Settings { mode, categories })
}

/// Saves the delivery mode and the categories ticked (the others are unsubscribed).
pub async fn save_settings(
    state: &Context,
    actor: &crate::auth::Actor,
    mode: &str,
    ticked: &[String],
) -> AppResult<()> {
    if !matches!(mode, "immediate" | "digest") {
        return Err(AppError::invalid("mode", "error.mode_invalid"));
    }
    let mut tx = state.db.begin().await?;
    ndb::set_mode(&mut *tx, &actor.person_id, mode).await?;
    let slugs = crate::domain::reports::categories::BUILT_IN
        .iter()
        .map(|(slug, _, _)| *slug)
        .chain([crate::domain::announcements::notice::CATEGORY]);
    for slug in slugs {
        ndb::set_category(
            &mut *tx,
            &actor.person_id,
            slug,
            ticked.iter().any(|t| t == slug),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::next_digest_at;

    fn ms(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>()
            .map(|t| t.as_millisecond())
            .unwrap_or_default()
    }

    #[test]
    fn digests_are_at_eight_local_time_across_daylight_saving() {
        // Winter: Paris is UTC+1, so 08:00 is 07:00 UTC.
        assert_eq!(
            next_digest_at(ms("2026-01-15T06:59:00Z"), "Europe/Paris"),
            ms("2026-01-15T07:00:00Z")
        );
        assert_eq!(
            next_digest_at(ms("2026-01-15T07:00:00Z"), "Europe/Paris"),
            ms("2026-01-16T07:00:00Z")
        );
        // Summer time starts on 29 March 2026: that morning 08:00 is 06:00 UTC.
        assert_eq!(
            next_digest_at(ms("2026-03-28T07:30:00Z"), "Europe/Paris"),
            ms("2026-03-29T06:00:00Z")
        );
        // And ends on 25 October 2026: 08:00 is back at 07:00 UTC.
        assert_eq!(
            next_digest_at(ms("2026-10-24T07:30:00Z"), "Europe/Paris"),
            ms("2026-10-25T07:00:00Z")
        );
        assert_eq!(
            next_digest_at(ms("2026-01-15T06:00:00Z"), "America/New_York"),
            ms("2026-01-15T13:00:00Z")
        );
        assert_eq!(
            next_digest_at(ms("2026-01-15T06:00:00Z"), "Not/AZone"),
            ms("2026-01-15T07:00:00Z")
        );
    }
}
