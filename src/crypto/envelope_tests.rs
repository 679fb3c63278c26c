//! Unit tests for `crypto::envelope`, kept beside it so the production file stays short enough to read in one sitting.

#![allow(clippy::unwrap_used)]
use super::*;

fn sample() -> (EnvelopeKey, Header, Vec<u8>) {
    let key = EnvelopeKey::from_bytes([7; KEY_LEN]);
    let header = Header::random(MIN_ITERATIONS).unwrap();
    let sealed = seal_with_key(b"validator key", &key, &header).unwrap();
    (key, header, sealed)
}

#[test]
fn header_layout_is_as_documented() {
    let (_, header, sealed) = sample();
    assert_eq!(&sealed[..6], b"DRCENV");
    assert_eq!(sealed[6], 1);
    assert_eq!(sealed[7], 1);
    assert_eq!(&sealed[8..12], &100_000u32.to_be_bytes());
    assert_eq!(sealed[12], 16);
    assert_eq!(&sealed[13..29], header.salt.as_slice());
    assert_eq!(&sealed[29..41], &header.nonce);
    assert_eq!(sealed.len(), 41 + 13 + 16);
    assert_eq!(Header::parse(&sealed).unwrap(), (header, 41));
}

#[test]
fn round_trip_with_key_and_empty_plaintext() {
    let (key, header, sealed) = sample();
    assert_eq!(
        open_with_key(&sealed, &key).unwrap().expose_secret(),
        b"validator key"
    );
    let empty = seal_with_key(b"", &key, &header).unwrap();
    assert!(
        open_with_key(&empty, &key)
            .unwrap()
            .expose_secret()
            .is_empty()
    );
}

#[test]
fn every_flipped_bit_fails() {
    let (key, _, sealed) = sample();
    for i in 0..sealed.len() * 8 {
        let mut bad = sealed.clone();
        bad[i / 8] ^= 1 << (i % 8);
        assert!(open_with_key(&bad, &key).is_err(), "bit {i}");
    }
}

#[test]
fn iteration_bounds_refused_before_deriving() {
    let (key, _, mut sealed) = sample();
    sealed[8..12].copy_from_slice(&99_999u32.to_be_bytes());
    assert_eq!(
        open_with_key(&sealed, &key).unwrap_err(),
        EnvelopeError::IterationsTooLow {
            iterations: 99_999,
            minimum: MIN_ITERATIONS
        }
    );
    assert!(matches!(
        Header::random(MAX_ITERATIONS + 1),
        Err(EnvelopeError::IterationsTooHigh { .. })
    ));
    let pass = SecretString::from("p");
    assert!(matches!(
        seal(b"x", &pass, 99_999),
        Err(EnvelopeError::IterationsTooLow { .. })
    ));
}

#[test]
fn key_debug_is_redacted() {
    let key = EnvelopeKey::from_bytes([0xAB; KEY_LEN]);
    let shown = format!("{key:?}");
    assert_eq!(shown, "EnvelopeKey([REDACTED])");
}
