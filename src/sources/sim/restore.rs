//! Restoring a region's nodes from a chain-state snapshot, as the
//! chain-state restore runbook does: the region comes back, and everything
//! after the snapshot was taken is lost. Drills score that window as RPO.

use std::time::Duration;

use super::{Fault, SimError, SimEstate};
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

    /// Every chain-state restore so far, in order.
    #[must_use]
    pub fn restores(&self) -> &[ChainRestore] {
        &self.restores
    }
}
