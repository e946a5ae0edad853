//! Reading reports: one report with what the reader may see of it, the board, the
//! duplicate check and search.

use super::search;
use super::{Comment, HistoryEntry, Photo, ReplyTemplate, Report};
use crate::auth::Actor;
use crate::auth::authz::{
    self, Action, ListScope, Permit, ReportAction, ReportPermit, ReportRelation,
};
use crate::db::report_items::{self as items, CommentRow};
use crate::db::reports::{self as rdb, ReportRow, Scope};
use crate::domain::Context;
use crate::domain::{AppError, AppResult, buildings};

pub const PAGE_SIZE: i64 = 20;

/// Loads a report and checks `action` on it; invisible reports are 404.
pub async fn authorize(
    state: &Context,
    actor: &Actor,
    report_id: &str,
    action: ReportAction,
) -> AppResult<(ReportRow, ReportPermit)> {
    let report = rdb::by_id(&state.db.pool, report_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, building) = super::building_of(state, &report.building_id).await?;
    let following = rdb::is_following(&state.db.pool, report_id, &actor.person_id).await?;
    let permit = authz::check_report(
        actor,
        action,
        &building,
        &report.id,
        &report.facts(),
        following,
    )?;
    Ok((report, permit))
}

/// A report as one reader sees it.
pub struct ReportView {
    pub report: Report,
    pub relation: ReportRelation,
    pub comments: Vec<Comment>,
    pub photos: Vec<Photo>,
    pub history: Vec<HistoryEntry>,
    pub following: bool,
    /// The neighbour without an account it was filed for, if any.
    pub neighbour: Option<super::neighbours::Neighbour>,
}

/// The people a reply can be addressed to (R5): the building's members who can see the
/// report, once each, for those who may choose an audience; empty for everyone else.
pub async fn audience_people(
    state: &Context,
    actor: &Actor,
    view: &ReportView,
) -> AppResult<Vec<buildings::Member>> {
    if !authz::report_allowed(view.relation, ReportAction::ChooseAudience) {
        return Ok(Vec::new());
    }
    let (_, building) = super::building_of(state, &view.report.building_id).await?;
    let facts = view.report.facts();
    let readers: Vec<String> =
        crate::domain::accounts::members_as_actors(state, &view.report.building_id)
            .await?
            .into_iter()
            .filter(|p| authz::may_be_addressed(actor, p, &building, &facts))
            .map(|p| p.person_id)
            .collect();
    let mut members = buildings::audience_people(state, &view.report.building_id).await?;
    let mut seen = std::collections::HashSet::new();
    members.retain(|m| readers.contains(&m.person_id) && seen.insert(m.person_id.clone()));
    Ok(members)
}

