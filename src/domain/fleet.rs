//! The console's picture of the estate: the spec plus the latest reading of
//! every part, updated from [`PollReport`]s and nothing else (no I/O, no
//! clock), so scenario tests can drive it directly.

use std::time::Duration;

use super::agreement::Agreement;
use super::estate::{BackupKind, EstateSpec};
use super::observation::{
    ChainStatus, HealthStatus, KeyRotation, NodeStatus, Observation, PollReport, RegionTopology,
    SecretInfo,
};
use super::telemetry::{STALE_AFTER_INTERVALS, Tracked};
use super::time::Timestamp;
use super::trend::{BlockPace, Series};

/// Readings for one region.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionView {
    /// Region name (matches the spec).
    pub name: String,
    /// Route53 health.
    pub health: Tracked<HealthStatus>,
    /// Replication lag.
    pub lag: Tracked<Duration>,
    /// Newest backup per kind, in the spec's policy order.
    pub backups: Vec<(BackupKind, Tracked<Option<Timestamp>>)>,
    /// RPC nodes in the spec's order.
    pub nodes: Vec<(String, Tracked<NodeStatus>)>,
    /// Backup passphrase secrets in the spec's order; `None` = missing.
    pub secrets: Vec<(String, Tracked<Option<SecretInfo>>)>,
    /// Database role and traffic: where the failover stands.
    pub topology: Tracked<RegionTopology>,
    /// Recent replication lag readings, in seconds.
    pub lag_trend: Series,
    /// The blocks this region's nodes have seen lately.
    pub block_pace: BlockPace,
}

/// How a source has been behaving: the sources panel's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceState {
    /// Source name.
    pub name: String,
    /// Last poll with no failed observation.
    pub last_ok: Option<Timestamp>,
    /// Most recent failure text and time.
    pub last_error: Option<(String, Timestamp)>,
    /// Start of the current run of polls in which everything failed.
    pub failing_since: Option<Timestamp>,
    /// Observations that failed in the latest poll, of how many.
    pub failed_last: (usize, usize),
    /// When the source will be asked again.
    pub next_poll: Option<Timestamp>,
}

/// The whole picture.
#[derive(Debug, Clone, PartialEq)]
pub struct EstateView {
    /// What the estate is.
    pub spec: EstateSpec,
    /// Per-region readings in the spec's order.
    pub regions: Vec<RegionView>,
    /// The chain.
    pub chain: Tracked<ChainStatus>,
    /// The source whose answer `chain` holds: with one CometBFT source per
    /// region, the highest fresh answer wins and a lagging region is named.
    pub chain_source: Option<String>,
    /// Source behaviour, in order of first report.
    pub sources: Vec<SourceState>,
    /// Every RPC endpoint's chain and recent blocks, cross-checked.
    pub agreement: Agreement,
    /// Key rotations this console ran: each maps a new address to its
    /// validator until the environment file does.
    pub rotations: Vec<KeyRotation>,
}

impl EstateView {
    /// A picture in which nothing is known yet.
    #[must_use]
    pub fn new(spec: EstateSpec) -> Self {
        let regions = spec
            .regions
            .iter()
            .map(|r| RegionView {
                name: r.name.clone(),
                health: Tracked::default(),
                lag: Tracked::default(),
                backups: spec
                    .backups
                    .iter()
                    .map(|b| (b.kind, Tracked::default()))
                    .collect(),
                nodes: r
                    .rpc_nodes
                    .iter()
                    .map(|n| (n.clone(), Tracked::default()))
                    .collect(),
                secrets: r
                    .secrets
                    .iter()
                    .map(|n| (n.clone(), Tracked::default()))
                    .collect(),
                topology: Tracked::default(),
                lag_trend: Series::default(),
                block_pace: BlockPace::default(),
            })
            .collect();
        Self {
            spec,
            regions,
            chain: Tracked::default(),
            chain_source: None,
            sources: Vec::new(),
            rotations: Vec::new(),
            agreement: Agreement::default(),
        }
    }

