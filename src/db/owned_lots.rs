//! Lots an owner holds beside the one their membership names (an owner of several lots).

use sqlx::{Any, AnyConnection, Executor};

/// (person, lot) pairs of the agency's buildings, for the import to change nothing twice.
pub async fn of_agency<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT o.person_id, o.lot_id FROM owned_lots o JOIN buildings b ON b.id = o.building_id \
         WHERE b.agency_id = $1",
    )
    .bind(agency_id)
    .fetch_all(ex)
    .await
}

pub async fn insert(
    conn: &mut AnyConnection,
    person_id: &str,
    building_id: &str,
    lot_id: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO owned_lots (person_id, building_id, lot_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (person_id, lot_id) DO NOTHING",
    )
    .bind(person_id)
    .bind(building_id)
    .bind(lot_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Moving out of the building ends the ownership links there too.
pub async fn end(
    conn: &mut AnyConnection,
    person_id: &str,
    building_id: &str,
) -> sqlx::Result<u64> {
    Ok(
        sqlx::query("DELETE FROM owned_lots WHERE person_id = $1 AND building_id = $2")
            .bind(person_id)
            .bind(building_id)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}
