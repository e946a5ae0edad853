//! Notifications (N1–N5): turns recorded domain events into in-app notifications and
//! e-mails, for exactly the people allowed to see them and subscribed to them.
//!
//! Dispatch runs in the worker: each event is claimed once (a conditional update, safe with
//! several workers), its recipients computed, and their notifications and e-mail jobs
//! written in one transaction. Digest e-mails are jobs scheduled at 08:00 in each person's
//! time zone, so a restart loses none.

use crate::vocab::EventKind;
use std::collections::BTreeSet;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::auth::authz::{self, ReportRelation};
use crate::db::notifications::{self as ndb, EventRow};
use crate::db::{self, people as pdb, report_items, reports as rdb};
use crate::domain::Context;
use crate::domain::reports::categories::NEIGHBOURS;
use crate::domain::{AppError, AppResult, accounts};
use crate::i18n::Lang;
use crate::mail::{self, messages};

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

/// Dispatches up to `limit` pending events; returns how many were handled.
pub async fn dispatch_pending(state: &Context, limit: i64) -> AppResult<usize> {
    let events = ndb::undispatched(&state.db.pool, limit).await?;
    let mut handled = 0;
    for event in events {
        if dispatch(state, &event).await? {
            handled += 1;
        }
    }
    if handled > 0 {
        state.jobs_notify.notify_one();
    }
    Ok(handled)
}

struct Delivery {
    person_id: String,
    email: String,
    name: String,
    lang: Lang,
    timezone: String,
    immediate: bool,
    /// Sees the building's access codes (authz::sees_access_details).
    access: bool,
}

