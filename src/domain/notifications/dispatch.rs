//! Event dispatch in batches (issue 17 item 3): a batch of pending events is read at
//! once, its candidate recipients and everything the rules need about them loaded with a
//! handful of set-based queries, the rules of `authz` applied per (event, person) in
//! memory, and the notifications and jobs written as multi-row inserts in one transaction
//! that also marks the events dispatched.
//!
//! PostgreSQL: the batch's events are locked (`FOR UPDATE SKIP LOCKED`) by the
//! transaction that writes them, so several workers share the queue and a crash rolls the
//! whole batch back, events still pending. SQLite has one writer: the batch is read and
//! prepared outside the write lock, then the transaction marks the events it still finds
//! pending and writes only theirs (another process may have taken some).

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::auth::authz::{self, BuildingRef, ReportRelation};
use crate::auth::{Actor, Membership};
use crate::db::dispatch::{self as ddb, CandidateRow, IN_CHUNK, NewJob, NewNotification};
use crate::db::notifications::EventRow;
use crate::db::{Backend, buildings as bdb, reports as rdb};
use crate::domain::reports::categories::NEIGHBOURS;
use crate::domain::reports::on_call::UrgentFacts;
use crate::domain::{AppResult, Context, accounts};
use crate::i18n::Lang;
use crate::mail::{self, OutgoingEmail, messages};
use crate::vocab::EventKind;

use super::{DIGEST_JOB, NOTIFIED, headline, host, next_digest_at};

/// One person's share of one event.
struct Delivery {
    event: usize,
    person_id: String,
    /// The e-mail to queue at once, or the digest job that will carry it.
    job: NewJob,
    immediate: bool,
    /// The reply address the e-mail carries (N6), recorded with it.
    reply: Option<crate::domain::mail_in::tokens::Prepared>,
}

/// The on-call e-mail of an urgent report (its link is made in the transaction).
struct OnCall {
    event: usize,
    to: String,
    lang: Lang,
    report_id: String,
    subject: String,
    headline: String,
    lines: Vec<(String, String)>,
    photo_ids: Vec<String>,
    thread_id: String,
}

#[derive(Default)]
struct Plan {
    deliveries: Vec<Delivery>,
    on_call: Vec<OnCall>,
}

/// Dispatches up to `limit` pending events in one batch; returns how many were handled.
pub async fn dispatch_batch(state: &Context, limit: i64) -> AppResult<usize> {
    let now = state.clock.now_ms();
    match state.db.backend {
        Backend::Postgres => {
            let mut tx = state.db.begin().await?;
            let events = ddb::pending_events(&mut *tx, Backend::Postgres, limit).await?;
            if events.is_empty() {
                return Ok(0);
            }
            let plan = plan(state, &events, now).await?;
            let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
            let mut claimed = HashSet::new();
            for chunk in ids.chunks(IN_CHUNK) {
                claimed.extend(ddb::mark_dispatched(&mut *tx, chunk, now).await?);
            }
            write(state, &mut tx, &events, &claimed, plan, now).await?;
            tx.commit().await?;
            Ok(claimed.len())
        }
        Backend::Sqlite => {
            let events = ddb::pending_events(&state.db.pool, Backend::Sqlite, limit).await?;
            if events.is_empty() {
                return Ok(0);
            }
            let plan = plan(state, &events, now).await?;
            let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
            let mut tx = state.db.begin().await?;
            let mut claimed = HashSet::new();
            for chunk in ids.chunks(IN_CHUNK) {
                claimed.extend(ddb::mark_dispatched(&mut *tx, chunk, now).await?);
            }
            write(state, &mut tx, &events, &claimed, plan, now).await?;
            tx.commit().await?;
            Ok(claimed.len())
        }
    }
}

