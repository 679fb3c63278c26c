//! What goes into and out of the runbook [`super::engine::Engine`]: events
//! (results, answers, time) in, commands (journal, run, ask) out.
//!
//! The engine never does anything itself; the driver executes each command
//! in order, and a [`Command::Journal`] always comes before the command it
//! authorises, so nothing starts before the journal says it did.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::plan::StepRef;
use crate::domain::time::Timestamp;

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

/// A step's operation with every value filled in: what the runner executes
/// and what the screen shows as "about to run".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum RenderedOperation {
    /// `sh -c COMMAND`, values already shell-quoted.
    Shell {
        /// The command line.
        command: String,
    },
    /// CloudWatch `PutMetricData`.
    PutMetric {
        /// Namespace.
        namespace: String,
        /// Metric name.
        metric: String,
        /// The value.
        value: f64,
        /// Region to publish in; the runner's default when absent.
        region: Option<String>,
    },
    /// Route53 `UpdateHealthCheck`.
    HealthCheck {
        /// Health check id.
        health_check_id: String,
        /// New `Disabled`, if changed.
        disabled: Option<bool>,
        /// New `Inverted`, if changed.
        inverted: Option<bool>,
        /// The region it guards.
        region: Option<String>,
    },
    /// Route53 `ChangeResourceRecordSets` (UPSERT of one weighted record).
    RecordWeight {
        /// Hosted zone id.
        zone_id: String,
        /// Record name.
        record: String,
        /// The weighted record's set identifier (its region).
        region: String,
        /// The new weight.
        weight: i64,
    },
    /// A webhook POST.
    Notify {
        /// Channels named by the runbook.
        channels: Vec<String>,
        /// Message text.
        message: String,
        /// Severity, if given.
        severity: Option<String>,
    },
}

impl RenderedOperation {
    /// One line for the screen, the dry run and the journal.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            RenderedOperation::Shell { command } => command.clone(),
            RenderedOperation::PutMetric {
                namespace,
                metric,
                value,
                region,
            } => format!(
                "cloudwatch put-metric-data {namespace}/{metric} = {value}{}",
                region
                    .as_ref()
                    .map(|r| format!(" in {r}"))
                    .unwrap_or_default()
            ),
            RenderedOperation::HealthCheck {
                health_check_id,
                disabled,
                inverted,
                ..
            } => format!(
                "route53 update-health-check {health_check_id}{}{}",
                disabled
                    .map(|d| format!(" disabled={d}"))
                    .unwrap_or_default(),
                inverted
                    .map(|i| format!(" inverted={i}"))
                    .unwrap_or_default()
            ),
            RenderedOperation::RecordWeight {
                zone_id,
                record,
                region,
                weight,
            } => format!("route53 set weight of {record} ({region}) in {zone_id} to {weight}"),
            RenderedOperation::Notify {
                channels, message, ..
            } => format!("notify {}: {message}", channels.join(", ")),
        }
    }
}

/// What a step does to the simulated estate, regions filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenderedPractice {
    /// Record only.
    None,
    /// Promote the database in a region.
    PromoteDatabase(String),
    /// Send (true) or stop (false) traffic to a region.
    Traffic(String, bool),
    /// Start (true) or stop (false) a region's validators.
    Validators(String, bool),
    /// Bring a region back.
    RecoverRegion(String),
    /// Restore a region from its newest chain-state snapshot.
    RestoreChainState(String),
    /// Restore a validator's key: it signs again.
    RestoreValidatorKey(String),
    /// Start standby keys of the first region's validators in the second.
    StandbyValidators(String, String),
    /// Pass only when the simulated service shows this.
    Check(super::plan::SimCheck),
    /// Fail on purpose, with this message.
    Fail(String),
}

/// Everything a runner needs to execute one attempt of one task.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// What is run.
    pub task: Task,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The step's name, for output and errors.
    pub name: String,
    /// The operation.
    pub operation: RenderedOperation,
    /// A shell check run after the operation succeeds; must exit 0.
    pub verify: Option<String>,
    /// Limit for the operation (and, separately, its verify).
    pub timeout: Option<Duration>,
    /// The practice-mode effect.
    pub practice: RenderedPractice,
}

/// How one command ended.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Exit {
    /// Exit status; `None` when killed or never started.
    pub code: Option<i32>,
    /// Stopped because it ran past its timeout.
    pub timed_out: bool,
}

/// What a runner reports for one attempt.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    /// The operation's exit.
    pub exit: Exit,
    /// Its standard output (capped by the runner).
    pub stdout: String,
    /// Why it could not run or failed outside an exit status (an AWS
    /// error, a render error, a practice failure).
    pub error: Option<String>,
    /// The verify command's exit, when there was one and it ran.
    pub verify: Option<Exit>,
}

impl Outcome {
    /// A successful outcome with this output (built-ins, practice).
    #[must_use]
    pub fn ok(stdout: impl Into<String>) -> Self {
        Outcome {
            exit: Exit {
                code: Some(0),
                timed_out: false,
            },
            stdout: stdout.into(),
            error: None,
            verify: None,
        }
    }

    /// A failure that is not an exit status.
    #[must_use]
    pub fn error(reason: impl Into<String>) -> Self {
        Outcome {
            exit: Exit::default(),
            stdout: String::new(),
            error: Some(reason.into()),
            verify: None,
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
