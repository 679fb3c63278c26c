//! One journal entry and its canonical, hashed line.
//!
//! Holds [`Entry`], the [`Head`] a following entry chains to, [`seal`]
//! which makes the next entry with its hash, and the one canonical spelling
//! of a line and of its time, because the hash covers those exact bytes.

use std::fmt::Write as _;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::author::Author;
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
    /// Details; never secrets (see [`find_secret_key`](super::find_secret_key)).
    pub data: Value,
    /// Who wrote it, in a shared incident; absent in a console's own
    /// journal (older journals have none and still verify).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Author>,
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
        let body = body(&Fields {
            seq: self.seq,
            at: self.at,
            run: &self.run,
            kind: &self.kind,
            data: &self.data,
            by: self.by.as_ref(),
            prev: &self.prev,
        });
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
    seal_by(after, at, run, kind, data, None)
}

/// [`seal`] with its author, whom the hash then covers too.
#[must_use]
pub fn seal_by(
    after: &Head,
    at: Timestamp,
    run: &str,
    kind: &str,
    data: Value,
    by: Option<&Author>,
) -> Entry {
    let seq = after.seq.saturating_add(1);
    let body = body(&Fields {
        seq,
        at,
        run,
        kind,
        data: &data,
        by,
        prev: &after.hash,
    });
    Entry {
        seq,
        at,
        run: run.to_owned(),
        kind: kind.to_owned(),
        data,
        by: by.cloned(),
        prev: after.hash.clone(),
        hash: sha256_hex(body.as_bytes()),
    }
}

/// An entry's hashed members, borrowed.
struct Fields<'a> {
    seq: u64,
    at: Timestamp,
    run: &'a str,
    kind: &'a str,
    data: &'a Value,
    by: Option<&'a Author>,
    prev: &'a str,
}

/// The canonical bytes that are hashed: compact JSON, fixed field order,
/// `by` only when there is an author. Built by hand from infallible
/// `Display` impls so `seal` cannot fail.
fn body(f: &Fields<'_>) -> String {
    let s = |t: &str| Value::String(t.to_owned()).to_string();
    let by = f.by.map_or_else(String::new, |a| {
        format!(
            ",\"by\":{{\"arn\":{},\"user\":{},\"host\":{}}}",
            s(&a.arn),
            s(&a.user),
            s(&a.host)
        )
    });
    format!(
        "{{\"seq\":{},\"at\":{},\"run\":{},\"kind\":{},\"data\":{}{by},\"prev\":{}}}",
        f.seq,
        s(&format_at(f.at)),
        s(f.run),
        s(f.kind),
        f.data,
        s(f.prev)
    )
}

/// `body` with the hash member inserted before its closing brace.
fn with_hash(body: &str, hash: &str) -> String {
    let open = body.strip_suffix('}').unwrap_or(body);
    format!("{open},{}}}", hash_member(hash))
}

/// The `"hash":"…"` member of a canonical line, as it is spliced in and
/// looked for when a line is checked.
pub(super) fn hash_member(hash: &str) -> String {
    format!("\"hash\":{}", Value::String(hash.to_owned()))
}

/// Hex SHA-256 of `bytes`: how every entry hash is spelled.
pub(super) fn sha256_hex(bytes: &[u8]) -> String {
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
pub(super) fn format_at(t: Timestamp) -> String {
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
pub(super) fn parse_at(text: &str) -> Result<Timestamp, String> {
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

    /// Writes the one canonical spelling ([`format_at`]).
    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` signature
    pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_at(*t))
    }

    /// Reads only the canonical spelling ([`parse_at`]).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(d)?;
        parse_at(&text).map_err(serde::de::Error::custom)
    }
}
