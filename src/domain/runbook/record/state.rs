//! What a run's state is made of: its stage, each task's state and
//! progress, and the gate being asked. Only applying a [`Record`](super::Record)
//! changes it.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::domain::runbook::plan::{Phase, StepRef};
use crate::domain::runbook::protocol::{GateRequest, RunOutcome, Task};
use crate::domain::time::Timestamp;

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Not started.
    #[default]
    NotStarted,
    /// Pre-checks running or failed.
    PreChecks,
    /// The procedure.
    Steps,
    /// Post-checks.
    PostChecks,
    /// Undoing, newest first.
    RollingBack,
    /// Over.
    Finished(RunOutcome),
}

/// A task's state, as the screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum StepState {
    /// Not reached yet.
    #[default]
    Pending,
    /// Waiting for its gate.
    AwaitingGate,
    /// An attempt is running.
    Running,
    /// Waiting before the next attempt (retry delay or poll interval).
    Waiting {
        /// When the next attempt starts.
        until: Timestamp,
    },
    /// Done and good.
    Passed,
    /// Failed; waiting for a decision.
    Failed {
        /// Why.
        reason: String,
    },
    /// Skipped through a gate.
    Skipped,
    /// It was running when the process died: verify before retrying.
    OutcomeUnknown,
    /// Its own rollback ran.
    RolledBack,
}

impl StepState {
    /// Whether it waits for the operator.
    #[must_use]
    pub fn needs_decision(&self) -> bool {
        matches!(self, StepState::Failed { .. } | StepState::OutcomeUnknown)
    }

    /// Whether the run may go past it.
    #[must_use]
    pub fn settled_ok(&self) -> bool {
        matches!(self, StepState::Passed | StepState::Skipped)
    }
}

/// One task's progress.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TaskStatus {
    /// Its state.
    pub state: StepState,
    /// The last attempt started (0: never).
    pub attempt: u32,
    /// The first attempt of the current series (retry budget and poll
    /// timeout count from it).
    pub series_from: u32,
    /// When the current series started.
    pub series_started: Option<Timestamp>,
    /// When the last attempt started.
    pub started: Option<Timestamp>,
    /// When it last passed, failed or was skipped.
    pub ended: Option<Timestamp>,
    /// Its gate was passed for the current series.
    pub gate_cleared: bool,
    /// The last attempt's exit status.
    pub last_exit: Option<i32>,
}

/// A gate the operator has been asked and has not answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingGate {
    /// What was asked.
    pub request: GateRequest,
}

/// Everything the journal says about a run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunState {
    /// The run id.
    pub run: String,
    /// When the run (and its RTO clock) started.
    pub started_at: Option<Timestamp>,
    /// When the post-checks passed: the RTO clock stopped.
    pub recovered_at: Option<Timestamp>,
    /// When it finished.
    pub finished_at: Option<Timestamp>,
    /// Where it is.
    pub stage: Stage,
    /// Every task touched so far (untouched tasks are pending).
    pub tasks: BTreeMap<Task, TaskStatus>,
    /// Steps (phase [`Phase::Step`]) in the order they passed: rollback
    /// undoes them in reverse.
    pub completed: Vec<StepRef>,
    /// The gate being asked.
    pub gate: Option<PendingGate>,
    /// Failed pre-checks were overridden, with this reason.
    pub overridden: Option<String>,
    /// What the rollback runs, in order, fixed when it started.
    pub rollback_queue: Vec<Task>,
    /// Every task in the order it passed (or was marked passed): what
    /// resuming a practice run replays onto the simulated estate.
    pub passed_in_order: Vec<Task>,
    /// Values steps captured from their output (`capture:`), by variable.
    pub captured: BTreeMap<String, String>,
}

/// A value a step's `capture:` took from its output, as journaled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Captured {
    /// The variable it sets.
    pub name: String,
    /// The value, one token of [`crate::domain::runbook::expect::captured_value`]'s alphabet.
    pub value: String,
}

impl RunState {
    /// A task's status, pending when never touched.
    #[must_use]
    pub fn task(&self, task: Task) -> TaskStatus {
        self.tasks.get(&task).cloned().unwrap_or_default()
    }

    /// A task's state.
    #[must_use]
    pub fn state(&self, task: Task) -> StepState {
        self.tasks
            .get(&task)
            .map(|t| t.state.clone())
            .unwrap_or_default()
    }

    /// The RTO clock: from the start to recovery (or to `now` while running).
    #[must_use]
    pub fn elapsed(&self, now: Timestamp) -> Duration {
        match self.started_at {
            Some(s) => self
                .recovered_at
                .or(self.finished_at)
                .unwrap_or(now)
                .since(s),
            None => Duration::ZERO,
        }
    }

    /// The status of `task`, made pending first if never touched: where
    /// applying a record writes.
    pub(super) fn entry(&mut self, task: Task) -> &mut TaskStatus {
        self.tasks.entry(task).or_default()
    }

    /// Books a passed task: a step joins the completed list (rollback
    /// undoes it), an undo marks its step rolled back.
    pub(super) fn passed(&mut self, task: Task) {
        self.passed_in_order.push(task);
        match task {
            Task::Step(s) if s.phase == Phase::Step => self.completed.push(s),
            Task::Undo(s) => self.entry(Task::Step(s)).state = StepState::RolledBack,
            Task::Step(_) => {}
        }
    }
}
