//! People, memberships, agency staff and charter acceptances.

use sqlx::{Any, Executor};

/// A person's membership in one building, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MembershipRow {
    pub building_id: String,
    pub role: String,
    pub occupancy: Option<String>,
    pub referent_kind: Option<String>,
    pub lot_id: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub password_hash: String,
    pub lang: String,
    pub timezone: String,
    pub phone: String,
    pub is_admin: i64,
}

const PERSON_COLUMNS: &str = "id, name, email, password_hash, lang, timezone, phone, is_admin";

pub struct NewPerson<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub lang: &'a str,
    pub is_admin: bool,
    pub now: i64,
}

pub async fn insert<'c>(
    ex: impl Executor<'c, Database = Any>,
    p: NewPerson<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO people (id, name, email, password_hash, lang, is_admin, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(p.id)
    .bind(p.name)
    .bind(p.email)
    .bind(p.password_hash)
    .bind(p.lang)
    .bind(super::flag(p.is_admin))
    .bind(p.now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn by_email<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
) -> sqlx::Result<Option<PersonRow>> {
    sqlx::query_as(&format!(
        "SELECT {PERSON_COLUMNS} FROM people WHERE email = $1"
    ))
    .bind(email)
    .fetch_optional(ex)
    .await
}

pub async fn by_id<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<PersonRow>> {
    sqlx::query_as(&format!(
        "SELECT {PERSON_COLUMNS} FROM people WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(ex)
    .await
}

/// People by id (one `IN` list: keep it to a few hundred).
pub async fn by_ids<'c>(
    ex: impl Executor<'c, Database = Any>,
    ids: &[String],
) -> sqlx::Result<Vec<PersonRow>> {
    let mut q = super::sql::Sql::new(&format!("SELECT {PERSON_COLUMNS} FROM people"));
    q.push(" WHERE id IN ").list(ids);
    q.query_as().fetch_all(ex).await
}

pub async fn memberships<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<Vec<MembershipRow>> {
    sqlx::query_as(
        // Each lot a landlord owns (lot_landlords) is one more landlord membership.
        "SELECT building_id, role, occupancy, referent_kind, lot_id, created_at FROM memberships \
         WHERE person_id = $1 \
         UNION ALL SELECT building_id, 'landlord', NULL, NULL, lot_id, created_at FROM lot_landlords \
         WHERE person_id = $1 ORDER BY created_at",
    )
    .bind(person_id)
    .fetch_all(ex)
    .await
}

/// A membership in a building with the person who holds it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonMembershipRow {
    pub person_id: String,
    #[sqlx(flatten)]
    pub membership: MembershipRow,
}

/// Every membership in one building, to apply a rule to each of its members at once.
pub async fn memberships_in<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
) -> sqlx::Result<Vec<PersonMembershipRow>> {
    sqlx::query_as(
        "SELECT person_id, building_id, role, occupancy, referent_kind, lot_id, created_at FROM memberships \
         WHERE building_id = $1 \
         UNION ALL SELECT person_id, building_id, 'landlord', NULL, NULL, lot_id, created_at FROM lot_landlords \
         WHERE building_id = $1 ORDER BY person_id, created_at",
    )
    .bind(building_id)
    .fetch_all(ex)
    .await
}

/// What authorization needs of a person besides the person: memberships (lot-landlord ones
/// as `landlord`) and the agencies they work for.
pub type Relations = (Vec<MembershipRow>, Vec<String>);

/// One row of [`RELATIONS`]: 'm' for a membership, 'a' for an agency (its id in
/// `building_id`), 'p' for the person (their columns filled only there).
#[derive(sqlx::FromRow)]
struct RelationRow {
    kind: String,
    created_at: i64,
    #[sqlx(flatten)]
    membership: MembershipRow,
    #[sqlx(flatten)]
    person: PersonRow,
}

