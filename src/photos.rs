//! Validation and re-encoding of uploaded photos.
//!
//! Uploads are untrusted: the format is sniffed from the bytes (never the file
//! name), decoding is bounded so a small file cannot claim gigapixels, and the
//! output is re-encoded from pixels, which drops every piece of metadata
//! (Exif, GPS position, XMP, comments) occupants may not know they shared.

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{ColorType, DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};
use std::io::Cursor;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;

mod containers;
mod scaled_jpeg;

use containers::{container_complete, jpeg_is_progressive};

#[cfg(test)]
#[path = "../tests/fixtures/images.rs"]
mod test_fixtures;

/// Largest accepted upload, in bytes.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// Largest accepted width or height of the decoded image, in pixels.
const MAX_DIMENSION: u32 = 12_000;
/// Largest accepted pixel count: what a phone camera makes (48–50 MP sensors).
pub const MAX_PIXELS: u64 = 50_000_000;
/// Memory all decodes running at once may use, conversions included. One decode costing
/// more is refused outright; cheaper ones share it.
pub const DECODE_BUDGET: u64 = 224 * MIB;
const MIB: u64 = 1024 * 1024;
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
    #[error("too many photos are being processed")]
    Busy,
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
            PhotoError::Busy => "error.busy",
        }
    }
}

/// What the header says about an upload, before any pixel is decoded.
#[derive(Debug, Clone, Copy)]
pub struct Inspected {
    pub width: u32,
    pub height: u32,
    /// Upper bound of the memory processing needs, in bytes: the decoder's own buffers,
    /// the decoded image and every conversion after it.
    pub cost: u64,
}

/// Checks an upload from its header alone: size, format, pixel count, completeness, and
/// what decoding it will cost. Cheap: no pixel buffer is allocated.
pub fn inspect(bytes: &[u8]) -> Result<Inspected, PhotoError> {
    let (format, decoder) = open(bytes)?;
    header_facts(bytes, format, &decoder)
}

fn open(bytes: &[u8]) -> Result<(ImageFormat, impl ImageDecoder + '_), PhotoError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(PhotoError::TooLarge);
    }
    // HEIC, GIF, PDF, text, ... all land here: only these codecs are built in.
    let format = match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => f,
        _ => return Err(PhotoError::NotAnImage),
    };
    // Refuse truncated files before the decoder sees them: the JPEG and WebP decoders pad
    // missing data, so a few hundred bytes could otherwise stand for a whole image.
    if !container_complete(bytes, format) {
        return Err(PhotoError::Decode("truncated file".into()));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(DECODE_BUDGET);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    // Only the header is parsed here; the limits are checked against it.
    let decoder = reader.into_decoder().map_err(decode_error)?;
    Ok((format, decoder))
}

fn header_facts(
    bytes: &[u8],
    format: ImageFormat,
    decoder: &impl ImageDecoder,
) -> Result<Inspected, PhotoError> {
    let (width, height) = decoder.dimensions();
    let pixels = u64::from(width) * u64::from(height);
    if width > MAX_DIMENSION || height > MAX_DIMENSION || pixels > MAX_PIXELS {
        return Err(PhotoError::TooManyPixels);
    }
    let cost = decode_cost(bytes, format, decoder.color_type(), width, height);
    if cost > DECODE_BUDGET {
        return Err(PhotoError::TooManyPixels);
    }
    Ok(Inspected {
        width,
        height,
        cost,
    })
}

/// The shrunk copy made while the decoded image is still alive (later steps only touch
/// images of at most 2048², after the decoded one is freed).
const OUTPUTS_COST: u64 = FULL_MAX as u64 * FULL_MAX as u64 * 8 + 4 * MIB;

