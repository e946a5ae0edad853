//! Claims with their lots; insurers and a claim's thread, files and history are in
//! `insurers` and `claim_items`, re-exported here.

use sqlx::{Any, Executor};

pub use super::claim_items::*;
pub use super::insurers::*;
use super::sql::Sql;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimRow {
    pub id: String,
    pub agency_id: String,
    pub building_id: String,
    pub report_id: Option<String>,
    pub reference: String,
    pub kind: String,
    pub status: String,
    pub title: String,
    pub place: String,
    pub occurred_at: i64,
    pub discovered_at: i64,
    pub description: String,
    pub damages: String,
    pub estimated_amount_cents: Option<i64>,
    pub third_parties: String,
    pub insurer_id: Option<String>,
    pub policy_number: String,
    pub insurer_reference: String,
    pub expert_visit_at: Option<i64>,
    pub settled_amount_cents: Option<i64>,
    pub token_expires_at: Option<i64>,
    pub token_revoked_at: Option<i64>,
    pub transmitted_at: Option<i64>,
    pub last_activity_at: i64,
    pub reminders_sent: i64,
    pub created_by: String,
    pub created_at: i64,
}

const CLAIM_SELECT: &str = "SELECT id, agency_id, building_id, report_id, reference, kind, status, title, place, \
     occurred_at, discovered_at, description, damages, estimated_amount_cents, third_parties, insurer_id, \
     policy_number, insurer_reference, expert_visit_at, settled_amount_cents, token_expires_at, token_revoked_at, \
     transmitted_at, last_activity_at, reminders_sent, created_by, created_at FROM claims";

pub async fn next_seq<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM claims WHERE agency_id = $1")
        .bind(agency_id)
        .fetch_one(ex)
        .await
}

pub struct NewClaim<'a> {
    pub id: &'a str,
    pub agency_id: &'a str,
    pub building_id: &'a str,
    pub report_id: Option<&'a str>,
    pub seq: i64,
    pub reference: &'a str,
    pub kind: &'a str,
    pub title: &'a str,
    pub place: &'a str,
    pub occurred_at: i64,
    pub discovered_at: i64,
    pub description: &'a str,
    pub damages: &'a str,
    pub estimated_amount_cents: Option<i64>,
    pub third_parties: &'a str,
    pub created_by: &'a str,
    pub now: i64,
}

pub async fn insert<'c>(
    ex: impl Executor<'c, Database = Any>,
    c: NewClaim<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO claims (id, agency_id, building_id, report_id, seq, reference, kind, title, place, occurred_at, \
         discovered_at, description, damages, estimated_amount_cents, third_parties, created_by, created_at, last_activity_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)",
    )
    .bind(c.id)
    .bind(c.agency_id)
    .bind(c.building_id)
    .bind(c.report_id)
    .bind(c.seq)
    .bind(c.reference)
    .bind(c.kind)
    .bind(c.title)
    .bind(c.place)
    .bind(c.occurred_at)
    .bind(c.discovered_at)
    .bind(c.description)
    .bind(c.damages)
    .bind(c.estimated_amount_cents)
    .bind(c.third_parties)
    .bind(c.created_by)
    .bind(c.now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn insert_lot<'c>(
    ex: impl Executor<'c, Database = Any>,
    claim_id: &str,
    lot_id: &str,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO claim_lots (claim_id, lot_id) VALUES ($1, $2) ON CONFLICT (claim_id, lot_id) DO NOTHING")
        .bind(claim_id)
        .bind(lot_id)
        .execute(ex)
        .await?;
    Ok(())
}

/// The claim's lots: (id, label), by label.
pub async fn lots_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    claim_id: &str,
) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT l.id, l.label FROM claim_lots c JOIN lots l ON l.id = c.lot_id WHERE c.claim_id = $1 ORDER BY l.label, l.id",
    )
    .bind(claim_id)
    .fetch_all(ex)
    .await
}

