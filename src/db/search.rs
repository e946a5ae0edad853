//! Full-text query texts for each backend, from terms already folded to plain
//! alphanumerics by the domain (so nothing here needs escaping).

/// An FTS5 query: every term as a quoted prefix, joined by AND or OR.
pub fn fts5_query(terms: &[String], any: bool) -> String {
    let joiner = if any { " OR " } else { " " };
    terms
        .iter()
        .map(|t| format!("\"{t}\"*"))
        .collect::<Vec<_>>()
        .join(joiner)
}

/// A PostgreSQL `to_tsquery` text; terms are alphanumeric after folding, so nothing to escape.
pub fn tsquery(terms: &[String], any: bool) -> String {
    let joiner = if any { " | " } else { " & " };
    terms
        .iter()
        .map(|t| format!("{t}:*"))
        .collect::<Vec<_>>()
        .join(joiner)
}
