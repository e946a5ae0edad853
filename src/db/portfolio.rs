//! An agency's portfolio read in bulk and written in batches (CSV import), lot landlords,
//! and invitation links.

use sqlx::{Any, Executor};

/// Rows per multi-row INSERT: well under SQLite's and PostgreSQL's parameter limits.
const BATCH_ROWS: usize = 200;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BuildingKeyRow {
    pub id: String,
    pub name: String,
    pub address: String,
}

/// The agency's buildings, to match imported lines by name and address.
pub async fn buildings_of_agency<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
) -> sqlx::Result<Vec<BuildingKeyRow>> {
    sqlx::query_as("SELECT id, name, address FROM buildings WHERE agency_id = $1")
        .bind(agency_id)
        .fetch_all(ex)
        .await
}

/// Every lot of the agency's buildings.
pub async fn lots_of_agency<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
) -> sqlx::Result<Vec<super::lots::LotRow>> {
    sqlx::query_as(
        "SELECT l.id, l.building_id, l.label, l.shares, l.staircase, l.floor FROM lots l \
         JOIN buildings b ON b.id = l.building_id WHERE b.agency_id = $1",
    )
    .bind(agency_id)
    .fetch_all(ex)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgencyMembershipRow {
    pub person_id: String,
    pub building_id: String,
    pub role: String,
    pub occupancy: Option<String>,
    pub lot_id: Option<String>,
}

/// Every membership in the agency's buildings.
pub async fn memberships_of_agency<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
) -> sqlx::Result<Vec<AgencyMembershipRow>> {
    sqlx::query_as(
        "SELECT m.person_id, m.building_id, m.role, m.occupancy, m.lot_id FROM memberships m \
         JOIN buildings b ON b.id = m.building_id WHERE b.agency_id = $1",
    )
    .bind(agency_id)
    .fetch_all(ex)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LotLandlordRow {
    pub lot_id: String,
    pub person_id: String,
    pub building_id: String,
}

/// The landlords of the agency's lots (links made before `lot_landlords` included).
pub async fn landlords_of_agency<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
) -> sqlx::Result<Vec<LotLandlordRow>> {
    sqlx::query_as(
        "SELECT ll.lot_id, ll.person_id, ll.building_id FROM lot_landlords ll \
         JOIN buildings b ON b.id = ll.building_id WHERE b.agency_id = $1",
    )
    .bind(agency_id)
    .fetch_all(ex)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonKeyRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub lang: String,
    /// 1 when the person has set a password (accepted an invitation or registered).
    pub active: i64,
}

const PERSON_KEY: &str = "id, name, email, phone, lang, \
     CAST(CASE WHEN password_hash = '' THEN 0 ELSE 1 END AS BIGINT) AS active";

