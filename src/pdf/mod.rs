//! PDF documents: the work order sent to a service provider, the QR-code
//! poster put up in a building's hall, and a validity check for uploaded PDFs.
//!
//! Text is set in DejaVu Sans (regular and bold, from the `dejavu` crate),
//! subset per document, so any Latin text (French accents, œ, « », ’, —)
//! renders and extracts back. Characters the font lacks are printed as `?`;
//! control characters are dropped. Photos are embedded as the JPEG bytes
//! they are (`DCTDecode`), never decoded or re-encoded. No input makes these
//! functions panic.

mod canvas;
mod claim_page;
mod emit;
mod font;
mod jpeg;
mod notice_page;
mod poster_page;
mod work_order_page;

#[cfg(test)]
mod test_fixtures;
#[cfg(test)]
mod tests;

/// Everything printed on a work order ("ordre de service"). All strings are
/// drawn as given; multi-line fields keep their line breaks.
pub struct WorkOrderDoc<'a> {
    /// Name of the managing agency, printed at the top of every page.
    pub agency_name: &'a str,
    /// Work-order reference, e.g. "OS-2026-0042" (unique per agency).
    pub reference: &'a str,
    /// Issue date, already formatted, e.g. "23/11/2026".
    pub issued_on: &'a str,
    /// Building name.
    pub building_name: &'a str,
    /// Building postal address (may be multi-line).
    pub building_address: &'a str,
    /// Door and gate codes, key box… (may be multi-line).
    pub access_codes: &'a str,
    /// Person to meet on site: name and phone.
    pub on_site_contact: &'a str,
    /// Service provider's company name.
    pub provider_name: &'a str,
    /// Service provider's contact details.
    pub provider_contact: &'a str,
    /// Short title of the job.
    pub title: &'a str,
    /// Full description; wrapped, and continued on further pages if needed.
    pub description: &'a str,
    /// Desired intervention date, already formatted.
    pub desired_date: &'a str,
    /// Priority, already translated.
    pub priority: &'a str,
    /// Building manager's contact details.
    pub manager_contact: &'a str,
    /// JPEG photos (already re-encoded by the app). The first
    /// [`MAX_PHOTOS`] that are valid JPEGs are drawn in a grid, three per
    /// row; bytes that are not a usable JPEG are skipped, not an error.
    pub photos: &'a [Vec<u8>],
    /// Captions, translated by the caller.
    pub labels: &'a WorkOrderLabels<'a>,
}

/// Captions of a work order; every one comes from the caller's translations.
pub struct WorkOrderLabels<'a> {
    /// Document title, e.g. "Ordre de service".
    pub title: &'a str,
    /// Caption before the reference, e.g. "Référence".
    pub reference: &'a str,
    /// Caption before the issue date, e.g. "Émis le".
    pub issued_on: &'a str,
    /// Building section caption.
    pub building: &'a str,
    /// Access codes section caption.
    pub access: &'a str,
    /// On-site contact section caption.
    pub contact: &'a str,
    /// Service provider section caption.
    pub provider: &'a str,
    /// Description section caption.
    pub description: &'a str,
    /// Desired date caption.
    pub desired_date: &'a str,
    /// Priority caption.
    pub priority: &'a str,
    /// Building manager caption.
    pub manager: &'a str,
    /// Photos section caption.
    pub photos: &'a str,
}

/// The A4 poster inviting residents to register, with the building code and
/// a QR code of the registration link.
pub struct PosterDoc<'a> {
    /// Building name, printed large.
    pub building_name: &'a str,
    /// Building code residents type when registering, printed large.
    pub building_code: &'a str,
    /// Registration link, e.g. `https://host/register?code=ABCD2345`; it is
    /// what the QR code encodes, and it is printed below it.
    pub register_url: &'a str,
    /// Headline at the top, e.g. "Rejoignez l'espace résidents".
    pub headline: &'a str,
    /// A few sentences on how to register.
    pub instructions: &'a str,
    /// Caption above the code, e.g. "Code de l'immeuble".
    pub code_label: &'a str,
    /// Caption above the printed link, e.g. "Ou rendez-vous sur".
    pub url_label: &'a str,
}

/// An announcement printed for the hall.
pub struct NoticeDoc<'a> {
    pub building_name: &'a str,
    /// The publication date, as people write it.
    pub date: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    /// The registration link the QR code encodes (the poster's).
    pub register_url: &'a str,
    /// Under the QR code, e.g. "Scannez pour rejoindre l'espace résidents".
    pub qr_caption: &'a str,
    /// At the foot of every page.
    pub footer: &'a str,
}

