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
//! spaces and dashes are ignored except to locate a wrong group.
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

use secrecy::SecretString;
use sha2::{Digest, Sha256};
use std::fmt;
use zeroize::Zeroizing;

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
const HASH_DOMAIN: &[u8] = b"drconsole share v1\0";
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

impl fmt::Display for SetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in self.symbols() {
            write!(f, "{}", char::from(ALPHABET[usize::from(s)]))?;
        }
        Ok(())
    }
}

/// Why a typed share was refused. Each kind of mistake has its own variant
/// and message; none carries the share's content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Nothing but spaces.
    #[error("empty: type the share, groups of 5 characters")]
    Empty,
    /// Longer than any share can be.
    #[error("too long: {len} bytes, a share is at most {max}")]
    TooLong {
        /// Bytes given.
        len: usize,
        /// [`MAX_INPUT_LEN`].
        max: usize,
    },
    /// Not recognisably a share at all.
    #[error("not a share: {0}")]
    NotAShare(&'static str),
    /// A character outside the alphabet.
    #[error("group {group} looks wrong: character {position} ({ch:?}) is not one a share uses")]
    BadCharacter {
        /// 1-based group number.
        group: usize,
        /// 1-based position in the group.
        position: usize,
        /// The character.
        ch: char,
    },
    /// A group (between separators) that is not five characters long.
    #[error("group {group} looks wrong: it has {chars} characters, a group has 5")]
    GroupLength {
        /// 1-based group number where the bad run starts.
        group: usize,
        /// Characters between the separators.
        chars: usize,
    },
    /// Without separators, a length that is not a multiple of five.
    #[error(
        "a character is missing or extra: {chars} characters is not a multiple of 5 \
         (type the dashes between groups to find which group)"
    )]
    Length {
        /// Characters typed.
        chars: usize,
    },
    /// Groups whose check character does not match.
    #[error("{}", groups_message(.0))]
    BadGroups(Vec<usize>),
    /// Every group checks but the whole-share checksum does not.
    #[error(
        "every group checks but the share as a whole does not: two groups may be swapped, \
         or one group has two mistakes"
    )]
    Checksum,
    /// A format version this code does not read.
    #[error("share format version {0} is not supported (this drconsole reads version 1)")]
    UnsupportedVersion(u8),
    /// The checks pass but a field is out of range.
    #[error("malformed share: {0}")]
    Malformed(&'static str),
}

fn groups_message(groups: &[usize]) -> String {
    match groups {
        [g] => format!("group {g} looks wrong"),
        [a, b] => format!("groups {a} and {b} look wrong"),
        [rest @ .., last] => {
            let firsts: Vec<String> = rest.iter().map(ToString::to_string).collect();
            format!("groups {} and {last} look wrong", firsts.join(", "))
        }
        [] => "no group looks wrong".to_owned(),
    }
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

fn symbol(c: char) -> Option<u8> {
    let i = usize::try_from(u32::from(c)).ok()?;
    SYMBOLS.get(i).copied().filter(|&v| v < 32)
}

fn is_separator(c: char) -> bool {
    c == '-' || c.is_whitespace()
}

/// The typed characters as values, every separator dropped, with the
/// errors that need the separators: bad characters and bad group lengths.
fn read_symbols(input: &str) -> Result<Zeroizing<Vec<u8>>, ParseError> {
    let mut symbols = Zeroizing::new(Vec::with_capacity(input.len()));
    let mut first_bad = None;
    let mut bad_chars = 0usize;
    let mut first_short = None;
    let mut short_runs = 0usize;
    let mut chars = 0usize;
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
        Some(_) if !has_separators => Err(ParseError::Length { chars }),
        Some(err) => Err(err),
        None => Ok(symbols),
    }
}

/// Multiplication in GF(32) with the polynomial x⁵ + x² + 1.
fn gf32_mul(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0;
    while b != 0 {
        if b & 1 != 0 {
            product ^= a;
        }
        b >>= 1;
        a <<= 1;
        if a & 0x20 != 0 {
            a ^= 0x25;
        }
    }
    product
}

/// Weights α⁰ to α⁴ of the five positions in a group.
const WEIGHTS: [u8; GROUP_LEN] = [1, 2, 4, 8, 16];

/// Zero for a group that checks. `group` is the group's five values.
fn syndrome(group: &[u8], number: usize) -> u8 {
    let mut sum = u8::try_from(number % 32).unwrap_or(0);
    for (&v, &w) in group.iter().zip(WEIGHTS.iter()) {
        sum ^= gf32_mul(v, w);
    }
    sum
}

/// The check value completing four data values of group `number`.
fn check_value(data: &[u8], number: usize) -> u8 {
    let mut group = [0u8; GROUP_LEN];
    group[..GROUP_DATA].copy_from_slice(data);
    (0..32)
        .find(|&c| {
            group[GROUP_DATA] = c;
            syndrome(&group, number) == 0
        })
        .unwrap_or(0)
}

/// The whole-share check: the first 20 bits of SHA-256 over the domain
/// and the data values, as four values.
fn whole_check(data: &[u8]) -> [u8; 4] {
    let digest = Sha256::new()
        .chain_update(HASH_DOMAIN)
        .chain_update(data)
        .finalize();
    let bits =
        (u32::from(digest[0]) << 12) | (u32::from(digest[1]) << 4) | (u32::from(digest[2]) >> 4);
    SetId(bits).symbols()
}

/// Bytes as base32 values, most significant bit first, the last value
/// zero-filled.
fn to_base32(bytes: &[u8]) -> Zeroizing<Vec<u8>> {
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
fn from_base32(values: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
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
}
