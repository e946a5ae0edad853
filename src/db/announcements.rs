//! Announcements, who opened them, their attachments and the agency's templates; and the
//! building's members as audiences (shared with polls).

use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AnnouncementRow {
    pub id: String,
    pub building_id: String,
    pub author_id: String,
    pub author_name: String,
    pub title: String,
    pub body: String,
    pub audience: String,
    pub template: Option<String>,
    pub pinned: i64,
    pub publish_at: i64,
    pub expires_at: Option<i64>,
    pub notified_at: Option<i64>,
    pub withdrawn_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "a.id, a.building_id, a.author_id, p.name AS author_name, a.title, a.body, \
     a.audience, a.template, a.pinned, a.publish_at, a.expires_at, a.notified_at, a.withdrawn_at, \
     a.created_at, a.updated_at";

pub struct NewAnnouncement<'a> {
    pub id: &'a str,
    pub building_id: &'a str,
    pub author_id: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub audience: &'a str,
    pub template: Option<&'a str>,
    pub pinned: bool,
    pub publish_at: i64,
    pub expires_at: Option<i64>,
    pub now: i64,
}

pub async fn insert<'c>(
    ex: impl Executor<'c, Database = Any>,
    a: NewAnnouncement<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO announcements (id, building_id, author_id, title, body, audience, template, \
         pinned, publish_at, expires_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
    )
    .bind(a.id)
    .bind(a.building_id)
    .bind(a.author_id)
    .bind(a.title)
    .bind(a.body)
    .bind(a.audience)
    .bind(a.template)
    .bind(super::flag(a.pinned))
    .bind(a.publish_at)
    .bind(a.expires_at)
    .bind(a.now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn by_id<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<AnnouncementRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM announcements a JOIN people p ON p.id = a.author_id WHERE a.id = $1"
    ))
    .bind(id)
    .fetch_optional(ex)
    .await
}

pub struct Edit<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub audience: &'a str,
    pub pinned: bool,
    pub expires_at: Option<i64>,
    pub now: i64,
}

pub async fn update<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    e: Edit<'_>,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE announcements SET title = $2, body = $3, audience = $4, pinned = $5, \
         expires_at = $6, updated_at = $7 WHERE id = $1 AND withdrawn_at IS NULL",
    )
    .bind(id)
    .bind(e.title)
    .bind(e.body)
    .bind(e.audience)
    .bind(super::flag(e.pinned))
    .bind(e.expires_at)
    .bind(e.now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected())
}

pub async fn withdraw<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    now: i64,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE announcements SET withdrawn_at = $2, updated_at = $2 WHERE id = $1 AND withdrawn_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected())
}

/// Claims the e-mail notice: true for exactly one caller, once the announcement is due.
pub async fn claim_notice<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE announcements SET notified_at = $2 WHERE id = $1 AND notified_at IS NULL \
         AND withdrawn_at IS NULL AND publish_at <= $2",
    )
    .bind(id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Which announcements a list shows.
pub struct ListQuery<'a> {
    pub building_id: &'a str,
    /// Audiences the reader belongs to; `None` for staff, who see every one.
    pub audiences: Option<&'a [&'a str]>,
    /// Expired ones ("past") rather than current ones.
    pub past: bool,
    pub now: i64,
    /// Keyset: (pinned, publish_at, id) of the last row of the previous page.
    pub after: Option<(i64, i64, String)>,
    pub limit: i64,
}

/// One page, pinned first then newest first, on the index `announcements_list`.
pub async fn list<'c>(
    ex: impl Executor<'c, Database = Any>,
    q: ListQuery<'_>,
) -> sqlx::Result<Vec<AnnouncementRow>> {
    let mut sql = format!(
        "SELECT {COLUMNS} FROM announcements a JOIN people p ON p.id = a.author_id \
         WHERE a.building_id = $1"
    );
    // $2 = now; $3..$5 the cursor; audiences after.
    sql.push_str(if q.past {
        " AND a.expires_at IS NOT NULL AND a.expires_at <= $2"
    } else {
        " AND (a.expires_at IS NULL OR a.expires_at > $2)"
    });
    // Without a cursor, pinned = 2 (above any row) lets every row through.
    sql.push_str(
        " AND (a.pinned < $3 OR (a.pinned = $3 AND (a.publish_at < $4 \
         OR (a.publish_at = $4 AND a.id < $5))))",
    );
    if let Some(audiences) = q.audiences {
        sql.push_str(" AND a.withdrawn_at IS NULL AND a.publish_at <= $2 AND a.audience IN (");
        let marks: Vec<String> = (0..audiences.len().max(1))
            .map(|i| format!("${}", i + 6))
            .collect();
        sql.push_str(&marks.join(", "));
        sql.push(')');
    }
    // The limit written in, not bound (see `Sql::limit`).
    sql.push_str(&format!(
        " ORDER BY a.pinned DESC, a.publish_at DESC, a.id DESC LIMIT {}",
        q.limit
    ));
    let (pinned, at, id) = q.after.unwrap_or((2, 0, String::new()));
    let mut query = sqlx::query_as(&sql)
        .bind(q.building_id)
        .bind(q.now)
        .bind(pinned)
        .bind(at)
        .bind(id);
    if let Some(audiences) = q.audiences {
        if audiences.is_empty() {
            query = query.bind("");
        }
        for a in audiences {
            query = query.bind(*a);
        }
    }
    query.fetch_all(ex).await
}

