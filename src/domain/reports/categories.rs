//! Report categories: a built-in list (texts in the locale files) plus the agency's own.

use serde::Serialize;

use crate::domain::{AppResult, Context};
use crate::i18n::Lang;

/// Built-in categories: (slug, urgent by default, needs an intervention).
pub const BUILT_IN: [(&str, bool, bool); 11] = [
    ("plomberie", false, true),
    ("electricite", false, true),
    ("ascenseur", false, true),
    ("chauffage", false, true),
    ("acces", false, true),
    ("proprete", false, true),
    ("espaces-verts", false, true),
    ("nuisibles", false, true),
    ("securite", true, true),
    ("voisins", false, false),
    ("autre", false, true),
];

/// The neighbours' message category (R9): never needs an intervention.
pub const NEIGHBOURS: &str = "voisins";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Category {
    pub slug: String,
    pub label: String,
    /// Who usually pays for the repair, in plain words (R12).
    pub hint: String,
    pub urgent_by_default: bool,
    pub needs_intervention: bool,
}

/// Built-in categories in `lang`, then the agency's own.
pub async fn for_agency(cx: &Context, agency_id: &str, lang: Lang) -> AppResult<Vec<Category>> {
    let mut list: Vec<Category> = BUILT_IN
        .iter()
        .map(|(slug, urgent, intervention)| Category {
            slug: slug.to_string(),
            label: lang.t(&format!("category.{slug}.label")).to_string(),
            hint: lang.t(&format!("category.{slug}.hint")).to_string(),
            urgent_by_default: *urgent,
            needs_intervention: *intervention,
        })
        .collect();
    let custom = crate::db::buildings::custom_categories(&cx.db.pool, agency_id).await?;
    list.extend(custom.into_iter().map(|c| Category {
        slug: c.slug,
        label: c.label,
        hint: c.hint,
        urgent_by_default: c.urgent_by_default != 0,
        needs_intervention: true,
    }));
    Ok(list)
}

pub fn label_of<'a>(categories: &'a [Category], slug: &str) -> &'a str {
    categories
        .iter()
        .find(|c| c.slug == slug)
        .map(|c| c.label.as_str())
        .unwrap_or("")
}
