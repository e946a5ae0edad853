//! Round-trip tests through real tools: poppler-utils (pdftotext, pdfinfo,
//! pdfimages, pdftoppm) and zbar-tools (zbarimg). A missing tool fails the test
//! with the command that installs it.

use std::time::Instant;

use super::test_fixtures::*;
use super::*;

#[test]
fn work_order_text_extracts_with_accents() {
    let pdf = work_order(&order(
        &format!("{ACCENTS}.\nVoir « Côté cour » à l’entrée."),
        &[],
    ))
    .unwrap();
    assert!(is_pdf(&pdf));
    require("pdftotext");
    let path = temp("order.pdf", &pdf);
    let text = run("pdftotext", &["-layout", path.to_str().unwrap(), "-"]);
    std::fs::remove_file(&path).ok();
    for expected in [
        "OS-2026-0042",
        "12 rue des Lilas",
        "75011 Paris",
        "4721B",
        "Plomberie Dupré & Fils",
        ACCENTS,
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} not in extracted text:\n{text}"
        );
    }
    for expected in [
        "Date souhaitée",
        "Émis le 23/11/2026",
        "Lefèvre",
        "« Côté cour » à l’entrée",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} not in extracted text:\n{text}"
        );
    }
}

#[test]
fn work_order_long_description_takes_two_pages() {
    let sentence =
        "La colonne d’eau froide fuit au niveau du raccord, prévoir le remplacement du joint. ";
    let long: String = sentence.chars().cycle().take(3000).collect();
    let short = work_order(&order("Fuite sous l’évier.", &[])).unwrap();
    let pdf = work_order(&order(&long, &[])).unwrap();
    assert!(is_pdf(&pdf));
    require("pdfinfo");
    assert_eq!(pages(&short, "short.pdf"), 1);
    assert_eq!(pages(&pdf, "long.pdf"), 2);
}

#[test]
fn work_order_embeds_valid_photos_and_skips_bad_ones() {
    let photos = vec![
        jpeg(640, 480, false),
        b"not a jpeg".to_vec(),
        jpeg(300, 400, true),
        vec![0xFF, 0xD8, 0xFF],
    ];
    let pdf = work_order(&order("Voir photos.", &photos)).unwrap();
    assert!(is_pdf(&pdf));
    require("pdfimages");
    let path = temp("photos.pdf", &pdf);
    let list = run("pdfimages", &["-list", path.to_str().unwrap()]);
    std::fs::remove_file(&path).ok();
    // Two header lines, then one line per image.
    let images: Vec<&str> = list
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(images.len(), 2, "{list}");
    assert!(images.iter().all(|l| l.contains("jpeg")), "{list}");
}

#[test]
fn poster_text_and_qr_code_round_trip() {
    let pdf = poster(&poster_doc()).unwrap();
    assert!(is_pdf(&pdf));
    require("pdftotext");
    require("pdftoppm");
    require("zbarimg");
    let path = temp("poster.pdf", &pdf);
    let text = run("pdftotext", &["-layout", path.to_str().unwrap(), "-"]);
    for expected in [
        "Résidence Les Tilleuls",
        "ABCD2345",
        "Code de l’immeuble",
        URL,
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} not in extracted text:\n{text}"
        );
    }
    let root = path.with_extension("");
    run(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "150",
            "-singlefile",
            path.to_str().unwrap(),
            root.to_str().unwrap(),
        ],
    );
    let png = path.with_extension("png");
    let decoded = run("zbarimg", &["--raw", "-q", png.to_str().unwrap()]);
    std::fs::remove_file(&path).ok();
    std::fs::remove_file(&png).ok();
    assert_eq!(decoded.trim_end_matches('\n'), URL);
}

#[test]
fn is_pdf_accepts_generated_pdfs_only() {
    let order = work_order(&order("Test", &[])).unwrap();
    let poster = poster(&poster_doc()).unwrap();
    assert!(is_pdf(&order));
    assert!(is_pdf(&poster));
    assert!(!is_pdf(b"%PDF-1.4 garbage"));
    assert!(!is_pdf(b"%PDF-1.4 garbage\n%%EOF\n"));
    assert!(!is_pdf(PNG));
    assert!(!is_pdf(b""));
    assert!(!is_pdf(&order[..order.len() / 2]));
    assert!(!is_pdf(&jpeg(8, 8, false)));
}

