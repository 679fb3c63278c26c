//! The drill as a state machine: the facilitator's controls and the passing
//! of (virtual) time go in; the injects that are due come out, and every
//! moment is kept for the report.

use std::time::Duration;

use super::moments::{Happening, Moment, split_note};
use super::scenario::{Inject, Scenario};

/// Where the drill is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Briefing: the clock has not started.
    Briefing,
    /// Time runs and injects fire.
    Running,
    /// The facilitator paused: time stands still.
    Paused,
    /// Over: the report can be written.
    Ended,
}

/// What the facilitator (or a script, or the passing of time) does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrillEvent {
    /// Start the clock.
    Start,
    /// Stop the clock.
    Pause,
    /// Restart the clock.
    Resume,
    /// Run the clock this many times faster than real time (1, 2, 10).
    Speed(u32),
    /// Jump the clock to the next timed inject.
    SkipToNext,
    /// Fire an inject now, by its index in the scenario.
    InjectByHand(usize),
    /// A timestamped note; a leading `decision:`, `finding:`, `question:`
    /// or `action:` says which kind.
    Annotate(String),
    /// Drill time has reached this offset from the start.
    Reached(Duration),
    /// End the drill now.
    End,
}

/// What the runtime must do for the drill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrillCommand {
    /// Start, stop or restart the clock (true = running).
    Clock(bool),
    /// Change the clock's speed.
    SetSpeed(u32),
    /// Move the clock forward to this offset from the start.
    JumpTo(Duration),
    /// Apply an inject to the estate or show it to the participants; the
    /// runtime tells the referee whether the estate accepted it.
    Apply(Inject),
    /// The drill is over.
    Finish,
}

/// The drill's state.
#[derive(Debug, Clone)]
pub struct Drill {
    scenario: Scenario,
    phase: Phase,
    elapsed: Duration,
    speed: u32,
    fired: Vec<bool>,
    moments: Vec<Moment>,
}

/// Speeds the facilitator may pick.
pub const SPEEDS: [u32; 3] = [1, 2, 10];

impl Drill {
    /// A drill at its briefing.
    #[must_use]
    pub fn new(scenario: Scenario) -> Self {
        let n = scenario.injects.len();
        Self {
            scenario,
            phase: Phase::Briefing,
            elapsed: Duration::ZERO,
            speed: 1,
            fired: vec![false; n],
            moments: Vec::new(),
        }
    }

    /// The scenario being run.
    #[must_use]
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Where the drill is.
    #[must_use]
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Drill time so far.
    #[must_use]
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// The clock's speed.
    #[must_use]
    pub fn speed(&self) -> u32 {
        self.speed
    }

    /// Whether inject `i` has fired.
    #[must_use]
    pub fn fired(&self, i: usize) -> bool {
        self.fired.get(i).copied().unwrap_or(false)
    }

    /// Everything that happened, in order.
    #[must_use]
    pub fn moments(&self) -> &[Moment] {
        &self.moments
    }

    /// The next timed inject that has not fired: (index, offset).
    #[must_use]
    pub fn next_inject(&self) -> Option<(usize, Duration)> {
        self.scenario
            .timed()
            .filter(|(i, _)| !self.fired(*i))
            .filter_map(|(i, inj)| inj.at.map(|at| (i, at)))
            .min_by_key(|(i, at)| (*at, *i))
    }

    /// Applies one event; returns what the runtime must do, in order.
    pub fn handle(&mut self, event: DrillEvent) -> Vec<DrillCommand> {
        if self.phase == Phase::Ended {
            return Vec::new();
        }
        match event {
            DrillEvent::Start if self.phase == Phase::Briefing => {
                self.phase = Phase::Running;
                self.note(Happening::Started);
                let mut out = vec![DrillCommand::Clock(true)];
                out.extend(self.fire_due());
                out
            }
            DrillEvent::Pause if self.phase == Phase::Running => {
                self.phase = Phase::Paused;
                self.note(Happening::Paused);
                vec![DrillCommand::Clock(false)]
            }
            DrillEvent::Resume if self.phase == Phase::Paused => {
                self.phase = Phase::Running;
                self.note(Happening::Resumed);
                vec![DrillCommand::Clock(true)]
            }
            DrillEvent::Speed(x) if SPEEDS.contains(&x) && x != self.speed => {
                self.speed = x;
                self.note(Happening::Speed(x));
                vec![DrillCommand::SetSpeed(x)]
            }
            DrillEvent::SkipToNext if self.phase != Phase::Briefing => match self.next_inject() {
                Some((_, at)) if at > self.elapsed => vec![DrillCommand::JumpTo(at)],
                _ => Vec::new(),
            },
            DrillEvent::InjectByHand(i) if self.phase != Phase::Briefing && !self.fired(i) => {
                self.fire(i, true).into_iter().collect()
            }
            DrillEvent::Annotate(text) => {
                let (kind, text) = split_note(&text);
                if text.is_empty() {
                    return Vec::new();
                }
                self.note(Happening::Note { kind, text });
                Vec::new()
            }
            DrillEvent::Reached(t) if self.phase != Phase::Briefing => {
                self.elapsed = self.elapsed.max(t);
                let mut out = self.fire_due();
                if self.elapsed >= self.scenario.duration {
                    out.extend(self.end(false));
                }
                out
            }
            DrillEvent::End => self.end(true),
            _ => Vec::new(),
        }
    }

    fn end(&mut self, by_hand: bool) -> Vec<DrillCommand> {
        self.phase = Phase::Ended;
        self.note(Happening::Ended { by_hand });
        vec![DrillCommand::Clock(false), DrillCommand::Finish]
    }

    fn fire_due(&mut self) -> Vec<DrillCommand> {
        let mut out = Vec::new();
        while let Some((i, at)) = self.next_inject() {
            if at > self.elapsed {
                break;
            }
            out.extend(self.fire(i, false));
        }
        out
    }

    fn fire(&mut self, i: usize, by_hand: bool) -> Option<DrillCommand> {
        let inject = self.scenario.injects.get(i)?.clone();
        if let Some(f) = self.fired.get_mut(i) {
            *f = true;
        }
        self.note(Happening::Inject {
            name: inject.name.clone(),
            description: inject.kind.describe(),
            by_hand,
            disruptive: inject.disruptive,
        });
        Some(DrillCommand::Apply(inject))
    }

    /// Puts something the referee learned on the timeline at `at`
    /// (nothing once the drill is over).
    pub(super) fn record(&mut self, at: Duration, what: Happening) {
        if self.phase != Phase::Ended {
            self.moments.push(Moment { at, what });
        }
    }

    fn note(&mut self, what: Happening) {
        self.moments.push(Moment {
            at: self.elapsed,
            what,
        });
    }
}

#[cfg(test)]
#[path = "timeline_tests.rs"]
mod tests;
