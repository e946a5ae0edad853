//! Agencies, buildings and lots.

use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BuildingRow {
    pub id: String,
    pub agency_id: String,
    pub name: String,
    pub address: String,
    pub lots_count: i64,
    pub code: String,
    pub access_codes: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub council_filter: i64,
}

const BUILDING_COLUMNS: &str = "id, agency_id, name, address, lots_count, code, access_codes, \
     contact_name, contact_phone, council_filter";

pub async fn insert_agency<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    name: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO agencies (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(name)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn agency_by_name<'c>(
    ex: impl Executor<'c, Database = Any>,
    name: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT id FROM agencies WHERE name = $1")
        .bind(name)
        .fetch_optional(ex)
        .await
}

pub async fn agency_name<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT name FROM agencies WHERE id = $1")
        .bind(id)
        .fetch_all(ex)
        .await
        .map(|r| r.into_iter().next())
}

pub struct NewBuilding<'a> {
    pub id: &'a str,
    pub agency_id: &'a str,
    pub name: &'a str,
    pub address: &'a str,
    pub lots_count: i64,
    pub code: &'a str,
    pub access_codes: &'a str,
    pub contact_name: &'a str,
    pub contact_phone: &'a str,
    pub now: i64,
}

pub async fn insert<'c>(
    ex: impl Executor<'c, Database = Any>,
    b: NewBuilding<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO buildings (id, agency_id, name, address, lots_count, code, access_codes, \
         contact_name, contact_phone, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(b.id)
    .bind(b.agency_id)
    .bind(b.name)
    .bind(b.address)
    .bind(b.lots_count)
    .bind(b.code)
    .bind(b.access_codes)
    .bind(b.contact_name)
    .bind(b.contact_phone)
    .bind(b.now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn by_id<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<BuildingRow>> {
    sqlx::query_as(&format!(
        "SELECT {BUILDING_COLUMNS} FROM buildings WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(ex)
    .await
}

/// Buildings by id (one `IN` list: keep it to a few hundred).
pub async fn by_ids<'c>(
    ex: impl Executor<'c, Database = Any>,
    ids: &[String],
) -> sqlx::Result<Vec<BuildingRow>> {
    let mut q = super::sql::Sql::new(&format!("SELECT {BUILDING_COLUMNS} FROM buildings"));
    q.push(" WHERE id IN ").list(ids);
    q.query_as().fetch_all(ex).await
}

pub async fn by_code<'c>(
    ex: impl Executor<'c, Database = Any>,
    code: &str,
) -> sqlx::Result<Option<BuildingRow>> {
    sqlx::query_as(&format!(
        "SELECT {BUILDING_COLUMNS} FROM buildings WHERE code = $1"
    ))
    .bind(code)
    .fetch_optional(ex)
    .await
}

pub async fn by_agency_and_name<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
    name: &str,
) -> sqlx::Result<Option<BuildingRow>> {
    sqlx::query_as(&format!(
        "SELECT {BUILDING_COLUMNS} FROM buildings WHERE agency_id = $1 AND name = $2"
    ))
    .bind(agency_id)
    .bind(name)
    .fetch_optional(ex)
    .await
}

/// Buildings a person belongs to or manages, by name.
pub async fn visible_to<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<Vec<BuildingRow>> {
    sqlx::query_as(&format!(
        "SELECT {BUILDING_COLUMNS} FROM buildings WHERE \
         id IN (SELECT building_id FROM memberships WHERE person_id = $1) \
         OR agency_id IN (SELECT agency_id FROM agency_staff WHERE person_id = $1) \
         ORDER BY name"
    ))
    .bind(person_id)
    .fetch_all(ex)
    .await
}

pub struct Settings<'a> {
    pub name: &'a str,
    pub address: &'a str,
    pub lots_count: i64,
    pub access_codes: &'a str,
    pub contact_name: &'a str,
    pub contact_phone: &'a str,
    pub council_filter: bool,
}

pub async fn update_settings<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    s: Settings<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE buildings SET name = $2, address = $3, lots_count = $4, access_codes = $5, \
         contact_name = $6, contact_phone = $7, council_filter = $8 WHERE id = $1",
    )
    .bind(id)
    .bind(s.name)
    .bind(s.address)
    .bind(s.lots_count)
    .bind(s.access_codes)
    .bind(s.contact_name)
    .bind(s.contact_phone)
    .bind(super::flag(s.council_filter))
    .execute(ex)
    .await?;
    Ok(())
}

/// The lot with this label in the building, created when the agency has not imported it.
pub async fn find_or_create_lot(
    conn: &mut sqlx::AnyConnection,
    building_id: &str,
    label: &str,
) -> sqlx::Result<String> {
    sqlx::query(
        "INSERT INTO lots (id, building_id, label) VALUES ($1, $2, $3) \
         ON CONFLICT (building_id, label) DO NOTHING",
    )
    .bind(super::new_id())
    .bind(building_id)
    .bind(label)
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar("SELECT id FROM lots WHERE building_id = $1 AND label = $2")
        .bind(building_id)
        .bind(label)
        .fetch_one(&mut *conn)
        .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomCategoryRow {
    pub slug: String,
    pub label: String,
    pub hint: String,
    pub urgent_by_default: i64,
}

/// An agency's own report categories, by label.
pub async fn custom_categories<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
) -> sqlx::Result<Vec<CustomCategoryRow>> {
    sqlx::query_as(
        "SELECT slug, label, hint, urgent_by_default FROM custom_categories WHERE agency_id = $1 ORDER BY label",
    )
    .bind(agency_id)
    .fetch_all(ex)
    .await
}

/// The agency's language code (`fr`, `en`) for what it sends outside the pages.
pub async fn agency_lang<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT lang FROM agencies WHERE id = $1")
        .bind(agency_id)
        .fetch_optional(ex)
        .await
}

/// A new registration code for a building (the old one stops working at once).
pub async fn set_building_code<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
    code: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE buildings SET code = $2 WHERE id = $1")
        .bind(building_id)
        .bind(code)
        .execute(ex)
        .await?;
    Ok(())
}
