//! Reading what an accounting package exports: UTF-8 or Windows-1252 (with or without a
//! BOM), `;`, `,` or tab separators, quoted fields, columns found by their header's name.

use crate::domain::{AppError, AppResult};

/// Larger files are refused before any parsing (a 40-building portfolio is ~1 MB).
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;
/// A line with more fields than this is refused on its own (and not kept in memory).
pub const MAX_FIELDS: usize = 64;
/// A line longer than this is refused on its own (an unclosed quote, a pasted blob).
pub const MAX_LINE_CHARS: usize = 8 * 1024;

/// The bytes as text. Anything with NUL bytes (a spreadsheet, a PDF, UTF-16) or bytes
/// that are neither UTF-8 nor Windows-1252 is unreadable.
pub fn decode(bytes: &[u8]) -> AppResult<String> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(AppError::TooLarge);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(unreadable());
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(_) => bytes
            .iter()
            .map(|&b| windows_1252(b))
            .collect::<Option<String>>()
            .ok_or_else(unreadable),
    }
}

fn unreadable() -> AppError {
    AppError::invalid("file", "error.import_unreadable")
}

/// Windows-1252: Latin-1 but for 0x80–0x9F; the five unassigned bytes are no text.
fn windows_1252(b: u8) -> Option<char> {
    const HIGH: [u32; 32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
        0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
        0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ];
    match b {
        0x80..=0x9F => match HIGH[usize::from(b - 0x80)] {
            0 => None,
            cp => char::from_u32(cp),
        },
        _ => Some(char::from(b)),
    }
}

/// One record of the file, with the line it starts on.
#[derive(Debug, Default)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
    /// How many fields the line had (more than are kept past [`MAX_FIELDS`]).
    pub field_count: usize,
    pub too_long: bool,
    pub unclosed_quote: bool,
}

impl Record {
    pub fn is_blank(&self) -> bool {
        self.fields.iter().all(|f| f.trim().is_empty())
    }
}

/// The separator the header line uses most (outside quotes); `;` wins ties (French Excel).
pub fn separator(text: &str) -> char {
    let header = text.lines().next().unwrap_or_default();
    let mut quoted = false;
    let mut counts = [0usize; 3];
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => counts[0] += 1,
            ',' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let seps = [';', ',', '\t'];
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    seps[best]
}

/// Splits the text into records (RFC 4180 quoting; a quoted field may hold line breaks).
pub fn records(text: &str, sep: char) -> Vec<Record> {
    let mut out = Vec::new();
    let mut rec = Record {
        line: 1,
        ..Record::default()
    };
    let mut field = String::new();
    let mut chars_in_line = 0usize;
    let mut line = 1usize;
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let push_field = |rec: &mut Record, field: &mut String| {
        rec.field_count += 1;
        if rec.fields.len() < MAX_FIELDS {
            rec.fields.push(field.trim().to_string());
        }
        field.clear();
    };
    while let Some(c) = chars.next() {
        chars_in_line += 1;
        if chars_in_line > MAX_LINE_CHARS {
            rec.too_long = true;
        }
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                if !rec.too_long {
                    field.push('"');
                }
            }
            '"' => quoted = !quoted,
            '\n' => {
                line += 1;
                if quoted && !rec.too_long {
                    field.push('\n');
                    continue;
                }
                if quoted {
                    continue;
                }
                push_field(&mut rec, &mut field);
                let next = Record {
                    line,
                    ..Record::default()
                };
                out.push(std::mem::replace(&mut rec, next));
                chars_in_line = 0;
            }
            '\r' if !quoted => {}
            c if c == sep && !quoted => push_field(&mut rec, &mut field),
            c => {
                if !rec.too_long {
                    field.push(c);
                }
            }
        }
    }
    if quoted {
        rec.unclosed_quote = true;
    }
    push_field(&mut rec, &mut field);
    out.push(rec);
    out.retain(|r| !r.is_blank() || r.too_long || r.field_count > MAX_FIELDS);
    out
}

/// The columns Palier reads; any other column is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Building,
    Address,
    Lot,
    Shares,
    Staircase,
    Floor,
    Name,
    Email,
    Phone,
    Relation,
}

impl Column {
    const ALL: [Column; 10] = [
        Column::Building,
        Column::Address,
        Column::Lot,
        Column::Shares,
        Column::Staircase,
        Column::Floor,
        Column::Name,
        Column::Email,
        Column::Phone,
        Column::Relation,
    ];

