//! Polls (P1–P5): a draft created by staff, published after a confirmation, voted on by
//! its audience (a vote replaces the previous one until the close), closed by its author,
//! a manager or its closing time, with results counted by heads and, for weighted polls,
//! by the shares of the owners' lots. Votes are secret: nobody sees who voted what.

pub mod mail;
pub mod tally;
mod view;
mod voting;

pub use view::{Poll, PollOption};
pub use voting::vote;

use crate::auth::Actor;
use crate::auth::authz::{self, Action, BuildingRole};
use crate::db::polls::{self as pdb, PollRow};
use crate::domain::buildings::{self, Building};
use crate::domain::news::{self, Person};
use crate::domain::types::text;
use crate::domain::{AppError, AppResult, Context};
use crate::vocab::{PollAudience, PollStatus, ResultsVisible};

pub const PAGE_SIZE: i64 = 20;
pub const MAX_OPTIONS: usize = 10;

/// What a poll's author typed.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub title: String,
    pub question: String,
    pub options: Vec<String>,
    pub multiple: bool,
    pub audience: String,
    pub weighted: bool,
    pub closes_at: Option<String>,
    pub results_visible: String,
}

struct Valid {
    title: String,
    question: String,
    options: Vec<String>,
    audience: PollAudience,
    results_visible: ResultsVisible,
    closes_at: Option<i64>,
}

fn parse(d: &Draft, now: i64) -> AppResult<Valid> {
    let title = text("title", &d.title, 150)?;
    let question = text("question", &d.question, 1000)?;
    let options: Vec<String> = d
        .options
        .iter()
        .map(|o| o.trim().to_string())
        .filter(|o| !o.is_empty())
        .collect();
    if options.len() < 2 || options.len() > MAX_OPTIONS {
        return Err(AppError::invalid("options", "error.poll_options_count"));
    }
    for (i, o) in options.iter().enumerate() {
        text("options", o, 200)?;
        if options[..i]
            .iter()
            .any(|p| p.to_lowercase() == o.to_lowercase())
        {
            return Err(AppError::invalid("options", "error.poll_options_duplicate"));
        }
    }
    let audience = PollAudience::parse(d.audience.trim())
        .ok_or(AppError::invalid("audience", "error.news_audience_invalid"))?;
    if d.weighted && audience == PollAudience::Tenants {
        return Err(AppError::invalid("audience", "error.poll_weighted_owners"));
    }
    // P5: a weighted poll is among owners, whatever "all" was asked.
    let audience = if d.weighted {
        PollAudience::Owners
    } else {
        audience
    };
    let results_visible = ResultsVisible::parse(d.results_visible.trim()).ok_or(
        AppError::invalid("results_visible", "error.results_visible_invalid"),
    )?;
    let closes_at = news::parse_instant("closes_at", d.closes_at.as_deref())?;
    if closes_at.is_some_and(|c| c <= now) {
        return Err(AppError::invalid("closes_at", "error.poll_closes_past"));
    }
    Ok(Valid {
        title,
        question,
        options,
        audience,
        results_visible,
        closes_at,
    })
}

/// A new draft (P1): referents and managers; occupants and landlords get 403.
pub async fn create(
    cx: &Context,
    actor: &Actor,
    building_id: &str,
    draft: &Draft,
) -> AppResult<String> {
    let (_, permit) = buildings::authorize(cx, actor, building_id, Action::PublishNews).await?;
    let now = cx.clock.now_ms();
    let v = parse(draft, now)?;
    let options =
        serde_json::to_string(&v.options).map_err(|e| AppError::Internal(e.to_string()))?;
    let id = crate::db::new_id();
    pdb::insert(
        &cx.db.pool,
        pdb::NewPoll {
            id: &id,
            building_id: &permit.building_id,
            author_id: &actor.person_id,
            title: &v.title,
            question: &v.question,
            options: &options,
            multiple: draft.multiple,
            audience: v.audience.as_str(),
            weighted: draft.weighted,
            results_visible: v.results_visible.as_str(),
            closes_at: v.closes_at,
            now,
        },
    )
    .await?;
    Ok(id)
}

/// Everything needed to show or act on a poll for one reader.
pub(crate) struct Loaded {
    pub row: PollRow,
    pub building: Building,
    pub role: BuildingRole,
    pub labels: Vec<String>,
}

