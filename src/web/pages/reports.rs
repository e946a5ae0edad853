//! The new-report form: two steps without JavaScript, with the duplicate check between
//! them, and the cards shared by the board and the lists.

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{FormErrors, Page, render, render_status};
use crate::app::AppState;
use crate::auth::Actor;
use crate::auth::authz::{self, Action};
use crate::domain::buildings::Building;
use crate::domain::buildings::Member;
use crate::domain::reports::Report;
use crate::domain::reports::categories::{self, Category};
use crate::domain::reports::{ReportDraft, read, write};
use crate::domain::{AppError, buildings};
use crate::i18n::human_time;
use crate::web::api::reports::read_files;
use crate::web::error::WebResult;
use crate::web::extract::User;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/buildings/{id}/reports/new", get(new_form))
        .route("/buildings/{id}/reports", post(create))
}
/// A report as a card on the board or in a list.
pub struct Card {
    pub id: String,
    pub title: String,
    pub category: String,
    pub location: String,
    pub status: crate::vocab::ReportStatus,
    /// Urgent and still open: a closed report is no longer urgent.
    pub urgent: bool,
    pub removed: bool,
    /// Still waiting for its first staff answer past the agency's target (D4).
    pub overdue: bool,
    /// "Signalé aujourd’hui à 09:12": the creation, labelled.
    pub created: String,
    /// "Dernière activité hier à 18:40", when something happened since.
    pub activity: Option<String>,
    pub author: String,
    pub followers: i64,
    pub photos: i64,
    /// The staff member it is assigned to (D5).
    pub assignee: Option<String>,
    /// The building's name, where cards of several buildings are listed together.
    pub building: Option<String>,
}

pub fn card(page: &Page, cats: &[Category], r: Report, now: i64) -> Card {
    Card {
        category: categories::label_of(cats, &r.category).to_string(),
        location: r.location(),
        urgent: r.urgent && r.status != crate::vocab::ReportStatus::Closed,
        removed: r.removed,
        overdue: r.overdue(now),
        created: page.lang.tf(
            "card.created",
            &[("when", &human_time(page.lang, r.created_at, now))],
        ),
        activity: (r.updated_at > r.created_at).then(|| {
            page.lang.tf(
                "card.activity",
                &[("when", &human_time(page.lang, r.updated_at, now))],
            )
        }),
        author: page.lang.person(&r.concerned_name).to_string(),
        followers: r.follower_count,
        photos: r.photo_count,
        assignee: r
            .assignee
            .map(|(_, name)| page.lang.person(&name).to_string()),
        building: None,
        id: r.id,
        title: r.title,
        status: r.status,
    }
}

#[derive(Template)]
#[template(path = "report_new.html")]
struct NewTpl {
    page: Page,
    building: Building,
    categories: Vec<Category>,
    form: DraftForm,
    /// Second step: the title is known, similar reports were looked up.
    checked: bool,
    similar: Vec<Card>,
    staff: bool,
    members: Vec<Member>,
    show_share: bool,
    errors: FormErrors,
}

#[derive(Deserialize, Default, Clone)]
pub struct DraftForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    location_part: String,
    #[serde(default)]
    location_floor: String,
    #[serde(default)]
    location_detail: String,
    urgent: Option<String>,
    on_behalf_of: Option<String>,
    #[serde(default)]
    neighbour_name: String,
    #[serde(default)]
    neighbour_phone: String,
    #[serde(default)]
    neighbour_lot: String,
    share_with_manager: Option<String>,
}

impl DraftForm {
    fn from_fields(fields: &crate::web::api::reports::FormFields) -> DraftForm {
        let get = |k: &str| fields.get(k).map(str::to_string);
        DraftForm {
            category: get("category").unwrap_or_default(),
            title: get("title").unwrap_or_default(),
            description: get("description").unwrap_or_default(),
            location_part: get("location_part").unwrap_or_default(),
            location_floor: get("location_floor").unwrap_or_default(),
            location_detail: get("location_detail").unwrap_or_default(),
            urgent: get("urgent"),
            on_behalf_of: get("on_behalf_of").filter(|v| !v.is_empty()),
            neighbour_name: get("neighbour_name").unwrap_or_default(),
            neighbour_phone: get("neighbour_phone").unwrap_or_default(),
            neighbour_lot: get("neighbour_lot").unwrap_or_default(),
            share_with_manager: get("share_with_manager"),
        }
    }

    fn draft(&self) -> ReportDraft {
        ReportDraft {
            category: self.category.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            location_part: self.location_part.clone(),
            location_floor: self.location_floor.clone(),
            location_detail: self.location_detail.clone(),
            urgent: self.urgent.is_some(),
            on_behalf_of: self.on_behalf_of.clone(),
            neighbour: crate::domain::reports::neighbours::NeighbourDraft {
                name: self.neighbour_name.clone(),
                phone: self.neighbour_phone.clone(),
                lot: self.neighbour_lot.clone(),
            },
            share_with_manager: self.share_with_manager.is_some(),
        }
    }
}

async fn new_page(
    state: &AppState,
    actor: &Actor,
    page: Page,
    building_id: &str,
    form: DraftForm,
    errors: FormErrors,
) -> WebResult<NewTpl> {
    let (building, permit) =
        buildings::authorize(state, actor, building_id, Action::CreateReport).await?;
    let cats = categories::for_agency(state, &building.agency_id, page.lang).await?;
    let checked = !form.title.trim().is_empty();
    let now = state.clock.now_ms();
    let location = format!(
        "{} {} {}",
        form.location_part, form.location_floor, form.location_detail
    );
    let similar = if checked {
        read::similar(
            state,
            actor,
            building_id,
            &form.title,
            &form.category,
            &location,
        )
        .await?
        .into_iter()
        .map(|r| card(&page, &cats, r, now))
        .collect()
    } else {
        Vec::new()
    };
    let members = crate::domain::buildings::residents_for_filing(state, &permit).await?;
    let show_share = authz::offers_council_share(permit.role, building.council_filter);
    Ok(NewTpl {
        page,
        building,
        categories: cats,
        form,
        checked,
        similar,
        staff: authz::may_file_for_others(permit.role),
        members,
        show_share,
        errors,
    })
}

async fn new_form(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Query(form): Query<DraftForm>,
) -> WebResult<Response> {
    render(
        &new_page(
            &state,
            &actor,
            Page::new(&ctx),
            &id,
            form,
            FormErrors::default(),
        )
        .await?,
    )
}

async fn create(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> WebResult<Response> {
    let (files, fields) = read_files(&mut multipart).await?;
    let form = DraftForm::from_fields(&fields);
    if files.len() as i64 > crate::domain::reports::MAX_PHOTOS {
        let errors = FormErrors::one("photos", ctx.lang.t("error.too_many_photos"));
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &new_page(&state, &actor, Page::new(&ctx), &id, form, errors).await?,
        );
    }
    let report_id = match write::create(&state, &actor, &id, form.draft()).await {
        Ok(rid) => rid,
        Err(AppError::Invalid(i)) => {
            let errors = FormErrors::from_invalid(ctx.lang, &i);
            return render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &new_page(&state, &actor, Page::new(&ctx), &id, form, errors).await?,
            );
        }
        Err(e) => return Err(e.into()),
    };
    // The report exists now; a bad photo is reported on its page rather than losing the report.
    let mut notice = "report_created";
    for bytes in files {
        if write::add_photo(&state, &actor, &report_id, None, bytes)
            .await
            .is_err()
        {
            notice = "photo_rejected";
        }
    }
    Ok(Redirect::to(&format!("/reports/{report_id}?notice={notice}")).into_response())
}
