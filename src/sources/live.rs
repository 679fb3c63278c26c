//! Starts every real source an environment file names, each on its own
//! poller task: one CometBFT source per region (and, with the AWS adapters,
//! one per AWS service per region), so regions are polled concurrently and
//! a refresh takes as long as the slowest call, not the sum.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::clock::Clock;
use super::cometbft::CometSource;
use super::poller::{self, TelemetrySource};
use crate::config::Environment;
use crate::domain::observation::PollReport;

/// The running sources: their names (what the sources panel will list)
/// and their tasks, aborted on drop.
pub struct LiveSources {
    /// One name per source, as its reports carry it.
    pub names: Vec<String>,
    handles: Vec<JoinHandle<()>>,
}

impl Drop for LiveSources {
    fn drop(&mut self) {
        for h in &self.handles {
            h.abort();
        }
    }
}

impl LiveSources {
    fn start<S: TelemetrySource>(&mut self, source: S, clock: &Arc<dyn Clock>, tx: &mpsc::Sender<PollReport>) {
        self.names.push(source.name());
        self.handles.push(tokio::spawn(poller::run(source, Arc::clone(clock), tx.clone())));
    }
}

/// Spawns every source of `env`; reports arrive on `tx`.
#[must_use]
pub fn spawn(env: &Environment, clock: &Arc<dyn Clock>, tx: &mpsc::Sender<PollReport>) -> LiveSources {
    let mut live = LiveSources { names: Vec::new(), handles: Vec::new() };
    for region in &env.regions {
        if !region.rpc.is_empty() {
            let source = CometSource::new(region.name.clone(), region.rpc.clone()).with_interval(env.spec.poll.chain);
            live.start(source, clock, tx);
        }
    }
    live
}
