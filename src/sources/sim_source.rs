//! The simulated estate as a telemetry source: the same [`TelemetrySource`]
//! shape as the real adapters, plus a control channel for fault injection.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::mpsc;

use super::poller::TelemetrySource;
use super::sim::SimEstate;
use crate::domain::fault::Fault;
use crate::domain::fleet::EstateView;
use crate::domain::observation::{Observation, PollReport};
use crate::domain::time::Timestamp;

/// The console's picture of `sim` as one poll at its current time would
/// leave it: for `status`, snapshot tests and benchmarks.
#[must_use]
pub fn snapshot(sim: &SimEstate) -> EstateView {
    let mut view = EstateView::new(sim.spec().clone());
    let now = sim.now();
    view.apply(&PollReport {
        source: SOURCE_NAME.to_owned(),
        at: now,
        next_poll: now,
        observations: sim.observe(),
    });
    view
}

/// The picture a console watching `sim` since a minute before `until`
/// would hold at `until`: the estate moved there in poll-sized steps, each
/// step's readings folded in, so trends have their history.
pub fn watched_until(sim: &mut SimEstate, until: Timestamp) -> EstateView {
    let mut view = EstateView::new(sim.spec().clone());
    let step = sim
        .spec()
        .poll
        .metrics
        .max(std::time::Duration::from_secs(1));
    let span = step.saturating_mul(u32::try_from(crate::domain::trend::KEPT).unwrap_or(60));
    let mut at = until.minus(span).max(sim.now());
    while at < until {
        sim.advance_to(at);
        view.apply(&PollReport {
            source: SOURCE_NAME.to_owned(),
            at,
            next_poll: at.plus(step),
            observations: sim.observe(),
        });
        at = at.plus(step);
    }
    sim.advance_to(until);
    view.apply(&PollReport {
        source: SOURCE_NAME.to_owned(),
        at: until,
        next_poll: until.plus(step),
        observations: sim.observe(),
    });
    view
}

/// The simulator's name in the sources panel.
pub const SOURCE_NAME: &str = "simulator";

/// What the console may ask of the simulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimCommand {
    /// Inject a fault.
    Inject(Fault),
    /// Clear every active fault.
    ClearAll,
}

/// What the simulator tells the console besides observations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimNotice {
    /// The active faults changed; descriptions for the header.
    Faults(Vec<String>),
    /// A command was carried out (or refused, with the reason).
    CommandDone(Result<String, String>),
}

/// The simulator wrapped for the poller. The estate is shared with a
/// practice runbook run, which acts on the same world the dashboard shows;
/// the renderer never touches it (it only sees poll reports).
pub struct SimSource {
    estate: Arc<Mutex<SimEstate>>,
    commands: mpsc::UnboundedReceiver<SimCommand>,
    notices: mpsc::UnboundedSender<SimNotice>,
}

impl SimSource {
    /// Wraps `estate`; commands arrive on `commands`, notices leave on `notices`.
    #[must_use]
    pub fn new(
        estate: SimEstate,
        commands: mpsc::UnboundedReceiver<SimCommand>,
        notices: mpsc::UnboundedSender<SimNotice>,
    ) -> Self {
        Self::shared(Arc::new(Mutex::new(estate)), commands, notices)
    }

    /// Wraps an estate a practice run also acts on.
    #[must_use]
    pub fn shared(
        estate: Arc<Mutex<SimEstate>>,
        commands: mpsc::UnboundedReceiver<SimCommand>,
        notices: mpsc::UnboundedSender<SimNotice>,
    ) -> Self {
        Self {
            estate,
            commands,
            notices,
        }
    }

    fn lock(&self) -> MutexGuard<'_, SimEstate> {
        // A panic elsewhere while holding the lock leaves the model usable.
        self.estate
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn apply(&mut self, cmd: SimCommand) {
        let mut estate = self.lock();
        let done = match cmd {
            SimCommand::Inject(fault) => {
                let what = fault.describe();
                estate.inject(fault).map_err(|e| e.to_string()).map(|_| {
                    log::warn!("simulated fault injected: {what}");
                    format!("injected: {what}")
                })
            }
            SimCommand::ClearAll => {
                estate.clear_all();
                log::info!("simulated faults cleared");
                Ok("all simulated faults cleared".to_owned())
            }
        };
        let faults = estate.faults().iter().map(|f| f.fault.describe()).collect();
        drop(estate);
        // The console may be shutting down; nothing to do if nobody listens.
        let _ = self.notices.send(SimNotice::CommandDone(done));
        let _ = self.notices.send(SimNotice::Faults(faults));
    }
}

impl TelemetrySource for SimSource {
    fn name(&self) -> String {
        SOURCE_NAME.to_owned()
    }

    fn interval(&self) -> Duration {
        let p = self.lock().spec().poll;
        p.health.min(p.metrics).min(p.backups).min(p.chain)
    }

    async fn poll(&mut self, now: Timestamp) -> Vec<Observation> {
        self.lock().advance_to(now);
        while let Ok(cmd) = self.commands.try_recv() {
            self.apply(cmd);
        }
        self.lock().observe()
    }

    fn timed_out(&self, after: Duration) -> Vec<Observation> {
        vec![Observation::Chain {
            result: Err(format!("simulator did not answer within {after:?}")),
        }]
    }
}