/// Drafts exist for staff only; other buildings are 404.
pub(crate) async fn load(cx: &Context, actor: &Actor, id: &str) -> AppResult<Loaded> {
    let row = pdb::by_id(&cx.db.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (building, permit) =
        buildings::authorize(cx, actor, &row.building_id, Action::ViewBuilding).await?;
    if row.status == PollStatus::Draft.as_str() && !authz::sees_all_news(permit.role) {
        return Err(AppError::NotFound);
    }
    let labels = labels(&row)?;
    Ok(Loaded {
        row,
        building,
        role: permit.role,
        labels,
    })
}

pub(crate) fn labels(row: &PollRow) -> AppResult<Vec<String>> {
    serde_json::from_str(&row.options).map_err(|e| AppError::Internal(format!("options: {e}")))
}

pub(crate) fn audience_of(row: &PollRow) -> PollAudience {
    PollAudience::parse(&row.audience).unwrap_or(PollAudience::Owners)
}

/// Who may vote: the audience, and for weighted polls owners holding a lot with shares.
pub(crate) fn eligible<'a>(
    row: &PollRow,
    members: &'a [Person],
    lots: &[(String, i64)],
) -> Vec<&'a Person> {
    let weighted = row.weighted != 0;
    members
        .iter()
        .filter(|p| authz::may_vote(audience_of(row), weighted, p.standing))
        .filter(|p| {
            !weighted
                || p.owned_lots
                    .iter()
                    .any(|l| lots.iter().any(|(id, s)| id == l && *s > 0))
        })
        .collect()
}

pub(crate) async fn lots(cx: &Context, building_id: &str) -> AppResult<Vec<(String, i64)>> {
    Ok(crate::db::lots::of_building(&cx.db.pool, building_id)
        .await?
        .into_iter()
        .map(|l| (l.id, l.shares))
        .collect())
}

pub(crate) fn ballots(rows: Vec<pdb::VoteRow>) -> Vec<tally::Ballot> {
    rows.into_iter()
        .map(|v| tally::Ballot {
            options: serde_json::from_str(&v.options).unwrap_or_default(),
            person_id: v.person_id,
        })
        .collect()
}

/// The whole count of a poll, for the page, the API, the CSV and the results e-mail.
pub(crate) async fn count(cx: &Context, row: &PollRow, n: usize) -> AppResult<tally::Tally> {
    let members = news::members(cx, &row.building_id).await?;
    let lots = lots(cx, &row.building_id).await?;
    let eligible = eligible(row, &members, &lots);
    let ballots = ballots(pdb::votes(&cx.db.pool, &row.id).await?);
    Ok(tally::count(
        n,
        row.weighted != 0,
        &ballots,
        &eligible,
        &lots,
    ))
}

pub(crate) fn is_closed(row: &PollRow, now: i64) -> bool {
    row.status == PollStatus::Closed.as_str() || row.closes_at.is_some_and(|c| c <= now)
}

/// A poll as `actor` sees it.
pub async fn read(cx: &Context, actor: &Actor, id: &str) -> AppResult<Poll> {
    let l = load(cx, actor, id).await?;
    let members = news::members(cx, &l.row.building_id).await?;
    let lots = lots(cx, &l.row.building_id).await?;
    let votes = pdb::votes(&cx.db.pool, &l.row.id).await?;
    Ok(view::poll(
        view::Facts {
            row: &l.row,
            labels: &l.labels,
            role: l.role,
            reader_id: &actor.person_id,
            members: &members,
            lots: &lots,
            now: cx.clock.now_ms(),
        },
        ballots(votes),
    ))
}

pub struct Page {
    pub items: Vec<Poll>,
    pub next_cursor: Option<String>,
    pub can_create: bool,
}

/// A building's polls, newest first (drafts for staff only).
pub async fn list(
    cx: &Context,
    actor: &Actor,
    building_id: &str,
    cursor: Option<&str>,
    limit: i64,
) -> AppResult<Page> {
    let (_, permit) = buildings::authorize(cx, actor, building_id, Action::ViewBuilding).await?;
    let staff = authz::sees_all_news(permit.role);
    let limit = limit.clamp(1, 100);
    let after = news::parse_cursor::<1>(cursor)?.map(|([at], id)| (at, id));
    let mut rows = pdb::list(&cx.db.pool, &permit.building_id, staff, after, limit + 1).await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| format!("{}_{}", r.created_at, r.id))
    } else {
        None
    };
    // One look at the building's members, lots and votes for the whole page.
    let members = news::members(cx, &permit.building_id).await?;
    let lots = lots(cx, &permit.building_id).await?;
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut votes = pdb::votes_of(&cx.db.pool, &ids).await?;
    let now = cx.clock.now_ms();
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let labels = labels(row)?;
        let (mine, rest): (Vec<_>, Vec<_>) = votes.drain(..).partition(|(p, _)| *p == row.id);
        votes = rest;
        items.push(view::poll(
            view::Facts {
                row,
                labels: &labels,
                role: permit.role,
                reader_id: &actor.person_id,
                members: &members,
                lots: &lots,
                now,
            },
            ballots(mine.into_iter().map(|(_, v)| v).collect()),
        ));
    }
    Ok(Page {
        items,
        next_cursor,
        can_create: staff,
    })
}

