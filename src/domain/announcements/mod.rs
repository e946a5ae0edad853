//! Announcements (A1): published by referents and managers to a building's audience, read
//! by that audience only, counted as seen, edited and withdrawn with an audit trail. The
//! e-mail notice is a durable job due at the publication time (see `notice`).

pub mod files;
pub mod notice;
pub mod templates;

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::auth::authz::{self, Action, BuildingRole};
use crate::db::announcements::{self as adb, AnnouncementRow};
use crate::domain::buildings::{self, Building};
use crate::domain::news;
use crate::domain::types::text;
use crate::domain::{AppError, AppResult, Context};
use crate::vocab::{AnnouncementStatus, NewsAudience};

pub const PAGE_SIZE: i64 = 20;
const TITLE_MAX: usize = 150;
const BODY_MAX: usize = 10_000;

/// An attachment as listed under an announcement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Attachment {
    pub id: String,
    /// `photo` (re-encoded JPEG) or `pdf`.
    pub kind: String,
    pub filename: String,
    pub size: i64,
    /// Where to download it (the reader must be signed in).
    pub url: String,
}

/// An announcement as a reader sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Announcement {
    pub id: String,
    pub building_id: String,
    pub title: String,
    pub body: String,
    pub audience: NewsAudience,
    pub status: AnnouncementStatus,
    pub pinned: bool,
    /// Expired: listed under "past".
    pub past: bool,
    /// RFC 3339.
    pub publish_at: String,
    pub expires_at: Option<String>,
    pub author: String,
    pub template: Option<String>,
    pub attachments: Vec<Attachment>,
    /// Staff only: how many of the audience opened it, out of how many ("vu par 23 / 40").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seen_by: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience_size: Option<i64>,
    /// Whether the reader may edit and withdraw it.
    pub can_manage: bool,
    #[serde(skip)]
    pub publish_at_ms: i64,
    #[serde(skip)]
    pub expires_at_ms: Option<i64>,
}

fn view(row: AnnouncementRow, role: BuildingRole, now: i64) -> Announcement {
    let status = if row.withdrawn_at.is_some() {
        AnnouncementStatus::Withdrawn
    } else if row.publish_at > now {
        AnnouncementStatus::Scheduled
    } else {
        AnnouncementStatus::Published
    };
    Announcement {
        past: row.expires_at.is_some_and(|e| e <= now),
        publish_at: crate::clock::iso(row.publish_at),
        expires_at: row.expires_at.map(crate::clock::iso),
        publish_at_ms: row.publish_at,
        expires_at_ms: row.expires_at,
        audience: NewsAudience::parse(&row.audience).unwrap_or(NewsAudience::Council),
        status,
        pinned: row.pinned != 0,
        id: row.id,
        building_id: row.building_id,
        title: row.title,
        body: row.body,
        author: row.author_name,
        template: row.template,
        attachments: Vec::new(),
        seen_by: None,
        audience_size: None,
        can_manage: authz::sees_all_news(role),
    }
}

/// What a publisher typed.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub title: String,
    pub body: String,
    pub audience: String,
    pub publish_at: Option<String>,
    pub expires_at: Option<String>,
    pub template: Option<String>,
    pub pinned: bool,
    /// Values of a template's `{field}` placeholders.
    pub fields: std::collections::BTreeMap<String, String>,
}

struct Valid {
    title: String,
    body: String,
    audience: NewsAudience,
    publish_at: Option<i64>,
    expires_at: Option<i64>,
    template: Option<String>,
}

