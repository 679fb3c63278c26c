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

use std::time::Duration;

use secrecy::{ExposeSecret, SecretSlice};
use serde_json::{Value, json};

use crate::crypto::share_text::{SetId, ShareText};
use crate::crypto::shares::{Combiner, ShareError};
use crate::domain::time::Timestamp;

/// Longest holder name accepted: names are labels, not essays.
pub const MAX_NAME_LEN: usize = 40;
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

/// Checks a holder name: trimmed, 1 to 40 printable characters.
///
/// # Errors
/// A sentence for the holder saying what is wrong.
pub fn check_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("type your name first".to_owned());
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err(format!("a name is at most {MAX_NAME_LEN} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("a name cannot hold control characters".to_owned());
    }
    Ok(name.to_owned())
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

// ------------------------------------------------------------------ split

/// Where the hand-over of one holder's share stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitStage {
    /// The screen is blank; the named holder should come to the keyboard.
    Handover,
    /// The share is on screen for the holder to copy.
    Showing,
    /// The share is hidden; the holder types it back from paper.
    Confirming,
    /// Every holder has confirmed.
    Done,
}

/// Why a typed-back share does not match the one handed out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfirmError {
    /// The text is not a readable share (the message names the group).
    #[error("{0}")]
    Unreadable(#[from] crate::crypto::share_text::ParseError),
    /// A valid share, but not this holder's.
    #[error("that is share {got} of set {set}, yours is share {expected}: check your copy")]
    OtherShare {
        /// Index typed.
        got: u8,
        /// Index handed out.
        expected: u8,
        /// Set id typed.
        set: SetId,
    },
}

/// The split screen's state: N shares for N holders, handed out in turn.
#[derive(Debug)]
pub struct Split {
    holders: Vec<String>,
    shares: Vec<ShareText>,
    current: usize,
    stage: SplitStage,
    attempts: u32,
}

impl Split {
    /// A hand-over of `shares` to `holders`, in order.
    ///
    /// # Errors
    /// When the counts differ or there are no holders.
    pub fn new(holders: Vec<String>, shares: Vec<ShareText>) -> Result<Self, String> {
        if holders.is_empty() || holders.len() != shares.len() {
            return Err(format!(
                "{} holders for {} shares",
                holders.len(),
                shares.len()
            ));
        }
        Ok(Self {
            holders,
            shares,
            current: 0,
            stage: SplitStage::Handover,
            attempts: 0,
        })
    }

    /// The stage of the current holder.
    #[must_use]
    pub fn stage(&self) -> SplitStage {
        self.stage
    }

    /// The holder at the keyboard (the last one once done).
    #[must_use]
    pub fn holder(&self) -> &str {
        let i = self.current.min(self.holders.len() - 1);
        &self.holders[i]
    }

    /// 1-based position of the current holder, and the number of holders.
    #[must_use]
    pub fn position(&self) -> (usize, usize) {
        (
            (self.current + 1).min(self.holders.len()),
            self.holders.len(),
        )
    }

    /// The threshold of the set.
    #[must_use]
    pub fn threshold(&self) -> u8 {
        self.shares.first().map_or(0, ShareText::threshold)
    }

    /// The set id of the shares.
    #[must_use]
    pub fn set_id(&self) -> Option<SetId> {
        self.shares.first().map(ShareText::set_id)
    }

    /// Every holder's name, in hand-over order.
    #[must_use]
    pub fn holders(&self) -> &[String] {
        &self.holders
    }

    /// Failed attempts to type back the current share.
    #[must_use]
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The current holder's share, only while it is being shown.
    #[must_use]
    pub fn shown_share(&self) -> Option<&ShareText> {
        (self.stage == SplitStage::Showing)
            .then(|| self.shares.get(self.current))
            .flatten()
    }

    /// The holder is at the keyboard: show the share.
    pub fn show(&mut self, at: Timestamp) -> Vec<Event> {
        if self.stage != SplitStage::Handover {
            return Vec::new();
        }
        self.stage = SplitStage::Showing;
        let index = self.shares.get(self.current).map(ShareText::index);
        vec![Event::new(
            at,
            "share.shown",
            json!({"holder": self.holder(), "share_index": index}),
        )]
    }

    /// The holder has copied it: hide it and ask for it back.
    pub fn hide(&mut self) {
        if self.stage == SplitStage::Showing {
            self.stage = SplitStage::Confirming;
        }
    }

    /// Back to the share, e.g. when the holder wants to check their copy.
    pub fn show_again(&mut self) {
        if self.stage == SplitStage::Confirming {
            self.stage = SplitStage::Showing;
        }
    }

    /// Checks the typed-back share; on a match, moves to the next holder
    /// (or to done) with a cleared screen.
    ///
    /// # Errors
    /// The text is unreadable or is not this holder's share; the attempt
    /// is counted.
    pub fn confirm(&mut self, typed: &str, at: Timestamp) -> Result<Vec<Event>, ConfirmError> {
        let Some(expected) = self.shares.get(self.current) else {
            // Every holder is done: nothing left to confirm.
            return Ok(Vec::new());
        };
        let result = ShareText::parse(typed)
            .map_err(ConfirmError::from)
            .and_then(|got| {
                if got.set_id() == expected.set_id()
                    && got.index() == expected.index()
                    && got.expose_payload() == expected.expose_payload()
                {
                    Ok(())
                } else {
                    Err(ConfirmError::OtherShare {
                        got: got.index(),
                        expected: expected.index(),
                        set: got.set_id(),
                    })
                }
            });
        if let Err(e) = result {
            self.attempts += 1;
            return Err(e);
        }
        let event = Event::new(
            at,
            "share.confirmed",
            json!({
                "holder": self.holder(),
                "share_index": expected.index(),
                "failed_attempts": self.attempts,
            }),
        );
        self.attempts = 0;
        self.current += 1;
        self.stage = if self.current >= self.holders.len() {
            SplitStage::Done
        } else {
            SplitStage::Handover
        };
        let mut events = vec![event];
        if self.stage == SplitStage::Done {
            events.push(Event::new(
                at,
                "ceremony.split_done",
                json!({"holders": self.holders, "threshold": self.threshold()}),
            ));
        }
        Ok(events)
    }
}

// ---------------------------------------------------------------- combine

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
        }
    }

    /// Who entered which share, in order.
    #[must_use]
    pub fn entered(&self) -> &[Entered] {
        &self.entered
    }

    /// The threshold, known once the first share is in.
    #[must_use]
    pub fn needed(&self) -> Option<usize> {
        self.combiner.progress().map(|p| p.needed)
    }

    /// The set id, known once the first share is in.
    #[must_use]
    pub fn set_id(&self) -> Option<SetId> {
        self.combiner.progress().map(|p| p.set_id)
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

#[cfg(test)]
#[path = "ceremony_tests.rs"]
mod tests;
