//! A drill in the console: the glue between the drill screen, the virtual
//! clock, the simulated estate and practice runs. The console forwards
//! keys, ticks, run views and gate answers here; this carries out the
//! drill's effects and relays what it sees to the screen's referee as
//! typed events. It judges nothing and changes the screen only through
//! its methods.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ratatui::crossterm::event::KeyEvent;
use tokio::sync::mpsc;

use crate::app::drill::{DrillEffect, DrillScreen};
use crate::app::run_request::RunRequest;
use crate::app::runbook::{GateAnswer, RunView, StepStatus};
use crate::config::drill_file::resolve_runbook;
use crate::domain::drill::referee::{EstateAtEnd, Event, RunId};
use crate::domain::drill::scenario::{ExpectedRunbook, InjectKind};
use crate::runtime::drill::estate::{self, EstateWatch};
use crate::sources::clock::{Clock, VirtualClock};
use crate::sources::sim::SimEstate;
use crate::sources::sim_source::SimCommand;

/// A practice run the drill asked for, known by its journal.
struct DrillRun {
    id: RunId,
    runbook: String,
    journal: String,
    seen: bool,
}

/// A drill running in the console.
pub struct DrillSession {
    /// The facilitator's screen (read it; it changes only through its methods).
    pub screen: DrillScreen,
    /// The clock the estate and the drill run on.
    pub clock: Arc<VirtualClock>,
    /// The simulated estate (shared with the sim poller and practice runs).
    pub estate: Arc<Mutex<SimEstate>>,
    /// Faults and clears go to the sim poller.
    pub sim: mpsc::UnboundedSender<SimCommand>,
    /// The scenario file (its runbooks are relative to it).
    pub scenario_path: PathBuf,
    /// Where the report goes when the drill ends.
    pub report_dir: Option<PathBuf>,
    watch: EstateWatch,
    runs: Vec<DrillRun>,
    /// The drill run the latest view was of, if it was one.
    current: Option<RunId>,
    /// The gate last seen open (run, step): its dashboard is rendered once.
    open_gate: Option<(RunId, String)>,
}

impl DrillSession {
    /// A session over a screen at its briefing; the clock is paused until
    /// the facilitator starts the drill.
    #[must_use]
    pub fn new(
        screen: DrillScreen,
        clock: Arc<VirtualClock>,
        estate: Arc<Mutex<SimEstate>>,
        sim: mpsc::UnboundedSender<SimCommand>,
        scenario_path: PathBuf,
        report_dir: Option<PathBuf>,
    ) -> Self {
        clock.set_paused(true);
        Self {
            screen,
            clock,
            estate,
            sim,
            scenario_path,
            report_dir,
            watch: EstateWatch::default(),
            runs: Vec::new(),
            current: None,
            open_gate: None,
        }
    }

    fn elapsed(&self) -> Duration {
        self.clock.now().since(self.screen.start())
    }

    /// A key for the drill screen; returns a `:run` line to start, if any.
    pub fn key(&mut self, key: KeyEvent) -> Option<RunRequest> {
        let effects = self.screen.key(key);
        self.apply(effects)
    }

    /// The clock moved: fire due injects and sample the service.
    pub fn tick(&mut self) -> Option<RunRequest> {
        let elapsed = self.elapsed();
        let start = self.screen.start();
        let seen = match self.estate.lock() {
            Ok(s) => self.watch.look(&s, start, elapsed),
            Err(_) => Vec::new(),
        };
        let effects = self.screen.tick(elapsed, seen);
        self.apply(effects)
    }

    fn apply(&mut self, effects: Vec<DrillEffect>) -> Option<RunRequest> {
        let mut start = None;
        for e in effects {
            match e {
                DrillEffect::Clock(on) => self.clock.set_paused(!on),
                DrillEffect::Speed(x) => self.clock.set_speed(f64::from(x)),
                DrillEffect::JumpTo(t) => self.clock.jump_to(self.screen.start().plus(t)),
                DrillEffect::Apply(inject) => {
                    let at = self.screen.drill().elapsed();
                    let applied = self
                        .estate
                        .lock()
                        .map_err(|_| "the simulated estate is unavailable".to_owned())
                        .and_then(|s| estate::accepts(&s, &inject))
                        .and_then(|()| {
                            let cmd = match &inject.kind {
                                InjectKind::Fault(f) => Some(SimCommand::Inject(f.clone())),
                                InjectKind::ClearFaults => Some(SimCommand::ClearAll),
                                InjectKind::Message { .. } => None,
                            };
                            match cmd {
                                Some(c) => self
                                    .sim
                                    .send(c)
                                    .map_err(|_| "the simulator is not running".to_owned()),
                                None => Ok(()),
                            }
                        });
                    self.screen
                        .observe(estate::inject_event(&inject, at, applied));
                }
                DrillEffect::StartRunbook(rb) => start = Some(self.run_request(&rb)),
                DrillEffect::Finished => self.finish(),
            }
        }
        start
    }

