//! A person's in-app notifications: the list, the unread count, marking read. One service
//! behind the bell, the notifications page and the API.

use crate::auth::Actor;
use crate::db::notifications as ndb;
use crate::domain::{AppError, AppResult, Context};

/// One notification as people see it.
#[derive(Debug, Clone)]
pub struct Notification {
    pub id: String,
    /// The event kind (`report_created`, `comment_added`, …): the key of its sentence.
    pub kind: String,
    pub building_id: String,
    pub report_id: Option<String>,
    pub report_title: Option<String>,
    pub urgent: bool,
    pub building_name: String,
    pub actor_name: Option<String>,
    pub detail: String,
    pub read: bool,
    pub created_at: i64,
}

/// Unread notifications are counted up to this many (the bell shows "99+" past it).
pub const UNREAD_CAP: i64 = ndb::UNREAD_CAP;

/// How many notifications a list shows.
pub const LIST_LIMIT: i64 = 100;

pub async fn latest(cx: &Context, actor: &Actor) -> AppResult<Vec<Notification>> {
    Ok(ndb::list(&cx.db.pool, &actor.person_id, LIST_LIMIT)
        .await?
        .into_iter()
        .map(|n| Notification {
            id: n.id,
            kind: n.kind,
            building_id: n.building_id,
            report_id: n.report_id,
            report_title: n.report_title,
            urgent: n.urgent.unwrap_or(0) != 0,
            building_name: n.building_name,
            actor_name: n.actor_name,
            detail: n.detail,
            read: n.read_at.is_some(),
            created_at: n.created_at,
        })
        .collect())
}

pub async fn unread_count(cx: &Context, actor: &Actor) -> AppResult<i64> {
    Ok(ndb::unread_count(&cx.db.pool, &actor.person_id).await?)
}

/// Marks one of the actor's notifications read (`NotFound` when it is not theirs), or all
/// of them when `id` is `None`.
pub async fn mark_read(cx: &Context, actor: &Actor, id: Option<&str>) -> AppResult<()> {
    let changed = ndb::mark_read(&cx.db.pool, &actor.person_id, id, cx.clock.now_ms()).await?;
    if id.is_some() && changed == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}
