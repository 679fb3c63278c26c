//! The drill screen for a facilitator: the scenario's briefing, its
//! timeline of injects, controls (start, pause, speed, skip, inject by hand,
//! annotate, end) and the live score.
//!
//! It owns the pure [`Drill`] state machine and the [`Scorekeeper`]; the
//! runtime feeds it keys and, every tick, the drill time and a sample of
//! the simulated service, and carries out the [`DrillEffect`]s it returns.

use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::domain::drill::report::{Findings, GateRecord, Report};
use crate::domain::drill::scenario::{ExpectedRunbook, InjectKind, Scenario};
use crate::domain::drill::score::{DataLoss, Scorekeeper, ServiceSample};
use crate::domain::drill::timeline::{Drill, DrillCommand, DrillEvent, Phase};
use crate::domain::time::Timestamp;

/// What the facilitator's keys are doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrillMode {
    /// Keys are controls.
    Controls,
    /// Typing a note.
    Annotate(String),
    /// Choosing an inject to fire by hand.
    PickInject(usize),
    /// Asked "end the drill?".
    ConfirmEnd,
}

/// What the runtime must do for the drill screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrillEffect {
    /// Run (true) or stop (false) the virtual clock.
    Clock(bool),
    /// Set the virtual clock's speed.
    Speed(u32),
    /// Move the virtual clock to this drill offset.
    JumpTo(Duration),
    /// Change the simulated estate (a fault, or clear all).
    Apply(InjectKind),
    /// Open a practice run of one of the scenario's runbooks.
    StartRunbook(ExpectedRunbook),
    /// The drill ended: write the report.
    Finished,
}

/// The drill screen's state.
#[derive(Debug, Clone)]
pub struct DrillScreen {
    drill: Drill,
    keeper: Scorekeeper,
    /// When drill time 0 is on the simulated clock.
    pub start: Timestamp,
    /// Keys' mode.
    pub mode: DrillMode,
    /// Messages shown to participants, newest last: (offset, text).
    pub messages: Vec<(Duration, String)>,
    /// Whether the simulated service is restored now.
    pub service_up: Option<bool>,
    /// Gates the team answered in practice runs.
    pub gates: Vec<GateRecord>,
    /// Runbooks that recovered.
    pub completed: Vec<String>,
    /// Practice-run steps as they finished.
    pub steps: Vec<crate::domain::drill::report::StepTiming>,
    /// Where the report went, once written (or why it was not).
    pub report_note: Option<String>,
    /// Help overlay open.
    pub help: bool,
}

impl DrillScreen {
    /// A drill at its briefing; its clock starts at `start`, paused.
    #[must_use]
    pub fn new(scenario: Scenario, start: Timestamp) -> Self {
        Self {
            drill: Drill::new(scenario),
            keeper: Scorekeeper::default(),
            start,
            mode: DrillMode::Controls,
            messages: Vec::new(),
            service_up: None,
            gates: Vec::new(),
            completed: Vec::new(),
            steps: Vec::new(),
            report_note: None,
            help: false,
        }
    }

    /// The drill state machine (for the renderer and the report).
    #[must_use]
    pub fn drill(&self) -> &Drill {
        &self.drill
    }

    /// The score so far.
    #[must_use]
    pub fn score(&self) -> crate::domain::drill::score::Score {
        self.keeper.score()
    }

    /// The report as of now, with the estate's own facts.
    #[must_use]
    pub fn report(&self, database_primary: &str, double_signs: Vec<String>) -> Report {
        let findings = Findings {
            database_primary: database_primary.to_owned(),
            double_signs,
            runbooks_completed: self.completed.clone(),
            steps: self.steps.clone(),
            gates: self.gates.clone(),
        };
        Report::build(
            self.drill.scenario(),
            self.start,
            "simulated",
            self.drill.elapsed(),
            self.drill.moments(),
            &self.keeper.score(),
            &findings,
        )
    }

    /// Time passed: drill time is `elapsed`; `sample` is the service now;
    /// `losses` are data-loss windows that happened since the last tick.
    pub fn tick(
        &mut self,
        elapsed: Duration,
        sample: Option<ServiceSample>,
        losses: Vec<DataLoss>,
    ) -> Vec<DrillEffect> {
        for l in losses {
            self.keeper.lost(l);
        }
        if let Some(s) = sample {
            self.service_up = Some(s.restored());
            self.keeper.sample(s);
        }
        self.handle(DrillEvent::Reached(elapsed))
    }

