//! The manager's home (portfolio dashboard, D1) and a building's statistics page for council
//! meetings (D2, D3): server-rendered SVG bar charts, each with its table, printable.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::{Page, render};
use crate::app::AppState;
use crate::domain::dashboard::{self, ActivePeople, Dashboard};
use crate::domain::dashboard_csv::decimal;
use crate::domain::stats::{self, StatsView};
use crate::i18n::{human_time, local_date_in};
use crate::web::error::WebResult;
use crate::web::extract::User;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(home))
        .route("/buildings/{id}/stats", get(stats_page))
}

/// An overdue report as the dashboard lists it.
pub struct OverdueLine {
    pub report_id: String,
    pub building_name: String,
    pub title: String,
    pub urgent: bool,
    /// "il y a 3 heures": when it fell due.
    pub late_since: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardTpl {
    page: Page,
    dashboard: Dashboard,
    overdue: Vec<OverdueLine>,
    active: ActivePeople,
}

async fn home(State(state): State<AppState>, User(actor, ctx): User) -> WebResult<Response> {
    let dashboard = dashboard::portfolio(&state, &actor).await?;
    let active = dashboard::active_people(&state, &actor).await?;
    let now = state.clock.now_ms();
    let overdue = dashboard
        .overdue
        .iter()
        .map(|o| OverdueLine {
            report_id: o.report_id.clone(),
            building_name: o.building_name.clone(),
            title: o.title.clone(),
            urgent: o.urgent,
            late_since: human_time(ctx.lang, o.due_ms, now),
        })
        .collect();
    render(&DashboardTpl {
        page: Page::new(&ctx),
        dashboard,
        overdue,
        active,
    })
}

/// One bar of a chart and its row in the table.
pub struct Bar {
    pub label: String,
    pub count: i64,
    /// Position and length in the chart's units.
    pub pos: i64,
    pub len: i64,
}

const MONTH_CHART_HEIGHT: i64 = 160;
const MONTH_BAR_STEP: i64 = 28;
const CATEGORY_CHART_WIDTH: i64 = 200;
const CATEGORY_BAR_STEP: i64 = 40;

fn scale(count: i64, max: i64, room: i64) -> i64 {
    if max <= 0 {
        0
    } else {
        (count * room / max).max(i64::from(count > 0))
    }
}

#[derive(Template)]
#[template(path = "stats.html")]
struct StatsTpl {
    page: Page,
    view: StatsView,
    months: Vec<Bar>,
    months_width: i64,
    categories: Vec<Bar>,
    categories_height: i64,
    median_first: String,
    median_close: String,
    on_time: String,
    /// The on-time share as a bar length out of 200.
    on_time_len: i64,
    from: String,
    to: String,
    printed: String,
}

#[derive(Deserialize)]
struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
}

async fn stats_page(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> WebResult<Response> {
    let view = stats::building(&state, &actor, &id, q.from.as_deref(), q.to.as_deref()).await?;
    let lang = ctx.lang;
    let s = &view.stats;
    let max_month = s
        .reports_per_month
        .iter()
        .map(|m| m.count)
        .max()
        .unwrap_or(0);
    let months: Vec<Bar> = s
        .reports_per_month
        .iter()
        .enumerate()
        .map(|(i, m)| Bar {
            label: m.month.clone(),
            count: m.count,
            pos: i as i64 * MONTH_BAR_STEP,
            len: scale(m.count, max_month, MONTH_CHART_HEIGHT - 40),
        })
        .collect();
    let max_cat = s.per_category.iter().map(|c| c.count).max().unwrap_or(0);
    let categories: Vec<Bar> = s
        .per_category
        .iter()
        .enumerate()
        .map(|(i, c)| Bar {
            label: c.label.clone(),
            count: c.count,
            pos: i as i64 * CATEGORY_BAR_STEP,
            len: scale(c.count, max_cat, CATEGORY_CHART_WIDTH),
        })
        .collect();
    let hours = |v: Option<f64>| match v {
        Some(_) => format!("{} h", decimal(lang, v)),
        None => "—".to_string(),
    };
    let tpl = StatsTpl {
        page: Page::new(&ctx),
        months_width: (months.len() as i64 * MONTH_BAR_STEP).max(MONTH_BAR_STEP),
        categories_height: (categories.len() as i64 * CATEGORY_BAR_STEP).max(CATEGORY_BAR_STEP),
        months,
        categories,
        median_first: hours(s.median_first_answer_hours),
        median_close: hours(s.median_close_hours),
        on_time: match s.first_answer_on_time_pct {
            Some(_) => format!("{} %", decimal(lang, s.first_answer_on_time_pct)),
            None => "—".to_string(),
        },
        on_time_len: s
            .first_answer_on_time_pct
            .map(|p| (p * 2.0).round() as i64)
            .unwrap_or(0),
        from: view.from.to_string(),
        to: view.to.to_string(),
        printed: local_date_in(lang, state.clock.now_ms()),
        view,
    };
    render(&tpl)
}
