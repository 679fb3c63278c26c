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

mod attempts;
mod gates;

use std::collections::BTreeSet;

use super::plan::{Phase, Plan, StepRef};
use super::protocol::{Command, Event, Mode, RunOutcome, Task};
use super::record::{Record, RunState, Stage, StepState};
use crate::domain::journal::Entry;
use crate::domain::time::Timestamp;

pub use attempts::run_vars;
pub use gates::{check_answer, rollback_queue};

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

    /// The jobs of every task that passed, in the order they passed, as
    /// they would run at `at`: what resuming a practice run replays onto a
    /// fresh simulated estate, so it stands where the run left it.
    #[must_use]
    pub fn done_jobs(&self, at: Timestamp) -> Vec<super::protocol::Job> {
        let vars = self.vars(at);
        self.state
            .passed_in_order
            .iter()
            .filter_map(|task| {
                let step = self.plan.step(task.step())?;
                let attempt = self.state.task(*task).attempt.max(1);
                super::render::job(step, *task, attempt, &vars).ok()
            })
            .collect()
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
