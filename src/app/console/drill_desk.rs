//! The drill inside the console: the facilitator's screen and the practice
//! runs it started, known by their journals.
//!
//! The desk turns what the screen asks for into effects (clock, estate,
//! a run to open) and relays what practice runs do (started, steps, gates,
//! end) to the screen's referee as typed events. Drill time arrives in
//! [`DrillMsg`]s; the desk reads no clock and touches no estate.

use std::path::PathBuf;
use std::time::Duration;

use ratatui::crossterm::event::KeyEvent;

use crate::app::drill::{DrillEffect, DrillScreen};
use crate::app::run_request::RunRequest;
use crate::app::runbook::{GateAnswer, RunView, step_word};
use crate::app::{DrillMsg, DrillWork, Effect, ReportFiled};
use crate::config::drill_file::resolve_runbook;
use crate::domain::drill::referee::{Event, RunId};
use crate::domain::drill::scenario::ExpectedRunbook;
use crate::domain::runbook::record::StepState;

/// A practice run the drill asked for; it gets an id when it opens.
#[derive(Debug, Clone)]
struct DrillRun {
    id: Option<RunId>,
    runbook: String,
    journal: String,
}

/// A drill's screen and the practice runs it started.
#[derive(Debug, Clone)]
pub struct DrillDesk {
    screen: DrillScreen,
    /// The scenario file: its runbooks are relative to it.
    scenario_path: PathBuf,
    /// Each practice run's journal is `{stem}-{scenario}-{n}.journal`.
    journal_stem: PathBuf,
    runs: Vec<DrillRun>,
    opened: usize,
    /// The drill run the latest view was of, if it was one.
    current: Option<RunId>,
    /// The gate last seen open (run, step): its dashboard is kept once.
    open_gate: Option<(RunId, String)>,
    /// Drill time as of the latest message that carried it.
    now: Duration,
    /// Whether the report being filed passed.
    verdict: Option<bool>,
}

impl DrillDesk {
    /// A desk over a screen at its briefing. `journal_stem` is where its
    /// practice runs' journals go, one fresh file per run.
    #[must_use]
    pub fn new(screen: DrillScreen, scenario_path: PathBuf, journal_stem: PathBuf) -> Self {
        Self {
            screen,
            scenario_path,
            journal_stem,
            runs: Vec::new(),
            opened: 0,
            current: None,
            open_gate: None,
            now: Duration::ZERO,
            verdict: None,
        }
    }

    /// The facilitator's screen.
    #[must_use]
    pub fn screen(&self) -> &DrillScreen {
        &self.screen
    }

    /// True when the run with this journal is one the drill started (a
    /// run opened by hand during a drill is not judged, nor timed on the
    /// drill's clock).
    #[must_use]
    pub fn started(&self, journal: &str) -> bool {
        self.runs.iter().any(|r| r.journal == journal)
    }

