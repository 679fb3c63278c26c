//! The one judge of a drill. Both drivers (headless and the facilitator's
//! console) relay what they see into a [`Referee`] as typed [`Event`]s,
//! with time as drill offsets; it decides when the outage started, the RTO
//! and RPO achieved, which runbook recovered the service, how each step and
//! gate went, and produces the report. It owns the timeline state machine
//! ([`Drill`]) so that what it learns (a refused inject, a run ending) goes
//! on the same timeline as the injects and notes.
//!
//! Pure: no I/O, no clock; the same events give the same verdict whichever
//! driver relayed them.

use std::time::Duration;

pub use super::events::{EstateAtEnd, Event, RunId};
use super::findings::{Findings, GateRecord, RefusedInject, StepTiming};
use super::moments::Happening;
use super::report::Report;
use super::scenario::Scenario;
use super::score::{self, DataLoss, Score, ServiceSample};
use super::timeline::{Drill, DrillCommand, DrillEvent};
use crate::domain::runbook::protocol::RunOutcome;
use crate::domain::time::Timestamp;

#[derive(Debug, Clone)]
struct Run {
    id: RunId,
    runbook: String,
    ended: bool,
}

#[derive(Debug, Clone)]
struct Step {
    run: RunId,
    name: String,
    started: Duration,
    finished: Option<(Duration, String)>,
}

#[derive(Debug, Clone)]
struct OpenGate {
    run: RunId,
    step: String,
    at: Duration,
    dashboard: String,
}

/// The drill's judge; see the module doc.
#[derive(Debug, Clone)]
pub struct Referee {
    drill: Drill,
    outage_start: Option<Duration>,
    /// Every sample, in time order.
    samples: Vec<ServiceSample>,
    losses: Vec<DataLoss>,
    refused: Vec<RefusedInject>,
    runs: Vec<Run>,
    recovered_by: Vec<String>,
    steps: Vec<Step>,
    open_gates: Vec<OpenGate>,
    gates: Vec<GateRecord>,
}

impl Referee {
    /// A referee for a drill of `scenario`, at its briefing.
    #[must_use]
    pub fn new(scenario: Scenario) -> Self {
        Self {
            drill: Drill::new(scenario),
            outage_start: None,
            samples: Vec::new(),
            losses: Vec::new(),
            refused: Vec::new(),
            runs: Vec::new(),
            recovered_by: Vec::new(),
            steps: Vec::new(),
            open_gates: Vec::new(),
            gates: Vec::new(),
        }
    }

    /// The facilitator's (or the script's, or time's) control of the
    /// timeline; returns what the driver must do. The driver reports each
    /// [`DrillCommand::Apply`] back as an [`Event::Inject`].
    pub fn control(&mut self, event: DrillEvent) -> Vec<DrillCommand> {
        self.drill.handle(event)
    }

    /// The fold: one thing a driver saw.
    pub fn observe(&mut self, event: Event) {
        match event {
            Event::Sample(s) => {
                let at = self.samples.partition_point(|x| x.at <= s.at);
                self.samples.insert(at, s);
            }
            Event::Inject {
                at,
                name,
                disruptive,
                applied,
            } => match applied {
                Ok(()) if disruptive => {
                    self.outage_start = Some(self.outage_start.map_or(at, |s| s.min(at)));
                }
                Ok(()) => {}
                Err(reason) => {
                    self.drill.record(
                        at,
                        Happening::InjectRefused {
                            name: name.clone(),
                            reason: reason.clone(),
                        },
                    );
                    self.refused.push(RefusedInject {
                        name,
                        at_seconds: at.as_secs(),
                        reason,
                    });
                }
            },
            Event::Promotion { from, to, lag, .. } => self.losses.push(DataLoss {
                cause: format!("promoted {to} (from {from})"),
                window: lag,
            }),
            Event::Restore {
                region,
                snapshot,
                age,
                ..
            } => self.losses.push(DataLoss {
                cause: format!("restored {region} from the snapshot of {snapshot}"),
                window: age,
            }),
            Event::RunStarted { at, run, runbook } => self.run_started(at, run, runbook),
            Event::RunFinished { at, run, outcome } => self.run_finished(at, run, outcome),
            Event::StepStarted { at, run, step } => self.step_started(at, run, step),
            Event::StepFinished {
                at,
                run,
                step,
                outcome,
            } => self.step_finished(at, run, step, outcome),
            Event::GateOpened {
                at,
                run,
                step,
                dashboard,
            } => {
                let open = self
                    .open_gates
                    .iter()
                    .any(|g| g.run == run && g.step == step);
                if self.runbook(run).is_some() && !open {
                    self.open_gates.push(OpenGate {
                        run,
                        step,
                        at,
                        dashboard,
                    });
                }
            }
            Event::GateAnswered {
                at,
                run,
                step,
                approvers,
                reason,
                declined,
            } => self.gate_answered(at, run, step, approvers, reason, declined),
            Event::Note(text) => {
                self.drill.handle(DrillEvent::Annotate(text));
            }
        }
    }

    fn runbook(&self, run: RunId) -> Option<&str> {
        self.runs
            .iter()
            .find(|r| r.id == run)
            .map(|r| r.runbook.as_str())
    }

