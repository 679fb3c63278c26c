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
        ServiceState {
            api_healthy: !serving.is_empty(),
            blocks_committing: self.now.since(self.chain.latest_time()) <= COMMIT_WINDOW,
            serving,
            compromised_signing: self.compromised_signing(),
        }
    }
}
