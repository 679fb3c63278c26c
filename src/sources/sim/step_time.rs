//! How long a practice step's work takes in the simulated estate.
//!
//! A drill that runs every step in no time teaches a false RTO: a real
//! promotion, DNS change or validator start takes minutes. In a drill each
//! practice step takes simulated time drawn from a seeded triangular
//! distribution (least, likeliest, most) for the kind of work it does, and
//! the estate changes when the step finishes. A DNS change also settles
//! after the step: clients follow it only once Route 53 has propagated the
//! change and the old answer's TTL ran out.
//!
//! Each parameter says where it comes from. They describe this estate
//! (see `../shared/seeds`: CockroachDB multi-region, Route 53 failover
//! records, validators on Kubernetes StatefulSets, 4-hourly chain-state
//! snapshots kept 10 at a time on a 500 GiB volume); a team with measured
//! figures of its own should prefer them.

use std::time::Duration;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::domain::runbook::protocol::{Job, RenderedOperation, RenderedPractice};

/// Separates this stream from the estate's other RNG streams, so adding
/// step times changes no block, lag or backup the estate draws.
pub(super) const STREAM: u64 = 0x57E9_0000_71AE_0003;

/// A triangular distribution: never below `least` nor above `most`,
/// most often near `likeliest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spread {
    /// The shortest it ever takes.
    pub least: Duration,
    /// What it usually takes.
    pub likeliest: Duration,
    /// The longest it takes (still inside the shipped runbooks' timeouts).
    pub most: Duration,
}

const fn secs(least: u64, likeliest: u64, most: u64) -> Spread {
    Spread {
        least: Duration::from_secs(least),
        likeliest: Duration::from_secs(likeliest),
        most: Duration::from_secs(most),
    }
}

/// The kinds of work a practice step does, each with its spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// CockroachDB `ALTER DATABASE … SET PRIMARY REGION`: an online schema
    /// change that returns once the zone configurations are written;
    /// leaseholders then move (seconds to tens of seconds on a small
    /// cluster, Cockroach Labs' multi-region docs). 5 s, 15 s, 45 s: inside
    /// the failover runbook's 1-minute timeout.
    DatabasePromotion,
    /// A Route 53 API call (`ChangeResourceRecordSets`,
    /// `UpdateHealthCheck`): it returns at once with a PENDING change.
    /// 1 s, 2 s, 5 s.
    DnsCall,
    /// After the call, Route 53 propagates a change to its authoritative
    /// servers "generally within 60 seconds" (the `GetChange` API
    /// reference): 5 s, 30 s, 60 s. Resolvers then keep the old answer for
    /// its TTL, 60 s for these failover records ([`RECORD_TTL`]).
    DnsPropagation,
    /// Starting validator or RPC pods (a StatefulSet scaled up): schedule,
    /// attach the EBS volume (tens of seconds), start the container. The
    /// node then catches up from its peers, which the estate models
    /// itself. 30 s, 60 s, 150 s: inside the 3-minute scale timeout.
    PodStart,
    /// Stopping pods (scaled to zero, fenced): Kubernetes' default
    /// `terminationGracePeriodSeconds` is 30 s. 5 s, 15 s, 35 s.
    PodStop,
    /// Standby key nodes in another region: pods as above plus fetching
    /// the key from the secret store. 45 s, 90 s, 240 s: inside 5 minutes.
    StandbyStart,
    /// A node with a freshly generated key: `init`, key generation and pod
    /// start; its state sync is the estate's. 20 s, 45 s, 120 s.
    NewKeyNode,
    /// A transaction (`MsgRotateConsPubKey`) broadcast and included: one
    /// to three blocks of the chain's 6 s. 6 s, 9 s, 18 s.
    Transaction,
    /// A chain-state snapshot downloaded from S3 and unpacked: a 30 s
    /// start, then [`SNAPSHOT_BYTES`] at a throughput of 80, 150 or
    /// 250 MB/s (one instance's multipart S3 download and lz4 unpack).
    SnapshotRestore,
    /// The key ceremony's output copied onto the node and the node
    /// restarted. 10 s, 30 s, 90 s.
    KeyInstall,
    /// A check (an RPC query, a health probe): 1 s, 2 s, 5 s.
    Check,
    /// A notification or a metric sent: 1 s, 1 s, 3 s.
    Message,
    /// A command with no modelled effect: 1 s, 3 s, 10 s.
    Command,
}

