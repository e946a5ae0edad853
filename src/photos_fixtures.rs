//! Small, deterministic image fixtures for unit and integration tests.
//!
//! Not behind `#[cfg(test)]` because integration tests in `tests/` link the
//! library as a normal dependency. Everything here builds images in memory;
//! the helpers panic (with a message) only if the `image` encoders fail on
//! data we generated ourselves, which would be a bug, not bad input.

use image::codecs::jpeg::JpegEncoder;
use image::{ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use std::io::Cursor;

/// Exif IFD entry pointing at the GPS IFD (tag 0x8825, type LONG), little-endian.
pub const GPS_IFD_POINTER_ENTRY: [u8; 4] = [0x25, 0x88, 0x04, 0x00];
/// Exif GPS entry GPSLatitude (tag 0x0002, type RATIONAL), little-endian.
pub const GPS_LATITUDE_ENTRY: [u8; 4] = [0x02, 0x00, 0x05, 0x00];

/// A 64×48 JPEG whose APP1 segment carries Exif GPS data (48°51'29.59" N).
pub fn jpeg_with_gps_exif() -> Vec<u8> {
    jpeg_with_exif(64, 48, 1)
}

/// A `w`×`h` JPEG with an Exif APP1 segment (inserted right after SOI)
/// holding the given Orientation tag value (1–8) and a GPS IFD.
pub fn jpeg_with_exif(w: u32, h: u32, orientation: u16) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| Rgb([(x * 4) as u8, (y * 4) as u8, 128]));
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&img)
        .expect("encoding a generated JPEG fixture");

    let tiff = exif_tiff(orientation);
    let len = u16::try_from(2 + 6 + tiff.len()).expect("Exif fixture fits in one segment");
    let mut out = Vec::with_capacity(jpeg.len() + usize::from(len) + 2);
    out.extend_from_slice(&jpeg[..2]); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// Minimal little-endian TIFF: IFD0 {Orientation, GPS pointer} -> GPS IFD
/// {GPSLatitudeRef "N", GPSLatitude 48/1 51/1 2959/100}.
fn exif_tiff(orientation: u16) -> Vec<u8> {
    const IFD0: u32 = 8;
    const IFD_LEN: u32 = 2 + 2 * 12 + 4; // count, two entries, next-IFD offset
    let gps_ifd = IFD0 + IFD_LEN;
    let latitude = gps_ifd + IFD_LEN;

    let mut t = Vec::new();
    t.extend_from_slice(b"II");
    t.extend_from_slice(&42u16.to_le_bytes());
    t.extend_from_slice(&IFD0.to_le_bytes());

    // Entries must be sorted by tag.
    t.extend_from_slice(&2u16.to_le_bytes());
    let [o0, o1] = orientation.to_le_bytes();
    ifd_entry(&mut t, 0x0112, 3, 1, [o0, o1, 0, 0]);
    ifd_entry(&mut t, 0x8825, 4, 1, gps_ifd.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());

    t.extend_from_slice(&2u16.to_le_bytes());
    ifd_entry(&mut t, 0x0001, 2, 2, *b"N\0\0\0");
    ifd_entry(&mut t, 0x0002, 5, 3, latitude.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());

    for (num, den) in [(48u32, 1u32), (51, 1), (2959, 100)] {
        t.extend_from_slice(&num.to_le_bytes());
        t.extend_from_slice(&den.to_le_bytes());
    }
    t
}

fn ifd_entry(t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
    t.extend_from_slice(&tag.to_le_bytes());
    t.extend_from_slice(&kind.to_le_bytes());
    t.extend_from_slice(&count.to_le_bytes());
    t.extend_from_slice(&value);
}

