//! Running a step's attempts: filling in its command, judging what came
//! back (pass, poll again, fail), and waiting before a retry or a poll.
//!
//! Kept apart from the stage machine in the parent module because this is
//! where a single task's outcome is decided.

use std::collections::BTreeMap;
use std::time::Duration;

use super::Engine;
use crate::domain::runbook::expect;
use crate::domain::runbook::plan::PlannedStep;
use crate::domain::runbook::protocol::{Command, GatePurpose, Job, Mode, Outcome, Task};
use crate::domain::runbook::record::{Captured, JournaledValue, Record, StepState};
use crate::domain::runbook::render;
use crate::domain::time::Timestamp;

/// How much of a step's output goes into its journal record.
const OUTPUT_TAIL: usize = 2000;

impl Engine {
    /// Starts `task`, or asks for its gate first when it has one that is
    /// not cleared yet.
    pub(super) fn try_start(&mut self, task: Task, at: Timestamp, out: &mut Vec<Command>) {
        let Some(step) = self.plan.step(task.step()) else {
            return;
        };
        let gated = matches!(task, Task::Step(_))
            && (step.gate.is_some() || step.question.is_some())
            && self.mode != Mode::DryRun;
        let status = self.state.task(task);
        if gated && !status.gate_cleared {
            if self.state.gate.is_none() {
                self.ask(GatePurpose::Run(task), at, out);
            }
            return;
        }
        self.start_attempt(task, status.attempt + 1, at, out);
    }

    /// Journals and runs attempt `attempt` of `task`, or fails it when its
    /// command cannot be filled in.
    pub(super) fn start_attempt(
        &mut self,
        task: Task,
        attempt: u32,
        at: Timestamp,
        out: &mut Vec<Command>,
    ) {
        let Some(step) = self.plan.step(task.step()) else {
            return;
        };
        let vars = self.vars(at);
        match render::job(step, task, attempt, &vars) {
            Ok(job) => {
                self.record(
                    out,
                    at,
                    Record::Started {
                        task,
                        attempt,
                        operation: job.operation.describe(),
                        values: JournaledValue::all(&job_values(&job)),
                        verify: job.verify.as_ref().map(|v| v.script.clone()),
                    },
                );
                out.push(Command::Run(job));
            }
            Err(reason) => self.record(
                out,
                at,
                Record::Failed {
                    task,
                    attempt,
                    reason: format!("cannot fill in the command: {reason}"),
                    exit: None,
                    output: String::new(),
                },
            ),
        }
    }

    /// The plan's variables plus the runtime ones at `at`.
    pub(super) fn vars(&self, at: Timestamp) -> BTreeMap<String, String> {
        run_vars(&self.plan, &self.state, &self.mode, at)
    }

    /// Judges a finished attempt and journals its pass, wait or failure.
    pub(super) fn on_finished(
        &mut self,
        at: Timestamp,
        task: Task,
        attempt: u32,
        outcome: &Outcome,
        out: &mut Vec<Command>,
    ) {
        let status = self.state.task(task);
        if status.state != StepState::Running || status.attempt != attempt {
            return; // stale: an attempt from before a restart or an abort
        }
        let Some(step) = self.plan.step(task.step()).cloned() else {
            return;
        };
        let output = tail(&outcome.stdout);
        let exit = outcome.exit.code;
        let verdict = self.judge(&step, task, outcome);
        match verdict {
            Verdict::Pass(captured) => self.record(
                out,
                at,
                Record::Passed {
                    task,
                    attempt,
                    exit,
                    output,
                    captured,
                },
            ),
            Verdict::PollAgain(why) => {
                let interval = step.poll.as_ref().map_or(Duration::ZERO, |p| p.interval);
                let until = at.plus(interval);
                let deadline = step
                    .timeout
                    .zip(status.series_started)
                    .map(|(t, s)| s.plus(t));
                if deadline.is_none_or(|d| until <= d) {
                    self.wait(task, attempt, format!("polling: {why}"), until, at, out);
                } else {
                    let reason = format!("condition not met before the step's timeout: {why}");
                    self.fail(task, attempt, reason, exit, output, at, out);
                }
            }
            Verdict::Fail(reason) => {
                let used = attempt.saturating_sub(status.series_from) + 1;
                if used < step.retry.max_attempts {
                    let until = at.plus(step.retry.delay);
                    let why = format!(
                        "attempt {used} of {} failed: {reason}",
                        step.retry.max_attempts
                    );
                    self.wait(task, attempt, why, until, at, out);
                } else {
                    self.fail(task, attempt, reason, exit, output, at, out);
                }
            }
        }
    }

