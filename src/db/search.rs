//! Full-text search for each backend: what is indexed, query texts, and the columns a
//! reader's search may look into. Terms and texts come folded to plain lower-case
//! alphanumerics by the domain (so nothing here needs escaping).
//!
//! French words are matched by their stem on both databases: PostgreSQL's `french`
//! configuration stems the stored text and the query; FTS5 has no French stemmer, so on
//! SQLite the stored text and the query terms are stemmed here (Snowball, the algorithm
//! PostgreSQL uses), and "plafonds" meets "plafond".

use rust_stemmers::{Algorithm, Stemmer};
use sqlx::{Any, Executor};

use super::Backend;

/// What rows indexed by this code carry in `search_version`; rows at 0 were indexed before
/// migration 0023 and the worker indexes them again (see [`stale`]).
pub const VERSION: i64 = 1;

/// Most characters kept in one indexed column: a long thread does not grow a row forever.
const MAX_COLUMN: i64 = 20_000;

/// Which indexed columns a search looks into, beyond the report and its public thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reach {
    /// Comments for the council or for one person.
    pub council: bool,
    /// The private landlord thread.
    pub landlord: bool,
}

impl Reach {
    /// The report and what everyone who sees it sees.
    pub const PUBLIC: Reach = Reach {
        council: false,
        landlord: false,
    };

    pub fn columns(self) -> Vec<&'static str> {
        let mut columns = vec![Column::Public.name()];
        if self.council {
            columns.push(Column::Council.name());
        }
        if self.landlord {
            columns.push(Column::Landlord.name());
        }
        columns
    }

    /// PostgreSQL's weights for the same columns (see migration 0023).
    fn weights(self) -> String {
        let mut w = String::from("A");
        if self.council {
            w.push('B');
        }
        if self.landlord {
            w.push('C');
        }
        w
    }
}

/// One indexed column of `reports`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Public,
    Council,
    Landlord,
}

impl Column {
    pub fn name(self) -> &'static str {
        match self {
            Column::Public => "search_text",
            Column::Council => "search_council",
            Column::Landlord => "search_landlord",
        }
    }
}

/// The French stem of one folded word.
pub fn stem(word: &str) -> String {
    Stemmer::create(Algorithm::French).stem(word).into_owned()
}

/// The words as the backend's index compares them: stems on SQLite, the folded words on
/// PostgreSQL (whose `french` configuration stems them itself).
pub fn index_text(backend: Backend, folded: &str) -> String {
    match backend {
        Backend::Sqlite => folded.split(' ').map(stem).collect::<Vec<_>>().join(" "),
        Backend::Postgres => folded.to_string(),
    }
}

/// Query terms as the index compares them (see [`index_text`]).
pub fn index_terms(backend: Backend, terms: &[String]) -> Vec<String> {
    match backend {
        Backend::Sqlite => terms.iter().map(|t| stem(t)).collect(),
        Backend::Postgres => terms.to_vec(),
    }
}

/// An FTS5 query: every term (stemmed) as a quoted prefix, joined by AND or OR, in the
/// columns of `reach` only.
pub fn fts5_query(terms: &[String], any: bool, reach: Reach) -> String {
    let joiner = if any { " OR " } else { " " };
    let words = index_terms(Backend::Sqlite, terms)
        .iter()
        .map(|t| format!("\"{t}\"*"))
        .collect::<Vec<_>>()
        .join(joiner);
    format!("{{{}}} : ({words})", reach.columns().join(" "))
}

/// A PostgreSQL `to_tsquery` text: every term as a prefix, in the weights of `reach`.
pub fn tsquery(terms: &[String], any: bool, reach: Reach) -> String {
    let joiner = if any { " | " } else { " & " };
    let weights = reach.weights();
    terms
        .iter()
        .map(|t| format!("{t}:*{weights}"))
        .collect::<Vec<_>>()
        .join(joiner)
}

