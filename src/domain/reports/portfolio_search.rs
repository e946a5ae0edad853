//! Portfolio search (issue 12 item 5): one query over every building the person may see,
//! each hit naming its building. Each building is searched by the board's own search
//! (`db::reports::board`: French stems, the reader's audience columns from
//! `authz::search_reach`, a window along the board's index, then the full-text index), so a
//! search costs its page per building, never the table; the pages are merged in the
//! board's order (latest activity, then id), and the cursor is the board's.

use super::read::{parse_cursor, scope};
use super::{Report, search};
use crate::auth::Actor;
use crate::auth::authz::{self, Action};
use crate::db::reports as rdb;
use crate::domain::{AppResult, Context, buildings};

/// A report found, with the name of its building.
pub struct Hit {
    pub report: Report,
    pub building_name: String,
    /// The building's agency (whose categories label the report).
    pub agency_id: String,
}

pub struct SearchPage {
    pub items: Vec<Hit>,
    pub next_cursor: Option<String>,
    /// Buildings searched.
    pub buildings: usize,
}

/// Searches every building the actor may see; an empty query finds nothing.
pub async fn portfolio(
    state: &Context,
    actor: &Actor,
    query: &str,
    cursor: Option<&str>,
    limit: i64,
) -> AppResult<SearchPage> {
    let after = parse_cursor(cursor)?;
    let terms = search::terms(query);
    let limit = limit.clamp(1, 100);
    let visible = buildings::list_for(state, actor).await?;
    let count = visible.len();
    if terms.is_empty() {
        return Ok(SearchPage {
            items: Vec::new(),
            next_cursor: None,
            buildings: count,
        });
    }
    let ids: Vec<String> = visible.iter().map(|(b, _)| b.id.clone()).collect();
    let with_reports = rdb::buildings_with_reports(&state.db.pool, &ids).await?;
    let mut found: Vec<(rdb::ReportRow, usize)> = Vec::new();
    let mut conn = state.db.pool.acquire().await?;
    for (i, (building, _)) in visible.iter().enumerate() {
        if !with_reports.contains(&building.id) {
            continue;
        }
        let permit = authz::check(actor, Action::ViewBuilding, &building.reference())?;
        let reach = authz::search_reach(&permit);
        let scope = scope(actor, &permit);
        let rows = rdb::board(
            &mut conn,
            state.db.backend,
            rdb::BoardQuery {
                building_id: &building.id,
                status: None,
                terms: &terms,
                reach: crate::db::search::Reach {
                    council: reach.council,
                    landlord: reach.landlord,
                },
                scope: &scope,
                assignee: None,
                overdue_at: None,
                after: after.clone(),
                limit: limit + 1,
            },
        )
        .await?;
        found.extend(rows.into_iter().map(|r| (r, i)));
    }
    // At most (limit + 1) per building: the merge sorts a few pages, not the matches.
    found.sort_by(|(a, _), (b, _)| {
        b.updated_at
            .cmp(&a.updated_at)
            .then_with(|| b.id.cmp(&a.id))
    });
    let next_cursor = if found.len() as i64 > limit {
        found.truncate(limit as usize);
        found
            .last()
            .map(|(r, _)| format!("{}_{}", r.updated_at, r.id))
    } else {
        None
    };
    Ok(SearchPage {
        items: found
            .into_iter()
            .map(|(row, i)| Hit {
                report: Report::from(row),
                building_name: visible[i].0.name.clone(),
                agency_id: visible[i].0.agency_id.clone(),
            })
            .collect(),
        next_cursor,
        buildings: count,
    })
}
