//! Layout of the work order: header with agency and reference, the job
//! title, captioned sections in one to three columns, the wrapped
//! description, then the photos in a grid.

use super::canvas::{ACCENT, Canvas, INK, Line, MARGIN, MUTED, PAGE_H, PAGE_W, RULE, Style};
use super::font::Face;
use super::jpeg::Jpeg;
use super::{MAX_PHOTOS, PdfError, WorkOrderDoc};

const RIGHT: f32 = PAGE_W - MARGIN;
const WIDTH: f32 = RIGHT - MARGIN;
const GUTTER: f32 = 20.0;

const CAPTION: Style = Style {
    lead: 14.0,
    ..Style::new(Face::Bold, 8.5, ACCENT)
};
const VALUE: Style = Style::new(Face::Regular, 10.0, INK);
const STRONG: Style = Style::new(Face::Bold, 10.0, INK);
const EMPTY: Style = Style::new(Face::Regular, 10.0, MUTED);
const FOOTER: Style = Style::new(Face::Regular, 8.0, MUTED);

/// One captioned block: caption, then values (each wrapped; the first may
/// be bold, e.g. a name above an address).
pub(super) struct Field<'a> {
    caption: &'a str,
    values: Vec<(&'a str, Style)>,
}

pub(super) fn field<'a>(caption: &'a str, values: &[(&'a str, Style)]) -> Field<'a> {
    Field {
        caption,
        values: values.to_vec(),
    }
}

pub(super) fn render(doc: &WorkOrderDoc) -> Result<Vec<u8>, PdfError> {
    let mut c = Canvas::new(MARGIN, PAGE_H - 56.0)?;
    let l = doc.labels;
    header(&mut c, doc);

    let manager_lines: Vec<(&str, Style)> = doc
        .manager_contact
        .split('\n')
        .map(|line| (line, VALUE))
        .collect();
    section(
        &mut c,
        vec![
            field(
                l.building,
                &[(doc.building_name, STRONG), (doc.building_address, VALUE)],
            ),
            field(
                l.provider,
                &[(doc.provider_name, STRONG), (doc.provider_contact, VALUE)],
            ),
        ],
    );
    section(
        &mut c,
        vec![
            field(l.access, &[(doc.access_codes, VALUE)]),
            field(l.contact, &[(doc.on_site_contact, VALUE)]),
        ],
    );
    section(
        &mut c,
        vec![
            field(l.desired_date, &[(doc.desired_date, STRONG)]),
            field(l.priority, &[(doc.priority, STRONG)]),
            field(l.manager, &manager_lines),
        ],
    );
    section(
        &mut c,
        vec![field(l.description, &[(doc.description, VALUE)])],
    );

    // Invalid photos are skipped: the work order stays useful without them.
    let photos: Vec<Jpeg> = doc
        .photos
        .iter()
        .filter_map(|p| Jpeg::parse(p).ok())
        .take(MAX_PHOTOS)
        .collect();
    if !photos.is_empty() {
        photo_grid(&mut c, l.photos, &photos);
    }

    let footer = format!("{} · {}", doc.agency_name, doc.reference);
    let title = format!("{} {}", l.title, doc.reference);
    c.finish(&title, Some((&footer, FOOTER)))
}

/// Agency and reference on top, an accent rule, the document title and the
/// job title.
fn header(c: &mut Canvas, doc: &WorkOrderDoc) {
    let l = doc.labels;
    let fonts = c.fonts;
    let agency = Style::new(Face::Bold, 13.0, ACCENT);
    let reference = Style::new(Face::Bold, 11.0, INK);
    let date = Style::new(Face::Regular, 9.5, MUTED);
    let left: Vec<String> =
        fonts.wrap_at_most(agency.face, agency.size, doc.agency_name, WIDTH * 0.55, 2);
    let right_w = WIDTH * 0.42;
    let mut right: Vec<(String, Style)> = Vec::new();
    for (text, style) in [
        (format!("{} {}", l.reference, doc.reference), reference),
        (format!("{} {}", l.issued_on, doc.issued_on), date),
    ] {
        let lines = fonts.wrap_at_most(style.face, style.size, &text, right_w, 2);
        right.extend(lines.into_iter().map(|line| (line, style)));
    }
    let top = c.y;
    let mut y = top;
    for line in &left {
        c.text(MARGIN, y, agency, line);
        y += agency.lead;
    }
    let mut ry = top + 1.0;
    for (line, style) in &right {
        c.text_right(RIGHT, ry, *style, line);
        ry += style.lead;
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

/// A row of captioned fields side by side (the last field gets the spare
/// width when there are three), followed by a light rule.
pub(super) fn section(c: &mut Canvas, fields: Vec<Field>) {
    let n = fields.len().max(1) as f32;
    let widths: Vec<f32> = match fields.len() {
        3 => vec![
            (WIDTH - 2.0 * GUTTER) / 4.0,
            (WIDTH - 2.0 * GUTTER) / 4.0,
            (WIDTH - 2.0 * GUTTER) / 2.0,
        ],
        _ => vec![(WIDTH - (n - 1.0) * GUTTER) / n; fields.len()],
    };
    let mut x = MARGIN;
    let mut columns = Vec::new();
    for (f, w) in fields.iter().zip(widths) {
        columns.push((x, field_lines(c, f, w)));
        x += w + GUTTER;
    }
    // Keep a caption together with the first lines of its value.
    let head: f32 = columns
        .iter()
        .map(|(_, lines)| lines.iter().take(3).map(|l| l.1.lead).sum())
        .fold(0.0, f32::max);
    c.ensure(head);
    c.columns(&columns);
    c.y += 8.0;
    // Near the bottom, skip the rule: the next section starts a new page.
    if c.room() >= 40.0 {
        c.rule(MARGIN, RIGHT, RULE, 0.6);
        c.y += 12.0;
    }
}

fn field_lines(c: &Canvas, f: &Field, width: f32) -> Vec<Line> {
    let fonts = c.fonts;
    let mut lines: Vec<Line> = fonts
        .wrap(CAPTION.face, CAPTION.size, f.caption, width, false)
        .into_iter()
        .map(|t| (t, CAPTION))
        .collect();
    let mut any = false;
    for (value, style) in &f.values {
        let wrapped = fonts.wrap(style.face, style.size, value, width, true);
        if wrapped.iter().any(|l| !l.is_empty()) {
            any = true;
            lines.extend(wrapped.into_iter().map(|t| (t, *style)));
        }
    }
    if !any {
        lines.push(("—".to_string(), EMPTY));
    }
    lines
}

/// Photos scaled to fit cells of a three-column grid, centred in each cell.
fn photo_grid<'a>(c: &mut Canvas<'a>, caption: &str, photos: &[Jpeg<'a>]) {
    const CELL_H: f32 = 130.0;
    const GAP: f32 = 10.0;
    let cell_w = (WIDTH - 2.0 * GAP) / 3.0;
    let caption_lines = c
        .fonts
        .wrap(CAPTION.face, CAPTION.size, caption, WIDTH, false);
    c.ensure(CAPTION.lead * caption_lines.len() as f32 + CELL_H);
    c.columns(&[(
        MARGIN,
        caption_lines.into_iter().map(|t| (t, CAPTION)).collect(),
    )]);
    c.y += 4.0;
    for row in photos.chunks(3) {
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
