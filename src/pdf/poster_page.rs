//! Layout of the registration poster: one A4 page, everything centred.
//! Each text block has a line budget (longer text ends with "…") so the
//! page never overflows.

use qrcode::{EcLevel, QrCode};

use super::canvas::{ACCENT, BLACK, Canvas, INK, MARGIN, MUTED, PAGE_H, PAGE_W, Rgb8, Style};
use super::font::Face;
use super::{PdfError, PosterDoc};

const WIDTH: f32 = PAGE_W - 2.0 * MARGIN;
/// Side of the QR symbol (without its quiet zone): 8 cm.
const QR_SIDE: f32 = 80.0 * 72.0 / 25.4;
const CODE_BOX: Rgb8 = (0xee, 0xf2, 0xf7);

pub(super) fn render(doc: &PosterDoc) -> Result<Vec<u8>, PdfError> {
    let qr = QrCode::with_error_correction_level(doc.register_url.as_bytes(), EcLevel::M)
        .map_err(|e| PdfError::Render(format!("register URL cannot be a QR code: {e}")))?;
    let mut c = Canvas::new(56.0, PAGE_H - 40.0)?;

    let headline = Style::new(Face::Bold, 22.0, ACCENT);
    centered(&mut c, doc.headline, headline, 2);
    c.y += 12.0;
    let name = Style {
        lead: 42.0,
        ..Style::new(Face::Bold, 34.0, INK)
    };
    centered(&mut c, doc.building_name, name, 2);
    c.y += 10.0;
    let body = Style::new(Face::Regular, 13.0, INK);
    centered(&mut c, doc.instructions, body, 5);
    c.y += 16.0;

    let label = Style::new(Face::Regular, 12.0, MUTED);
    centered(&mut c, doc.code_label, label, 1);
    code(&mut c, doc.building_code);

    // The quiet zone (4 modules of white) is kept free around the symbol.
    let modules = qr.width();
    let module = QR_SIDE / modules.max(1) as f32;
    c.y += 4.0 * module;
    let left = (PAGE_W - QR_SIDE) / 2.0;
    let colors = qr.to_colors();
    let mut rects = Vec::new();
    for (row, cells) in colors.chunks(modules.max(1)).enumerate() {
        let mut col = 0;
        while col < cells.len() {
            let start = col;
            while col < cells.len() && cells[col] == qrcode::Color::Dark {
                col += 1;
            }
            if col > start {
                let x = left + start as f32 * module;
                rects.push([
                    x,
                    c.y + row as f32 * module,
                    (col - start) as f32 * module,
                    module,
                ]);
            }
            col += 1;
        }
    }
    c.fill(BLACK, rects);
    c.y += QR_SIDE + 4.0 * module;

    let small = Style::new(Face::Regular, 11.0, MUTED);
    centered(&mut c, doc.url_label, small, 1);
    let url = Style::new(Face::Regular, 11.0, INK);
    centered(&mut c, doc.register_url, url, 3);

    // Centre the block vertically, a little above the middle.
    c.shift_page((c.room() * 0.4).max(0.0));
    c.finish(doc.building_name, None)
}

/// Draws `text` centred, wrapped to at most `max_lines` lines.
fn centered(c: &mut Canvas, text: &str, style: Style, max_lines: usize) {
    let lines = c
        .fonts
        .wrap_at_most(style.face, style.size, text, WIDTH, max_lines);
    if lines.iter().all(|l| l.is_empty()) {
        return;
    }
    for line in lines {
        c.text_center(c.y, style, &line);
        c.y += style.lead;
    }
}

/// The building code, as large as fits (40 pt at most), on a light box.
fn code(c: &mut Canvas, code: &str) {
    let fonts = c.fonts;
    let text = fonts.clean(code, false);
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    let mut style = Style::new(Face::Bold, 40.0, INK);
    while style.size > 14.0 && fonts.width(style.face, style.size, text) > WIDTH - 40.0 {
        style = Style::new(Face::Bold, style.size - 2.0, INK);
    }
    let lines = fonts.wrap_at_most(style.face, style.size, text, WIDTH - 40.0, 2);
    let widest = lines
        .iter()
        .map(|l| fonts.width(style.face, style.size, l))
        .fold(0.0, f32::max);
    let height = style.lead * lines.len() as f32;
    c.y += 6.0;
    c.fill(
        CODE_BOX,
        vec![[
            (PAGE_W - widest) / 2.0 - 18.0,
            c.y,
            widest + 36.0,
            height + 8.0,
        ]],
    );
    c.y += 4.0;
    for line in lines {
        c.text_center(c.y + style.size * 0.12, style, &line);
        c.y += style.lead;
    }
    c.y += 4.0;
}
