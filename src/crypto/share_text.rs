//! A share as text a person can copy onto paper and type back.
//!
//! # Format, version 1
//!
//! A share is a sequence of **groups** of five characters from Crockford's
//! base32 alphabet `0123456789ABCDEFGHJKMNPQRSTVWXYZ` (no I, L, O, U),
//! written with `-` (or spaces, or line breaks) between groups:
//!
//! ```text
//! 1320R-K7QXM-5ZT2C-...-8H4QA
//! ```
//!
//! Each character is a 5-bit value (its position in the alphabet). Typed
//! input is case-insensitive; `O` reads as `0`, and `I` and `L` as `1`;
//! spaces, dashes and line breaks separate groups: each run between them
//! must be a whole number of groups (one run of another length is named,
//! two or more are "not a share"), so they also locate a wrong group.
//!
//! Each group is four **data** values `d0 d1 d2 d3` and a **check** value
//! `c`. The data values of all groups, in order, are:
//!
//! | data values   | content                                                    |
//! |---------------|------------------------------------------------------------|
//! | 0             | format version: 1                                          |
//! | 1             | threshold T (2 to 16)                                      |
//! | 2             | this share's index x (1 to 16)                             |
//! | 3             | `p`, the number of padding values (0 to 3)                 |
//! | 4 to 7        | set id, 20 bits, most significant value first              |
//! | 8 ..          | payload: the Shamir share's bytes (the polynomials at x), as base32: bits most significant first, the last value zero-filled; then `p` zero values so that the count is a multiple of 4 |
//! | last 4        | the first 20 bits of SHA-256(`"drconsole share v1"` ‖ `0x00` ‖ every data value before these four, one byte each) |
//!
//! The payload's byte length is `floor(5n / 8)` for its `n` base32 values;
//! a canonical payload has fewer than 5 leftover bits, all zero.
//!
//! **Group check.** Arithmetic is in GF(32) with the polynomial
//! x⁵ + x² + 1 (addition is XOR; α = 2). For group number `g` (0-based),
//! `c` is the value for which
//!
//! ```text
//! 1·d0 ⊕ α·d1 ⊕ α²·d2 ⊕ α³·d3 ⊕ α⁴·c ⊕ (g mod 32) = 0
//! ```
//!
//! The weights 1, α, α², α³, α⁴ are distinct and non-zero, so a single
//! changed character changes the sum by `αᵏ·e ≠ 0`, and swapping two
//! different characters at positions `i`, `j` changes it by
//! `(αⁱ ⊕ αʲ)·(a ⊕ b) ≠ 0`: every single substitution and every
//! transposition inside a group is detected, and the group named. A swap
//! across a group boundary is a substitution in each of the two groups,
//! so both are named. The group number in the sum catches most swapped
//! groups; the whole-share SHA-256 check catches what the group checks
//! miss (two errors in one group, groups 32 apart swapped).

mod base32;
mod check;
mod error;
mod read;

use secrecy::SecretString;
use std::fmt;
use zeroize::Zeroizing;

use self::base32::{from_base32, to_base32};
use self::check::{check_value, syndrome, whole_check};
use self::read::{is_separator, read_symbols};
use super::REDACTED;

/// Crockford's base32 alphabet: a character's value is its position.
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// The share text format version this code writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// Characters per group.
pub const GROUP_LEN: usize = 5;
/// Data values per group (the fifth character is the check).
const GROUP_DATA: usize = 4;
/// Longest input considered (bytes), separators included.
pub const MAX_INPUT_LEN: usize = 16 * 1024;
/// Longest payload (bytes): the longest secret that can be split.
pub const MAX_PAYLOAD_LEN: usize = 4096;
/// Fewest groups in a share: header, set id, payload, checksum.
pub const MIN_GROUPS: usize = 4;
/// Largest threshold and index.
pub const MAX_INDEX: u8 = 16;
const SET_ID_BITS: u32 = 20;

/// Identifies the shares of one split: 20 random bits, shown as four
/// characters of the share alphabet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SetId(u32);

impl SetId {
    /// A random set id from the operating system's generator.
    ///
    /// # Errors
    /// The OS RNG failed.
    pub fn random() -> Result<Self, getrandom::Error> {
        Ok(Self(getrandom::u32()? & ((1 << SET_ID_BITS) - 1)))
    }

    /// A set id from its 20-bit value; `None` if it does not fit.
    #[must_use]
    pub fn from_value(value: u32) -> Option<Self> {
        (value < 1 << SET_ID_BITS).then_some(Self(value))
    }

