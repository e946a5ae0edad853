//! The 08:00 digests, prepared many at a time (issue 17 item 3): the people and their
//! waiting lines read with one query per few hundred people, each digest rendered, then
//! one transaction marks the lines sent, queues the e-mails as multi-row inserts and
//! completes the digest jobs.

use std::collections::{HashMap, HashSet};

use crate::auth::authz;
use crate::db::dispatch::{self as ddb, IN_CHUNK};
use crate::db::{jobs as jdb, notifications as ndb, people as pdb};
use crate::domain::{AppError, AppResult, Context};
use crate::i18n::Lang;
use crate::mail::messages;

use super::{headline, host};

/// One digest to prepare: a person's lines waiting before `until` (their 08:00).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct DigestRequest {
    pub person_id: String,
    pub until: i64,
}

impl DigestRequest {
    pub fn parse(payload: &str) -> AppResult<DigestRequest> {
        serde_json::from_str(payload)
            .map_err(|e| AppError::Internal(format!("digest payload: {e}")))
    }
}

/// Prepares the digests of `requests` and, in the same transaction, marks the jobs of
/// `done_jobs` done; returns how many e-mails were queued. A person with nothing waiting
/// (or who no longer exists) gets none.
pub async fn prepare(
    state: &Context,
    requests: &[DigestRequest],
    done_jobs: &[String],
) -> AppResult<usize> {
    let pool = &state.db.pool;
    let base = &state.config.base_url;
    let settings = format!("{base}/account/notifications");
    let domain = host(base);
    let now = state.clock.now_ms();
    let mut jobs = Vec::new();
    let mut sent: Vec<String> = Vec::new();
    // Two mornings of one person in a batch (after an outage): a line goes in the first.
    let mut taken: HashSet<String> = HashSet::new();
    for chunk in requests.chunks(IN_CHUNK) {
        let ids: Vec<String> = chunk.iter().map(|r| r.person_id.clone()).collect();
        let people: HashMap<String, pdb::PersonRow> = pdb::by_ids(pool, &ids)
            .await?
            .into_iter()
            .map(|p| (p.id.clone(), p))
            .collect();
        let latest = chunk.iter().map(|r| r.until).max().unwrap_or(0);
        // Managers also read what waits past its first-answer target (D4).
        let mut managed: HashMap<String, Vec<String>> = HashMap::new();
        for (person, agency) in ddb::agencies_of(pool, &ids).await? {
            managed.entry(person).or_default().push(agency);
        }
        let mut lines: HashMap<String, Vec<ndb::NotificationRow>> = HashMap::new();
        for row in ndb::digest_pending_of(pool, &ids, latest).await? {
            lines.entry(row.digest_person).or_default().push(row.line);
        }
        for r in chunk {
            let Some(person) = people.get(&r.person_id) else {
                continue;
            };
            // The lines of this person's morning, in the query's order.
            let pending: Vec<&ndb::NotificationRow> = lines
                .get(&r.person_id)
                .map(|l| {
                    l.iter()
                        .filter(|n| n.created_at < r.until && !taken.contains(&n.id))
                        .collect()
                })
                .unwrap_or_default();
            let lang = Lang::parse(&person.lang).unwrap_or_default();
            let agencies = managed.get(&r.person_id).cloned().unwrap_or_default();
            let overdue: Vec<messages::DigestLine> = match authz::portfolio_of(agencies) {
                None => Vec::new(),
                Some(permit) => crate::domain::dashboard::overdue_list(
                    state,
                    &permit,
                    r.until,
                    crate::domain::dashboard::LIST_LIMIT,
                )
                .await?
                .into_iter()
                .map(|o| messages::DigestLine {
                    urgent: o.urgent,
                    building: o.building_name,
                    title: o.title,
                    what: lang.t("report.overdue").to_string(),
                    when: crate::i18n::local_datetime_in(lang, o.due_ms),
                    link: format!("{base}/reports/{}", o.report_id),
                })
                .collect(),
            };
            if pending.is_empty() && overdue.is_empty() {
                continue;
            }
            let items: Vec<messages::DigestLine> = pending
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
            let date = crate::i18n::local_date_in(lang, r.until);
            let email = messages::digest(
                lang,
                &person.email,
                &person.name,
                date.as_str(),
                &items,
                &overdue,
                &settings,
                format!("digest.{}.{}@{domain}", r.person_id, r.until),
            )?;
            jobs.push(super::dispatch::mail_job(&email, now)?);
            taken.extend(pending.iter().map(|n| n.id.clone()));
            sent.extend(pending.iter().map(|n| n.id.clone()));
        }
    }
    let mut tx = state.db.begin().await?;
    for chunk in sent.chunks(IN_CHUNK) {
        ndb::mark_emailed(&mut *tx, chunk, now).await?;
    }
    ddb::insert_jobs(&mut tx, &jobs, now).await?;
    for chunk in done_jobs.chunks(IN_CHUNK) {
        jdb::complete_many(&mut *tx, chunk).await?;
    }
    tx.commit().await?;
    if !jobs.is_empty() {
        state.jobs_notify.notify_one();
    }
    Ok(jobs.len())
}