async fn recipients(
    state: &Context,
    event: &EventRow,
    report: &rdb::ReportRow,
) -> AppResult<Vec<Delivery>> {
    let (_, building) = crate::domain::reports::building_of(state, &report.building_id).await?;
    let assigned = event.kind == EventKind::ReportAssigned.as_str();
    // An assignment is news for the assignee only (D5).
    let mut candidates: BTreeSet<String> = if assigned {
        BTreeSet::new()
    } else {
        ndb::followers(&state.db.pool, &report.id)
            .await?
            .into_iter()
            .collect()
    };
    if matches!(
        event.kind.as_str(),
        "report_created" | "urgent_report" | "report_shared"
    ) {
        candidates.extend(ndb::staff(&state.db.pool, &report.building_id).await?);
    }
    // A message for one person reaches them even if they do not follow the report (R5).
    if event.audience == "person"
        && let Some(person) = &event.audience_person_id
    {
        candidates.insert(person.clone());
    }
    if let Some(actor) = &event.actor_id {
        candidates.remove(actor);
    }
    let urgent = event.kind == EventKind::UrgentReport.as_str();
    let mut out = Vec::new();
    for person_id in candidates {
        let Some(row) = pdb::by_id(&state.db.pool, &person_id).await? else {
            continue;
        };
        let timezone = row.timezone.clone();
        let person = accounts::actor_from(state, row).await?;
        let access = person
            .role_in(&building)
            .is_some_and(authz::sees_access_details);
        // Nobody hears of what they may not see (R5, R8, R10).
        let Some(relation) = person.report_relation(&building, &report.facts()) else {
            continue;
        };
        if !authz::audience_allows(
            relation,
            &person_id,
            event.actor_id.as_deref(),
            &event.audience,
            event.audience_person_id.as_deref(),
        ) {
            continue;
        }
        let manager = relation == ReportRelation::Manager;
        // An urgent report is announced by its `urgent_report` event: nobody gets it twice
        // (one e-mail per event and person; the person filed for was e-mailed twice).
        if event.kind == EventKind::ReportCreated.as_str() && report.urgent != 0 {
            continue;
        }
        if !urgent && !assigned && !subscribed(state, &person_id, &report.category, manager).await?
        {
            continue;
        }
        // Urgent reports always, assignments, and new reports for managers, go out at
        // once (N2, R13, D5).
        let immediate = urgent
            || assigned
            || (manager && event.kind == EventKind::ReportCreated.as_str())
            || ndb::mode(&state.db.pool, &person_id).await? == "immediate";
        out.push(Delivery {
            person_id,
            lang: person.lang,
            email: person.email,
            name: person.name,
            timezone,
            immediate,
            access,
        });
    }
    Ok(out)
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

async fn dispatch(state: &Context, event: &EventRow) -> AppResult<bool> {
    let now = state.clock.now_ms();
    let report = match (&event.report_id, NOTIFIED.contains(&event.kind.as_str())) {
        (Some(id), true) => rdb::by_id(&state.db.pool, id).await?,
        _ => None,
    };
    let Some(report) = report else {
        // Nothing to tell anyone: just mark it handled.
        return Ok(ndb::claim_event(&state.db.pool, &event.id, now).await?);
    };
    let deliveries = recipients(state, event, &report).await?;
    let building = crate::db::buildings::by_id(&state.db.pool, &report.building_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let actor_name = match &event.actor_id {
        Some(id) => pdb::by_id(&state.db.pool, id)
            .await?
            .map(|p| p.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let comment = match &event.comment_id {
        Some(id) => report_items::comment_audience(&state.db.pool, id)
            .await?
            .map(|c| c.body),
        None => None,
    };
    let base = &state.config.base_url;
    let link = format!("{base}/reports/{}#comments", report.id);
    let settings = format!("{base}/account/notifications");
    let domain = host(base);
    let thread_id = format!("report-{}@{domain}", report.id);

    // An urgent report's e-mails carry the full facts (issue 15 item 5).
    let urgent_facts = if event.kind == EventKind::UrgentReport.as_str() {
        Some(crate::domain::reports::on_call::facts(state, &report).await?)
    } else {
        None
    };
    let staff_photos: Vec<String> = urgent_facts
        .iter()
        .flat_map(|f| f.photo_ids.iter())
        .map(|id| format!("{base}/photos/{id}"))
        .collect();

    let mut tx = state.db.begin().await?;
    if !ndb::claim_event(&mut *tx, &event.id, now).await? {
        return Ok(false);
    }
    for d in &deliveries {
        let delivery = if d.immediate { "immediate" } else { "digest" };
        let inserted = ndb::insert(
            &mut *tx,
            ndb::NewNotification {
                id: &db::new_id(),
                person_id: &d.person_id,
                event,
                delivery,
                now,
            },
        )
        .await?;
        if !inserted {
            continue;
        }
        if d.immediate {
            let subject = d.lang.tf(
                &format!("mail.subject.{}", event.kind),
                &[("building", &building.name), ("title", &report.title)],
            );
            let head = headline(d.lang, &event.kind, &actor_name, &event.detail);
            let facts = urgent_facts
                .as_ref()
                .map(|f| f.lines(d.lang, d.access))
                .unwrap_or_default();
            // A reply address bound to this person and report, keeping the audience of what
            // they are told (N6): a personal message is answered to its other party.
            let counterpart = match event.audience.as_str() {
                "person" if event.audience_person_id.as_deref() == Some(&d.person_id) => {
                    event.actor_id.as_deref()
                }
                "person" => event.audience_person_id.as_deref(),
                _ => None,
            };
            let reply_to = crate::domain::mail_in::tokens::mint(
                &mut *tx,
                &state.config,
                crate::domain::mail_in::tokens::Grant {
                    kind: "report",
                    item_id: &report.id,
                    person_id: Some(&d.person_id),
                    email: &d.email,
                    audience: &event.audience,
                    audience_person_id: counterpart,
                },
                now,
            )
            .await?;
            let email = messages::event(messages::EventMail {
                lang: d.lang,
                to: &d.email,
                name: &d.name,
                subject,
                headline: &head,
                comment: comment.as_deref(),
                facts: &facts,
                photos: &staff_photos,
                link: &link,
                settings: &settings,
                message_id: format!("{}.{}@{domain}", event.id, d.person_id),
                thread_id: Some(thread_id.clone()),
                reply_to,
            })?;
            mail::enqueue(&mut *tx, &email, now).await?;
        } else {
            let run_at = next_digest_at(now, &d.timezone);
            let key = format!("digest:{}:{run_at}", d.person_id);
            let payload =
                serde_json::json!({ "person_id": d.person_id, "until": run_at }).to_string();
            ndb::enqueue_once(&mut *tx, DIGEST_JOB, &payload, run_at, &key, now).await?;
        }
    }
    if let Some(facts) = &urgent_facts
        && let Some(on_call) = ndb::on_call_email(&state.db.pool, &building.id).await?
    {
        let lang = crate::domain::buildings::agency_lang(state, &building.agency_id).await?;
        let head = headline(lang, &event.kind, &actor_name, &event.detail);
        // No account: a private read-only link to this report, photos through it too.
        let token = crate::domain::reports::on_call::new_link(&mut *tx, &report.id, now).await?;
        let page = format!("{base}/urgent/{token}");
        let photos: Vec<String> = facts
            .photo_ids
            .iter()
            .map(|id| format!("{page}/photos/{id}"))
            .collect();
        // The agency's own on-call contact comes on site: access codes included.
        let lines = facts.lines(lang, true);
        let email = messages::event(messages::EventMail {
            lang,
            to: &on_call,
            name: "",
            subject: lang.tf(
                "mail.subject.urgent_report",
                &[("building", &building.name), ("title", &report.title)],
            ),
            headline: &head,
            comment: None,
            facts: &lines,
            photos: &photos,
            link: &page,
            settings: "",
            message_id: format!("{}.on-call@{domain}", event.id),
            thread_id: Some(thread_id.clone()),
            reply_to: None,
        })?;
        mail::enqueue(&mut *tx, &email, now).await?;
    }
    tx.commit().await?;
    Ok(true)
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
    for (person_id, timezone) in db::service_levels::digest_staff(&mut *tx, agency_id).await? {
        let run_at = next_digest_at(due_at, &timezone);
        let key = format!("digest:{person_id}:{run_at}");
        let payload = serde_json::json!({ "person_id": person_id, "until": run_at }).to_string();
        ndb::enqueue_once(&mut *tx, DIGEST_JOB, &payload, run_at, &key, now).await?;
    }
    Ok(())
}

#[derive(serde::Deserialize)]
struct DigestPayload {
    person_id: String,
    until: i64,
}

/// Sends one person's digest of what is waiting before `until` (the job's 08:00).
pub async fn run_digest(state: &Context, payload: &str) -> AppResult<()> {
    let p: DigestPayload = serde_json::from_str(payload)
        .map_err(|e| AppError::Internal(format!("digest payload: {e}")))?;
    let Some(person) = pdb::by_id(&state.db.pool, &p.person_id).await? else {
        return Ok(());
    };
    let lang = Lang::parse(&person.lang).unwrap_or_default();
    let pending = ndb::digest_pending(&state.db.pool, &p.person_id, p.until).await?;
    // Managers also read what waits past its first-answer target (D4).
    let managed = pdb::agencies(&state.db.pool, &p.person_id).await?;
    let overdue = match authz::portfolio_of(managed) {
        None => Vec::new(),
        Some(permit) => {
            crate::domain::dashboard::overdue_list(
                state,
                &permit,
                p.until,
                crate::domain::dashboard::LIST_LIMIT,
            )
            .await?
        }
    };
    if pending.is_empty() && overdue.is_empty() {
        return Ok(());
    }
    let base = &state.config.base_url;
    let overdue: Vec<messages::DigestLine> = overdue
        .into_iter()
        .map(|o| messages::DigestLine {
            urgent: o.urgent,
            building: o.building_name,
            title: o.title,
            what: lang.t("report.overdue").to_string(),
            when: crate::i18n::local_datetime_in(lang, o.due_ms),
            link: format!("{base}/reports/{}", o.report_id),
        })
        .collect();
    let lines: Vec<messages::DigestLine> = pending
        .iter()
        .map(|n| messages::DigestLine {
            urgent: n.urgent.unwrap_or(0) != 0,
            building: n.building_name.clone(),
            title: n.report_title.clone().unwrap_or_default(),
            what: headline(
                lang,
                &n.kind,
                n.actor_name.as_deref().unwrap_or("—"),
                &n.detail,
            ),
            when: crate::i18n::local_datetime_in(lang, n.created_at),
            link: format!(
                "{base}/reports/{}",
                n.report_id.as_deref().unwrap_or_default()
            ),
        })
        .collect();
    let date = crate::i18n::local_date_in(lang, p.until);
    let date = date.as_str();
    let domain = host(base);
    let email = messages::digest(
        lang,
        &person.email,
        &person.name,
        date,
        &lines,
        &overdue,
        &format!("{base}/account/notifications"),
        format!("digest.{}.{}@{domain}", p.person_id, p.until),
    )?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin().await?;
    ndb::mark_digested(&mut *tx, &p.person_id, p.until, now).await?;
    mail::enqueue(&mut *tx, &email, now).await?;
    tx.commit().await?;
    state.jobs_notify.notify_one();
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
