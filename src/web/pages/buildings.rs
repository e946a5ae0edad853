//! My buildings, a building's page, its members (B6) with role changes (B3), its settings.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::reports::{Card, card};
use super::{FormErrors, NoticeQuery, Page, form_outcome, render};
use crate::app::AppState;
use crate::auth::authz::{self, Action, BuildingRole};
use crate::domain::buildings::Building;
use crate::domain::buildings::Member;
use crate::domain::buildings::{self as service, ResidentRole, SettingsInput};
use crate::domain::reports::{categories, read};
use crate::web::error::WebResult;
use crate::web::extract::User;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/buildings", get(list))
        .route("/buildings/{id}", get(show))
        .route("/buildings/{id}/members", get(members))
        .route(
            "/buildings/{id}/members/{person_id}/role",
            post(change_role),
        )
        .route(
            "/buildings/{id}/settings",
            get(settings_form).post(save_settings),
        )
        .route("/buildings/{id}/poster.pdf", get(poster))
}

pub struct BuildingLine {
    pub id: String,
    pub name: String,
    pub address: String,
    pub role: &'static str,
}

#[derive(Template)]
#[template(path = "buildings.html")]
struct ListTpl {
    page: Page,
    buildings: Vec<BuildingLine>,
    /// The agencies the person manages, for their settings.
    agencies: Vec<crate::domain::agencies::AgencySummary>,
    /// Buildings the person waits to join (approval): (id, name).
    waiting: Vec<(String, String)>,
}

fn role_label(page: &Page, role: BuildingRole) -> &'static str {
    page.t(&format!("role.{}", role.as_str()))
}

async fn list(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Query(q): Query<NoticeQuery>,
) -> WebResult<Response> {
    // Notices land here too: waiting for approval, moved out.
    let page = Page::new(&ctx).with_notice(q.notice.as_deref());
    let buildings = service::list_for(&state, &actor)
        .await?
        .into_iter()
        .map(|(b, role)| BuildingLine {
            id: b.id,
            name: b.name,
            address: b.address,
            role: role_label(&page, role),
        })
        .collect();
    let agencies = crate::domain::agencies::managed(&state, &actor).await?;
    let waiting = crate::domain::approval::waiting_for(&state, &actor).await?;
    render(&ListTpl {
        page,
        buildings,
        agencies,
        waiting,
    })
}

pub struct Column {
    pub status: &'static str,
    pub cards: Vec<Card>,
    pub next: Option<String>,
}

#[derive(Template)]
#[template(path = "building.html")]
struct BuildingTpl {
    page: Page,
    building: Building,
    role: &'static str,
    can_list_members: bool,
    can_manage: bool,
    /// People waiting for approval, shown to the staff who decide.
    waiting: i64,
    columns: Vec<Column>,
    query: String,
    results: Option<Vec<Card>>,
    /// "Assigned to me" (D5): offered to staff, on when the board is filtered.
    can_filter_assigned: bool,
    assigned_to_me: bool,
    /// Only the overdue reports (D4): offered to those who may assign, like "assigned to me".
    overdue_only: bool,
}

#[derive(Deserialize, Default)]
struct BoardQuery {
    notice: Option<String>,
    q: Option<String>,
    status: Option<String>,
    cursor: Option<String>,
    /// `me`: only the reports assigned to the reader.
    assigned: Option<String>,
    /// `1`: only the reports waiting for a first answer past their due time.
    overdue: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Query(q): Query<BoardQuery>,
) -> WebResult<Response> {
    let (building, permit) = service::authorize(&state, &actor, &id, Action::ViewBuilding).await?;
    let page = Page::new(&ctx).with_notice(q.notice.as_deref());
    let cats = categories::for_agency(&state, &building.agency_id, page.lang).await?;
    let now = state.clock.now_ms();
    let query = q.q.clone().unwrap_or_default();
    let mut columns = Vec::new();
    let mut results = None;
    let assigned_to_me = q.assigned.as_deref() == Some("me");
    let overdue_only = q.overdue.as_deref() == Some("1");
    let only = read::Only {
        assigned_to_me,
        overdue: overdue_only,
    };
    if query.trim().is_empty() {
        for status in crate::vocab::ReportStatus::ALL.iter().map(|s| s.as_str()) {
            // Only the column being paged through moves; the others show their first page.
            let cursor = if q.status.as_deref() == Some(status) {
                q.cursor.as_deref()
            } else {
                None
            };
            let board = read::board(
                &state,
                &actor,
                &id,
                Some(status),
                only,
                None,
                cursor,
                read::PAGE_SIZE,
            )
            .await?;
            let cards = board
                .items
                .into_iter()
                .map(|r| card(&page, &cats, r, now))
                .collect();
            columns.push(Column {
                status,
                cards,
                next: board.next_cursor,
            });
        }
    } else {
        let found = read::board(
            &state,
            &actor,
            &id,
            None,
            only,
            Some(&query),
            q.cursor.as_deref(),
            50,
        )
        .await?;
        results = Some(
            found
                .items
                .into_iter()
                .map(|r| card(&page, &cats, r, now))
                .collect(),
        );
    }
    let waiting = crate::domain::approval::waiting_count(&state, &permit).await?;
    let tpl = BuildingTpl {
        waiting,
        role: role_label(&page, permit.role),
        can_list_members: authz::allowed(permit.role, Action::ListMembers),
        can_manage: authz::allowed(permit.role, Action::ManageBuilding),
        page,
        building,
        columns,
        query,
        results,
        can_filter_assigned: authz::takes_assignments(permit.role),
        overdue_only,
        assigned_to_me,
    };
    render(&tpl)
}