    /// A key for the drill screen.
    pub(super) fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let effects = self.screen.key(key);
        self.carry(effects)
    }

    /// A message from the drill's clock and estate.
    pub(super) fn on_msg(&mut self, msg: DrillMsg) -> Vec<Effect> {
        match msg {
            DrillMsg::Clock(now) => {
                self.now = now;
                Vec::new()
            }
            DrillMsg::Tick { elapsed, seen } => {
                self.now = elapsed;
                let effects = self.screen.tick(elapsed, seen);
                self.carry(effects)
            }
            DrillMsg::Saw(event) => {
                self.screen.observe(event);
                Vec::new()
            }
            DrillMsg::EstateAtEnd(at_end) => {
                let report = self.screen.report(at_end);
                self.verdict = Some(report.passed());
                vec![Effect::Drill(DrillWork::WriteReport(Box::new(report)))]
            }
            DrillMsg::ReportFiled(filed) => {
                let verdict = if self.verdict == Some(true) {
                    "PASSED"
                } else {
                    "FAILED"
                };
                self.screen.report_written(match filed {
                    ReportFiled::Written(dir) => {
                        format!(
                            "drill {verdict}: report written to {} (report.md, report.html, report.json)",
                            dir.display()
                        )
                    }
                    ReportFiled::Failed { dir, error } => format!(
                        "drill {verdict}: the report could not be written to {}: {error}",
                        dir.display()
                    ),
                    ReportFiled::NotAsked => {
                        format!("drill {verdict}: no --report DIR given, report not written")
                    }
                });
                Vec::new()
            }
        }
    }

    fn carry(&mut self, effects: Vec<DrillEffect>) -> Vec<Effect> {
        effects
            .into_iter()
            .map(|e| match e {
                DrillEffect::Clock(on) => Effect::Drill(DrillWork::Clock(on)),
                DrillEffect::Speed(x) => Effect::Drill(DrillWork::Speed(x)),
                DrillEffect::JumpTo(t) => Effect::Drill(DrillWork::JumpTo(t)),
                DrillEffect::Apply(inject) => Effect::Drill(DrillWork::Apply {
                    inject,
                    at: self.screen.drill().elapsed(),
                }),
                DrillEffect::StartRunbook(rb) => Effect::StartRun(self.run_request(&rb)),
                DrillEffect::Finished => Effect::Drill(DrillWork::ReadEstateAtEnd),
            })
            .collect()
    }

    fn run_request(&mut self, rb: &ExpectedRunbook) -> RunRequest {
        // Each practice run of a drill has its own fresh journal, by which
        // its views are known.
        let mut journal = self.journal_stem.clone().into_os_string();
        journal.push(format!(
            "-{}-{}.journal",
            self.screen.drill().scenario().id,
            self.runs.len() + 1
        ));
        let journal = PathBuf::from(journal);
        self.runs.push(DrillRun {
            id: None,
            runbook: rb.path.clone(),
            journal: journal.display().to_string(),
        });
        RunRequest {
            runbook: resolve_runbook(&self.scenario_path, &rb.path),
            vars: rb.vars.clone(),
            journal: Some(journal),
            practice: true,
        }
    }

    /// A run's picture: relay the run starting, its steps, a gate opening
    /// (the runtime adds the dashboard) and its end. Runs the drill did not
    /// start are not judged.
    pub(super) fn on_run_view(&mut self, view: &RunView) -> Vec<Effect> {
        let at = self.now;
        let Some(run) = self.runs.iter_mut().find(|r| r.journal == view.journal) else {
            self.current = None;
            return Vec::new();
        };
        let id = if let Some(id) = run.id {
            id
        } else {
            let id = RunId(self.opened);
            self.opened += 1;
            run.id = Some(id);
            let runbook = run.runbook.clone();
            self.screen.observe(Event::RunStarted {
                at,
                run: id,
                runbook,
            });
            id
        };
        self.current = Some(id);
        for row in &view.rows {
            // A step starts when its work does, not when its gate opens
            // (the gate is judged on its own): the picture says how long
            // the work has run, so a step begun and ended between two
            // pictures still gets its true duration.
            let began = || Event::StepStarted {
                at: at.saturating_sub(row.elapsed.unwrap_or_default()),
                run: id,
                step: row.name.clone(),
            };
            match &row.status {
                StepState::Running | StepState::Waiting { .. } => self.screen.observe(began()),
                StepState::Passed
                | StepState::Failed { .. }
                | StepState::Skipped
                | StepState::RolledBack => {
                    self.screen.observe(began());
                    self.screen.observe(Event::StepFinished {
                        at,
                        run: id,
                        step: row.name.clone(),
                        outcome: step_word(&row.status).to_lowercase(),
                    });
                }
                StepState::AwaitingGate | StepState::Pending | StepState::OutcomeUnknown => {}
            }
        }
        let mut out = Vec::new();
        if let Some(step) = view.gate.as_ref().map(|g| &g.step)
            && self
                .open_gate
                .as_ref()
                .is_none_or(|(r, open)| *r != id || open != step)
        {
            self.open_gate = Some((id, step.clone()));
            out.push(Effect::Drill(DrillWork::GateOpened {
                at,
                run: id,
                step: step.clone(),
            }));
        }
        if let Some(end) = &view.outcome {
            self.screen.observe(Event::RunFinished {
                at,
                run: id,
                outcome: Some(end.outcome),
            });
        }
        out
    }

    /// The operator answered a gate of the current run.
    pub(super) fn on_gate_answer(&mut self, a: &GateAnswer) {
        let Some(run) = self.current else { return };
        if self
            .open_gate
            .as_ref()
            .is_some_and(|(r, s)| *r == run && *s == a.step)
        {
            self.open_gate = None;
        }
        self.screen.observe(Event::GateAnswered {
            at: self.now,
            run,
            step: a.step.clone(),
            approvers: a.approvers.clone(),
            reason: a.reason.clone(),
            declined: false,
        });
    }
}