/// The staff a report may be assigned to (D5), as (id, name), for those who may assign; empty
/// for everyone else. Staff of one building are a handful of people.
pub async fn assignable(state: &Context, view: &ReportView) -> AppResult<Vec<(String, String)>> {
    if !authz::report_allowed(view.relation, ReportAction::Assign) {
        return Ok(Vec::new());
    }
    let (_, building) = super::building_of(state, &view.report.building_id).await?;
    let facts = view.report.facts();
    let mut out = Vec::new();
    for id in crate::db::notifications::staff(&state.db.pool, &building.id).await? {
        if let Some(person) = crate::domain::accounts::actor_by_id(state, &id).await?
            && authz::may_be_assigned(&person, &building, &facts)
        {
            out.push((person.person_id, person.name));
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

pub async fn view(state: &Context, actor: &Actor, report_id: &str) -> AppResult<ReportView> {
    let (report, permit) = authorize(state, actor, report_id, ReportAction::View).await?;
    let relation = permit.relation;
    let me = actor.person_id.as_str();
    let comments: Vec<CommentRow> = items::comments_of(&state.db.pool, report_id)
        .await?
        .into_iter()
        .filter(|c| {
            authz::audience_allows(
                relation,
                me,
                Some(&c.author_id),
                &c.audience,
                c.audience_person_id.as_deref(),
            )
        })
        .collect();
    let visible_comments: Vec<&str> = comments.iter().map(|c| c.id.as_str()).collect();
    let photos: Vec<_> = items::photos_of(&state.db.pool, report_id)
        .await?
        .into_iter()
        .filter(|p| {
            p.comment_id
                .as_deref()
                .is_none_or(|c| visible_comments.contains(&c))
        })
        .collect();
    let history: Vec<_> = items::events_of(&state.db.pool, report_id)
        .await?
        .into_iter()
        .filter(|e| {
            authz::audience_allows(
                relation,
                me,
                e.actor_id.as_deref(),
                &e.audience,
                e.audience_person_id.as_deref(),
            )
        })
        .collect();
    let following = rdb::is_following(&state.db.pool, report_id, me).await?;
    let neighbour = crate::db::neighbours::of_report(&state.db.pool, report_id)
        .await?
        .map(|n| super::neighbours::shown(n, relation));
    Ok(ReportView {
        report: report.into(),
        relation,
        comments: comments.into_iter().map(Comment::from).collect(),
        photos: photos.into_iter().map(Photo::from).collect(),
        history: history
            .into_iter()
            .filter_map(HistoryEntry::from_row)
            .collect(),
        following,
        neighbour,
    })
}

/// Which reports of the building this person may list (the rule is in `authz`).
pub(super) fn scope(actor: &Actor, permit: &Permit) -> Scope {
    match authz::list_scope(actor, permit) {
        ListScope::Everything => Scope::Everything,
        ListScope::ManagerVisible => Scope::ManagerVisible,
        ListScope::NotRemoved => Scope::NotRemoved,
        ListScope::Lots { lots, person_id } => Scope::Lots { lots, person_id },
    }
}

pub struct BoardPage {
    pub items: Vec<Report>,
    pub next_cursor: Option<String>,
}

pub(crate) fn parse_cursor(cursor: Option<&str>) -> AppResult<Option<(i64, String)>> {
    match cursor.filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => {
            let (at, id) = c
                .split_once('_')
                .ok_or(AppError::invalid("cursor", "error.cursor_invalid"))?;
            let at = at
                .parse::<i64>()
                .map_err(|_| AppError::invalid("cursor", "error.cursor_invalid"))?;
            if id.len() > 64 || !id.chars().all(|ch| ch.is_ascii_alphanumeric()) {
                return Err(AppError::invalid("cursor", "error.cursor_invalid"));
            }
            Ok(Some((at, id.to_string())))
        }
    }
}

/// The board's "only" filters (D4, D5).
#[derive(Debug, Clone, Copy, Default)]
pub struct Only {
    /// The reports assigned to the reader.
    pub assigned_to_me: bool,
    /// The reports waiting for their first answer past their due time.
    pub overdue: bool,
}

/// One page of a building's reports, newest activity first; `status` none means all.
#[allow(clippy::too_many_arguments)]
pub async fn board(
    state: &Context,
    actor: &Actor,
    building_id: &str,
    status: Option<&str>,
    only: Only,
    query: Option<&str>,
    cursor: Option<&str>,
    limit: i64,
) -> AppResult<BoardPage> {
    // One connection for the building and the page: a checkout costs a round trip.
    let mut conn = state.db.pool.acquire().await?;
    let (_, permit) =
        buildings::authorize_on(&mut conn, actor, building_id, Action::ViewBuilding).await?;
    if let Some(s) = status
        && crate::vocab::ReportStatus::parse(s).is_none()
    {
        return Err(AppError::invalid("status", "error.status_invalid"));
    }
    let terms = search::terms(query.unwrap_or(""));
    let scope = scope(actor, &permit);
    let reach = authz::search_reach(&permit);
    let limit = limit.clamp(1, 100);
    let mut items = rdb::board(
        &mut conn,
        state.db.backend,
        rdb::BoardQuery {
            building_id,
            status,
            terms: &terms,
            reach: crate::db::search::Reach {
                council: reach.council,
                landlord: reach.landlord,
            },
            scope: &scope,
            assignee: only.assigned_to_me.then_some(actor.person_id.as_str()),
            overdue_at: only.overdue.then(|| state.clock.now_ms()),
            after: parse_cursor(cursor)?,
            limit: limit + 1,
        },
    )
    .await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|r| format!("{}_{}", r.updated_at, r.id))
    } else {
        None
    };
    Ok(BoardPage {
        items: items.into_iter().map(Report::from).collect(),
        next_cursor,
    })
}

