//! Lots of a building, with their ownership shares.

use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LotRow {
    pub id: String,
    pub building_id: String,
    pub label: String,
    pub shares: i64,
    pub staircase: String,
    pub floor: String,
}

const LOT_COLUMNS: &str = "id, building_id, label, shares, staircase, floor";

/// The building's lots by label (a building has hundreds at most).
pub async fn of_building<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
) -> sqlx::Result<Vec<LotRow>> {
    sqlx::query_as(&format!(
        "SELECT {LOT_COLUMNS} FROM lots WHERE building_id = $1 ORDER BY label, id"
    ))
    .bind(building_id)
    .fetch_all(ex)
    .await
}

pub async fn by_id<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<LotRow>> {
    sqlx::query_as(&format!("SELECT {LOT_COLUMNS} FROM lots WHERE id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

pub struct LotInput<'a> {
    pub label: &'a str,
    pub shares: i64,
    pub staircase: &'a str,
    pub floor: &'a str,
}

/// Inserts a lot; a label already used in the building is a unique violation.
pub async fn insert<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    building_id: &str,
    lot: LotInput<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO lots (id, building_id, label, shares, staircase, floor) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(building_id)
    .bind(lot.label)
    .bind(lot.shares)
    .bind(lot.staircase)
    .bind(lot.floor)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn update<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    lot: LotInput<'_>,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE lots SET label = $2, shares = $3, staircase = $4, floor = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(lot.label)
    .bind(lot.shares)
    .bind(lot.staircase)
    .bind(lot.floor)
    .execute(ex)
    .await?;
    Ok(done.rows_affected())
}

/// Gives a lot its shares unless it already has some (the demo's idempotent seed).
pub async fn set_shares_if_unset<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
    label: &str,
    shares: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE lots SET shares = $3 WHERE building_id = $1 AND label = $2 AND shares = 0")
        .bind(building_id)
        .bind(label)
        .bind(shares)
        .execute(ex)
        .await?;
    Ok(())
}
