//! A shared incident: one run's journal kept in S3 as well as on the
//! driver's disk, one object per entry, and a lease naming the one console
//! that may start steps.
//!
//! This module is the pure part: what an incident is called, where its
//! objects live, who holds the lease and whether it has run out, and how
//! two copies of a journal differ. `sources::incident` does the I/O.
//!
//! # Layout in the bucket
//!
//! ```text
//! PREFIX/ID/journal/000000000001.json   entry 1: its canonical line
//! PREFIX/ID/journal/000000000002.json   entry 2 …
//! PREFIX/ID/lease.json                  the driver's lease
//! ```
//!
//! Entry objects are written with `If-None-Match: *`, so entry N is written
//! once, by one console; the zero-padded sequence number makes S3's
//! lexicographic listing the journal's order.

mod compare;
mod lease;

pub use compare::{Difference, DifferenceKind, compare};
pub use lease::{Lease, Standing};

use std::fmt;

/// Longest incident id: it is part of every object key.
pub const MAX_ID: usize = 64;

/// Why a name or key is not an incident's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IncidentError {
    /// The id is empty, too long, or has a character outside `a-z 0-9 - _ .`.
    #[error(
        "incident id {0:?}: use 1 to 64 of a-z, 0-9, '-', '_' and '.', starting with a letter or digit"
    )]
    BadId(String),
    /// The prefix would make keys that other tools read differently.
    #[error(
        "incident prefix {0:?}: use letters, digits, '-', '_', '.' and '/' (no leading '/' or '..')"
    )]
    BadPrefix(String),
}

/// An incident's name, as operators type it on every console
/// (`--incident ID`). Restricted so that it is one path segment of an S3
/// key, the same on every terminal, and safe to print.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IncidentId(String);

impl IncidentId {
    /// Checks `text` as an incident id.
    ///
    /// # Errors
    /// [`IncidentError::BadId`].
    pub fn parse(text: &str) -> Result<Self, IncidentError> {
        let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c);
        let first_ok = text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if first_ok && text.len() <= MAX_ID && text.chars().all(ok_char) {
            Ok(Self(text.to_owned()))
        } else {
            Err(IncidentError::BadId(crate::text::printable_within(
                text, 80,
            )))
        }
    }

    /// The id as typed.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IncidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an environment's incidents live in their bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    prefix: String,
}

impl Layout {
    /// Keys under `prefix` (no trailing `/`; empty for the bucket's root).
    ///
    /// # Errors
    /// [`IncidentError::BadPrefix`].
    pub fn new(prefix: &str) -> Result<Self, IncidentError> {
        let prefix = prefix.trim_end_matches('/');
        let ok = prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
            && !prefix.starts_with('/')
            && !prefix.split('/').any(|seg| seg == ".." || seg == ".");
        if ok {
            Ok(Self {
                prefix: prefix.to_owned(),
            })
        } else {
            Err(IncidentError::BadPrefix(crate::text::printable_within(
                prefix, 80,
            )))
        }
    }

    /// The key prefix all incidents share (with a trailing `/` unless
    /// empty), for listing.
    #[must_use]
    pub fn root(&self) -> String {
        if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        }
    }

    /// The prefix of one incident's journal entries.
    #[must_use]
    pub fn journal(&self, id: &IncidentId) -> String {
        format!("{}{id}/journal/", self.root())
    }

    /// The key of entry `seq`.
    #[must_use]
    pub fn entry(&self, id: &IncidentId, seq: u64) -> String {
        format!("{}{seq:012}.json", self.journal(id))
    }

    /// The key of the incident's lease.
    #[must_use]
    pub fn lease(&self, id: &IncidentId) -> String {
        format!("{}{id}/lease.json", self.root())
    }

    /// The sequence number an entry key names; `None` for any other key
    /// (an object someone else put there is not an entry).
    #[must_use]
    pub fn seq_of(&self, id: &IncidentId, key: &str) -> Option<u64> {
        let digits = key.strip_prefix(&self.journal(id))?.strip_suffix(".json")?;
        (digits.len() == 12 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse().ok())
            .flatten()
    }

    /// The incident a listed common prefix (`PREFIX/ID/`) names.
    #[must_use]
    pub fn incident_of(&self, common_prefix: &str) -> Option<IncidentId> {
        let rest = common_prefix.strip_prefix(&self.root())?;
        IncidentId::parse(rest.strip_suffix('/')?).ok()
    }
}

#[cfg(test)]
mod tests;
