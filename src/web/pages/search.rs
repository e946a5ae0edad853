//! The portfolio search page (issue 12 item 5): the search box of the manager's home sends
//! `q` here; results from every building the person may see, each naming its building.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::reports::{Card, card};
use super::{Page, render};
use crate::app::AppState;
use crate::domain::reports::categories::{self, Category};
use crate::domain::reports::portfolio_search;
use crate::web::error::WebResult;
use crate::web::extract::User;

pub fn router() -> Router<AppState> {
    Router::new().route("/search", get(show))
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchTpl {
    page: Page,
    query: String,
    /// None before a search.
    results: Option<Vec<Card>>,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
struct SearchQuery {
    #[serde(default)]
    q: String,
    cursor: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Query(q): Query<SearchQuery>,
) -> WebResult<Response> {
    let page = Page::new(&ctx);
    let now = state.clock.now_ms();
    let (results, next) = if q.q.trim().is_empty() {
        (None, None)
    } else {
        let found =
            portfolio_search::portfolio(&state, &actor, &q.q, q.cursor.as_deref(), 50).await?;
        let mut cats: HashMap<String, Vec<Category>> = HashMap::new();
        let mut cards = Vec::with_capacity(found.items.len());
        for hit in found.items {
            if !cats.contains_key(&hit.agency_id) {
                let list = categories::for_agency(&state, &hit.agency_id, page.lang).await?;
                cats.insert(hit.agency_id.clone(), list);
            }
            let list = cats.get(&hit.agency_id).map(Vec::as_slice).unwrap_or(&[]);
            cards.push(Card {
                building: Some(hit.building_name),
                ..card(&page, list, hit.report, now)
            });
        }
        (Some(cards), found.next_cursor)
    };
    render(&SearchTpl {
        page,
        query: q.q,
        results,
        next,
    })
}
