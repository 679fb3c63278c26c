//! Key ceremony state, pure: who holds which share, what has been entered,
//! how far along the ceremony is, and the journal events each step makes.
//!
//! Two halves:
//! - [`Split`]: after sealing, hand each holder their share, one at a time,
//!   and have them type it back to prove their copy.
//! - [`ShareSet`]: holders enter shares one by one; each is checked the
//!   moment it arrives (format, checksums, set, threshold, duplicate),
//!   progress is "2 of 3", an idle timeout wipes everything entered.
//!
//! Time arrives in arguments; nothing here reads a clock or does I/O.
//! Events name holders, indices and set ids, never a share or a secret:
//! the journal writer refuses any that would (see
//! [`crate::domain::journal::find_secret_key`]).

mod combine;
mod expect;
mod name;
mod split;

use std::time::Duration;

use serde_json::Value;

use crate::domain::time::Timestamp;

pub use combine::{Entered, Refusal, ShareSet, WipeReason, passphrase_of};
pub use expect::{Expected, Source};
pub use name::{MAX_NAME_LEN, check_name, looks_like_share};
pub use split::{ConfirmError, Disposition, Split, SplitStage};

/// Idle time after which a combine wipes what was entered, unless told otherwise.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_mins(10);

/// One thing the journal must record: what happened, to whom, when.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// When it happened.
    pub at: Timestamp,
    /// Dotted kind, e.g. `share.entered`.
    pub kind: &'static str,
    /// Details: names, indices, counts; never share text or secrets.
    pub data: Value,
}

impl Event {
    /// An event of `kind` at `at` with `data`.
    #[must_use]
    pub fn new(at: Timestamp, kind: &'static str, data: Value) -> Self {
        Self { at, kind, data }
    }
}

/// Parses `alice,bob,carol` into distinct holder names.
///
/// # Errors
/// An empty or invalid name, or the same name twice.
pub fn parse_holders(list: &str) -> Result<Vec<String>, String> {
    let mut names: Vec<String> = Vec::new();
    for raw in list.split(',') {
        let name = check_name(raw).map_err(|e| format!("holder {:?}: {e}", raw.trim()))?;
        if names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            return Err(format!("holder {name:?} is named twice"));
        }
        names.push(name);
    }
    Ok(names)
}

#[cfg(test)]
#[path = "ceremony_tests.rs"]
mod tests;
