//! The append-only journal: entries, their hash chain, and verification.
//!
//! Every runbook transition and ceremony event becomes one [`Entry`], one
//! JSON line. Each line carries the SHA-256 of its own canonical bytes
//! ([`Entry::hash`]) and the hash of the entry before it ([`Entry::prev`]),
//! so an edit, deletion or reordering breaks the chain at a line we can
//! name. A chain cannot see a cut tail, so the hash of the last
//! acknowledged entry is also kept apart, in a [`Head`], and the last line
//! is compared with it.
//!
//! This is tamper *evidence* against accidents and casual edits, not a
//! signature: whoever rewrites both the file and its head can forge a
//! consistent chain.
//!
//! Pure: no I/O and no clock reads; `runtime::journal_file` owns the files.
//!
//! # Canonical form
//!
//! A line is exactly
//! `{"seq":N,"at":"2026-11-26T03:00:00.000Z","run":"…","kind":"…","data":…,"prev":"<64 hex>","hash":"<64 hex>"}`
//! in compact JSON, and `hash` is the SHA-256 of the same bytes with the
//! `,"hash":"…"` member left out. The hash is checked against the bytes as
//! found in the file, not against a re-serialisation, so no byte of a line
//! can change unnoticed (whitespace and number formatting included).

use std::collections::BTreeSet;
use std::fmt;
use std::fmt::Write as _;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::domain::time::Timestamp;

/// The `prev` of the first entry: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One journal record: a transition of a run or a ceremony event.
///
/// Fields are in canonical order; see the module documentation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Position in the journal: 1 for the first entry, then +1 each.
    pub seq: u64,
    /// When the transition happened, as the caller's clock said.
    #[serde(with = "at_format")]
    pub at: Timestamp,
    /// The run (or ceremony) this entry belongs to.
    pub run: String,
    /// What happened, dotted by convention: `step.started`, `share.entered`.
    pub kind: String,
    /// Details; never secrets (see [`find_secret_key`]).
    pub data: Value,
    /// [`Entry::hash`] of the previous entry, or [`GENESIS_HASH`].
    pub prev: String,
    /// Hex SHA-256 of this entry's canonical line without this field.
    pub hash: String,
}

impl Entry {
    /// The canonical line, without the newline. For entries made by
    /// [`seal`] these are the exact bytes that were hashed.
    #[must_use]
    pub fn line(&self) -> String {
        let body = body(
            self.seq, self.at, &self.run, &self.kind, &self.data, &self.prev,
        );
        with_hash(&body, &self.hash)
    }

    /// The link a following entry chains to.
    #[must_use]
    pub fn head(&self) -> Head {
        Head {
            seq: self.seq,
            hash: self.hash.clone(),
        }
    }
}

/// The last acknowledged entry (`seq` and `hash`), kept in a file beside
/// the journal so that a cut tail, which the chain itself cannot see, is
/// found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Head {
    /// Sequence number of the last entry; 0 for an empty journal.
    pub seq: u64,
    /// Its hash; [`GENESIS_HASH`] for an empty journal.
    pub hash: String,
}

impl Head {
    /// The head of an empty journal.
    #[must_use]
    pub fn genesis() -> Head {
        Head {
            seq: 0,
            hash: GENESIS_HASH.to_owned(),
        }
    }
}

/// Makes the entry that follows `after` (use [`Head::genesis`] for the
/// first), with its hash. The sequence number follows from `after`, so a
/// caller cannot leave a gap.
#[must_use]
pub fn seal(after: &Head, at: Timestamp, run: &str, kind: &str, data: Value) -> Entry {
    let seq = after.seq.saturating_add(1);
    let body = body(seq, at, run, kind, &data, &after.hash);
    Entry {
        seq,
        at,
        run: run.to_owned(),
        kind: kind.to_owned(),
        data,
        prev: after.hash.clone(),
        hash: sha256_hex(body.as_bytes()),
    }
}