#[derive(Template)]
#[template(path = "members.html")]
struct MembersTpl {
    page: Page,
    building: Building,
    members: Vec<Member>,
    can_change_roles: bool,
    /// Moving out and residence edits (managers).
    can_manage_memberships: bool,
}

async fn members(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult<Response> {
    let (building, permit) = service::authorize(&state, &actor, &id, Action::ListMembers).await?;
    let members = service::members(&state, &permit).await?;
    let tpl = MembersTpl {
        page: Page::new(&ctx).with_notice(q.notice.as_deref()),
        building,
        members,
        can_change_roles: authz::allowed(permit.role, Action::ChangeRole),
        can_manage_memberships: authz::allowed(permit.role, Action::ManageMemberships),
    };
    render(&tpl)
}

#[derive(Deserialize)]
struct RoleForm {
    role: String,
    kind: Option<String>,
}

async fn change_role(
    State(state): State<AppState>,
    User(actor, _ctx): User,
    Path((id, person_id)): Path<(String, String)>,
    Form(form): Form<RoleForm>,
) -> WebResult<Response> {
    let (_, permit) = service::authorize(&state, &actor, &id, Action::ChangeRole).await?;
    let role = ResidentRole::parse(&form.role, form.kind.as_deref())?;
    service::set_role(&state, &actor, &permit, &person_id, role).await?;
    Ok(Redirect::to(&format!("/buildings/{id}/members?notice=role_changed")).into_response())
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsTpl {
    page: Page,
    building: Building,
    register_url: String,
    /// Where members can e-mail a report (N6), when a reply address is configured.
    intake_address: Option<String>,
    errors: FormErrors,
}

async fn settings_form(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult<Response> {
    let (building, _) = service::authorize(&state, &actor, &id, Action::ManageBuilding).await?;
    let register_url = format!("{}/register?code={}", state.config.base_url, building.code);
    let intake_address =
        crate::domain::mail_in::tokens::intake_address(&state, &actor, &building.id).await?;
    let page = Page::new(&ctx).with_notice(q.notice.as_deref());
    render(&SettingsTpl {
        page,
        building,
        register_url,
        intake_address,
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize)]
struct SettingsForm {
    name: String,
    address: String,
    lots_count: String,
    #[serde(default)]
    access_codes: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_phone: String,
    council_filter: Option<String>,
}

async fn save_settings(
    State(state): State<AppState>,
    User(actor, ctx): User,
    Path(id): Path<String>,
    Form(form): Form<SettingsForm>,
) -> WebResult<Response> {
    let (mut building, permit) =
        service::authorize(&state, &actor, &id, Action::ManageBuilding).await?;
    let lots_count = form.lots_count.trim().parse::<i64>().unwrap_or(-1);
    let input = SettingsInput {
        name: form.name.clone(),
        address: form.address.clone(),
        lots_count,
        access_codes: form.access_codes.clone(),
        contact_name: form.contact_name.clone(),
        contact_phone: form.contact_phone.clone(),
        council_filter: form.council_filter.is_some(),
    };
    form_outcome(
        ctx.lang,
        service::update_settings(&state, &actor, &permit, input).await,
        |()| {
            Ok(
                Redirect::to(&format!("/buildings/{id}/settings?notice=settings_saved"))
                    .into_response(),
            )
        },
        |errors| async {
            // Show what was typed, with the error next to its field.
            building.name = form.name;
            building.address = form.address;
            building.access_codes = form.access_codes;
            building.contact_name = form.contact_name;
            building.contact_phone = form.contact_phone;
            let register_url = format!("{}/register?code={}", state.config.base_url, building.code);
            let intake_address =
                crate::domain::mail_in::tokens::intake_address(&state, &actor, &building.id)
                    .await?;
            Ok(SettingsTpl {
                page: Page::new(&ctx),
                building,
                register_url,
                intake_address,
                errors,
            })
        },
    )
    .await
}

async fn poster(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let (name, bytes) = service::poster(&state, &actor, &id).await?;
    Ok(crate::web::api::work_orders::pdf_response(&name, bytes))
}
