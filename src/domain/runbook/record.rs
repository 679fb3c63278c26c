//! A run's state and the journal records that change it.
//!
//! The engine changes [`RunState`] only by applying [`Record`]s, the same
//! records it asks the driver to journal; so replaying a journal applies
//! exactly what the live run applied and rebuilds exactly its state.

mod millis;
mod state;

use serde::{Deserialize, Serialize};

use super::protocol::{Choice, GateAnswer, GatePurpose, GateRequest, Mode, RunOutcome, Task};
use crate::domain::time::Timestamp;

pub use state::{Captured, PendingGate, RunState, Stage, StepState, TaskStatus};

/// One value a step's script referred to, as the journal keeps it: a
/// list of name and value rather than a map, so a variable's name is never
/// a data key (the journal writer refuses keys that name a secret), and a
/// variable whose name marks a secret has its value redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournaledValue {
    /// The runbook variable.
    pub name: String,
    /// Its value, or [`REDACTED`].
    pub value: String,
}

/// What the journal holds instead of the value of a variable whose name
/// marks a secret (`DB_PASSWORD`).
pub const REDACTED: &str = "(redacted)";

impl JournaledValue {
    /// Every value of `values` as the journal keeps it.
    #[must_use]
    pub fn all(values: &std::collections::BTreeMap<String, String>) -> Vec<Self> {
        values
            .iter()
            .map(|(name, value)| {
                let secret = crate::domain::journal::find_secret_key(
                    &serde_json::json!({ name.as_str(): null }),
                )
                .is_some();
                JournaledValue {
                    name: name.clone(),
                    value: if secret {
                        REDACTED.to_owned()
                    } else {
                        value.clone()
                    },
                }
            })
            .collect()
    }
}

/// One journaled transition. `kind` in the journal is the serde tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", deny_unknown_fields)]
pub enum Record {
    /// A run began.
    #[serde(rename = "run.started")]
    RunStarted {
        /// Run id.
        run: String,
        /// Runbook name.
        runbook: String,
        /// Runbook version.
        version: String,
        /// The plan's fingerprint: a resume must match it.
        fingerprint: String,
        /// Live, practice or dry run.
        mode: Mode,
    },
    /// The run moved on to another stage.
    #[serde(rename = "run.stage")]
    StageEntered {
        /// The stage.
        stage: Stage,
    },
    /// A gate was put to the operator.
    #[serde(rename = "gate.asked")]
    GateAsked {
        /// What was asked, exactly.
        request: GateRequest,
    },
    /// The operator satisfied the gate.
    #[serde(rename = "gate.passed")]
    GatePassed {
        /// Its purpose.
        purpose: GatePurpose,
        /// What was answered (phrase, approvers, reason, answer).
        answer: GateAnswer,
    },
    /// An answer that did not satisfy the gate (audit only).
    #[serde(rename = "gate.refused")]
    GateRefused {
        /// Its purpose.
        purpose: GatePurpose,
        /// What was wrong.
        why: String,
    },
    /// The operator declined the gate.
    #[serde(rename = "gate.declined")]
    GateDeclined {
        /// Its purpose.
        purpose: GatePurpose,
    },
    /// An attempt started: from here on its outcome is unknown until it
    /// is recorded.
    #[serde(rename = "step.started")]
    Started {
        /// The task.
        task: Task,
        /// The attempt.
        attempt: u32,
        /// What ran, for the record: for a shell command its script, which
        /// refers to values and never holds one.
        operation: String,
        /// The values the script refers to, apart from its text (absent in
        /// journals written before values travelled as data, and for
        /// built-ins).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        values: Vec<JournaledValue>,
        /// The verify script run after it, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        verify: Option<String>,
    },
    /// The next attempt waits until `until`.
    #[serde(rename = "step.waiting")]
    Waiting {
        /// The task.
        task: Task,
        /// The attempt that just ended.
        attempt: u32,
        /// Why it is tried again.
        why: String,
        /// When.
        #[serde(with = "millis")]
        until: Timestamp,
    },
    /// It passed.
    #[serde(rename = "step.passed")]
    Passed {
        /// The task.
        task: Task,
        /// The attempt.
        attempt: u32,
        /// Its exit status.
        exit: Option<i32>,
        /// The end of its output.
        output: String,
        /// The value its `capture:` took from the output's last line.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        captured: Option<Captured>,
    },
    /// It failed (retries used up).
    #[serde(rename = "step.failed")]
    Failed {
        /// The task.
        task: Task,
        /// The attempt.
        attempt: u32,
        /// Why.
        reason: String,
        /// Its exit status.
        exit: Option<i32>,
        /// The end of its output.
        output: String,
    },
    /// It was running when the process died.
    #[serde(rename = "step.outcome_unknown")]
    OutcomeUnknown {
        /// The task.
        task: Task,
        /// The attempt.
        attempt: u32,
    },
    /// Skipped through a gate.
    #[serde(rename = "step.skipped")]
    Skipped {
        /// The task.
        task: Task,
    },
    /// An unknown outcome recorded as passed through a gate.
    #[serde(rename = "step.marked_passed")]
    MarkedPassed {
        /// The task.
        task: Task,
    },
    /// A failed or unknown task goes back to pending for another series.
    #[serde(rename = "step.retry")]
    Retry {
        /// The task.
        task: Task,
    },
    /// A decision that needs no gate (roll back, abort), for the record.
    #[serde(rename = "decision")]
    Decided {
        /// About which task.
        task: Task,
        /// What.
        choice: Choice,
    },
    /// Failed pre-checks overridden.
    #[serde(rename = "prechecks.overridden")]
    Overridden {
        /// The reason given.
        reason: String,
    },
    /// The rollback started with this queue.
    #[serde(rename = "rollback.started")]
    RollbackStarted {
        /// Undo tasks newest first, then the runbook's rollback steps.
        queue: Vec<Task>,
    },
    /// The RTO was published as a metric (live mode), or could not be.
    #[serde(rename = "rto.published")]
    RtoPublished {
        /// The value sent, in seconds.
        seconds: f64,
        /// Whether the call succeeded.
        ok: bool,
        /// What the call said.
        detail: String,
    },
    /// The run is over.
    #[serde(rename = "run.finished")]
    Finished {
        /// How.
        outcome: RunOutcome,
        /// The RTO clock, in milliseconds.
        elapsed_ms: u64,
    },
}

