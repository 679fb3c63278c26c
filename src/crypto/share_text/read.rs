//! Reading typed characters: the case-insensitive alphabet with its
//! look-alikes (`O` for `0`, `I` and `L` for `1`), separators, and the
//! mistakes that only the separators can locate.

use zeroize::Zeroizing;

use super::{ALPHABET, GROUP_LEN, ParseError};

const fn symbol_table() -> [u8; 128] {
    let mut table = [0xFF; 128];
    let mut value: u8 = 0;
    while value < 32 {
        let c = ALPHABET[value as usize];
        table[c as usize] = value;
        table[c.to_ascii_lowercase() as usize] = value;
        value += 1;
    }
    table[b'O' as usize] = 0;
    table[b'o' as usize] = 0;
    table[b'I' as usize] = 1;
    table[b'i' as usize] = 1;
    table[b'L' as usize] = 1;
    table[b'l' as usize] = 1;
    table
}

const SYMBOLS: [u8; 128] = symbol_table();

pub(super) fn symbol(c: char) -> Option<u8> {
    let i = usize::try_from(u32::from(c)).ok()?;
    SYMBOLS.get(i).copied().filter(|&v| v < 32)
}

/// Dashes and whitespace, which only mark where groups begin.
pub(super) fn is_separator(c: char) -> bool {
    c == '-' || c.is_whitespace()
}

/// The typed characters as values, every separator dropped, with the
/// errors that need the separators: bad characters and bad group lengths.
pub(super) fn read_symbols(input: &str) -> Result<Zeroizing<Vec<u8>>, ParseError> {
    let mut symbols = Zeroizing::new(Vec::with_capacity(input.len()));
    let mut first_bad = None;
    let mut bad_chars = 0usize;
    let mut first_short = None;
    let mut short_runs = 0usize;
    let mut chars = 0usize;
    // Characters as typed: `chars` is rounded up at a short group, so
    // that later groups keep their numbers; a message counts these.
    let mut typed = 0usize;
    let has_separators = input.chars().any(is_separator);
    for run in input.split(is_separator).filter(|r| !r.is_empty()) {
        let start = chars;
        for c in run.chars() {
            if let Some(v) = symbol(c) {
                symbols.push(v);
            } else {
                bad_chars += 1;
                first_bad.get_or_insert(ParseError::BadCharacter {
                    group: chars / GROUP_LEN + 1,
                    position: chars % GROUP_LEN + 1,
                    ch: c,
                });
            }
            chars += 1;
            typed += 1;
        }
        let len = chars - start;
        if !len.is_multiple_of(GROUP_LEN) {
            short_runs += 1;
            first_short.get_or_insert(ParseError::GroupLength {
                group: start / GROUP_LEN + 1,
                chars: len,
            });
            // Later groups are counted from the next group boundary.
            chars = chars.next_multiple_of(GROUP_LEN);
        }
    }
    if bad_chars > 2 {
        return Err(ParseError::NotAShare(
            "it has characters that no share uses",
        ));
    }
    if short_runs > 1 {
        return Err(ParseError::NotAShare(
            "its groups are not 5 characters long",
        ));
    }
    if let Some(err) = first_bad {
        return Err(err);
    }
    match first_short {
        Some(_) if !has_separators => Err(ParseError::Length { chars: typed }),
        Some(err) => Err(err),
        None => Ok(symbols),
    }
}
