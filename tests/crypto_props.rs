//! Properties of the key ceremony crypto: Shamir shares, their text form,
//! the envelope, and secret hygiene.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use drconsole::crypto::envelope::{
    self, EnvelopeError, EnvelopeKey, Header, KEY_LEN, MIN_ITERATIONS,
};
use drconsole::crypto::share_text::{ALPHABET, MAX_INPUT_LEN, ParseError, SetId, ShareText};
use drconsole::crypto::shares::{self, Combiner, ShareError};
use proptest::prelude::*;
use proptest::sample::subsequence;
use secrecy::{ExposeSecret, SecretString};
use std::fmt::Write as _;
use zeroize::Zeroizing;

/// (secret, threshold, shares, indices of T chosen shares, indices of T−1).
fn split_case() -> impl Strategy<Value = (Vec<u8>, u8, u8, Vec<usize>)> {
    (2u8..=16)
        .prop_flat_map(|n| (Just(n), 2u8..=n))
        .prop_flat_map(|(n, t)| {
            (
                proptest::collection::vec(any::<u8>(), 1..=4096),
                Just(t),
                Just(n),
                subsequence((0..usize::from(n)).collect::<Vec<_>>(), usize::from(t)).prop_shuffle(),
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any T of N shares, typed back from their text, rebuild the secret;
    /// T−1 of them are refused, and forcing a rebuild from them gives
    /// something else.
    #[test]
    fn any_t_of_n_rebuild_and_t_minus_one_do_not((secret, t, n, chosen) in split_case()) {
        let all = shares::split(&secret, t, n).unwrap();
        prop_assert_eq!(all.len(), usize::from(n));
        let mut combiner = Combiner::new();
        for &i in &chosen {
            let typed = all[i].encode();
            combiner.add_text(typed.expose_secret()).unwrap();
        }
        let rebuilt = combiner.finish().unwrap();
        prop_assert_eq!(rebuilt.expose_secret(), secret.as_slice());

        let fewer: Vec<ShareText> = chosen[1..].iter().map(|&i| all[i].clone()).collect();
        prop_assert_eq!(
            shares::combine(&fewer).unwrap_err(),
            ShareError::NotEnough { have: usize::from(t) - 1, needed: usize::from(t) }
        );
        if secret.len() >= 8 {
            // Interpolating T−1 points as if they were enough: a different
            // polynomial, so (but for a 2⁻⁶⁴ chance) a different secret.
            let points: Vec<blahaj::Share> = fewer
                .iter()
                .map(|s| {
                    let mut b = vec![s.index()];
                    b.extend_from_slice(s.expose_payload());
                    blahaj::Share::try_from(b.as_slice()).unwrap()
                })
                .collect();
            let forced = blahaj::Sharks(t - 1).recover(&points).unwrap();
            prop_assert_ne!(forced, secret);
        }
    }

    /// The envelope round-trips any plaintext, and no single flipped bit
    /// or truncation gets through.
    #[test]
    fn envelope_round_trip_and_tamper(
        plaintext in proptest::collection::vec(any::<u8>(), 0..=4096),
        key in any::<[u8; KEY_LEN]>(),
        bit in any::<proptest::sample::Index>(),
        cut in any::<proptest::sample::Index>(),
    ) {
        let key = EnvelopeKey::from_bytes(key);
        let header = Header::random(MIN_ITERATIONS).unwrap();
        let sealed = envelope::seal_with_key(&plaintext, &key, &header).unwrap();
        prop_assert_eq!(sealed.len(), 41 + plaintext.len() + 16);
        let opened = envelope::open_with_key(&sealed, &key).unwrap();
        prop_assert_eq!(opened.expose_secret(), plaintext.as_slice());

        let mut flipped = sealed.clone();
        let b = bit.index(sealed.len() * 8);
        flipped[b / 8] ^= 1 << (b % 8);
        prop_assert!(envelope::open_with_key(&flipped, &key).is_err());

        let short = &sealed[..cut.index(sealed.len())];
        prop_assert!(envelope::open_with_key(short, &key).is_err());
    }
}

// ---------------------------------------------------------------- share text

fn alphabet() -> impl Iterator<Item = char> {
    ALPHABET.iter().map(|&b| char::from(b))
}

fn group_of(symbol_pos: usize) -> usize {
    symbol_pos / 5 + 1
}

/// Every single-character substitution and every adjacent swap of one
/// share's text is refused, naming exactly the group(s) changed.
fn exhaustive(share: &ShareText) {
    let text = share.encode();
    let text = text.expose_secret();
    assert!(ShareText::parse(text).is_ok());
    // Positions of the share's characters in `text` (dashes skipped).
    let chars: Vec<char> = text.chars().collect();
    let symbol_at: Vec<usize> = (0..chars.len()).filter(|&i| chars[i] != '-').collect();
    let mut substitutions = 0;
    for (pos, &i) in symbol_at.iter().enumerate() {
        for c in alphabet().filter(|&c| c != chars[i]) {
            let mut typed = chars.clone();
            typed[i] = c;
            let typed: String = typed.into_iter().collect();
            assert_eq!(
                ShareText::parse(&typed).unwrap_err(),
                ParseError::BadGroups(vec![group_of(pos)]),
                "{c:?} at character {pos}"
            );
            substitutions += 1;
        }
    }
    assert_eq!(substitutions, symbol_at.len() * 31);
    // Adjacent swaps, with and without the dashes between groups (a swap
    // across a dash is a swap of neighbours on paper too).
    let plain: Vec<char> = symbol_at.iter().map(|&i| chars[i]).collect();
    for pos in 0..plain.len() - 1 {
        if plain[pos] == plain[pos + 1] {
            continue;
        }
        let expected = if group_of(pos) == group_of(pos + 1) {
            vec![group_of(pos)]
        } else {
            vec![group_of(pos), group_of(pos + 1)]
        };
        let mut swapped = plain.clone();
        swapped.swap(pos, pos + 1);
        let joined: String = swapped.iter().collect();
        assert_eq!(
            ShareText::parse(&joined).unwrap_err(),
            ParseError::BadGroups(expected.clone()),
            "swap at {pos}, no dashes"
        );
        let dashed: String = swapped
            .chunks(5)
            .map(|g| g.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-");
        assert_eq!(
            ShareText::parse(&dashed).unwrap_err(),
            ParseError::BadGroups(expected),
            "swap at {pos}, with dashes"
        );
    }
}

#[test]
fn every_substitution_and_adjacent_swap_names_the_group() {
    for (len, t, n) in [(1, 2, 2), (32, 3, 5), (57, 16, 16)] {
        let secret: Vec<u8> = (0..len)
            .map(|i| u8::try_from(i * 89 % 256).unwrap())
            .collect();
        for share in shares::split(&secret, t, n).unwrap().iter().take(3) {
            exhaustive(share);
        }
    }
}

#[test]
fn group_messages_name_the_group() {
    assert_eq!(
        ParseError::BadGroups(vec![3]).to_string(),
        "group 3 looks wrong"
    );
    assert_eq!(
        ParseError::BadGroups(vec![3, 4]).to_string(),
        "groups 3 and 4 look wrong"
    );
    assert_eq!(
        ParseError::BadGroups(vec![2, 5, 7]).to_string(),
        "groups 2, 5 and 7 look wrong"
    );
}

#[test]
fn typing_variants_are_accepted() {
    let share = &shares::split(b"passphrase", 2, 3).unwrap()[1];
    let text = share.encode();
    let text = text.expose_secret();
    for typed in [
        text.to_lowercase(),
        text.replace('-', " "),
        text.replace('-', ""),
        format!("  {}\n", text.replace('-', " - ")),
        share.encode_lines(3).expose_secret().to_owned(),
        text.replace('0', "O").replace('1', "l"),
    ] {
        let back = ShareText::parse(&typed).unwrap();
        assert_eq!(back.expose_payload(), share.expose_payload(), "{typed:?}");
    }
}

fn error_of(shares: &[&str]) -> ShareError {
    let mut combiner = Combiner::new();
    for text in &shares[..shares.len() - 1] {
        combiner.add_text(text).unwrap();
    }
    combiner.add_text(shares[shares.len() - 1]).unwrap_err()
}

#[test]
fn each_kind_of_bad_share_has_its_own_message_in_a_ceremony() {
    let set_a = shares::split(b"the passphrase", 3, 5).unwrap();
    let set_b = shares::split(b"the passphrase", 3, 5).unwrap();
    let a: Vec<SecretString> = set_a.iter().map(ShareText::encode).collect();
    let b: Vec<SecretString> = set_b.iter().map(ShareText::encode).collect();
    let a1 = a[0].expose_secret();
    let a2 = a[1].expose_secret();
    let b1 = b[0].expose_secret();

    if set_a[0].set_id() != set_b[0].set_id() {
        let err = error_of(&[a1, b1]);
        assert_eq!(
            err.to_string(),
            format!(
                "share from another set (set id {}, expected {})",
                set_b[0].set_id(),
                set_a[0].set_id()
            )
        );
    }

    let err = error_of(&[a1, a2, a2]);
    assert_eq!(err, ShareError::Duplicate(2));
    assert_eq!(err.to_string(), "duplicate share (index 2 already entered)");

    // Same set id, different threshold.
    let other_t = ShareText::new(
        set_a[1].set_id(),
        4,
        set_a[1].index(),
        Zeroizing::new(set_a[1].expose_payload().to_vec()),
    )
    .unwrap();
    let err = error_of(&[a1, other_t.encode().expose_secret()]);
    assert_eq!(
        err,
        ShareError::ThresholdMismatch {
            got: 4,
            expected: 3
        }
    );
    assert_eq!(
        err.to_string(),
        "threshold mismatch (this share says 4 are needed, the set says 3)"
    );

    // Same set and index, different content.
    let mut payload = set_a[1].expose_payload().to_vec();
    payload[0] ^= 1;
    let forged = ShareText::new(set_a[1].set_id(), 3, 2, Zeroizing::new(payload)).unwrap();
    let err = error_of(&[a2, forged.encode().expose_secret()]);
    assert_eq!(
        err.to_string(),
        "share 2 differs from the share 2 already entered: one of the two is wrong"
    );

    // Same set, different length.
    let longer = ShareText::new(set_a[2].set_id(), 3, 3, Zeroizing::new(vec![0; 20])).unwrap();
    let err = error_of(&[a1, longer.encode().expose_secret()]);
    assert_eq!(
        err.to_string(),
        "length mismatch (this share holds 20 bytes, the set holds 14)"
    );

    assert_eq!(
        shares::combine(&set_a[..2]).unwrap_err().to_string(),
        "not enough shares: 2 of 3 entered"
    );
}

#[test]
fn each_kind_of_unreadable_text_has_its_own_message() {
    let a = shares::split(b"the passphrase", 3, 5).unwrap()[0].encode();
    let a1 = a.expose_secret();
    let parse = |s: &str| ShareText::parse(s).unwrap_err();
    assert_eq!(
        parse("").to_string(),
        "empty: type the share, groups of 5 characters"
    );
    assert_eq!(
        parse(" \n\t ").to_string(),
        "empty: type the share, groups of 5 characters"
    );
    assert_eq!(parse(" - -- "), ParseError::Empty);
    let long = "A".repeat(MAX_INPUT_LEN + 1);
    assert_eq!(
        parse(&long).to_string(),
        format!(
            "too long: {} bytes, a share is at most 16384",
            MAX_INPUT_LEN + 1
        )
    );
    assert_eq!(
        parse("correct horse battery staple").to_string(),
        "not a share: its groups are not 5 characters long"
    );
    assert_eq!(
        parse("{\"type\": \"validator_key\"}").to_string(),
        "not a share: it has characters that no share uses"
    );
    assert_eq!(
        parse("ABCDE-FGHJK").to_string(),
        "not a share: too short: a share has at least 4 groups"
    );
    let garbage: String = (0..60).map(|i| char::from(ALPHABET[i * 7 % 32])).collect();
    assert_eq!(
        parse(&garbage).to_string(),
        "not a share: most groups fail their check"
    );

    // One character short, with and without the dashes.
    let mut short = a1.to_owned();
    short.remove(7);
    assert_eq!(
        parse(&short).to_string(),
        "group 2 looks wrong: it has 4 characters, a group has 5"
    );
    let undashed = short.replace('-', "");
    assert!(
        parse(&undashed)
            .to_string()
            .starts_with("a character is missing or extra")
    );
    // A character no share uses.
    let mut odd = a1.to_owned();
    odd.replace_range(13..14, "U");
    assert_eq!(
        parse(&odd).to_string(),
        "group 3 looks wrong: character 2 ('U') is not one a share uses"
    );
    // Two whole groups swapped: every group checks, the share does not.
    let groups: Vec<&str> = a1.split('-').collect();
    let mut swapped = groups.clone();
    swapped.swap(2, 3);
    let err = parse(&swapped.join("-"));
    assert!(
        matches!(err, ParseError::BadGroups(ref g) if g == &vec![3, 4]),
        "{err:?}"
    );
    // Groups 32 apart carry the same group number in their check: only
    // the whole-share checksum sees them swapped.
    let varied: Vec<u8> = (0..100u8)
        .map(|i| i.wrapping_mul(13).wrapping_add(5))
        .collect();
    let long = shares::split(&varied, 2, 2).unwrap()[0].encode();
    let mut far: Vec<&str> = long.expose_secret().split('-').collect();
    assert!(far.len() > 35);
    assert_ne!(far[2], far[34]);
    far.swap(2, 34);
    assert_eq!(parse(&far.join("-")), ParseError::Checksum);
}

#[test]
fn set_ids_print_as_four_characters() {
    let id = SetId::from_value(0xA_BCDE).unwrap();
    assert_eq!(id.to_string(), "NF6Y");
    assert!(SetId::from_value(1 << 20).is_none());
}

// ------------------------------------------------------------------ envelope

fn pass(s: &str) -> SecretString {
    SecretString::from(s)
}

/// The real thing at the estate's floor: seal, open, wrong passphrase, a
/// flipped bit in each part, truncation, and a refused iteration count.
#[test]
fn envelope_with_real_key_derivation() {
    let secret = b"{\"priv_key\": \"...\"}";
    let sealed = envelope::seal(secret, &pass("tr0ub4dor&3"), MIN_ITERATIONS).unwrap();
    assert_eq!(
        envelope::open(&sealed, &pass("tr0ub4dor&3"))
            .unwrap()
            .expose_secret(),
        secret
    );
    let auth = Err(EnvelopeError::AuthenticationFailed);
    assert_eq!(
        envelope::open(&sealed, &pass("tr0ub4dor&4")).map(|_| ()),
        auth
    );
    // salt, nonce, ciphertext, tag (each costs one derivation)
    for byte in [13, 33, 45, sealed.len() - 1] {
        let mut bad = sealed.clone();
        bad[byte] ^= 0x10;
        assert_eq!(
            envelope::open(&bad, &pass("tr0ub4dor&3")).map(|_| ()),
            auth,
            "byte {byte}"
        );
    }
    // The iteration count: 100,000 + 1 derives and fails; 100,000 − 1 is
    // refused as too low (the header check comes before any key derivation).
    let mut more = sealed.clone();
    more[8..12].copy_from_slice(&(MIN_ITERATIONS + 1).to_be_bytes());
    assert_eq!(
        envelope::open(&more, &pass("tr0ub4dor&3")).map(|_| ()),
        auth
    );
    let mut fewer = sealed.clone();
    fewer[8..12].copy_from_slice(&(MIN_ITERATIONS - 1).to_be_bytes());
    let err = envelope::open(&fewer, &pass("tr0ub4dor&3")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "PBKDF2 iteration count 99999 is below the minimum of 100000"
    );
    assert!(matches!(
        envelope::seal(secret, &pass("x"), 99_999),
        Err(EnvelopeError::IterationsTooLow {
            iterations: 99_999,
            ..
        })
    ));
    for len in [0, 5, 12, 40, 41, 56] {
        assert!(matches!(
            envelope::open(&sealed[..len], &pass("tr0ub4dor&3")),
            Err(EnvelopeError::NotAnEnvelope | EnvelopeError::Truncated { .. })
        ));
    }
    assert_eq!(
        envelope::open(&sealed[..sealed.len() - 1], &pass("tr0ub4dor&3")).map(|_| ()),
        auth
    );
}

#[test]
fn envelope_errors_say_what_is_wrong() {
    let key = EnvelopeKey::from_bytes([1; KEY_LEN]);
    let header = Header::random(MIN_ITERATIONS).unwrap();
    let sealed = envelope::seal_with_key(b"k", &key, &header).unwrap();
    let open = |b: &[u8]| {
        envelope::open_with_key(b, &key)
            .map(|_| ())
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        open(b"-----BEGIN PGP MESSAGE-----"),
        "not a drconsole key backup envelope (it does not start with \"DRCENV\")"
    );
    let mut v2 = sealed.clone();
    v2[6] = 2;
    assert_eq!(
        open(&v2),
        "unsupported envelope version 2 (this drconsole reads version 1)"
    );
    let mut kdf = sealed.clone();
    kdf[7] = 2;
    assert_eq!(
        open(&kdf),
        "unsupported key derivation function id 2 (1 = PBKDF2-HMAC-SHA256 is the only one)"
    );
    let mut huge = sealed.clone();
    huge[8] ^= 0x80;
    assert!(open(&huge).contains("above the maximum of 10000000"));
    let mut salt = sealed.clone();
    salt[12] = 8;
    assert_eq!(
        open(&salt),
        "unsupported salt length 8 bytes (16 to 64 are accepted)"
    );
    assert_eq!(
        open(&sealed[..30]),
        "envelope truncated: 30 bytes, at least 57 needed"
    );
    let mut tag = sealed.clone();
    *tag.last_mut().unwrap() ^= 1;
    assert_eq!(
        open(&tag),
        "authentication failed: wrong passphrase, or the envelope was altered \
         (AES-GCM cannot tell which)"
    );
}

// ------------------------------------------------------------------- hygiene

#[test]
fn no_secret_in_debug_output() {
    let secret = b"SUPERSECRETPASSPHRASE-0123456789".to_vec();
    let all = shares::split(&secret, 2, 3).unwrap();
    let text = all[0].encode();
    let mut combiner = Combiner::new();
    combiner.add(all[0].clone()).unwrap();
    let key = EnvelopeKey::from_bytes([0x5A; KEY_LEN]);
    let header = Header::random(MIN_ITERATIONS).unwrap();
    let sealed = envelope::seal_with_key(&secret, &key, &header).unwrap();
    let opened = envelope::open_with_key(&sealed, &key).unwrap();
    let rebuilt = shares::combine(&all[..2]).unwrap();

    let shown = [
        format!("{:?}", all[0]),
        format!("{all:?}"),
        format!("{combiner:?}"),
        format!("{key:?}"),
        format!("{text:?}"),
        format!("{opened:?}"),
        format!("{rebuilt:?}"),
        format!("{:?}", pass("SUPERSECRETPASSPHRASE")),
    ];
    let payload_hex = all[0]
        .expose_payload()
        .iter()
        .fold(String::new(), |mut hex, b| {
            write!(hex, "{b:02x}").unwrap();
            hex
        });
    let payload_list = format!("{:?}", all[0].expose_payload());
    let secret_list = format!("{secret:?}");
    for s in &shown {
        assert!(s.contains("REDACTED"), "{s}");
        assert!(!s.contains("SUPERSECRET"), "{s}");
        assert!(!s.contains(&text.expose_secret()[12..]), "{s}");
        assert!(!s.contains(&payload_hex), "{s}");
        assert!(!s.contains(&payload_list[1..payload_list.len() - 1]), "{s}");
        assert!(!s.contains(&secret_list[1..secret_list.len() - 1]), "{s}");
        assert!(!s.contains("5a, 5a") && !s.contains("90, 90"), "{s}");
    }
}