    /// The 20-bit value.
    #[must_use]
    pub fn value(self) -> u32 {
        self.0
    }

    fn symbols(self) -> [u8; 4] {
        [15, 10, 5, 0].map(|shift| u8::try_from((self.0 >> shift) & 31).unwrap_or(0))
    }
}

impl std::str::FromStr for SetId {
    type Err = ParseError;

    /// Reads the four characters [`SetId`]'s `Display` writes (any case,
    /// look-alikes accepted).
    fn from_str(text: &str) -> Result<Self, ParseError> {
        let values: Option<Vec<u8>> = text.trim().chars().map(read::symbol).collect();
        match values {
            Some(v) if v.len() == 4 => Ok(Self(
                v.iter().fold(0u32, |acc, &x| (acc << 5) | u32::from(x)),
            )),
            _ => Err(ParseError::Malformed("a set id is 4 share characters")),
        }
    }
}

impl fmt::Display for SetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in self.symbols() {
            write!(f, "{}", char::from(ALPHABET[usize::from(s)]))?;
        }
        Ok(())
    }
}

pub use error::ParseError;

/// The groups of typed text as the refusals number them: each run
/// between separators cut into groups of five, a shorter run its own
/// group; `(number from 1, characters)` per group. Lengths only: what
/// the screen needs to draw a masked share with a wrong group marked.
#[must_use]
pub fn group_lengths(input: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut chars = 0usize;
    for run in input.split(is_separator).filter(|r| !r.is_empty()) {
        let mut left = run.chars().count();
        while left > 0 {
            let n = left.min(GROUP_LEN);
            out.push((chars / GROUP_LEN + 1, n));
            chars += n;
            left -= n;
        }
        chars = chars.next_multiple_of(GROUP_LEN);
    }
    out
}

/// Whether `c` is a character a share uses: the alphabet in either case,
/// or one of its look-alikes (`O`, `I`, `L`).
#[must_use]
pub fn is_share_char(c: char) -> bool {
    read::symbol(c).is_some()
}

/// One holder's share: set id, threshold, index and the Shamir share's
/// bytes. The bytes are zeroized on drop and never printed by `Debug`.
#[derive(Clone)]
pub struct ShareText {
    set_id: SetId,
    threshold: u8,
    index: u8,
    payload: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for ShareText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShareText")
            .field("set_id", &format_args!("{}", self.set_id))
            .field("threshold", &self.threshold)
            .field("index", &self.index)
            .field("payload", &format_args!("{REDACTED}"))
            .finish()
    }
}

impl ShareText {
    /// A share from its parts.
    ///
    /// # Errors
    /// [`ParseError::Malformed`] when the threshold is outside 2 to 16, the
    /// index outside 1 to 16, or the payload empty or over 4096 bytes.
    pub fn new(
        set_id: SetId,
        threshold: u8,
        index: u8,
        payload: Zeroizing<Vec<u8>>,
    ) -> Result<Self, ParseError> {
        if !(2..=MAX_INDEX).contains(&threshold) {
            return Err(ParseError::Malformed("threshold outside 2 to 16"));
        }
        if !(1..=MAX_INDEX).contains(&index) {
            return Err(ParseError::Malformed("index outside 1 to 16"));
        }
        if payload.is_empty() || payload.len() > MAX_PAYLOAD_LEN {
            return Err(ParseError::Malformed("payload not 1 to 4096 bytes"));
        }
        Ok(Self {
            set_id,
            threshold,
            index,
            payload,
        })
    }

    /// The set this share belongs to.
    #[must_use]
    pub fn set_id(&self) -> SetId {
        self.set_id
    }

    /// How many shares rebuild the secret.
    #[must_use]
    pub fn threshold(&self) -> u8 {
        self.threshold
    }

    /// This share's index (its x coordinate), 1 to 16.
    #[must_use]
    pub fn index(&self) -> u8 {
        self.index
    }

    /// The Shamir share's bytes (secret).
    #[must_use]
    pub fn expose_payload(&self) -> &[u8] {
        &self.payload
    }

