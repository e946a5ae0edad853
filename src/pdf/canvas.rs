//! A small page-flow canvas: records what to draw on each A4 page (top-down
//! coordinates in points) and flows text across pages; `emit` turns the
//! recording into a PDF.

use super::PdfError;
use super::emit::{self, Draw};
use super::font::{Face, Fonts};
use super::jpeg::Jpeg;

/// A4 page size in points.
pub(super) const PAGE_W: f32 = 595.276;
pub(super) const PAGE_H: f32 = 841.89;
/// Left/right page margin used by every layout.
pub(super) const MARGIN: f32 = 50.0;

/// An RGB colour, components 0–255.
pub(super) type Rgb8 = (u8, u8, u8);
pub(super) const INK: Rgb8 = (0x1f, 0x29, 0x33);
pub(super) const MUTED: Rgb8 = (0x6b, 0x72, 0x80);
pub(super) const ACCENT: Rgb8 = (0x1d, 0x4e, 0x89);
pub(super) const RULE: Rgb8 = (0xd1, 0xd5, 0xdb);
pub(super) const BLACK: Rgb8 = (0, 0, 0);

/// How a run of text looks; `lead` is the height one line takes.
#[derive(Clone, Copy, Debug)]
pub(super) struct Style {
    pub face: Face,
    pub size: f32,
    pub color: Rgb8,
    pub lead: f32,
}

impl Style {
    /// A style with the usual 1.35 line spacing.
    pub(super) const fn new(face: Face, size: f32, color: Rgb8) -> Self {
        Self {
            face,
            size,
            color,
            lead: size * 1.35,
        }
    }
}

/// One laid-out line of a column.
pub(super) type Line = (String, Style);

/// Pages being drawn, with a flowing vertical cursor `y` (distance from the
/// top of the page, growing downwards).
pub(super) struct Canvas<'a> {
    pub fonts: Fonts,
    pages: Vec<Vec<Draw>>,
    images: Vec<Jpeg<'a>>,
    /// Cursor, in points from the top edge.
    pub y: f32,
    top: f32,
    bottom: f32,
}

impl<'a> Canvas<'a> {
    /// A canvas with one empty page whose flow area runs from `top` to
    /// `bottom` (both measured from the top edge).
    pub(super) fn new(top: f32, bottom: f32) -> Result<Self, PdfError> {
        Ok(Self {
            fonts: Fonts::load()?,
            pages: vec![Vec::new()],
            images: Vec::new(),
            y: top,
            top,
            bottom,
        })
    }

    /// Starts a new page and puts the cursor at its top.
    pub(super) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.top;
    }

    /// Breaks the page unless `height` points still fit below the cursor.
    pub(super) fn ensure(&mut self, height: f32) {
        if self.y + height > self.bottom && self.y > self.top {
            self.new_page();
        }
    }

    /// Space left between the cursor and the bottom of the flow area.
    pub(super) fn room(&self) -> f32 {
        self.bottom - self.y
    }

    fn push(&mut self, draw: Draw) {
        if let Some(page) = self.pages.last_mut() {
            page.push(draw);
        }
    }

    /// Draws one line of text whose top is at `top`, starting at `x`.
    pub(super) fn text(&mut self, x: f32, top: f32, style: Style, text: &str) {
        let page = self.pages.len().saturating_sub(1);
        self.text_on(page, x, top, style, text);
    }

    fn text_on(&mut self, page: usize, x: f32, top: f32, style: Style, text: &str) {
        let text = self.fonts.clean(text, false);
        if let (false, Some(draws)) = (text.trim().is_empty(), self.pages.get_mut(page)) {
            // DejaVu's ascender is ~0.93 em: put the baseline just below it.
            draws.push(Draw::Text {
                x,
                y: top + style.size * 0.93,
                style,
                text,
            });
        }
    }

    /// Width of `text` in `style`.
    pub(super) fn width(&self, style: Style, text: &str) -> f32 {
        self.fonts.width(style.face, style.size, text)
    }

    /// Draws `text` ending at `right`.
    pub(super) fn text_right(&mut self, right: f32, top: f32, style: Style, text: &str) {
        let text = self.fonts.clean(text, false);
        let x = right - self.width(style, &text);
        self.text(x, top, style, &text);
    }

    /// Draws `text` centred on the page.
    pub(super) fn text_center(&mut self, top: f32, style: Style, text: &str) {
        let text = self.fonts.clean(text, false);
        let x = (PAGE_W - self.width(style, &text)) / 2.0;
        self.text(x, top, style, &text);
    }

    /// Fills rectangles `[x, top, width, height]` as a single path (no seams).
    pub(super) fn fill(&mut self, color: Rgb8, rects: Vec<[f32; 4]>) {
        if !rects.is_empty() {
            self.push(Draw::Rects { color, rects });
        }
    }

    /// Draws a horizontal rule at the cursor across `[x0, x1]`.
    pub(super) fn rule(&mut self, x0: f32, x1: f32, color: Rgb8, thickness: f32) {
        let y = self.y;
        self.fill(color, vec![[x0, y, x1 - x0, thickness]]);
    }

    /// Draws a checked JPEG into the box `[x, top, w, h]` (stretched to it).
    pub(super) fn image(&mut self, jpeg: Jpeg<'a>, x: f32, top: f32, w: f32, h: f32) {
        self.images.push(jpeg);
        let index = self.images.len() - 1;
        self.push(Draw::Image {
            index,
            x,
            y: top,
            w,
            h,
        });
    }

    /// Moves everything on the current page down by `dy` points (used to
    /// centre short content vertically).
    pub(super) fn shift_page(&mut self, dy: f32) {
        for draw in self.pages.last_mut().into_iter().flatten() {
            match draw {
                Draw::Text { y, .. } | Draw::Image { y, .. } => *y += dy,
                Draw::Rects { rects, .. } => rects.iter_mut().for_each(|r| r[1] += dy),
            }
        }
        self.y += dy;
    }

    /// Lays out side-by-side columns `(x, lines)` row by row from the cursor,
    /// continuing all columns on the next page when a row does not fit.
    pub(super) fn columns(&mut self, columns: &[(f32, Vec<Line>)]) {
        let rows = columns
            .iter()
            .map(|(_, lines)| lines.len())
            .max()
            .unwrap_or(0);
        for row in 0..rows {
            let cells = columns
                .iter()
                .filter_map(|(x, lines)| lines.get(row).map(|l| (*x, l)));
            let lead = cells.clone().map(|(_, (_, s))| s.lead).fold(0.0, f32::max);
            self.ensure(lead);
            let top = self.y;
            for (x, (text, style)) in cells {
                self.text(x, top, *style, text);
            }
            self.y += lead;
        }
    }

    /// Subsets fonts, adds a footer (`footer` on the left, "page/total" on
    /// the right) to every page, and serialises the PDF.
    pub(super) fn finish(
        mut self,
        title: &str,
        footer: Option<(&str, Style)>,
    ) -> Result<Vec<u8>, PdfError> {
        let total = self.pages.len();
        if let Some((left, style)) = footer {
            let top = PAGE_H - 34.0;
            let room = PAGE_W - 2.0 * MARGIN - 60.0;
            let left = self
                .fonts
                .wrap_at_most(style.face, style.size, left, room, 1)
                .concat();
            for n in 0..total {
                let number = format!("{}/{total}", n + 1);
                let x = PAGE_W - MARGIN - self.width(style, &number);
                self.text_on(n, MARGIN, top, style, &left);
                self.text_on(n, x, top, style, &number);
            }
        }
        emit::serialize(&self.fonts, &self.pages, &self.images, title)
    }
}
