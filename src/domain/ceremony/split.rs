//! Handing out shares after sealing: each holder in turn sees their share,
//! copies it, and types it back to prove their copy before the next holder
//! comes to the keyboard.

use serde_json::json;

use super::Event;
use crate::crypto::share_text::{SetId, ShareText};
use crate::domain::time::Timestamp;

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

/// What becomes of the envelope when the hand-over stops before every
/// holder confirmed their share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Kept: its sidecar lists the holders who have a share.
    Keep,
    /// Deleted, with its sidecar: the key is sealed again later.
    Delete,
}

impl Disposition {
    /// The word the journal uses.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Keep => "kept",
            Disposition::Delete => "deleted",
        }
    }
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

    /// The holders who have typed their share back, in order.
    #[must_use]
    pub fn confirmed(&self) -> &[String] {
        &self.holders[..self.current.min(self.holders.len())]
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
