//! Reports as the pages and the API see them: typed (statuses, audiences, event kinds,
//! flags), separate from the rows they are read from.

use crate::db::report_items::{CommentRow, EventRow, PhotoRow, TemplateRow};
use crate::db::reports::ReportRow;
use crate::vocab::{AudienceKind, EventKind, ReportStatus};

#[derive(Debug, Clone)]
pub struct Report {
    pub id: String,
    pub building_id: String,
    pub author_id: String,
    pub author_name: String,
    /// The person the report is about (the author, or who it was filed for).
    pub concerned_id: String,
    pub concerned_name: String,
    /// The concerned person's lot, which a private landlord thread needs.
    pub lot_id: Option<String>,
    pub category: String,
    pub title: String,
    pub description: String,
    pub location_part: String,
    pub location_floor: String,
    pub location_detail: String,
    pub urgent: bool,
    pub status: ReportStatus,
    /// False while the council filter keeps it from the manager (R8).
    pub manager_visible: bool,
    pub removed: bool,
    pub removed_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub first_response_at: Option<i64>,
    pub closed_at: Option<i64>,
    /// When the first staff answer is due, while none was given (D4).
    pub due_at: Option<i64>,
    pub photo_count: i64,
    pub follower_count: i64,
    /// The staff member it is assigned to (D5): id and name.
    pub assignee: Option<(String, String)>,
}

impl Report {
    /// What authorization needs to know about this report.
    pub fn facts(&self) -> crate::auth::authz::ReportFacts {
        crate::auth::authz::ReportFacts {
            author_id: self.author_id.clone(),
            concerned_id: self.concerned_id.clone(),
            lot_id: self.lot_id.clone(),
            removed: self.removed,
            manager_visible: self.manager_visible,
        }
    }

    /// Open, still without a first staff answer, and past its due time (D4).
    pub fn overdue(&self, now: i64) -> bool {
        self.status != ReportStatus::Closed
            && !self.removed
            && self.first_response_at.is_none()
            && self.due_at.is_some_and(|d| d < now)
    }

    /// Staircase, floor and free text, joined.
    pub fn location(&self) -> String {
        super::join_location(
            &self.location_part,
            &self.location_floor,
            &self.location_detail,
        )
    }
}

impl From<ReportRow> for Report {
    fn from(r: ReportRow) -> Self {
        Report {
            // The schema's CHECK keeps statuses to the three words.
            status: ReportStatus::parse(&r.status).unwrap_or(ReportStatus::Todo),
            urgent: r.urgent != 0,
            manager_visible: r.manager_visible != 0,
            removed: r.removed_at.is_some(),
            id: r.id,
            building_id: r.building_id,
            author_id: r.author_id,
            author_name: r.author_name,
            concerned_id: r.concerned_id,
            concerned_name: r.concerned_name,
            lot_id: r.lot_id,
            category: r.category,
            title: r.title,
            description: r.description,
            location_part: r.location_part,
            location_floor: r.location_floor,
            location_detail: r.location_detail,
            removed_reason: r.removed_reason,
            created_at: r.created_at,
            updated_at: r.updated_at,
            first_response_at: r.first_response_at,
            closed_at: r.closed_at,
            due_at: r.due_at,
            photo_count: r.photo_count,
            follower_count: r.follower_count,
            assignee: r
                .assignee_id
                .map(|id| (id, r.assignee_name.unwrap_or_default())),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: String,
    pub author_id: String,
    pub author_name: String,
    pub body: String,
    pub audience: AudienceKind,
    pub audience_person_id: Option<String>,
    pub created_at: i64,
}

impl From<CommentRow> for Comment {
    fn from(c: CommentRow) -> Self {
        Comment {
            // Unknown audiences never pass the visibility filter before this point.
            audience: AudienceKind::parse(&c.audience).unwrap_or(AudienceKind::Council),
            id: c.id,
            author_id: c.author_id,
            author_name: c.author_name,
            body: c.body,
            audience_person_id: c.audience_person_id,
            created_at: c.created_at,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Photo {
    pub id: String,
    pub report_id: String,
    /// The comment it came with; `None` for the report's own photos.
    pub comment_id: Option<String>,
    pub object_key: String,
    pub thumb_key: String,
    pub width: i64,
    pub height: i64,
    /// Attached by the provider after the visit (shown apart).
    pub from_provider: bool,
}

impl From<PhotoRow> for Photo {
    fn from(p: PhotoRow) -> Self {
        Photo {
            from_provider: p.from_provider != 0,
            id: p.id,
            report_id: p.report_id,
            comment_id: p.comment_id,
            object_key: p.object_key,
            thumb_key: p.thumb_key,
            width: p.width,
            height: p.height,
        }
    }
}

/// One line of a report's history.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub kind: EventKind,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub detail: String,
    pub created_at: i64,
}

impl HistoryEntry {
    /// Events of kinds this version does not know are left out of the history.
    pub fn from_row(e: EventRow) -> Option<HistoryEntry> {
        Some(HistoryEntry {
            kind: EventKind::parse(&e.kind)?,
            actor_id: e.actor_id,
            actor_name: e.actor_name,
            detail: e.detail,
            created_at: e.created_at,
        })
    }
}

/// One of the agency's reply templates.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ReplyTemplate {
    pub id: String,
    pub title: String,
    pub body: String,
}

impl From<TemplateRow> for ReplyTemplate {
    fn from(t: TemplateRow) -> Self {
        ReplyTemplate {
            id: t.id,
            title: t.title,
            body: t.body,
        }
    }
}

/// A visit's date as a history detail: the instant, shown later in the reader's format.
pub fn visit_scheduled_detail(at_ms: i64) -> String {
    at_ms.to_string()
}

/// The provider's report as a history detail: the outcome's code, then their words.
pub fn visit_reported_detail(outcome: crate::vocab::VisitOutcome, body: &str) -> String {
    format!("{}\n{body}", outcome.as_str())
}

/// An event's detail for one reader: codes translated and dates in their language's format.
/// Details stored as text by earlier versions are shown as they are.
pub fn event_detail(lang: crate::i18n::Lang, kind: &str, detail: &str) -> String {
    match EventKind::parse(kind) {
        Some(EventKind::VisitScheduled) => match detail.parse::<i64>() {
            Ok(ms) => crate::i18n::local_datetime_in(lang, ms),
            Err(_) => detail.to_string(),
        },
        Some(EventKind::VisitReported) => {
            match detail
                .split_once('\n')
                .and_then(|(code, body)| Some((crate::vocab::VisitOutcome::parse(code)?, body)))
            {
                Some((outcome, body)) => format!(
                    "{} — {body}",
                    lang.t(&format!("wo.outcome.{}", outcome.as_str()))
                ),
                None => detail.to_string(),
            }
        }
        // A claim's status, stored as its code (no amounts on the report).
        Some(EventKind::ClaimStatusChanged) => match crate::vocab::ClaimStatus::parse(detail) {
            Some(s) => lang.t(&format!("claim.status.{}", s.as_str())).to_string(),
            None => detail.to_string(),
        },
        _ => detail.to_string(),
    }
}