/// People by e-mail, looked up in batches.
pub async fn people_by_emails(
    conn: &mut sqlx::AnyConnection,
    emails: &[&str],
) -> sqlx::Result<Vec<PersonKeyRow>> {
    let mut out = Vec::with_capacity(emails.len());
    for chunk in emails.chunks(BATCH_ROWS * 2) {
        let marks = placeholders(1, chunk.len());
        let sql = format!("SELECT {PERSON_KEY} FROM people WHERE email IN ({marks})");
        let mut q = sqlx::query_as(&sql);
        for e in chunk {
            q = q.bind(*e);
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

pub async fn person_by_email<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
) -> sqlx::Result<Option<PersonKeyRow>> {
    sqlx::query_as(&format!("SELECT {PERSON_KEY} FROM people WHERE email = $1"))
        .bind(email)
        .fetch_optional(ex)
        .await
}

pub async fn person_by_id<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<PersonKeyRow>> {
    sqlx::query_as(&format!("SELECT {PERSON_KEY} FROM people WHERE id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// `$start, $start+1, …` for `n` values.
fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($1, …, $cols), ($cols+1, …)` for `rows` rows.
fn row_placeholders(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", placeholders(r * cols + 1, cols)))
        .collect::<Vec<_>>()
        .join(", ")
}

pub struct NewBuildingRow {
    pub id: String,
    pub agency_id: String,
    pub name: String,
    pub address: String,
    pub code: String,
}

pub async fn insert_buildings(
    conn: &mut sqlx::AnyConnection,
    rows: &[NewBuildingRow],
    now: i64,
) -> sqlx::Result<()> {
    for chunk in rows.chunks(BATCH_ROWS) {
        let sql = format!(
            "INSERT INTO buildings (id, agency_id, name, address, code, created_at) VALUES {}",
            row_placeholders(chunk.len(), 6)
        );
        let mut q = sqlx::query(&sql);
        for b in chunk {
            q = q
                .bind(&b.id)
                .bind(&b.agency_id)
                .bind(&b.name)
                .bind(&b.address)
                .bind(&b.code)
                .bind(now);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

pub struct NewLotRow {
    pub id: String,
    pub building_id: String,
    pub label: String,
    pub shares: i64,
    pub staircase: String,
    pub floor: String,
}

pub async fn insert_lots(conn: &mut sqlx::AnyConnection, rows: &[NewLotRow]) -> sqlx::Result<()> {
    for chunk in rows.chunks(BATCH_ROWS) {
        let sql = format!(
            "INSERT INTO lots (id, building_id, label, shares, staircase, floor) VALUES {}",
            row_placeholders(chunk.len(), 6)
        );
        let mut q = sqlx::query(&sql);
        for l in chunk {
            q = q
                .bind(&l.id)
                .bind(&l.building_id)
                .bind(&l.label)
                .bind(l.shares)
                .bind(&l.staircase)
                .bind(&l.floor);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

pub struct NewPersonRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub lang: String,
}

/// People without a password yet (`''` matches no hash): they sign in after accepting an
/// invitation or through a password reset.
pub async fn insert_people(
    conn: &mut sqlx::AnyConnection,
    rows: &[NewPersonRow],
    now: i64,
) -> sqlx::Result<()> {
    for chunk in rows.chunks(BATCH_ROWS) {
        let sql = format!(
            "INSERT INTO people (id, name, email, phone, lang, password_hash, created_at) VALUES {}",
            row_placeholders(chunk.len(), 7)
        );
        let mut q = sqlx::query(&sql);
        for p in chunk {
            q = q
                .bind(&p.id)
                .bind(&p.name)
                .bind(&p.email)
                .bind(&p.phone)
                .bind(&p.lang)
                .bind("")
                .bind(now);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

pub struct NewMembershipRow {
    pub person_id: String,
    pub building_id: String,
    pub role: &'static str,
    pub occupancy: Option<&'static str>,
    pub lot_id: Option<String>,
}

pub async fn insert_memberships(
    conn: &mut sqlx::AnyConnection,
    rows: &[NewMembershipRow],
    now: i64,
) -> sqlx::Result<()> {
    for chunk in rows.chunks(BATCH_ROWS) {
        let sql = format!(
            "INSERT INTO memberships (id, person_id, building_id, role, occupancy, lot_id, created_at) VALUES {}",
            row_placeholders(chunk.len(), 7)
        );
        let mut q = sqlx::query(&sql);
        for m in chunk {
            q = q
                .bind(super::new_id())
                .bind(&m.person_id)
                .bind(&m.building_id)
                .bind(m.role)
                .bind(m.occupancy)
                .bind(m.lot_id.as_deref())
                .bind(now);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// A resident's occupancy and lot changed (keyed by person, building and role).
pub async fn update_residence<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    building_id: &str,
    occupancy: &str,
    lot_id: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE memberships SET occupancy = $3, lot_id = $4 \
         WHERE person_id = $1 AND building_id = $2 AND role IN ('occupant', 'referent')",
    )
    .bind(person_id)
    .bind(building_id)
    .bind(occupancy)
    .bind(lot_id)
    .execute(ex)
    .await?;
    Ok(())
}

/// Fills a phone number the person has not given themselves.
pub async fn fill_phone<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    phone: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE people SET phone = $2 WHERE id = $1 AND phone = ''")
        .bind(person_id)
        .bind(phone)
        .execute(ex)
        .await?;
    Ok(())
}

/// Makes `person_id` the landlord of `lot_id`, replacing any other; returns the previous
/// landlord when there was another one.
pub async fn set_lot_landlord(
    conn: &mut sqlx::AnyConnection,
    lot_id: &str,
    building_id: &str,
    person_id: &str,
    now: i64,
) -> sqlx::Result<Option<String>> {
    let previous: Option<String> =
        sqlx::query_scalar("SELECT person_id FROM lot_landlords WHERE lot_id = $1")
            .bind(lot_id)
            .fetch_optional(&mut *conn)
            .await?;
    sqlx::query(
        "INSERT INTO lot_landlords (lot_id, person_id, building_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (lot_id) DO UPDATE SET person_id = excluded.person_id, created_at = excluded.created_at",
    )
    .bind(lot_id)
    .bind(person_id)
    .bind(building_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    // A landlord membership naming this lot (the way links were stored before) no longer
    // grants it to anyone else.
    sqlx::query(
        "UPDATE memberships SET lot_id = NULL WHERE role = 'landlord' AND lot_id = $1 AND person_id <> $2",
    )
    .bind(lot_id)
    .bind(person_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO memberships (id, person_id, building_id, role, created_at) VALUES ($1, $2, $3, 'landlord', $4) \
         ON CONFLICT (person_id, building_id, role) DO NOTHING",
    )
    .bind(super::new_id())
    .bind(person_id)
    .bind(building_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let previous = previous.filter(|p| p != person_id);
    if let Some(old) = &previous {
        // A landlord left with no lot in the building is no longer one of its members.
        sqlx::query(
            "DELETE FROM memberships WHERE person_id = $1 AND building_id = $2 AND role = 'landlord' \
             AND lot_id IS NULL AND NOT EXISTS \
             (SELECT 1 FROM lot_landlords WHERE person_id = $1 AND building_id = $2)",
        )
        .bind(old)
        .bind(building_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(previous)
}

/// Unlinks the lot's landlord; returns who it was (None: the lot had none). A landlord
/// left with no lot in the building stops being one of its members.
pub async fn unset_lot_landlord(
    conn: &mut sqlx::AnyConnection,
    lot_id: &str,
    building_id: &str,
) -> sqlx::Result<Option<String>> {
    let previous: Option<String> = sqlx::query_scalar(
        "SELECT person_id FROM lot_landlords WHERE lot_id = $1 \
         UNION SELECT person_id FROM memberships WHERE role = 'landlord' AND lot_id = $1",
    )
    .bind(lot_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(old) = previous else {
        return Ok(None);
    };
    sqlx::query("DELETE FROM lot_landlords WHERE lot_id = $1")
        .bind(lot_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE memberships SET lot_id = NULL WHERE role = 'landlord' AND lot_id = $1")
        .bind(lot_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "DELETE FROM memberships WHERE person_id = $1 AND building_id = $2 AND role = 'landlord' \
         AND lot_id IS NULL AND NOT EXISTS \
         (SELECT 1 FROM lot_landlords WHERE person_id = $1 AND building_id = $2)",
    )
    .bind(&old)
    .bind(building_id)
    .execute(&mut *conn)
    .await?;
    Ok(Some(old))
}

/// The person who is the lot's landlord, if any.
pub async fn lot_landlord<'c>(
    ex: impl Executor<'c, Database = Any>,
    lot_id: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT person_id FROM lot_landlords WHERE lot_id = $1 \
         UNION SELECT person_id FROM memberships WHERE role = 'landlord' AND lot_id = $1",
    )
    .bind(lot_id)
    .fetch_all(ex)
    .await
    .map(|rows| rows.into_iter().next())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LandlordOfLotRow {
    pub lot_id: String,
    pub name: String,
    pub email: String,
}

/// The landlords of a building's lots, by lot.
pub async fn landlords_in_building<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
) -> sqlx::Result<Vec<LandlordOfLotRow>> {
    sqlx::query_as(
        "SELECT ll.lot_id, p.name, p.email FROM lot_landlords ll JOIN people p ON p.id = ll.person_id \
         WHERE ll.building_id = $1 \
         UNION SELECT m.lot_id, p.name, p.email FROM memberships m JOIN people p ON p.id = m.person_id \
         WHERE m.building_id = $1 AND m.role = 'landlord' AND m.lot_id IS NOT NULL",
    )
    .bind(building_id)
    .fetch_all(ex)
    .await
}

/// Members of the agency's buildings holding a live invitation link.
pub async fn live_invitations_in_agency<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
    now: i64,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT DISTINCT r.person_id FROM password_resets r \
         WHERE r.purpose = 'invitation' AND r.used_at IS NULL AND r.expires_at > $2 \
         AND r.person_id IN (SELECT m.person_id FROM memberships m \
             JOIN buildings b ON b.id = m.building_id WHERE b.agency_id = $1)",
    )
    .bind(agency_id)
    .bind(now)
    .fetch_all(ex)
    .await
}

/// Whether the person holds a live invitation link.
pub async fn has_live_invitation<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM password_resets WHERE person_id = $1 AND purpose = 'invitation' \
         AND used_at IS NULL AND expires_at > $2",
    )
    .bind(person_id)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(n > 0)
}

pub async fn create_invitation<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
    person_id: &str,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO password_resets (token_hash, person_id, expires_at, purpose) VALUES ($1, $2, $3, 'invitation')",
    )
    .bind(token_hash)
    .bind(person_id)
    .bind(expires_at)
    .execute(ex)
    .await?;
    Ok(())
}

/// Spends a live invitation and returns its person: single use by construction.
pub async fn consume_invitation<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND purpose = 'invitation' \
         AND used_at IS NULL AND expires_at > $2 RETURNING person_id",
    )
    .bind(token_hash)
    .bind(now)
    // Drained, not fetch_optional: see `jobs::claim`.
    .fetch_all(ex)
    .await
    .map(|rows| rows.into_iter().next())
}

/// Whether an invitation link is live (the page shows the form only then).
pub async fn invitation_person<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT person_id FROM password_resets WHERE token_hash = $1 AND purpose = 'invitation' \
         AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(ex)
    .await
}

/// Spends every outstanding invitation of a person (a newer one replaces them).
pub async fn spend_invitations_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE password_resets SET used_at = $2 WHERE person_id = $1 AND purpose = 'invitation' AND used_at IS NULL",
    )
    .bind(person_id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Whether the person is a member of the building (any role).
pub async fn is_member<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    building_id: &str,
) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships WHERE person_id = $1 AND building_id = $2",
    )
    .bind(person_id)
    .bind(building_id)
    .fetch_one(ex)
    .await?;
    Ok(n > 0)
}
