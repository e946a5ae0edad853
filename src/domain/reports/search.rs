//! Search text: folded to lower case without accents, so "Fuite d’eau au 3ème" and
//! "fuite d'eau au 3eme" meet on both databases (which then match French stems, see
//! `db::search`). What is indexed: the report, its comments and its provider reports, each
//! in the column of its audience.

use crate::db::search::{self as sdb, Column};
use crate::domain::{AppResult, Context};

const STOPWORDS: &[&str] = &[
    "au", "aux", "ce", "de", "des", "du", "en", "est", "et", "il", "la", "le", "les", "sur", "un",
    "une", "the", "and", "of",
];

fn fold_char(c: char, out: &mut String) {
    let folded = match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => "a",
        'ç' => "c",
        'è' | 'é' | 'ê' | 'ë' => "e",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'ñ' => "n",
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => "o",
        'ù' | 'ú' | 'û' | 'ü' => "u",
        'ý' | 'ÿ' => "y",
        'œ' => "oe",
        'æ' => "ae",
        c if c.is_alphanumeric() => {
            out.push(c);
            return;
        }
        _ => " ",
    };
    out.push_str(folded);
}

/// Lower-case, accent-free, punctuation turned into spaces.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        fold_char(c, &mut out);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The words worth searching for: folded, two letters or more, no stop words, at most 12.
pub fn terms(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in fold(query).split(' ') {
        if word.chars().count() >= 2
            && !STOPWORDS.contains(&word)
            && !terms.iter().any(|t| t == word)
        {
            terms.push(word.to_string());
        }
    }
    terms.truncate(12);
    terms
}

/// Words that say what kind of place it is, not which one ("escalier", "étage"…).
const PLACE_WORDS: &[&str] = &[
    "escalier",
    "esc",
    "bat",
    "batiment",
    "bloc",
    "etage",
    "palier",
    "hall",
    "cage",
    "entree",
    "niveau",
    "cote",
    "pres",
    "porte",
    "staircase",
    "stairs",
    "floor",
    "building",
    "near",
];

/// Places named by a letter: "escalier B", "bât. A".
const LETTERED: &[&str] = &[
    "escalier",
    "esc",
    "bat",
    "batiment",
    "bloc",
    "cage",
    "entree",
    "staircase",
    "building",
];

/// What tells one place from another in a location: "Escalier B, 3e étage" gives
/// ["b", "3e"]. A single letter counts only after a word like "escalier" (French uses "à"
/// as a word: "à côté").
pub fn place_marks(location: &str) -> Vec<String> {
    let folded = fold(location);
    let mut marks: Vec<String> = Vec::new();
    let mut previous = "";
    for word in folded.split(' ') {
        let keep = match word.chars().count() {
            0 => false,
            1 => LETTERED.contains(&previous),
            _ => !STOPWORDS.contains(&word) && !PLACE_WORDS.contains(&word),
        };
        if keep && !marks.iter().any(|m| m == word) {
            marks.push(word.to_string());
        }
        previous = word;
    }
    marks
}

/// The document indexed for a report.
pub fn document(title: &str, description: &str, location: &str) -> String {
    fold(&format!("{title} {description} {location}"))
}

/// The indexed column of a comment's audience: everyone's, the council's (which also holds
/// messages to one person, read by staff), the landlord thread's.
pub fn column_of(audience: &str) -> Column {
    match audience {
        "council" | "person" => Column::Council,
        "landlord" => Column::Landlord,
        // A report's own text, comments for everyone, provider reports.
        _ => Column::Public,
    }
}

/// Indexes a comment or a provider's report, in the caller's transaction.
pub async fn index_more<'c>(
    ex: impl sqlx::Executor<'c, Database = sqlx::Any>,
    state: &Context,
    report_id: &str,
    audience: &str,
    text: &str,
) -> AppResult<()> {
    sdb::append(
        ex,
        state.db.backend,
        report_id,
        column_of(audience),
        &fold(text),
    )
    .await?;
    Ok(())
}

/// Reports indexed again per transaction by [`reindex_stale`].
pub const REINDEX_BATCH: i64 = 200;

/// Indexes again (stems, comments, provider reports) up to [`REINDEX_BATCH`] reports
/// indexed before migration 0023; returns how many. The worker calls it until it returns
/// less than a batch, so an upgrade needs no downtime: meanwhile those reports are still
/// found by their own words.
pub async fn reindex_stale(state: &Context) -> AppResult<usize> {
    let mut tx = state.db.begin().await?;
    let ids = sdb::stale(&mut *tx, REINDEX_BATCH).await?;
    for id in &ids {
        let mut columns = [String::new(), String::new(), String::new()];
        for source in sdb::sources(&mut *tx, id).await? {
            let i = match column_of(&source.audience) {
                Column::Public => 0,
                Column::Council => 1,
                Column::Landlord => 2,
            };
            columns[i].push(' ');
            columns[i].push_str(&source.body);
        }
        let [public, council, landlord] = columns.map(|c| fold(&c));
        sdb::set_index(
            &mut *tx,
            state.db.backend,
            id,
            [&public, &council, &landlord],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ids.len())
}

/// The French stems of a folded text's words, for comparing drafts (duplicate check).
pub fn stems(folded: &str) -> Vec<String> {
    folded
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(sdb::stem)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_apostrophes_and_case_fold_together() {
        assert_eq!(
            fold("Fuite d’eau au 3ème — ÉTAGE"),
            "fuite d eau au 3eme etage"
        );
        assert_eq!(terms("fuite d'eau au 3ème"), vec!["fuite", "eau", "3eme"]);
        assert_eq!(terms("Cœur, cœur"), vec!["coeur"]);
        assert!(terms("   ").is_empty());
    }

    #[test]
    fn places_are_told_apart_by_letter_and_floor() {
        assert_eq!(place_marks("Escalier B, 3e étage"), vec!["b", "3e"]);
        assert_eq!(place_marks("escalier A"), vec!["a"]);
        assert!(place_marks("à côté de l’ascenseur").contains(&"ascenseur".to_string()));
        assert!(!place_marks("à côté").contains(&"a".to_string()));
    }

    #[test]
    fn queries_cannot_inject_syntax() {
        use crate::db::search::{Reach, fts5_query, tsquery};
        let t = terms("\"x\" OR NEAR(a b) -- ; drop");
        assert_eq!(
            fts5_query(&t, false, Reach::PUBLIC),
            "{search_text} : (\"or\"* \"near\"* \"drop\"*)"
        );
        assert_eq!(
            tsquery(&t, true, Reach::PUBLIC),
            "or:*A | near:*A | drop:*A"
        );
    }
}
