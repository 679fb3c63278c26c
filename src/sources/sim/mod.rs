//! The simulated estate: the embedded default the console runs on, and the
//! target drills and practice mode drive.
//!
//! It is a deterministic discrete-event model. Time only arrives through
//! [`SimEstate::advance_to`]; events (block attempts, 1-second ticks for
//! replication lag and node catch-up, backup job completions) are processed
//! in time order, and each random draw belongs to an event, so advancing in
//! one jump or in many small steps yields the same state for the same seed.

mod backup;
mod chain;
mod fault;
mod observe;
#[cfg(test)]
mod tests;

use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use self::backup::BackupTrack;
use self::chain::Chain;
pub use self::fault::{ActiveFault, Fault, FaultId};
use crate::domain::bft::keeps_consensus;
use crate::domain::estate::EstateSpec;
use crate::domain::time::Timestamp;

/// Chain id every simulated estate reports, so it is never mistaken for a
/// real network.
pub const CHAIN_ID: &str = "virtengine-sim-1";

const TICK_MS: i64 = 1_000;
/// A recovered region's nodes restart for this long before syncing.
const RESTART_MS: i64 = 10_000;
/// Blocks a lagging node fetches per second while catching up.
const CATCH_UP_PER_TICK: u64 = 10;
/// Normal replication lag wanders within these bounds (ms).
const LAG_MIN_MS: i64 = 500;
const LAG_MAX_MS: i64 = 12_000;
const LAG_CENTRE_MS: i64 = 2_000;
const LAG_STREAM: u64 = 0x1A6F_0000_5EED_0002;
const PEER_STREAM: u64 = 0x9EE2_0000_5EED_0003;

/// Why an operator action or a fault was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    /// The region is not in the estate.
    #[error("unknown region '{region}'; valid regions: {valid}")]
    UnknownRegion {
        /// What was asked for.
        region: String,
        /// The estate's regions, comma separated.
        valid: String,
    },
    /// No validator has that name or address.
    #[error(
        "unknown validator '{validator}'; give a validator name{} or its hex address",
        example.as_ref().map(|e| format!(" such as {e}")).unwrap_or_default()
    )]
    UnknownValidator {
        /// What was asked for.
        validator: String,
        /// A valid name to show as an example.
        example: Option<String>,
    },
    /// The action needs the region up, and it is down.
    #[error("region {region} is down; recover it first")]
    RegionDown {
        /// The region.
        region: String,
    },
    /// The fault is well formed but makes no sense for this estate.
    #[error("{0}")]
    InvalidFault(String),
}