/// Writes the plan for the events this transaction claimed.
async fn write(
    state: &Context,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    events: &[EventRow],
    claimed: &HashSet<String>,
    plan: Plan,
    now: i64,
) -> AppResult<()> {
    let mine = |i: usize| claimed.contains(&events[i].id);
    let rows: Vec<NewNotification<'_>> = plan
        .deliveries
        .iter()
        .filter(|d| mine(d.event))
        .map(|d| NewNotification {
            id: crate::db::new_id(),
            person_id: &d.person_id,
            event: &events[d.event],
            delivery: if d.immediate { "immediate" } else { "digest" },
        })
        .collect();
    let inserted: HashSet<(String, String)> = ddb::insert_notifications(tx, &rows, now)
        .await?
        .into_iter()
        .collect();
    drop(rows);
    // One job per notification written (a digest job once per person and morning).
    let mut keys = HashSet::new();
    let mut jobs: Vec<NewJob> = Vec::new();
    for d in plan
        .deliveries
        .into_iter()
        .filter(|d| mine(d.event))
        .filter(|d| inserted.contains(&(events[d.event].id.clone(), d.person_id.clone())))
    {
        if let Some(reply) = &d.reply {
            crate::domain::mail_in::tokens::record(&mut **tx, reply, now).await?;
        }
        if d.job
            .dedup_key
            .as_ref()
            .is_none_or(|k| keys.insert(k.clone()))
        {
            jobs.push(d.job);
        }
    }
    ddb::insert_jobs(tx, &jobs, now).await?;
    let domain = host(&state.config.base_url);
    for o in plan.on_call.into_iter().filter(|o| mine(o.event)) {
        // No account: a private read-only link to this report, photos through it too.
        let token = crate::domain::reports::on_call::new_link(&mut **tx, &o.report_id, now).await?;
        let page = format!("{}/urgent/{token}", state.config.base_url);
        let photos: Vec<String> = o
            .photo_ids
            .iter()
            .map(|id| format!("{page}/photos/{id}"))
            .collect();
        let email = messages::event(messages::EventMail {
            lang: o.lang,
            to: &o.to,
            name: "",
            subject: o.subject,
            headline: &o.headline,
            comment: None,
            facts: &o.lines,
            photos: &photos,
            link: &page,
            settings: "",
            message_id: format!("{}.on-call@{domain}", events[o.event].id),
            thread_id: Some(o.thread_id),
            reply_to: None,
        })?;
        mail::enqueue(&mut **tx, &email, now).await?;
    }
    Ok(())
}

/// What the rules need about the candidates of a batch, loaded in chunks of ids.
#[derive(Default)]
struct People {
    agencies: HashMap<String, Vec<String>>,
    memberships: HashMap<String, Vec<Membership>>,
    /// (person, category) → subscribed
    choices: HashMap<(String, String), bool>,
}

