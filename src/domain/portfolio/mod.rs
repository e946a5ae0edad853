//! Portfolio import (B7): buildings, lots with shares, and their people from one CSV file
//! exported by the agency's accounting package. Every line is checked before anything is
//! written; the lines that pass are written in one transaction, keyed so that importing the
//! same file again changes nothing (building name + address, lot label, e-mail).

pub mod csv;
mod plan;

use std::collections::HashMap;

use self::csv::{Column, Header};
use crate::auth::Actor;
use crate::auth::authz::{self, AgencyAction};
use crate::domain::types::{Email, LotLabel, PersonName, optional_text, text};
use crate::domain::{AppError, AppResult, Context, Invalid};
use crate::i18n::Lang;
use crate::vocab::Occupancy;

/// What the manager asked for.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Check and count without writing anything.
    pub dry_run: bool,
    /// E-mail an invitation to the people of the file who have no password yet.
    pub invite: bool,
}

/// Created, updated and unchanged, for one kind of record.
#[derive(Debug, Default, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

#[derive(Debug, Default, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PeopleCounts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Lines naming a person without an e-mail: their lot is imported, no account is made.
    pub without_email: usize,
}

/// A line left out, with the reason in the requester's language.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Rejected {
    pub line: usize,
    pub reason: String,
}

/// The answer to an import (or to its dry run).
#[derive(Debug, Default, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    pub buildings: Counts,
    pub lots: Counts,
    pub people: PeopleCounts,
    pub rejected: Vec<Rejected>,
    /// Invitations queued (none in a dry run).
    pub invited: usize,
    pub dry_run: bool,
}

/// How a person relates to the lot on their line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    Resident(Occupancy),
    Landlord,
}

fn relation(raw: &str) -> Option<Relation> {
    match csv::fold_header(raw).as_str() {
        "owner" | "proprietaire" | "coproprietaire" => Some(Relation::Resident(Occupancy::Owner)),
        "tenant" | "locataire" => Some(Relation::Resident(Occupancy::Tenant)),
        "landlord" | "bailleur" => Some(Relation::Landlord),
        _ => None,
    }
}

#[derive(Debug, Clone)]
struct PersonLine {
    name: String,
    email: String,
    phone: String,
    relation: Relation,
}

/// A line that passed its own checks.
#[derive(Debug, Clone)]
struct Line {
    number: usize,
    building: String,
    address: String,
    lot: String,
    shares: Option<i64>,
    staircase: String,
    floor: String,
    person: Option<PersonLine>,
    /// A name was given without an e-mail.
    without_email: bool,
}

impl Line {
    /// The building's identity: name and address, case and accents ignored.
    fn building_key(&self) -> (String, String) {
        building_key(&self.building, &self.address)
    }
}

fn building_key(name: &str, address: &str) -> (String, String) {
    use crate::domain::reports::search::fold;
    (fold(name), fold(address))
}

/// Why a line is refused: a translation key and its arguments.
struct Reason(&'static str, Vec<(&'static str, String)>);

impl Reason {
    fn render(&self, lang: Lang) -> String {
        let args: Vec<(&str, &str)> = self.1.iter().map(|(k, v)| (*k, v.as_str())).collect();
        lang.tf(self.0, &args)
    }
}

fn cell_error(header: &Header, col: Column, e: Invalid) -> Reason {
    Reason(
        "import.reason.cell",
        vec![
            ("column", header.label(col).to_string()),
            ("message", e.key.to_string()),
        ],
    )
}

