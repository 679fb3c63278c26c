//! The simulated estate: the embedded default the console runs on, and the
//! target drills and practice mode drive.
//!
//! It is a deterministic discrete-event model. Time only arrives through
//! [`SimEstate::advance_to`]; events (block attempts, 1-second ticks for
//! replication lag and node catch-up, backup job completions) are processed
//! in time order, and each random draw belongs to an event, so advancing in
//! one jump or in many small steps yields the same state for the same seed.
//!
//! The model, in brief:
//! - **Chain** (`virtengine-sim-1`): a block every 6 s ± 0.6 s when the
//!   validators that are online, running, synced and in one network
//!   component hold more than 2/3 of the power; otherwise a 1 s round
//!   timeout and another try. Signatures are kept over the last 100 blocks.
//! - **Regions**: nodes follow the tip while they can reach it; cut off by a
//!   partition they freeze (and do not know it); after a recovery they
//!   restart for 10 s, then catch up 10 blocks a second (`catching_up`).
//! - **Replication**: the database primary has zero lag; replicas wander
//!   between 0.5 s and 12 s. Lag grows 1 s/s while replication cannot flow
//!   (stall fault, either end down, or partitioned from the primary) and
//!   decays by half about every 10 s once it can. Faults named on the
//!   primary hit every replica.
//! - **Backups**: each kind on its schedule (keys at 02:00 UTC, others
//!   aligned to midnight), completing a seeded 3-12 min late, unless the
//!   region is down or a backup-failure fault names that kind.

mod actions;
mod backup;
mod chain;
mod events;
mod fault;
mod keys;
mod observe;
mod restore;
mod service;
mod step_time;
#[cfg(test)]
mod tests;
mod topology;

use std::time::Duration;

use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;

use self::backup::BackupTrack;
use self::chain::Chain;
pub use self::fault::{ActiveFault, FaultId};
pub use self::keys::{CompromisedKey, KeyRotation};
pub use self::restore::ChainRestore;
pub use self::service::ServiceState;
pub use self::step_time::{RECORD_TTL, SNAPSHOT_BYTES, Spread, StepTime, Work};
use crate::domain::estate::EstateSpec;
use crate::domain::fault::{Fault, FaultError};
use crate::domain::time::Timestamp;

/// Chain id every simulated estate reports, so it is never mistaken for a
/// real network; the seed spec names the same one as the estate's chain.
pub use crate::domain::estate::SEED_CHAIN_ID as CHAIN_ID;

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
    /// The fault or action names something the estate does not have.
    #[error(transparent)]
    Fault(#[from] FaultError),
    /// A restore needs a snapshot and the region has none.
    #[error("no {kind} snapshot in {region} to restore from")]
    NoSnapshot {
        /// The region.
        region: String,
        /// Which backup.
        kind: &'static str,
    },
    /// The chain or the estate refuses the action, for the reason given.
    #[error("{0}")]
    Refused(String),
    /// The action needs the region up, and it is down.
    #[error("region {region} is down; recover it first")]
    RegionDown {
        /// The region.
        region: String,
    },
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

/// A validator key that signed from two places at once: a slashable double
/// sign the drill report must show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoubleSign {
    /// The validator's name.
    pub validator: String,
    /// Where its key normally runs.
    pub home: String,
    /// Where the standby copy ran.
    pub standby: String,
    /// Simulated time it was first seen.
    pub at: Timestamp,
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
    /// Per validator, the region a standby copy of its key runs in (a
    /// failover started it there).
    standby: Vec<Option<usize>>,
    double_signs: Vec<DoubleSign>,
    /// Per validator: its key, fence and rotation ([`keys`]).
    keys: Vec<keys::KeyState>,
    rotations: Vec<KeyRotation>,
    compromised: Vec<CompromisedKey>,
    /// Seeds fresh key addresses.
    seed: u64,
    chain: Chain,
    backups: Vec<BackupTrack>,
    db_primary: usize,
    promotions: Vec<Promotion>,
    restores: Vec<ChainRestore>,
    lag_rng: ChaCha8Rng,
    /// Draws how long practice steps take ([`step_time`]).
    step_rng: ChaCha8Rng,
    /// DNS changes clients have not followed yet: (when, region, serving).
    dns_pending: Vec<(Timestamp, usize, bool)>,
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
        let validator_region: Vec<Option<usize>> = spec
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
        let keys = spec
            .validators
            .iter()
            .map(|v| keys::KeyState {
                address: v.address.clone(),
                fenced: false,
                new_node: None,
                rotated: None,
            })
            .collect();
        Self {
            next_tick: (start.as_millis().div_euclid(TICK_MS) + 1) * TICK_MS,
            spec,
            now: start,
            faults: Vec::new(),
            next_fault: 1,
            regions,
            standby: vec![None; validator_region.len()],
            validator_region,
            double_signs: Vec::new(),
            keys,
            rotations: Vec::new(),
            compromised: Vec::new(),
            seed,
            chain,
            backups,
            db_primary: 0,
            promotions: Vec::new(),
            restores: Vec::new(),
            lag_rng,
            step_rng: ChaCha8Rng::seed_from_u64(seed ^ step_time::STREAM),
            dns_pending: Vec::new(),
        }
    }

    /// The estate being simulated.
    #[must_use]
    pub fn spec(&self) -> &EstateSpec {
        &self.spec
    }

    /// Every double sign so far, in the order they happened.
    #[must_use]
    pub fn double_signs(&self) -> &[DoubleSign] {
        &self.double_signs
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

    /// Whether the region's validators are scaled up; `None` for an
    /// unknown region.
    #[must_use]
    pub fn validators_running(&self, region: &str) -> Option<bool> {
        let i = self.spec.regions.iter().position(|r| r.name == region)?;
        self.regions.get(i).map(|r| r.validators_running)
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
            let (at, event) = self.next_event();
            if at > target {
                break;
            }
            self.now = self.now.max(Timestamp::from_millis(at));
            self.handle(event);
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
        self.note_compromise(&fault);
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