/// The canonical bytes that are hashed: compact JSON, fixed field order.
/// Built by hand from infallible `Display` impls so `seal` cannot fail.
fn body(seq: u64, at: Timestamp, run: &str, kind: &str, data: &Value, prev: &str) -> String {
    let s = |t: &str| Value::String(t.to_owned()).to_string();
    format!(
        "{{\"seq\":{seq},\"at\":{},\"run\":{},\"kind\":{},\"data\":{data},\"prev\":{}}}",
        s(&format_at(at)),
        s(run),
        s(kind),
        s(prev)
    )
}

/// `body` with the hash member inserted before its closing brace.
fn with_hash(body: &str, hash: &str) -> String {
    let open = body.strip_suffix('}').unwrap_or(body);
    format!("{open},{}}}", hash_member(hash))
}

fn hash_member(hash: &str) -> String {
    format!("\"hash\":{}", Value::String(hash.to_owned()))
}

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in &digest {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// RFC 3339 in UTC with exactly three fractional digits, so every
/// [`Timestamp`] has one spelling. Instants jiff cannot represent (beyond
/// year 9999) fall back to `@<ms>ms` rather than failing.
fn format_at(t: Timestamp) -> String {
    let ms = t.as_millis();
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(ts) => format!(
            "{}.{:03}Z",
            ts.strftime("%Y-%m-%dT%H:%M:%S"),
            ms.rem_euclid(1000)
        ),
        Err(_) => format!("@{ms}ms"),
    }
}

/// Inverse of [`format_at`]; anything but the canonical spelling is refused.
fn parse_at(text: &str) -> Result<Timestamp, String> {
    let t = match text.strip_prefix('@').and_then(|r| r.strip_suffix("ms")) {
        Some(ms) => ms
            .parse::<i64>()
            .map(Timestamp::from_millis)
            .map_err(|e| e.to_string())?,
        None => text
            .parse::<jiff::Timestamp>()
            .map(|ts| Timestamp::from_millis(ts.as_millisecond()))
            .map_err(|e| e.to_string())?,
    };
    if format_at(t) == text {
        Ok(t)
    } else {
        Err(format!(
            "time \"{text}\" is not in the form 2026-11-26T03:00:00.000Z"
        ))
    }
}

