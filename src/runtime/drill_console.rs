//! A drill in the console: the glue between the drill screen, the virtual
//! clock, the simulated estate and practice runs. The console forwards
//! keys, ticks and run views here; this carries out the drill's effects.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ratatui::crossterm::event::KeyEvent;
use tokio::sync::mpsc;

use crate::app::drill::{DrillEffect, DrillScreen};
use crate::app::run_request::RunRequest;
use crate::app::runbook::{GateAnswer, RunView, StepStatus};
use crate::config::drill_file::resolve_runbook;
use crate::domain::drill::report::{GateRecord, StepTiming};
use crate::domain::drill::scenario::{ExpectedRunbook, InjectKind};
use crate::domain::drill::score::{DataLoss, ServiceSample};
use crate::domain::runbook::protocol::RunOutcome;
use crate::sources::clock::{Clock, VirtualClock};
use crate::sources::sim::SimEstate;
use crate::sources::sim_source::SimCommand;

/// A drill running in the console.
pub struct DrillSession {
    /// The facilitator's screen.
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
    promotions_seen: usize,
    open_gate: Option<(String, Duration, String)>,
    recorded_outcome: bool,
    runs_started: usize,
    /// Steps seen running (name, drill offset) and those already recorded.
    step_started: Vec<(String, Duration)>,
    steps_done: Vec<String>,
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
            promotions_seen: 0,
            open_gate: None,
            recorded_outcome: false,
            runs_started: 0,
            step_started: Vec::new(),
            steps_done: Vec::new(),
        }
    }

    fn elapsed(&self) -> Duration {
        self.clock.now().since(self.screen.start)
    }

    /// A key for the drill screen; returns a run to start, if any.
    pub fn key(&mut self, key: KeyEvent) -> Option<RunRequest> {
        let effects = self.screen.key(key);
        self.apply(effects)
    }

    /// The clock moved: fire due injects and sample the service.
    pub fn tick(&mut self) -> Option<RunRequest> {
        let elapsed = self.elapsed();
        let (sample, losses) = match self.estate.lock() {
            Ok(s) => {
                let service = s.service();
                let losses: Vec<DataLoss> = s
                    .promotions()
                    .iter()
                    .skip(self.promotions_seen)
                    .map(|p| DataLoss {
                        cause: format!("promoted {} (from {})", p.to, p.from),
                        window: p.data_loss,
                    })
                    .collect();
                self.promotions_seen = s.promotions().len();
                let sample = ServiceSample {
                    at: elapsed,
                    api_healthy: service.api_healthy,
                    blocks_committing: service.blocks_committing,
                };
                (Some(sample), losses)
            }
            Err(_) => (None, Vec::new()),
        };
        let effects = self.screen.tick(elapsed, sample, losses);
        self.apply(effects)
    }

    fn apply(&mut self, effects: Vec<DrillEffect>) -> Option<RunRequest> {
        let mut start = None;
        for e in effects {
            match e {
                DrillEffect::Clock(on) => self.clock.set_paused(!on),
                DrillEffect::Speed(x) => self.clock.set_speed(f64::from(x)),
                DrillEffect::JumpTo(t) => self.clock.jump_to(self.screen.start.plus(t)),
                DrillEffect::Apply(InjectKind::Fault(f)) => {
                    let _ = self.sim.send(SimCommand::Inject(f));
                }
                DrillEffect::Apply(InjectKind::ClearFaults) => {
                    let _ = self.sim.send(SimCommand::ClearAll);
                }
                DrillEffect::Apply(InjectKind::Message { .. }) => {}
                DrillEffect::StartRunbook(rb) => {
                    self.runs_started += 1;
                    self.recorded_outcome = false;
                    start = Some(self.run_request(&rb));
                }
                DrillEffect::Finished => self.finish(),
            }
        }
        start
    }

    fn run_request(&self, rb: &ExpectedRunbook) -> RunRequest {
        // Each practice run of a drill has its own fresh journal.
        let journal = std::env::temp_dir().join(format!(
            "drconsole-drill-{}-{}-{}.journal",
            std::process::id(),
            self.screen.drill().scenario().id,
            self.runs_started
        ));
        RunRequest {
            runbook: resolve_runbook(&self.scenario_path, &rb.path),
            vars: rb.vars.clone(),
            journal: Some(journal),
            practice: true,
        }
    }

    /// A run's new picture: note gates opening, steps finishing and the
    /// run recovering.
    pub fn on_run_view(&mut self, view: &RunView) {
        self.note_steps(view);
        // A gate that was not open before: note when, and the dashboard then.
        if let Some(step) = view.gate.as_ref().map(|g| &g.step)
            && self
                .open_gate
                .as_ref()
                .is_none_or(|(open, ..)| open != step)
        {
            let dashboard = self
                .estate
                .lock()
                .map(|s| super::drill::dashboard_text(&s))
                .unwrap_or_default();
            self.open_gate = Some((step.clone(), self.elapsed(), dashboard));
        }
        if let Some(end) = &view.outcome
            && !self.recorded_outcome
        {
            self.recorded_outcome = true;
            self.screen.record(format!(
                "runbook {}: {}",
                view.title,
                crate::ui::runbook::outcome_words(end)
            ));
            if end.outcome == RunOutcome::Recovered {
                let first = self
                    .screen
                    .drill()
                    .scenario()
                    .runbooks
                    .first()
                    .map(|r| r.path.clone());
                self.screen
                    .completed
                    .push(first.unwrap_or_else(|| view.title.clone()));
            }
        }
    }

    fn note_steps(&mut self, view: &RunView) {
        let now = self.elapsed();
        for row in &view.rows {
            let key = format!("{}/{}", self.runs_started, row.name);
            match row.status {
                StepStatus::Running | StepStatus::AwaitingGate => {
                    if !self.step_started.iter().any(|(k, _)| *k == key) {
                        self.step_started.push((key, now));
                    }
                }
                StepStatus::Passed
                | StepStatus::Failed
                | StepStatus::Skipped
                | StepStatus::RolledBack => {
                    if self.steps_done.contains(&key) {
                        continue;
                    }
                    let started = self
                        .step_started
                        .iter()
                        .find(|(k, _)| *k == key)
                        .map_or(now, |(_, at)| *at);
                    self.screen.steps.push(StepTiming {
                        runbook: view.title.clone(),
                        step: row.name.clone(),
                        outcome: row.status.word().to_lowercase(),
                        started_seconds: started.as_secs(),
                        duration_seconds: now.saturating_sub(started).as_secs(),
                    });
                    self.steps_done.push(key);
                }
                StepStatus::Pending | StepStatus::OutcomeUnknown => {}
            }
        }
    }

    /// The operator answered a gate in a practice run.
    pub fn on_gate_answer(&mut self, title: &str, a: &GateAnswer) {
        let (opened, dashboard) = match self.open_gate.take() {
            Some((step, at, dash)) if step == a.step => (at, dash),
            other => {
                self.open_gate = other;
                (self.elapsed(), String::new())
            }
        };
        self.screen.gates.push(GateRecord {
            runbook: title.to_owned(),
            step: a.step.clone(),
            opened_seconds: opened.as_secs(),
            waited_seconds: self.elapsed().saturating_sub(opened).as_secs(),
            approvers: a.approvers.clone(),
            reason: a.reason.clone(),
            dashboard,
        });
    }

    fn finish(&mut self) {
        let (primary, double) = match self.estate.lock() {
            Ok(s) => (
                s.database_primary().to_owned(),
                s.double_signs()
                    .iter()
                    .map(|d| d.validator.clone())
                    .collect(),
            ),
            Err(_) => (String::new(), Vec::new()),
        };
        let report = self.screen.report(&primary, double);
        let verdict = if report.passed() { "PASSED" } else { "FAILED" };
        self.screen.report_note = Some(match &self.report_dir {
            Some(dir) => match super::drill::write_report(dir, &report) {
                Ok(()) => format!("drill {verdict}: report written to {}", dir.display()),
                Err(e) => format!(
                    "drill {verdict}: the report could not be written to {}: {e}",
                    dir.display()
                ),
            },
            None => format!("drill {verdict}: no --report DIR given, report not written"),
        });
        log::info!("{}", self.screen.report_note.as_deref().unwrap_or_default());
    }
}
