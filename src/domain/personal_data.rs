//! A person's own data, downloadable by them (GDPR right of access, SPEC §5).

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::clock::iso;
use crate::db::{people as pdb, personal_data as pd};
use crate::domain::{AppError, AppResult, Context, buildings};
use crate::vocab::{MemberRole, Occupancy, ReferentKind};

#[derive(Debug, Serialize, ToSchema)]
pub struct Export {
    pub exported_at: String,
    pub profile: ExportProfile,
    pub memberships: Vec<ExportMembership>,
    /// Further lots owned in those buildings (an owner of several lots).
    pub owned_lots: Vec<ExportOwnedLot>,
    /// Buildings the person asked to join and waits for approval in.
    pub pending_memberships: Vec<ExportPending>,
    /// Residences that ended (moving out).
    pub past_memberships: Vec<ExportPast>,
    /// Charter versions accepted, with when.
    pub consents: Vec<ExportConsent>,
    pub reports: Vec<ExportReport>,
    pub comments: Vec<ExportComment>,
    pub photos: Vec<ExportPhoto>,
    pub notifications: Vec<ExportNotification>,
    /// Votes cast in building polls (only the person sees their own choices).
    pub votes: Vec<ExportVote>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportVote {
    pub poll_id: String,
    pub poll_title: String,
    /// The labels of the options chosen.
    pub choices: Vec<String>,
    pub voted_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportProfile {
    pub id: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub lang: String,
    pub timezone: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportMembership {
    pub building_id: String,
    pub building_name: String,
    pub role: MemberRole,
    pub occupancy: Option<Occupancy>,
    pub referent_kind: Option<ReferentKind>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportOwnedLot {
    pub building_id: String,
    pub building_name: String,
    pub lot: String,
    /// Ownership shares (tantièmes) of the lot.
    pub shares: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportPending {
    pub building_id: String,
    pub building_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportPast {
    pub building_id: String,
    pub building_name: String,
    pub started_at: String,
    pub ended_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportConsent {
    pub charter_version: String,
    pub accepted_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportReport {
    pub id: String,
    pub building_id: String,
    pub category: String,
    pub title: String,
    pub description: String,
    pub status: String,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportComment {
    pub id: String,
    pub report_id: String,
    pub body: String,
    pub audience: String,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportPhoto {
    pub id: String,
    pub report_id: String,
    /// Where to download it (with the same account).
    pub url: String,
    pub uploaded_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportNotification {
    pub id: String,
    pub kind: String,
    pub report_id: Option<String>,
    /// `immediate`, `digest` or `none`.
    pub delivery: String,
    pub read: bool,
    pub created_at: String,
}

/// Everything Palier stores about the actor, as they may download it. Only their own data:
/// the caller is the person, so no other permit is needed.
pub async fn export(cx: &Context, actor: &Actor) -> AppResult<Export> {
    let pool = &cx.db.pool;
    let me = actor.person_id.as_str();
    let person = pdb::by_id(pool, me).await?.ok_or(AppError::NotFound)?;
    let names: std::collections::HashMap<String, String> = buildings::list_for(cx, actor)
        .await?
        .into_iter()
        .map(|(b, _)| (b.id, b.name))
        .collect();
    Ok(Export {
        exported_at: iso(cx.clock.now_ms()),
        profile: ExportProfile {
            id: person.id,
            name: person.name,
            email: person.email,
            phone: person.phone,
            lang: person.lang,
            timezone: person.timezone,
        },
        memberships: actor
            .memberships
            .iter()
            // A landlord of several lots holds one membership per lot: listed once.
            .filter({
                let mut seen = std::collections::HashSet::new();
                move |m| seen.insert((m.building_id.clone(), m.role))
            })
            .map(|m| ExportMembership {
                building_name: names.get(&m.building_id).cloned().unwrap_or_default(),
                building_id: m.building_id.clone(),
                role: m.role,
                occupancy: m.occupancy,
                referent_kind: m.referent_kind,
            })
            .collect(),
        owned_lots: pd::owned_lots(pool, me)
            .await?
            .into_iter()
            .map(|(building_id, building_name, lot, shares)| ExportOwnedLot {
                building_id,
                building_name,
                lot,
                shares,
            })
            .collect(),
        pending_memberships: crate::db::lifecycle::pending_of_person(pool, me)
            .await?
            .into_iter()
            .map(|(building_id, building_name)| ExportPending {
                building_id,
                building_name,
            })
            .collect(),
        past_memberships: crate::db::lifecycle::past_of_person(pool, me)
            .await?
            .into_iter()
            .map(|(building_id, building_name, started, ended)| ExportPast {
                building_id,
                building_name,
                started_at: iso(started),
                ended_at: iso(ended),
            })
            .collect(),
        consents: pd::consents(pool, me)
            .await?
            .into_iter()
            .map(|c| ExportConsent {
                charter_version: c.version,
                accepted_at: iso(c.accepted_at),
            })
            .collect(),
        reports: pd::reports(pool, me)
            .await?
            .into_iter()
            .map(|r| ExportReport {
                id: r.id,
                building_id: r.building_id,
                category: r.category,
                title: r.title,
                description: r.description,
                status: r.status,
                created_at: iso(r.created_at),
            })
            .collect(),
        comments: pd::comments(pool, me)
            .await?
            .into_iter()
            .map(|c| ExportComment {
                id: c.id,
                report_id: c.report_id,
                body: c.body,
                audience: c.audience,
                created_at: iso(c.created_at),
            })
            .collect(),
        photos: pd::photos(pool, me)
            .await?
            .into_iter()
            .map(|p| ExportPhoto {
                url: format!("{}/api/v1/photos/{}", cx.config.base_url, p.id),
                id: p.id,
                report_id: p.report_id,
                uploaded_at: iso(p.created_at),
            })
            .collect(),
        notifications: pd::notifications(pool, me)
            .await?
            .into_iter()
            .map(|n| ExportNotification {
                id: n.id,
                kind: n.kind,
                report_id: n.report_id,
                delivery: n.delivery,
                read: n.read_at.is_some(),
                created_at: iso(n.created_at),
            })
            .collect(),
        votes: pd::votes(pool, me)
            .await?
            .into_iter()
            .map(|v| {
                let labels: Vec<String> = serde_json::from_str(&v.poll_options).unwrap_or_default();
                let chosen: Vec<usize> = serde_json::from_str(&v.chosen).unwrap_or_default();
                ExportVote {
                    poll_id: v.poll_id,
                    poll_title: v.poll_title,
                    choices: chosen
                        .into_iter()
                        .filter_map(|i| labels.get(i).cloned())
                        .collect(),
                    voted_at: iso(v.voted_at),
                }
            })
            .collect(),
    })
}