/// The TTL of the estate's Route 53 failover records (AWS's guidance for
/// failover records; the seed's health-check based failover).
pub const RECORD_TTL: Duration = Duration::from_mins(1);

/// The size of one chain-state snapshot: the seed keeps 10 on a 500 GiB
/// volume, so one is at most 50 GiB; 40 GiB leaves the volume headroom.
pub const SNAPSHOT_BYTES: u64 = 40 * 1024 * 1024 * 1024;

/// Snapshot download and unpack throughput, MB/s (least, likeliest, most).
const SNAPSHOT_MBPS: (f64, f64, f64) = (80.0, 150.0, 250.0);

impl Work {
    /// Its spread. [`Work::SnapshotRestore`]'s follows from the snapshot
    /// size and the throughput's spread.
    #[must_use]
    pub fn spread(self) -> Spread {
        match self {
            Self::DatabasePromotion => secs(5, 15, 45),
            Self::DnsCall | Self::Check => secs(1, 2, 5),
            Self::DnsPropagation => secs(5, 30, 60),
            Self::PodStart => secs(30, 60, 150),
            Self::PodStop => secs(5, 15, 35),
            Self::StandbyStart => secs(45, 90, 240),
            Self::NewKeyNode => secs(20, 45, 120),
            Self::Transaction => secs(6, 9, 18),
            Self::SnapshotRestore => {
                let at = |mbps: f64| Duration::from_secs(30 + snapshot_secs(mbps));
                Spread {
                    least: at(SNAPSHOT_MBPS.2),
                    likeliest: at(SNAPSHOT_MBPS.1),
                    most: at(SNAPSHOT_MBPS.0),
                }
            }
            Self::KeyInstall => secs(10, 30, 90),
            Self::Message => secs(1, 1, 3),
            Self::Command => secs(1, 3, 10),
        }
    }

    /// What the operator reads beside the duration.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::DatabasePromotion => "database primary change",
            Self::DnsCall => "Route 53 API call",
            Self::DnsPropagation => "Route 53 propagation",
            Self::PodStart => "pods scheduled and started",
            Self::PodStop => "pods stopped",
            Self::StandbyStart => "standby key nodes started",
            Self::NewKeyNode => "new-key node started",
            Self::Transaction => "transaction included",
            Self::SnapshotRestore => "40 GiB chain-state snapshot downloaded and unpacked",
            Self::KeyInstall => "key installed and node restarted",
            Self::Check => "check",
            Self::Message => "message sent",
            Self::Command => "command",
        }
    }
}

/// Seconds to move [`SNAPSHOT_BYTES`] at `mbps` megabytes per second.
fn snapshot_secs(mbps: f64) -> u64 {
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let s = (SNAPSHOT_BYTES as f64 / (mbps * 1_000_000.0)).ceil() as u64;
    s
}

/// One draw from `spread`, in whole seconds, always within its bounds.
pub fn draw(spread: Spread, rng: &mut ChaCha8Rng) -> Duration {
    let (least, likeliest, most) = (
        spread.least.as_secs_f64(),
        spread.likeliest.as_secs_f64(),
        spread.most.as_secs_f64(),
    );
    if most <= least {
        return spread.least;
    }
    let width = most - least;
    let quantile: f64 = rng.random_range(0.0..1.0);
    // The inverse of the triangle's distribution function.
    let x = if quantile < (likeliest - least) / width {
        least + (quantile * width * (likeliest - least)).sqrt()
    } else {
        most - ((1.0 - quantile) * width * (most - likeliest)).sqrt()
    };
    crate::domain::duration::from_secs_f64(x.round()).clamp(spread.least, spread.most)
}

/// How long one practice step takes, and, for a DNS change, how long
/// after it the service follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepTime {
    /// What the step does.
    pub work: Work,
    /// How long the step runs.
    pub took: Duration,
    /// A DNS change: clients follow this long after the step ends
    /// (propagation plus the record's TTL).
    pub settles_after: Option<Duration>,
}

