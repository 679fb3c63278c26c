//! Operator actions the failover runbook performs; practice mode routes
//! them here instead of to AWS and Kubernetes.

use super::{DoubleSign, Fault, Promotion, SimError, SimEstate};

impl SimEstate {
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
        // This change is now; one still propagating would undo it later.
        self.dns_pending.retain(|(_, r, _)| *r != i);
        if let Some(r) = self.regions.get_mut(i) {
            r.serving = serving;
        }
        Ok(())
    }

    /// Scales the region's validators up (running) or down (stopped);
    /// started validators sign from the next block (no state sync modelled).
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

    /// Starts standby copies of `from`'s validator keys in `to`, as the
    /// failover runbook does to restore signing power. Unless `from`'s
    /// signers were fenced first, the moment both copies can sign the
    /// estate records a double sign.
    ///
    /// # Errors
    /// When either region is unknown, or `to` is down.
    pub fn start_standby_validators(&mut self, from: &str, to: &str) -> Result<(), SimError> {
        let home = self.index_of(from)?;
        let standby = self.index_of(to)?;
        if self.is_down(standby) {
            return Err(SimError::RegionDown {
                region: to.to_owned(),
            });
        }
        for (region, slot) in self.validator_region.iter().zip(self.standby.iter_mut()) {
            if *region == Some(home) {
                *slot = Some(standby);
            }
        }
        if let Some(r) = self.regions.get_mut(standby) {
            r.validators_running = true;
        }
        self.note_double_signs();
        Ok(())
    }

    /// Stops the standby copies started in `to` (a rollback).
    ///
    /// # Errors
    /// When the region is unknown.
    pub fn stop_standby_validators(&mut self, to: &str) -> Result<(), SimError> {
        let standby = self.index_of(to)?;
        for slot in &mut self.standby {
            if *slot == Some(standby) {
                *slot = None;
            }
        }
        Ok(())
    }

    /// Records any key now signing from two places.
    pub(super) fn note_double_signs(&mut self) {
        for v in self.double_signers() {
            let name = self
                .spec
                .validators
                .get(v)
                .map_or_else(String::new, |s| s.name.clone());
            if self.double_signs.iter().any(|d| d.validator == name) {
                continue;
            }
            let home = self
                .validator_region
                .get(v)
                .copied()
                .flatten()
                .map(|i| self.region_name(i).to_owned());
            let standby = self
                .standby
                .get(v)
                .copied()
                .flatten()
                .map(|i| self.region_name(i).to_owned());
            self.double_signs.push(DoubleSign {
                validator: name,
                home: home.unwrap_or_default(),
                standby: standby.unwrap_or_default(),
                at: self.now,
            });
        }
    }
}
