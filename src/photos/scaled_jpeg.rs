//! Baseline JPEGs decoded at reduced size: the IDCT can produce 1/2, 1/4 or 1/8 of the
//! image directly, so a 50 MP phone photo that ends up 2048 px wide is never held at full
//! size (a quarter of the memory and of the work at 1/2, a sixteenth at 1/4).

use image::metadata::Orientation;
use image::{DynamicImage, GrayImage, RgbImage};
use std::io::Cursor;

use super::PhotoError;

/// The output size of a reduced decode covering `max`×`max` (the same choice as
/// `jpeg-decoder`'s `scale`: the smallest of 1/8, 1/4, 1/2, 1 whose result still reaches
/// the requested size along one side).
pub(super) fn scaled_size(width: u32, height: u32, max: u32) -> (u32, u32) {
    let (req_w, req_h) = requested(width, height, max);
    let scaled = |len: u32, eighths: u32| (len * eighths).div_ceil(8);
    for eighths in [1, 2, 4] {
        if scaled(width, eighths) >= req_w || scaled(height, eighths) >= req_h {
            return (scaled(width, eighths), scaled(height, eighths));
        }
    }
    (width, height)
}

/// The size the photo is shrunk to in the end: the long side `max`, aspect kept.
fn requested(width: u32, height: u32, max: u32) -> (u32, u32) {
    let long = width.max(height).max(1);
    if long <= max {
        return (width, height);
    }
    let fit = |len: u32| (u64::from(len) * u64::from(max)).div_ceil(u64::from(long)) as u32;
    (fit(width), fit(height))
}

/// Decodes a complete baseline JPEG (already checked by the caller) at the smallest DCT
/// scale that still covers `max`×`max`. `None` for what this decoder leaves to the general
/// path (CMYK, 16-bit lossless), which then decodes at full size within the same budget.
pub(super) fn decode(
    bytes: &[u8],
    max: u32,
    budget: u64,
) -> Result<Option<(DynamicImage, Orientation)>, PhotoError> {
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.set_max_decoding_buffer_size(usize::try_from(budget).unwrap_or(usize::MAX));
    decoder.read_info().map_err(unreadable)?;
    let Some(info) = decoder.info() else {
        return Err(unreadable("no frame header"));
    };
    let (req_w, req_h) = requested(u32::from(info.width), u32::from(info.height), max);
    // Sizes fit u16: the request is never larger than the image itself.
    let (w, h) = decoder
        .scale(
            u16::try_from(req_w).unwrap_or(u16::MAX),
            u16::try_from(req_h).unwrap_or(u16::MAX),
        )
        .map_err(unreadable)?;
    let (w, h) = (u32::from(w), u32::from(h));
    let pixels = decoder.decode().map_err(unreadable)?;
    let image = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => {
            RgbImage::from_raw(w, h, pixels).map(DynamicImage::ImageRgb8)
        }
        jpeg_decoder::PixelFormat::L8 => {
            GrayImage::from_raw(w, h, pixels).map(DynamicImage::ImageLuma8)
        }
        jpeg_decoder::PixelFormat::CMYK32 | jpeg_decoder::PixelFormat::L16 => return Ok(None),
    };
    let Some(image) = image else {
        return Err(unreadable("pixel buffer of the wrong size"));
    };
    // A damaged Exif block should not cost the occupant their report.
    let orientation = decoder
        .exif_data()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    Ok(Some((image, orientation)))
}

fn unreadable(e: impl std::fmt::Display) -> PhotoError {
    PhotoError::Decode(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reduced_size_follows_the_long_side() {
        // 50 MP phone photo: half size still covers 2048, a quarter would not.
        assert_eq!(scaled_size(8160, 6120, 2048), (4080, 3060));
        // 12 MP: half of 4032 is 2016 < 2048, so full size.
        assert_eq!(scaled_size(4032, 3024, 2048), (4032, 3024));
        // Already small: full size.
        assert_eq!(scaled_size(1600, 1200, 2048), (1600, 1200));
        // Very large: a quarter.
        assert_eq!(scaled_size(12000, 4000, 2048), (3000, 1000));
        assert_eq!(scaled_size(1, 1, 2048), (1, 1));
    }
}
