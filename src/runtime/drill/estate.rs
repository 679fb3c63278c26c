//! What both drill drivers read from the simulated estate for the referee:
//! a sample of the service and any new data loss (promotions, chain-state
//! restores), the outcome of applying an inject, and the estate's facts at
//! the end. One reading, so the two drivers cannot see different things.

use std::time::Duration;

use crate::domain::drill::findings::CompromisedKeyFate;
use crate::domain::drill::referee::{EstateAtEnd, Event};
use crate::domain::drill::scenario::{Inject, InjectKind};
use crate::domain::drill::score::ServiceSample;
use crate::domain::time::Timestamp;
use crate::sources::sim::SimEstate;

/// Remembers which promotions and restores the referee was already told of.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct EstateWatch {
    promotions: usize,
    restores: usize,
}

impl EstateWatch {
    /// One look at `sim` at drill offset `at`: the service sample, then
    /// every promotion and restore since the last look. `start` is drill
    /// time 0, to turn the estate's timestamps into offsets.
    pub(crate) fn look(&mut self, sim: &SimEstate, start: Timestamp, at: Duration) -> Vec<Event> {
        let service = sim.service();
        let mut seen = vec![Event::Sample(ServiceSample {
            at,
            api_healthy: service.api_healthy,
            blocks_committing: service.blocks_committing,
            compromised_key_signing: !service.compromised_signing.is_empty(),
            signing_percent: service.signing_percent,
            lag_seconds: u32::try_from(service.worst_lag.as_secs()).unwrap_or(u32::MAX),
        })];
        for p in sim.promotions().iter().skip(self.promotions) {
            seen.push(Event::Promotion {
                at: p.at.since(start),
                from: p.from.clone(),
                to: p.to.clone(),
                lag: p.data_loss,
            });
        }
        for r in sim.restores().iter().skip(self.restores) {
            seen.push(Event::Restore {
                at: r.at.since(start),
                region: r.region.clone(),
                snapshot: r.snapshot,
                age: r.data_loss,
            });
        }
        self.promotions = sim.promotions().len();
        self.restores = sim.restores().len();
        seen
    }
}

/// Whether the estate would take `inject` (faults are checked against the
/// estate's spec, exactly as [`SimEstate::inject`] checks them); messages
/// and clears always apply.
pub(crate) fn accepts(sim: &SimEstate, inject: &Inject) -> Result<(), String> {
    match &inject.kind {
        InjectKind::Fault(f) => f.validate(sim.spec()).map_err(|e| e.to_string()),
        InjectKind::ClearFaults | InjectKind::Message { .. } => Ok(()),
    }
}

/// Applies `inject` to `sim` now, and says so for the referee.
pub(crate) fn apply(sim: &mut SimEstate, inject: &Inject, at: Duration) -> Event {
    let applied = match &inject.kind {
        InjectKind::Fault(f) => sim.inject(f.clone()).map(|_| ()).map_err(|e| e.to_string()),
        InjectKind::ClearFaults => {
            sim.clear_all();
            Ok(())
        }
        InjectKind::Message { .. } => Ok(()),
    };
    inject_event(inject, at, applied)
}

/// The referee's word for an inject that fired at `at` and was applied or not.
pub(crate) fn inject_event(inject: &Inject, at: Duration, applied: Result<(), String>) -> Event {
    Event::Inject {
        at,
        name: inject.name.clone(),
        disruptive: inject.disruptive,
        applied,
    }
}

/// Where the database primary ended and who signed twice.
pub(crate) fn at_end(sim: &SimEstate) -> EstateAtEnd {
    EstateAtEnd {
        database_primary: sim.database_primary().to_owned(),
        double_signs: sim
            .double_signs()
            .iter()
            .map(|d| d.validator.clone())
            .collect(),
        compromised_keys: sim
            .compromised_keys()
            .iter()
            .map(|c| CompromisedKeyFate {
                validator: c.validator.clone(),
                address: c.address.clone(),
                stopped_at_height: c.stopped_at,
                signed_again_height: c.signed_again.map(|(h, _)| h),
            })
            .collect(),
    }
}