    fn run_started(&mut self, at: Duration, run: RunId, runbook: String) {
        if self.runbook(run).is_some() {
            return;
        }
        self.drill.record(
            at,
            Happening::RunStarted {
                runbook: runbook.clone(),
            },
        );
        self.runs.push(Run {
            id: run,
            runbook,
            ended: false,
        });
    }

    fn run_finished(&mut self, at: Duration, run: RunId, outcome: Option<RunOutcome>) {
        let Some(r) = self.runs.iter_mut().find(|r| r.id == run && !r.ended) else {
            return;
        };
        r.ended = true;
        let runbook = r.runbook.clone();
        if outcome == Some(RunOutcome::Recovered) {
            self.recovered_by.push(runbook.clone());
        }
        self.drill
            .record(at, Happening::RunEnded { runbook, outcome });
    }

    fn step_started(&mut self, at: Duration, run: RunId, name: String) {
        let known = self.steps.iter().any(|s| s.run == run && s.name == name);
        if self.runbook(run).is_some() && !known {
            self.steps.push(Step {
                run,
                name,
                started: at,
                finished: None,
            });
        }
    }

    fn step_finished(&mut self, at: Duration, run: RunId, name: String, outcome: String) {
        if self.runbook(run).is_none() {
            return;
        }
        match self
            .steps
            .iter_mut()
            .find(|s| s.run == run && s.name == name)
        {
            Some(s) => {
                s.finished.get_or_insert((at, outcome));
            }
            None => self.steps.push(Step {
                run,
                name,
                started: at,
                finished: Some((at, outcome)),
            }),
        }
    }

    fn gate_answered(
        &mut self,
        at: Duration,
        run: RunId,
        step: String,
        approvers: Vec<String>,
        reason: String,
        declined: bool,
    ) {
        let Some(runbook) = self.runbook(run).map(str::to_owned) else {
            return;
        };
        let (opened, dashboard) = match self
            .open_gates
            .iter()
            .position(|g| g.run == run && g.step == step)
        {
            Some(i) => {
                let g = self.open_gates.remove(i);
                (g.at, g.dashboard)
            }
            None => (at, String::new()),
        };
        self.gates.push(GateRecord {
            runbook,
            step,
            opened_seconds: opened.as_secs(),
            waited_seconds: at.saturating_sub(opened).as_secs(),
            approvers: if declined { Vec::new() } else { approvers },
            reason: if declined { "declined".into() } else { reason },
            dashboard,
        });
    }

    /// The timeline state machine (phase, elapsed time, moments).
    #[must_use]
    pub fn drill(&self) -> &Drill {
        &self.drill
    }

    /// When the outage started: the first disruptive inject the estate
    /// accepted.
    #[must_use]
    pub fn outage_start(&self) -> Option<Duration> {
        self.outage_start
    }

    /// Whether the service was restored at the latest sample (`None`
    /// before any).
    #[must_use]
    pub fn service_up(&self) -> Option<bool> {
        self.samples.last().map(ServiceSample::restored)
    }

    /// The score so far.
    #[must_use]
    pub fn score(&self) -> Score {
        score::score(self.outage_start, &self.samples, &self.losses)
    }

    /// The scenario runbooks whose runs recovered the service, in the
    /// order they finished.
    #[must_use]
    pub fn recovered_by(&self) -> &[String] {
        &self.recovered_by
    }

    /// Injects the estate refused, in the order they fired.
    #[must_use]
    pub fn refused(&self) -> &[RefusedInject] {
        &self.refused
    }

    /// Gates as they were answered.
    #[must_use]
    pub fn gates(&self) -> &[GateRecord] {
        &self.gates
    }

    /// Steps in the order they started; a step that never finished is
    /// "unfinished" and timed to the drill's end.
    #[must_use]
    pub fn steps(&self) -> Vec<StepTiming> {
        let mut out: Vec<StepTiming> = self
            .steps
            .iter()
            .map(|s| {
                let (ended, outcome) = s
                    .finished
                    .clone()
                    .unwrap_or_else(|| (self.drill.elapsed(), "unfinished".to_owned()));
                StepTiming {
                    runbook: self.runbook(s.run).unwrap_or_default().to_owned(),
                    step: s.name.clone(),
                    outcome,
                    started_seconds: s.started.as_secs(),
                    duration_seconds: ended.saturating_sub(s.started).as_secs(),
                }
            })
            .collect();
        out.sort_by_key(|s| s.started_seconds);
        out
    }

    /// Everything the report needs besides the scenario and the timeline.
    #[must_use]
    pub fn findings(&self, estate: EstateAtEnd) -> Findings {
        Findings {
            database_primary: estate.database_primary,
            double_signs: estate.double_signs,
            compromised_keys: estate.compromised_keys,
            runbooks_completed: self.recovered_by.clone(),
            steps: self.steps(),
            gates: self.gates.clone(),
            refused_injects: self.refused.clone(),
            samples: super::findings::thin(&self.samples, Duration::from_secs(10)),
        }
    }

    /// The after-action report as of now.
    #[must_use]
    pub fn report(&self, started: Timestamp, environment: &str, estate: EstateAtEnd) -> Report {
        Report::build(
            self.drill.scenario(),
            started,
            environment,
            self.drill.elapsed(),
            self.drill.moments(),
            &self.score(),
            &self.findings(estate),
        )
    }
}

#[cfg(test)]
#[path = "referee_tests.rs"]
mod tests;