/// Peak memory of `process` for such an image, from the header: generous, never low.
fn decode_cost(bytes: &[u8], format: ImageFormat, color: ColorType, w: u32, h: u32) -> u64 {
    if reduced_jpeg(bytes, format) {
        // Decoded at reduced size: one plane per component and the interleaved result,
        // at the reduced size only; then shrunk by box averaging (no float buffer).
        let (sw, sh) = scaled_jpeg::scaled_size(w, h, FULL_MAX);
        let pixels = u64::from(sw) * u64::from(sh);
        return pixels * 8 + OUTPUTS_COST;
    }
    full_size_cost(bytes, format, color, w, h)
}

/// Peak memory of decoding at full size with `image`'s decoders, then shrinking.
fn full_size_cost(bytes: &[u8], format: ImageFormat, color: ColorType, w: u32, h: u32) -> u64 {
    let pixels = u64::from(w) * u64::from(h);
    let decoded = pixels * u64::from(color.bytes_per_pixel());
    // The decoders' own full-size buffers.
    let decoder = match format {
        // Progressive JPEGs keep every DCT coefficient (i16) of every component.
        ImageFormat::Jpeg if jpeg_is_progressive(bytes) => pixels * 2 * 4,
        ImageFormat::Jpeg => 0,
        // Lossy: Y, U and V planes; lossless/alpha: an RGBA canvas.
        ImageFormat::WebP => pixels * 4,
        _ => 0,
    };
    // Alpha flattening converts to RGBA8 unless already so.
    let flatten = if color.has_alpha() && color != ColorType::Rgba8 {
        pixels * 4
    } else {
        0
    };
    decoded + decoder + flatten + resize_cost(w, h) + OUTPUTS_COST
}

/// A CatmullRom resize goes through an RGBA f32 buffer of width × new height.
fn resize_cost(w: u32, h: u32) -> u64 {
    let long = w.max(h);
    if long > FULL_MAX && long < 2 * FULL_MAX {
        u64::from(long) * u64::from(FULL_MAX) * 16
    } else {
        0
    }
}

/// Whether the photo is a baseline JPEG large enough to be decoded at reduced size.
/// Progressive JPEGs keep their full-size coefficients whatever the output size, so
/// they gain nothing and stay on the general decoder.
fn reduced_jpeg(bytes: &[u8], format: ImageFormat) -> bool {
    format == ImageFormat::Jpeg && !jpeg_is_progressive(bytes)
}

/// Validates an uploaded photo and re-encodes it as upright, metadata-free
/// JPEGs (full size and thumbnail). CPU-bound and memory-hungry: go through
/// [`DecodePool::process`].
pub fn process(bytes: &[u8]) -> Result<ProcessedPhoto, PhotoError> {
    let (format, mut decoder) = open(bytes)?;
    let facts = header_facts(bytes, format, &decoder)?;
    let reduced = if reduced_jpeg(bytes, format) {
        scaled_jpeg::decode(bytes, FULL_MAX, facts.cost)?
    } else {
        None
    };
    let reduced_decode = reduced.is_some();
    let (mut img, orientation) = match reduced {
        Some(decoded) => decoded,
        None => {
            // A JPEG the reduced decoder leaves aside (CMYK) is decoded at full size:
            // only within what the pool reserved for it.
            let (w, h) = decoder.dimensions();
            if full_size_cost(bytes, format, decoder.color_type(), w, h) > facts.cost {
                return Err(PhotoError::TooManyPixels);
            }
            // A damaged Exif block should not cost the occupant their report.
            let orientation = decoder
                .orientation()
                .unwrap_or(image::metadata::Orientation::NoTransforms);
            (
                DynamicImage::from_decoder(decoder).map_err(decode_error)?,
                orientation,
            )
        }
    };

    if img.color().has_alpha() {
        img = flatten_on_white(img);
    }
    // Both bounding boxes are square, so shrinking before rotating gives the
    // same result while rotating far fewer pixels.
    let mut full = if reduced_decode && img.width().max(img.height()) > FULL_MAX {
        // At most twice the target: box averaging is sharp enough and needs no buffer.
        img.thumbnail(FULL_MAX, FULL_MAX)
    } else {
        fit_within(img, FULL_MAX)
    };
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

/// Runs photo processing off the async threads, with at most [`DECODE_BUDGET`] bytes of
/// decoding in flight: a request waits its turn in a short queue, and is told to come back
/// later (`Busy`) when the queue is full or its wait too long.
pub struct DecodePool {
    budget_mib: u32,
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
    max_wait: Duration,
}

impl Default for DecodePool {
    fn default() -> Self {
        DecodePool::new(DECODE_BUDGET, 16, Duration::from_secs(20))
    }
}

/// Leaves the queue however the wait ends, cancellation included.
struct InQueue<'a>(&'a AtomicUsize);

