//! The runbook engine: a pure state machine that steps through a [`Plan`].
//!
//! Events in ([`Event`]: results, gate answers, decisions, time), commands
//! out ([`Command`]). State changes only through [`Record`]s, each emitted
//! as a [`Command::Journal`] *before* the command it authorises (a
//! [`Command::Run`] always follows its `step.started` record), so a driver
//! that executes commands in order never starts a step the journal does not
//! know about, and [`Engine::replay`] rebuilds the state from the journal.
//!
//! No I/O, no clock reads: time arrives in events.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::time::Duration;

use super::expect;
use super::plan::{Phase, Plan, PlannedStep, RollbackTrigger, StepRef};
use super::protocol::{
    Choice, Command, DecisionRequest, Event, GateAnswer, GatePurpose, GateRequest, Mode, Outcome,
    RunOutcome, Task,
};
use super::record::{Record, RunState, Stage, StepState};
use super::render;
use crate::domain::journal::Entry;
use crate::domain::time::Timestamp;

/// How much of a step's output goes into its journal record.
const OUTPUT_TAIL: usize = 2000;

/// Why a journal cannot be resumed with a plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// The journal holds no run of this runbook.
    #[error("the journal holds no run")]
    NoRun,
    /// The journal's run is for another file or other variable values.
    #[error(
        "the journal's run has fingerprint {found}, this runbook and its variables have {expected}: not the same run"
    )]
    Fingerprint {
        /// In the journal.
        found: String,
        /// Of the plan.
        expected: String,
    },
    /// The journal's run was live and this one practice, or the reverse.
    #[error("the journal's run was in mode {found}, not {expected}")]
    Mode {
        /// In the journal.
        found: String,
        /// Asked for.
        expected: String,
    },
    /// An entry is not a record this version understands.
    #[error("journal entry {seq} ({kind}): {reason}")]
    BadRecord {
        /// Its sequence number.
        seq: u64,
        /// Its kind.
        kind: String,
        /// What is wrong.
        reason: String,
    },
}

/// One run of one plan.
#[derive(Debug, Clone)]
pub struct Engine {
    plan: Plan,
    mode: Mode,
    state: RunState,
    /// Tasks whose decision has been asked (not journaled: a restart asks again).
    prompted: BTreeSet<Task>,
}

impl Engine {
    /// A run of `plan` called `run`, not started yet.
    #[must_use]
    pub fn new(plan: Plan, mode: Mode, run: &str) -> Self {
        Engine {
            plan,
            mode,
            state: RunState {
                run: run.to_owned(),
                ..RunState::default()
            },
            prompted: BTreeSet::new(),
        }
    }

