//! What goes into and out of the runbook [`super::engine::Engine`]: events
//! (results, answers, time) in, commands (journal, run, ask) out.
//!
//! The engine never does anything itself; the driver executes each command
//! in order, and a [`Command::Journal`] always comes before the command it
//! authorises, so nothing starts before the journal says it did.

mod job;

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::plan::StepRef;
use crate::domain::time::Timestamp;

pub use job::{Exit, Job, Outcome, RenderedOperation, RenderedPractice};

/// How a run touches the world.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum Mode {
    /// Real commands and AWS calls against a named environment; every gate
    /// names it.
    Live {
        /// The environment's name, as its file gives it.
        environment: String,
    },
    /// The simulated estate only: nothing real is touched.
    Practice,
    /// Every command is shown and none is run.
    DryRun,
}

impl Mode {
    /// The `ENVIRONMENT` runtime variable and the label on every gate.
    #[must_use]
    pub fn label(&self) -> &str {
        match self {
            Mode::Live { environment } => environment,
            Mode::Practice => "practice (simulated estate)",
            Mode::DryRun => "dry run",
        }
    }

    /// Whether results are judged by the runbook's `expect` (live only: in
    /// practice and dry runs the simulated effect or nothing ran).
    #[must_use]
    pub fn judges_output(&self) -> bool {
        matches!(self, Mode::Live { .. })
    }
}

/// One unit of work: a step, or undoing a completed step with its own
/// `rollback`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// The step itself.
    Step(StepRef),
    /// The step's own `rollback` operation.
    Undo(StepRef),
}

impl Task {
    /// The plan step this task belongs to.
    #[must_use]
    pub fn step(self) -> StepRef {
        match self {
            Task::Step(s) | Task::Undo(s) => s,
        }
    }
}

/// Why a gate is asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GatePurpose {
    /// Before a gated (or questioned) step runs.
    Run(Task),
    /// Skip a failed step.
    Skip(Task),
    /// Run again a step whose outcome is unknown.
    Retry(Task),
    /// Record a step whose outcome is unknown as passed, after checking.
    MarkPassed(Task),
    /// Go on despite failed pre-checks.
    OverridePreChecks,
}

/// What the operator is asked at a gate, fully rendered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateRequest {
    /// Why it is asked.
    pub purpose: GatePurpose,
    /// The headline, naming the step and (in live mode) the environment.
    pub title: String,
    /// The exact phrase to type; `None` for a yes/no confirmation.
    pub phrase: Option<String>,
    /// Distinct approvers needed.
    pub approvers: u8,
    /// Whether a written reason is required.
    pub reason_required: bool,
    /// A judgement the operator must answer in words (a `threshold`).
    pub question: Option<String>,
    /// The environment acted on: `Mode::label`.
    pub environment: String,
}

/// The operator's answer to a gate.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GateAnswer {
    /// What was typed.
    pub phrase: Option<String>,
    /// Who approved (the operator first).
    pub approvers: Vec<String>,
    /// The reason given.
    pub reason: Option<String>,
    /// The answer to the gate's question.
    pub answer: Option<String>,
}

/// What the operator may do about a failed or unknown step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// Run it again (gated when its outcome is unknown).
    Retry,
    /// Go on without it (gated).
    Skip,
    /// Its outcome is unknown; the operator checked and it worked (gated).
    MarkPassed,
    /// Undo what was done, newest first.
    RollBack,
    /// Stop here.
    Abort,
    /// Go on despite failed pre-checks (gated, with a reason).
    Override,
}

/// A failed or unknown task waiting for the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRequest {
    /// The task.
    pub task: Task,
    /// Why it needs a decision.
    pub why: String,
    /// What is allowed now.
    pub options: Vec<Choice>,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    /// Post-checks passed: the service is back.
    Recovered,
    /// Rollback finished.
    RolledBack,
    /// The operator stopped the run.
    Aborted,
}

/// Something that happened, with the time it happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Begin a fresh run.
    Start {
        /// Now.
        at: Timestamp,
    },
    /// Pick up after a restart (see [`super::engine::Engine::resume`]).
    Resume {
        /// Now.
        at: Timestamp,
    },
    /// A runner finished an attempt.
    Finished {
        /// Now.
        at: Timestamp,
        /// The task.
        task: Task,
        /// The attempt it ran.
        attempt: u32,
        /// What happened.
        outcome: Outcome,
    },
    /// Time passed (a retry or poll delay may be over).
    Tick {
        /// Now.
        at: Timestamp,
    },
    /// The operator answered the pending gate.
    GateAnswered {
        /// Now.
        at: Timestamp,
        /// The answer.
        answer: GateAnswer,
    },
    /// The operator declined the pending gate.
    GateDeclined {
        /// Now.
        at: Timestamp,
    },
    /// The operator chose what to do about a failed or unknown task.
    Decided {
        /// Now.
        at: Timestamp,
        /// The task.
        task: Task,
        /// The choice.
        choice: Choice,
    },
}

impl Event {
    /// When it happened.
    #[must_use]
    pub fn at(&self) -> Timestamp {
        match self {
            Event::Start { at }
            | Event::Resume { at }
            | Event::Finished { at, .. }
            | Event::Tick { at }
            | Event::GateAnswered { at, .. }
            | Event::GateDeclined { at }
            | Event::Decided { at, .. } => *at,
        }
    }
}

/// What the driver must do, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Append this transition to the journal, durably, before going on.
    Journal {
        /// When.
        at: Timestamp,
        /// The transition.
        record: super::record::Record,
    },
    /// Run one attempt of a task; report with [`Event::Finished`].
    Run(Job),
    /// Send [`Event::Tick`] at this time.
    Wake {
        /// When.
        at: Timestamp,
    },
    /// Ask the operator; answer with [`Event::GateAnswered`] or
    /// [`Event::GateDeclined`].
    AwaitGate(GateRequest),
    /// The answer did not satisfy the gate, which is still pending.
    GateRefused {
        /// What was wrong.
        why: String,
    },
    /// Ask what to do about a task; answer with [`Event::Decided`].
    AwaitDecision(DecisionRequest),
    /// The run is over.
    Finished {
        /// How.
        outcome: RunOutcome,
        /// From the run's start to now (the RTO clock when recovered).
        elapsed: Duration,
        /// The runbook's `rto`.
        rto: Option<Duration>,
    },
}