fn parse(d: &Draft, now: i64) -> AppResult<Valid> {
    let title = text("title", &templates::fill(&d.title, &d.fields), TITLE_MAX)?;
    let body = text("body", &templates::fill(&d.body, &d.fields), BODY_MAX)?;
    let audience = NewsAudience::parse(d.audience.trim())
        .ok_or(AppError::invalid("audience", "error.news_audience_invalid"))?;
    let publish_at = news::parse_instant("publish_at", d.publish_at.as_deref())?;
    let expires_at = news::parse_instant("expires_at", d.expires_at.as_deref())?;
    let starts = publish_at.unwrap_or(now).max(now);
    if expires_at.is_some_and(|e| e <= starts) {
        return Err(AppError::invalid("expires_at", "error.news_expiry_before"));
    }
    let template = match d.template.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(slug) if templates::SLUGS.contains(&slug) => Some(slug.to_string()),
        Some(_) => return Err(AppError::invalid("template", "error.template_unknown")),
    };
    Ok(Valid {
        title,
        body,
        audience,
        publish_at,
        expires_at,
        template,
    })
}

/// Publishes (or schedules) an announcement; occupants and landlords are refused (403).
pub async fn create(
    cx: &Context,
    actor: &Actor,
    building_id: &str,
    draft: &Draft,
) -> AppResult<(String, AnnouncementStatus)> {
    let (_, permit) = buildings::authorize(cx, actor, building_id, Action::PublishNews).await?;
    let now = cx.clock.now_ms();
    let v = parse(draft, now)?;
    // A publication time in the past means "now".
    let publish_at = v.publish_at.unwrap_or(now).max(now);
    let id = crate::db::new_id();
    let mut tx = cx.db.begin().await?;
    adb::insert(
        &mut *tx,
        adb::NewAnnouncement {
            id: &id,
            building_id: &permit.building_id,
            author_id: &actor.person_id,
            title: &v.title,
            body: &v.body,
            audience: v.audience.as_str(),
            template: v.template.as_deref(),
            pinned: draft.pinned,
            publish_at,
            expires_at: v.expires_at,
            now,
        },
    )
    .await?;
    notice::schedule(&mut tx, &id, publish_at, now).await?;
    tx.commit().await?;
    cx.jobs_notify.notify_one();
    let status = if publish_at > now {
        AnnouncementStatus::Scheduled
    } else {
        AnnouncementStatus::Published
    };
    Ok((id, status))
}

/// Loads an announcement for `actor`: 404 when it is not theirs to read (other building,
/// audience without them, withdrawn or not yet published for non-staff).
pub(crate) async fn load(
    cx: &Context,
    actor: &Actor,
    id: &str,
) -> AppResult<(AnnouncementRow, Building, BuildingRole)> {
    let row = adb::by_id(&cx.db.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (building, permit) =
        buildings::authorize(cx, actor, &row.building_id, Action::ViewBuilding).await?;
    if !authz::sees_all_news(permit.role) {
        let audience = NewsAudience::parse(&row.audience).ok_or(AppError::NotFound)?;
        let reaches = authz::announcement_reaches(audience, actor.standing_in(&building.id));
        if !reaches || row.withdrawn_at.is_some() || row.publish_at > cx.clock.now_ms() {
            return Err(AppError::NotFound);
        }
    }
    Ok((row, building, permit.role))
}

/// One announcement; opening it counts as seen for members of its audience.
pub async fn read(cx: &Context, actor: &Actor, id: &str) -> AppResult<Announcement> {
    let (row, building, role) = load(cx, actor, id).await?;
    let now = cx.clock.now_ms();
    let audience = NewsAudience::parse(&row.audience);
    let standing = actor.standing_in(&building.id);
    // The author is not their own audience (neither notified nor counted).
    if row.author_id != actor.person_id
        && audience.is_some_and(|a| authz::announcement_reaches(a, standing))
    {
        adb::mark_seen(&cx.db.pool, &row.id, &actor.person_id, now).await?;
    }
    let author_id = row.author_id.clone();
    let mut a = view(row, role, now);
    a.attachments = files::list(cx, &a.id).await?;
    if authz::sees_all_news(role) {
        let (seen, size) = seen_counts(cx, &building.id, &a.id, a.audience, &author_id).await?;
        a.seen_by = Some(seen);
        a.audience_size = Some(size);
    }
    Ok(a)
}

/// (seen by, audience size): members of the audience but its author, so staff opening it
/// do not count.
async fn seen_counts(
    cx: &Context,
    building_id: &str,
    id: &str,
    audience: NewsAudience,
    author_id: &str,
) -> AppResult<(i64, i64)> {
    let members: Vec<news::Person> = news::members(cx, building_id)
        .await?
        .into_iter()
        .filter(|p| p.id != author_id && authz::announcement_reaches(audience, p.standing))
        .collect();
    let seen = adb::seen_by(&cx.db.pool, id).await?;
    let count = members.iter().filter(|p| seen.contains(&p.id)).count();
    Ok((count as i64, members.len() as i64))
}

pub struct Page {
    pub items: Vec<Announcement>,
    pub next_cursor: Option<String>,
    /// Whether the reader may publish here.
    pub can_publish: bool,
}

/// A building's announcements for `actor`: pinned first, newest first; `past` lists the
/// expired ones instead.
pub async fn list(
    cx: &Context,
    actor: &Actor,
    building_id: &str,
    past: bool,
    cursor: Option<&str>,
    limit: i64,
) -> AppResult<Page> {
    let (_, permit) = buildings::authorize(cx, actor, building_id, Action::ViewBuilding).await?;
    let staff = authz::sees_all_news(permit.role);
    let audiences: Vec<&str> = authz::audiences_of(actor.standing_in(building_id))
        .into_iter()
        .map(NewsAudience::as_str)
        .collect();
    let limit = limit.clamp(1, 100);
    let after = news::parse_cursor::<2>(cursor)?.map(|([p, at], id)| (p, at, id));
    let now = cx.clock.now_ms();
    let mut rows = adb::list(
        &cx.db.pool,
        adb::ListQuery {
            building_id: &permit.building_id,
            audiences: (!staff).then_some(audiences.as_slice()),
            past,
            now,
            after,
            limit: limit + 1,
        },
    )
    .await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last()
            .map(|r| format!("{}_{}_{}", r.pinned, r.publish_at, r.id))
    } else {
        None
    };
    Ok(Page {
        items: rows
            .into_iter()
            .map(|r| view(r, permit.role, now))
            .collect(),
        next_cursor,
        can_publish: staff,
    })
}

