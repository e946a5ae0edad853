//! Idempotent retries (SPEC §6, the caretaker on a round with poor signal): a create request
//! sent with a key is run once; its retries with the same key and body get the first
//! answer, a retry with another body is refused. Keys live 24 hours, in the database so that
//! every instance shares them.

use std::time::Duration;

use super::{AppError, Context};
use crate::db::idempotency as db;

/// How long a key is remembered.
pub const KEY_TTL_MS: i64 = 24 * 3_600_000;
/// A claim older than this whose request never answered (its client left, the process
/// stopped) may be taken over by a retry.
const ABANDONED_AFTER_MS: i64 = 60_000;
/// How long a retry waits for the first request of its key to answer.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(100);
/// Longest answer kept for replay (creation answers are small: an id, a redirect).
pub const MAX_STORED_BODY: usize = 256 * 1024;

/// A key as the client sent it: 1–200 visible ASCII characters.
pub fn parse_key(raw: &str) -> Result<String, AppError> {
    let ok = !raw.is_empty() && raw.len() <= 200 && raw.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(raw.to_string())
    } else {
        Err(AppError::BadRequest("error.idempotency_key"))
    }
}

/// The answer replayed to a retry.
#[derive(Debug, Clone)]
pub struct StoredAnswer {
    pub status: u16,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub body: String,
}

pub enum Begin {
    /// First request of this key: run it, then `finish` or `release`.
    Run,
    Replay(StoredAnswer),
}

/// Claims `key` for `person_id`'s request whose body hashes to `request_hash`, or finds the
/// answer of the request that claimed it first (waiting for it when it is still running).
pub async fn begin(
    ctx: &Context,
    person_id: &str,
    key: &str,
    request_hash: &str,
) -> Result<Begin, AppError> {
    let waited_since = tokio::time::Instant::now();
    loop {
        let now = ctx.clock.now_ms();
        if db::claim(&ctx.db.pool, person_id, key, request_hash, now).await? {
            return Ok(Begin::Run);
        }
        let Some(row) = db::find(&ctx.db.pool, person_id, key).await? else {
            // The first request failed and let the key go: this one runs.
            continue;
        };
        if row.request_hash != request_hash {
            return Err(AppError::invalid(
                "idempotency_key",
                "error.idempotency_mismatch",
            ));
        }
        if let Some(status) = row.status {
            return Ok(Begin::Replay(StoredAnswer {
                status: u16::try_from(status).unwrap_or(200),
                content_type: row.content_type,
                location: row.location,
                body: row.body.unwrap_or_default(),
            }));
        }
        if row.created_at < now - ABANDONED_AFTER_MS
            && db::take_over(&ctx.db.pool, person_id, key, now - ABANDONED_AFTER_MS, now).await?
        {
            return Ok(Begin::Run);
        }
        if waited_since.elapsed() >= WAIT_FOR_FIRST {
            return Err(AppError::Conflict("error.idempotency_in_progress"));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Keeps the answer of a request that succeeded, for its retries.
pub async fn finish(
    ctx: &Context,
    person_id: &str,
    key: &str,
    answer: &StoredAnswer,
) -> Result<(), AppError> {
    db::complete(
        &ctx.db.pool,
        person_id,
        key,
        i64::from(answer.status),
        answer.content_type.as_deref(),
        answer.location.as_deref(),
        &answer.body,
    )
    .await?;
    Ok(())
}

/// Lets the key go after a request that changed nothing (refused, failed): a corrected
/// retry runs for real.
pub async fn release(ctx: &Context, person_id: &str, key: &str) -> Result<(), AppError> {
    db::release(&ctx.db.pool, person_id, key).await?;
    Ok(())
}

/// Forgets keys past their 24 hours; run by the worker.
pub async fn purge_expired(ctx: &Context) -> Result<u64, AppError> {
    Ok(db::purge(&ctx.db.pool, ctx.clock.now_ms() - KEY_TTL_MS).await?)
}
