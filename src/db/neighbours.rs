//! The neighbour without an account a report was filed for (name, phone, lot).

use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NeighbourRow {
    pub name: String,
    pub phone: String,
    pub lot: String,
}

pub async fn insert<'c>(
    ex: impl Executor<'c, Database = Any>,
    report_id: &str,
    n: &NeighbourRow,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO report_neighbours (report_id, name, phone, lot) VALUES ($1, $2, $3, $4)",
    )
    .bind(report_id)
    .bind(&n.name)
    .bind(&n.phone)
    .bind(&n.lot)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn of_report<'c>(
    ex: impl Executor<'c, Database = Any>,
    report_id: &str,
) -> sqlx::Result<Option<NeighbourRow>> {
    sqlx::query_as("SELECT name, phone, lot FROM report_neighbours WHERE report_id = $1")
        .bind(report_id)
        .fetch_optional(ex)
        .await
}
