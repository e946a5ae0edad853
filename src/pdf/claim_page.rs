//! Layout of an insurance claim declaration, in the order insurers read it: policyholder,
//! policy and insurer, dates, place, circumstances, damages, lots and third parties, the
//! attachments, the manager to contact; the photos printed small at the end.

use super::canvas::{ACCENT, Canvas, INK, MARGIN, MUTED, PAGE_H, PAGE_W, Style};
use super::font::Face;
use super::jpeg::Jpeg;
use super::work_order_page::{field, section};
use super::{ClaimDoc, PdfError};

const RIGHT: f32 = PAGE_W - MARGIN;
const WIDTH: f32 = RIGHT - MARGIN;
const VALUE: Style = Style::new(Face::Regular, 10.0, INK);
const STRONG: Style = Style::new(Face::Bold, 10.0, INK);
const FOOTER: Style = Style::new(Face::Regular, 8.0, MUTED);
const CAPTION: Style = Style {
    lead: 14.0,
    ..Style::new(Face::Bold, 8.5, ACCENT)
};
/// Photos a declaration prints (small: four per row).
pub(super) const MAX_CLAIM_PHOTOS: usize = 8;

pub(super) fn render(doc: &ClaimDoc) -> Result<Vec<u8>, PdfError> {
    let mut c = Canvas::new(MARGIN, PAGE_H - 56.0)?;
    let l = doc.labels;
    header(&mut c, doc);
    section(
        &mut c,
        vec![
            field(
                l.policyholder,
                &[(doc.policyholder_name, STRONG), (doc.policyholder, VALUE)],
            ),
            field(
                l.insurer,
                &[(doc.insurer_name, STRONG), (doc.insurer_contact, VALUE)],
            ),
        ],
    );
    section(
        &mut c,
        vec![
            field(l.policy_number, &[(doc.policy_number, STRONG)]),
            field(l.kind, &[(doc.kind, STRONG)]),
            field(l.insurer_reference, &[(doc.insurer_reference, VALUE)]),
        ],
    );
    section(
        &mut c,
        vec![
            field(l.occurred_at, &[(doc.occurred_at, STRONG)]),
            field(l.discovered_at, &[(doc.discovered_at, STRONG)]),
            field(l.place, &[(doc.place, VALUE)]),
        ],
    );
    section(
        &mut c,
        vec![field(l.circumstances, &[(doc.circumstances, VALUE)])],
    );
    section(
        &mut c,
        vec![
            field(l.damages, &[(doc.damages, VALUE)]),
            field(
                l.estimate,
                &[(doc.estimate, STRONG), (doc.estimate_note, VALUE)],
            ),
        ],
    );
    section(
        &mut c,
        vec![
            field(l.lots, &[(doc.lots, VALUE)]),
            field(l.third_parties, &[(doc.third_parties, VALUE)]),
        ],
    );
    section(
        &mut c,
        vec![
            field(l.attachments, &[(doc.attachments, VALUE)]),
            field(l.manager, &[(doc.manager_contact, VALUE)]),
        ],
    );
    let photos: Vec<Jpeg> = doc
        .photos
        .iter()
        .filter_map(|p| Jpeg::parse(p).ok())
        .take(MAX_CLAIM_PHOTOS)
        .collect();
    if !photos.is_empty() {
        photo_strip(&mut c, l.photos, &photos);
    }
    let footer = format!("{} · {}", doc.agency_name, doc.reference);
    let title = format!("{} {}", l.title, doc.reference);
    c.finish(&title, Some((&footer, FOOTER)))
}

fn header(c: &mut Canvas, doc: &ClaimDoc) {
    let l = doc.labels;
    let fonts = c.fonts;
    let agency = Style::new(Face::Bold, 13.0, ACCENT);
    let reference = Style::new(Face::Bold, 11.0, INK);
    let date = Style::new(Face::Regular, 9.5, MUTED);
    let top = c.y;
    let mut y = top;
    for line in fonts.wrap_at_most(agency.face, agency.size, doc.agency_name, WIDTH * 0.55, 2) {
        c.text(MARGIN, y, agency, &line);
        y += agency.lead;
    }
    let mut ry = top + 1.0;
    for (text, style) in [
        (format!("{} {}", l.reference, doc.reference), reference),
        (format!("{} {}", l.issued_on, doc.issued_on), date),
    ] {
        for line in fonts.wrap_at_most(style.face, style.size, &text, WIDTH * 0.42, 2) {
            c.text_right(RIGHT, ry, style, &line);
            ry += style.lead;
        }
    }
    c.y = y.max(ry) + 6.0;
    c.rule(MARGIN, RIGHT, ACCENT, 1.5);
    c.y += 14.0;
    let big = Style::new(Face::Bold, 20.0, INK);
    for line in fonts.wrap_at_most(big.face, big.size, l.title, WIDTH, 2) {
        c.text(MARGIN, c.y, big, &line);
        c.y += big.lead;
    }
    let job = Style::new(Face::Bold, 14.0, ACCENT);
    let lines = fonts.wrap(job.face, job.size, doc.title, WIDTH, false);
    c.columns(&[(MARGIN, lines.into_iter().map(|t| (t, job)).collect())]);
    c.y += 8.0;
}

/// Small photos, four per row, each scaled into its cell.
fn photo_strip<'a>(c: &mut Canvas<'a>, caption: &str, photos: &[Jpeg<'a>]) {
    const CELL_H: f32 = 80.0;
    const GAP: f32 = 8.0;
    let cell_w = (WIDTH - 3.0 * GAP) / 4.0;
    c.ensure(CAPTION.lead + CELL_H);
    let lines = c
        .fonts
        .wrap(CAPTION.face, CAPTION.size, caption, WIDTH, false);
    c.columns(&[(MARGIN, lines.into_iter().map(|t| (t, CAPTION)).collect())]);
    c.y += 4.0;
    for row in photos.chunks(4) {
        c.ensure(CELL_H);
        for (i, photo) in row.iter().enumerate() {
            let (w, h) = (f32::from(photo.width), f32::from(photo.height));
            let scale = (cell_w / w).min(CELL_H / h);
            let (dw, dh) = (w * scale, h * scale);
            let x = MARGIN + i as f32 * (cell_w + GAP) + (cell_w - dw) / 2.0;
            let top = c.y + (CELL_H - dh) / 2.0;
            c.image(*photo, x, top, dw, dh);
        }
        c.y += CELL_H + GAP;
    }
}