    fn wait(
        &mut self,
        task: Task,
        attempt: u32,
        why: String,
        until: Timestamp,
        at: Timestamp,
        out: &mut Vec<Command>,
    ) {
        let record = Record::Waiting {
            task,
            attempt,
            why,
            until,
        };
        self.record(out, at, record);
        out.push(Command::Wake { at: until });
    }

    #[allow(clippy::too_many_arguments)] // one record's fields
    fn fail(
        &mut self,
        task: Task,
        attempt: u32,
        reason: String,
        exit: Option<i32>,
        output: String,
        at: Timestamp,
        out: &mut Vec<Command>,
    ) {
        let record = Record::Failed {
            task,
            attempt,
            reason,
            exit,
            output,
        };
        self.record(out, at, record);
    }

    fn judge(&self, step: &PlannedStep, task: Task, outcome: &Outcome) -> Verdict {
        if let Some(e) = &outcome.error {
            return Verdict::Fail(e.clone());
        }
        if outcome.exit.timed_out {
            let limit = step
                .timeout
                .map_or_else(String::new, |t| format!(" after {}s", t.as_secs()));
            return Verdict::Fail(format!("timed out{limit}"));
        }
        let code = outcome.exit.code;
        let judged = matches!(task, Task::Step(_)) && self.mode.judges_output();
        if judged && let Some(poll) = &step.poll {
            if let Err(why) = expect::evaluate(&poll.until, code, &outcome.stdout) {
                return Verdict::PollAgain(why);
            }
        } else if judged && let Some(e) = &step.expect {
            if let Err(why) = expect::evaluate(e, code, &outcome.stdout) {
                return Verdict::Fail(why);
            }
        } else if code != Some(0) {
            return Verdict::Fail(
                code.map_or_else(|| "killed".to_owned(), |c| format!("exit status {c}")),
            );
        }
        if let Some(v) = &outcome.verify
            && (v.code != Some(0) || v.timed_out)
        {
            let how = if v.timed_out {
                "timed out".to_owned()
            } else {
                v.code
                    .map_or_else(|| "killed".to_owned(), |c| format!("exit status {c}"))
            };
            return Verdict::Fail(format!("verify failed: {how}"));
        }
        match &step.capture {
            Some(name) if matches!(task, Task::Step(_)) && self.mode != Mode::DryRun => {
                match expect::captured_value(&outcome.stdout) {
                    Ok(value) => Verdict::Pass(Some(Captured {
                        name: name.clone(),
                        value,
                    })),
                    Err(why) => Verdict::Fail(format!("nothing to capture as {name}: {why}")),
                }
            }
            _ => Verdict::Pass(None),
        }
    }
}

enum Verdict {
    Pass(Option<Captured>),
    PollAgain(String),
    Fail(String),
}

/// The last [`OUTPUT_TAIL`] bytes of `text`, cut at a character boundary.
fn tail(text: &str) -> String {
    if text.len() <= OUTPUT_TAIL {
        return text.to_owned();
    }
    let mut from = text.len() - OUTPUT_TAIL;
    while !text.is_char_boundary(from) {
        from += 1;
    }
    text[from..].to_owned()
}

/// Every value `job` hands a shell (operation and verify), for the journal.
fn job_values(job: &Job) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for s in job.operation.shell().into_iter().chain(job.verify.as_ref()) {
        out.extend(s.values.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    out
}

/// The values a run's commands get at `at`: the plan's own, the values
/// steps captured (from the journal, so a resumed run has them), then the
/// run's (`EPOCH_SECONDS`, `ELAPSED_SECONDS`, `RUN_ID`, `ENVIRONMENT`).
/// One rule for the engine that fills commands in and the screen that
/// shows them.
#[must_use]
pub fn run_vars(
    plan: &crate::domain::runbook::plan::Plan,
    state: &crate::domain::runbook::record::RunState,
    mode: &crate::domain::runbook::protocol::Mode,
    at: Timestamp,
) -> BTreeMap<String, String> {
    let mut vars = plan.vars.clone();
    for step in &plan.steps {
        if let Some(name) = &step.capture {
            let value = match (state.captured.get(name), mode) {
                (Some(v), _) => v.clone(),
                // A dry run runs nothing, so nothing is captured: say where the value comes from.
                (None, Mode::DryRun) => format!("<output of {}>", step.name),
                (None, _) => continue,
            };
            vars.insert(name.clone(), value);
        }
    }
    vars.insert(
        "EPOCH_SECONDS".into(),
        at.as_millis().div_euclid(1000).to_string(),
    );
    vars.insert(
        "ELAPSED_SECONDS".into(),
        state.elapsed(at).as_secs().to_string(),
    );
    vars.insert("RUN_ID".into(), state.run.clone());
    vars.insert("ENVIRONMENT".into(), mode.label().to_owned());
    vars
}
