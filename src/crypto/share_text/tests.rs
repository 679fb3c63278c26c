//! Unit tests of share text: GF(32), base32 packing, the documented layout,
//! and a redacted `Debug`.

#![allow(clippy::unwrap_used)]
use super::base32::{from_base32, to_base32};
use super::check::gf32_mul;
use super::*;
use secrecy::ExposeSecret;

fn share(len: usize) -> ShareText {
    let payload: Vec<u8> = (0..len)
        .map(|i| u8::try_from(i * 37 % 251).unwrap())
        .collect();
    ShareText::new(SetId(0xA_BCDE), 3, 2, Zeroizing::new(payload)).unwrap()
}

#[test]
fn gf32_weights_make_a_field() {
    // x⁵ + x² + 1 is primitive: α generates all 31 non-zero values.
    let mut seen = std::collections::HashSet::new();
    let mut x = 1;
    for _ in 0..31 {
        seen.insert(x);
        x = gf32_mul(x, 2);
    }
    assert_eq!(seen.len(), 31);
    assert_eq!(x, 1);
}

#[test]
fn base32_round_trips_and_rejects_non_canonical() {
    for len in 0..40usize {
        let bytes: Vec<u8> = (0..len).map(|i| u8::try_from(255 - i).unwrap()).collect();
        let values = to_base32(&bytes);
        assert_eq!(values.len(), (len * 8).div_ceil(5));
        assert_eq!(from_base32(&values).unwrap().as_slice(), bytes.as_slice());
    }
    assert!(from_base32(&[31, 31]).is_none(), "leftover bits set");
    assert!(from_base32(&[0, 0, 0]).is_none(), "a whole extra value");
}

#[test]
fn encodes_as_documented_and_round_trips() {
    let s = share(32);
    let text = s.encode();
    let text = text.expose_secret();
    let groups: Vec<&str> = text.split('-').collect();
    // 8 header values + 52 payload + 0 pad + 4 checksum = 64 = 16 groups.
    assert_eq!(groups.len(), 16);
    assert!(groups.iter().all(|g| g.len() == 5));
    assert_eq!(&groups[0][..4], "1320");
    assert_eq!(&groups[1][..4], "NF6Y");
    assert_eq!(&groups[1][..4], SetId(0xA_BCDE).to_string());
    let back = ShareText::parse(text).unwrap();
    assert_eq!(back.expose_payload(), s.expose_payload());
    assert_eq!(
        (back.set_id(), back.threshold(), back.index()),
        (s.set_id(), 3, 2)
    );
    let paper = s.encode_lines(4);
    let paper = paper.expose_secret();
    assert_eq!(paper.lines().count(), 4);
    let typed = paper.to_lowercase().replace('0', "o").replace('1', "l");
    assert_eq!(
        ShareText::parse(&typed).unwrap().expose_payload(),
        s.expose_payload()
    );
    assert_eq!(ShareText::parse(&text.replace('-', "")).unwrap().index(), 2);
}

#[test]
fn debug_is_redacted() {
    let s = share(8);
    let shown = format!("{s:?}");
    assert!(shown.contains(REDACTED));
    assert!(!shown.contains(&s.encode().expose_secret()[6..]));
}
