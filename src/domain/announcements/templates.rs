//! A2 templates: seeded in French and English for each agency (from the locale files),
//! then editable by the agency's managers. Their `{field}` placeholders are filled in the
//! form (or by the `fields` of the API request).

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::auth::authz::{self, Action, AgencyAction};
use crate::db::announcements::{self as adb, TemplateRow};
use crate::domain::types::text;
use crate::domain::{AppError, AppResult, Context, buildings};
use crate::i18n::Lang;

/// The templates every agency starts with.
pub const SLUGS: [&str; 7] = [
    "visit_notice",
    "water_power_cut",
    "instructions",
    "bulky_waste",
    "good_neighbour",
    "useful_numbers",
    "caretaker_holidays",
];

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Template {
    pub slug: String,
    pub lang: String,
    pub title: String,
    pub body: String,
    /// The `{field}` placeholders to fill in, in order of appearance.
    pub fields: Vec<String>,
}

/// The `{name}` placeholders of a text, each once.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end)
                if end > 0
                    && after[..end]
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_') =>
            {
                let name = after[..end].to_string();
                if !found.contains(&name) {
                    found.push(name);
                }
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    found
}

/// Replaces `{field}` with the values given; unknown placeholders stay for the author.
pub fn fill(text: &str, fields: &BTreeMap<String, String>) -> String {
    let mut out = text.to_string();
    for (name, value) in fields {
        out = out.replace(&format!("{{{name}}}"), value.trim());
    }
    out
}

fn view(t: TemplateRow) -> Template {
    let mut fields = placeholders(&t.title);
    for f in placeholders(&t.body) {
        if !fields.contains(&f) {
            fields.push(f);
        }
    }
    Template {
        slug: t.slug,
        lang: t.lang,
        title: t.title,
        body: t.body,
        fields,
    }
}

/// Seeds the missing templates of an agency (idempotent).
pub async fn seed(cx: &Context, agency_id: &str) -> AppResult<()> {
    let now = cx.clock.now_ms();
    for lang in [Lang::Fr, Lang::En] {
        for slug in SLUGS {
            let row = TemplateRow {
                slug: slug.to_string(),
                lang: lang.code().to_string(),
                title: lang.t(&format!("news.tpl.{slug}.title")).to_string(),
                body: lang
                    .t(&format!("news.tpl.{slug}.body"))
                    .replace("\\n", "\n"),
            };
            adb::seed_template(&cx.db.pool, agency_id, &row, now).await?;
        }
    }
    Ok(())
}

/// The templates a building's staff can start from, in `lang`.
pub async fn for_building(
    cx: &Context,
    actor: &Actor,
    building_id: &str,
    lang: Lang,
) -> AppResult<Vec<Template>> {
    let (building, _) = buildings::authorize(cx, actor, building_id, Action::PublishNews).await?;
    seed(cx, &building.agency_id).await?;
    Ok(
        adb::templates(&cx.db.pool, &building.agency_id, lang.code())
            .await?
            .into_iter()
            .map(view)
            .collect(),
    )
}

/// One template by slug, for a building's staff.
pub async fn one(
    cx: &Context,
    actor: &Actor,
    building_id: &str,
    slug: &str,
    lang: Lang,
) -> AppResult<Template> {
    for_building(cx, actor, building_id, lang)
        .await?
        .into_iter()
        .find(|t| t.slug == slug)
        .ok_or(AppError::NotFound)
}

/// Whether `actor` may rewrite the templates of this agency (its managers).
pub fn may_edit(actor: &Actor, agency_id: &str) -> bool {
    authz::check_agency(actor, AgencyAction::ManageSettings, Some(agency_id)).is_ok()
}

/// Every template of an agency in both languages, for its managers to edit.
pub async fn for_agency(cx: &Context, actor: &Actor, agency_id: &str) -> AppResult<Vec<Template>> {
    let permit = authz::check_agency(actor, AgencyAction::ManageSettings, Some(agency_id))?;
    seed(cx, &permit.agency_id).await?;
    let mut all = Vec::new();
    for lang in [Lang::Fr, Lang::En] {
        all.extend(
            adb::templates(&cx.db.pool, &permit.agency_id, lang.code())
                .await?
                .into_iter()
                .map(view),
        );
    }
    Ok(all)
}

/// An agency's manager rewrites a template.
pub async fn save(
    cx: &Context,
    actor: &Actor,
    agency_id: Option<&str>,
    slug: &str,
    lang: &str,
    title: &str,
    body: &str,
) -> AppResult<Template> {
    let permit = authz::check_agency(actor, AgencyAction::ManageSettings, agency_id)?;
    if !SLUGS.contains(&slug) {
        return Err(AppError::NotFound);
    }
    let lang = Lang::parse(lang)
        .filter(|l| l.code() == lang.trim())
        .ok_or(AppError::invalid("lang", "error.lang_invalid"))?;
    let row = TemplateRow {
        slug: slug.to_string(),
        lang: lang.code().to_string(),
        title: text("title", title, 150)?,
        body: text("body", body, 10_000)?,
    };
    seed(cx, &permit.agency_id).await?;
    adb::save_template(&cx.db.pool, &permit.agency_id, &row, cx.clock.now_ms()).await?;
    Ok(view(row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_once_and_filled() {
        let t = "Coupure le {date} de {start} à {end} ({date})";
        assert_eq!(placeholders(t), ["date", "start", "end"]);
        let mut f = BTreeMap::new();
        f.insert("date".to_string(), "3 décembre".to_string());
        assert_eq!(
            fill(t, &f),
            "Coupure le 3 décembre de {start} à {end} (3 décembre)"
        );
        assert!(placeholders("{} {Not} {a b}").is_empty());
    }
}