impl SimError {
    fn unknown_region(region: &str, spec: &EstateSpec) -> Self {
        SimError::UnknownRegion {
            region: region.to_owned(),
            valid: spec
                .regions
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// A database promotion as it happened: the drill report scores its data
/// loss against the RPO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promotion {
    /// Previous database primary.
    pub from: String,
    /// New database primary.
    pub to: String,
    /// Simulated time of the promotion.
    pub at: Timestamp,
    /// The new primary's replication lag at that moment: data lost.
    pub data_loss: Duration,
}

/// Per-region mutable state, parallel to `spec.regions`.
#[derive(Debug, Clone)]
struct RegionState {
    serving: bool,
    validators_running: bool,
    /// Height the region's nodes have.
    height: u64,
    /// Nodes are restarting until then (after a recovery).
    ready_at: Timestamp,
    /// Normal replication lag wander (ms).
    lag_base: i64,
    /// Lag added by faults, decaying once they clear (ms).
    lag_extra: i64,
    /// Stable extra peers (sentries, public peers) per RPC node.
    peer_extra: Vec<u32>,
}

/// The whole simulated estate. See the module docs for the model.
#[derive(Debug, Clone)]
pub struct SimEstate {
    spec: EstateSpec,
    now: Timestamp,
    faults: Vec<ActiveFault>,
    next_fault: u64,
    regions: Vec<RegionState>,
    /// Region index of each validator, `None` when unmapped (then it is
    /// treated as reachable from everywhere).
    validator_region: Vec<Option<usize>>,
    chain: Chain,
    backups: Vec<BackupTrack>,
    db_primary: usize,
    promotions: Vec<Promotion>,
    lag_rng: ChaCha8Rng,
    next_tick: i64,
}

/// A seeded estate with `validators` validators spread over the seed's
/// regions: for benchmarks and paging tests of large validator sets.
#[must_use]
pub fn bench_sized(validators: usize, seed: u64, start: Timestamp) -> SimEstate {
    SimEstate::new(EstateSpec::seed_with_validators(validators), seed, start)
}

impl SimEstate {
    /// A healthy estate at `start`, its history (heights, backups, lag)
    /// drawn from `seed`. The first region is the database primary.
    #[must_use]
    pub fn new(spec: EstateSpec, seed: u64, start: Timestamp) -> Self {
        let chain = Chain::new(seed, start, spec.validators.len());
        let mut lag_rng = ChaCha8Rng::seed_from_u64(seed ^ LAG_STREAM);
        let mut peer_rng = ChaCha8Rng::seed_from_u64(seed ^ PEER_STREAM);
        let regions = spec
            .regions
            .iter()
            .map(|r| RegionState {
                serving: true,
                validators_running: true,
                height: chain.height(),
                ready_at: start,
                lag_base: lag_rng.random_range(800..=3_500),
                lag_extra: 0,
                peer_extra: r
                    .rpc_nodes
                    .iter()
                    .map(|_| peer_rng.random_range(3..=8))
                    .collect(),
            })
            .collect();
        let validator_region = spec
            .validators
            .iter()
            .map(|v| spec.regions.iter().position(|r| r.name == v.region))
            .collect();
        let backups = spec
            .regions
            .iter()
            .enumerate()
            .flat_map(|(i, r)| {
                spec.backups
                    .iter()
                    .map(move |p| BackupTrack::new(seed, i, &r.name, p, start))
            })
            .collect();
        Self {
            next_tick: (start.as_millis().div_euclid(TICK_MS) + 1) * TICK_MS,
            spec,
            now: start,
            faults: Vec::new(),
            next_fault: 1,
            regions,
            validator_region,
            chain,
            backups,
            db_primary: 0,
            promotions: Vec::new(),
            lag_rng,
        }
    }

    /// The estate being simulated.
    #[must_use]
    pub fn spec(&self) -> &EstateSpec {
        &self.spec
    }

    /// Simulated time the model has reached.
    #[must_use]
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Latest committed height (whatever any node can see).
    #[must_use]
    pub fn chain_height(&self) -> u64 {
        self.chain.height()
    }

    /// The region currently holding the database primary.
    #[must_use]
    pub fn database_primary(&self) -> &str {
        self.region_name(self.db_primary)
    }

    /// Whether Route53 sends the region traffic; `None` for an unknown region.
    #[must_use]
    pub fn is_serving(&self, region: &str) -> Option<bool> {
        let i = self.spec.regions.iter().position(|r| r.name == region)?;
        self.regions.get(i).map(|r| r.serving)
    }

    /// Every database promotion so far, oldest first.
    #[must_use]
    pub fn promotions(&self) -> &[Promotion] {
        &self.promotions
    }

    /// Faults in force, in injection order.
    #[must_use]
    pub fn faults(&self) -> &[ActiveFault] {
        &self.faults
    }

    /// Runs the model forward to `t`; a no-op when `t` is not ahead.
    pub fn advance_to(&mut self, t: Timestamp) {
        let target = t.as_millis();
        loop {
            // Ties go tick, then backups, then the block: a fixed order.
            let mut at = self.next_tick;
            let mut event = Event::Tick;
            if let Some((i, c)) = self.next_backup()
                && c < at
            {
                (at, event) = (c, Event::Backup(i));
            }
            if self.chain.next_attempt() < at {
                (at, event) = (self.chain.next_attempt(), Event::Block);
            }
            if at > target {
                break;
            }
            self.now = self.now.max(Timestamp::from_millis(at));
            match event {
                Event::Tick => self.tick(),
                Event::Backup(i) => self.finish_backup(i),
                Event::Block => self.attempt_block(),
            }
        }
        self.now = self.now.max(t);
    }

    /// Starts `fault` at `now()`.
    ///
    /// # Errors
    /// When the fault names a region or validator the estate lacks.
    pub fn inject(&mut self, fault: Fault) -> Result<FaultId, SimError> {
        fault.validate(&self.spec)?;
        let id = FaultId(self.next_fault);
        self.next_fault += 1;
        self.faults.push(ActiveFault {
            id,
            fault,
            since: self.now,
        });
        Ok(id)
    }

    /// Ends one fault; false when no fault has that id.
    pub fn clear(&mut self, id: FaultId) -> bool {
        let before = self.faults.len();
        self.change_faults(|faults| faults.retain(|f| f.id != id));
        self.faults.len() != before
    }

    /// Ends every fault.
    pub fn clear_all(&mut self) {
        self.change_faults(Vec::clear);
    }

    /// Brings a downed region back without touching other faults; its
    /// nodes restart and catch up before its validators sign again.
    ///
    /// # Errors
    /// When the region is unknown.
    pub fn recover_region(&mut self, region: &str) -> Result<(), SimError> {
        self.index_of(region)?;
        self.change_faults(|faults| {
            faults.retain(|f| !matches!(&f.fault, Fault::RegionDown { region: r } if r == region));
        });
        Ok(())
    }

    /// Moves the database primary to `region`, as the failover runbook does.
    ///
    /// # Errors
    /// When the region is unknown or down.
    pub fn promote_database(&mut self, region: &str) -> Result<(), SimError> {
        let to = self.index_of(region)?;
        if self.is_down(to) {
            return Err(SimError::RegionDown {
                region: region.to_owned(),
            });
        }
        if to == self.db_primary {
            return Ok(());
        }
        self.promotions.push(Promotion {
            from: self.database_primary().to_owned(),
            to: region.to_owned(),
            at: self.now,
            data_loss: self.lag(to),
        });
        let from = self.db_primary;
        self.db_primary = to;
        for i in [from, to] {
            if let Some(r) = self.regions.get_mut(i) {
                r.lag_extra = 0;
            }
        }
        Ok(())
    }

    /// Sets the region's Route53 record weight on or off (pause traffic).
    ///
    /// # Errors
    /// When the region is unknown.
    pub fn set_traffic(&mut self, region: &str, serving: bool) -> Result<(), SimError> {
        let i = self.index_of(region)?;
        if let Some(r) = self.regions.get_mut(i) {
            r.serving = serving;
        }
        Ok(())
    }

    /// Scales the region's validators up (running) or down (stopped).
    ///
    /// # Errors
    /// When the region is unknown.
    pub fn set_validators_running(&mut self, region: &str, running: bool) -> Result<(), SimError> {
        let i = self.index_of(region)?;
        if let Some(r) = self.regions.get_mut(i) {
            r.validators_running = running;
        }
        Ok(())
    }

    // ---- events -------------------------------------------------------

    fn next_backup(&self) -> Option<(usize, i64)> {
        self.backups
            .iter()
            .enumerate()
            .map(|(i, b)| (i, b.next_completion()))
            .min_by_key(|&(i, c)| (c, i))
    }

    fn finish_backup(&mut self, i: usize) {
        let Some(track) = self.backups.get(i) else {
            return;
        };
        let (region, kind) = (track.region, track.kind);
        let name = self.region_name(region);
        let failed = self.is_down(region)
            || self.faults.iter().any(|f| {
                matches!(&f.fault, Fault::BackupJobFailure { region: r, kind: k }
                    if r == name && *k == kind)
            });
        if let Some(track) = self.backups.get_mut(i) {
            track.finish(!failed);
        }
    }

    /// Commits a block if the validators that can sign and see each other
    /// hold more than 2/3 of the power; otherwise the round times out.
    fn attempt_block(&mut self) {
        let components = self.components();
        let eligible = self.eligible_validators();
        let total: u64 = self.spec.validators.iter().map(|v| v.voting_power).sum();
        let mut power = vec![0_u64; self.regions.len()];
        for (v, ok) in self.spec.validators.iter().zip(&eligible) {
            match ok {
                Signer::In(c) => power[*c] += v.voting_power,
                // Unmapped validators count wherever the block is made.
                Signer::Anywhere => power.iter_mut().for_each(|p| *p += v.voting_power),
                Signer::Cannot => {}
            }
        }
        let Some(producer) = power.iter().position(|&p| keeps_consensus(p, total)) else {
            self.chain.retry();
            return;
        };
        let old = self.chain.height();
        self.chain.commit(
            eligible
                .iter()
                .map(|e| matches!(e, Signer::Anywhere) || *e == Signer::In(producer)),
        );
        let now = self.now;
        for (r, c) in self.regions.iter_mut().zip(&components) {
            if *c == Some(producer) && r.height == old && now >= r.ready_at {
                r.height = old + 1;
            }
        }
    }

    /// The 1-second tick: replication lag moves, lagging nodes catch up.
    fn tick(&mut self) {
        self.next_tick += TICK_MS;
        let components = self.components();
        let primary = self.db_primary;
        let primary_name = self.region_name(primary).to_owned();
        for i in 0..self.regions.len() {
            let step = self.lag_rng.random_range(-500..=500_i64);
            let stalled = i != primary && self.replication_stalled(i, &components);
            let growth = self.lag_growth(i, &primary_name);
            let Some(r) = self.regions.get_mut(i) else {
                continue;
            };
            let pull = (r.lag_base - LAG_CENTRE_MS) / 40;
            r.lag_base = (r.lag_base + step - pull).clamp(LAG_MIN_MS, LAG_MAX_MS);
            if i == primary {
                r.lag_extra = 0;
            } else if stalled || growth > 0 {
                let add = if stalled { TICK_MS } else { 0 };
                r.lag_extra = r.lag_extra.saturating_add(add).saturating_add(growth);
            } else {
                // Halves roughly every 10 s once replication flows again.
                r.lag_extra = if r.lag_extra < 100 {
                    0
                } else {
                    r.lag_extra * 14 / 15
                };
            }
        }
        let tip = self.chain.height();
        let holds_tip: Vec<Option<usize>> = self
            .regions
            .iter()
            .zip(&components)
            .filter(|(r, c)| r.height == tip && c.is_some())
            .map(|(_, c)| *c)
            .collect();
        let now = self.now;
        for (r, c) in self.regions.iter_mut().zip(&components) {
            if c.is_some() && holds_tip.contains(c) && now >= r.ready_at && r.height < tip {
                r.height = (r.height + CATCH_UP_PER_TICK).min(tip);
            }
        }
    }

    // ---- derived state ------------------------------------------------

    /// Replication into region `i` cannot flow: stalled by a fault, either
    /// end down, or the two ends on different sides of a partition.
    fn replication_stalled(&self, i: usize, components: &[Option<usize>]) -> bool {
        let p = self.db_primary;
        let (name, primary) = (self.region_name(i), self.region_name(p));
        let fault_stall = self.faults.iter().any(
            |f| matches!(&f.fault, Fault::ReplicationStall { region } if region == name || region == primary),
        );
        fault_stall
            || components.get(i).copied().flatten().is_none()
            || components.get(i) != components.get(p)
    }

    /// Extra lag per second from growth faults on `i` or on the primary.
    fn lag_growth(&self, i: usize, primary: &str) -> i64 {
        let name = self.region_name(i);
        self.faults
            .iter()
            .filter_map(|f| match &f.fault {
                Fault::ReplicationLagGrowth { region, per_second }
                    if region == name || region == primary =>
                {
                    Some(i64::try_from(per_second.as_millis()).unwrap_or(i64::MAX))
                }
                _ => None,
            })
            .fold(0, i64::saturating_add)
    }

    /// Current replication lag of region `i` (zero on the primary).
    fn lag(&self, i: usize) -> Duration {
        if i == self.db_primary {
            return Duration::ZERO;
        }
        self.regions.get(i).map_or(Duration::ZERO, |r| {
            Duration::from_millis(r.lag_base.saturating_add(r.lag_extra).unsigned_abs())
        })
    }

    /// Which network component each region is in; `None` when down.
    /// Two up regions share a component when no partition separates them.
    fn components(&self) -> Vec<Option<usize>> {
        let sides: Vec<Vec<bool>> = (0..self.regions.len())
            .map(|i| {
                let name = self.region_name(i);
                self.faults
                    .iter()
                    .filter_map(|f| match &f.fault {
                        Fault::NetworkPartition { isolated } => {
                            Some(isolated.iter().any(|r| r == name))
                        }
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        let mut out: Vec<Option<usize>> = Vec::with_capacity(sides.len());
        for i in 0..sides.len() {
            let c = if self.is_down(i) {
                None
            } else {
                Some(
                    (0..i)
                        .find(|&j| out[j].is_some() && sides[j] == sides[i])
                        .and_then(|j| out[j])
                        .unwrap_or(i),
                )
            };
            out.push(c);
        }
        out
    }

    /// Per validator, in spec order: can it sign now, and from where.
    fn eligible_validators(&self) -> Vec<Signer> {
        let components = self.components();
        let tip = self.chain.height();
        self.spec
            .validators
            .iter()
            .zip(&self.validator_region)
            .map(|(v, region)| {
                if self.validator_offline(v) {
                    return Signer::Cannot;
                }
                let Some(i) = *region else {
                    return Signer::Anywhere;
                };
                match (self.regions.get(i), components.get(i).copied().flatten()) {
                    (Some(r), Some(c))
                        if r.validators_running && r.height == tip && self.now >= r.ready_at =>
                    {
                        Signer::In(c)
                    }
                    _ => Signer::Cannot,
                }
            })
            .collect()
    }

    fn validator_offline(&self, v: &crate::domain::estate::ValidatorSpec) -> bool {
        self.faults.iter().any(|f| {
            matches!(&f.fault, Fault::ValidatorOffline { validator } if fault::names_validator(validator, v))
        })
    }

    fn is_down(&self, i: usize) -> bool {
        let name = self.region_name(i);
        self.faults
            .iter()
            .any(|f| matches!(&f.fault, Fault::RegionDown { region } if region == name))
    }

    fn health_failed(&self, i: usize) -> bool {
        let name = self.region_name(i);
        self.faults
            .iter()
            .any(|f| matches!(&f.fault, Fault::HealthCheckFailure { region } if region == name))
    }

    fn region_name(&self, i: usize) -> &str {
        self.spec.regions.get(i).map_or("", |r| r.name.as_str())
    }

    fn index_of(&self, region: &str) -> Result<usize, SimError> {
        self.spec
            .regions
            .iter()
            .position(|r| r.name == region)
            .ok_or_else(|| SimError::unknown_region(region, &self.spec))
    }

    /// Applies a change to the fault list; regions that come back up
    /// restart their nodes first.
    fn change_faults(&mut self, change: impl FnOnce(&mut Vec<ActiveFault>)) {
        let was_down: Vec<bool> = (0..self.regions.len()).map(|i| self.is_down(i)).collect();
        change(&mut self.faults);
        let ready = self
            .now
            .plus(Duration::from_millis(RESTART_MS.unsigned_abs()));
        for (i, down) in was_down.into_iter().enumerate() {
            if down
                && !self.is_down(i)
                && let Some(r) = self.regions.get_mut(i)
            {
                r.ready_at = ready;
            }
        }
    }
}

/// Whether a validator can sign the next block, and on which side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signer {
    /// Offline, stopped, down, syncing or restarting.
    Cannot,
    /// Up and synced in this network component.
    In(usize),
    /// Mapped to no region: reachable from wherever the block is made.
    Anywhere,
}

/// What the event loop does next.
#[derive(Debug, Clone, Copy)]
enum Event {
    Tick,
    Backup(usize),
    Block,
}
