//! Whether an upload holds all the data its header announces, read from the container
//! alone: the JPEG and WebP decoders pad missing data, so a few hundred bytes could
//! otherwise stand for a whole image.

use image::ImageFormat;

/// Whether the file holds all its data: for JPEG an end-of-image marker after the
/// scans, for PNG an IEND chunk, for WebP every chunk its RIFF header announces.
pub(super) fn container_complete(bytes: &[u8], format: ImageFormat) -> bool {
    match format {
        ImageFormat::Jpeg => jpeg_segments(bytes).is_some_and(|s| s.complete),
        ImageFormat::Png => png_complete(bytes),
        ImageFormat::WebP => webp_complete(bytes),
        _ => false,
    }
}

struct JpegSegments {
    progressive: bool,
    complete: bool,
}

/// Walks a JPEG's markers from SOI to EOI, skipping the entropy-coded data after each
/// SOS (where 0xFF is always followed by 0x00 or a restart marker).
fn jpeg_segments(bytes: &[u8]) -> Option<JpegSegments> {
    let mut progressive = false;
    let mut i = 2;
    loop {
        // Fill bytes (0xFF) may precede a marker.
        while bytes.get(i) == Some(&0xFF) && bytes.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let (&ff, &marker) = (bytes.get(i)?, bytes.get(i + 1)?);
        if ff != 0xFF {
            return None;
        }
        match marker {
            0xD9 => {
                return Some(JpegSegments {
                    progressive,
                    complete: true,
                });
            }
            0xD0..=0xD7 | 0x01 => {
                i += 2;
                continue;
            }
            0xC2 | 0xC6 | 0xCA | 0xCE => progressive = true,
            _ => {}
        }
        let len = usize::from(u16::from_be_bytes([*bytes.get(i + 2)?, *bytes.get(i + 3)?]));
        i += 2 + len;
        if i > bytes.len() {
            return Some(JpegSegments {
                progressive,
                complete: false,
            });
        }
        if marker == 0xDA {
            // Entropy-coded data: runs to the next marker that is not a stuffed byte
            // or a restart marker.
            loop {
                match (bytes.get(i), bytes.get(i + 1)) {
                    (Some(0xFF), Some(0x00 | 0xD0..=0xD7)) => i += 2,
                    (Some(0xFF), Some(_)) => break,
                    (Some(_), _) => i += 1,
                    (None, _) => {
                        return Some(JpegSegments {
                            progressive,
                            complete: false,
                        });
                    }
                }
            }
        }
    }
}

pub(super) fn jpeg_is_progressive(bytes: &[u8]) -> bool {
    jpeg_segments(bytes).is_none_or(|s| s.progressive)
}

fn png_complete(bytes: &[u8]) -> bool {
    let mut i = 8;
    while let Some(head) = bytes.get(i..i + 8) {
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let end = i.saturating_add(12).saturating_add(len);
        if end > bytes.len() {
            return false;
        }
        if &head[4..8] == b"IEND" {
            return true;
        }
        i = end;
    }
    false
}

fn webp_complete(bytes: &[u8]) -> bool {
    let Some(riff) = bytes.get(4..8) else {
        return false;
    };
    let riff_end =
        (u32::from_le_bytes([riff[0], riff[1], riff[2], riff[3]]) as usize).saturating_add(8);
    if riff_end > bytes.len() {
        return false;
    }
    let mut i = 12;
    let mut chunks = 0;
    while let Some(head) = bytes.get(i..i + 8).filter(|_| i < riff_end) {
        let len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
        let end = i.saturating_add(8).saturating_add(len);
        if end > riff_end {
            return false;
        }
        chunks += 1;
        i = end + (len & 1);
    }
    chunks > 0
}
