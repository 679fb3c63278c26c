//! The drill screen for a facilitator: the scenario's briefing, its
//! timeline of injects, controls (start, pause, speed, skip, inject by hand,
//! annotate, end) and the live score.
//!
//! It owns the drill's [`Referee`] (which owns the timeline state machine);
//! the runtime feeds it keys and, every tick, the drill time and what it saw
//! of the simulated estate, relays what practice runs did as referee
//! [`Event`]s, and carries out the [`DrillEffect`]s it returns. Nothing
//! outside these methods changes it.

mod keys;

use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::domain::drill::findings::{GateRecord, StepTiming};
use crate::domain::drill::referee::{EstateAtEnd, Event, Referee};
use crate::domain::drill::report::Report;
use crate::domain::drill::scenario::{ExpectedRunbook, Inject, InjectKind, Scenario};
use crate::domain::drill::score::Score;
use crate::domain::drill::timeline::{Drill, DrillCommand, DrillEvent};
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
    /// Change the simulated estate (a fault, or clear all), then tell the
    /// screen whether the estate accepted it ([`Event::Inject`]).
    Apply(Inject),
    /// Open a practice run of one of the scenario's runbooks.
    StartRunbook(ExpectedRunbook),
    /// The drill ended: write the report.
    Finished,
}

/// The drill screen's state.
#[derive(Debug, Clone)]
pub struct DrillScreen {
    referee: Referee,
    start: Timestamp,
    mode: DrillMode,
    messages: Vec<(Duration, String)>,
    report_note: Option<String>,
    /// Why the facilitator's last key did nothing: for their eyes only.
    notice: Option<String>,
    help: bool,
}

impl DrillScreen {
    /// A drill at its briefing; its clock starts at `start`, paused.
    #[must_use]
    pub fn new(scenario: Scenario, start: Timestamp) -> Self {
        Self {
            referee: Referee::new(scenario),
            start,
            mode: DrillMode::Controls,
            messages: Vec::new(),
            report_note: None,
            notice: None,
            help: false,
        }
    }

    /// The drill state machine (for the renderer and the report).
    #[must_use]
    pub fn drill(&self) -> &Drill {
        self.referee.drill()
    }

    /// The drill's judge.
    #[must_use]
    pub fn referee(&self) -> &Referee {
        &self.referee
    }

    /// When drill time 0 is on the simulated clock.
    #[must_use]
    pub fn start(&self) -> Timestamp {
        self.start
    }

    /// What the keys are doing.
    #[must_use]
    pub fn mode(&self) -> &DrillMode {
        &self.mode
    }

    /// Messages shown to participants, newest last: (offset, text).
    #[must_use]
    pub fn messages(&self) -> &[(Duration, String)] {
        &self.messages
    }

    /// Whether the simulated service is restored now (`None`: not seen yet).
    #[must_use]
    pub fn service_up(&self) -> Option<bool> {
        self.referee.service_up()
    }

    /// Gates the team answered in practice runs.
    #[must_use]
    pub fn gates(&self) -> &[GateRecord] {
        self.referee.gates()
    }

    /// The scenario runbooks whose runs recovered the service.
    #[must_use]
    pub fn completed(&self) -> &[String] {
        self.referee.recovered_by()
    }

    /// Practice-run steps, in the order they started.
    #[must_use]
    pub fn steps(&self) -> Vec<StepTiming> {
        self.referee.steps()
    }

    /// Where the report went, once written (or why it was not).
    #[must_use]
    pub fn report_note(&self) -> Option<&str> {
        self.report_note.as_deref()
    }

    /// Why the facilitator's last key did nothing, for the facilitator's
    /// pane (never the participants'): a key that does nothing says why.
    #[must_use]
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// Whether the help overlay is open.
    #[must_use]
    pub fn help(&self) -> bool {
        self.help
    }

    /// The score so far.
    #[must_use]
    pub fn score(&self) -> Score {
        self.referee.score()
    }

    /// The report as of now, with the estate's own facts.
    #[must_use]
    pub fn report(&self, estate: EstateAtEnd) -> Report {
        self.referee.report(self.start, "simulated", estate)
    }

    /// Time passed: drill time is `elapsed`; `seen` is what the estate
    /// showed since the last tick (a sample, promotions, restores).
    pub fn tick(&mut self, elapsed: Duration, seen: Vec<Event>) -> Vec<DrillEffect> {
        for e in seen {
            self.referee.observe(e);
        }
        self.handle(DrillEvent::Reached(elapsed))
    }

    /// Something the runtime saw (an inject applied or refused, a practice
    /// run's progress, a gate), for the referee.
    pub fn observe(&mut self, event: Event) {
        self.referee.observe(event);
    }

    /// The drill's report was written (or not): what the facilitator sees.
    pub fn report_written(&mut self, note: String) {
        self.report_note = Some(note);
    }

    fn handle(&mut self, event: DrillEvent) -> Vec<DrillEffect> {
        let mut out = Vec::new();
        for c in self.referee.control(event) {
            match c {
                DrillCommand::Clock(on) => out.push(DrillEffect::Clock(on)),
                DrillCommand::SetSpeed(x) => out.push(DrillEffect::Speed(x)),
                DrillCommand::JumpTo(t) => out.push(DrillEffect::JumpTo(t)),
                DrillCommand::Finish => out.push(DrillEffect::Finished),
                DrillCommand::Apply(inject) => {
                    if let InjectKind::Message { .. } = &inject.kind {
                        // A message applies by being shown.
                        let at = self.referee.drill().elapsed();
                        self.messages.push((at, inject.kind.describe()));
                        self.referee.observe(Event::Inject {
                            at,
                            name: inject.name,
                            disruptive: inject.disruptive,
                            applied: Ok(()),
                        });
                    } else {
                        out.push(DrillEffect::Apply(inject));
                    }
                }
            }
        }
        out
    }

    /// Applies one key.
    pub fn key(&mut self, key: KeyEvent) -> Vec<DrillEffect> {
        self.notice = None;
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
                    self.refuse("the drill goes on")
                }
            }
            DrillMode::Controls => match self.why_not(key.code) {
                Some(why) => self.refuse(&why),
                None => self.control_key(key),
            },
        }
    }
}
