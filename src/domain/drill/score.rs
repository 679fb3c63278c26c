//! RTO and RPO achieved, from samples of the estate's service state.
//!
//! RTO runs from the first disruptive inject to the moment service is back
//! for good: the first sample, after the last one that found it down, where
//! the API is healthy and blocks are committing with more than 2/3 of the
//! voting power. RPO is the data-loss window the estate implies: the
//! replication lag of the replica promoted, or the age of the snapshot a
//! restore used.

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
}

impl ServiceSample {
    /// Both halves of "service restored".
    #[must_use]
    pub fn restored(&self) -> bool {
        self.api_healthy && self.blocks_committing
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

/// Follows samples through a drill.
#[derive(Debug, Clone, Default)]
pub struct Scorekeeper {
    disrupted_at: Option<Duration>,
    last_down: Option<Duration>,
    restored_at: Option<Duration>,
    losses: Vec<DataLoss>,
}

/// The drill's score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    /// When the first disruptive inject fired.
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

impl Scorekeeper {
    /// The first disruptive inject fired now (later ones do not move it).
    pub fn disrupted(&mut self, at: Duration) {
        self.disrupted_at.get_or_insert(at);
    }

    /// A recovery action lost this much data.
    pub fn lost(&mut self, loss: DataLoss) {
        self.losses.push(loss);
    }

    /// One look at the service.
    pub fn sample(&mut self, s: ServiceSample) {
        let Some(start) = self.disrupted_at else {
            return;
        };
        if s.at < start {
            return;
        }
        if s.restored() {
            if self.restored_at.is_none() {
                self.restored_at = Some(if self.last_down.is_some() {
                    s.at
                } else {
                    start
                });
            }
        } else {
            self.last_down = Some(s.at);
            self.restored_at = None;
        }
    }

    /// The score as of now.
    #[must_use]
    pub fn score(&self) -> Score {
        let rto = match (self.disrupted_at, self.restored_at) {
            (Some(d), Some(r)) => Some(r.saturating_sub(d)),
            (None, _) => Some(Duration::ZERO),
            (Some(_), None) => None,
        };
        Score {
            disrupted_at: self.disrupted_at,
            restored_at: self.restored_at,
            rto,
            rpo: self
                .losses
                .iter()
                .map(|l| l.window)
                .max()
                .unwrap_or(Duration::ZERO),
            losses: self.losses.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(at: u64, up: bool) -> ServiceSample {
        ServiceSample {
            at: Duration::from_secs(at),
            api_healthy: up,
            blocks_committing: up,
        }
    }

    #[test]
    fn rto_runs_from_disruption_to_the_final_restoration() {
        let mut k = Scorekeeper::default();
        k.sample(s(10, true));
        k.disrupted(Duration::from_mins(2));
        k.disrupted(Duration::from_mins(3));
        for (at, up) in [
            (125, false),
            (400, true),
            (410, false),
            (700, true),
            (800, true),
        ] {
            k.sample(s(at, up));
        }
        let score = k.score();
        assert_eq!(
            score.rto,
            Some(Duration::from_secs(580)),
            "flapping counts to the last recovery"
        );
        assert_eq!(score.restored_at, Some(Duration::from_secs(700)));
    }

    #[test]
    fn never_restored_has_no_rto_and_untouched_service_has_zero() {
        let mut k = Scorekeeper::default();
        k.disrupted(Duration::from_mins(1));
        k.sample(s(70, false));
        assert_eq!(k.score().rto, None);
        let mut k = Scorekeeper::default();
        k.disrupted(Duration::from_mins(1));
        k.sample(s(70, true));
        assert_eq!(k.score().rto, Some(Duration::ZERO));
    }

    #[test]
    fn half_a_service_is_not_restored() {
        let mut k = Scorekeeper::default();
        k.disrupted(Duration::ZERO);
        k.sample(ServiceSample {
            at: Duration::from_secs(5),
            api_healthy: true,
            blocks_committing: false,
        });
        assert_eq!(k.score().rto, None);
    }

    #[test]
    fn rpo_is_the_largest_loss() {
        let mut k = Scorekeeper::default();
        assert_eq!(k.score().rpo, Duration::ZERO);
        k.lost(DataLoss {
            cause: "promoted eu-west-1".into(),
            window: Duration::from_secs(4),
        });
        k.lost(DataLoss {
            cause: "restored snapshot".into(),
            window: Duration::from_mins(70),
        });
        assert_eq!(k.score().rpo, Duration::from_mins(70));
    }
}