    /// Folds a poll into the picture. Observations about regions, nodes or
    /// backup kinds the spec does not know are ignored: the spec decides
    /// what the estate is.
    pub fn apply(&mut self, report: &PollReport) {
        let at = report.at;
        let mut first_error: Option<String> = None;
        let mut failed = 0;
        for obs in &report.observations {
            if let Some(e) = self.apply_one(obs, at, &report.source) {
                failed += 1;
                first_error.get_or_insert(e);
            }
        }
        self.pace(report);
        let total = report.observations.len();
        let index = if let Some(i) = self.sources.iter().position(|s| s.name == report.source) {
            i
        } else {
            self.sources.push(SourceState {
                name: report.source.clone(),
                last_ok: None,
                last_error: None,
                failing_since: None,
                failed_last: (0, 0),
                next_poll: None,
            });
            self.sources.len() - 1
        };
        let src = &mut self.sources[index];
        src.next_poll = Some(report.next_poll);
        src.failed_last = (failed, total);
        if let Some(e) = first_error {
            src.last_error = Some((e, at));
        }
        if failed > 0 && failed == total {
            src.failing_since.get_or_insert(at);
        } else {
            src.last_ok = Some(at);
            src.failing_since = None;
        }
    }

    /// Takes a key rotation this console ran, once per new address. A
    /// rotation that comes without its height (a live run's) takes the
    /// block after the chain answer seen in the minute before it passed
    /// (as the simulated chain does: the next block), or stays without
    /// one: an older answer's height, or a later one, would be wrong.
    pub fn learn_rotation(&mut self, r: &KeyRotation) {
        const NEAR: Duration = Duration::from_mins(1);
        let seen = self.chain.reading.as_ref().and_then(|c| {
            let near = c.observed_at <= r.at && r.at.since(c.observed_at) <= NEAR;
            near.then(|| c.value.height.saturating_add(1))
        });
        let height = r.height.or(seen);
        match self
            .rotations
            .iter_mut()
            .find(|x| x.new_address.eq_ignore_ascii_case(&r.new_address))
        {
            // A height the estate reports is exact and beats a guess.
            Some(known) if r.height.is_some() => known.height = r.height,
            Some(known) => known.height = known.height.or(height),
            None => self.rotations.push(KeyRotation {
                height,
                ..r.clone()
            }),
        }
    }

    fn apply_one(&mut self, obs: &Observation, at: Timestamp, source: &str) -> Option<String> {
        fn put<T: Clone>(
            slot: &mut Tracked<T>,
            result: &Result<T, String>,
            at: Timestamp,
        ) -> Option<String> {
            match result {
                Ok(v) => {
                    slot.observe(v.clone(), at);
                    None
                }
                Err(e) => {
                    slot.fail(e.clone(), at);
                    Some(e.clone())
                }
            }
        }
        match obs {
            Observation::Health { region, result } => {
                put(&mut self.region_mut(region)?.health, result, at)
            }
            Observation::ReplicationLag { region, result } => {
                let r = self.region_mut(region)?;
                if let Ok(lag) = result {
                    r.lag_trend.push(at, lag.as_secs_f64());
                }
                put(&mut r.lag, result, at)
            }
            Observation::NewestBackup {
                region,
                kind,
                result,
            } => {
                let slot = self
                    .region_mut(region)?
                    .backups
                    .iter_mut()
                    .find(|(k, _)| k == kind)?;
                put(&mut slot.1, result, at)
            }
            Observation::Node {
                region,
                node,
                result,
            } => {
                let slot = self
                    .region_mut(region)?
                    .nodes
                    .iter_mut()
                    .find(|(n, _)| n == node)?;
                put(&mut slot.1, result, at)
            }
            Observation::Secret {
                region,
                name,
                result,
            } => {
                let slot = self
                    .region_mut(region)?
                    .secrets
                    .iter_mut()
                    .find(|(n, _)| n == name)?;
                put(&mut slot.1, result, at)
            }
            Observation::Topology { region, result } => {
                put(&mut self.region_mut(region)?.topology, result, at)
            }
            Observation::Chain { result: Ok(chain) } => {
                self.apply_chain(chain, at, source);
                None
            }
            Observation::Chain { result: Err(e) } => {
                self.chain.fail(e.clone(), at);
                Some(e.clone())
            }
            Observation::KeyRotated(r) => {
                self.learn_rotation(r);
                None
            }
        }
    }

