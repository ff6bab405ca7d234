//! A minimal PNG encoder: truecolour, 8 bits per channel, stored (uncompressed)
//! deflate blocks. Enough for real, decodable test images without a dependency.

/// The eight bytes every PNG starts with.
pub(crate) const SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// Encodes `width` × `height` RGB pixels, `pixel(x, y)` giving each colour.
///
/// Zero dimensions are raised to 1 (a PNG cannot be empty).
pub(crate) fn encode(width: u32, height: u32, pixel: impl Fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
    encode_channels(width, height, 2, |x, y, out| {
        out.extend_from_slice(&pixel(x, y))
    })
}

/// Encodes `width` × `height` RGBA pixels (alpha 0 is transparent).
pub(crate) fn encode_rgba(width: u32, height: u32, pixel: impl Fn(u32, u32) -> [u8; 4]) -> Vec<u8> {
    encode_channels(width, height, 6, |x, y, out| {
        out.extend_from_slice(&pixel(x, y))
    })
}

/// Encodes pixels of PNG colour type `colour_type` (2: RGB, 6: RGBA), `write`
/// appending each pixel's bytes.
fn encode_channels(
    width: u32,
    height: u32,
    colour_type: u8,
    write: impl Fn(u32, u32, &mut Vec<u8>),
) -> Vec<u8> {
    let (width, height) = (width.max(1), height.max(1));
    let channels = if colour_type == 6 { 4 } else { 3 };
    // Scanlines: a filter byte (0 = none), then the pixels.
    let mut raw = Vec::with_capacity((width as usize * channels + 1) * height as usize);
    for y in 0..height {
        raw.push(0);
        for x in 0..width {
            write(x, y, &mut raw);
        }
    }

    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    // Bit depth 8, the colour type, deflate, adaptive filtering, no interlace.
    ihdr.extend_from_slice(&[8, colour_type, 0, 0, 0]);

    let mut out = Vec::with_capacity(raw.len() + raw.len() / 65_535 * 5 + 64);
    out.extend_from_slice(SIGNATURE);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

/// The width and height in a PNG's header, if `data` is a PNG.
pub(crate) fn dimensions(data: &[u8]) -> Option<(u32, u32)> {
    if !data.starts_with(SIGNATURE) || data.get(12..16)? != b"IHDR" {
        return None;
    }
    let width = u32::from_be_bytes(data.get(16..20)?.try_into().ok()?);
    let height = u32::from_be_bytes(data.get(20..24)?.try_into().ok()?);
    Some((width, height))
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    // Chunks of this encoder are far below 2^31 bytes.
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A zlib stream of stored deflate blocks (no compression).
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    // CMF 0x78 (deflate, 32K window), FLG 0x01 (no dictionary, check bits).
    let mut out = vec![0x78, 0x01];
    let mut blocks = data.chunks(65_535).peekable();
    if blocks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xFF, 0xFF]);
    }
    while let Some(block) = blocks.next() {
        let last = u8::from(blocks.peek().is_none());
        let len = u16::try_from(block.len()).unwrap_or(u16::MAX);
        out.push(last);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_match_known_values() {
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    }

    #[test]
    fn encoded_images_have_a_readable_header() {
        let png = encode(8, 8, |x, y| [x as u8 * 30, y as u8 * 30, 128]);
        assert!(png.starts_with(SIGNATURE));
        assert_eq!(dimensions(&png), Some((8, 8)));
        assert!(png.ends_with(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]));
        assert_eq!(dimensions(b"not a png"), None);
        let rgba = encode_rgba(3, 2, |x, _| [0, 0, 0, x as u8]);
        assert_eq!(dimensions(&rgba), Some((3, 2)));
        // Colour type 6 in the header.
        assert_eq!(rgba[25], 6);
    }
}