/// Everything printed on an insurance claim declaration, already formatted and translated.
/// Multi-line fields keep their line breaks.
pub struct ClaimDoc<'a> {
    pub agency_name: &'a str,
    /// "SIN-2026-0001".
    pub reference: &'a str,
    pub issued_on: &'a str,
    /// The claim's title (the report's, when declared from one).
    pub title: &'a str,
    /// The insured: the building's syndicate (or landlord), then its address and representative.
    pub policyholder_name: &'a str,
    pub policyholder: &'a str,
    pub policy_number: &'a str,
    pub insurer_name: &'a str,
    pub insurer_contact: &'a str,
    pub insurer_reference: &'a str,
    pub kind: &'a str,
    pub occurred_at: &'a str,
    pub discovered_at: &'a str,
    pub place: &'a str,
    pub circumstances: &'a str,
    pub damages: &'a str,
    pub estimate: &'a str,
    /// E.g. the IRSI band of a water-damage estimate.
    pub estimate_note: &'a str,
    pub lots: &'a str,
    pub third_parties: &'a str,
    /// One attachment a line.
    pub attachments: &'a str,
    pub manager_contact: &'a str,
    /// JPEG photos, printed small; unusable ones are skipped.
    pub photos: &'a [Vec<u8>],
    pub labels: &'a ClaimLabels<'a>,
}

/// Captions of a claim declaration, from the caller's translations.
pub struct ClaimLabels<'a> {
    pub title: &'a str,
    pub reference: &'a str,
    pub issued_on: &'a str,
    pub policyholder: &'a str,
    pub insurer: &'a str,
    pub policy_number: &'a str,
    pub kind: &'a str,
    pub insurer_reference: &'a str,
    pub occurred_at: &'a str,
    pub discovered_at: &'a str,
    pub place: &'a str,
    pub circumstances: &'a str,
    pub damages: &'a str,
    pub estimate: &'a str,
    pub lots: &'a str,
    pub third_parties: &'a str,
    pub attachments: &'a str,
    pub manager: &'a str,
    pub photos: &'a str,
}

/// Renders an insurance claim declaration: A4, one page or more.
pub fn claim(doc: &ClaimDoc) -> Result<Vec<u8>, PdfError> {
    claim_page::render(doc)
}

/// Most photos a work order shows; further ones are ignored.
pub const MAX_PHOTOS: usize = 5;

/// Why a PDF could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The document could not be laid out or serialised (e.g. a register URL
    /// too long for a QR code, or an unusable embedded font).
    #[error("PDF rendering failed: {0}")]
    Render(String),
    /// An image is not a usable JPEG. [`work_order`] never returns it: it
    /// skips such photos.
    #[error("unusable image: {0}")]
    Image(String),
}

/// Renders a work order: A4, one page or more, as PDF bytes.
pub fn work_order(doc: &WorkOrderDoc) -> Result<Vec<u8>, PdfError> {
    work_order_page::render(doc)
}

/// Renders the one-page A4 registration poster (building name, code, an
/// 8 cm QR code of `register_url`, and the URL printed below it).
pub fn poster(doc: &PosterDoc) -> Result<Vec<u8>, PdfError> {
    poster_page::render(doc)
}

/// Renders an announcement as an A4 notice: large type, the QR code in a corner.
pub fn notice(doc: &NoticeDoc) -> Result<Vec<u8>, PdfError> {
    notice_page::render(doc)
}

/// Whether `bytes` is a real PDF: it starts with `%PDF-`, has `%%EOF` in its
/// last kilobyte, and parses with lopdf into a document with at least one
/// page. Meant for uploads: streams are never inflated past 64 MiB while
/// parsing, and a parser panic counts as "not a PDF". Password-protected
/// PDFs that cannot be opened without the password are rejected.
pub fn is_pdf(bytes: &[u8]) -> bool {
    if !bytes.starts_with(b"%PDF-") {
        return false;
    }
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return false;
    }
    std::panic::catch_unwind(|| {
        let options = lopdf::LoadOptions {
            max_decompressed_size: Some(64 << 20),
            ..Default::default()
        };
        lopdf::Document::load_mem_with_options(bytes, options)
            .is_ok_and(|doc| doc.page_iter().next().is_some())
    })
    .unwrap_or(false)
}
