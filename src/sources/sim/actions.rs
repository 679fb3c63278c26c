//! Operator actions the failover runbook performs; practice mode routes
//! them here instead of to AWS and Kubernetes.

use super::{Fault, Promotion, SimError, SimEstate};

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
}
