//! Following a shared run from another console: read the incident's
//! journal every poll, check each new entry links to the last, fold the
//! whole journal into the run's state as the engine would, and publish it
//! for the screen. A follower reads only: it never writes to the store.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::RunSnapshot;
use super::report::unreachable_report;
use crate::domain::duration::format as words;
use crate::domain::incident::{IncidentId, Lease, Standing};
use crate::domain::journal::{Entry, Head};
use crate::domain::runbook::engine::Engine;
use crate::domain::runbook::plan::Plan;
use crate::domain::runbook::protocol::Mode;
use crate::sources::clock::Clock;
use crate::sources::incident::IncidentStore;

/// What a follower needs.
pub struct Follow {
    /// The incident bucket.
    pub store: Arc<dyn IncidentStore>,
    /// The incident.
    pub incident: IncidentId,
    /// The plan the driver runs (the same runbook and values).
    pub plan: Plan,
    /// Its mode.
    pub mode: Mode,
    /// How often to read.
    pub poll: Duration,
    /// The incident's lease length: a third of it apart, the follower
    /// looks whether anyone still drives.
    pub lease: Duration,
    /// The clock leases are judged by.
    pub clock: Arc<dyn Clock>,
}

/// Why a follower stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FollowError {
    /// A new entry does not follow the last one read: someone rewrote the
    /// shared journal under the follower.
    #[error(
        "entry {seq} of the shared journal does not follow entry {after} as read before: the journal was rewritten; verify it (drconsole incident verify)"
    )]
    Broken {
        /// The entry.
        seq: u64,
        /// The last entry read before.
        after: u64,
    },
    /// The entries do not replay against this plan.
    #[error("the shared journal is not a run of this runbook: {0}")]
    NotThisRun(String),
    /// The store did not answer.
    #[error("{0}")]
    Unreachable(String),
}

impl Follow {
    /// Reads what is new and, if anything is, the run's state now.
    ///
    /// # Errors
    /// [`FollowError`] for a rewritten journal or another run's;
    /// [`FollowError::Unreachable`] when the store did not answer.
    pub async fn read(
        &mut self,
        entries: &mut Vec<Entry>,
    ) -> Result<Option<RunSnapshot>, FollowError> {
        let last = entries.last().map_or_else(Head::genesis, Entry::head);
        let new = self
            .store
            .entries(&self.incident, last.seq)
            .await
            .map_err(|e| FollowError::Unreachable(e.to_string()))?;
        if new.is_empty() {
            // Nothing new; or the driver took the lease and has not yet
            // stored its first entry: no run to show yet.
            return Ok(None);
        }
        let mut head = last;
        for e in &new {
            if e.seq != head.seq + 1 || e.prev != head.hash {
                return Err(FollowError::Broken {
                    seq: e.seq,
                    after: head.seq,
                });
            }
            head = e.head();
        }
        entries.extend(new);
        let engine = Engine::replay(self.plan.clone(), self.mode.clone(), entries)
            .map_err(|e| FollowError::NotThisRun(e.to_string()))?;
        Ok(Some(RunSnapshot {
            state: engine.state().clone(),
            gate: engine.state().gate.as_ref().map(|g| g.request.clone()),
            decisions: engine.decisions(),
            report: engine.is_finished().then(|| unreachable_report(&engine)),
            ..RunSnapshot::default()
        }))
    }

    /// Publishes the run's state on `out` every poll until it finishes
    /// or the receiver goes, from `entries` already read (the picture on
    /// `out`); an unreachable store is retried at the next poll, the last
    /// picture kept. When nobody drives any more (the lease ran out) the
    /// picture says so, until a driver is back.
    ///
    /// # Errors
    /// A rewritten journal or another run's: the follower stops rather
    /// than show it.
    pub async fn run(
        mut self,
        mut entries: Vec<Entry>,
        out: &watch::Sender<RunSnapshot>,
    ) -> Result<(), FollowError> {
        if out.borrow().report.is_some() {
            return Ok(());
        }
        let check_every = Lease::renew_every(self.lease).max(self.poll);
        let mut next_check = tokio::time::Instant::now() + check_every;
        let mut nobody: Option<String> = None;
        loop {
            tokio::time::sleep(self.poll).await;
            match self.read(&mut entries).await {
                Ok(Some(mut snapshot)) => {
                    let finished = snapshot.report.is_some();
                    snapshot.halted.clone_from(&nobody);
                    if out.send(snapshot).is_err() || finished {
                        return Ok(());
                    }
                }
                Ok(None) => {}
                Err(FollowError::Unreachable(e)) => {
                    log::warn!("following {}: {e}; reading again", self.incident);
                }
                Err(e) => return Err(e),
            }
            if tokio::time::Instant::now() >= next_check {
                next_check = tokio::time::Instant::now() + check_every;
                let now = self.driverless(nobody.clone()).await;
                if now != nobody {
                    nobody = now;
                    out.send_modify(|s| s.halted.clone_from(&nobody));
                }
            }
        }
    }

    /// Why nobody drives, if nobody does; `was` when the store did not say.
    async fn driverless(&self, was: Option<String>) -> Option<String> {
        match self.store.lease(&self.incident).await {
            // The empty session is no console's: a held lease is "held".
            Ok(Some((lease, _))) => match lease.standing("", self.clock.now()) {
                Standing::Expired { by, ago } => Some(format!(
                    "nobody drives: the lease of {} ran out {} ago; once its console is known to have stopped, take over with --take-over",
                    by.describe(),
                    words(ago)
                )),
                _ => None,
            },
            Ok(None) => Some("nobody drives: the incident has no lease".to_owned()),
            Err(_) => was,
        }
    }
}