/// Adds folded text (a comment, a provider's report) to one indexed column of a report.
pub async fn append<'c>(
    ex: impl Executor<'c, Database = Any>,
    backend: Backend,
    report_id: &str,
    column: Column,
    folded: &str,
) -> sqlx::Result<()> {
    let col = column.name();
    sqlx::query(&format!(
        "UPDATE reports SET {col} = substr({col} || ' ' || $2, 1, {MAX_COLUMN}) WHERE id = $1"
    ))
    .bind(report_id)
    .bind(index_text(backend, folded))
    .execute(ex)
    .await?;
    Ok(())
}

/// Reports indexed before migration 0023, at most `limit`, from a partial index.
pub async fn stale<'c>(
    ex: impl Executor<'c, Database = Any>,
    limit: i64,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT id FROM reports WHERE search_version = 0 LIMIT $1")
        .bind(limit)
        .fetch_all(ex)
        .await
}

/// What a report's index is made of.
#[derive(Debug, sqlx::FromRow)]
pub struct SourceRow {
    /// `report` for the report itself, else a comment audience (`all` for providers).
    pub audience: String,
    pub body: String,
}

pub async fn sources<'c>(
    ex: impl Executor<'c, Database = Any>,
    report_id: &str,
) -> sqlx::Result<Vec<SourceRow>> {
    sqlx::query_as(
        "SELECT 'report' AS audience, title || ' ' || description || ' ' || location_part || ' ' \
            || location_floor || ' ' || location_detail AS body FROM reports WHERE id = $1 \
         UNION ALL SELECT audience, body FROM comments WHERE report_id = $1 \
         UNION ALL SELECT 'all', p.body FROM work_orders w \
            JOIN provider_reports p ON p.work_order_id = w.id WHERE w.report_id = $1",
    )
    .bind(report_id)
    .fetch_all(ex)
    .await
}

/// Replaces a report's indexed columns (texts folded) and marks it current.
pub async fn set_index<'c>(
    ex: impl Executor<'c, Database = Any>,
    backend: Backend,
    report_id: &str,
    [public, council, landlord]: [&str; 3],
) -> sqlx::Result<()> {
    let cap = |s: &str| -> String {
        let text = index_text(backend, s);
        match text.char_indices().nth(MAX_COLUMN as usize) {
            Some((at, _)) => text[..at].to_string(),
            None => text,
        }
    };
    sqlx::query(
        "UPDATE reports SET search_text = $2, search_council = $3, search_landlord = $4, \
         search_version = $5 WHERE id = $1",
    )
    .bind(report_id)
    .bind(cap(public))
    .bind(cap(council))
    .bind(cap(landlord))
    .bind(VERSION)
    .execute(ex)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_plurals_and_forms_share_a_stem() {
        for (a, b) in [
            ("plafonds", "plafond"),
            ("ampoules", "ampoule"),
            ("fuites", "fuite"),
            ("grillees", "grillee"),
            ("portes", "porte"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} / {b}");
        }
        assert_eq!(
            index_text(Backend::Sqlite, "ampoules grillees"),
            "ampoul grille"
        );
        assert_eq!(index_text(Backend::Postgres, "ampoules"), "ampoules");
    }

    #[test]
    fn queries_name_only_the_columns_the_reader_may_search() {
        let t = vec!["plafonds".to_string(), "eau".to_string()];
        assert_eq!(
            fts5_query(&t, false, Reach::PUBLIC),
            "{search_text} : (\"plafond\"* \"eau\"*)"
        );
        let staff = Reach {
            council: true,
            landlord: true,
        };
        assert_eq!(
            fts5_query(&t, true, staff),
            "{search_text search_council search_landlord} : (\"plafond\"* OR \"eau\"*)"
        );
        assert_eq!(tsquery(&t, false, Reach::PUBLIC), "plafonds:*A & eau:*A");
        assert_eq!(tsquery(&t, true, staff), "plafonds:*ABC | eau:*ABC");
    }
}