/// The relations of the person `{owner}` names, each row with empty person columns.
const RELATIONS: &str = "SELECT 'm' AS kind, building_id, role, occupancy, referent_kind, lot_id, \
     created_at, {blank} FROM memberships WHERE person_id = {owner} \
     UNION ALL SELECT 'm', building_id, 'landlord', NULL, NULL, lot_id, created_at, {blank} \
     FROM lot_landlords WHERE person_id = {owner} \
     UNION ALL SELECT 'a', agency_id, '', NULL, NULL, NULL, 0, {blank} FROM agency_staff \
     WHERE person_id = {owner}";

/// Empty values for the person columns of a relation row (typed for PostgreSQL's UNION).
const BLANK_PERSON: &str = "'' AS id, '' AS name, '' AS email, '' AS password_hash, '' AS lang, \
     '' AS timezone, '' AS phone, CAST(0 AS BIGINT) AS is_admin";

fn relations_sql(owner: &str) -> String {
    RELATIONS
        .replace("{owner}", owner)
        .replace("{blank}", BLANK_PERSON)
}

fn split_relations(rows: Vec<RelationRow>) -> (Option<PersonRow>, Relations) {
    let mut person = None;
    let mut memberships = Vec::new();
    let mut agencies = Vec::new();
    for row in rows {
        match row.kind.as_str() {
            "p" => person = Some(row.person),
            "a" => agencies.push(row.membership.building_id),
            "m" => memberships.push(row.membership),
            _ => {}
        }
    }
    (person, (memberships, agencies))
}

/// A person's memberships and agencies in one read.
pub async fn relations<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
) -> sqlx::Result<Relations> {
    let rows: Vec<RelationRow> = sqlx::query_as(&format!("{} ORDER BY 7", relations_sql("$1")))
        .bind(person_id)
        .fetch_all(ex)
        .await?;
    Ok(split_relations(rows).1)
}

/// The person a live session or an unrevoked API token belongs to, with their relations:
/// the actor of every request, in one read. A session (a page) also gets the person's
/// unread notifications, counted up to `unread_cap` on the partial index, for the bell.
pub async fn by_credential<'c>(
    ex: impl Executor<'c, Database = Any>,
    token_hash: &str,
    session: bool,
    now: i64,
    unread_cap: i64,
) -> sqlx::Result<Option<(PersonRow, Relations, i64)>> {
    let owner = if session {
        "(SELECT person_id FROM sessions WHERE token_hash = $1 AND expires_at > $2)"
    } else {
        "(SELECT person_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL)"
    };
    // The count rides in the created_at column of a row of kind 'u'.
    let unread = if session {
        format!(
            " UNION ALL SELECT 'u', '', '', NULL, NULL, NULL, (SELECT COUNT(*) FROM \
             (SELECT 1 FROM notifications WHERE person_id = {owner} AND read_at IS NULL \
             LIMIT {unread_cap}) n), {BLANK_PERSON}"
        )
    } else {
        String::new()
    };
    let q = format!(
        "SELECT 'p' AS kind, '' AS building_id, '' AS role, CAST(NULL AS TEXT) AS occupancy, \
         CAST(NULL AS TEXT) AS referent_kind, CAST(NULL AS TEXT) AS lot_id, \
         CAST(0 AS BIGINT) AS created_at, {PERSON_COLUMNS} FROM people WHERE id = {owner} \
         UNION ALL {}{unread} ORDER BY 7",
        relations_sql(owner)
    );
    let q = sqlx::query_as(&q).bind(token_hash);
    let q = if session { q.bind(now) } else { q };
    let rows: Vec<RelationRow> = q.fetch_all(ex).await?;
    let unread = rows
        .iter()
        .find(|r| r.kind == "u")
        .map_or(0, |r| r.created_at);
    let (person, relations) = split_relations(rows);
    Ok(person.map(|p| (p, relations, unread)))
}

pub struct NewMembership<'a> {
    pub person_id: &'a str,
    pub building_id: &'a str,
    pub role: &'a str,
    pub occupancy: Option<&'a str>,
    pub referent_kind: Option<&'a str>,
    pub lot_id: Option<&'a str>,
    pub now: i64,
}

