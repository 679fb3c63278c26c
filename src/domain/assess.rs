//! Judgements: turns readings into verdicts an operator can act on.
//!
//! Every verdict carries a word as well as a level, so the screen never
//! relies on colour alone, and every function routes through freshness so
//! that unknown or stale data can never come out as healthy.

use std::time::Duration;

use serde::Serialize;

use super::bft::{self, RegionLoss, RegionPower};
use super::estate::{BackupPolicy, EstateSpec};
use super::fleet::{EstateView, RegionView};
use super::observation::{ChainStatus, NodeStatus, SecretInfo, ValidatorStatus};
use super::telemetry::{Freshness, Tracked};
use super::time::{Timestamp, format_age};

/// How bad something is; themes map each to a colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Within target.
    Ok,
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

/// How long without a new block before the chain counts as halted.
#[must_use]
pub fn halt_after(chain: &ChainStatus) -> Duration {
    chain
        .avg_block_time
        .saturating_mul(5)
        .max(Duration::from_secs(30))
}

/// Whether blocks are being produced.
#[must_use]
pub fn chain(chain: &Tracked<ChainStatus>, now: Timestamp, interval: Duration) -> Verdict {
    judge(chain, now, interval, |c| {
        let since = now.since(c.latest_block_time);
        if since > halt_after(c) {
            Verdict::new(Level::Critical, "HALTED")
        } else if since > c.avg_block_time.saturating_mul(2) {
            Verdict::new(Level::Warn, "SLOW")
        } else {
            Verdict::new(Level::Ok, "PRODUCING")
        }
    })
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

/// Where the voting power figures of a region-loss analysis come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PowerBasis {
    /// The chain's current validator set (fresh or stale).
    Chain,
    /// The configured mapping only: the chain has not answered.
    Configuration,
}

/// Voting power per region: the chain's figures mapped to regions by the
/// spec; validators the spec does not map are counted as `unmapped`.
#[must_use]
pub fn region_power(view: &EstateView, now: Timestamp) -> (Vec<RegionPower>, PowerBasis) {
    let spec = &view.spec;
    let add = |acc: &mut Vec<RegionPower>, region: &str, power: u64| match acc
        .iter_mut()
        .find(|p| p.region == region)
    {
        Some(p) => p.power += power,
        None => acc.push(RegionPower {
            region: region.to_owned(),
            power,
        }),
    };
    let mut out = Vec::new();
    if let Some(chain) = view.chain.known_value(now, spec.poll.chain) {
        for v in &chain.validators {
            let region = spec
                .validator(&v.address)
                .map_or("unmapped", |s| s.region.as_str());
            add(&mut out, region, v.voting_power);
        }
        (out, PowerBasis::Chain)
    } else {
        for v in &spec.validators {
            add(&mut out, &v.region, v.voting_power);
        }
        (out, PowerBasis::Configuration)
    }
}

/// The region-loss analysis for the current picture.
#[must_use]
pub fn region_loss(view: &EstateView, now: Timestamp) -> (Vec<RegionLoss>, PowerBasis) {
    let (power, basis) = region_power(view, now);
    let names: Vec<String> = view.spec.regions.iter().map(|r| r.name.clone()).collect();
    (bft::analyse(&names, &power), basis)
}

/// What kind of target is breached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreachKind {
    /// Route53 says a region is unhealthy.
    RegionUnhealthy,
    /// Replication lag above the RPO.
    Rpo,
    /// A backup older than its alarm age, or missing.
    BackupAlarm,
    /// No blocks for longer than the halt threshold.
    ChainHalted,
    /// A backup passphrase secret does not exist.
    SecretMissing,
    /// Something needed to judge a target is stale or unknown.
    Unknown,
}

/// One breached (or unverifiable) target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breach {
    /// Kind.
    pub kind: BreachKind,
    /// What it is about: a region, `region/kind`, or `chain`.
    pub subject: String,
    /// The verdict word.
    pub detail: String,
}

/// Every target that does not demonstrably hold. Unknown and stale data
/// count: a target nobody can confirm is not a target that holds.
#[must_use]
pub fn breaches(view: &EstateView, now: Timestamp) -> Vec<Breach> {
    let spec: &EstateSpec = &view.spec;
    let mut out = Vec::new();
    let mut push = |kind, subject: String, v: &Verdict| {
        let kind = if matches!(v.level, Level::Stale | Level::Unknown) {
            BreachKind::Unknown
        } else {
            kind
        };
        out.push(Breach {
            kind,
            subject,
            detail: v.word.clone(),
        });
    };
    for r in &view.regions {
        let h = region_health(r, now, spec.poll.health);
        if h.level != Level::Ok {
            push(
                BreachKind::RegionUnhealthy,
                format!("{} health", r.name),
                &h,
            );
        }
        let l = replication(&r.lag, spec.targets.rpo, now, spec.poll.metrics);
        if matches!(l.level, Level::Critical | Level::Stale | Level::Unknown) {
            push(BreachKind::Rpo, format!("{} replication", r.name), &l);
        }
        for ((kind, newest), policy) in r.backups.iter().zip(&spec.backups) {
            let b = backup(newest, policy, now, spec.poll.backups);
            if matches!(b.level, Level::Critical | Level::Stale | Level::Unknown) {
                push(
                    BreachKind::BackupAlarm,
                    format!("{}/{}", r.name, kind.label()),
                    &b,
                );
            }
        }
        for (name, s) in &r.secrets {
            let v = secret(s, now, spec.poll.backups);
            if v.level != Level::Ok {
                push(
                    BreachKind::SecretMissing,
                    format!("{} secret {name}", r.name),
                    &v,
                );
            }
        }
    }
    let c = chain(&view.chain, now, spec.poll.chain);
    if matches!(c.level, Level::Critical | Level::Stale | Level::Unknown) {
        push(BreachKind::ChainHalted, "chain".to_owned(), &c);
    }
    out
}

#[cfg(test)]
#[path = "assess_tests.rs"]
mod tests;
