//! Embedded DejaVu Sans faces: metrics for layout, text cleaning, line
//! wrapping and per-document subsetting (only the glyphs a document uses are
//! embedded, which keeps a work order around a few tens of kilobytes).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{CmapTarget, SubsetProfile, subset};
use printpdf::ParsedFont;

use super::PdfError;

/// The two faces used by every document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Face {
    Regular,
    Bold,
}

impl Face {
    /// Both faces, in the order the canvas indexes them.
    pub(super) const ALL: [Face; 2] = [Face::Regular, Face::Bold];

    /// Position of the face in [`Face::ALL`].
    pub(super) fn index(self) -> usize {
        match self {
            Face::Regular => 0,
            Face::Bold => 1,
        }
    }

    /// Raw TrueType bytes of the full face, from the `dejavu` crate.
    fn bytes(self) -> &'static [u8] {
        match self {
            Face::Regular => dejavu::sans::regular(),
            Face::Bold => dejavu::sans::bold(),
        }
    }

    /// The full face parsed once per process (cmap and advance widths).
    fn full(self) -> Result<&'static ParsedFont, PdfError> {
        static FACES: [OnceLock<Option<ParsedFont>>; 2] = [OnceLock::new(), OnceLock::new()];
        FACES[self.index()]
            .get_or_init(|| ParsedFont::from_bytes(self.bytes(), 0, &mut Vec::new()))
            .as_ref()
            .ok_or_else(|| PdfError::Render("embedded font cannot be parsed".into()))
    }
}

/// Font metrics for both faces, borrowed from the process-wide cache.
#[derive(Clone, Copy)]
pub(super) struct Fonts {
    faces: [&'static ParsedFont; 2],
    /// Scale from font units to one point at size 1.
    per_unit: [f32; 2],
}

impl Fonts {
    /// Loads (once) and returns the metrics of both faces.
    pub(super) fn load() -> Result<Self, PdfError> {
        let faces = [Face::Regular.full()?, Face::Bold.full()?];
        let per_unit = faces.map(|f| 1.0 / f32::from(f.units_per_em.max(1)));
        Ok(Self { faces, per_unit })
    }

    fn glyph(&self, face: Face, ch: char) -> Option<u16> {
        self.faces[face.index()]
            .lookup_glyph_index(u32::from(ch))
            .filter(|gid| *gid != 0)
    }

    /// Width of `text` in points at `size` (no kerning, like the PDF output).
    pub(super) fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        let f = self.faces[face.index()];
        let units: u32 = text
            .chars()
            .map(|c| {
                let gid = self.glyph(face, c).unwrap_or(0);
                u32::from(f.get_glyph_width(gid).unwrap_or(0))
            })
            .sum();
        units as f32 * self.per_unit[face.index()] * size
    }

    /// Makes `raw` safe to draw: drops control and format characters, turns
    /// tabs into spaces, turns line breaks into spaces unless `multiline`, and
    /// replaces characters missing from the font (emoji, CJK…) by `?`.
    pub(super) fn clean(&self, raw: &str, multiline: bool) -> String {
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    out.push(if multiline { '\n' } else { ' ' });
                }
                '\n' | '\u{2028}' | '\u{2029}' | '\u{85}' => {
                    out.push(if multiline { '\n' } else { ' ' });
                }
                '\t' | '\u{a0}' | '\u{202f}' => out.push(' '),
                c if c.is_control() || is_invisible(c) => {}
                c if self.glyph(Face::Regular, c).is_some()
                    && self.glyph(Face::Bold, c).is_some() =>
                {
                    out.push(c)
                }
                _ => out.push('?'),
            }
        }
        out
    }

    /// Cleans `text` and wraps it to `max_width` points. Explicit line breaks
    /// are kept when `multiline`; words longer than a line are split between
    /// characters. Always returns at least one (possibly empty) line.
    pub(super) fn wrap(
        &self,
        face: Face,
        size: f32,
        text: &str,
        max_width: f32,
        multiline: bool,
    ) -> Vec<String> {
        let cleaned = self.clean(text, multiline);
        let text = cleaned.trim();
        let space = self.width(face, size, " ");
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            let mut line_w = 0.0;
            for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
                let word_w = self.width(face, size, word);
                let gap = if line.is_empty() { 0.0 } else { space };
                if line_w + gap + word_w <= max_width {
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(word);
                    line_w += gap + word_w;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                for c in word.chars() {
                    let w = self.width(face, size, c.encode_utf8(&mut [0; 4]));
                    if line_w + w > max_width && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        line_w = 0.0;
                    }
                    line.push(c);
                    line_w += w;
                }
            }
            lines.push(line);
        }
        lines
    }

    /// Like [`Fonts::wrap`] but keeps at most `max_lines` lines, ending the
    /// last kept one with an ellipsis when text was cut.
    pub(super) fn wrap_at_most(
        &self,
        face: Face,
        size: f32,
        text: &str,
        max_width: f32,
        max_lines: usize,
    ) -> Vec<String> {
        let mut lines = self.wrap(face, size, text, max_width, true);
        if lines.len() > max_lines.max(1) {
            lines.truncate(max_lines.max(1));
            if let Some(last) = lines.last_mut() {
                while !last.is_empty() && self.width(face, size, &format!("{last}…")) > max_width
                {
                    last.pop();
                }
                last.push('…');
            }
        }
        lines
    }
}

/// Zero-width and bidirectional formatting characters, which draw nothing
/// useful and would only confuse text extraction.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}' | '\u{ad}')
}

/// Builds a subset of `face` holding only the glyphs of `chars`, parsed so
/// that printpdf embeds it with a matching `/W` and `/ToUnicode` table.
pub(super) fn subset_face(
    fonts: &Fonts,
    face: Face,
    chars: &BTreeSet<char>,
) -> Result<ParsedFont, PdfError> {
    let render = |what: &str, e: &dyn std::fmt::Display| PdfError::Render(format!("{what}: {e}"));
    let mut gids: Vec<u16> = std::iter::once(0)
        .chain(chars.iter().filter_map(|c| fonts.glyph(face, *c)))
        .collect();
    gids.sort_unstable();
    gids.dedup();
    let data = ReadScope::new(face.bytes())
        .read::<FontData<'_>>()
        .map_err(|e| render("font", &e))?;
    let provider = data.table_provider(0).map_err(|e| render("font", &e))?;
    let bytes = subset(&provider, &gids, &SubsetProfile::Pdf, CmapTarget::Unicode)
        .map_err(|e| render("font subset", &e))?;
    ParsedFont::from_bytes(&bytes, 0, &mut Vec::new())
        .ok_or_else(|| PdfError::Render("font subset cannot be parsed".into()))
}