fn parse_line(header: &Header, record: &csv::Record) -> Result<Line, Reason> {
    if record.unclosed_quote {
        return Err(Reason("import.reason.unclosed_quote", vec![]));
    }
    if record.field_count > csv::MAX_FIELDS {
        return Err(Reason(
            "import.reason.too_many_fields",
            vec![
                ("count", record.field_count.to_string()),
                ("max", csv::MAX_FIELDS.to_string()),
            ],
        ));
    }
    if record.too_long {
        return Err(Reason(
            "import.reason.too_long",
            vec![("max", csv::MAX_LINE_CHARS.to_string())],
        ));
    }
    let f = &record.fields;
    let get = |c| header.get(f, c);
    let cell = |c, r: Result<String, Invalid>| r.map_err(|e| cell_error(header, c, e));
    let building = cell(
        Column::Building,
        text("building", get(Column::Building), 120),
    )?;
    let address = cell(Column::Address, text("address", get(Column::Address), 300))?;
    let lot = cell(
        Column::Lot,
        LotLabel::parse(get(Column::Lot)).map(|l| l.as_str().to_string()),
    )?;
    let shares = match get(Column::Shares).replace([' ', '\u{a0}', '\u{202f}'], "") {
        s if s.is_empty() => None,
        s => match s.parse::<i64>() {
            Ok(n) if (1..=1_000_000).contains(&n) => Some(n),
            _ => {
                return Err(Reason(
                    "import.reason.shares",
                    vec![
                        ("column", header.label(Column::Shares).to_string()),
                        ("value", s.chars().take(20).collect()),
                    ],
                ));
            }
        },
    };
    let staircase = cell(
        Column::Staircase,
        optional_text("staircase", get(Column::Staircase), 40),
    )?;
    let floor = cell(
        Column::Floor,
        optional_text("floor", get(Column::Floor), 40),
    )?;
    let raw_email = get(Column::Email);
    let raw_name = get(Column::Name);
    let mut line = Line {
        number: record.line,
        building,
        address,
        lot,
        shares,
        staircase,
        floor,
        person: None,
        without_email: false,
    };
    if raw_email.is_empty() {
        line.without_email = !raw_name.is_empty();
        return Ok(line);
    }
    let email = cell(
        Column::Email,
        Email::parse(raw_email).map(|e| e.as_str().to_string()),
    )?;
    let name = if raw_name.is_empty() {
        return Err(Reason("import.reason.name_missing", vec![("email", email)]));
    } else {
        cell(
            Column::Name,
            PersonName::parse(raw_name).map(|n| n.as_str().to_string()),
        )?
    };
    let phone = cell(
        Column::Phone,
        optional_text("phone", get(Column::Phone), 30),
    )?;
    let raw_relation = get(Column::Relation);
    let relation = relation(raw_relation).ok_or_else(|| match raw_relation {
        "" => Reason("import.reason.relation_missing", vec![]),
        other => Reason(
            "import.reason.relation_unknown",
            vec![("value", other.chars().take(40).collect())],
        ),
    })?;
    line.person = Some(PersonLine {
        name,
        email,
        phone,
        relation,
    });
    Ok(line)
}

/// What earlier lines of the file said, to refuse a line that contradicts them.
#[derive(Default)]
struct Claims {
    /// e-mail → (line, folded name)
    names: HashMap<String, (usize, String)>,
    /// (building key, lot) → (line, shares)
    shares: HashMap<((String, String), String), (usize, i64)>,
    /// (building key, e-mail) → (line, occupancy)
    residence: HashMap<((String, String), String), (usize, Occupancy)>,
    /// (building key, lot) → (line, landlord's e-mail)
    landlords: HashMap<((String, String), String), (usize, String)>,
}

impl Claims {
    fn check(&self, line: &Line) -> Result<(), Reason> {
        let bkey = line.building_key();
        let lot_key = (bkey.clone(), line.lot.clone());
        let earlier = |n: usize| ("line", n.to_string());
        if let (Some(s), Some((n, prev))) = (line.shares, self.shares.get(&lot_key))
            && s != *prev
        {
            return Err(Reason("import.reason.lot_other_shares", vec![earlier(*n)]));
        }
        let Some(p) = &line.person else {
            return Ok(());
        };
        let folded = crate::domain::reports::search::fold(&p.name);
        if let Some((n, prev)) = self.names.get(&p.email)
            && *prev != folded
        {
            return Err(Reason(
                "import.reason.email_other_name",
                vec![("email", p.email.clone()), earlier(*n)],
            ));
        }
        match p.relation {
            Relation::Resident(occ) => {
                if let Some((n, prev)) = self.residence.get(&(bkey, p.email.clone()))
                    && *prev != occ
                {
                    return Err(Reason("import.reason.other_occupancy", vec![earlier(*n)]));
                }
            }
            Relation::Landlord => {
                if let Some((n, prev)) = self.landlords.get(&lot_key)
                    && *prev != p.email
                {
                    return Err(Reason("import.reason.other_landlord", vec![earlier(*n)]));
                }
            }
        }
        Ok(())
    }

