//! One report's page: details, photos, replies with audiences and templates, history,
//! and the actions (follow, close, reopen, share, remove); its photos.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::{FormErrors, Page, form_outcome, render};
use crate::app::AppState;
use crate::auth::Actor;
use crate::auth::authz::{self, ReportAction, report_allowed};
use crate::domain::AppError;
use crate::domain::buildings::Building;
use crate::domain::buildings::Member;
use crate::domain::reports::ReplyTemplate;
use crate::domain::reports::Report;
use crate::domain::reports::categories::{self};
use crate::domain::reports::{Audience, read, write};
use crate::i18n::{human_time, local_datetime_in};
use crate::web::api::reports::read_files;
use crate::web::error::WebResult;
use crate::web::extract::User;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports/{id}", get(show))
        .route("/reports/{id}/comments", post(comment))
        .route("/reports/{id}/follow", post(follow))
        .route("/reports/{id}/unfollow", post(unfollow))
        .route("/reports/{id}/close", post(close))
        .route("/reports/{id}/reopen", post(reopen))
        .route("/reports/{id}/share", post(share))
        .route("/reports/{id}/remove", post(remove))
        .route("/reports/{id}/assignee", post(assign))
        .route("/photos/{id}", get(photo_full))
        .route("/photos/{id}/thumb", get(photo_thumb))
}

pub struct CommentView {
    pub author: String,
    pub body: String,
    pub when: String,
    pub audience: &'static str,
    pub photos: Vec<String>,
    pub private: bool,
}

pub struct HistoryLine {
    pub what: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportTpl {
    page: Page,
    report: Report,
    /// Past its first-answer target without an answer: since when (D4).
    overdue: Option<String>,
    category: String,
    building: Building,
    created: String,
    /// "Dernière activité …", when something happened since the report was filed.
    activity: Option<String>,
    photos: Vec<String>,
    /// The provider's photos after the visit, apart from the residents'.
    provider_photos: Vec<String>,
    comments: Vec<CommentView>,
    history: Vec<HistoryLine>,
    following: bool,
    /// Filed for a neighbour without an account (the phone for staff only).
    neighbour: Option<crate::domain::reports::neighbours::Neighbour>,
    /// "Suivre (moi aussi)", "Suivre", or nothing (managers).
    follow_label: Option<&'static str>,
    /// A follower adds a detail rather than answering.
    follower: bool,
    can: Vec<&'static str>,
    templates: Vec<ReplyTemplate>,
    body: String,
    /// The reply's audience as chosen (kept when the form comes back with an error).
    audience: String,
    person_id: String,
    members: Vec<Member>,
    errors: FormErrors,
    /// Managers: providers (favorites first) and the report's work orders.
    providers: Vec<(crate::domain::work_orders::Provider, bool)>,
    work_orders: Vec<super::work_orders::WoLine>,
    /// Work order sent, visit planned, work done: at the top, for every reader.
    progress: Option<ProgressView>,
    /// Providers' e-mail replies per work order (N6): (work order id, from, text, when).
    wo_messages: Vec<(String, String, String, String)>,
    /// Staff it may be assigned to (D5), (id, name): for those who may assign.
    assignable: Vec<(String, String)>,
}

pub struct ProgressView {
    sent: String,
    planned: Option<String>,
    done: Option<String>,
    /// The provider reported the work done and the report is open: staff are asked to close.
    prompt_close: bool,
}

impl ReportTpl {
    fn can(&self, what: &str) -> bool {
        self.can.contains(&what)
    }