/// A `w`×`h` RGBA PNG: a colour gradient, except the left quarter
/// (`x < w / 4`) which is fully transparent (to exercise alpha flattening).
pub fn small_png(w: u32, h: u32) -> Vec<u8> {
    let img = RgbaImage::from_fn(w, h, |x, y| {
        let alpha = if x < w / 4 { 0 } else { 255 };
        Rgba([(x % 256) as u8, (y % 256) as u8, 64, alpha])
    });
    let mut png = Cursor::new(Vec::new());
    img.write_to(&mut png, ImageFormat::Png)
        .expect("encoding a generated PNG fixture");
    png.into_inner()
}

/// A 57-byte "decompression bomb": a PNG signature, an IHDR chunk claiming
/// `w`×`h` RGB8 pixels, an empty IDAT and IEND — no pixel data at all. A decoder that
/// trusts the header would try to allocate `w * h * 3` bytes.
pub fn png_header_only(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit, RGB, deflate, no filter/interlace

    let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    png_chunk(&mut png, b"IHDR", &ihdr);
    png_chunk(&mut png, b"IDAT", &[]);
    png_chunk(&mut png, b"IEND", &[]);
    png
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let len = u32::try_from(data.len()).expect("PNG fixture chunk length");
    out.extend_from_slice(&len.to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// CRC-32 (IEEE, reflected), bit by bit: fixtures are tiny, so no table.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// Marker codes (the byte after 0xFF) of the JPEG header segments, from SOI
/// up to and including SOS. Lets tests assert e.g. "no APP1 (0xE1)".
pub fn jpeg_markers(jpeg: &[u8]) -> Vec<u8> {
    let mut markers = Vec::new();
    let mut i = 2; // skip SOI
    while let [0xFF, marker, len_hi, len_lo, ..] = jpeg.get(i..).unwrap_or_default() {
        markers.push(*marker);
        if *marker == 0xDA {
            break; // SOS: entropy-coded data follows
        }
        i += 2 + usize::from(u16::from_be_bytes([*len_hi, *len_lo]));
    }
    markers
}

/// Whether `needle` occurs anywhere in `haystack`.
pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// A few hundred bytes of JPEG claiming `w`×`h` pixels: a real 16×16 JPEG whose frame
/// header is patched to the new size and whose scan data is cut short (no EOI).
pub fn jpeg_truncated_claiming(w: u16, h: u16) -> Vec<u8> {
    let img = RgbImage::from_fn(16, 16, |x, y| Rgb([(x * 16) as u8, (y * 16) as u8, 7]));
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&img)
        .expect("encoding a generated JPEG fixture");
    let mut i = 2;
    let mut sos_end = jpeg.len();
    while let [0xFF, marker, len_hi, len_lo, ..] = jpeg.get(i..).unwrap_or_default() {
        let (marker, len) = (*marker, usize::from(u16::from_be_bytes([*len_hi, *len_lo])));
        if marker == 0xC0 {
            // SOF0: length, precision, height, width.
            jpeg[i + 5..i + 7].copy_from_slice(&h.to_be_bytes());
            jpeg[i + 7..i + 9].copy_from_slice(&w.to_be_bytes());
        }
        i += 2 + len;
        if marker == 0xDA {
            sos_end = i;
            break;
        }
    }
    jpeg.truncate((sos_end + 40).min(jpeg.len() - 2));
    jpeg
}

/// A `w`×`h` uniform image in lossless WebP: a few kilobytes for tens of megapixels.
pub fn uniform_webp(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_pixel(w, h, Rgb([200, 120, 40]));
    let mut webp = Cursor::new(Vec::new());
    img.write_to(&mut webp, ImageFormat::WebP)
        .expect("encoding a generated WebP fixture");
    webp.into_inner()
}

/// A `w`×`h` noisy RGB JPEG (baseline, 4:2:0), as a camera would make.
pub fn noisy_jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| {
        let v = x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503);
        Rgb([(v >> 3) as u8, (v >> 11) as u8, (v >> 19) as u8])
    });
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&img)
        .expect("encoding a generated JPEG fixture");
    jpeg
}
