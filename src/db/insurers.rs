//! Insurers (shared or an agency's), each building's insurance, the agencies' claim
//! reminder delays.

use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InsurerRow {
    pub id: String,
    pub agency_id: Option<String>,
    pub name: String,
    pub claims_email: String,
    pub phone: String,
}

const INSURER_COLUMNS: &str = "id, agency_id, name, claims_email, phone";

/// A new insurer: the agency's, or shared by every agency (`agency_id` None).
pub async fn insert_insurer<'c>(
    ex: impl Executor<'c, Database = Any>,
    i: &InsurerRow,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO insurers (id, agency_id, name, claims_email, phone, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&i.id)
    .bind(i.agency_id.as_deref())
    .bind(&i.name)
    .bind(&i.claims_email)
    .bind(&i.phone)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// The insurers an agency may choose: its own and the shared ones, by name.
pub async fn insurers_for<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
) -> sqlx::Result<Vec<InsurerRow>> {
    sqlx::query_as(&format!(
        "SELECT {INSURER_COLUMNS} FROM insurers WHERE agency_id = $1 OR agency_id IS NULL ORDER BY name, id"
    ))
    .bind(agency_id)
    .fetch_all(ex)
    .await
}

pub async fn insurer<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<InsurerRow>> {
    sqlx::query_as(&format!(
        "SELECT {INSURER_COLUMNS} FROM insurers WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(ex)
    .await
}

pub async fn set_insurance<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
    insurer_id: &str,
    policy_number: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO building_insurance (building_id, insurer_id, policy_number, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (building_id) DO UPDATE SET insurer_id = excluded.insurer_id, \
         policy_number = excluded.policy_number, updated_at = excluded.updated_at",
    )
    .bind(building_id)
    .bind(insurer_id)
    .bind(policy_number)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// The building's insurer and policy number, when set.
pub async fn insurance<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
) -> sqlx::Result<Option<(InsurerRow, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        insurer: InsurerRow,
        policy_number: String,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT i.id, i.agency_id, i.name, i.claims_email, i.phone, b.policy_number \
         FROM building_insurance b JOIN insurers i ON i.id = b.insurer_id WHERE b.building_id = $1",
    )
    .bind(building_id)
    .fetch_optional(ex)
    .await?;
    Ok(row.map(|r| (r.insurer, r.policy_number)))
}

/// Claim reminder delays of an agency: (working days, reminders before escalation).
pub async fn reminder_settings<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
) -> sqlx::Result<(i64, i64)> {
    Ok(sqlx::query_as(
        "SELECT claim_remind_after_days, claim_reminders_before_escalation FROM agencies WHERE id = $1",
    )
    .bind(agency_id)
    .fetch_optional(ex)
    .await?
    .unwrap_or((10, 2)))
}

pub async fn set_reminder_settings<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
    after_days: i64,
    before_escalation: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE agencies SET claim_remind_after_days = $2, claim_reminders_before_escalation = $3 WHERE id = $1",
    )
    .bind(agency_id)
    .bind(after_days)
    .bind(before_escalation)
    .execute(ex)
    .await?;
    Ok(())
}
