//! Layout of an announcement printed for the hall (SPEC §6: neighbours without e-mail):
//! A4, large type, the building's name, and the registration poster's QR code in the top
//! right corner so that a neighbour can join from the notice.

use qrcode::{EcLevel, QrCode};

use super::canvas::{ACCENT, BLACK, Canvas, INK, MARGIN, MUTED, PAGE_H, PAGE_W, Style};
use super::font::Face;
use super::{NoticeDoc, PdfError};

/// Side of the QR symbol: 3.5 cm.
const QR_SIDE: f32 = 35.0 * 72.0 / 25.4;
/// Text beside the QR code leaves it this much room.
const BESIDE_QR: f32 = PAGE_W - 2.0 * MARGIN - QR_SIDE - 20.0;
const WIDTH: f32 = PAGE_W - 2.0 * MARGIN;

pub(super) fn render(doc: &NoticeDoc) -> Result<Vec<u8>, PdfError> {
    let qr = QrCode::with_error_correction_level(doc.register_url.as_bytes(), EcLevel::M)
        .map_err(|e| PdfError::Render(format!("register URL cannot be a QR code: {e}")))?;
    let mut c = Canvas::new(50.0, PAGE_H - 60.0)?;

    // The QR code, top right, with its caption below.
    let modules = qr.width().max(1);
    let module = QR_SIDE / modules as f32;
    let left = PAGE_W - MARGIN - QR_SIDE;
    let top = c.y;
    let mut rects = Vec::new();
    for (row, cells) in qr.to_colors().chunks(modules).enumerate() {
        let mut col = 0;
        while col < cells.len() {
            let start = col;
            while col < cells.len() && cells[col] == qrcode::Color::Dark {
                col += 1;
            }
            if col > start {
                rects.push([
                    left + start as f32 * module,
                    top + row as f32 * module,
                    (col - start) as f32 * module,
                    module,
                ]);
            }
            col += 1;
        }
    }
    c.fill(BLACK, rects);
    let caption = Style::new(Face::Regular, 8.0, MUTED);
    let caption_lines = c.fonts.wrap_at_most(
        caption.face,
        caption.size,
        doc.qr_caption,
        QR_SIDE + 10.0,
        3,
    );
    let mut y = top + QR_SIDE + 4.0;
    for line in caption_lines {
        c.text(left - 5.0, y, caption, &line);
        y += caption.lead;
    }

    // Beside it: the building's name and the date.
    let name = Style::new(Face::Bold, 22.0, ACCENT);
    for line in c
        .fonts
        .wrap_at_most(name.face, name.size, doc.building_name, BESIDE_QR, 2)
    {
        c.text(MARGIN, c.y, name, &line);
        c.y += name.lead;
    }
    let date = Style::new(Face::Regular, 13.0, MUTED);
    c.text(MARGIN, c.y, date, doc.date);
    c.y = c.y.max(y) + 24.0;

    let title = Style::new(Face::Bold, 30.0, INK);
    for line in c
        .fonts
        .wrap_at_most(title.face, title.size, doc.title, WIDTH, 4)
    {
        c.ensure(title.lead);
        c.text(MARGIN, c.y, title, &line);
        c.y += title.lead;
    }
    c.y += 14.0;
    let body = Style::new(Face::Regular, 17.0, INK);
    for line in c.fonts.wrap(body.face, body.size, doc.body, WIDTH, true) {
        c.ensure(body.lead);
        c.text(MARGIN, c.y, body, &line);
        c.y += body.lead;
    }
    let footer = Style::new(Face::Regular, 9.0, MUTED);
    c.finish(doc.title, Some((doc.footer, footer)))
}