async fn people(
    state: &Context,
    person_ids: &[String],
    buildings: &HashMap<String, bdb::BuildingRow>,
    categories: &[String],
) -> AppResult<People> {
    let pool = &state.db.pool;
    let building_ids: Vec<String> = buildings.keys().cloned().collect();
    let agency_ids: Vec<String> = buildings
        .values()
        .map(|b| b.agency_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut out = People::default();
    for chunk in person_ids.chunks(IN_CHUNK) {
        for row in ddb::memberships_of(pool, chunk, &building_ids).await? {
            if let Some(m) = accounts::membership(row.membership) {
                out.memberships.entry(row.person_id).or_default().push(m);
            }
        }
        for (person, agency) in ddb::staff_of(pool, chunk, &agency_ids).await? {
            out.agencies.entry(person).or_default().push(agency);
        }
        for (person, category, subscribed) in
            ddb::category_choices_of(pool, chunk, categories).await?
        {
            out.choices.insert((person, category), subscribed != 0);
        }
    }
    Ok(out)
}

/// Reads what the batch needs and decides who gets what; nothing is written.
async fn plan(state: &Context, events: &[EventRow], now: i64) -> AppResult<Plan> {
    let pool = &state.db.pool;
    let notified: Vec<usize> = (0..events.len())
        .filter(|&i| events[i].report_id.is_some() && NOTIFIED.contains(&events[i].kind.as_str()))
        .collect();
    if notified.is_empty() {
        return Ok(Plan::default());
    }
    let set = |f: &dyn Fn(&EventRow) -> Option<&String>| -> Vec<String> {
        notified
            .iter()
            .filter_map(|&i| f(&events[i]).cloned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    let report_ids = set(&|e| e.report_id.as_ref());
    let mut reports = HashMap::new();
    for chunk in report_ids.chunks(IN_CHUNK) {
        for r in rdb::by_ids(pool, chunk).await? {
            reports.insert(r.id.clone(), r);
        }
    }
    let building_ids: Vec<String> = reports
        .values()
        .map(|r| r.building_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut buildings = HashMap::new();
    for chunk in building_ids.chunks(IN_CHUNK) {
        for b in bdb::by_ids(pool, chunk).await? {
            buildings.insert(b.id.clone(), b);
        }
    }
    let mut names = HashMap::new();
    for chunk in set(&|e| e.actor_id.as_ref()).chunks(IN_CHUNK) {
        names.extend(ddb::names(pool, chunk).await?);
    }
    let mut comments = HashMap::new();
    for chunk in set(&|e| e.comment_id.as_ref()).chunks(IN_CHUNK) {
        comments.extend(ddb::comment_bodies(pool, chunk).await?);
    }
    let event_ids: Vec<String> = notified.iter().map(|&i| events[i].id.clone()).collect();
    let mut candidates: HashMap<&str, Vec<CandidateRow>> = HashMap::new();
    let mut rows = Vec::new();
    for chunk in event_ids.chunks(IN_CHUNK) {
        rows.extend(ddb::candidates(pool, chunk).await?);
    }
    let index: HashMap<&str, usize> = events
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.as_str(), i))
        .collect();
    for row in rows {
        if let Some(&i) = index.get(row.event_id.as_str()) {
            candidates
                .entry(events[i].id.as_str())
                .or_default()
                .push(row);
        }
    }
    let person_ids: Vec<String> = candidates
        .values()
        .flatten()
        .map(|c| c.person_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let categories: Vec<String> = reports
        .values()
        .map(|r| r.category.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let known = people(state, &person_ids, &buildings, &categories).await?;

    let base = &state.config.base_url;
    let settings = format!("{base}/account/notifications");
    let domain = host(base);
    let mut plan = Plan::default();
    for &i in &notified {
        let event = &events[i];
        let Some(report) = event.report_id.as_ref().and_then(|id| reports.get(id)) else {
            continue;
        };
        let Some(building) = buildings.get(&report.building_id) else {
            continue;
        };
        let bref = BuildingRef {
            id: building.id.clone(),
            agency_id: building.agency_id.clone(),
        };
        let facts = report.facts();
        let actor_name = event
            .actor_id
            .as_ref()
            .and_then(|id| names.get(id))
            .cloned()
            .unwrap_or_default();
        let comment = event.comment_id.as_ref().and_then(|id| comments.get(id));
        let link = format!("{base}/reports/{}#comments", report.id);
        let thread_id = format!("report-{}@{domain}", report.id);
        let urgent = event.kind == EventKind::UrgentReport.as_str();
        // An assignment is news for the assignee only (D5): the candidates' query leaves
        // the followers out, the audience person is the assignee.
        let assigned = event.kind == EventKind::ReportAssigned.as_str();
        // An urgent report's e-mails carry the full facts (issue 15 item 5).
        let urgent_facts: Option<UrgentFacts> = if urgent {
            Some(crate::domain::reports::on_call::facts(state, report).await?)
        } else {
            None
        };
        let staff_photos: Vec<String> = urgent_facts
            .iter()
            .flat_map(|f| f.photo_ids.iter())
            .map(|id| format!("{base}/photos/{id}"))
            .collect();

        // One person once per event, in a stable order, never the actor.
        let mut people: Vec<&CandidateRow> = candidates
            .get(event.id.as_str())
            .map(|c| c.iter().collect())
            .unwrap_or_default();
        people.sort_by(|a, b| a.person_id.cmp(&b.person_id));
        people.dedup_by(|a, b| a.person_id == b.person_id);
        for c in people {
            if event.actor_id.as_deref() == Some(c.person_id.as_str()) {
                continue;
            }
            // Only this building's memberships and agency matter to the rules below.
            let person = Actor {
                person_id: c.person_id.clone(),
                name: c.name.clone(),
                email: c.email.clone(),
                lang: Lang::parse(&c.lang).unwrap_or_default(),
                is_admin: false,
                agencies: known
                    .agencies
                    .get(&c.person_id)
                    .cloned()
                    .unwrap_or_default(),
                memberships: known
                    .memberships
                    .get(&c.person_id)
                    .cloned()
                    .unwrap_or_default(),
            };
            let access = person
                .role_in(&bref)
                .is_some_and(authz::sees_access_details);
            // Nobody hears of what they may not see (R5, R8, R10).
            let Some(relation) = person.report_relation(&bref, &facts) else {
                continue;
            };
            if !authz::audience_allows(
                relation,
                &c.person_id,
                event.actor_id.as_deref(),
                &event.audience,
                event.audience_person_id.as_deref(),
            ) {
                continue;
            }
            let manager = relation == ReportRelation::Manager;
            // An urgent report is announced by its `urgent_report` event: nobody gets it
            // twice (one e-mail per event and person).
            if event.kind == EventKind::ReportCreated.as_str() && report.urgent != 0 {
                continue;
            }
            let subscribed = match known
                .choices
                .get(&(c.person_id.clone(), report.category.clone()))
            {
                Some(s) => *s,
                None => !(manager && report.category == NEIGHBOURS),
            };
            if !urgent && !assigned && !subscribed {
                continue;
            }
            // Urgent reports always, assignments, and new reports for managers, go out at
            // once (N2, R13, D5).
            let immediate = urgent
                || assigned
                || (manager && event.kind == EventKind::ReportCreated.as_str())
                || c.mode == "immediate";
            let mut reply = None;
            let job = if immediate {
                let lang = person.lang;
                let subject = lang.tf(
                    &format!("mail.subject.{}", event.kind),
                    &[("building", &building.name), ("title", &report.title)],
                );
                let head = headline(lang, &event.kind, &actor_name, &event.detail);
                let lines = urgent_facts
                    .as_ref()
                    .map(|f| f.lines(lang, access))
                    .unwrap_or_default();
                // A reply address bound to this person and report, keeping the audience of
                // what they are told (N6): a personal message is answered to its other party.
                let counterpart = match event.audience.as_str() {
                    "person" if event.audience_person_id.as_deref() == Some(&c.person_id) => {
                        event.actor_id.as_deref()
                    }
                    "person" => event.audience_person_id.as_deref(),
                    _ => None,
                };
                reply = crate::domain::mail_in::tokens::prepare(
                    &state.config,
                    crate::domain::mail_in::tokens::Grant {
                        kind: "report",
                        item_id: &report.id,
                        person_id: Some(&c.person_id),
                        email: &c.email,
                        audience: &event.audience,
                        audience_person_id: counterpart,
                    },
                    now,
                );
                let email = messages::event(messages::EventMail {
                    lang,
                    to: &c.email,
                    name: &c.name,
                    subject,
                    headline: &head,
                    comment: comment.map(String::as_str),
                    facts: &lines,
                    photos: &staff_photos,
                    link: &link,
                    settings: &settings,
                    message_id: format!("{}.{}@{domain}", event.id, c.person_id),
                    thread_id: Some(thread_id.clone()),
                    reply_to: reply.as_ref().map(|r| r.address.clone()),
                })?;
                mail_job(&email, now)?
            } else {
                let run_at = next_digest_at(now, &c.timezone);
                NewJob {
                    kind: DIGEST_JOB,
                    payload: serde_json::json!({ "person_id": c.person_id, "until": run_at })
                        .to_string(),
                    run_at,
                    dedup_key: Some(format!("digest:{}:{run_at}", c.person_id)),
                }
            };
            plan.deliveries.push(Delivery {
                event: i,
                person_id: c.person_id.clone(),
                job,
                immediate,
                reply,
            });
        }
        if let Some(facts) = &urgent_facts
            && let Some(to) = crate::db::notifications::on_call_email(pool, &building.id).await?
        {
            let lang = crate::domain::buildings::agency_lang(state, &building.agency_id).await?;
            plan.on_call.push(OnCall {
                event: i,
                to,
                lang,
                report_id: report.id.clone(),
                subject: lang.tf(
                    "mail.subject.urgent_report",
                    &[("building", &building.name), ("title", &report.title)],
                ),
                headline: headline(lang, &event.kind, &actor_name, &event.detail),
                // The agency's own on-call contact comes on site: access codes included.
                lines: facts.lines(lang, true),
                photo_ids: facts.photo_ids.clone(),
                thread_id: thread_id.clone(),
            });
        }
    }
    Ok(plan)
}

/// The queued form of an e-mail (as `mail::enqueue` writes it).
pub(super) fn mail_job(email: &OutgoingEmail, now: i64) -> AppResult<NewJob> {
    let payload = serde_json::to_string(email)
        .map_err(|e| crate::domain::AppError::Internal(format!("e-mail payload: {e}")))?;
    Ok(NewJob {
        kind: mail::JOB_KIND,
        payload,
        run_at: now,
        dedup_key: None,
    })
}
