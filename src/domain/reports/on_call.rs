//! What an urgent report's e-mails carry (issue 15 item 5): the full facts, so that whoever
//! reads it at night can act without logging in; and the on-call contact's private
//! read-only link (no account, like the provider's: random, stored as a digest, expiring).

use super::Photo;
use crate::auth::secret;
use crate::db::reports::{self as rdb, ReportRow};
use crate::db::{on_call as odb, people as pdb, report_items as items};
use crate::domain::{AppError, AppResult, Context};
use crate::i18n::Lang;

/// How long the on-call contact's link opens the report.
pub const LINK_DAYS: i64 = 7;

/// The facts of an urgent report, as its e-mails and the on-call page give them.
#[derive(Debug, Clone)]
pub struct UrgentFacts {
    pub title: String,
    pub building: String,
    pub address: String,
    pub access_codes: String,
    pub place: String,
    pub description: String,
    /// Who it is about: the person it was filed for.
    pub reporter: String,
    /// Empty when they gave none.
    pub phone: String,
    /// The report's own photos (those of comments may have a narrower audience).
    pub photo_ids: Vec<String>,
}

pub async fn facts(state: &Context, report: &ReportRow) -> AppResult<UrgentFacts> {
    let (building, _) = super::building_of(state, &report.building_id).await?;
    let phone = pdb::by_id(&state.db.pool, &report.concerned_id)
        .await?
        .map(|p| p.phone)
        .unwrap_or_default();
    let photo_ids = items::photos_of(&state.db.pool, &report.id)
        .await?
        .into_iter()
        .filter(|p| p.comment_id.is_none())
        .map(|p| p.id)
        .collect();
    Ok(UrgentFacts {
        title: report.title.clone(),
        building: building.name,
        address: building.address,
        access_codes: building.access_codes,
        place: report.location(),
        description: report.description.clone(),
        reporter: report.concerned_name.clone(),
        phone,
        photo_ids,
    })
}

impl UrgentFacts {
    /// Labelled lines for an e-mail in `lang`, empty values left out; the access codes
    /// only when `access` (authz::sees_access_details, or the agency's on-call contact).
    pub fn lines(&self, lang: Lang, access: bool) -> Vec<(String, String)> {
        let mut lines = vec![
            (
                "urgent.building",
                format!("{}, {}", self.building, self.address),
            ),
            ("urgent.place", self.place.clone()),
            ("urgent.description", self.description.clone()),
            ("urgent.reporter", self.reporter.clone()),
            ("urgent.phone", self.phone.clone()),
        ];
        if access {
            lines.insert(1, ("urgent.access_codes", self.access_codes.clone()));
        }
        lines
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (lang.t(k).to_string(), v))
            .collect()
    }
}

/// A new link for the on-call contact, in the caller's transaction; returns the token.
pub async fn new_link<'c>(
    ex: impl sqlx::Executor<'c, Database = sqlx::Any>,
    report_id: &str,
    now: i64,
) -> AppResult<String> {
    let token = secret::new_token();
    odb::insert(
        ex,
        &secret::digest(&token),
        report_id,
        now + LINK_DAYS * 86_400_000,
        now,
    )
    .await?;
    Ok(token)
}

/// The report behind a live link: 404 for a wrong token, 410 once expired.
async fn report_of(state: &Context, token: &str) -> AppResult<ReportRow> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let (report_id, expires_at) = odb::by_token(&state.db.pool, &secret::digest(token))
        .await?
        .ok_or(AppError::NotFound)?;
    if expires_at <= state.clock.now_ms() {
        return Err(AppError::Gone("error.link_expired"));
    }
    let report = rdb::by_id(&state.db.pool, &report_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if report.removed_at.is_some() {
        return Err(AppError::NotFound);
    }
    Ok(report)
}

/// What the on-call contact sees: the facts, read-only.
pub struct OnCallView {
    pub facts: UrgentFacts,
    pub status: String,
    pub created_at: i64,
}

pub async fn open(state: &Context, token: &str) -> AppResult<OnCallView> {
    let report = report_of(state, token).await?;
    Ok(OnCallView {
        facts: facts(state, &report).await?,
        status: report.status,
        created_at: report.created_at,
    })
}

/// One of the report's own photos, through the link.
pub async fn photo(state: &Context, token: &str, photo_id: &str) -> AppResult<Photo> {
    let report = report_of(state, token).await?;
    let photo = items::photo(&state.db.pool, photo_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if photo.report_id != report.id || photo.comment_id.is_some() {
        return Err(AppError::NotFound);
    }
    Ok(photo.into())
}
