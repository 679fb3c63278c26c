//! Packing the payload's bytes into 5-bit share values and back, with
//! only the canonical packing accepted.

use zeroize::Zeroizing;

/// Bytes as base32 values, most significant bit first, the last value
/// zero-filled.
pub(super) fn to_base32(bytes: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity((bytes.len() * 8).div_ceil(5)));
    let mut acc: u16 = 0;
    let mut bits = 0u32;
    for &b in bytes {
        acc = (acc << 8) | u16::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(u8::try_from((acc >> bits) & 31).unwrap_or(0));
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(u8::try_from((acc << (5 - bits)) & 31).unwrap_or(0));
    }
    out
}

/// The inverse of [`to_base32`]; `None` unless canonical (fewer than five
/// leftover bits, all zero).
pub(super) fn from_base32(values: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(Vec::with_capacity(values.len() * 5 / 8));
    let mut acc: u16 = 0;
    let mut bits = 0u32;
    for &v in values {
        acc = (acc << 5) | u16::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xFF).unwrap_or(0));
        }
        acc &= (1 << bits) - 1;
    }
    (bits < 5 && acc == 0).then_some(out)
}