    fn record(&mut self, line: &Line) {
        let bkey = line.building_key();
        let lot_key = (bkey.clone(), line.lot.clone());
        if let Some(s) = line.shares {
            self.shares
                .entry(lot_key.clone())
                .or_insert((line.number, s));
        }
        let Some(p) = &line.person else { return };
        self.names
            .entry(p.email.clone())
            .or_insert((line.number, crate::domain::reports::search::fold(&p.name)));
        match p.relation {
            Relation::Resident(occ) => {
                self.residence
                    .entry((bkey, p.email.clone()))
                    .or_insert((line.number, occ));
            }
            Relation::Landlord => {
                self.landlords
                    .entry(lot_key)
                    .or_insert((line.number, p.email.clone()));
            }
        }
    }
}

/// Reads the file into checked lines and rejected ones. A file that cannot be read at all
/// (encoding, no header, a required column missing) is one error for the whole file.
fn read_file(bytes: &[u8], lang: Lang) -> AppResult<(Vec<Line>, Vec<Rejected>)> {
    let text = csv::decode(bytes)?;
    let sep = csv::separator(&text);
    let mut records = csv::records(&text, sep).into_iter();
    let head = records
        .next()
        .ok_or(AppError::invalid("file", "error.import_empty"))?;
    let header = Header::parse(&head.fields);
    for (col, key) in [
        (Column::Building, "error.import_missing_building"),
        (Column::Address, "error.import_missing_address"),
        (Column::Lot, "error.import_missing_lot"),
    ] {
        if !header.has(col) {
            return Err(AppError::invalid("file", key));
        }
    }
    if header.has(Column::Email) && !header.has(Column::Relation) {
        return Err(AppError::invalid("file", "error.import_missing_relation"));
    }
    let mut lines = Vec::new();
    let mut rejected = Vec::new();
    let mut claims = Claims::default();
    for record in records {
        let checked = parse_line(&header, &record).and_then(|l| claims.check(&l).map(|_| l));
        match checked {
            Ok(line) => {
                claims.record(&line);
                lines.push(line);
            }
            Err(reason) => rejected.push(Rejected {
                line: record.line,
                reason: render_reason(&reason, lang),
            }),
        }
    }
    Ok((lines, rejected))
}

fn render_reason(reason: &Reason, lang: Lang) -> String {
    // A cell's message is itself a key (the shared field messages).
    let args: Vec<(&'static str, String)> = reason
        .1
        .iter()
        .map(|(k, v)| match *k {
            "message" => (*k, lang.t(v).to_string()),
            _ => (*k, v.clone()),
        })
        .collect();
    Reason(reason.0, args).render(lang)
}

/// Imports a portfolio for the agency the actor manages (or names). `progress` is called
/// with (done, total) while rows are written.
pub async fn import(
    cx: &Context,
    actor: &Actor,
    agency_id: Option<&str>,
    bytes: &[u8],
    options: ImportOptions,
    progress: impl FnMut(usize, usize),
) -> AppResult<ImportSummary> {
    let permit = authz::check_agency(actor, AgencyAction::ImportPortfolio, agency_id)?;
    import_for_agency(
        cx,
        &permit.agency_id,
        Some(&actor.person_id),
        actor.lang,
        bytes,
        options,
        progress,
    )
    .await
}

/// The import itself, for an agency already authorized (the CLI runs as the operator).
pub async fn import_for_agency(
    cx: &Context,
    agency_id: &str,
    actor_id: Option<&str>,
    lang: Lang,
    bytes: &[u8],
    options: ImportOptions,
    progress: impl FnMut(usize, usize),
) -> AppResult<ImportSummary> {
    let (lines, rejected) = read_file(bytes, lang)?;
    let mut summary = plan::run(cx, agency_id, actor_id, &lines, options, progress).await?;
    summary.rejected = rejected;
    summary.dry_run = options.dry_run;
    Ok(summary)
}
