//! Judgements: turns readings into verdicts an operator can act on.
//!
//! Every verdict carries a word as well as a level, so the screen never
//! relies on colour alone, and every function routes through freshness so
//! that unknown or stale data can never come out as healthy.

use std::time::Duration;

use super::estate::BackupPolicy;
use super::fleet::RegionView;
use super::observation::{ChainStatus, NodeStatus, SecretInfo, ValidatorStatus};
use super::telemetry::{Freshness, Tracked};
use super::time::{Timestamp, format_age};

/// How bad something is; themes map each to a colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Within target.
    Ok,
    /// Holding now, with a standing risk the layout carries (losing one
    /// region would halt the chain): its own word and symbol, not an outage.
    AtRisk,
    /// Drifting towards a target.
    Warn,
    /// A target is breached or something is down.
    Critical,
    /// The data is too old to judge.
    Stale,
    /// There is no data to judge.
    Unknown,
}

/// A level plus the word that says it without colour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Severity.
    pub level: Level,
    /// What to print: `HEALTHY`, `STALE 45s`, `UNKNOWN`...
    pub word: String,
}

impl Verdict {
    fn new(level: Level, word: impl Into<String>) -> Self {
        Self {
            level,
            word: word.into(),
        }
    }

    /// The verdict for data that cannot be judged, if `freshness` says so.
    #[must_use]
    pub fn from_freshness(freshness: Freshness) -> Option<Verdict> {
        match freshness {
            Freshness::Fresh => None,
            Freshness::Stale(age) => Some(Verdict::new(
                Level::Stale,
                format!("STALE {}", format_age(age)),
            )),
            Freshness::Unknown => Some(Verdict::new(Level::Unknown, "UNKNOWN")),
        }
    }
}

fn judge<T>(
    t: &Tracked<T>,
    now: Timestamp,
    interval: Duration,
    f: impl FnOnce(&T) -> Verdict,
) -> Verdict {
    match Verdict::from_freshness(t.freshness(now, interval)) {
        Some(v) => v,
        None => t
            .reading
            .as_ref()
            .map_or_else(|| Verdict::new(Level::Unknown, "UNKNOWN"), |r| f(&r.value)),
    }
}

/// A region's Route53 health.
#[must_use]
pub fn region_health(region: &RegionView, now: Timestamp, interval: Duration) -> Verdict {
    judge(&region.health, now, interval, |h| {
        if h.healthy {
            Verdict::new(Level::Ok, "HEALTHY")
        } else {
            Verdict::new(Level::Critical, "UNHEALTHY")
        }
    })
}

/// Replication lag against the RPO: over half the RPO warns, over it breaches.
#[must_use]
pub fn replication(
    lag: &Tracked<Duration>,
    rpo: Duration,
    now: Timestamp,
    interval: Duration,
) -> Verdict {
    judge(lag, now, interval, |l| {
        if *l > rpo {
            Verdict::new(Level::Critical, "BREACH")
        } else if *l > rpo / 2 {
            Verdict::new(Level::Warn, "HIGH")
        } else {
            Verdict::new(Level::Ok, "OK")
        }
    })
}

/// A forecast breach this close turns the replication verdict to a
/// warning; further off it is only reported (`status --json`).
pub const RISING_WARNS_WITHIN: Duration = Duration::from_mins(30);

/// When a fresh, rising lag will pass the RPO at its current rate, if it
/// will within the forecast horizon.
#[must_use]
pub fn rpo_forecast(
    region: &RegionView,
    rpo: Duration,
    now: Timestamp,
    interval: Duration,
) -> Option<Duration> {
    region.lag.fresh_value(now, interval)?;
    region.lag_trend.time_to(rpo.as_secs_f64())
}

/// The replication verdict with its trend: a lag within the RPO that is
/// rising towards it, due to pass it within [`RISING_WARNS_WITHIN`], is
/// RISING (when: [`rpo_forecast`]).
#[must_use]
pub fn replication_trend(
    region: &RegionView,
    rpo: Duration,
    now: Timestamp,
    interval: Duration,
) -> Verdict {
    let v = replication(&region.lag, rpo, now, interval);
    match (v.level, rpo_forecast(region, rpo, now, interval)) {
        (Level::Ok | Level::Warn, Some(d)) if d <= RISING_WARNS_WITHIN => {
            Verdict::new(Level::Warn, "RISING")
        }
        _ => v,
    }
}