/// Open reports that look like a draft (R2), never the person's own: words of the title
/// shared, the same category, the same place. A different category or another staircase
/// counts against, so "Ampoule grillée" (electricity, staircase B) does not meet "Fuite au
/// plafond" (plumbing, staircase A) through the word "palier".
pub async fn similar(
    state: &Context,
    actor: &Actor,
    building_id: &str,
    title: &str,
    category: &str,
    location: &str,
) -> AppResult<Vec<Report>> {
    let (_, permit) = buildings::authorize(state, actor, building_id, Action::ViewBuilding).await?;
    let terms = search::terms(title);
    if terms.is_empty() && category.is_empty() {
        return Ok(Vec::new());
    }
    let scope = scope(actor, &permit);
    let candidates = rdb::similar_candidates(
        &state.db.pool,
        state.db.backend,
        building_id,
        &terms,
        category,
        &scope,
        &actor.person_id,
    )
    .await?;
    let place = search::place_marks(location);
    // Compared by stem: "ampoules" meets "ampoule", "fuites" meets "fuite".
    let wanted = search::stems(&terms.join(" "));
    let mut scored: Vec<(i64, ReportRow)> = candidates
        .into_iter()
        .filter_map(|row| {
            let words = search::stems(&search::document(
                &row.title,
                &row.description,
                &row.location(),
            ));
            let shared = wanted
                .iter()
                .filter(|t| words.iter().any(|w| w.starts_with(t.as_str())))
                .count() as i64;
            let category_score = match (category.is_empty(), row.category == category) {
                (true, _) => 0,
                (false, true) => 3,
                (false, false) => -3,
            };
            let theirs = search::place_marks(&row.location());
            let same_place = !place.is_empty() && place.iter().any(|p| theirs.contains(p));
            let place_score = match (place.is_empty() || theirs.is_empty(), same_place) {
                (true, _) => 0,
                (false, true) => 2,
                (false, false) => -2,
            };
            let score = shared * 2 + category_score + place_score;
            let related = shared > 0 || (category_score > 0 && same_place);
            (related && score >= 4).then_some((score, row))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.updated_at.cmp(&a.1.updated_at)));
    Ok(scored
        .into_iter()
        .take(5)
        .map(|(_, r)| Report::from(r))
        .collect())
}

/// A stored photo, if the reader may see the report (and the comment it belongs to).
pub async fn photo(state: &Context, actor: &Actor, photo_id: &str) -> AppResult<Photo> {
    let photo = items::photo(&state.db.pool, photo_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, permit) = authorize(state, actor, &photo.report_id, ReportAction::View).await?;
    if let Some(comment_id) = &photo.comment_id {
        let c = items::comment_audience(&state.db.pool, comment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !authz::audience_allows(
            permit.relation,
            &actor.person_id,
            Some(&c.author_id),
            &c.audience,
            c.audience_person_id.as_deref(),
        ) {
            return Err(AppError::NotFound);
        }
    }
    Ok(photo.into())
}

pub async fn templates(
    state: &Context,
    actor: &Actor,
    building_id: &str,
) -> AppResult<Vec<ReplyTemplate>> {
    let (building, _) =
        buildings::authorize(state, actor, building_id, Action::UseReplyTemplates).await?;
    Ok(items::templates_of(&state.db.pool, &building.agency_id)
        .await?
        .into_iter()
        .map(ReplyTemplate::from)
        .collect())
}