    /// Something a practice run did, for the timeline.
    pub fn record(&mut self, text: String) {
        self.drill.handle(DrillEvent::Record(text));
    }

    fn handle(&mut self, event: DrillEvent) -> Vec<DrillEffect> {
        let mut out = Vec::new();
        for c in self.drill.handle(event) {
            match c {
                DrillCommand::Clock(on) => out.push(DrillEffect::Clock(on)),
                DrillCommand::SetSpeed(x) => out.push(DrillEffect::Speed(x)),
                DrillCommand::JumpTo(t) => out.push(DrillEffect::JumpTo(t)),
                DrillCommand::Finish => out.push(DrillEffect::Finished),
                DrillCommand::Apply(kind) => {
                    if let InjectKind::Message { .. } = &kind {
                        self.messages.push((self.drill.elapsed(), kind.describe()));
                    } else {
                        out.push(DrillEffect::Apply(kind));
                    }
                }
            }
        }
        if let Some(first) = self.drill.first_disruption() {
            self.keeper.disrupted(first);
        }
        out
    }

    /// Applies one key.
    pub fn key(&mut self, key: KeyEvent) -> Vec<DrillEffect> {
        if self.help {
            self.help = false;
            return Vec::new();
        }
        match self.mode.clone() {
            DrillMode::Annotate(text) => self.annotate_key(key, text),
            DrillMode::PickInject(i) => self.pick_key(key, i),
            DrillMode::ConfirmEnd => {
                self.mode = DrillMode::Controls;
                if matches!(key.code, KeyCode::Char('y' | 'Y')) {
                    self.handle(DrillEvent::End)
                } else {
                    Vec::new()
                }
            }
            DrillMode::Controls => self.control_key(key),
        }
    }

    fn control_key(&mut self, key: KeyEvent) -> Vec<DrillEffect> {
        match key.code {
            KeyCode::Char('s') if self.drill.phase() == Phase::Briefing => {
                self.handle(DrillEvent::Start)
            }
            KeyCode::Char('p' | ' ') => match self.drill.phase() {
                Phase::Running => self.handle(DrillEvent::Pause),
                Phase::Paused => self.handle(DrillEvent::Resume),
                _ => Vec::new(),
            },
            KeyCode::Char('1') => self.handle(DrillEvent::Speed(1)),
            KeyCode::Char('2') => self.handle(DrillEvent::Speed(2)),
            KeyCode::Char('0') => self.handle(DrillEvent::Speed(10)),
            KeyCode::Char('n') => self.handle(DrillEvent::SkipToNext),
            KeyCode::Char('i') if self.drill.phase() != Phase::Briefing => {
                self.mode = DrillMode::PickInject(0);
                Vec::new()
            }
            KeyCode::Char('a') => {
                self.mode = DrillMode::Annotate(String::new());
                Vec::new()
            }
            KeyCode::Char('e') if self.drill.phase() != Phase::Ended => {
                self.mode = DrillMode::ConfirmEnd;
                Vec::new()
            }
            KeyCode::Char('r') if self.drill.phase() != Phase::Briefing => self
                .drill
                .scenario()
                .runbooks
                .first()
                .map(|r| vec![DrillEffect::StartRunbook(r.clone())])
                .unwrap_or_default(),
            KeyCode::Char('?') => {
                self.help = true;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn annotate_key(&mut self, key: KeyEvent, mut text: String) -> Vec<DrillEffect> {
        match key.code {
            KeyCode::Esc => self.mode = DrillMode::Controls,
            KeyCode::Enter => {
                self.mode = DrillMode::Controls;
                return self.handle(DrillEvent::Annotate(text));
            }
            KeyCode::Backspace => {
                text.pop();
                self.mode = DrillMode::Annotate(text);
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                text.push(c);
                self.mode = DrillMode::Annotate(text);
            }
            _ => self.mode = DrillMode::Annotate(text),
        }
        Vec::new()
    }

    fn pick_key(&mut self, key: KeyEvent, i: usize) -> Vec<DrillEffect> {
        let n = self.drill.scenario().injects.len();
        match key.code {
            KeyCode::Esc => self.mode = DrillMode::Controls,
            KeyCode::Down | KeyCode::Char('j') => {
                self.mode = DrillMode::PickInject((i + 1).min(n.saturating_sub(1)));
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.mode = DrillMode::PickInject(i.saturating_sub(1));
            }
            KeyCode::Enter => {
                self.mode = DrillMode::Controls;
                return self.handle(DrillEvent::InjectByHand(i));
            }
            _ => {}
        }
        Vec::new()
    }
}