/// Edits an announcement (staff; audited). Its publication time stays as it was.
pub async fn edit(cx: &Context, actor: &Actor, id: &str, draft: &Draft) -> AppResult<()> {
    let (row, _, _) = manageable(cx, actor, id).await?;
    let now = cx.clock.now_ms();
    let v = parse(
        &Draft {
            publish_at: None,
            ..draft.clone()
        },
        now.max(row.publish_at),
    )?;
    let mut tx = cx.db.begin().await?;
    let changed = adb::update(
        &mut *tx,
        id,
        adb::Edit {
            title: &v.title,
            body: &v.body,
            audience: v.audience.as_str(),
            pinned: draft.pinned,
            expires_at: v.expires_at,
            now,
        },
    )
    .await?;
    if changed == 0 {
        return Err(AppError::Conflict("error.announcement_withdrawn"));
    }
    crate::db::audit::record(
        &mut *tx,
        Some(&actor.person_id),
        "announcement_edited",
        "announcement",
        id,
        &row.building_id,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Withdraws it (staff; audited): it disappears for the audience, and a notice not yet
/// sent never leaves.
pub async fn withdraw(cx: &Context, actor: &Actor, id: &str) -> AppResult<()> {
    let (row, _, _) = manageable(cx, actor, id).await?;
    let now = cx.clock.now_ms();
    let mut tx = cx.db.begin().await?;
    if adb::withdraw(&mut *tx, id, now).await? == 0 {
        return Err(AppError::Conflict("error.announcement_withdrawn"));
    }
    crate::db::audit::record(
        &mut *tx,
        Some(&actor.person_id),
        "announcement_withdrawn",
        "announcement",
        id,
        &row.building_id,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn manageable(
    cx: &Context,
    actor: &Actor,
    id: &str,
) -> AppResult<(AnnouncementRow, Building, BuildingRole)> {
    let (row, building, role) = load(cx, actor, id).await?;
    authz::check(actor, Action::PublishNews, &building.reference())?;
    Ok((row, building, role))
}
