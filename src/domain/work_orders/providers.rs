//! The agency's provider directory (W1): entries, favorites, CSV import.

use crate::auth::Actor;
use crate::auth::authz::{self, AgencyAction};
use crate::db::work_orders::{self as wdb, ProviderInput};
use crate::domain::Context;
use crate::domain::types::{Email, optional_text, text};
use crate::domain::{AppError, AppResult};

pub struct ValidProvider {
    pub company: String,
    pub trades: String,
    pub contact_name: String,
    pub email: String,
    pub phone: String,
    pub notes: String,
}

pub fn parse(
    company: &str,
    trades: &str,
    contact: &str,
    email: &str,
    phone: &str,
    notes: &str,
) -> AppResult<ValidProvider> {
    let trades = trades
        .split([',', ';', '|'])
        .map(|t| crate::domain::reports::search::fold(t).replace(' ', "-"))
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(",");
    Ok(ValidProvider {
        company: text("company", company, 120)?,
        trades: optional_text("trades", &trades, 200)?,
        contact_name: optional_text("contact_name", contact, 120)?,
        email: Email::parse(email)?.as_str().to_string(),
        phone: optional_text("phone", phone, 40)?,
        notes: optional_text("notes", notes, 1000)?,
    })
}

pub async fn save(state: &Context, agency_id: &str, p: &ValidProvider) -> AppResult<bool> {
    let input = ProviderInput {
        company: &p.company,
        trades: &p.trades,
        contact_name: &p.contact_name,
        email: &p.email,
        phone: &p.phone,
        notes: &p.notes,
    };
    Ok(wdb::upsert_provider(&state.db.pool, agency_id, &input, state.clock.now_ms()).await?)
}

/// `agency`: the one the request names; a manager of one agency may leave it out.
pub async fn list(
    state: &Context,
    actor: &Actor,
    agency: Option<&str>,
) -> AppResult<Vec<(super::Provider, bool)>> {
    let agency = &authz::check_agency(actor, AgencyAction::ManageProviders, agency)?.agency_id;
    Ok(wdb::providers(&state.db.pool, agency, &actor.person_id)
        .await?
        .into_iter()
        .map(|(p, f)| (p.into(), f > 0))
        .collect())
}

pub async fn favorite(
    state: &Context,
    actor: &Actor,
    agency: Option<&str>,
    provider_id: &str,
    on: bool,
) -> AppResult<()> {
    let agency = &authz::check_agency(actor, AgencyAction::ManageProviders, agency)?.agency_id;
    wdb::provider(&state.db.pool, agency, provider_id)
        .await?
        .ok_or(AppError::NotFound)?;
    wdb::set_favorite(&state.db.pool, &actor.person_id, provider_id, on).await?;
    Ok(())
}

/// Outcome of a CSV import: created, updated, and rejected lines with their reason.
#[derive(Debug, Default, serde::Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub rejected: Vec<(usize, String)>,
}

/// Splits one CSV line (`;` or `,`, double quotes for fields holding separators).
fn fields(line: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == sep && !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().map(|f| f.trim().to_string()).collect()
}

/// Parses and validates the whole file before writing anything, then writes every valid
/// row in one transaction: nothing is half-imported. Keyed on e-mail, so re-runs update.
/// `progress` is called with (done, total) as rows are written.
pub async fn import_csv(
    state: &Context,
    agency_id: &str,
    bytes: &[u8],
    mut progress: impl FnMut(usize, usize),
) -> AppResult<ImportReport> {
    let text =
        std::str::from_utf8(bytes).map_err(|_| AppError::invalid("file", "error.csv_not_utf8"))?;
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or(AppError::invalid("file", "error.csv_empty"))?;
    let header = header.trim_start_matches('\u{feff}');
    let sep = if header.matches(';').count() >= header.matches(',').count() {
        ';'
    } else {
        ','
    };
    let names: Vec<String> = fields(header, sep)
        .into_iter()
        .map(|h| crate::domain::reports::search::fold(&h))
        .collect();
    let col = |wanted: &[&str]| names.iter().position(|n| wanted.contains(&n.as_str()));
    let (Some(company), Some(email)) = (
        col(&["company", "societe", "entreprise", "raison sociale"]),
        col(&["email", "e mail", "courriel", "mail"]),
    ) else {
        return Err(AppError::invalid("file", "error.csv_columns"));
    };
    let trades = col(&["trades", "trade", "metier", "metiers", "corps de metier"]);
    let contact = col(&["contact", "contact name", "nom du contact"]);
    let phone = col(&["phone", "telephone", "tel"]);
    let notes = col(&["notes", "note", "commentaire"]);
    let mut report = ImportReport::default();
    let mut valid: Vec<ValidProvider> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (index, line) in lines {
        let number = index + 1;
        let f = fields(line, sep);
        let get = |c: Option<usize>| c.and_then(|i| f.get(i)).map(String::as_str).unwrap_or("");
        match parse(
            get(Some(company)),
            get(trades),
            get(contact),
            get(Some(email)),
            get(phone),
            get(notes),
        ) {
            Ok(p) if !seen.insert(p.email.clone()) => report
                .rejected
                .push((number, format!("duplicate e-mail {}", p.email))),
            Ok(p) => valid.push(p),
            Err(AppError::Invalid(i)) => report.rejected.push((
                number,
                format!("{}: {}", i.field, crate::i18n::Lang::En.t(i.key)),
            )),
            Err(e) => return Err(e),
        }
    }
    let total = valid.len();
    let now = state.clock.now_ms();
    let mut tx = state.db.begin().await?;
    for (i, p) in valid.iter().enumerate() {
        let input = ProviderInput {
            company: &p.company,
            trades: &p.trades,
            contact_name: &p.contact_name,
            email: &p.email,
            phone: &p.phone,
            notes: &p.notes,
        };
        if wdb::upsert_provider(&mut *tx, agency_id, &input, now).await? {
            report.created += 1;
        } else {
            report.updated += 1;
        }
        progress(i + 1, total);
    }
    tx.commit().await?;
    Ok(report)
}
