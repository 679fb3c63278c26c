//! Restoring a region's nodes from a chain-state snapshot, as the
//! chain-state restore runbook does: the region comes back, and everything
//! after the snapshot was taken is lost. Drills score that window as RPO.

use std::time::Duration;

use super::{Fault, FaultError, SimError, SimEstate};
use crate::domain::estate::BackupKind;
use crate::domain::time::Timestamp;

/// A chain-state restore as it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainRestore {
    /// The region restored.
    pub region: String,
    /// When the snapshot used completed.
    pub snapshot: Timestamp,
    /// Simulated time of the restore.
    pub at: Timestamp,
    /// The snapshot's age at the restore: data lost.
    pub data_loss: Duration,
}

impl ChainRestore {
    /// One line for the step's output and the journal.
    #[must_use]
    pub fn describe(&self) -> String {
        format!(
            "{} restored from the chain-state snapshot of {} ({} old: data lost)",
            self.region,
            self.snapshot,
            crate::domain::time::format_age(self.data_loss)
        )
    }
}

impl SimEstate {
    /// Restores `region`'s nodes from its newest chain-state snapshot:
    /// clears the fault that took it down (its state was bad) and records
    /// the snapshot's age as the data lost. Its nodes then catch up from
    /// the peers, like a recovered region.
    ///
    /// # Errors
    /// When the region is unknown or has no chain-state snapshot.
    pub fn restore_chain_state(&mut self, region: &str) -> Result<ChainRestore, SimError> {
        let i = self.index_of(region)?;
        let snapshot = self
            .backups
            .iter()
            .filter(|b| b.region == i && b.kind == BackupKind::ChainState)
            .filter_map(|b| b.newest)
            .max()
            .ok_or_else(|| SimError::NoSnapshot {
                region: region.to_owned(),
                kind: BackupKind::ChainState.label(),
            })?;
        self.change_faults(|faults| {
            faults.retain(|f| !matches!(&f.fault, Fault::RegionDown { region: r } if r == region));
        });
        let restore = ChainRestore {
            region: region.to_owned(),
            snapshot,
            at: self.now,
            data_loss: self.now.since(snapshot),
        };
        self.restores.push(restore.clone());
        Ok(restore)
    }

    /// Restores `validator`'s key (the key ceremony did): any fault that
    /// kept it from signing (fenced, offline) is cleared, so it signs again
    /// whenever its region's validators run. Returns a line for the output.
    ///
    /// # Errors
    /// When no validator has that name or address.
    pub fn restore_validator_key(&mut self, validator: &str) -> Result<String, SimError> {
        let spec = self
            .spec
            .validators
            .iter()
            .find(|v| v.answers_to(validator))
            .ok_or_else(|| FaultError::UnknownValidator {
                validator: validator.to_owned(),
                example: self.spec.validators.first().map(|v| v.name.clone()),
            })?
            .clone();
        self.change_faults(|faults| {
            faults.retain(
                |f| !matches!(&f.fault, Fault::ValidatorOffline { validator: v } if spec.answers_to(v)),
            );
        });
        if let Some(k) = self
            .spec
            .validators
            .iter()
            .position(|v| v.name == spec.name)
            .and_then(|v| self.keys.get_mut(v))
        {
            k.fenced = false;
        }
        Ok(format!(
            "key of {} restored; it signs when {}'s validators run",
            spec.name, spec.region
        ))
    }

    /// Every chain-state restore so far, in order.
    #[must_use]
    pub fn restores(&self) -> &[ChainRestore] {
        &self.restores
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::estate::EstateSpec;

    #[test]
    fn a_restore_brings_the_region_back_and_loses_the_snapshots_age() {
        let start = Timestamp::parse_rfc3339("2026-01-05T03:00:00Z").unwrap();
        let mut s = SimEstate::new(EstateSpec::seed(), 13, start);
        s.inject(Fault::RegionDown {
            region: "eu-west-1".into(),
        })
        .unwrap();
        s.inject(Fault::ValidatorOffline {
            validator: "ap-southeast-1-val-0".into(),
        })
        .unwrap();
        s.advance_to(start.plus(Duration::from_mins(10)));
        let r = s.restore_chain_state("eu-west-1").unwrap();
        // Snapshots every 4 h, finishing 3-12 min after 00:00, 04:00...
        assert!(r.snapshot < start && start.since(r.snapshot) < Duration::from_hours(4));
        assert_eq!(r.data_loss, r.at.since(r.snapshot));
        assert_eq!(r.at, start.plus(Duration::from_mins(10)));
        assert_eq!(s.restores(), [r]);
        assert_eq!(s.faults().len(), 1, "only the region-down fault is cleared");
        assert!(s.restore_chain_state("mars-1").is_err());
        assert!(s.restore_validator_key("nobody").is_err());
        s.restore_validator_key("ap-southeast-1-val-0").unwrap();
        assert!(s.faults().is_empty(), "the offline validator signs again");
        assert!(
            s.restores()[0]
                .describe()
                .starts_with("eu-west-1 restored from the chain-state snapshot of 2026-01-05T"),
        );
    }
}
