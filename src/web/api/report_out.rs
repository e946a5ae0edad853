//! What the reports API returns: reports, comments, photos, history, as JSON.

use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::authz::ReportRelation;
use crate::domain::reports::{Comment, HistoryEntry, Photo, Report, read};
use crate::i18n::Lang;
use crate::vocab::{AudienceKind, EventKind, ReportStatus};
use crate::web::error::WebResult;

pub use crate::clock::iso;

#[derive(Serialize, ToSchema)]
pub struct PersonRef {
    id: String,
    /// "Ancien occupant" / "Former resident" (in the caller's language) once erased.
    name: String,
    /// The person erased their data (GDPR): the name above is the generic one.
    erased: bool,
}

impl PersonRef {
    pub fn new(id: String, name: String, lang: Lang) -> Self {
        let erased = name.is_empty();
        PersonRef {
            name: lang.person(&name).to_string(),
            id,
            erased,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PhotoOut {
    pub id: String,
    url: String,
    thumb_url: String,
    width: i64,
    height: i64,
}

impl From<&Photo> for PhotoOut {
    fn from(p: &Photo) -> Self {
        PhotoOut {
            id: p.id.clone(),
            url: format!("/api/v1/photos/{}", p.id),
            thumb_url: format!("/api/v1/photos/{}/thumb", p.id),
            width: p.width,
            height: p.height,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReportOut {
    id: String,
    building_id: String,
    category: String,
    title: String,
    description: String,
    /// Staircase, floor and free text, joined.
    location: String,
    location_part: String,
    location_floor: String,
    location_detail: String,
    urgent: bool,
    status: ReportStatus,
    author: PersonRef,
    /// The person the report is about, when filed on their behalf.
    concerned: PersonRef,
    shared_with_manager: bool,
    removed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    removed_reason: Option<String>,
    photo_count: i64,
    follower_count: i64,
    created_at: String,
    updated_at: String,
    first_response_at: Option<String>,
    closed_at: Option<String>,
    /// The staff member it is assigned to (D5), if any.
    assignee: Option<PersonRef>,
}

impl ReportOut {
    /// The report as the caller reads it (names of erased people in their language).
    pub fn new(r: Report, lang: Lang) -> Self {
        ReportOut {
            location: r.location(),
            shared_with_manager: r.manager_visible,
            removed: r.removed,
            created_at: iso(r.created_at),
            updated_at: iso(r.updated_at),
            first_response_at: r.first_response_at.map(iso),
            closed_at: r.closed_at.map(iso),
            assignee: r.assignee.map(|(id, name)| PersonRef::new(id, name, lang)),
            urgent: r.urgent,
            author: PersonRef::new(r.author_id, r.author_name, lang),
            concerned: PersonRef::new(r.concerned_id, r.concerned_name, lang),
            id: r.id,
            building_id: r.building_id,
            category: r.category,
            title: r.title,
            description: r.description,
            location_part: r.location_part,
            location_floor: r.location_floor,
            location_detail: r.location_detail,
            status: r.status,
            removed_reason: r.removed_reason,
            photo_count: r.photo_count,
            follower_count: r.follower_count,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CommentOut {
    id: String,
    author: PersonRef,
    body: String,
    /// `landlord` is the private manager-landlord thread.
    audience: AudienceKind,
    person_id: Option<String>,
    created_at: String,
    photos: Vec<PhotoOut>,
}

#[derive(Serialize, ToSchema)]
pub struct HistoryOut {
    kind: EventKind,
    actor: Option<PersonRef>,
    detail: String,
    at: String,
}

impl HistoryOut {
    fn new(e: HistoryEntry, lang: Lang) -> Self {
        HistoryOut {
            kind: e.kind,
            actor: e
                .actor_id
                .map(|id| PersonRef::new(id, e.actor_name.unwrap_or_default(), lang)),
            // Removal reasons are for the council's eyes; the audience filter already applied.
            detail: e.detail,
            at: iso(e.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReportDetail {
    #[serde(flatten)]
    report: ReportOut,
    photos: Vec<PhotoOut>,
    comments: Vec<CommentOut>,
    history: Vec<HistoryOut>,
    following: bool,
    /// Filed by staff for a neighbour without an account: who to call back (the phone for
    /// staff only).
    filed_for: Option<crate::domain::reports::neighbours::Neighbour>,
    /// What the caller may do: comment, close, reopen, remove, share, private_thread, choose_audience.
    can: Vec<&'static str>,
}

pub(crate) fn comment_out(c: Comment, photos: &[Photo], lang: Lang) -> CommentOut {
    CommentOut {
        photos: photos
            .iter()
            .filter(|p| p.comment_id.as_deref() == Some(c.id.as_str()))
            .map(PhotoOut::from)
            .collect(),
        id: c.id,
        author: PersonRef::new(c.author_id, c.author_name, lang),
        body: c.body,
        audience: c.audience,
        person_id: c.audience_person_id,
        created_at: iso(c.created_at),
    }
}

/// The actions a relation allows, for clients to show the right buttons.
pub fn abilities(relation: ReportRelation) -> Vec<&'static str> {
    use crate::auth::authz::{ReportAction as A, report_allowed};
    [
        (A::Comment, "comment"),
        (A::ChooseAudience, "choose_audience"),
        (A::PrivateThread, "private_thread"),
        (A::AddPhoto, "add_photo"),
        (A::Close, "close"),
        (A::Reopen, "reopen"),
        (A::Remove, "remove"),
        (A::Share, "share"),
        (A::WorkOrder, "work_order"),
    ]
    .into_iter()
    .filter(|(a, _)| report_allowed(relation, *a))
    .map(|(_, name)| name)
    .collect()
}

pub(crate) async fn detail(
    state: &AppState,
    actor: &crate::auth::Actor,
    id: &str,
) -> WebResult<ReportDetail> {
    let view = read::view(state, actor, id).await?;
    let photos = view.photos;
    Ok(ReportDetail {
        can: abilities(view.relation),
        comments: view
            .comments
            .into_iter()
            .map(|c| comment_out(c, &photos, actor.lang))
            .collect(),
        history: view
            .history
            .into_iter()
            .map(|mut e| {
                // Codes and dates in the caller's language, as the pages show them.
                e.detail =
                    crate::domain::reports::event_detail(actor.lang, e.kind.as_str(), &e.detail);
                HistoryOut::new(e, actor.lang)
            })
            .collect(),
        photos: photos
            .iter()
            .filter(|p| p.comment_id.is_none())
            .map(PhotoOut::from)
            .collect(),
        following: view.following,
        filed_for: view.neighbour,
        report: ReportOut::new(view.report, actor.lang),
    })
}
