//! Entering shares to rebuild a secret: each share checked the moment it
//! arrives, progress as "2 of 3", and an idle timeout that wipes whatever
//! was entered.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretSlice};
use serde_json::json;

use super::expect::Expected;
use super::{Event, check_name};
use crate::crypto::share_text::{SetId, ShareText};
use crate::crypto::shares::{Combiner, ShareError};
use crate::domain::time::Timestamp;

/// A share accepted during a combine: who entered it, its index, when.
/// Never the share itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entered {
    /// The holder's name as typed.
    pub holder: String,
    /// The share's index (1 to 16).
    pub index: u8,
    /// When it was accepted.
    pub at: Timestamp,
}

/// Why a share was refused, worded for the holder at the keyboard.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No or an invalid name.
    #[error("{0}")]
    Name(String),
    /// This holder has already entered a share.
    #[error("{0} has already entered a share")]
    HolderAgain(String),
    /// The share itself (format, checksum, set, threshold, duplicate).
    #[error("{0}")]
    Share(#[from] ShareError),
    /// A share of another set than the envelope's records name.
    #[error(
        "share from another set (set {got}): this envelope's shares are set {expected}, \
         as {record} says"
    )]
    OtherSet {
        /// The set id of the share typed.
        got: SetId,
        /// The set id the envelope's records name.
        expected: SetId,
        /// Where that was read.
        record: &'static str,
    },
    /// An index no holder of this envelope was handed.
    #[error("share {index} cannot be of this envelope: it was split among {holders} holders")]
    NoSuchIndex {
        /// The share's index.
        index: u8,
        /// How many holders the records name.
        holders: usize,
    },
    /// Enough shares are in; nothing more is taken.
    #[error("enough shares are in")]
    Complete,
}

/// Why what was entered was wiped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WipeReason {
    /// Nobody typed anything for the idle timeout.
    Idle,
    /// The operator pressed the reset key.
    Reset,
    /// The operator quit (Ctrl-C, confirmed).
    Quit,
}

impl WipeReason {
    /// The word the journal and the screen use.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            WipeReason::Idle => "idle timeout",
            WipeReason::Reset => "reset",
            WipeReason::Quit => "quit",
        }
    }
}

/// The shares entered so far in a combine, checked as they arrive.
#[derive(Debug)]
pub struct ShareSet {
    combiner: Combiner,
    entered: Vec<Entered>,
    idle_timeout: Duration,
    last_activity: Option<Timestamp>,
    expected: Option<Expected>,
}

impl ShareSet {
    /// Nothing entered; `idle_timeout` of inactivity wipes what will be.
    #[must_use]
    pub fn new(idle_timeout: Duration) -> Self {
        Self {
            combiner: Combiner::new(),
            entered: Vec::new(),
            idle_timeout,
            last_activity: None,
            expected: None,
        }
    }

    /// Checks every share against what the envelope's records name, from
    /// the first share on.
    #[must_use]
    pub fn with_expected(mut self, expected: Expected) -> Self {
        self.expected = Some(expected);
        self
    }

    /// What the envelope's records name, when they were found.
    #[must_use]
    pub fn expected(&self) -> Option<&Expected> {
        self.expected.as_ref()
    }

    /// Who entered which share, in order.
    #[must_use]
    pub fn entered(&self) -> &[Entered] {
        &self.entered
    }

    /// The threshold: from the envelope's records, else once the first
    /// share is in.
    #[must_use]
    pub fn needed(&self) -> Option<usize> {
        self.combiner
            .progress()
            .map(|p| p.needed)
            .or_else(|| self.expected.as_ref().map(|e| usize::from(e.threshold)))
    }

    /// The set id: from the envelope's records, else once the first share
    /// is in.
    #[must_use]
    pub fn set_id(&self) -> Option<SetId> {
        self.combiner
            .progress()
            .map(|p| p.set_id)
            .or_else(|| self.expected.as_ref().map(|e| e.set_id))
    }

