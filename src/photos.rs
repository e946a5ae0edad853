//! Validation and re-encoding of uploaded photos.
//!
//! Uploads are untrusted: the format is sniffed from the bytes (never the file
//! name), decoding is bounded so a small file cannot claim gigapixels, and the
//! output is re-encoded from pixels, which drops every piece of metadata
//! (Exif, GPS position, XMP, comments) occupants may not know they shared.

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

#[cfg(test)]
#[path = "../tests/fixtures/images.rs"]
mod test_fixtures;

/// Largest accepted upload, in bytes.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// Largest accepted width or height of the decoded image, in pixels.
const MAX_DIMENSION: u32 = 12_000;
/// Upper bound on the decoded pixel buffer.
const MAX_ALLOC: u64 = 512 * 1024 * 1024;
const FULL_MAX: u32 = 2048;
const THUMB_MAX: u32 = 400;
const FULL_QUALITY: u8 = 82;
const THUMB_QUALITY: u8 = 80;

/// A photo ready to store: metadata-free JPEGs.
#[derive(Debug, Clone)]
pub struct ProcessedPhoto {
    /// Upright image fitting in 2048×2048.
    pub full: Vec<u8>,
    /// Upright image fitting in 400×400.
    pub thumb: Vec<u8>,
    /// Dimensions of `full`.
    pub width: u32,
    pub height: u32,
    pub content_type: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    #[error("photo is larger than 10 MiB")]
    TooLarge,
    #[error("file is not a JPEG, PNG or WebP image")]
    NotAnImage,
    #[error("photo has too many pixels")]
    TooManyPixels,
    #[error("photo could not be decoded: {0}")]
    Decode(String),
    #[error("photo could not be encoded: {0}")]
    Encode(String),
}

impl PhotoError {
    /// Translation key of the message shown to the uploader.
    pub fn message_key(&self) -> &'static str {
        match self {
            PhotoError::TooLarge => "error.photo_too_large",
            PhotoError::NotAnImage => "error.photo_not_image",
            PhotoError::TooManyPixels => "error.photo_too_many_pixels",
            PhotoError::Decode(_) => "error.photo_unreadable",
            PhotoError::Encode(_) => "error.internal",
        }
    }
}

/// Validates an uploaded photo and re-encodes it as upright, metadata-free
/// JPEGs (full size and thumbnail). CPU-bound: call it from `spawn_blocking`.
pub fn process(bytes: &[u8]) -> Result<ProcessedPhoto, PhotoError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(PhotoError::TooLarge);
    }
    // HEIC, GIF, PDF, text, ... all land here: only these codecs are built in.
    let format = match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => f,
        _ => return Err(PhotoError::NotAnImage),
    };

    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_ALLOC);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);

    // Only the header has been parsed at this point; the limits above are
    // checked against it, before any pixel buffer is allocated.
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let (w, h) = decoder.dimensions();
    // `from_decoder` does not enforce `max_alloc` for the output buffer
    // (e.g. 12000×12000 RGBA16 passes the dimension check), so do it here.
    if w > MAX_DIMENSION || h > MAX_DIMENSION || decoder.total_bytes() > MAX_ALLOC {
        return Err(PhotoError::TooManyPixels);
    }
    // A damaged Exif block should not cost the occupant their report.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(decode_error)?;

    if img.color().has_alpha() {
        img = flatten_on_white(img);
    }
    // Both bounding boxes are square, so shrinking before rotating gives the
    // same result while rotating far fewer pixels.
    let mut full = fit_within(img, FULL_MAX);
    full.apply_orientation(orientation);
    let full = DynamicImage::ImageRgb8(full.into_rgb8());
    let thumb = fit_within(full.clone(), THUMB_MAX);

    Ok(ProcessedPhoto {
        width: full.width(),
        height: full.height(),
        full: encode_jpeg(&full, FULL_QUALITY)?,
        thumb: encode_jpeg(&thumb, THUMB_QUALITY)?,
        content_type: "image/jpeg",
    })
}

fn decode_error(e: ImageError) -> PhotoError {
    match e {
        ImageError::Limits(_) => PhotoError::TooManyPixels,
        other => PhotoError::Decode(other.to_string()),
    }
}

/// JPEG has no alpha: composite onto white rather than letting transparent
/// areas turn black.
fn flatten_on_white(img: DynamicImage) -> DynamicImage {
    let mut rgba = img.into_rgba8();
    for px in rgba.pixels_mut() {
        let alpha = u16::from(px[3]);
        for c in &mut px.0[..3] {
            let blended = (u16::from(*c) * alpha + 255 * (255 - alpha) + 127) / 255;
            *c = u8::try_from(blended).unwrap_or(u8::MAX);
        }
        px[3] = 255;
    }
    DynamicImage::ImageRgba8(rgba)
}

/// Shrinks (never enlarges) to fit in `max`×`max`, keeping the aspect ratio.
fn fit_within(img: DynamicImage, max: u32) -> DynamicImage {
    let (w, h) = (img.width(), img.height());
    if w <= max && h <= max {
        return img;
    }
    if w.max(h) >= 2 * max {
        // Box averaging: good quality at large ratios, and unlike `resize` it
        // needs no full-width f32 intermediate (≈400 MB for a 12000 px photo).
        img.thumbnail(max, max)
    } else {
        img.resize(max, max, FilterType::CatmullRom)
    }
}

