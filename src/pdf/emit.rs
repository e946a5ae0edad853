//! Turns the canvas recording into a PDF with printpdf: one subset font per
//! face, JPEGs passed through as `DCTDecode` images, vector rectangles.

use std::collections::{BTreeMap, BTreeSet};

use printpdf::{
    Color, CurTransMat, DictItem, ExternalStream, ExternalXObject, LinePoint, Mm, Op, PaintMode,
    PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, Rgb,
    TextItem, WindingOrder, XObjectTransform,
};

use super::PdfError;
use super::canvas::{PAGE_H, Rgb8, Style};
use super::font::{Face, Fonts, subset_face};
use super::jpeg::Jpeg;

/// One drawing instruction, in top-down page coordinates (points).
pub(super) enum Draw {
    /// A line of text; `y` is its baseline.
    Text {
        x: f32,
        y: f32,
        style: Style,
        text: String,
    },
    /// Filled rectangles `[x, top, width, height]`, painted as one path.
    Rects { color: Rgb8, rects: Vec<[f32; 4]> },
    /// Image number `index` of the document, stretched to the box.
    Image {
        index: usize,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

/// Serialises recorded pages into PDF bytes titled `title`.
pub(super) fn serialize(
    fonts: &Fonts,
    pages: &[Vec<Draw>],
    images: &[Jpeg<'_>],
    title: &str,
) -> Result<Vec<u8>, PdfError> {
    let title = fonts.clean(title, false);
    let mut doc = PdfDocument::new(&title);
    doc.metadata.info.creator = "Palier".into();
    doc.metadata.info.producer = "Palier".into();
    doc.metadata.info.creation_date = printpdf::OffsetDateTime::now_utc();
    doc.metadata.info.modification_date = doc.metadata.info.creation_date;
    let font_ids = embed_fonts(fonts, pages, &mut doc)?;
    let image_ids: Vec<_> = images
        .iter()
        .map(|j| doc.add_xobject(&xobject(j)))
        .collect();
    let mut pdf_pages = Vec::with_capacity(pages.len());
    for draws in pages {
        let mut ops = Vec::new();
        for draw in draws {
            match draw {
                Draw::Text { x, y, style, text } => ops.extend([
                    Op::StartTextSection,
                    Op::SetFillColor {
                        col: color(style.color),
                    },
                    Op::SetFont {
                        font: PdfFontHandle::External(font_ids[style.face.index()].clone()),
                        size: Pt(style.size),
                    },
                    Op::SetTextCursor { pos: point(*x, *y) },
                    Op::ShowText {
                        items: vec![TextItem::Text(text.clone())],
                    },
                    Op::EndTextSection,
                ]),
                Draw::Rects { color: c, rects } => ops.extend([
                    Op::SetFillColor { col: color(*c) },
                    Op::DrawPolygon {
                        polygon: polygon(rects),
                    },
                ]),
                Draw::Image { index, x, y, w, h } => ops.extend([
                    Op::SaveGraphicsState,
                    Op::SetTransformationMatrix {
                        matrix: CurTransMat::Raw([*w, 0.0, 0.0, *h, *x, PAGE_H - y - h]),
                    },
                    Op::UseXobject {
                        id: image_ids[*index].clone(),
                        transform: XObjectTransform {
                            no_auto_scale: true,
                            ..Default::default()
                        },
                    },
                    Op::RestoreGraphicsState,
                ]),
            }
        }
        pdf_pages.push(PdfPage::new(Mm(210.0), Mm(297.0), ops));
    }
    let mut warnings = Vec::new();
    Ok(doc
        .with_pages(pdf_pages)
        .save(&PdfSaveOptions::default(), &mut warnings))
}

/// Adds, for each face, a subset with exactly the characters drawn.
fn embed_fonts(
    fonts: &Fonts,
    pages: &[Vec<Draw>],
    doc: &mut PdfDocument,
) -> Result<Vec<printpdf::FontId>, PdfError> {
    let mut used: [BTreeSet<char>; 2] = Default::default();
    for draw in pages.iter().flatten() {
        if let Draw::Text { style, text, .. } = draw {
            used[style.face.index()].extend(text.chars());
        }
    }
    Face::ALL
        .iter()
        .map(|face| Ok(doc.add_font(&subset_face(fonts, *face, &used[face.index()])?)))
        .collect()
}

fn color((r, g, b): Rgb8) -> Color {
    Color::Rgb(Rgb::new(
        f32::from(r) / 255.0,
        f32::from(g) / 255.0,
        f32::from(b) / 255.0,
        None,
    ))
}

/// Converts top-down page coordinates to PDF (bottom-up) ones.
fn point(x: f32, top: f32) -> Point {
    Point {
        x: Pt(x),
        y: Pt(PAGE_H - top),
    }
}

fn polygon(rects: &[[f32; 4]]) -> Polygon {
    let corner = |x: f32, y: f32| LinePoint {
        p: point(x, y),
        bezier: false,
    };
    let rings = rects
        .iter()
        .map(|&[x, y, w, h]| PolygonRing {
            points: vec![
                corner(x, y),
                corner(x + w, y),
                corner(x + w, y + h),
                corner(x, y + h),
            ],
        })
        .collect();
    Polygon {
        rings,
        mode: PaintMode::Fill,
        winding_order: WindingOrder::NonZero,
    }
}

/// An image XObject that hands the JPEG bytes to the viewer unchanged.
fn xobject(jpeg: &Jpeg<'_>) -> ExternalXObject {
    let name = |n: &str| DictItem::Name(n.as_bytes().to_vec());
    let colour_space = if jpeg.components == 1 {
        "DeviceGray"
    } else {
        "DeviceRGB"
    };
    let dict = BTreeMap::from([
        ("Type".to_string(), name("XObject")),
        ("Subtype".to_string(), name("Image")),
        ("Width".to_string(), DictItem::Int(i64::from(jpeg.width))),
        ("Height".to_string(), DictItem::Int(i64::from(jpeg.height))),
        ("ColorSpace".to_string(), name(colour_space)),
        ("BitsPerComponent".to_string(), DictItem::Int(8)),
        ("Filter".to_string(), name("DCTDecode")),
    ]);
    ExternalXObject {
        stream: ExternalStream {
            dict,
            content: jpeg.bytes.to_vec(),
            compress: false,
        },
        width: None,
        height: None,
        dpi: None,
    }
}