pub async fn by_id<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<ClaimRow>> {
    sqlx::query_as(&format!("{CLAIM_SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

pub async fn by_token<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
) -> sqlx::Result<Option<ClaimRow>> {
    sqlx::query_as(&format!("{CLAIM_SELECT} WHERE token_hash = $1"))
        .bind(token_hash)
        .fetch_optional(ex)
        .await
}

/// The claims declared from a report (for its history line and the manager's links).
pub async fn for_report<'c>(
    ex: impl Executor<'c, Database = Any>,
    report_id: &str,
) -> sqlx::Result<Vec<ClaimRow>> {
    sqlx::query_as(&format!(
        "{CLAIM_SELECT} WHERE report_id = $1 ORDER BY created_at, id"
    ))
    .bind(report_id)
    .fetch_all(ex)
    .await
}

/// Which claims a list holds: an agency's, maybe one building's, by status and kind.
pub struct ListQuery<'a> {
    pub agency_id: &'a str,
    pub building_id: Option<&'a str>,
    pub status: Option<&'a str>,
    pub kind: Option<&'a str>,
    /// Keyset: strictly older than this (created_at, id).
    pub before: Option<(i64, &'a str)>,
    pub limit: i64,
}

/// Newest first, on the indexes `claims_building` / `claims_agency[_status|_kind]`.
pub async fn list<'c>(
    ex: impl Executor<'c, Database = Any>,
    q: ListQuery<'_>,
) -> sqlx::Result<Vec<ClaimRow>> {
    let mut sql = Sql::new(CLAIM_SELECT);
    sql.push(" WHERE agency_id = ").text(q.agency_id);
    if let Some(b) = q.building_id {
        sql.push(" AND building_id = ").text(b);
    }
    if let Some(s) = q.status {
        sql.push(" AND status = ").text(s);
    }
    if let Some(k) = q.kind {
        sql.push(" AND kind = ").text(k);
    }
    if let Some((at, id)) = q.before {
        sql.push(" AND (created_at < ").int(at);
        sql.push(" OR (created_at = ").int(at);
        sql.push(" AND id < ").text(id);
        sql.push("))");
    }
    sql.push(" ORDER BY created_at DESC, id DESC")
        .limit(q.limit);
    sql.query_as().fetch_all(ex).await
}

pub struct Transmission<'a> {
    pub insurer_id: &'a str,
    pub policy_number: &'a str,
    pub token_hash: &'a str,
    pub token_expires_at: i64,
    pub now: i64,
}

pub async fn transmit<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    t: Transmission<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE claims SET status = 'transmitted', insurer_id = $2, policy_number = $3, token_hash = $4, \
         token_expires_at = $5, token_revoked_at = NULL, transmitted_at = $6, last_activity_at = $6 WHERE id = $1",
    )
    .bind(id)
    .bind(t.insurer_id)
    .bind(t.policy_number)
    .bind(t.token_hash)
    .bind(t.token_expires_at)
    .bind(t.now)
    .execute(ex)
    .await?;
    Ok(())
}

/// The insurer's reference; a transmitted claim becomes acknowledged.
pub async fn set_reference<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    reference: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE claims SET insurer_reference = $2, last_activity_at = $3, \
         status = CASE WHEN status = 'transmitted' THEN 'acknowledged' ELSE status END WHERE id = $1",
    )
    .bind(id)
    .bind(reference)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// The expert's visit; before settlement, the claim shows it as its step.
pub async fn set_visit<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    at: i64,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE claims SET expert_visit_at = $2, last_activity_at = $3, \
         status = CASE WHEN status IN ('transmitted', 'acknowledged') THEN 'expert_visit_planned' ELSE status END WHERE id = $1",
    )
    .bind(id)
    .bind(at)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn set_status<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    status: &str,
    settled_amount_cents: Option<i64>,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE claims SET status = $2, settled_amount_cents = COALESCE($3, settled_amount_cents), \
         last_activity_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(settled_amount_cents)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Something happened on the claim: reminders count from now.
pub async fn touch<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE claims SET last_activity_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn revoke<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE claims SET token_revoked_at = COALESCE(token_revoked_at, $2) WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn count_reminder<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE claims SET reminders_sent = reminders_sent + 1 WHERE id = $1")
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}
