//! Poll pages (P1–P5): the building's polls with the creation form, one poll with its
//! confirmation step, the vote form, and the results as an SVG bar chart with a table as
//! its text equivalent (greyed once closed).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::{FormErrors, Page, form_outcome, render};
use crate::app::AppState;
use crate::auth::authz::Action;
use crate::domain::buildings::{self, Building};
use crate::domain::polls::{self as service, Draft, Poll};
use crate::web::error::WebResult;
use crate::web::extract::User;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/buildings/{id}/polls", get(list_page).post(create))
        .route("/polls/{id}", get(poll_page))
        .route("/polls/{id}/publish", post(publish))
        .route("/polls/{id}/vote", post(vote))
        .route("/polls/{id}/close", post(close))
        .route("/polls/{id}/results.csv", get(results_csv))
}

#[derive(Deserialize, Default, Clone)]
pub struct PollForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    question: String,
    /// One option per line.
    #[serde(default)]
    options: String,
    #[serde(default)]
    multiple: Option<String>,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    weighted: Option<String>,
    #[serde(default)]
    closes_at: String,
    #[serde(default)]
    results_visible: String,
}

impl PollForm {
    fn draft(&self) -> Draft {
        Draft {
            title: self.title.clone(),
            question: self.question.clone(),
            options: self.options.lines().map(str::to_string).collect(),
            multiple: self.multiple.is_some(),
            audience: self.audience.clone(),
            weighted: self.weighted.is_some(),
            closes_at: Some(self.closes_at.clone()),
            results_visible: self.results_visible.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "polls.html")]
struct ListTpl {
    page: Page,
    building: Building,
    items: Vec<Poll>,
    next_cursor: Option<String>,
    can_create: bool,
    form: PollForm,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    cursor: Option<String>,
    notice: Option<String>,
}

async fn list_tpl(
    state: &AppState,
    actor: &crate::auth::Actor,
    ctx: &crate::web::context::Ctx,
    id: &str,
    q: &ListQuery,
    form: Option<PollForm>,
    errors: FormErrors,
) -> WebResult<ListTpl> {
    let (building, _) = buildings::authorize(state, actor, id, Action::ViewBuilding).await?;
    let list = service::list(state, actor, id, q.cursor.as_deref(), service::PAGE_SIZE).await?;
    Ok(ListTpl {
        page: Page::new(ctx).with_notice(q.notice.as_deref()),
        building,
        items: list.items,
        next_cursor: list.next_cursor,
        can_create: list.can_create,
        form: form.unwrap_or_else(|| PollForm {
            audience: "all".into(),
            results_visible: "after_vote".into(),
            ..PollForm::default()
        }),
        errors,
    })
}

async fn list_page(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    render(&list_tpl(&state, &actor, &ctx, &id, &q, None, FormErrors::default()).await?)
}

async fn create(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Form(form): Form<PollForm>,
) -> WebResult<Response> {
    let result = service::create(&state, &actor, &id, &form.draft()).await;
    form_outcome(
        ctx.lang,
        result,
        |poll_id| {
            Ok(Redirect::to(&format!("/polls/{poll_id}?notice=poll_created")).into_response())
        },
        |errors| async {
            list_tpl(
                &state,
                &actor,
                &ctx,
                &id,
                &ListQuery::default(),
                Some(form.clone()),
                errors,
            )
            .await
        },
    )
    .await
}

/// One bar of the results chart and its row in the table.
pub struct Bar {
    pub label: String,
    pub votes: i64,
    pub shares: Option<i64>,
    pub percent: String,
    /// Bar length in the chart's units (0–200).
    pub width: String,
    pub y: i64,
    pub mine: bool,
}

#[derive(Template)]
#[template(path = "poll.html")]
struct PollTpl {
    page: Page,
    p: Poll,
    bars: Vec<Bar>,
    chart_height: i64,
    /// "Publier et inviter 5 personnes".
    publish_label: String,
    errors: FormErrors,
}

fn bars(p: &Poll) -> Vec<Bar> {
    let mine = p.my_vote.clone().unwrap_or_default();
    p.options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let percent = o.percent.unwrap_or(0.0);
            Bar {
                label: o.label.clone(),
                votes: o.votes.unwrap_or(0),
                shares: o.shares,
                percent: format!("{percent:.1}"),
                width: format!("{:.1}", percent.clamp(0.0, 100.0) * 2.0),
                y: i as i64 * 44,
                mine: mine.contains(&i),
            }
        })
        .collect()
}

async fn poll_tpl(
    state: &AppState,
    actor: &crate::auth::Actor,
    ctx: &crate::web::context::Ctx,
    id: &str,
    notice: Option<&str>,
    errors: FormErrors,
) -> WebResult<PollTpl> {
    let p = service::read(state, actor, id).await?;
    let bars = bars(&p);
    let publish_label = actor
        .lang
        .tf("poll.publish", &[("count", &p.eligible.to_string())]);
    Ok(PollTpl {
        publish_label,
        page: Page::new(ctx).with_notice(notice),
        chart_height: bars.len() as i64 * 44,
        bars,
        p,
        errors,
    })
}

#[derive(Deserialize, Default)]
struct NoticeOnly {
    notice: Option<String>,
}

async fn poll_page(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Query(q): Query<NoticeOnly>,
) -> WebResult<Response> {
    render(
        &poll_tpl(
            &state,
            &actor,
            &ctx,
            &id,
            q.notice.as_deref(),
            FormErrors::default(),
        )
        .await?,
    )
}

async fn publish(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let result = service::publish(&state, &actor, &id).await;
    form_outcome(
        ctx.lang,
        result,
        |_| Ok(Redirect::to(&format!("/polls/{id}?notice=poll_published")).into_response()),
        |errors| async { poll_tpl(&state, &actor, &ctx, &id, None, errors).await },
    )
    .await
}

/// The vote form: `options` once per ticked answer.
async fn vote(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let mut chosen = Vec::new();
    for (name, value) in &fields {
        if name == "options" {
            // An unreadable index is an unknown answer, told as such.
            chosen.push(value.trim().parse::<i64>().unwrap_or(-1));
        }
    }
    let result = service::vote(&state, &actor, &id, &chosen).await;
    form_outcome(
        ctx.lang,
        result,
        |_| Ok(Redirect::to(&format!("/polls/{id}?notice=vote_saved")).into_response()),
        |errors| async { poll_tpl(&state, &actor, &ctx, &id, None, errors).await },
    )
    .await
}

async fn close(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Response> {
    service::close(&state, &actor, &id).await?;
    Ok(Redirect::to(&format!("/polls/{id}?notice=poll_closed")).into_response())
}

async fn results_csv(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let (name, csv) = service::results_csv(&state, &actor, &id).await?;
    Ok(crate::web::api::polls::csv_response(&name, csv))
}