    /// Takes a chain answer unless a fresher, higher answer from another
    /// source is already held; two fresh answers more than two blocks
    /// apart are a disagreement the operator must see.
    fn apply_chain(&mut self, chain: &ChainStatus, at: Timestamp, source: &str) {
        let fresh_for = self.spec.poll.chain.saturating_mul(STALE_AFTER_INTERVALS);
        self.agreement.observe(&chain.heads, at);
        // An answer from another chain is never the estate's chain.
        if self
            .agreement
            .chain_id(self.spec.chain_id.as_deref(), at, fresh_for)
            .is_some_and(|id| id != chain.chain_id)
        {
            return;
        }
        let held = self.chain.reading.as_ref().filter(|r| {
            at.since(r.observed_at) <= fresh_for && self.chain_source.as_deref() != Some(source)
        });
        let mut chain = chain.clone();
        chain.latest_block_time = self.seen_block_time(&chain, at);
        if let Some(held) = held {
            let (hh, nh) = (held.value.height, chain.height);
            let held_source = self.chain_source.clone().unwrap_or_default();
            if hh.abs_diff(nh) > 2 {
                let note = format!("{held_source} at height {hh}, {source} at height {nh}");
                if hh > nh {
                    let mut kept = held.value.clone();
                    kept.disagreement.get_or_insert(note);
                    self.chain.observe(kept, held.observed_at);
                    return;
                }
                chain.disagreement.get_or_insert(note);
            } else if hh > nh {
                return;
            }
        }
        self.chain.observe(chain, at);
        self.chain_source = Some(source.to_owned());
    }

    /// The latest block's time as the halt rule may trust it: never later
    /// than when the block was first seen. A node whose clock runs ahead
    /// (or lies) would otherwise keep a stopped chain "producing" until
    /// our clock caught up with its block's time.
    fn seen_block_time(&self, chain: &ChainStatus, at: Timestamp) -> Timestamp {
        let first_seen = self
            .chain
            .reading
            .as_ref()
            .filter(|r| r.value.height == chain.height && r.value.chain_id == chain.chain_id)
            .map_or(at, |r| r.value.latest_block_time);
        chain.latest_block_time.min(first_seen).min(at)
    }

    /// Each region's pace from the highest in-sync node it answered with
    /// in this report (a report of one region's RPC source carries all of
    /// its nodes, so the highest is the region's view of the chain).
    fn pace(&mut self, report: &PollReport) {
        let mut best: Vec<(&str, NodeStatus)> = Vec::new();
        for obs in &report.observations {
            let Observation::Node {
                region,
                result: Ok(n),
                ..
            } = obs
            else {
                continue;
            };
            if n.catching_up {
                continue;
            }
            match best.iter_mut().find(|(r, _)| r == region) {
                Some((_, b)) if b.height >= n.height => {}
                Some((_, b)) => *b = *n,
                None => best.push((region, *n)),
            }
        }
        for (region, n) in best {
            if let Some(r) = self.regions.iter_mut().find(|r| r.name == region) {
                r.block_pace
                    .observe(report.at, n.height, n.latest_block_time);
            }
        }
    }

    fn region_mut(&mut self, name: &str) -> Option<&mut RegionView> {
        self.regions.iter_mut().find(|r| r.name == name)
    }

    /// Readings for a region by name.
    #[must_use]
    pub fn region(&self, name: &str) -> Option<&RegionView> {
        self.regions.iter().find(|r| r.name == name)
    }
}

#[cfg(test)]
#[path = "fleet_tests.rs"]
mod tests;