/// Records that a person opened it (the first time counts).
pub async fn mark_seen<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
    person_id: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO announcement_views (announcement_id, person_id, seen_at) VALUES ($1, $2, $3) \
         ON CONFLICT (announcement_id, person_id) DO NOTHING",
    )
    .bind(id)
    .bind(person_id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Who opened it (ids only: the count against the audience is computed by the caller).
pub async fn seen_by<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT person_id FROM announcement_views WHERE announcement_id = $1")
        .bind(id)
        .fetch_all(ex)
        .await
}

/// A building member as audiences see them: one row per membership.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AudienceRow {
    pub person_id: String,
    pub email: String,
    pub name: String,
    pub lang: String,
    pub role: String,
    pub occupancy: Option<String>,
    pub referent_kind: Option<String>,
    pub lot_id: Option<String>,
}

pub async fn audience_rows<'c>(
    ex: impl Executor<'c, Database = Any>,
    building_id: &str,
) -> sqlx::Result<Vec<AudienceRow>> {
    sqlx::query_as(
        "SELECT p.id AS person_id, p.email, p.name, p.lang, m.role, m.occupancy, m.referent_kind, m.lot_id \
         FROM memberships m JOIN people p ON p.id = m.person_id WHERE m.building_id = $1 \
         UNION ALL SELECT p.id, p.email, p.name, p.lang, m.role, m.occupancy, m.referent_kind, o.lot_id \
         FROM owned_lots o JOIN people p ON p.id = o.person_id \
         JOIN memberships m ON m.person_id = o.person_id AND m.building_id = o.building_id \
         AND m.role IN ('occupant', 'referent') AND m.occupancy = 'owner' \
         WHERE o.building_id = $1 ORDER BY 1",
    )
    .bind(building_id)
    .fetch_all(ex)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttachmentRow {
    pub id: String,
    pub announcement_id: String,
    pub kind: String,
    pub object_key: String,
    pub filename: String,
    pub size: i64,
}

pub async fn insert_attachment<'c>(
    ex: impl Executor<'c, Database = Any>,
    a: &AttachmentRow,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO announcement_attachments (id, announcement_id, kind, object_key, filename, size, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&a.id)
    .bind(&a.announcement_id)
    .bind(&a.kind)
    .bind(&a.object_key)
    .bind(&a.filename)
    .bind(a.size)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn attachments<'c>(
    ex: impl Executor<'c, Database = Any>,
    announcement_id: &str,
) -> sqlx::Result<Vec<AttachmentRow>> {
    sqlx::query_as(
        "SELECT id, announcement_id, kind, object_key, filename, size FROM announcement_attachments \
         WHERE announcement_id = $1 ORDER BY created_at, id",
    )
    .bind(announcement_id)
    .fetch_all(ex)
    .await
}

pub async fn attachment<'c>(
    ex: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<AttachmentRow>> {
    sqlx::query_as(
        "SELECT id, announcement_id, kind, object_key, filename, size FROM announcement_attachments WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(ex)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TemplateRow {
    pub slug: String,
    pub lang: String,
    pub title: String,
    pub body: String,
}

/// Seeds a template unless the agency already has (or edited) it.
pub async fn seed_template<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
    t: &TemplateRow,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO announcement_templates (agency_id, slug, lang, title, body, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (agency_id, slug, lang) DO NOTHING",
    )
    .bind(agency_id)
    .bind(&t.slug)
    .bind(&t.lang)
    .bind(&t.title)
    .bind(&t.body)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn save_template<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
    t: &TemplateRow,
    now: i64,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE announcement_templates SET title = $4, body = $5, updated_at = $6 \
         WHERE agency_id = $1 AND slug = $2 AND lang = $3",
    )
    .bind(agency_id)
    .bind(&t.slug)
    .bind(&t.lang)
    .bind(&t.title)
    .bind(&t.body)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected())
}

pub async fn templates<'c>(
    ex: impl Executor<'c, Database = Any>,
    agency_id: &str,
    lang: &str,
) -> sqlx::Result<Vec<TemplateRow>> {
    sqlx::query_as(
        "SELECT slug, lang, title, body FROM announcement_templates WHERE agency_id = $1 AND lang = $2 ORDER BY slug",
    )
    .bind(agency_id)
    .bind(lang)
    .fetch_all(ex)
    .await
}
