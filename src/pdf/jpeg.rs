//! Minimal JPEG header reader. Photos are embedded as-is with the PDF
//! `DCTDecode` filter (no decoding, no re-encoding), so all we need is their
//! size and colour space, read from the frame header.

use super::PdfError;

/// A JPEG whose header was checked and can be embedded untouched.
#[derive(Debug, Clone, Copy)]
pub(super) struct Jpeg<'a> {
    pub bytes: &'a [u8],
    pub width: u16,
    pub height: u16,
    /// 1 (greyscale) or 3 (YCbCr/RGB).
    pub components: u8,
}

fn bad(msg: &str) -> PdfError {
    PdfError::Image(msg.to_string())
}

impl<'a> Jpeg<'a> {
    /// Reads the header of `bytes`. Accepts 8-bit baseline, extended and
    /// progressive Huffman JPEGs with 1 or 3 components (what every decoder,
    /// and the app's re-encoder, produces); anything else is
    /// [`PdfError::Image`].
    pub(super) fn parse(bytes: &'a [u8]) -> Result<Self, PdfError> {
        if !bytes.starts_with(&[0xFF, 0xD8]) {
            return Err(bad("not a JPEG (no SOI marker)"));
        }
        let mut pos = 2;
        let mut frame: Option<(u16, u16, u8)> = None;
        loop {
            // Markers are 0xFF followed by a code; extra 0xFF bytes are fill.
            if bytes.get(pos) != Some(&0xFF) {
                return Err(bad("corrupt JPEG marker"));
            }
            while bytes.get(pos) == Some(&0xFF) {
                pos += 1;
            }
            let marker = *bytes.get(pos).ok_or_else(|| bad("truncated JPEG"))?;
            pos += 1;
            match marker {
                0x01 | 0xD0..=0xD7 => continue,
                0xD9 => return Err(bad("JPEG has no image data")),
                _ => {}
            }
            let len = match bytes.get(pos..pos + 2) {
                Some(&[hi, lo]) => usize::from(u16::from_be_bytes([hi, lo])),
                _ => return Err(bad("truncated JPEG")),
            };
            let data = bytes
                .get(pos + 2..pos + len.max(2))
                .filter(|_| len >= 2)
                .ok_or_else(|| bad("truncated JPEG segment"))?;
            match marker {
                0xC0..=0xC2 => {
                    let &[precision, h1, h0, w1, w0, components, ..] = data else {
                        return Err(bad("short JPEG frame header"));
                    };
                    if precision != 8 {
                        return Err(bad("only 8-bit JPEGs are supported"));
                    }
                    let (width, height) =
                        (u16::from_be_bytes([w1, w0]), u16::from_be_bytes([h1, h0]));
                    if width == 0 || height == 0 {
                        return Err(bad("JPEG has no size"));
                    }
                    if components != 1 && components != 3 {
                        return Err(bad("only greyscale and colour JPEGs are supported"));
                    }
                    frame = Some((width, height, components));
                }
                0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                    return Err(bad("unsupported JPEG coding (lossless or arithmetic)"));
                }
                0xDA => {
                    let (width, height, components) =
                        frame.ok_or_else(|| bad("JPEG scan before frame header"))?;
                    if bytes.len() <= pos + len {
                        return Err(bad("JPEG has no scan data"));
                    }
                    return Ok(Self {
                        bytes,
                        width,
                        height,
                        components,
                    });
                }
                _ => {}
            }
            pos += len;
        }
    }
}