/// Rewrites a draft; a published poll is never edited (409).
pub async fn edit(cx: &Context, actor: &Actor, id: &str, draft: &Draft) -> AppResult<()> {
    let l = load(cx, actor, id).await?;
    authz::check(actor, Action::PublishNews, &l.building.reference())?;
    if l.row.status != PollStatus::Draft.as_str() {
        return Err(AppError::Conflict("error.poll_published"));
    }
    let now = cx.clock.now_ms();
    let v = parse(draft, now)?;
    let options =
        serde_json::to_string(&v.options).map_err(|e| AppError::Internal(e.to_string()))?;
    let changed = pdb::update_draft(
        &cx.db.pool,
        id,
        pdb::NewPoll {
            id,
            building_id: &l.row.building_id,
            author_id: &l.row.author_id,
            title: &v.title,
            question: &v.question,
            options: &options,
            multiple: draft.multiple,
            audience: v.audience.as_str(),
            weighted: draft.weighted,
            results_visible: v.results_visible.as_str(),
            closes_at: v.closes_at,
            now,
        },
    )
    .await?;
    if changed == 0 {
        return Err(AppError::Conflict("error.poll_published"));
    }
    Ok(())
}

/// Publishes a draft (P1's confirmed step): invitations to the eligible people (P2), the
/// day-4 reminder (P3) and the closing (P4) scheduled, all in one transaction.
pub async fn publish(cx: &Context, actor: &Actor, id: &str) -> AppResult<()> {
    let l = load(cx, actor, id).await?;
    authz::check(actor, Action::PublishNews, &l.building.reference())?;
    let now = cx.clock.now_ms();
    if l.row.status != PollStatus::Draft.as_str() {
        return Err(AppError::Conflict("error.poll_published"));
    }
    if l.row.closes_at.is_some_and(|c| c <= now) {
        return Err(AppError::invalid("closes_at", "error.poll_closes_past"));
    }
    let invitations = mail::invitations(cx, &l).await?;
    let mut tx = cx.db.begin().await?;
    if !pdb::publish(&mut *tx, id, now).await? {
        return Err(AppError::Conflict("error.poll_published"));
    }
    for email in &invitations {
        crate::mail::enqueue(&mut *tx, email, now).await?;
    }
    mail::schedule(&mut tx, &l.row, now).await?;
    tx.commit().await?;
    cx.jobs_notify.notify_one();
    Ok(())
}

/// Closes it by hand (P4): the author or a manager; results e-mailed to the audience.
pub async fn close(cx: &Context, actor: &Actor, id: &str) -> AppResult<()> {
    let l = load(cx, actor, id).await?;
    if !authz::may_close_poll(l.role, l.row.author_id == actor.person_id) {
        return Err(AppError::Forbidden);
    }
    if l.row.status != PollStatus::Open.as_str() {
        return Err(AppError::Conflict("error.poll_not_open"));
    }
    if !mail::close_now(cx, &l.row).await? {
        return Err(AppError::Conflict("error.poll_not_open"));
    }
    Ok(())
}

/// The results as CSV (when the reader may see the counts): (file name, text).
pub async fn results_csv(cx: &Context, actor: &Actor, id: &str) -> AppResult<(String, String)> {
    let poll = read(cx, actor, id).await?;
    if !poll.counts_visible {
        return Err(AppError::Forbidden);
    }
    let l = load(cx, actor, id).await?;
    let t = count(cx, &l.row, l.labels.len()).await?;
    let lang = actor.lang;
    let csv = tally::csv(
        &l.labels,
        &t,
        poll.weighted,
        [
            lang.t("poll.csv.option"),
            lang.t("poll.csv.votes"),
            lang.t("poll.csv.shares"),
            lang.t("poll.csv.percent"),
            lang.t("poll.csv.total"),
        ],
    );
    Ok((format!("sondage-{id}.csv"), csv))
}