    /// Whether enough shares are in to rebuild.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.combiner.progress().is_some_and(|p| p.is_complete())
    }

    /// The idle timeout.
    #[must_use]
    pub fn idle_timeout(&self) -> Duration {
        self.idle_timeout
    }

    /// Time left before the idle wipe, once anyone has typed anything.
    #[must_use]
    pub fn idle_left(&self, now: Timestamp) -> Option<Duration> {
        let last = self.last_activity?;
        Some(self.idle_timeout.saturating_sub(now.since(last)))
    }

    /// Someone is typing: the idle timer starts again.
    pub fn touch(&mut self, at: Timestamp) {
        self.last_activity = Some(at);
    }

    /// Checks and takes `holder`'s share. Accepted or refused, an event
    /// says so (without the share).
    ///
    /// # Errors
    /// The [`Refusal`], with a message precise enough to act on.
    pub fn submit(
        &mut self,
        holder: &str,
        share: &str,
        at: Timestamp,
    ) -> (Result<usize, Refusal>, Event) {
        self.touch(at);
        let result = self.check_and_add(holder, share, at);
        let event = match &result {
            Ok(_) => {
                let last = self.entered.last();
                Event::new(
                    at,
                    "share.entered",
                    json!({
                        "holder": last.map(|e| e.holder.as_str()),
                        "share_index": last.map(|e| e.index),
                        "set_id": self.set_id().map(|s| s.to_string()),
                        "entered": self.entered.len(),
                        "needed": self.needed(),
                    }),
                )
            }
            // A refused name is not journaled: it may be a share typed
            // into the wrong field.
            Err(Refusal::Name(reason)) => Event::new(
                at,
                "share.refused",
                json!({"holder": null, "reason": format!("invalid name: {reason}")}),
            ),
            Err(refusal) => Event::new(
                at,
                "share.refused",
                json!({"holder": holder.trim(), "reason": refusal.to_string()}),
            ),
        };
        (result, event)
    }

    fn check_and_add(
        &mut self,
        holder: &str,
        share: &str,
        at: Timestamp,
    ) -> Result<usize, Refusal> {
        if self.is_complete() {
            return Err(Refusal::Complete);
        }
        let holder = check_name(holder).map_err(Refusal::Name)?;
        if self
            .entered
            .iter()
            .any(|e| e.holder.eq_ignore_ascii_case(&holder))
        {
            return Err(Refusal::HolderAgain(holder));
        }
        let text = ShareText::parse(share).map_err(ShareError::from)?;
        if let Some(expected) = &self.expected {
            if text.set_id() != expected.set_id {
                return Err(Refusal::OtherSet {
                    got: text.set_id(),
                    expected: expected.set_id,
                    record: expected.source.as_str(),
                });
            }
            if text.threshold() != expected.threshold {
                return Err(ShareError::ThresholdMismatch {
                    got: text.threshold(),
                    expected: expected.threshold,
                }
                .into());
            }
            if usize::from(text.index()) > expected.holders.len() {
                return Err(Refusal::NoSuchIndex {
                    index: text.index(),
                    holders: expected.holders.len(),
                });
            }
        }
        let index = text.index();
        let progress = self.combiner.add(text)?;
        self.entered.push(Entered { holder, index, at });
        Ok(progress.entered)
    }

    /// Wipes the idle ceremony when the timeout has passed.
    pub fn tick(&mut self, now: Timestamp) -> Option<Event> {
        match self.idle_left(now) {
            Some(left) if left.is_zero() => Some(self.wipe(WipeReason::Idle, now)),
            _ => None,
        }
    }

    /// Forgets every share entered (zeroized as they drop).
    pub fn wipe(&mut self, reason: WipeReason, at: Timestamp) -> Event {
        let count = self.entered.len();
        self.combiner = Combiner::new();
        self.entered.clear();
        self.last_activity = None;
        Event::new(
            at,
            "ceremony.wiped",
            json!({"reason": reason.as_str(), "shares_count": count}),
        )
    }

    /// Rebuilds the secret from the shares and forgets them.
    ///
    /// # Errors
    /// Fewer shares than the threshold.
    pub fn rebuild(&mut self) -> Result<SecretSlice<u8>, ShareError> {
        let combiner = std::mem::take(&mut self.combiner);
        self.entered.clear();
        self.last_activity = None;
        combiner.finish()
    }
}

/// A rebuilt secret as the passphrase the envelope was sealed with.
///
/// # Errors
/// The bytes are not UTF-8 (the shares were not of a passphrase).
pub fn passphrase_of(secret: &SecretSlice<u8>) -> Result<secrecy::SecretString, &'static str> {
    std::str::from_utf8(secret.expose_secret())
        .map(secrecy::SecretString::from)
        .map_err(|_| "the rebuilt secret is not text")
}