#[test]
fn hostile_input_never_panics() {
    let control: String = (0u8..0x20)
        .map(char::from)
        .chain("\u{7f}\u{85}\u{200e}\u{feff}".chars())
        .collect();
    let odd = format!("{control}🏠 中文 עברית \r\n\t{}", "x".repeat(20_000));
    let huge = "mot ".repeat(5_000);
    let bad_photos = vec![
        Vec::new(),
        vec![0xFF, 0xD8],
        b"\xFF\xD8\xFF\xC0\x00\x02".to_vec(),
        vec![0xFF; 64],
    ];
    let blank = WorkOrderLabels {
        title: "",
        reference: "",
        issued_on: "",
        building: "",
        access: "",
        contact: "",
        provider: "",
        description: "",
        desired_date: "",
        priority: "",
        manager: "",
        photos: "",
    };
    let text_fields = [odd.as_str(), "", huge.as_str()];
    for s in text_fields {
        let doc = WorkOrderDoc {
            agency_name: s,
            reference: s,
            issued_on: s,
            building_name: s,
            building_address: s,
            access_codes: s,
            on_site_contact: s,
            provider_name: s,
            provider_contact: s,
            title: s,
            description: s,
            desired_date: s,
            priority: s,
            manager_contact: s,
            photos: &bad_photos,
            labels: &blank,
        };
        assert!(is_pdf(&work_order(&doc).unwrap()));
        let p = PosterDoc {
            building_name: s,
            building_code: s,
            register_url: "https://x/r?c=A",
            headline: s,
            instructions: s,
            code_label: s,
            url_label: s,
        };
        let pdf = poster(&p).unwrap();
        assert!(is_pdf(&pdf));
    }
    let too_long = PosterDoc {
        register_url: &huge,
        ..poster_doc()
    };
    assert!(matches!(poster(&too_long), Err(PdfError::Render(_))));
    assert!(matches!(
        jpeg::Jpeg::parse(b"\xFF\xD8\xFF\xD9"),
        Err(PdfError::Image(_))
    ));
}

#[test]
fn generation_time_per_document() {
    let description: String = "Remplacement du joint de la colonne. "
        .chars()
        .cycle()
        .take(3000)
        .collect();
    let photos = vec![
        jpeg(1280, 960, false),
        jpeg(1280, 960, false),
        jpeg(800, 600, true),
    ];
    let runs = 10;
    let start = Instant::now();
    for _ in 0..runs {
        work_order(&order(&description, &photos)).unwrap();
    }
    let per_order = start.elapsed() / runs;
    let start = Instant::now();
    for _ in 0..runs {
        poster(&poster_doc()).unwrap();
    }
    let per_poster = start.elapsed() / runs;
    let sizes = (
        work_order(&order(&description, &photos)).unwrap().len(),
        poster(&poster_doc()).unwrap().len(),
    );
    eprintln!(
        "work order (2 pages, 3 photos): {per_order:?} each, {} bytes",
        sizes.0
    );
    eprintln!("poster: {per_poster:?} each, {} bytes", sizes.1);
}

#[test]
fn text_is_cleaned_and_wrapped_within_width() {
    let fonts = font::Fonts::load().unwrap();
    let cleaned = fonts.clean("a\u{0}b\tc\r\nd\u{200b}e🏠", true);
    assert_eq!(cleaned, "ab c\nde?");
    assert_eq!(fonts.clean("un\ndeux", false), "un deux");
    let long = format!("court {} fin\n\nsuite", "x".repeat(400));
    let lines = fonts.wrap(font::Face::Regular, 10.0, &long, 200.0, true);
    assert!(lines.len() > 4, "{lines:?}");
    assert!(
        lines
            .iter()
            .all(|l| fonts.width(font::Face::Regular, 10.0, l) <= 200.0)
    );
    assert_eq!(lines.first().map(String::as_str), Some("court"));
    let n = lines.len();
    assert!(lines[n - 3].ends_with("x fin"), "{lines:?}");
    assert_eq!(lines[n - 2..], ["", "suite"]);
    let cut = fonts.wrap_at_most(font::Face::Bold, 20.0, &long, 200.0, 2);
    assert_eq!(cut.len(), 2);
    assert!(cut[1].ends_with('…'));
}
