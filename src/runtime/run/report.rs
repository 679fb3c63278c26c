//! What a run leaves behind: its report when it ends, and the snapshot
//! of its state that screens and drills watch while it runs.

use crate::domain::runbook::engine::Engine;
use crate::domain::runbook::protocol::{DecisionRequest, GateRequest, RunOutcome, Task};
use crate::domain::runbook::record::RunState;
use std::collections::BTreeMap;
use std::time::Duration;

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    /// Recovered, rolled back or aborted.
    pub outcome: RunOutcome,
    /// The RTO clock.
    pub elapsed: Duration,
    /// The runbook's objective.
    pub rto: Option<Duration>,
    /// What publishing `FailoverDurationSeconds` said (live mode only).
    pub published: Option<Result<String, String>>,
}

impl RunReport {
    /// Whether the run recovered within its RTO.
    #[must_use]
    pub fn met_rto(&self) -> bool {
        self.outcome == RunOutcome::Recovered && self.rto.is_none_or(|r| self.elapsed <= r)
    }
}

/// What the screen shows: a copy, published after every change.
#[derive(Debug, Clone, Default)]
pub struct RunSnapshot {
    /// The engine's state.
    pub state: RunState,
    /// The gate being asked.
    pub gate: Option<GateRequest>,
    /// Failures waiting for a decision.
    pub decisions: Vec<DecisionRequest>,
    /// The last lines of each task's output.
    pub output: BTreeMap<Task, Vec<String>>,
    /// Gate answers refused, newest last.
    pub refusals: Vec<String>,
    /// Set when the run is over.
    pub report: Option<RunReport>,
    /// Why this console stopped driving short of the end (the journal or
    /// the shared journal failed or refused, the lease was lost).
    pub halted: Option<String>,
}
/// The report of a run that finished before this process picked it up.
pub(super) fn unreachable_report(engine: &Engine) -> RunReport {
    let state = engine.state();
    let outcome = match state.stage {
        crate::domain::runbook::record::Stage::Finished(o) => o,
        _ => RunOutcome::Aborted,
    };
    RunReport {
        outcome,
        elapsed: state.elapsed(state.finished_at.unwrap_or_default()),
        rto: engine.plan().rto,
        published: None,
    }
}