impl Record {
    /// The journal `kind`.
    #[must_use]
    pub fn kind(&self) -> String {
        self.split().0
    }

    /// The journal `kind` and `data`.
    #[must_use]
    pub fn split(&self) -> (String, serde_json::Value) {
        let value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        let kind = value
            .get("kind")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("unknown")
            .to_owned();
        let data = value
            .get("data")
            .cloned()
            .unwrap_or(serde_json::Value::Null);
        (kind, data)
    }

    /// Rebuilds a record from a journal entry's `kind` and `data`.
    ///
    /// # Errors
    /// When they are not a record this version writes.
    pub fn join(kind: &str, data: &serde_json::Value) -> Result<Record, String> {
        let value = serde_json::json!({"kind": kind, "data": data});
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    /// Applies this record to `state`: the only way a run's state changes.
    #[allow(clippy::too_many_lines)] // one arm per record, read as a table
    pub fn apply(&self, at: Timestamp, state: &mut RunState) {
        match self {
            Record::RunStarted { run, .. } => {
                run.clone_into(&mut state.run);
                state.started_at = Some(at);
            }
            Record::StageEntered { stage } => {
                state.stage = *stage;
                if *stage == Stage::Finished(RunOutcome::Recovered) {
                    state.recovered_at = Some(at);
                }
            }
            Record::GateAsked { request } => {
                if let GatePurpose::Run(task) = request.purpose {
                    state.entry(task).state = StepState::AwaitingGate;
                }
                state.gate = Some(PendingGate {
                    request: request.clone(),
                });
            }
            Record::GatePassed { purpose, .. } => {
                state.gate = None;
                if let GatePurpose::Run(task) = purpose {
                    let t = state.entry(*task);
                    t.gate_cleared = true;
                    t.state = StepState::Pending;
                }
            }
            Record::GateRefused { .. } | Record::Decided { .. } | Record::RtoPublished { .. } => {}
            Record::GateDeclined { purpose } => {
                state.gate = None;
                if let GatePurpose::Run(task) = purpose {
                    let t = state.entry(*task);
                    t.state = StepState::Failed {
                        reason: "gate declined".to_owned(),
                    };
                    t.ended = Some(at);
                }
            }
            Record::Started { task, attempt, .. } => {
                let t = state.entry(*task);
                if !matches!(t.state, StepState::Waiting { .. }) {
                    t.series_from = *attempt;
                    t.series_started = Some(at);
                }
                t.state = StepState::Running;
                t.attempt = *attempt;
                t.started = Some(at);
            }
            Record::Waiting { task, until, .. } => {
                state.entry(*task).state = StepState::Waiting { until: *until };
            }
            Record::Passed {
                task,
                exit,
                captured,
                ..
            } => {
                if let Some(c) = captured {
                    state.captured.insert(c.name.clone(), c.value.clone());
                }
                let t = state.entry(*task);
                t.state = StepState::Passed;
                t.last_exit = *exit;
                t.ended = Some(at);
                t.gate_cleared = false;
                state.passed(*task);
            }
            Record::Failed {
                task, reason, exit, ..
            } => {
                let t = state.entry(*task);
                t.state = StepState::Failed {
                    reason: reason.clone(),
                };
                t.last_exit = *exit;
                t.ended = Some(at);
                t.gate_cleared = false;
            }
            Record::OutcomeUnknown { task, .. } => {
                let t = state.entry(*task);
                t.state = StepState::OutcomeUnknown;
                t.gate_cleared = false;
            }
            Record::Skipped { task } => {
                let t = state.entry(*task);
                t.state = StepState::Skipped;
                t.ended = Some(at);
            }
            Record::MarkedPassed { task } => {
                let t = state.entry(*task);
                t.state = StepState::Passed;
                t.ended = Some(at);
                state.passed(*task);
            }
            Record::Retry { task } => {
                state.entry(*task).state = StepState::Pending;
            }
            Record::Overridden { reason } => state.overridden = Some(reason.clone()),
            Record::RollbackStarted { queue } => {
                state.rollback_queue.clone_from(queue);
                state.stage = Stage::RollingBack;
            }
            Record::Finished { outcome, .. } => {
                state.stage = Stage::Finished(*outcome);
                state.finished_at = Some(at);
                if *outcome == RunOutcome::Recovered {
                    state.recovered_at = Some(at);
                }
            }
        }
    }
}