/// Slack allowed past the schedule before a backup counts as late.
fn grace(policy: &BackupPolicy) -> Duration {
    (policy.every / 10).max(Duration::from_mins(10))
}

/// The newest backup of a kind against its schedule and alarm age.
#[must_use]
pub fn backup(
    newest: &Tracked<Option<Timestamp>>,
    policy: &BackupPolicy,
    now: Timestamp,
    interval: Duration,
) -> Verdict {
    judge(newest, now, interval, |n| match n {
        None => Verdict::new(Level::Critical, "NONE"),
        Some(at) => {
            let age = now.since(*at);
            if age >= policy.alarm_after {
                Verdict::new(Level::Critical, "ALARM")
            } else if age > policy.every.saturating_add(grace(policy)) {
                Verdict::new(Level::Warn, "LATE")
            } else {
                Verdict::new(Level::Ok, "OK")
            }
        }
    })
}

/// An RPC node, compared with the chain's height when known.
#[must_use]
pub fn node(
    node: &Tracked<NodeStatus>,
    chain_height: Option<u64>,
    now: Timestamp,
    interval: Duration,
) -> Verdict {
    if node.last_error.is_some() && node.reading.is_some() {
        match node.freshness(now, interval) {
            Freshness::Fresh => {}
            Freshness::Stale(_) => return Verdict::new(Level::Stale, "DOWN"),
            Freshness::Unknown => return Verdict::new(Level::Unknown, "DOWN"),
        }
    }
    judge(node, now, interval, |n| {
        if n.catching_up {
            Verdict::new(Level::Warn, "CATCHING UP")
        } else if chain_height.is_some_and(|h| h > n.height + 5) {
            Verdict::new(Level::Warn, "BEHIND")
        } else {
            Verdict::new(Level::Ok, "SYNCED")
        }
    })
}

/// A backup passphrase secret: present or missing. Without it no key
/// backup can be opened, so a missing one is critical.
#[must_use]
pub fn secret(secret: &Tracked<Option<SecretInfo>>, now: Timestamp, interval: Duration) -> Verdict {
    judge(secret, now, interval, |s| match s {
        Some(_) => Verdict::new(Level::Ok, "PRESENT"),
        None => Verdict::new(Level::Critical, "MISSING"),
    })
}

/// The block interval assumed while the chain reports none.
pub const DEFAULT_BLOCK_INTERVAL: Duration = Duration::from_secs(6);
/// Expected block intervals without a new block before the chain counts
/// as halted.
pub const HALT_AFTER_BLOCKS: u32 = 3;

/// The longest block interval the halt rule believes. A node reporting
/// blocks a day apart (a broken clock, a lie) would otherwise push the
/// halt three days out; a real chain slower than this reads SLOW or
/// HALTED early, which is the safe side.
pub const MAX_BLOCK_INTERVAL: Duration = Duration::from_mins(1);

/// The block interval the chain is expected to keep: its recent mean,
/// within 1 s and [`MAX_BLOCK_INTERVAL`], or [`DEFAULT_BLOCK_INTERVAL`]
/// when it reports none.
#[must_use]
pub fn expected_block_interval(chain: &ChainStatus) -> Duration {
    if chain.avg_block_time.is_zero() {
        DEFAULT_BLOCK_INTERVAL
    } else {
        chain
            .avg_block_time
            .clamp(Duration::from_secs(1), MAX_BLOCK_INTERVAL)
    }
}

/// How long without a new block before the chain counts as halted:
/// [`HALT_AFTER_BLOCKS`] expected intervals (18 s at 6 s blocks).
#[must_use]
pub fn halt_after(chain: &ChainStatus) -> Duration {
    expected_block_interval(chain).saturating_mul(HALT_AFTER_BLOCKS)
}

/// Expected block intervals without a new block before blocks count as
/// slow.
pub const SLOW_AFTER_BLOCKS: u32 = 2;