    fn run_request(&mut self, rb: &ExpectedRunbook) -> RunRequest {
        // Each practice run of a drill has its own fresh journal, by which
        // its views are known.
        let id = RunId(self.runs.len());
        let journal = std::env::temp_dir().join(format!(
            "drconsole-drill-{}-{}-{}.journal",
            std::process::id(),
            self.screen.drill().scenario().id,
            id.0 + 1
        ));
        self.runs.push(DrillRun {
            id,
            runbook: rb.path.clone(),
            journal: journal.display().to_string(),
            seen: false,
        });
        RunRequest {
            runbook: resolve_runbook(&self.scenario_path, &rb.path),
            vars: rb.vars.clone(),
            journal: Some(journal),
            practice: true,
        }
    }

    /// A run's new picture: relay the run starting, its steps, gates
    /// opening and its end. Runs the drill did not start are not judged.
    pub fn on_run_view(&mut self, view: &RunView) {
        let at = self.elapsed();
        let Some(run) = self.runs.iter_mut().find(|r| r.journal == view.journal) else {
            self.current = None;
            return;
        };
        let id = run.id;
        self.current = Some(id);
        if !run.seen {
            run.seen = true;
            let runbook = run.runbook.clone();
            self.screen.observe(Event::RunStarted {
                at,
                run: id,
                runbook,
            });
        }
        for row in &view.rows {
            match row.status {
                StepStatus::Running | StepStatus::AwaitingGate => {
                    self.screen.observe(Event::StepStarted {
                        at,
                        run: id,
                        step: row.name.clone(),
                    });
                }
                StepStatus::Passed
                | StepStatus::Failed
                | StepStatus::Skipped
                | StepStatus::RolledBack => self.screen.observe(Event::StepFinished {
                    at,
                    run: id,
                    step: row.name.clone(),
                    outcome: row.status.word().to_lowercase(),
                }),
                StepStatus::Pending | StepStatus::OutcomeUnknown => {}
            }
        }
        if let Some(step) = view.gate.as_ref().map(|g| &g.step)
            && self
                .open_gate
                .as_ref()
                .is_none_or(|(r, open)| *r != id || open != step)
        {
            let dashboard = self
                .estate
                .lock()
                .map(|s| super::drill::dashboard_text(&s))
                .unwrap_or_default();
            self.open_gate = Some((id, step.clone()));
            self.screen.observe(Event::GateOpened {
                at,
                run: id,
                step: step.clone(),
                dashboard,
            });
        }
        if let Some(end) = &view.outcome {
            self.screen.observe(Event::RunFinished {
                at,
                run: id,
                outcome: Some(end.outcome),
            });
        }
    }

    /// The operator answered a gate in a practice run.
    pub fn on_gate_answer(&mut self, _title: &str, a: &GateAnswer) {
        let Some(run) = self.current else { return };
        if self
            .open_gate
            .as_ref()
            .is_some_and(|(r, s)| *r == run && *s == a.step)
        {
            self.open_gate = None;
        }
        self.screen.observe(Event::GateAnswered {
            at: self.elapsed(),
            run,
            step: a.step.clone(),
            approvers: a.approvers.clone(),
            reason: a.reason.clone(),
            declined: false,
        });
    }

    fn finish(&mut self) {
        let at_end = self
            .estate
            .lock()
            .map_or_else(|_| EstateAtEnd::default(), |s| estate::at_end(&s));
        let report = self.screen.report(at_end);
        let verdict = if report.passed() { "PASSED" } else { "FAILED" };
        let note = match &self.report_dir {
            Some(dir) => match super::drill::write_report(dir, &report) {
                Ok(()) => format!("drill {verdict}: report written to {}", dir.display()),
                Err(e) => format!(
                    "drill {verdict}: the report could not be written to {}: {e}",
                    dir.display()
                ),
            },
            None => format!("drill {verdict}: no --report DIR given, report not written"),
        };
        log::info!("{note}");
        self.screen.report_written(note);
    }
}