pub async fn insert_membership<'c>(
    ex: impl Executor<'c, Database = Any>,
    m: NewMembership<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO memberships (id, person_id, building_id, role, occupancy, referent_kind, lot_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(super::new_id())
    .bind(m.person_id)
    .bind(m.building_id)
    .bind(m.role)
    .bind(m.occupancy)
    .bind(m.referent_kind)
    .bind(m.lot_id)
    .bind(m.now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn add_staff<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    agency_id: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO agency_staff (person_id, agency_id, role) VALUES ($1, $2, 'manager') \
         ON CONFLICT (person_id, agency_id) DO NOTHING",
    )
    .bind(person_id)
    .bind(agency_id)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn accept_charter<'c>(
    ex: impl Executor<'c, Database = Any>,
    person_id: &str,
    version: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO charter_acceptances (person_id, version, accepted_at) VALUES ($1, $2, $3) \
         ON CONFLICT (person_id, version) DO NOTHING",
    )
    .bind(person_id)
    .bind(version)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn update_profile<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    name: &str,
    phone: &str,
    lang: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE people SET name = $2, phone = $3, lang = $4 WHERE id = $1")
        .bind(id)
        .bind(name)
        .bind(phone)
        .bind(lang)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn set_password<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    hash: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE people SET password_hash = $2 WHERE id = $1")
        .bind(id)
        .bind(hash)
        .execute(ex)
        .await?;
    Ok(())
}

/// One line of a building's occupants list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub person_id: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub occupancy: Option<String>,
    pub referent_kind: Option<String>,
    pub lot: Option<String>,
    /// 0 until the person has a password (imported, not yet through their invitation).
    pub signed_up: i64,
    /// Lots owned beside `lot` (`owned_lots`), and the shares of every lot owned there.
    pub other_lots: i64,
    pub owned_shares: i64,
}

pub async fn members_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
) -> sqlx::Result<Vec<MemberRow>> {
    sqlx::query_as(
        "SELECT p.id AS person_id, p.name, p.email, m.role, m.occupancy, m.referent_kind, l.label AS lot, \
         CAST(CASE WHEN p.password_hash = '' THEN 0 ELSE 1 END AS BIGINT) AS signed_up, \
         CAST((SELECT COUNT(*) FROM owned_lots o WHERE o.person_id = m.person_id AND o.building_id = m.building_id \
         AND m.occupancy = 'owner') AS BIGINT) AS other_lots, \
         CAST(CASE WHEN m.occupancy = 'owner' THEN COALESCE(l.shares, 0) + COALESCE((SELECT SUM(l2.shares) \
         FROM owned_lots o JOIN lots l2 ON l2.id = o.lot_id \
         WHERE o.person_id = m.person_id AND o.building_id = m.building_id), 0) ELSE 0 END AS BIGINT) AS owned_shares \
         FROM memberships m JOIN people p ON p.id = m.person_id LEFT JOIN lots l ON l.id = m.lot_id \
         WHERE m.building_id = $1 ORDER BY p.name, m.role",
    )
    .bind(building_id)
    .fetch_all(ex)
    .await
}

/// Switch a resident between occupant and referent; landlords are not touched.
pub async fn set_resident_role<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
    person_id: &str,
    role: &str,
    referent_kind: Option<&str>,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE memberships SET role = $3, referent_kind = $4 \
         WHERE building_id = $1 AND person_id = $2 AND role IN ('occupant', 'referent')",
    )
    .bind(building_id)
    .bind(person_id)
    .bind(role)
    .bind(referent_kind)
    .execute(ex)
    .await?;
    Ok(done.rows_affected())
}

pub async fn set_lang<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    lang: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE people SET lang = $2 WHERE id = $1")
        .bind(id)
        .bind(lang)
        .execute(ex)
        .await?;
    Ok(())
}
