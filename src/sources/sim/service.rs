//! Is the service up? The question drills score RTO by, answered from the
//! model's truth rather than from what a dashboard can see.

use std::time::Duration;

use super::SimEstate;

/// Blocks older than this mean the chain is not committing.
const COMMIT_WINDOW: Duration = Duration::from_secs(20);

/// The service as users and the chain experience it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceState {
    /// Some region takes traffic, passes its health check, and reaches the
    /// database primary: API requests succeed.
    pub api_healthy: bool,
    /// A block was committed within the last 20 s.
    pub blocks_committing: bool,
    /// Regions taking traffic that can serve it.
    pub serving: Vec<String>,
    /// Validators whose compromised key can still sign: the chain runs,
    /// but an attacker's key is in the set, so the service is not safe.
    pub compromised_signing: Vec<String>,
    /// Share of the voting power that signed the latest block, in percent;
    /// 0 while no block is committing.
    pub signing_percent: u8,
    /// The largest replication lag of a replica in a region that is up
    /// (a lost region's replica is not one anyone can promote).
    pub worst_lag: Duration,
}

impl SimEstate {
    /// The service's state now.
    #[must_use]
    pub fn service(&self) -> ServiceState {
        let components = self.components();
        let primary = self.db_primary;
        let primary_side = components.get(primary).copied().flatten();
        let serving: Vec<String> = (0..self.regions.len())
            .filter(|&i| {
                let takes_traffic = self.regions.get(i).is_some_and(|r| r.serving);
                let side = components.get(i).copied().flatten();
                takes_traffic && !self.health_failed(i) && side.is_some() && side == primary_side
            })
            .map(|i| self.region_name(i).to_owned())
            .collect();
        let blocks_committing = self.now.since(self.chain.latest_time()) <= COMMIT_WINDOW;
        ServiceState {
            api_healthy: !serving.is_empty(),
            blocks_committing,
            serving,
            compromised_signing: self.compromised_signing(),
            signing_percent: if blocks_committing {
                self.signing_percent()
            } else {
                0
            },
            worst_lag: (0..self.regions.len())
                .filter(|&i| !self.is_down(i))
                .map(|i| self.lag(i))
                .max()
                .unwrap_or_default(),
        }
    }

    /// Percent of the voting power that signed the latest block.
    fn signing_percent(&self) -> u8 {
        let power = |v: &crate::domain::estate::ValidatorSpec| u128::from(v.voting_power);
        let total: u128 = self.spec.validators.iter().map(power).sum();
        let signed: u128 = self
            .spec
            .validators
            .iter()
            .enumerate()
            .filter(|(i, _)| self.chain.signed_latest(*i))
            .map(|(_, v)| power(v))
            .sum();
        if total == 0 {
            return 0;
        }
        u8::try_from(signed.saturating_mul(100) / total).unwrap_or(100)
    }
}
