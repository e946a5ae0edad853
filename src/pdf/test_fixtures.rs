//! Sample documents and helpers for the PDF tests: real JPEGs from the
//! `image` crate, and wrappers around the poppler and zbar command-line tools.

use std::path::PathBuf;
use std::process::Command;

use super::*;

pub(super) const ACCENTS: &str = "Fuite d’eau au 3ème étage — réparé, façade, cœur";
pub(super) const URL: &str = "https://palier.example/register?code=ABCD2345";

/// A 1×1 RGB PNG.
pub(super) const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0x00,
    0x00, 0x03, 0x01, 0x01, 0x00, 0xc9, 0xfe, 0x92, 0xef, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

pub(super) const LABELS: WorkOrderLabels<'static> = WorkOrderLabels {
    title: "Ordre de service",
    reference: "Référence",
    issued_on: "Émis le",
    building: "Immeuble",
    access: "Accès",
    contact: "Contact sur place",
    provider: "Prestataire",
    description: "Description",
    desired_date: "Date souhaitée",
    priority: "Priorité",
    manager: "Gestionnaire",
    photos: "Photos",
};

pub(super) fn order<'a>(description: &'a str, photos: &'a [Vec<u8>]) -> WorkOrderDoc<'a> {
    WorkOrderDoc {
        agency_name: "Agence Gérance du Faubourg",
        reference: "OS-2026-0042",
        issued_on: "23/11/2026",
        building_name: "Résidence Les Tilleuls",
        building_address: "12 rue des Lilas\n75011 Paris",
        access_codes: "Portail : 4721B\nHall : clé dans la boîte à clés, code 0815",
        on_site_contact: "Mme Françoise Lefèvre — 06 12 34 56 78",
        provider_name: "Plomberie Dupré & Fils",
        provider_contact: "contact@dupre-plomberie.fr\n01 23 45 67 89",
        title: ACCENTS,
        description,
        desired_date: "01/12/2026",
        priority: "Urgente",
        manager_contact: "Julien Marchand — 01 98 76 54 32 — j.marchand@gerance.fr",
        photos,
        labels: &LABELS,
    }
}

pub(super) fn poster_doc() -> PosterDoc<'static> {
    PosterDoc {
        building_name: "Résidence Les Tilleuls",
        building_code: "ABCD2345",
        register_url: URL,
        headline: "Rejoignez l’espace résidents",
        instructions: "Scannez le QR code ou rendez-vous sur le site, puis saisissez le code de l’immeuble \
                       pour créer votre compte. Vous recevrez les annonces et pourrez signaler un problème.",
        code_label: "Code de l’immeuble",
        url_label: "Ou rendez-vous sur",
    }
}

/// A JPEG made with the `image` crate (colour or greyscale).
pub(super) fn jpeg(width: u32, height: u32, grey: bool) -> Vec<u8> {
    let rgb = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 160])
    });
    let img = if grey {
        image::DynamicImage::ImageLuma8(image::DynamicImage::ImageRgb8(rgb).to_luma8())
    } else {
        image::DynamicImage::ImageRgb8(rgb)
    };
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encode jpeg");
    out.into_inner()
}

/// Fails the test, with the install command, when `tool` cannot be run.
pub(super) fn require(tool: &str) {
    // A test that cannot run its check must fail, never pass silently (issue 13).
    if Command::new(tool).arg("-v").output().is_err() {
        panic!(
            "`{tool}` is not installed: apt-get install -y poppler-utils zbar-tools (or run ./test.sh)"
        );
    }
}

/// Writes `bytes` to a fresh temporary file.
pub(super) fn temp(name: &str, bytes: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("palier-pdf-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).expect("write temp file");
    path
}

/// Runs `tool args…` and returns its stdout, failing the test on error.
pub(super) fn run(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().expect("run tool");
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(super) fn pages(pdf: &[u8], name: &str) -> usize {
    let path = temp(name, pdf);
    let info = run("pdfinfo", &[path.to_str().unwrap()]);
    std::fs::remove_file(&path).ok();
    let line = info
        .lines()
        .find(|l| l.starts_with("Pages:"))
        .expect("pdfinfo prints Pages");
    line["Pages:".len()..].trim().parse().expect("page count")
}