    /// Rebuilds the state of the last run of `plan` in `entries` exactly as
    /// it was when its last entry was written. A task that was running is
    /// still `Running` here: [`Engine::resume`] turns it into outcome unknown.
    ///
    /// # Errors
    /// No run, a different fingerprint or mode, an unreadable record.
    pub fn replay(plan: Plan, mode: Mode, entries: &[Entry]) -> Result<Self, ReplayError> {
        let starts: Vec<(usize, Record)> = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind == "run.started")
            .map(|(i, e)| Ok((i, parse(e)?)))
            .collect::<Result<_, ReplayError>>()?;
        let Some((first, start)) = starts.last() else {
            return Err(ReplayError::NoRun);
        };
        if let Record::RunStarted {
            fingerprint,
            mode: found,
            ..
        } = start
        {
            if *fingerprint != plan.fingerprint {
                return Err(ReplayError::Fingerprint {
                    found: fingerprint.clone(),
                    expected: plan.fingerprint.clone(),
                });
            }
            if *found != mode {
                return Err(ReplayError::Mode {
                    found: found.label().to_owned(),
                    expected: mode.label().to_owned(),
                });
            }
        }
        let run = entries[*first].run.clone();
        let mut engine = Engine::new(plan, mode, &run);
        for e in entries[*first..].iter().filter(|e| e.run == run) {
            parse(e)?.apply(e.at, &mut engine.state);
        }
        Ok(engine)
    }

    /// Replays, then picks the run up at `at`: a task that was running when
    /// the process died becomes *outcome unknown: verify before retrying*
    /// (journaled), and whatever was being asked is asked again.
    ///
    /// # Errors
    /// As [`Engine::replay`].
    pub fn resume(
        plan: Plan,
        mode: Mode,
        entries: &[Entry],
        at: Timestamp,
    ) -> Result<(Self, Vec<Command>), ReplayError> {
        let mut engine = Self::replay(plan, mode, entries)?;
        let commands = engine.handle(Event::Resume { at });
        Ok((engine, commands))
    }

    /// The plan being run.
    #[must_use]
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Live, practice or dry run.
    #[must_use]
    pub fn mode(&self) -> &Mode {
        &self.mode
    }

    /// Everything the journal says about the run.
    #[must_use]
    pub fn state(&self) -> &RunState {
        &self.state
    }

    /// Whether the run is over.
    #[must_use]
    pub fn is_finished(&self) -> bool {
        matches!(self.state.stage, Stage::Finished(_))
    }

    /// Reacts to one event; the commands are to be executed in order.
    pub fn handle(&mut self, event: Event) -> Vec<Command> {
        let mut out = Vec::new();
        let at = event.at();
        if self.is_finished() {
            return out;
        }
        match event {
            Event::Start { at } => {
                if self.state.stage != Stage::NotStarted {
                    return out;
                }
                let started = Record::RunStarted {
                    run: self.state.run.clone(),
                    runbook: self.plan.name.clone(),
                    version: self.plan.version.clone(),
                    fingerprint: self.plan.fingerprint.clone(),
                    mode: self.mode.clone(),
                };
                self.record(&mut out, at, started);
                self.record(
                    &mut out,
                    at,
                    Record::StageEntered {
                        stage: Stage::PreChecks,
                    },
                );
            }
            Event::Resume { at } => self.on_resume(at, &mut out),
            Event::Finished {
                task,
                attempt,
                outcome,
                ..
            } => self.on_finished(at, task, attempt, &outcome, &mut out),
            Event::Tick { at } => {
                let due: Vec<(Task, u32)> = self
                    .state
                    .tasks
                    .iter()
                    .filter(|(_, t)| matches!(t.state, StepState::Waiting { until } if until <= at))
                    .map(|(k, t)| (*k, t.attempt + 1))
                    .collect();
                for (task, attempt) in due {
                    self.start_attempt(task, attempt, at, &mut out);
                }
            }
            Event::GateAnswered { answer, .. } => self.on_gate_answer(at, answer, &mut out),
            Event::GateDeclined { .. } => {
                if let Some(g) = self.state.gate.clone() {
                    self.prompted.clear();
                    self.record(
                        &mut out,
                        at,
                        Record::GateDeclined {
                            purpose: g.request.purpose,
                        },
                    );
                }
            }
            Event::Decided { task, choice, .. } => self.on_decision(at, task, choice, &mut out),
        }
        self.advance(at, &mut out);
        out
    }

    /// The failed or unknown tasks the operator must decide about now.
    #[must_use]
    pub fn decisions(&self) -> Vec<DecisionRequest> {
        let stage = self.state.stage;
        let mut out = Vec::new();
        for task in self.active() {
            let task_state = self.state.state(task);
            let why = match &task_state {
                StepState::Failed { reason } => format!("failed: {reason}"),
                StepState::OutcomeUnknown => {
                    "outcome unknown: it was running when drconsole stopped; verify before retrying"
                        .to_owned()
                }
                _ => continue,
            };
            let mut options = vec![Choice::Retry, Choice::Skip];
            if task_state == StepState::OutcomeUnknown {
                options.push(Choice::MarkPassed);
            }
            match stage {
                Stage::PreChecks => options.push(Choice::Override),
                Stage::Steps | Stage::PostChecks => options.push(Choice::RollBack),
                _ => {}
            }
            options.push(Choice::Abort);
            out.push(DecisionRequest { task, why, options });
        }
        out
    }

    /// The tasks of the current stage that are not yet settled, in order
    /// (all pre-checks at once; otherwise the first unsettled one).
    fn active(&self) -> Vec<Task> {
        let seq = |list: Vec<Task>| {
            list.into_iter()
                .find(|t| !self.state.state(*t).settled_ok())
                .into_iter()
                .collect()
        };
        match self.state.stage {
            Stage::PreChecks => tasks(&self.plan, Phase::PreCheck)
                .into_iter()
                .filter(|t| !self.state.state(*t).settled_ok())
                .collect(),
            Stage::Steps => seq(tasks(&self.plan, Phase::Step)),
            Stage::PostChecks => seq(tasks(&self.plan, Phase::PostCheck)),
            Stage::RollingBack => seq(self.state.rollback_queue.clone()),
            Stage::NotStarted | Stage::Finished(_) => Vec::new(),
        }
    }

    fn record(&mut self, out: &mut Vec<Command>, at: Timestamp, record: Record) {
        match &record {
            Record::Failed { task, .. } | Record::OutcomeUnknown { task, .. } => {
                self.prompted.remove(task);
            }
            _ => {}
        }
        record.apply(at, &mut self.state);
        out.push(Command::Journal { at, record });
    }

    fn on_resume(&mut self, at: Timestamp, out: &mut Vec<Command>) {
        self.prompted.clear();
        let running: Vec<(Task, u32)> = self
            .state
            .tasks
            .iter()
            .filter(|(_, t)| t.state == StepState::Running)
            .map(|(k, t)| (*k, t.attempt))
            .collect();
        for (task, attempt) in running {
            self.record(out, at, Record::OutcomeUnknown { task, attempt });
        }
        if let Some(g) = &self.state.gate {
            out.push(Command::AwaitGate(g.request.clone()));
        }
        for t in self.state.tasks.values() {
            if let StepState::Waiting { until } = t.state {
                out.push(Command::Wake { at: until });
            }
        }
    }

    /// Starts, asks for gates, asks for decisions and moves between stages
    /// until nothing more can happen without an event.
    fn advance(&mut self, at: Timestamp, out: &mut Vec<Command>) {
        loop {
            match self.state.stage {
                Stage::NotStarted | Stage::Finished(_) => return,
                Stage::PreChecks => {
                    for task in tasks(&self.plan, Phase::PreCheck) {
                        if self.state.state(task) == StepState::Pending {
                            self.try_start(task, at, out);
                        }
                    }
                    let all: Vec<StepState> = tasks(&self.plan, Phase::PreCheck)
                        .into_iter()
                        .map(|t| self.state.state(t))
                        .collect();
                    let ok = all.iter().all(StepState::settled_ok);
                    let settled = all.iter().all(|s| s.settled_ok() || s.needs_decision());
                    if ok || (settled && self.state.overridden.is_some()) {
                        self.enter(Stage::Steps, at, out);
                        continue;
                    }
                    self.prompt_decisions(out);
                    return;
                }
                Stage::Steps | Stage::PostChecks | Stage::RollingBack => {
                    if let Some(task) = self.active().first().copied() {
                        if self.state.state(task) == StepState::Pending {
                            self.try_start(task, at, out);
                        }
                        self.prompt_decisions(out);
                        return;
                    }
                    match self.state.stage {
                        Stage::Steps => self.enter(Stage::PostChecks, at, out),
                        Stage::PostChecks => self.finish(RunOutcome::Recovered, at, out),
                        _ => self.finish(RunOutcome::RolledBack, at, out),
                    }
                }
            }
        }
    }

    fn enter(&mut self, stage: Stage, at: Timestamp, out: &mut Vec<Command>) {
        self.record(out, at, Record::StageEntered { stage });
    }

    fn finish(&mut self, outcome: RunOutcome, at: Timestamp, out: &mut Vec<Command>) {
        let elapsed = self.state.elapsed(at);
        let elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        self.record(
            out,
            at,
            Record::Finished {
                outcome,
                elapsed_ms,
            },
        );
        out.push(Command::Finished {
            outcome,
            elapsed: self.state.elapsed(at),
            rto: self.plan.rto,
        });
    }

    fn prompt_decisions(&mut self, out: &mut Vec<Command>) {
        for d in self.decisions() {
            if self.prompted.insert(d.task) {
                out.push(Command::AwaitDecision(d));
            }
        }
    }

    fn try_start(&mut self, task: Task, at: Timestamp, out: &mut Vec<Command>) {
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

    fn start_attempt(&mut self, task: Task, attempt: u32, at: Timestamp, out: &mut Vec<Command>) {
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
    fn vars(&self, at: Timestamp) -> BTreeMap<String, String> {
        let mut vars = self.plan.vars.clone();
        vars.insert(
            "EPOCH_SECONDS".into(),
            at.as_millis().div_euclid(1000).to_string(),
        );
        vars.insert(
            "ELAPSED_SECONDS".into(),
            self.state.elapsed(at).as_secs().to_string(),
        );
        vars.insert("RUN_ID".into(), self.state.run.clone());
        vars.insert("ENVIRONMENT".into(), self.mode.label().to_owned());
        vars
    }

    fn on_finished(
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
            Verdict::Pass => self.record(
                out,
                at,
                Record::Passed {
                    task,
                    attempt,
                    exit,
                    output,
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
        Verdict::Pass
    }

    fn gate_request(&self, purpose: GatePurpose, at: Timestamp) -> GateRequest {
        let env = self.mode.label().to_owned();
        let name = |t: &Task| {
            self.plan
                .step(t.step())
                .map_or_else(|| "?".to_owned(), |s| s.name.clone())
        };
        let (title, phrase, approvers, reason_required, question) = match &purpose {
            GatePurpose::Run(task) => {
                let step = self.plan.step(task.step());
                let gate = step.and_then(|s| s.gate.as_ref());
                let vars = self.vars(at);
                let phrase = gate
                    .and_then(|g| g.phrase.as_ref())
                    .map(|p| p.render(&vars).unwrap_or_else(|_| p.preview(&vars)));
                (
                    format!("Run {} on {env}", name(task)),
                    phrase,
                    gate.map_or(1, |g| g.approvers.max(1)),
                    gate.is_some_and(|g| g.reason),
                    step.and_then(|s| s.question.clone()),
                )
            }
            GatePurpose::Skip(task) => (
                format!("Skip {} on {env}", name(task)),
                Some(format!("skip {}", name(task))),
                self.plan
                    .step(task.step())
                    .and_then(|s| s.gate.as_ref())
                    .map_or(1, |g| g.approvers.max(1)),
                true,
                None,
            ),
            GatePurpose::Retry(task) => (
                format!(
                    "Run {} again on {env}: its outcome is unknown, verify before retrying",
                    name(task)
                ),
                Some(format!("retry {}", name(task))),
                1,
                true,
                None,
            ),
            GatePurpose::MarkPassed(task) => (
                format!(
                    "Record {} as passed on {env}: you verified it worked",
                    name(task)
                ),
                Some(format!("{} passed", name(task))),
                1,
                true,
                None,
            ),
            GatePurpose::OverridePreChecks => (
                format!("Go on despite failed pre-checks on {env}"),
                Some("override pre-checks".to_owned()),
                1,
                true,
                None,
            ),
        };
        GateRequest {
            purpose,
            title,
            phrase,
            approvers,
            reason_required,
            question,
            environment: env,
        }
    }

    fn ask(&mut self, purpose: GatePurpose, at: Timestamp, out: &mut Vec<Command>) {
        if self.state.gate.is_some() {
            out.push(Command::GateRefused {
                why: "another gate is waiting for an answer".to_owned(),
            });
            return;
        }
        let request = self.gate_request(purpose, at);
        self.record(
            out,
            at,
            Record::GateAsked {
                request: request.clone(),
            },
        );
        out.push(Command::AwaitGate(request));
    }

    fn on_gate_answer(&mut self, at: Timestamp, answer: GateAnswer, out: &mut Vec<Command>) {
        let Some(pending) = self.state.gate.clone() else {
            return;
        };
        let request = pending.request;
        if let Err(why) = check_answer(&request, &answer) {
            self.record(
                out,
                at,
                Record::GateRefused {
                    purpose: request.purpose.clone(),
                    why: why.clone(),
                },
            );
            out.push(Command::GateRefused { why });
            out.push(Command::AwaitGate(request));
            return;
        }
        let reason = answer.reason.clone().unwrap_or_default();
        let purpose = request.purpose.clone();
        self.record(
            out,
            at,
            Record::GatePassed {
                purpose: purpose.clone(),
                answer,
            },
        );
        match purpose {
            GatePurpose::Run(_) => {}
            GatePurpose::Skip(task) => self.record(out, at, Record::Skipped { task }),
            GatePurpose::Retry(task) => self.record(out, at, Record::Retry { task }),
            GatePurpose::MarkPassed(task) => self.record(out, at, Record::MarkedPassed { task }),
            GatePurpose::OverridePreChecks => self.record(out, at, Record::Overridden { reason }),
        }
    }

    fn on_decision(&mut self, at: Timestamp, task: Task, choice: Choice, out: &mut Vec<Command>) {
        let allowed = self
            .decisions()
            .into_iter()
            .find(|d| d.task == task)
            .is_some_and(|d| d.options.contains(&choice));
        if !allowed {
            self.prompted.remove(&task); // ask again
            out.push(Command::GateRefused {
                why: format!("{choice:?} is not possible for this step now"),
            });
            return;
        }
        self.prompted.remove(&task);
        let unknown = self.state.state(task) == StepState::OutcomeUnknown;
        match choice {
            Choice::Retry if unknown => self.ask(GatePurpose::Retry(task), at, out),
            Choice::Retry => {
                self.record(out, at, Record::Decided { task, choice });
                self.record(out, at, Record::Retry { task });
            }
            Choice::Skip => self.ask(GatePurpose::Skip(task), at, out),
            Choice::MarkPassed => self.ask(GatePurpose::MarkPassed(task), at, out),
            Choice::Override => self.ask(GatePurpose::OverridePreChecks, at, out),
            Choice::RollBack => {
                self.record(out, at, Record::Decided { task, choice });
                let queue = self.rollback_queue();
                self.record(out, at, Record::RollbackStarted { queue });
            }
            Choice::Abort => {
                self.record(out, at, Record::Decided { task, choice });
                self.finish(RunOutcome::Aborted, at, out);
            }
        }
    }

    /// The completed steps' own rollbacks, newest first, then the runbook's
    /// rollback steps when its trigger allows.
    fn rollback_queue(&self) -> Vec<Task> {
        let mut queue: Vec<Task> = self
            .state
            .completed
            .iter()
            .rev()
            .filter(|s| self.plan.step(**s).is_some_and(|p| p.rollback.is_some()))
            .map(|s| Task::Undo(*s))
            .collect();
        let triggered = match &self.plan.rollback_trigger {
            RollbackTrigger::OnRequest => true,
            RollbackTrigger::AfterStep(name) => self.state.completed.iter().any(|s| {
                self.plan.step(*s).is_some_and(|p| &p.name == name)
                    && self.state.state(Task::Step(*s)) == StepState::Passed
            }),
        };
        if triggered {
            queue.extend(tasks(&self.plan, Phase::Rollback));
        }
        queue
    }
}

enum Verdict {
    Pass,
    PollAgain(String),
    Fail(String),
}

fn parse(e: &Entry) -> Result<Record, ReplayError> {
    Record::join(&e.kind, &e.data).map_err(|reason| ReplayError::BadRecord {
        seq: e.seq,
        kind: e.kind.clone(),
        reason,
    })
}

/// Every step of a phase as tasks.
fn tasks(plan: &Plan, phase: Phase) -> Vec<Task> {
    (0..plan.phase(phase).len())
        .map(|index| Task::Step(StepRef { phase, index }))
        .collect()
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

/// Whether `answer` satisfies `request`: the exact phrase, enough distinct
/// approvers, a reason and an answer where asked.
///
/// # Errors
/// What is wrong, for the operator.
pub fn check_answer(request: &GateRequest, answer: &GateAnswer) -> Result<(), String> {
    if let Some(p) = &request.phrase
        && answer.phrase.as_deref() != Some(p.as_str())
    {
        return Err(format!(
            "the typed phrase does not match: type exactly \"{p}\""
        ));
    }
    let distinct: BTreeSet<&str> = answer
        .approvers
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
        .collect();
    if distinct.len() < usize::from(request.approvers) {
        let mut why = format!(
            "needs {} distinct approvers, got {}",
            request.approvers,
            distinct.len()
        );
        if distinct.len() < answer.approvers.len() {
            let _ = write!(why, " (duplicates and blanks do not count)");
        }
        return Err(why);
    }
    if request.reason_required && answer.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err("a reason is required".to_owned());
    }
    if let Some(q) = &request.question
        && answer.answer.as_deref().is_none_or(|a| a.trim().is_empty())
    {
        return Err(format!("answer the question: {q}"));
    }
    Ok(())
}