    /// "Envoyer à Paul Lefèvre" for the person chosen, "la personne choisie" before.
    fn send_to_person(&self) -> String {
        match self.members.iter().find(|m| m.person_id == self.person_id) {
            Some(m) => self
                .page
                .lang
                .tf("report.send_to_person", &[("name", &m.name)]),
            None => self.page.t("report.send_to_chosen").to_string(),
        }
    }
}

/// What the reply form held, to show it again after an error.
#[derive(Default)]
struct Reply {
    body: String,
    audience: String,
    person_id: String,
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    notice: Option<String>,
    template: Option<String>,
    /// A draft kept from the new-report form ("Moi aussi"), offered as a detail.
    detail: Option<String>,
}

async fn report_page(
    state: &AppState,
    actor: &Actor,
    page: Page,
    id: &str,
    reply: Reply,
    errors: FormErrors,
) -> WebResult<ReportTpl> {
    let view = read::view(state, actor, id).await?;
    let (building, _) =
        crate::domain::reports::building_of(state, &view.report.building_id).await?;
    let cats = categories::for_agency(state, &building.agency_id, page.lang).await?;
    let now = state.clock.now_ms();
    let lang = page.lang;
    let photos = view
        .photos
        .iter()
        .filter(|p| p.comment_id.is_none() && !p.from_provider)
        .map(|p| p.id.clone())
        .collect();
    let provider_photos = view
        .photos
        .iter()
        .filter(|p| p.from_provider)
        .map(|p| p.id.clone())
        .collect();
    let comments = view
        .comments
        .iter()
        .map(|c| CommentView {
            author: lang.person(&c.author_name).to_string(),
            body: c.body.clone(),
            when: human_time(lang, c.created_at, now),
            audience: lang.t(&format!("audience.{}", c.audience)),
            photos: view
                .photos
                .iter()
                .filter(|p| p.comment_id.as_deref() == Some(c.id.as_str()))
                .map(|p| p.id.clone())
                .collect(),
            private: c.audience != crate::vocab::AudienceKind::All,
        })
        .collect();
    let history = view
        .history
        .iter()
        .map(|e| HistoryLine {
            what: lang.tf(
                &format!("event.{}", e.kind),
                &[
                    ("who", lang.person(e.actor_name.as_deref().unwrap_or("—"))),
                    (
                        "detail",
                        &crate::domain::reports::event_detail(lang, e.kind.as_str(), &e.detail),
                    ),
                ],
            ),
            when: human_time(lang, e.created_at, now),
        })
        .collect();
    let can = crate::web::api::reports::abilities(view.relation);
    let staff = report_allowed(view.relation, ReportAction::ChooseAudience);
    let progress = crate::domain::reports::progress::of(&view.history).map(|p| ProgressView {
        sent: local_datetime_in(lang, p.sent_at),
        planned: p.planned_for.map(|ms| local_datetime_in(lang, ms)),
        prompt_close: p.done_at.is_some()
            && staff
            && can.contains(&"close")
            && view.report.status != crate::vocab::ReportStatus::Closed,
        done: p.done_at.map(|ms| local_datetime_in(lang, ms)),
    });
    let members = read::audience_people(state, actor, &view).await?;
    let assignable = read::assignable(state, &view).await?;
    let templates = if staff {
        read::templates(state, actor, &building.id).await?
    } else {
        Vec::new()
    };
    let (providers, work_orders) = if can.contains(&"work_order") {
        let p =
            crate::domain::work_orders::providers::list(state, actor, Some(&building.agency_id))
                .await
                .unwrap_or_default();
        let w = crate::domain::work_orders::for_report(state, actor, &building.agency_id, id)
            .await?
            .into_iter()
            .map(|w| super::work_orders::line(lang, w))
            .collect();
        (p, w)
    } else {
        (Vec::new(), Vec::new())
    };
    let wo_messages = if can.contains(&"work_order") {
        crate::domain::mail_in::report_work_order_messages(state, actor, &building.agency_id, id)
            .await?
            .into_iter()
            .map(|(wo, m)| (wo, m.from, m.body, local_datetime_in(lang, m.at)))
            .collect()
    } else {
        Vec::new()
    };
    Ok(ReportTpl {
        assignable,
        providers,
        work_orders,
        wo_messages,
        progress,
        page,
        overdue: view
            .report
            .overdue(now)
            .then(|| human_time(lang, view.report.due_at.unwrap_or_default(), now)),
        category: categories::label_of(&cats, &view.report.category).to_string(),
        created: human_time(lang, view.report.created_at, now),
        activity: (view.report.updated_at > view.report.created_at).then(|| {
            lang.tf(
                "card.activity",
                &[("when", &human_time(lang, view.report.updated_at, now))],
            )
        }),
        report: Report {
            author_name: lang.person(&view.report.author_name).to_string(),
            concerned_name: lang.person(&view.report.concerned_name).to_string(),
            ..view.report
        },
        building,
        photos,
        provider_photos,
        comments,
        history,
        following: view.following,
        neighbour: view.neighbour.clone(),
        follow_label: authz::follow_offer(view.relation).map(|o| match o {
            authz::FollowOffer::MeToo => lang.t("report.follow"),
            authz::FollowOffer::Follow => lang.t("report.follow_plain"),
        }),
        follower: authz::writes_details(view.relation),
        can,
        templates,
        body: reply.body,
        audience: if reply.audience.is_empty() {
            "all".to_string()
        } else {
            reply.audience
        },
        person_id: reply.person_id,
        members,
        errors,
    })
}

async fn show(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> WebResult<Response> {
    let page = Page::new(&ctx).with_notice(q.notice.as_deref());
    let mut tpl = report_page(
        &state,
        &actor,
        page,
        &id,
        Reply::default(),
        FormErrors::default(),
    )
    .await?;
    // Picking a template fills the reply box; it stays editable before sending (R4).
    if let Some(chosen) = q
        .template
        .as_deref()
        .and_then(|t| tpl.templates.iter().find(|x| x.id == t))
    {
        tpl.body = chosen.body.clone();
    } else if let Some(detail) = q.detail.filter(|_| tpl.can("comment")) {
        tpl.body = detail
            .chars()
            .take(crate::domain::reports::MAX_COMMENT)
            .collect();
    }
    render(&tpl)
}

async fn comment(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> WebResult<Response> {
    let (files, fields) = read_files(&mut multipart).await?;
    let get = |k: &str| fields.get(k);
    let body = get("body").unwrap_or_default().to_string();
    let reply = Reply {
        body: body.clone(),
        audience: match get("private_landlord") {
            Some(_) => "landlord".to_string(),
            None => get("audience").unwrap_or_default().to_string(),
        },
        person_id: get("person_id").unwrap_or_default().to_string(),
    };
    let outcome = match Audience::parse(
        get("audience"),
        get("person_id"),
        get("private_landlord").is_some(),
    ) {
        Ok(audience) => {
            write::comment_with_photos(&state, &actor, &id, &body, audience, files).await
        }
        Err(e) => Err(e),
    };
    form_outcome(
        ctx.lang,
        outcome,
        |_| Ok(Redirect::to(&format!("/reports/{id}?notice=reply_sent#comments")).into_response()),
        |errors| report_page(&state, &actor, Page::new(&ctx), &id, reply, errors),
    )
    .await
}

/// The longest part of a draft carried to the report followed instead (in its URL).
const KEPT_DRAFT: usize = 1_000;

/// Follows a report. "Moi aussi" on the new-report form posts the draft here too (the
/// button belongs to that form): what was written then waits in the report's "add a detail"
/// box, sent only if the person chooses to.
async fn follow(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> WebResult<Response> {
    let multipart = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let draft: String = if multipart {
        use axum::extract::FromRequest;
        let mut parts = Multipart::from_request(request, &state)
            .await
            .map_err(|_| AppError::BadRequest("error.multipart"))?;
        let (_, fields) = read_files(&mut parts).await?;
        fields
            .get("description")
            .unwrap_or_default()
            .trim()
            .chars()
            .take(KEPT_DRAFT)
            .collect()
    } else {
        String::new()
    };
    write::follow(&state, &actor, &id).await?;
    let mut to = format!("/reports/{id}?notice=following");
    if !draft.is_empty() {
        let query = serde_urlencoded::to_string([("detail", draft.as_str())])
            .map_err(|e| AppError::Internal(format!("draft: {e}")))?;
        to.push('&');
        to.push_str(&query);
        to.push_str("#reply");
    }
    Ok(Redirect::to(&to).into_response())
}

async fn unfollow(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Response> {
    write::unfollow(&state, &actor, &id).await?;
    Ok(Redirect::to(&format!("/reports/{id}?notice=unfollowed")).into_response())
}

#[derive(Deserialize, Default)]
struct CloseForm {
    /// An optional closing note, posted to everyone before the report closes.
    #[serde(default)]
    note: String,
}

async fn close(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Form(form): Form<CloseForm>,
) -> WebResult<Response> {
    let outcome = write::close_with_note(&state, &actor, &id, &form.note).await;
    if let Err(crate::domain::AppError::Invalid(_)) = &outcome {
        return form_outcome(
            ctx.lang,
            outcome,
            |()| Ok(Redirect::to(&format!("/reports/{id}")).into_response()),
            |errors| {
                report_page(
                    &state,
                    &actor,
                    Page::new(&ctx),
                    &id,
                    Reply::default(),
                    errors,
                )
            },
        )
        .await;
    }
    outcome?;
    Ok(Redirect::to(&format!("/reports/{id}?notice=report_closed")).into_response())
}

async fn reopen(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Response> {
    write::reopen(&state, &actor, &id).await?;
    Ok(Redirect::to(&format!("/reports/{id}?notice=report_reopened")).into_response())
}

async fn share(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Response> {
    write::share(&state, &actor, &id).await?;
    Ok(Redirect::to(&format!("/reports/{id}?notice=report_shared")).into_response())
}

#[derive(Deserialize)]
struct AssignForm {
    /// Empty: unassign.
    #[serde(default)]
    person_id: String,
}

async fn assign(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Form(form): Form<AssignForm>,
) -> WebResult<Response> {
    form_outcome(
        ctx.lang,
        write::assign(&state, &actor, &id, Some(&form.person_id)).await,
        |()| Ok(Redirect::to(&format!("/reports/{id}?notice=report_assigned")).into_response()),
        |errors| {
            report_page(
                &state,
                &actor,
                Page::new(&ctx),
                &id,
                Reply::default(),
                errors,
            )
        },
    )
    .await
}

#[derive(Deserialize)]
struct RemoveForm {
    #[serde(default)]
    reason: String,
}

async fn remove(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Form(form): Form<RemoveForm>,
) -> WebResult<Response> {
    form_outcome(
        ctx.lang,
        write::remove(&state, &actor, &id, &form.reason).await,
        |()| Ok(Redirect::to(&format!("/reports/{id}?notice=report_removed")).into_response()),
        |errors| {
            report_page(
                &state,
                &actor,
                Page::new(&ctx),
                &id,
                Reply::default(),
                errors,
            )
        },
    )
    .await
}

async fn photo_full(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Response> {
    crate::web::api::reports::serve_photo(&state, &actor, &id, false).await
}

async fn photo_thumb(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Response> {
    crate::web::api::reports::serve_photo(&state, &actor, &id, true).await
}