mod at_format {
    use super::{Deserialize, Deserializer, Serializer, Timestamp, format_at, parse_at};

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` signature
    pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_at(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(d)?;
        parse_at(&text).map_err(serde::de::Error::custom)
    }
}

/// Why a journal cannot be trusted, and where. Line numbers count from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JournalError {
    /// The bytes of a line are not UTF-8.
    #[error("line {line}: not UTF-8 text (entry edited or file damaged)")]
    NotUtf8 {
        /// Line number.
        line: usize,
    },
    /// The line does not parse as JSON.
    #[error("line {line}: not JSON: {reason}")]
    NotJson {
        /// Line number.
        line: usize,
        /// The parser's complaint.
        reason: String,
    },
    /// JSON, but not an entry (missing, unknown or mistyped fields).
    #[error("line {line}: not a journal entry: {reason}")]
    NotEntry {
        /// Line number.
        line: usize,
        /// The parser's complaint.
        reason: String,
    },
    /// The line's bytes do not hash to the hash it carries.
    #[error("line {line}: entry edited (hash mismatch)")]
    Edited {
        /// Line number.
        line: usize,
    },
    /// The first entry is not entry 1.
    #[error("line {line}: the journal starts at entry {seq}: {}", bad_start(*seq))]
    BadStart {
        /// Line number (1 unless a caller numbers lines differently).
        line: usize,
        /// The sequence number found.
        seq: u64,
    },
    /// Sequence numbers jump forward.
    #[error("line {line}: entry {seq} follows entry {after}: {} deleted or reordered", entries(seq - after - 1))]
    Gap {
        /// Line number.
        line: usize,
        /// The sequence number found.
        seq: u64,
        /// The sequence number of the line before.
        after: u64,
    },
    /// Sequence numbers repeat or go back.
    #[error("line {line}: entry {seq} follows entry {after}: entries reordered or duplicated")]
    Backwards {
        /// Line number.
        line: usize,
        /// The sequence number found.
        seq: u64,
        /// The sequence number of the line before.
        after: u64,
    },
    /// The first entry's `prev` is not the genesis hash.
    #[error("line {line}: prev hash is not the genesis hash (copied from another journal?)")]
    NotGenesis {
        /// Line number.
        line: usize,
    },
    /// `prev` is not the hash of the line before.
    #[error("line {line}: prev hash does not match line {}", line.saturating_sub(1))]
    BrokenLink {
        /// Line number.
        line: usize,
    },
    /// The head records an entry beyond the last line: the tail was cut.
    #[error("truncated: the journal ends at entry {last} but its head records entry {head}")]
    Truncated {
        /// The last entry in the file (0 when empty).
        last: u64,
        /// The entry the head records.
        head: u64,
    },
    /// The head's hash differs from the entry it names.
    #[error(
        "the head records entry {seq} with a different hash: that entry was replaced, or the head belongs to another journal"
    )]
    HeadMismatch {
        /// The entry the head records.
        seq: u64,
    },
    /// Entries beyond the head that no append acknowledged.
    #[error(
        "the head records entry {head} but the journal goes on to entry {last}: entries were added outside drconsole"
    )]
    HeadBehind {
        /// The entry the head records.
        head: u64,
        /// The last entry in the file.
        last: u64,
    },
    /// The file does not end with a newline: a write was interrupted.
    #[error("line {line}: last line is incomplete (crash while writing?)")]
    TornTail {
        /// Line number of the incomplete line.
        line: usize,
    },
    /// The journal or its head could not be read.
    #[error("{path}: {reason}")]
    Unreadable {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

fn bad_start(seq: u64) -> String {
    match seq.checked_sub(1) {
        Some(n) => format!("{} deleted from the start", entries(n)),
        None => "entries count from 1".to_owned(),
    }
}

fn entries(n: u64) -> String {
    if n == 1 {
        "1 entry".to_owned()
    } else {
        format!("{n} entries")
    }
}

/// What a sound journal holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Number of entries.
    pub entries: u64,
    /// Run ids in order of first appearance.
    pub runs: Vec<String>,
    /// Time of the first entry.
    pub first_at: Option<Timestamp>,
    /// Time of the last entry.
    pub last_at: Option<Timestamp>,
    /// The last entry's link ([`Head::genesis`] when empty).
    pub last: Head,
    /// The head file is one entry behind: the process died after the
    /// entry was fsync'd but before the head was replaced. Nothing is lost;
    /// reopening the journal brings the head up to date.
    pub head_lags: bool,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ok: {}", entries(self.entries))?;
        if let (Some(a), Some(b)) = (self.first_at, self.last_at) {
            write!(f, " from {} to {}", format_at(a), format_at(b))?;
        }
        match self.runs.len() {
            0 => {}
            1 => write!(f, ", run {}", self.runs.join(""))?,
            n => write!(f, ", {n} runs ({})", self.runs.join(", "))?,
        }
        if self.head_lags {
            write!(
                f,
                "; head one entry behind (crash before the head was updated; reopening fixes it)"
            )?;
        }
        Ok(())
    }
}

/// A final line without its newline: where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Torn {
    /// Its line number.
    pub line: usize,
    /// Byte offset where it starts: the length to truncate the file to.
    pub offset: usize,
}

/// A verified journal's content, with any torn tail reported rather than
/// refused, so the writer can decide whether to drop it.
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    /// The summary of the complete lines.
    pub summary: Summary,
    /// The complete entries, in order.
    pub entries: Vec<Entry>,
    /// An incomplete last line, if any.
    pub torn: Option<Torn>,
}

/// Checks one line after another; the chain's state between them.
struct Checker {
    entries: Vec<Entry>,
    runs: Vec<String>,
    seen_runs: BTreeSet<String>,
    last_line: usize,
}

impl Checker {
    fn new() -> Self {
        Checker {
            entries: Vec::new(),
            runs: Vec::new(),
            seen_runs: BTreeSet::new(),
            last_line: 0,
        }
    }

    fn push(&mut self, line: usize, text: &str) -> Result<(), JournalError> {
        let entry: Entry = serde_json::from_str(text).map_err(|e| {
            let reason = e.to_string();
            if e.is_data() {
                JournalError::NotEntry { line, reason }
            } else {
                JournalError::NotJson { line, reason }
            }
        })?;
        // The hash must cover the bytes exactly as found.
        let member = format!(",{}}}", hash_member(&entry.hash));
        let body = text
            .strip_suffix(&member)
            .map(|open| format!("{open}}}"))
            .ok_or(JournalError::Edited { line })?;
        if sha256_hex(body.as_bytes()) != entry.hash {
            return Err(JournalError::Edited { line });
        }
        match self.entries.last() {
            None if entry.seq != 1 => {
                return Err(JournalError::BadStart {
                    line,
                    seq: entry.seq,
                });
            }
            None if entry.prev != GENESIS_HASH => return Err(JournalError::NotGenesis { line }),
            Some(p) if entry.seq <= p.seq => {
                return Err(JournalError::Backwards {
                    line,
                    seq: entry.seq,
                    after: p.seq,
                });
            }
            Some(p) if entry.seq > p.seq.saturating_add(1) => {
                return Err(JournalError::Gap {
                    line,
                    seq: entry.seq,
                    after: p.seq,
                });
            }
            Some(p) if entry.prev != p.hash => return Err(JournalError::BrokenLink { line }),
            _ => {}
        }
        if self.seen_runs.insert(entry.run.clone()) {
            self.runs.push(entry.run.clone());
        }
        self.entries.push(entry);
        self.last_line = line;
        Ok(())
    }

    /// Compares the last entry with the head, then summarises.
    fn finish(self, head: Option<&Head>) -> Result<(Summary, Vec<Entry>), JournalError> {
        let last = self.entries.last().map_or_else(Head::genesis, Entry::head);
        let mut head_lags = false;
        if let Some(h) = head {
            if h.seq > last.seq {
                return Err(JournalError::Truncated {
                    last: last.seq,
                    head: h.seq,
                });
            } else if h.seq == last.seq {
                if h.hash != last.hash {
                    return Err(JournalError::HeadMismatch { seq: h.seq });
                }
            } else if h.seq + 1 == last.seq {
                let before = self
                    .entries
                    .iter()
                    .rev()
                    .nth(1)
                    .map_or_else(Head::genesis, Entry::head);
                if h.hash != before.hash {
                    return Err(JournalError::HeadMismatch { seq: h.seq });
                }
                head_lags = true;
            } else {
                return Err(JournalError::HeadBehind {
                    head: h.seq,
                    last: last.seq,
                });
            }
        }
        let summary = Summary {
            entries: self.entries.len() as u64,
            runs: self.runs,
            first_at: self.entries.first().map(|e| e.at),
            last_at: self.entries.last().map(|e| e.at),
            last,
            head_lags,
        };
        Ok((summary, self.entries))
    }
}

/// Verifies complete lines (numbered by the caller, newlines removed) and,
/// when a head is given, that the last one is the entry it records.
///
/// # Errors
/// The first problem found, naming its line.
pub fn verify_lines<'a>(
    lines: impl IntoIterator<Item = (usize, &'a str)>,
    head: Option<&Head>,
) -> Result<Summary, JournalError> {
    let mut checker = Checker::new();
    for (n, text) in lines {
        checker.push(n, text)?;
    }
    checker.finish(head).map(|(s, _)| s)
}

/// Verifies a whole journal file's bytes against its head; a final line
/// without a newline is [`JournalError::TornTail`].
///
/// # Errors
/// The first problem found, naming its line.
pub fn verify_bytes(bytes: &[u8], head: Option<&Head>) -> Result<Summary, JournalError> {
    let scan = scan(bytes, head)?;
    match scan.torn {
        Some(t) => Err(JournalError::TornTail { line: t.line }),
        None => Ok(scan.summary),
    }
}

/// Like [`verify_bytes`], but returns the entries and reports a torn final
/// line in [`Scan::torn`] instead of failing, so that a writer can decide
/// whether it may drop it. Problems in complete lines and a head beyond the
/// last complete entry ([`JournalError::Truncated`]) are still errors.
///
/// # Errors
/// The first problem found, naming its line.
pub fn scan(bytes: &[u8], head: Option<&Head>) -> Result<Scan, JournalError> {
    let mut checker = Checker::new();
    let mut offset = 0;
    let mut torn = None;
    let mut pieces = bytes.split(|b| *b == b'\n').enumerate().peekable();
    while let Some((i, piece)) = pieces.next() {
        let line = i + 1;
        if pieces.peek().is_none() {
            // After the last newline: empty for a sound file.
            if !piece.is_empty() {
                torn = Some(Torn { line, offset });
            }
            break;
        }
        let text = std::str::from_utf8(piece).map_err(|_| JournalError::NotUtf8 { line })?;
        checker.push(line, text)?;
        offset += piece.len() + 1;
    }
    let (summary, entries) = checker.finish(head)?;
    Ok(Scan {
        summary,
        entries,
        torn,
    })
}

/// Words of a data key that mark a secret.
const SECRET_WORDS: &[&str] = &[
    "share",
    "shares",
    "passphrase",
    "passphrases",
    "password",
    "passwords",
    "secret",
    "secrets",
    "mnemonic",
    "mnemonics",
    "keymaterial",
];

/// Last words that make a key describe a secret rather than hold one
/// (`share_index`, `secret_name`).
const METADATA_WORDS: &[&str] = &[
    "index",
    "id",
    "ids",
    "count",
    "name",
    "names",
    "holder",
    "holders",
    "threshold",
    "set",
    "arn",
    "total",
    "number",
];

/// The JSON pointer of the first object key in `data` that looks like it
/// holds a secret, or `None`.
///
/// Defence in depth: ceremonies must journal who entered a share and its
/// index, never the share, so the writer refuses data that even *names* a
/// share, passphrase, secret, mnemonic or key material. A key is split into
/// words (`snake_case`, `kebab-case`, `camelCase`) and matched
/// case-insensitively; `key_material` counts as one word. A key whose last
/// word is metadata (`share_index`, `secret_name`, `shares_count`) is
/// allowed, but its value is still searched. Values are not inspected.
#[must_use]
pub fn find_secret_key(data: &Value) -> Option<String> {
    fn walk(v: &Value, path: &str) -> Option<String> {
        match v {
            Value::Object(map) => map.iter().find_map(|(k, v)| {
                let here = format!("{path}/{}", k.replace('~', "~0").replace('/', "~1"));
                if is_secret_key(k) {
                    Some(here)
                } else {
                    walk(v, &here)
                }
            }),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, v)| walk(v, &format!("{path}/{i}"))),
            _ => None,
        }
    }
    walk(data, "")
}

fn is_secret_key(key: &str) -> bool {
    let words = key_words(key);
    let joined: Vec<String> = words
        .windows(2)
        .map(|w| format!("{}{}", w[0], w[1]))
        .collect();
    let secret = words
        .iter()
        .chain(joined.iter())
        .any(|w| SECRET_WORDS.contains(&w.as_str()));
    let metadata = words
        .last()
        .is_some_and(|w| METADATA_WORDS.contains(&w.as_str()));
    secret && !metadata
}

/// `shareText` → `["share", "text"]`; `KEY-material` → `["key", "material"]`.
fn key_words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_numeric();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// The listing `drconsole journal show` prints: one entry a line with
/// sequence number, time, run, kind and the data as compact JSON.
#[must_use]
pub fn render_show(entries: &[Entry]) -> String {
    let w = |f: fn(&Entry) -> usize, title: &str| {
        entries.iter().map(f).max().unwrap_or(0).max(title.len())
    };
    let seq_w = w(|e| e.seq.to_string().len(), "seq");
    let run_w = w(|e| e.run.chars().count(), "run");
    let kind_w = w(|e| e.kind.chars().count(), "kind");
    let at_w = "2026-11-26T03:00:00.000Z".len();
    let mut out = format!(
        "{:>seq_w$}  {:at_w$}  {:run_w$}  {:kind_w$}  data\n",
        "seq", "at", "run", "kind"
    );
    for e in entries {
        let data = match &e.data {
            Value::Null => String::new(),
            d => d.to_string(),
        };
        let line = format!(
            "{:>seq_w$}  {:at_w$}  {:run_w$}  {:kind_w$}  {data}",
            e.seq,
            format_at(e.at),
            e.run,
            e.kind
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use serde_json::json;

    fn t(ms: i64) -> Timestamp {
        Timestamp::from_millis(1_795_000_000_000 + ms)
    }

    fn chain(n: u64) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for i in 0..n {
            let after = out.last().map_or_else(Head::genesis, Entry::head);
            let i_ms = i64::try_from(i).unwrap() * 1500;
            out.push(seal(
                &after,
                t(i_ms),
                "run-1",
                "step.passed",
                json!({"step": i}),
            ));
        }
        out
    }

    fn text(entries: &[Entry]) -> String {
        entries.iter().map(|e| e.line() + "\n").collect()
    }

    fn lines(text: &str) -> Vec<(usize, &str)> {
        text.lines().enumerate().map(|(i, l)| (i + 1, l)).collect()
    }

    fn head(entries: &[Entry]) -> Head {
        entries.last().map_or_else(Head::genesis, Entry::head)
    }

    #[test]
    fn hash_is_deterministic_and_covers_every_field() {
        let g = Head::genesis();
        let a = seal(&g, t(0), "r", "k", json!({"b": 1, "a": [1, 2]}));
        let b = seal(&g, t(0), "r", "k", json!({"b": 1, "a": [1, 2]}));
        assert_eq!(a, b);
        assert_eq!(a.hash.len(), 64);
        assert_eq!(a.seq, 1);
        assert_eq!(a.prev, GENESIS_HASH);
        for other in [
            seal(&g, t(1), "r", "k", json!({"b": 1, "a": [1, 2]})),
            seal(&g, t(0), "s", "k", json!({"b": 1, "a": [1, 2]})),
            seal(&g, t(0), "r", "j", json!({"b": 1, "a": [1, 2]})),
            seal(&g, t(0), "r", "k", json!({"b": 2, "a": [1, 2]})),
            seal(&a.head(), t(0), "r", "k", json!({"b": 1, "a": [1, 2]})),
        ] {
            assert_ne!(a.hash, other.hash);
        }
    }

    #[test]
    fn known_answer_pins_the_canonical_form() {
        let e = seal(
            &Head::genesis(),
            Timestamp::parse_rfc3339("2026-11-26T03:00:00Z").unwrap(),
            "r",
            "k",
            Value::Null,
        );
        let body = format!(
            "{{\"seq\":1,\"at\":\"2026-11-26T03:00:00.000Z\",\"run\":\"r\",\"kind\":\"k\",\"data\":null,\"prev\":\"{GENESIS_HASH}\"}}"
        );
        assert_eq!(e.hash, sha256_hex(body.as_bytes()));
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(e.line(), serde_json::to_string(&e).unwrap());
    }

    #[test]
    fn times_round_trip_exactly() {
        for ms in [0, 1, 999, -1, -1001, 1_795_000_000_123, i64::MAX, i64::MIN] {
            let ts = Timestamp::from_millis(ms);
            assert_eq!(parse_at(&format_at(ts)), Ok(ts), "{ms}");
        }
        assert_eq!(
            format_at(Timestamp::from_millis(-1)),
            "1969-12-31T23:59:59.999Z"
        );
        assert!(
            parse_at("2026-11-26T03:00:00Z").is_err(),
            "non-canonical spelling"
        );
    }

    #[test]
    fn a_sound_chain_verifies() {
        let es = chain(5);
        let txt = text(&es);
        let s = verify_lines(lines(&txt), Some(&head(&es))).unwrap();
        assert_eq!(s.entries, 5);
        assert_eq!(s.runs, vec!["run-1".to_owned()]);
        assert_eq!(s.first_at, Some(t(0)));
        assert_eq!(s.last_at, Some(t(6000)));
        assert!(!s.head_lags);
        assert_eq!(verify_bytes(txt.as_bytes(), Some(&head(&es))), Ok(s));
        assert!(verify_bytes(b"", Some(&Head::genesis())).is_ok());
    }

    #[test]
    fn an_edit_is_named() {
        let es = chain(5);
        let txt = text(&es).replace("{\"step\":2}", "{\"step\":7}");
        assert_eq!(
            verify_lines(lines(&txt), None),
            Err(JournalError::Edited { line: 3 })
        );
        let spaced = text(&es).replace("\"step\":2", "\"step\": 2");
        assert_eq!(
            verify_lines(lines(&spaced), None),
            Err(JournalError::Edited { line: 3 })
        );
    }

    #[test]
    fn a_deletion_is_named() {
        let es = chain(5);
        let mut kept = es.clone();
        kept.remove(2);
        let err = verify_lines(lines(&text(&kept)), None).unwrap_err();
        assert_eq!(
            err,
            JournalError::Gap {
                line: 3,
                seq: 4,
                after: 2
            }
        );
        assert_eq!(
            err.to_string(),
            "line 3: entry 4 follows entry 2: 1 entry deleted or reordered"
        );
        let err = verify_lines(lines(&text(&es[2..])), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 1: the journal starts at entry 3: 2 entries deleted from the start"
        );
    }

    #[test]
    fn a_reordering_is_named() {
        let mut es = chain(5);
        es.swap(1, 2);
        assert_eq!(
            verify_lines(lines(&text(&es)), None),
            Err(JournalError::Gap {
                line: 2,
                seq: 3,
                after: 1
            })
        );
        let mut dup = chain(3);
        dup.push(dup[2].clone());
        assert_eq!(
            verify_lines(lines(&text(&dup)), None),
            Err(JournalError::Backwards {
                line: 4,
                seq: 3,
                after: 3
            })
        );
    }

    #[test]
    fn a_foreign_entry_breaks_the_link() {
        let es = chain(4);
        let other = seal(&es[1].head(), t(1), "run-2", "k", Value::Null);
        let mut mixed = es.clone();
        mixed[2] = other;
        let err = verify_lines(lines(&text(&mixed)), None).unwrap_err();
        // Entry 4's prev is the hash of the original entry 3.
        assert_eq!(err.to_string(), "line 4: prev hash does not match line 3");
        let forged = seal(
            &Head {
                seq: 0,
                hash: es[0].hash.clone(),
            },
            t(1),
            "r",
            "k",
            Value::Null,
        );
        assert_eq!(
            verify_lines(lines(&text(&[forged])), None),
            Err(JournalError::NotGenesis { line: 1 })
        );
    }

    #[test]
    fn the_head_finds_a_cut_tail() {
        let es = chain(12);
        let err = verify_lines(lines(&text(&es[..9])), Some(&head(&es))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "truncated: the journal ends at entry 9 but its head records entry 12"
        );
        let mut other = head(&es);
        other.hash = GENESIS_HASH.to_owned();
        assert_eq!(
            verify_lines(lines(&text(&es)), Some(&other)),
            Err(JournalError::HeadMismatch { seq: 12 })
        );
        assert_eq!(
            verify_lines(lines(&text(&es)), Some(&es[5].head())),
            Err(JournalError::HeadBehind { head: 6, last: 12 })
        );
    }

    #[test]
    fn a_head_one_behind_is_a_crash_not_tampering() {
        let es = chain(3);
        let s = verify_lines(lines(&text(&es)), Some(&es[1].head())).unwrap();
        assert!(s.head_lags);
        let one = chain(1);
        assert!(
            verify_lines(lines(&text(&one)), Some(&Head::genesis()))
                .unwrap()
                .head_lags
        );
    }

    #[test]
    fn bad_lines_are_named() {
        let es = chain(3);
        let mut txt = text(&es);
        txt.push_str("{oops\n");
        let err = verify_lines(lines(&txt), None).unwrap_err();
        assert!(err.to_string().starts_with("line 4: not JSON: "), "{err}");
        let err = verify_lines([(1, "{\"seq\":1}")], None).unwrap_err();
        assert!(
            err.to_string().starts_with("line 1: not a journal entry: "),
            "{err}"
        );
        let mut bytes = text(&es).into_bytes();
        bytes[5] = 0xff;
        assert_eq!(
            verify_bytes(&bytes, None),
            Err(JournalError::NotUtf8 { line: 1 })
        );
    }

    #[test]
    fn a_torn_last_line_is_reported_distinctly() {
        let es = chain(4);
        let full = text(&es);
        let cut = full.len() - 30;
        let txt = &full[..cut];
        assert_eq!(
            verify_bytes(txt.as_bytes(), Some(&es[2].head()))
                .unwrap_err()
                .to_string(),
            "line 4: last line is incomplete (crash while writing?)"
        );
        let scan = scan(txt.as_bytes(), Some(&es[2].head())).unwrap();
        assert_eq!(
            scan.torn,
            Some(Torn {
                line: 4,
                offset: text(&es[..3]).len()
            })
        );
        assert_eq!(scan.entries.len(), 3);
        // A head that acknowledged entry 4 makes it a truncation instead.
        assert_eq!(
            verify_bytes(txt.as_bytes(), Some(&es[3].head())),
            Err(JournalError::Truncated { last: 3, head: 4 })
        );
    }

    #[test]
    fn secret_keys_are_found_recursively() {
        for (data, found) in [
            (json!({"holder": "alice", "index": 2}), None),
            (
                json!({"share_index": 2, "secret_name": "dr/keys", "shares_count": 5}),
                None,
            ),
            (json!({"share": "abc"}), Some("/share")),
            (json!({"holder": {"Share": "x"}}), Some("/holder/Share")),
            (
                json!({"list": [1, {"backupPassphrase": "x"}]}),
                Some("/list/1/backupPassphrase"),
            ),
            (json!({"KEY_MATERIAL": "x"}), Some("/KEY_MATERIAL")),
            (json!({"keyMaterial": "x"}), Some("/keyMaterial")),
            (json!({"seed-mnemonic": "x"}), Some("/seed-mnemonic")),
            (
                json!({"secret_name": {"secret": 1}}),
                Some("/secret_name/secret"),
            ),
            (json!({"a/b": {"secrets": 1}}), Some("/a~1b/secrets")),
            (json!({"note": "share", "sharedDrive": 1, "keys": 3}), None),
        ] {
            assert_eq!(find_secret_key(&data).as_deref(), found, "{data}");
        }
    }

    #[test]
    fn show_lists_one_entry_a_line() {
        let mut es = chain(2);
        es.push(seal(
            &es[1].head(),
            t(9000),
            "run-1",
            "run.done",
            Value::Null,
        ));
        let out = render_show(&es);
        let rows: Vec<&str> = out.lines().collect();
        assert_eq!(rows.len(), 4);
        assert!(rows[0].starts_with("seq  at "), "{out}");
        assert!(rows[1].starts_with("  1  2026-"), "{out}");
        assert!(rows[1].ends_with("step.passed  {\"step\":0}"), "{out}");
        assert!(rows[3].ends_with("run.done"), "{out}");
    }
}