impl Drop for InQueue<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl DecodePool {
    pub fn new(budget: u64, max_waiting: usize, max_wait: Duration) -> DecodePool {
        let budget_mib = u32::try_from(budget / MIB).unwrap_or(u32::MAX).max(1);
        DecodePool {
            budget_mib,
            permits: Arc::new(Semaphore::new(budget_mib as usize)),
            waiting: AtomicUsize::new(0),
            max_waiting,
            max_wait,
        }
    }

    pub async fn process(&self, bytes: Vec<u8>) -> Result<ProcessedPhoto, PhotoError> {
        let cost = inspect(&bytes)?.cost.div_ceil(MIB);
        let cost = u32::try_from(cost).unwrap_or(u32::MAX);
        if cost > self.budget_mib {
            return Err(PhotoError::TooManyPixels);
        }
        let permit = match self.permits.clone().try_acquire_many_owned(cost) {
            Ok(permit) => permit,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
                    self.waiting.fetch_sub(1, Ordering::AcqRel);
                    return Err(PhotoError::Busy);
                }
                let _queued = InQueue(&self.waiting);
                let acquire = self.permits.clone().acquire_many_owned(cost);
                match tokio::time::timeout(self.max_wait, acquire).await {
                    Ok(Ok(permit)) => permit,
                    _ => return Err(PhotoError::Busy),
                }
            }
        };
        // The permit travels with the work: a cancelled request still holds the memory
        // until its decode ends.
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            process(&bytes)
        })
        .await
        .map_err(|e| PhotoError::Encode(format!("photo task: {e}")))?
    }
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
    fn pixel_count_is_capped_before_decoding() {
        // 56 MP, each side under the 12,000 px limit: a header alone must refuse it.
        let bomb = png_header_only(8_000, 7_000);
        assert!(matches!(process(&bomb), Err(PhotoError::TooManyPixels)));
        assert!(matches!(inspect(&bomb), Err(PhotoError::TooManyPixels)));
        assert!(inspect(&png_header_only(8_000, 6_000)).is_ok());
    }

    #[test]
    fn truncated_jpeg_claiming_many_pixels_is_refused() {
        let bomb = jpeg_truncated_claiming(6_000, 6_000);
        assert!(bomb.len() < 1_000, "{} bytes", bomb.len());
        let err = process(&bomb).unwrap_err();
        assert!(matches!(err, PhotoError::Decode(_)), "{err:?}");
        assert!(inspect(&bomb).is_err());
        // An ordinary JPEG cut in the middle of its scan.
        let jpeg = noisy_jpeg(300, 200);
        let err = process(&jpeg[..jpeg.len() * 2 / 3]).unwrap_err();
        assert!(matches!(err, PhotoError::Decode(_)), "{err:?}");
        assert!(process(&jpeg).is_ok());
    }

    #[test]
    fn truncated_webp_is_refused() {
        let webp = uniform_webp(300, 200);
        assert!(process(&webp).is_ok());
        let err = process(&webp[..webp.len() - 4]).unwrap_err();
        assert!(matches!(err, PhotoError::Decode(_)), "{err:?}");
    }

    #[test]
    fn decode_cost_counts_conversions() {
        // A 16-bit RGBA 40 MP image costs its 320 MB buffer plus the RGBA8 copy.
        let cost = decode_cost(&[], ImageFormat::Png, ColorType::Rgba16, 8_000, 5_000);
        assert!(cost >= 40_000_000 * (8 + 4), "{cost}");
        assert!(cost > DECODE_BUDGET);
        // Resizing a 4000 px photo goes through a float buffer: 4000 × 2048 × 16 bytes.
        let cost = decode_cost(&[], ImageFormat::Png, ColorType::Rgb8, 4_000, 3_000);
        assert!(cost >= 4_000 * 3_000 * 3 + 4_000 * 2_048 * 16, "{cost}");
        // A phone's 48 MP baseline JPEG fits.
        let jpeg = noisy_jpeg(64, 48);
        let cost = decode_cost(&jpeg, ImageFormat::Jpeg, ColorType::Rgb8, 8_000, 6_000);
        assert!(cost <= DECODE_BUDGET, "{cost}");
    }

    #[test]
    fn a_large_baseline_jpeg_is_decoded_at_reduced_size() {
        // A 50 MP baseline JPEG costs what its half-size decode needs, not its full size.
        let jpeg = noisy_jpeg(64, 48);
        let reduced = decode_cost(&jpeg, ImageFormat::Jpeg, ColorType::Rgb8, 8_160, 6_120);
        let full = full_size_cost(&jpeg, ImageFormat::Jpeg, ColorType::Rgb8, 8_160, 6_120);
        assert!(reduced < full, "{reduced} vs {full}");
        assert!(reduced <= 4_080 * 3_060 * 8 + OUTPUTS_COST);

        // Decoded for real: a 6000 × 4500 photo (27 MP), half red, half blue, comes out
        // 2048 × 1536 with its colours, and Exif orientation 6 still turns it upright.
        let mut img = image::RgbImage::new(6_000, 4_500);
        for (x, _, px) in img.enumerate_pixels_mut() {
            *px = if x < 3_000 {
                image::Rgb([220, 30, 30])
            } else {
                image::Rgb([30, 30, 220])
            };
        }
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, 90)
            .encode_image(&img)
            .unwrap();
        assert!(!jpeg_is_progressive(&jpeg));
        let (decoded, _) = scaled_jpeg::decode(&jpeg, FULL_MAX, DECODE_BUDGET)
            .unwrap()
            .unwrap();
        assert_eq!(decoded.dimensions(), (3_000, 2_250), "decoded at half size");
        let out = process(&jpeg).unwrap();
        assert_eq!((out.width, out.height), (2_048, 1_536));
        let full = decode_jpeg(&out.full).into_rgb8();
        let left = full.get_pixel(100, 700);
        let right = full.get_pixel(1_900, 700);
        assert!(left[0] > 180 && left[2] < 80, "{left:?}");
        assert!(right[2] > 180 && right[0] < 80, "{right:?}");

        let rotated = process(&jpeg_with_exif(4_800, 2_400, 6)).unwrap();
        assert_eq!((rotated.width, rotated.height), (1_024, 2_048));
    }

    #[tokio::test]
    async fn decode_pool_queues_then_answers_busy() {
        let pool = DecodePool::new(64 * MIB, 1, Duration::from_millis(100));
        let png = small_png(40, 30);
        assert!(pool.process(png.clone()).await.is_ok());
        // Every permit taken, as by long decodes in flight.
        let held = pool.permits.clone().acquire_many_owned(64).await.unwrap();
        let (queued, refused) = tokio::join!(pool.process(png.clone()), async {
            tokio::task::yield_now().await;
            pool.process(png.clone()).await
        });
        // The first waits its turn and gives up after `max_wait`; the second finds the
        // queue full.
        assert!(matches!(queued, Err(PhotoError::Busy)), "{queued:?}");
        assert!(matches!(refused, Err(PhotoError::Busy)), "{refused:?}");
        assert_eq!(pool.waiting.load(Ordering::Acquire), 0);
        // A waiter gets its turn as soon as memory frees up.
        let release = async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            drop(held);
        };
        let (done, ()) = tokio::join!(pool.process(png.clone()), release);
        assert!(done.is_ok());
        assert_eq!(PhotoError::Busy.message_key(), "error.busy");
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