impl StepTime {
    /// One line for the step's output.
    #[must_use]
    pub fn describe(&self) -> String {
        let took = crate::domain::duration::format(self.took);
        match self.settles_after {
            Some(s) => format!(
                "takes {took} of simulated time ({}); clients follow {} later (propagation and the {}s TTL)",
                self.work.label(),
                crate::domain::duration::format(s),
                RECORD_TTL.as_secs()
            ),
            None => format!("takes {took} of simulated time ({})", self.work.label()),
        }
    }
}

#[cfg(test)]
#[path = "step_time_tests.rs"]
mod tests;

impl super::SimEstate {
    /// How long `job` takes in this estate, drawn from the estate's own
    /// step-time stream (one seed, one drill). A DNS change also says how
    /// long after it clients follow.
    pub fn step_time(&mut self, job: &Job) -> StepTime {
        let work = work_of(job);
        let took = draw(work.spread(), &mut self.step_rng);
        let settles_after = changes_dns(job).then(|| {
            draw(Work::DnsPropagation.spread(), &mut self.step_rng).saturating_add(RECORD_TTL)
        });
        StepTime {
            work,
            took,
            settles_after,
        }
    }

    /// Sends traffic to `region` or stops it once `after` has passed: a
    /// DNS change that clients follow only when it has propagated and the
    /// old answer expired. A later change of the same region replaces a
    /// pending one.
    ///
    /// # Errors
    /// When the region is unknown.
    pub fn shift_traffic(
        &mut self,
        region: &str,
        serving: bool,
        after: Duration,
    ) -> Result<(), super::SimError> {
        let i = self.index_of(region)?;
        self.dns_pending.retain(|(_, r, _)| *r != i);
        self.dns_pending.push((self.now.plus(after), i, serving));
        Ok(())
    }

    /// Applies the DNS changes whose time has come (each tick).
    pub(super) fn settle_dns(&mut self) {
        let now = self.now;
        let (due, later): (Vec<_>, Vec<_>) = self
            .dns_pending
            .drain(..)
            .partition(|(at, _, _)| *at <= now);
        self.dns_pending = later;
        for (_, i, serving) in due {
            if let Some(r) = self.regions.get_mut(i) {
                r.serving = serving;
            }
        }
    }
}

/// Whether `job` changes where clients are sent (a Route 53 change).
fn changes_dns(job: &Job) -> bool {
    matches!(job.practice, RenderedPractice::Traffic(..))
        || matches!(
            job.operation,
            RenderedOperation::RecordWeight { .. }
                | RenderedOperation::HealthCheck {
                    inverted: Some(true),
                    region: Some(_),
                    ..
                }
        )
}

/// The kind of work `job` does: its practice effect first, then its
/// operation.
fn work_of(job: &Job) -> Work {
    match &job.practice {
        RenderedPractice::PromoteDatabase(_) => Work::DatabasePromotion,
        RenderedPractice::Traffic(..) => Work::DnsCall,
        RenderedPractice::Validators(_, true) | RenderedPractice::RecoverRegion(_) => {
            Work::PodStart
        }
        RenderedPractice::Validators(_, false) | RenderedPractice::Validator(_, false) => {
            Work::PodStop
        }
        RenderedPractice::Validator(_, true) => Work::PodStart,
        RenderedPractice::StandbyValidators(..) => Work::StandbyStart,
        RenderedPractice::StartNewKeyNode(_) => Work::NewKeyNode,
        RenderedPractice::RotateKey(_) => Work::Transaction,
        RenderedPractice::RestoreChainState(_) => Work::SnapshotRestore,
        RenderedPractice::RestoreValidatorKey(_) => Work::KeyInstall,
        RenderedPractice::KeySilent(_)
        | RenderedPractice::RotatedKeySigns(_)
        | RenderedPractice::Check(_) => Work::Check,
        RenderedPractice::Fail(_) | RenderedPractice::None => match &job.operation {
            RenderedOperation::RecordWeight { .. } | RenderedOperation::HealthCheck { .. } => {
                Work::DnsCall
            }
            RenderedOperation::PutMetric { .. } | RenderedOperation::Notify { .. } => Work::Message,
            RenderedOperation::Shell(_) => Work::Command,
        },
    }
}
