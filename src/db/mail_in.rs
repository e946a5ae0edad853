//! Answer by e-mail (N6): reply tokens, intake addresses, received messages, answers sent,
//! failing addresses and providers' e-mail replies.

use sqlx::{Any, Executor};

pub struct NewToken<'a> {
    pub token_hash: &'a str,
    pub kind: &'a str,
    pub item_id: &'a str,
    pub person_id: Option<&'a str>,
    pub email: &'a str,
    pub audience: &'a str,
    pub audience_person_id: Option<&'a str>,
    pub expires_at: i64,
    pub now: i64,
}

pub async fn insert_token<'c>(
    ex: impl Executor<'c, Database = Any>,
    t: NewToken<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO mail_tokens (token_hash, kind, item_id, person_id, email, audience, \
         audience_person_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(t.token_hash)
    .bind(t.kind)
    .bind(t.item_id)
    .bind(t.person_id)
    .bind(t.email)
    .bind(t.audience)
    .bind(t.audience_person_id)
    .bind(t.now)
    .bind(t.expires_at)
    .execute(ex)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow, Debug, Clone)]
pub struct TokenRow {
    pub kind: String,
    pub item_id: String,
    pub person_id: Option<String>,
    pub email: String,
    pub audience: String,
    pub audience_person_id: Option<String>,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

pub async fn token<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
) -> sqlx::Result<Option<TokenRow>> {
    sqlx::query_as(
        "SELECT kind, item_id, person_id, email, audience, audience_person_id, expires_at, \
         revoked_at FROM mail_tokens WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(ex)
    .await
}

/// Revokes every reply address of an item (a work order whose link was revoked).
pub async fn revoke_item<'c>(
    ex: impl Executor<'c, Database = Any>,
    kind: &str,
    item_id: &str,
    now: i64,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE mail_tokens SET revoked_at = $1 WHERE kind = $2 AND item_id = $3 \
         AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(kind)
    .bind(item_id)
    .execute(ex)
    .await?
    .rows_affected())
}

/// Revokes every reply address sent to a person.
pub async fn revoke_person<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    now: i64,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE mail_tokens SET revoked_at = $1 WHERE person_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(person_id)
    .execute(ex)
    .await?
    .rows_affected())
}

pub async fn intake_token<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT token FROM building_intake WHERE building_id = $1")
        .bind(building_id)
        .fetch_optional(ex)
        .await
}

/// Gives a building its intake token unless it has one (a concurrent call keeps the first).
pub async fn insert_intake<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
    token: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO building_intake (building_id, token, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (building_id) DO NOTHING",
    )
    .bind(building_id)
    .bind(token)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn intake_building<'c>(
    ex: impl Executor<'c, Database = Any>,
    token: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT building_id FROM building_intake WHERE token = $1")
        .bind(token)
        .fetch_optional(ex)
        .await
}

/// Claims a received message by its Message-ID; false when it was already handled.
pub async fn claim_message<'c>(
    ex: impl Executor<'c, Database = Any>,
    message_id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "INSERT INTO inbound_messages (message_id, outcome, received_at) VALUES ($1, 'pending', $2) \
         ON CONFLICT (message_id) DO NOTHING",
    )
    .bind(message_id)
    .bind(now)
    .execute(ex)
    .await?
    .rows_affected()
        == 1)
}

pub async fn set_outcome<'c>(
    ex: impl Executor<'c, Database = Any>,
    message_id: &str,
    outcome: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE inbound_messages SET outcome = $1 WHERE message_id = $2")
        .bind(outcome)
        .bind(message_id)
        .execute(ex)
        .await?;
    Ok(())
}

/// Forgets a claim whose handling failed for a temporary reason, so the retry is handled.
pub async fn release_message<'c>(
    ex: impl Executor<'c, Database = Any>,
    message_id: &str,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM inbound_messages WHERE message_id = $1")
        .bind(message_id)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn answers_since<'c>(
    ex: impl Executor<'c, Database = Any>,
    address: &str,
    since: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM mail_answers WHERE address = $1 AND sent_at >= $2")
        .bind(address)
        .bind(since)
        .fetch_one(ex)
        .await
}

pub async fn record_answer<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    address: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO mail_answers (id, address, sent_at) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(address)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn mark_failing<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
    reason: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO mail_failures (email, reason, failed_at) VALUES ($1, $2, $3) \
         ON CONFLICT (email) DO UPDATE SET reason = excluded.reason, failed_at = excluded.failed_at",
    )
    .bind(email)
    .bind(reason)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn failure<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT reason FROM mail_failures WHERE email = $1")
        .bind(email)
        .fetch_optional(ex)
        .await
}

pub async fn insert_work_order_message<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    work_order_id: &str,
    from_email: &str,
    body: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO work_order_messages (id, work_order_id, from_email, body, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(work_order_id)
    .bind(from_email)
    .bind(body)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow, Debug, Clone)]
pub struct WorkOrderMessageRow {
    pub id: String,
    pub from_email: String,
    pub body: String,
    pub created_at: i64,
}

/// The e-mail replies to every work order of a report, oldest first: (work order id, reply).
pub async fn report_work_order_messages<'c>(
    ex: impl Executor<'c, Database = Any>,
    report_id: &str,
    agency_id: &str,
    limit: i64,
) -> sqlx::Result<Vec<(String, String, String, i64)>> {
    sqlx::query_as(&format!(
        "SELECT m.work_order_id, m.from_email, m.body, m.created_at FROM work_order_messages m \
         JOIN work_orders w ON w.id = m.work_order_id \
         WHERE w.report_id = $1 AND w.agency_id = $2 ORDER BY m.created_at, m.id LIMIT {limit}",
    ))
    .bind(report_id)
    .bind(agency_id)
    .fetch_all(ex)
    .await
}

/// A work order's e-mail replies, oldest first (a work order gets a handful).
pub async fn work_order_messages<'c>(
    ex: impl Executor<'c, Database = Any>,
    work_order_id: &str,
    limit: i64,
) -> sqlx::Result<Vec<WorkOrderMessageRow>> {
    sqlx::query_as(&format!(
        "SELECT id, from_email, body, created_at FROM work_order_messages \
         WHERE work_order_id = $1 ORDER BY created_at, id LIMIT {limit}",
    ))
    .bind(work_order_id)
    .fetch_all(ex)
    .await
}
