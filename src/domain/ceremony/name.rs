//! Holder names: labels the journal records, so they must be short,
//! printable, and never a share typed into the wrong field.

use crate::crypto::share_text::{GROUP_LEN, is_share_char};

/// Longest holder name accepted: names are labels, not essays.
pub const MAX_NAME_LEN: usize = 40;

/// Characters that print nothing yet change what a line shows: zero-width
/// spaces and joiners, bidirectional controls, the byte-order mark.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Whether `text` reads as groups of a share: a run of whole 5-character
/// groups of the share alphabet (look-alikes included), joined by dashes
/// or spaces or written together, that is three groups or more, or two
/// with a digit in them. `alice`, `James Smith` or `holder-1` are names;
/// `1320R-K7QXM` or `1320RK7QXM` are not.
#[must_use]
pub fn looks_like_share(text: &str) -> bool {
    let mut groups = 0usize;
    let mut digit = false;
    for token in text.split(|c: char| c == '-' || c.is_whitespace()) {
        if token.is_empty() {
            continue;
        }
        let len = token.chars().count();
        if token.chars().all(is_share_char) && len.is_multiple_of(GROUP_LEN) {
            groups += len / GROUP_LEN;
            digit |= token.chars().any(|c| c.is_ascii_digit());
            if groups >= 3 || (groups >= 2 && digit) {
                return true;
            }
        } else {
            groups = 0;
            digit = false;
        }
    }
    false
}

/// Checks a holder name: trimmed, 1 to 40 printable characters (no
/// control or invisible characters), and not share groups.
///
/// # Errors
/// A sentence for the holder saying what is wrong; it never quotes the
/// name (which could be a share typed into the wrong field).
pub fn check_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("type your name first".to_owned());
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err(format!("a name is at most {MAX_NAME_LEN} characters"));
    }
    if name.chars().any(|c| c.is_control() || is_invisible(c)) {
        return Err(
            "a name is printable characters only: no control or invisible characters".to_owned(),
        );
    }
    if looks_like_share(name) {
        return Err(
            "that reads as share groups, not a name: type your name here, \
                    and your share in the Share field"
                .to_owned(),
        );
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_are_names_and_share_groups_are_not() {
        for name in [
            "alice",
            "carol",
            "James Smith",
            "holder-1",
            "Anne-Marie",
            "bob42",
            "Ünal",
        ] {
            assert_eq!(check_name(name).as_deref(), Ok(name), "{name}");
        }
        for share in [
            "1320R-K7QXM",
            "1320RK7QXM",
            "1320r k7qxm 5zt2c",
            "ABCDE FGHJK MNPQR",
            "alice 1320R-K7QXM-5ZT2C",
        ] {
            let err = check_name(share).unwrap_err();
            assert!(err.contains("share groups"), "{share}: {err}");
            assert!(!err.contains("1320"), "the refusal does not quote it");
        }
        assert!(check_name(&"x".repeat(41)).is_err());
        assert!(check_name(&"u".repeat(40)).is_ok());
        assert!(check_name("a\u{7}b").is_err());
        assert!(check_name("a\u{202E}b").is_err());
        assert!(check_name("   ").is_err());
    }
}
