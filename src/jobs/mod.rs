//! The worker: drains the job queue with retries and exponential backoff.
//! Runs inside `palier serve` by default, or alone as `palier worker`.

pub mod mailbox;

use std::time::Duration;

use tokio::sync::watch;

use crate::db::jobs::{self, JobRow};
use crate::domain::Context;
use crate::mail::{self, OutgoingEmail};

/// How long a claimed job stays reserved; a worker that dies releases it after this.
pub const LEASE_MS: i64 = 5 * 60_000;

/// Retry delay after `attempts` failures: 30 s doubling, capped at 6 h, plus up to 25% jitter
/// so that many failed jobs do not all come back at the same instant.
pub fn backoff_ms(attempts: i64) -> i64 {
    let base = 30_000i64.saturating_mul(1i64 << attempts.clamp(1, 20).saturating_sub(1));
    let capped = base.min(6 * 3_600_000);
    let mut byte = [0u8; 1];
    let jitter = if getrandom::fill(&mut byte).is_ok() {
        capped / 4 * i64::from(byte[0]) / 255
    } else {
        0
    };
    capped + jitter
}

#[derive(Debug, thiserror::Error)]
enum JobError {
    #[error("bad payload: {0}")]
    Payload(String),
    #[error("{0}")]
    Mail(#[from] crate::mail::transport::MailError),
    #[error("{0}")]
    Digest(String),
    #[error("unknown job kind {0}")]
    UnknownKind(String),
}

async fn run_job(state: &Context, job: &JobRow) -> Result<(), JobError> {
    match job.kind.as_str() {
        mail::JOB_KIND => {
            let email: OutgoingEmail =
                serde_json::from_str(&job.payload).map_err(|e| JobError::Payload(e.to_string()))?;
            let mut files = Vec::new();
            for a in &email.attachments {
                let bytes = match (&a.file_key, &a.text) {
                    (Some(key), _) => state
                        .files
                        .get(key)
                        .await
                        .map_err(|e| JobError::Payload(format!("attachment {key}: {e}")))?
                        .to_vec(),
                    (None, Some(text)) => text.clone().into_bytes(),
                    (None, None) => continue,
                };
                files.push((a.filename.clone(), a.content_type.clone(), bytes));
            }
            state.mailer.send(&email, &files).await?;
            // Spread bursts (an announcement to a whole building) to what the relay accepts.
            if state.config.smtp_rate > 0.0 {
                tokio::time::sleep(Duration::from_secs_f64(1.0 / state.config.smtp_rate)).await;
            }
            Ok(())
        }
        crate::domain::notifications::DIGEST_JOB => {
            crate::domain::notifications::run_digest(state, &job.payload)
                .await
                .map_err(|e| JobError::Digest(e.to_string()))
        }
        crate::domain::claims::reminders::JOB => {
            crate::domain::claims::reminders::run(state, &job.payload)
                .await
                .map_err(|e| JobError::Digest(e.to_string()))
        }
        crate::domain::work_orders::reminders::JOB => {
            crate::domain::work_orders::reminders::run(state, &job.payload)
                .await
                .map_err(|e| JobError::Digest(e.to_string()))
        }
        crate::domain::announcements::notice::JOB => {
            crate::domain::announcements::notice::run(state, &job.payload)
                .await
                .map_err(|e| JobError::Digest(e.to_string()))
        }
        crate::domain::polls::mail::REMINDER_JOB => {
            crate::domain::polls::mail::run_reminder(state, &job.payload)
                .await
                .map_err(|e| JobError::Digest(e.to_string()))
        }
        crate::domain::polls::mail::CLOSE_JOB => {
            crate::domain::polls::mail::run_close(state, &job.payload)
                .await
                .map_err(|e| JobError::Digest(e.to_string()))
        }
        other => Err(JobError::UnknownKind(other.to_string())),
    }
}

/// Claims and runs one due job; returns false when none was due.
pub async fn run_once(state: &Context, worker_id: &str) -> Result<bool, sqlx::Error> {
    let now = state.clock.now_ms();
    let Some(job) = jobs::claim(&state.db.pool, state.db.backend, worker_id, now, LEASE_MS).await?
    else {
        return Ok(false);
    };
    match run_job(state, &job).await {
        Ok(()) => {
            if job.kind == mail::JOB_KIND {
                crate::metrics::email_sent();
            }
            jobs::complete(&state.db.pool, &job.id).await?
        }
        Err(e) => {
            let retry_at = (job.attempts < job.max_attempts)
                .then(|| state.clock.now_ms() + backoff_ms(job.attempts));
            crate::metrics::job_failed(&job.kind, retry_at.is_some());
            if job.kind == mail::JOB_KIND {
                crate::metrics::email_failed();
            }
            tracing::warn!(job = %job.id, kind = %job.kind, attempts = job.attempts, error = %e, "job failed");
            jobs::fail(&state.db.pool, &job.id, &e.to_string(), retry_at).await?;
        }
    }
    Ok(true)
}

/// Events dispatched per transaction (issue 17 item 3): large enough that the fixed cost of
/// a batch is spread, small enough that SQLite's write lock is held for milliseconds.
pub const DISPATCH_BATCH: i64 = 200;
/// Due digests prepared per transaction.
pub const DIGEST_BATCH: i64 = 400;

/// Claims up to `limit` due digest jobs and prepares them in one go (one transaction that
/// queues the e-mails and completes the jobs); returns how many jobs were claimed. A job
/// whose payload cannot be read fails alone; if the batch fails, every job of it is
/// retried later.
pub async fn run_digests(
    state: &Context,
    worker_id: &str,
    limit: i64,
) -> Result<usize, sqlx::Error> {
    use crate::domain::notifications::{DigestRequest, prepare_digests};
    let now = state.clock.now_ms();
    let claimed = jobs::claim_digests(
        &state.db.pool,
        state.db.backend,
        worker_id,
        now,
        LEASE_MS,
        limit,
    )
    .await?;
    let mut requests = Vec::with_capacity(claimed.len());
    let mut ids = Vec::with_capacity(claimed.len());
    for job in &claimed {
        match DigestRequest::parse(&job.payload) {
            Ok(r) => {
                requests.push(r);
                ids.push(job.id.clone());
            }
            Err(e) => fail(state, job, &e.to_string()).await?,
        }
    }
    if requests.is_empty() {
        return Ok(claimed.len());
    }
    if let Err(e) = prepare_digests(state, &requests, &ids).await {
        for job in claimed.iter().filter(|j| ids.contains(&j.id)) {
            fail(state, job, &e.to_string()).await?;
        }
    }
    Ok(claimed.len())
}

/// Records a failed job: retried with backoff, dead once its attempts are spent.
async fn fail(state: &Context, job: &JobRow, error: &str) -> Result<(), sqlx::Error> {
    let retry_at =
        (job.attempts < job.max_attempts).then(|| state.clock.now_ms() + backoff_ms(job.attempts));
    crate::metrics::job_failed(&job.kind, retry_at.is_some());
    tracing::warn!(job = %job.id, kind = %job.kind, attempts = job.attempts, error = %error, "job failed");
    jobs::fail(&state.db.pool, &job.id, error, retry_at).await
}

/// How often the worker looks for sent e-mails past the retention period.
const SUMMARY_EVERY: Duration = Duration::from_secs(3600);
/// Sent e-mails summarized per transaction, so that writers never wait long.
const SUMMARY_BATCH: i64 = 200;

/// Replaces the full text of e-mails sent more than `mail_retention_days` ago with their
/// summary; returns how many. Nothing when the retention is 0 (kept for good).
pub async fn summarize_sent_mail(state: &Context, now: i64) -> Result<u64, sqlx::Error> {
    let days = state.config.mail_retention_days;
    if days <= 0 {
        return Ok(0);
    }
    let before = now - days * 86_400_000;
    let mut done = 0u64;
    loop {
        let mut tx = state.db.begin().await?;
        let batch = jobs::sent_mail_to_summarize(&mut *tx, before, SUMMARY_BATCH).await?;
        for (id, payload) in &batch {
            // An unreadable payload cannot be summarized: nothing of it is kept.
            let summary = serde_json::from_str::<OutgoingEmail>(payload)
                .ok()
                .and_then(|e| serde_json::to_string(&e.summary()).ok())
                .unwrap_or_else(|| "{}".to_string());
            jobs::summarize(&mut *tx, id, &summary, now).await?;
        }
        tx.commit().await?;
        done += batch.len() as u64;
        if (batch.len() as i64) < SUMMARY_BATCH {
            return Ok(done);
        }
    }
}

/// Runs until `shutdown` turns true; a job in progress is finished first.
pub async fn run_worker(state: Context, mut shutdown: watch::Receiver<bool>) {
    let worker_id = format!("worker-{}", crate::db::new_id());
    tracing::info!(%worker_id, "worker started");
    // Answers by e-mail from a mailbox (N6), beside the queue.
    let poller = match state
        .config
        .imap_url
        .as_deref()
        .map(crate::mail::imap::ImapUrl::parse)
    {
        Some(Ok(url)) => Some(tokio::spawn(mailbox::run(
            state.clone(),
            url,
            shutdown.clone(),
        ))),
        Some(Err(e)) => {
            tracing::error!(error = %e, "mailbox of answers not polled");
            None
        }
        None => None,
    };
    let mut next_summary = tokio::time::Instant::now();
    // Reports indexed before the current search index, one batch per turn (see
    // domain::reports::search::reindex_stale); false once none is left.
    let mut reindexing = true;
    loop {
        if *shutdown.borrow() {
            break;
        }
        if reindexing {
            match crate::domain::reports::search::reindex_stale(&state).await {
                Ok(n) => {
                    reindexing = n as i64 >= crate::domain::reports::search::REINDEX_BATCH;
                    if n > 0 {
                        tracing::info!(count = n, "reports indexed again for search");
                    }
                }
                Err(e) => {
                    reindexing = false;
                    tracing::error!(error = %e, "indexing reports again failed");
                }
            }
        }
        if tokio::time::Instant::now() >= next_summary {
            next_summary += SUMMARY_EVERY;
            match summarize_sent_mail(&state, state.clock.now_ms()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(count = n, "sent e-mails summarized"),
                Err(e) => tracing::error!(error = %e, "summarizing sent e-mails failed"),
            }
            if let Err(e) = crate::domain::idempotency::purge_expired(&state).await {
                tracing::error!(error = %e, "purging idempotency keys failed");
            }
        }
        // Events first: they turn into the jobs below. A full batch means more are waiting.
        let mut more =
            match crate::domain::notifications::dispatch_pending(&state, DISPATCH_BATCH).await {
                Ok(n) => n as i64 >= DISPATCH_BATCH,
                Err(e) => {
                    tracing::error!(error = %e, "event dispatch failed");
                    false
                }
            };
        match run_digests(&state, &worker_id, DIGEST_BATCH).await {
            Ok(n) => more |= n as i64 >= DIGEST_BATCH,
            Err(e) => tracing::error!(error = %e, "digest batch failed"),
        }
        let idle = match run_once(&state, &worker_id).await {
            Ok(true) => false,
            Ok(false) => true,
            Err(e) => {
                tracing::error!(error = %e, "job queue unavailable");
                true
            }
        };
        if idle && !more && !reindexing {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(state.config.worker_poll_ms)) => {}
                _ = state.jobs_notify.notified() => {}
                _ = shutdown.changed() => {}
            }
        }
    }
    if let Some(poller) = poller {
        let _ = poller.await;
    }
    tracing::info!(%worker_id, "worker stopped");
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_is_capped() {
        let first = super::backoff_ms(1);
        assert!((30_000..=37_500).contains(&first));
        let third = super::backoff_ms(3);
        assert!((120_000..=150_000).contains(&third));
        assert!(super::backoff_ms(40) <= 6 * 3_600_000 * 5 / 4);
    }
}