/// How a wait for the next block compares with the expected interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BlockWait {
    /// Within [`SLOW_AFTER_BLOCKS`] intervals.
    OnTime,
    /// Past [`SLOW_AFTER_BLOCKS`] intervals.
    Slow,
    /// Past [`HALT_AFTER_BLOCKS`] intervals: the chain (or the region's
    /// view of it) has stopped.
    Halted,
}

/// The one rule for a wait of `waited` since the last block, when blocks
/// are expected every `expected`: the chain's verdict and each region's
/// pace both use it, so they never disagree on what "slow" means.
#[must_use]
pub fn block_wait(waited: Duration, expected: Duration) -> BlockWait {
    if waited > expected.saturating_mul(HALT_AFTER_BLOCKS) {
        BlockWait::Halted
    } else if waited > expected.saturating_mul(SLOW_AFTER_BLOCKS) {
        BlockWait::Slow
    } else {
        BlockWait::OnTime
    }
}

/// True when the chain's latest block is older than [`halt_after`] at
/// `now`.
#[must_use]
pub fn halted(chain: &ChainStatus, now: Timestamp) -> bool {
    block_wait(
        now.since(chain.latest_block_time),
        expected_block_interval(chain),
    ) == BlockWait::Halted
}

/// Whether blocks are being produced.
#[must_use]
pub fn chain(chain: &Tracked<ChainStatus>, now: Timestamp, interval: Duration) -> Verdict {
    judge(chain, now, interval, |c| {
        let waited = now.since(c.latest_block_time);
        match block_wait(waited, expected_block_interval(c)) {
            BlockWait::Halted => Verdict::new(Level::Critical, "HALTED"),
            BlockWait::Slow => Verdict::new(Level::Warn, "SLOW"),
            BlockWait::OnTime => Verdict::new(Level::Ok, "PRODUCING"),
        }
    })
}

/// One region's view of block production: how often its nodes see a new
/// block and how long they have waited for the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionPace {
    /// No in-sync node of the region answered within the chain's stale
    /// window: its view of the chain is unknown.
    NoFreshNode,
    /// Heard from lately.
    Blocks {
        /// Mean time per block, once enough heights were seen.
        interval: Option<Duration>,
        /// The wait since the newest block the region saw, judged by
        /// [`block_wait`] against the chain's expected interval.
        wait: BlockWait,
        /// That wait.
        waited: Duration,
    },
}

impl RegionPace {
    /// The contract's word: `producing`, `slow`, `halted`, `measuring`
    /// (no interval yet, no wait to worry about) or `unknown`.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            RegionPace::NoFreshNode => "unknown",
            RegionPace::Blocks {
                wait: BlockWait::Halted,
                ..
            } => "halted",
            RegionPace::Blocks {
                wait: BlockWait::Slow,
                ..
            } => "slow",
            RegionPace::Blocks { interval: None, .. } => "measuring",
            RegionPace::Blocks { .. } => "producing",
        }
    }
}

/// Region `r`'s pace at `now`; `chain` (the estate's chain view, when
/// known) sets the interval blocks are expected at.
#[must_use]
pub fn region_pace(
    r: &RegionView,
    chain: Option<&ChainStatus>,
    now: Timestamp,
    chain_poll: Duration,
) -> RegionPace {
    let fresh_for = chain_poll.saturating_mul(super::telemetry::STALE_AFTER_INTERVALS);
    let heard = r.block_pace.heard().filter(|h| now.since(*h) <= fresh_for);
    let (Some(_), Some(newest)) = (heard, r.block_pace.latest_block_time()) else {
        return RegionPace::NoFreshNode;
    };
    let expected = chain.map_or(DEFAULT_BLOCK_INTERVAL, expected_block_interval);
    let waited = now.since(newest);
    RegionPace::Blocks {
        interval: r.block_pace.interval(),
        wait: block_wait(waited, expected),
        waited,
    }
}

/// One validator's signing.
#[must_use]
pub fn validator(v: &ValidatorStatus) -> Verdict {
    if !v.signed_latest {
        Verdict::new(Level::Critical, "NOT SIGNING")
    } else if v.missed_recent > 0 {
        Verdict::new(Level::Warn, format!("MISSED {}", v.missed_recent))
    } else {
        Verdict::new(Level::Ok, "SIGNING")
    }
}

#[cfg(test)]
#[path = "assess_tests.rs"]
mod tests;