    /// Header names, folded (lower case, no accents, no spaces or punctuation).
    fn names(self) -> &'static [&'static str] {
        match self {
            Column::Building => &["immeuble", "building", "residence", "nomimmeuble"],
            Column::Address => &["adresse", "address", "adresseimmeuble"],
            Column::Lot => &["lot", "nlot", "nolot", "numerolot", "lotnumber", "lotno"],
            Column::Shares => &["tantiemes", "shares", "milliemes", "quotepart"],
            Column::Staircase => &["escalier", "staircase", "stair", "cage"],
            Column::Floor => &["etage", "floor", "niveau"],
            Column::Name => &["nom", "name", "nomprenom", "nomcomplet", "fullname"],
            Column::Email => &["email", "courriel", "mail", "adressemail", "adresseemail"],
            Column::Phone => &["telephone", "phone", "tel", "portable", "mobile"],
            Column::Relation => &["relation", "qualite", "role", "statut"],
        }
    }
}

/// Folds a header: "Tantièmes", "E-mail", " N° lot " → "tantiemes", "email", "nlot".
pub fn fold_header(raw: &str) -> String {
    crate::domain::reports::search::fold(raw).replace(' ', "")
}

/// Where each column is in the file, and the header as the file spells it.
#[derive(Debug, Clone, Default)]
pub struct Header {
    positions: Vec<(Column, usize, String)>,
}

impl Header {
    pub fn parse(fields: &[String]) -> Header {
        let mut positions: Vec<(Column, usize, String)> = Vec::new();
        for (i, raw) in fields.iter().enumerate() {
            let folded = fold_header(raw);
            let found = Column::ALL
                .into_iter()
                .find(|c| c.names().contains(&folded.as_str()));
            if let Some(col) = found
                && !positions.iter().any(|(c, _, _)| *c == col)
            {
                positions.push((col, i, raw.trim().to_string()));
            }
        }
        Header { positions }
    }

    pub fn has(&self, col: Column) -> bool {
        self.positions.iter().any(|(c, _, _)| *c == col)
    }

    /// The cell of `col` in `fields`, empty when the column or the cell is missing.
    pub fn get<'a>(&self, fields: &'a [String], col: Column) -> &'a str {
        self.positions
            .iter()
            .find(|(c, _, _)| *c == col)
            .and_then(|(_, i, _)| fields.get(*i))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The column's header as written in the file (for messages about a cell).
    pub fn label(&self, col: Column) -> &str {
        self.positions
            .iter()
            .find(|(c, _, _)| *c == col)
            .map(|(_, _, h)| h.as_str())
            .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_and_bom_are_read() {
        let cp = b"immeuble;adresse\n\xc9toile;3 all\xe9e \x80\n";
        assert_eq!(
            decode(cp).expect("cp1252"),
            "immeuble;adresse\nÉtoile;3 allée €\n"
        );
        let utf8 = "\u{feff}immeuble;adresse\nÉtoile;x\n".as_bytes();
        assert!(decode(utf8).expect("utf-8").starts_with("immeuble"));
        assert!(decode(b"PK\x03\x04\x00\x00").is_err(), "a spreadsheet");
        assert!(decode(b"a;b\n\x81\n").is_err(), "unassigned byte");
    }

    #[test]
    fn records_follow_quotes_separators_and_lines() {
        assert_eq!(separator("a;b;c\n1,2;3"), ';');
        assert_eq!(separator("a,b,\"c;d\"\n"), ',');
        let recs = records("a;b\r\n\"x;\"\"y\"\"\";2\n\n\"multi\nline\";3\nlast;4", ';');
        let lines: Vec<usize> = recs.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![1, 2, 4, 6]);
        assert_eq!(recs[1].fields, vec!["x;\"y\"", "2"]);
        assert_eq!(recs[2].fields, vec!["multi\nline", "3"]);
        let wide = format!("{}\nok;1", "x;".repeat(2999));
        let recs = records(&wide, ';');
        assert_eq!(recs[0].field_count, 3000);
        assert_eq!(recs[0].fields.len(), MAX_FIELDS);
        assert_eq!(recs[1].fields, vec!["ok", "1"]);
    }

    #[test]
    fn headers_are_found_whatever_their_spelling_and_order() {
        let fields: Vec<String> = ["Courriel", " Tantièmes ", "IMMEUBLE", "E-mail", "N° lot"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let h = Header::parse(&fields);
        assert!(h.has(Column::Email) && h.has(Column::Shares) && h.has(Column::Building));
        assert!(h.has(Column::Lot) && !h.has(Column::Address));
        let row: Vec<String> = ["a@x.fr", "120", "Tilleuls", "b@x.fr", "12"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            h.get(&row, Column::Email),
            "a@x.fr",
            "first e-mail column wins"
        );
        assert_eq!(h.label(Column::Shares), "Tantièmes");
    }
}
