//! State derived from the faults in force: who is down, who can reach
//! whom, who can sign, and how far replication is behind.

use std::time::Duration;

use super::{Fault, FaultError, SimError, SimEstate};
use crate::domain::estate::ValidatorSpec;

impl SimEstate {
    /// Replication into region `i` cannot flow: stalled by a fault, either
    /// end down, or the two ends on different sides of a partition.
    pub(super) fn replication_stalled(&self, i: usize, components: &[Option<usize>]) -> bool {
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
    pub(super) fn lag_growth(&self, i: usize, primary: &str) -> i64 {
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
    pub(super) fn lag(&self, i: usize) -> Duration {
        if i == self.db_primary {
            return Duration::ZERO;
        }
        self.regions.get(i).map_or(Duration::ZERO, |r| {
            Duration::from_millis(r.lag_base.saturating_add(r.lag_extra).unsigned_abs())
        })
    }

    /// Which network component each region is in; `None` when down.
    /// Two up regions share a component when no partition separates them.
    pub(super) fn components(&self) -> Vec<Option<usize>> {
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

    /// Per validator, in spec order: can it sign now, and from where. A
    /// validator whose key also runs as a standby elsewhere signs from its
    /// home when it can, else from the standby; when both can, that is a
    /// double sign ([`Self::double_signers`]).
    pub(super) fn eligible_validators(&self) -> Vec<Signer> {
        let components = self.components();
        let tip = self.chain.height();
        self.spec
            .validators
            .iter()
            .zip(self.validator_region.iter().zip(&self.standby))
            .enumerate()
            .map(|(n, (v, (home, standby)))| {
                let key = self.keys.get(n);
                if self.validator_offline(v) || key.is_some_and(|k| k.fenced) {
                    return Signer::Cannot;
                }
                if let Some((r, _)) = key.and_then(|k| k.rotated.as_ref()) {
                    // The new key signs from the new node alone, once synced.
                    return match home {
                        _ if self.now < r.signs_from => Signer::Cannot,
                        None => Signer::Anywhere,
                        Some(i) => self
                            .node_signs_from(*i, tip, &components)
                            .map_or(Signer::Cannot, Signer::In),
                    };
                }
                let Some(i) = *home else {
                    return Signer::Anywhere;
                };
                let at_home = self.signs_from(i, tip, &components);
                let at_standby = standby.and_then(|j| self.signs_from(j, tip, &components));
                match at_home.or(at_standby) {
                    Some(c) => Signer::In(c),
                    None => Signer::Cannot,
                }
            })
            .collect()
    }

    /// Validators (spec index) whose key signs from two places at once now.
    pub(super) fn double_signers(&self) -> Vec<usize> {
        let components = self.components();
        let tip = self.chain.height();
        self.validator_region
            .iter()
            .zip(&self.standby)
            .enumerate()
            .filter_map(|(v, (home, standby))| {
                let (Some(i), Some(j)) = (*home, *standby) else {
                    return None;
                };
                let both = self.signs_from(i, tip, &components).is_some()
                    && self.signs_from(j, tip, &components).is_some();
                both.then_some(v)
            })
            .collect()
    }

    /// The region validator `v`'s key signs from now: its home when it
    /// signs there, else its standby when that signs; when neither signs,
    /// the standby if one was started (the failover moved it), else home.
    pub(super) fn key_region(&self, v: usize, components: &[Option<usize>]) -> Option<usize> {
        let tip = self.chain.height();
        let home = self.validator_region.get(v).copied().flatten();
        let standby = self.standby.get(v).copied().flatten();
        let signs = |r: Option<usize>| r.filter(|&i| self.signs_from(i, tip, components).is_some());
        signs(home).or(signs(standby)).or(standby).or(home)
    }

    /// The network component a key running in region `i` signs in, if its
    /// validators there are running, synced and up.
    fn signs_from(&self, i: usize, tip: u64, components: &[Option<usize>]) -> Option<usize> {
        self.regions
            .get(i)
            .filter(|r| r.validators_running)
            .and_then(|_| self.node_signs_from(i, tip, components))
    }

    /// The component a node of its own in region `i` (a new-key node,
    /// outside the region's validator set) signs in: the region up, synced
    /// and past its restart.
    fn node_signs_from(&self, i: usize, tip: u64, components: &[Option<usize>]) -> Option<usize> {
        match (self.regions.get(i), components.get(i).copied().flatten()) {
            (Some(r), Some(c)) if r.height == tip && self.now >= r.ready_at => Some(c),
            _ => None,
        }
    }

    pub(super) fn validator_offline(&self, v: &ValidatorSpec) -> bool {
        self.faults.iter().any(|f| {
            matches!(&f.fault, Fault::ValidatorOffline { validator } if v.answers_to(validator))
        })
    }

    pub(super) fn is_down(&self, i: usize) -> bool {
        let name = self.region_name(i);
        self.faults
            .iter()
            .any(|f| matches!(&f.fault, Fault::RegionDown { region } if region == name))
    }

    pub(super) fn health_failed(&self, i: usize) -> bool {
        let name = self.region_name(i);
        self.faults
            .iter()
            .any(|f| matches!(&f.fault, Fault::HealthCheckFailure { region } if region == name))
    }

    pub(super) fn region_name(&self, i: usize) -> &str {
        self.spec.regions.get(i).map_or("", |r| r.name.as_str())
    }

    pub(super) fn index_of(&self, region: &str) -> Result<usize, SimError> {
        self.spec
            .regions
            .iter()
            .position(|r| r.name == region)
            .ok_or_else(|| FaultError::unknown_region(region, &self.spec).into())
    }
}

/// Whether a validator can sign the next block, and on which side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Signer {
    /// Offline, stopped, down, syncing or restarting.
    Cannot,
    /// Up and synced in this network component.
    In(usize),
    /// Mapped to no region: reachable from wherever the block is made.
    Anywhere,
}