    /// The data values of every group, checksum included.
    fn data_values(&self) -> Zeroizing<Vec<u8>> {
        let payload = to_base32(&self.payload);
        let pad = (GROUP_DATA - payload.len() % GROUP_DATA) % GROUP_DATA;
        let mut data = Zeroizing::new(Vec::with_capacity(8 + payload.len() + pad + 4));
        data.extend_from_slice(&[
            FORMAT_VERSION,
            self.threshold,
            self.index,
            u8::try_from(pad).unwrap_or(0),
        ]);
        data.extend_from_slice(&self.set_id.symbols());
        data.extend_from_slice(&payload);
        let padded = data.len() + pad;
        data.resize(padded, 0);
        let check = whole_check(&data);
        data.extend_from_slice(&check);
        data
    }

    /// The groups, each five characters.
    fn groups(&self) -> Vec<Zeroizing<String>> {
        self.data_values()
            .chunks(GROUP_DATA)
            .enumerate()
            .map(|(g, chunk)| {
                let mut group = Zeroizing::new(String::with_capacity(GROUP_LEN));
                for &v in chunk {
                    group.push(char::from(ALPHABET[usize::from(v)]));
                }
                let c = check_value(chunk, g);
                group.push(char::from(ALPHABET[usize::from(c)]));
                group
            })
            .collect()
    }

    /// The share as one line, groups joined by `-`.
    #[must_use]
    pub fn encode(&self) -> SecretString {
        self.encode_lines(usize::MAX)
    }

    /// The share for paper: `groups_per_line` groups per line, separated by
    /// spaces. [`ShareText::parse`] reads either form.
    #[must_use]
    pub fn encode_lines(&self, groups_per_line: usize) -> SecretString {
        let groups = self.groups();
        let mut out = Zeroizing::new(String::with_capacity(groups.len() * (GROUP_LEN + 1)));
        let sep = if groups_per_line == usize::MAX {
            '-'
        } else {
            ' '
        };
        for (i, group) in groups.iter().enumerate() {
            if i > 0 {
                out.push(if i % groups_per_line.max(1) == 0 {
                    '\n'
                } else {
                    sep
                });
            }
            out.push_str(group);
        }
        SecretString::from(out.as_str())
    }

    /// Reads a typed share, checking every group and the whole.
    ///
    /// # Errors
    /// A [`ParseError`] that names what is wrong and, where it can, which
    /// group.
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        if input.len() > MAX_INPUT_LEN {
            return Err(ParseError::TooLong {
                len: input.len(),
                max: MAX_INPUT_LEN,
            });
        }
        let input = input.trim();
        if input.chars().all(is_separator) {
            return Err(ParseError::Empty);
        }
        let symbols = read_symbols(input)?;
        let groups = symbols.len() / GROUP_LEN;
        if groups < MIN_GROUPS {
            return Err(ParseError::NotAShare(
                "too short: a share has at least 4 groups",
            ));
        }
        let bad: Vec<usize> = symbols
            .chunks(GROUP_LEN)
            .enumerate()
            .filter(|(g, group)| syndrome(group, *g) != 0)
            .map(|(g, _)| g + 1)
            .collect();
        if bad.len() > 2 && bad.len() * 2 > groups {
            return Err(ParseError::NotAShare("most groups fail their check"));
        }
        if !bad.is_empty() {
            return Err(ParseError::BadGroups(bad));
        }
        let mut data = Zeroizing::new(Vec::with_capacity(groups * GROUP_DATA));
        for group in symbols.chunks(GROUP_LEN) {
            data.extend_from_slice(&group[..GROUP_DATA]);
        }
        if data[0] != FORMAT_VERSION {
            return Err(ParseError::UnsupportedVersion(data[0]));
        }
        let (body, check) = data.split_at(data.len() - 4);
        if whole_check(body) != check {
            return Err(ParseError::Checksum);
        }
        Self::from_body(body)
    }

    fn from_body(body: &[u8]) -> Result<Self, ParseError> {
        let (threshold, index, pad) = (body[1], body[2], usize::from(body[3]));
        let set_id = body[4..8]
            .iter()
            .fold(0u32, |acc, &v| (acc << 5) | u32::from(v));
        if pad >= GROUP_DATA {
            return Err(ParseError::Malformed("padding count over 3"));
        }
        let payload_syms = body.len() - 8;
        if pad >= payload_syms {
            return Err(ParseError::Malformed("no payload"));
        }
        let (payload, padding) = body[8..].split_at(payload_syms - pad);
        if padding.iter().any(|&v| v != 0) {
            return Err(ParseError::Malformed("padding not zero"));
        }
        let payload = from_base32(payload).ok_or(ParseError::Malformed("payload not canonical"))?;
        Self::new(SetId(set_id), threshold, index, payload)
    }
}

#[cfg(test)]
mod tests;