fn encode_jpeg(img: &DynamicImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    // A fresh encoder writes no Exif/XMP/ICC segments unless asked to.
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .map_err(|e| PhotoError::Encode(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::test_fixtures::*;
    use super::*;
    use image::GenericImageView;

    fn decode_jpeg(bytes: &[u8]) -> DynamicImage {
        assert_eq!(image::guess_format(bytes).ok(), Some(ImageFormat::Jpeg));
        image::load_from_memory_with_format(bytes, ImageFormat::Jpeg).unwrap()
    }

    fn assert_no_metadata(jpeg: &[u8]) {
        assert!(!contains_bytes(jpeg, b"Exif"));
        assert!(!contains_bytes(jpeg, &[0xFF, 0xE1]), "APP1 marker present");
        assert!(!jpeg_markers(jpeg).contains(&0xE1));
        assert!(!contains_bytes(jpeg, &GPS_IFD_POINTER_ENTRY));
        assert!(!contains_bytes(jpeg, &GPS_LATITUDE_ENTRY));
    }

    #[test]
    fn strips_exif_and_gps_metadata() {
        let input = jpeg_with_gps_exif();
        assert!(contains_bytes(&input, b"Exif\0\0"));
        assert!(contains_bytes(&input, &GPS_IFD_POINTER_ENTRY));
        assert!(contains_bytes(&input, &GPS_LATITUDE_ENTRY));
        assert_eq!(jpeg_markers(&input).first(), Some(&0xE1));

        let out = process(&input).unwrap();
        assert_eq!(out.content_type, "image/jpeg");
        assert_eq!((out.width, out.height), (64, 48));
        assert_no_metadata(&out.full);
        assert_no_metadata(&out.thumb);
        assert_eq!(decode_jpeg(&out.full).dimensions(), (64, 48));
        assert_eq!(decode_jpeg(&out.thumb).dimensions(), (64, 48));
    }

    #[test]
    fn png_named_jpg_is_accepted_by_content_and_flattened_on_white() {
        // Only bytes reach `process`: a "photo.jpg" that is really a PNG is fine.
        let out = process(&small_png(80, 40)).unwrap();
        assert_eq!((out.width, out.height), (80, 40));
        let full = decode_jpeg(&out.full).into_rgb8();
        // Left quarter of the fixture is fully transparent.
        let px = full.get_pixel(2, 20).0;
        assert!(px.iter().all(|&c| c > 240), "expected white, got {px:?}");
    }

    #[test]
    fn webp_is_accepted() {
        let img = DynamicImage::ImageRgb8(image::RgbImage::new(30, 20));
        let mut webp = Cursor::new(Vec::new());
        img.write_to(&mut webp, ImageFormat::WebP).unwrap();
        let out = process(webp.get_ref()).unwrap();
        assert_eq!((out.width, out.height), (30, 20));
    }

    #[test]
    fn non_images_are_rejected() {
        for bytes in [
            &b"hello"[..],
            b"",
            b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n",
            &[0u8; 64],
        ] {
            assert!(matches!(process(bytes), Err(PhotoError::NotAnImage)));
        }
        // GIF is an image, but not one we accept.
        assert!(matches!(
            process(b"GIF89a\x01\x00\x01\x00"),
            Err(PhotoError::NotAnImage)
        ));
    }

    #[test]
    fn truncated_image_is_unreadable() {
        let png = small_png(40, 40);
        let err = process(&png[..png.len() / 2]).unwrap_err();
        assert!(matches!(err, PhotoError::Decode(_)), "{err:?}");
        assert_eq!(err.message_key(), "error.photo_unreadable");
    }

    #[test]
    fn oversized_upload_is_too_large() {
        let bytes = vec![0u8; MAX_UPLOAD_BYTES + 1];
        assert!(matches!(process(&bytes), Err(PhotoError::TooLarge)));
    }

    #[test]
    fn pixel_bomb_header_is_rejected_without_decoding() {
        let bomb = png_header_only(30_000, 30_000);
        assert!(bomb.len() < 100);
        assert!(matches!(process(&bomb), Err(PhotoError::TooManyPixels)));
        // One side over the limit is enough.
        let tall = png_header_only(10, MAX_DIMENSION + 1);
        assert!(matches!(process(&tall), Err(PhotoError::TooManyPixels)));
    }

    #[test]
    fn large_image_is_downscaled_keeping_aspect_ratio() {
        let out = process(&small_png(3000, 1500)).unwrap();
        assert_eq!((out.width, out.height), (2048, 1024));
        assert_eq!(decode_jpeg(&out.full).dimensions(), (2048, 1024));
        assert_eq!(decode_jpeg(&out.thumb).dimensions(), (400, 200));
    }

    #[test]
    fn small_image_is_not_upscaled() {
        let out = process(&small_png(120, 90)).unwrap();
        assert_eq!((out.width, out.height), (120, 90));
        assert_eq!(decode_jpeg(&out.thumb).dimensions(), (120, 90));
    }

    #[test]
    fn exif_orientation_is_applied() {
        // Orientation 6 = "rotate 90° clockwise to display": a 64×48 sensor
        // image is a 48×64 portrait photo.
        let out = process(&jpeg_with_exif(64, 48, 6)).unwrap();
        assert_eq!((out.width, out.height), (48, 64));
        assert_eq!(decode_jpeg(&out.full).dimensions(), (48, 64));
        assert_no_metadata(&out.full);
    }

    #[test]
    fn message_keys() {
        assert_eq!(PhotoError::TooLarge.message_key(), "error.photo_too_large");
        assert_eq!(
            PhotoError::NotAnImage.message_key(),
            "error.photo_not_image"
        );
        assert_eq!(
            PhotoError::TooManyPixels.message_key(),
            "error.photo_too_many_pixels"
        );
        assert_eq!(
            PhotoError::Encode(String::new()).message_key(),
            "error.internal"
        );
    }
}
