//! What the drill is scored on: samples of the service, data-loss windows,
//! and the rule that turns samples into an RTO.
//!
//! RTO runs from the first disruptive inject the estate accepted to the
//! moment service is back for good: the first sample, after the last one
//! that found it down, where the API is healthy and blocks are committing
//! with more than 2/3 of the voting power. RPO is the data-loss window the
//! estate implies: the replication lag of the replica promoted, or the age
//! of the snapshot a restore used. The [`Referee`](super::referee::Referee)
//! is the only keeper of these; this module holds their vocabulary.

use std::time::Duration;

/// The service as the simulated estate sees it at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceSample {
    /// Offset from the drill's start.
    pub at: Duration,
    /// Traffic reaches a healthy region whose database accepts writes.
    pub api_healthy: bool,
    /// Blocks are committing (more than 2/3 of the power signs).
    pub blocks_committing: bool,
    /// A key presumed compromised can still sign: the chain runs, but not
    /// safely, so the service is not restored yet.
    pub compromised_key_signing: bool,
    /// Share of the voting power signing new blocks, in percent (0 while
    /// no block is committed): for the report's chart, not the score.
    pub signing_percent: u8,
    /// The worst replica's replication lag, whole seconds: for the chart.
    pub lag_seconds: u32,
}

impl ServiceSample {
    /// Every part of "service restored": the API, the chain, and no
    /// attacker's key in the set.
    #[must_use]
    pub fn restored(&self) -> bool {
        self.api_healthy && self.blocks_committing && !self.compromised_key_signing
    }
}

/// Data lost by one recovery action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataLoss {
    /// What caused it ("promoted eu-west-1", "restored snapshot of 02:00").
    pub cause: String,
    /// The window of data lost.
    pub window: Duration,
}

/// The drill's score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    /// When the first disruptive inject the estate accepted fired.
    pub disrupted_at: Option<Duration>,
    /// When service was back for good.
    pub restored_at: Option<Duration>,
    /// RTO achieved; `None` when service never came back.
    pub rto: Option<Duration>,
    /// RPO achieved: the largest data-loss window.
    pub rpo: Duration,
    /// Every data-loss window, for the report.
    pub losses: Vec<DataLoss>,
}

/// The score from the outage's start, every sample in time order and the
/// data losses: RTO to the first restored sample after the last down one.
pub(super) fn score(
    disrupted_at: Option<Duration>,
    samples: &[ServiceSample],
    losses: &[DataLoss],
) -> Score {
    let restored_at = disrupted_at.and_then(|start| {
        let mut last_down = None;
        let mut restored_at = None;
        for s in samples.iter().filter(|s| s.at >= start) {
            if s.restored() {
                restored_at.get_or_insert(if last_down.is_some() { s.at } else { start });
            } else {
                last_down = Some(s.at);
                restored_at = None;
            }
        }
        restored_at
    });
    let rto = match (disrupted_at, restored_at) {
        (Some(d), Some(r)) => Some(r.saturating_sub(d)),
        (None, _) => Some(Duration::ZERO),
        (Some(_), None) => None,
    };
    Score {
        disrupted_at,
        restored_at,
        rto,
        rpo: losses
            .iter()
            .map(|l| l.window)
            .max()
            .unwrap_or(Duration::ZERO),
        losses: losses.to_vec(),
    }
}
