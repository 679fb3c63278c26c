//! The drill as a state machine: the facilitator's controls and the passing
//! of (virtual) time go in; the injects that are due come out, and every
//! moment is kept for the report.

use std::time::Duration;

use super::scenario::{InjectKind, Scenario};

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
    /// Something the runbooks did, for the timeline ("promote_database passed").
    Record(String),
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
    /// Apply an inject to the estate or show it to the participants.
    Apply(InjectKind),
    /// The drill is over.
    Finish,
}

/// The kind of a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// Anything else.
    Note,
    /// A decision the team took.
    Decision,
    /// Something learned: goes to "what to improve".
    Finding,
    /// An open question: becomes an action item.
    Question,
    /// Explicitly an action item.
    Action,
}

/// One moment on the drill's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    /// Offset from the start.
    pub at: Duration,
    /// What happened.
    pub what: Happening,
}

/// What happened at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Happening {
    /// The clock started.
    Started,
    /// Paused by the facilitator.
    Paused,
    /// Resumed.
    Resumed,
    /// Speed changed.
    Speed(u32),
    /// An inject fired.
    Inject {
        /// Its name.
        name: String,
        /// What it did.
        description: String,
        /// Fired by hand rather than by the timeline.
        by_hand: bool,
        /// Whether it disrupted service.
        disruptive: bool,
    },
    /// A note.
    Note {
        /// Which kind.
        kind: NoteKind,
        /// The text (without its `kind:` prefix).
        text: String,
    },
    /// Something a runbook did.
    Record(String),
    /// The drill ended.
    Ended {
        /// By hand or because the scenario's time ran out.
        by_hand: bool,
    },
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

    /// When the first disruptive inject fired: the RTO clock's start.
    #[must_use]
    pub fn first_disruption(&self) -> Option<Duration> {
        self.moments.iter().find_map(|m| match m.what {
            Happening::Inject {
                disruptive: true, ..
            } => Some(m.at),
            _ => None,
        })
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
            DrillEvent::Record(text) => {
                self.note(Happening::Record(text));
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
        Some(DrillCommand::Apply(inject.kind))
    }

    fn note(&mut self, what: Happening) {
        self.moments.push(Moment {
            at: self.elapsed,
            what,
        });
    }
}

/// Splits `decision: text` into its kind and text.
fn split_note(text: &str) -> (NoteKind, String) {
    let t = text.trim();
    for (prefix, kind) in [
        ("decision:", NoteKind::Decision),
        ("finding:", NoteKind::Finding),
        ("question:", NoteKind::Question),
        ("action:", NoteKind::Action),
    ] {
        if let Some(rest) = t.strip_prefix(prefix).or_else(|| {
            t.get(..prefix.len())
                .filter(|p| p.eq_ignore_ascii_case(prefix))
                .map(|_| &t[prefix.len()..])
        }) {
            return (kind, rest.trim().to_string());
        }
    }
    (NoteKind::Note, t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::drill::scenario::{Inject, Scenario};
    use crate::domain::estate::Targets;

    fn inject(name: &str, at: Option<u64>, kind: InjectKind, disruptive: bool) -> Inject {
        Inject {
            name: name.into(),
            at: at.map(Duration::from_secs),
            kind,
            disruptive,
        }
    }

    fn scenario() -> Scenario {
        Scenario {
            id: "t".into(),
            name: "test".into(),
            briefing: String::new(),
            objectives: Vec::new(),
            roles: Vec::new(),
            targets: Targets {
                rto: Duration::from_mins(15),
                rpo: Duration::from_mins(5),
            },
            seed: 1,
            duration: Duration::from_mins(30),
            runbooks: Vec::new(),
            injects: vec![
                inject(
                    "msg",
                    Some(180),
                    InjectKind::Message {
                        from: None,
                        text: "users report errors".into(),
                    },
                    false,
                ),
                inject(
                    "hc",
                    Some(120),
                    InjectKind::Fault("health-check-failure us-east-1".parse().expect("a fault")),
                    true,
                ),
                inject(
                    "down",
                    Some(180),
                    InjectKind::Fault("region-down us-east-1".parse().expect("a fault")),
                    true,
                ),
                inject("spare", None, InjectKind::ClearFaults, false),
            ],
            criteria: Vec::new(),
        }
    }

    fn applied(cmds: &[DrillCommand]) -> Vec<String> {
        cmds.iter()
            .filter_map(|c| match c {
                DrillCommand::Apply(k) => Some(k.describe()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn injects_fire_in_time_order_once() {
        let mut d = Drill::new(scenario());
        assert!(
            d.handle(DrillEvent::Reached(Duration::from_mins(5)))
                .is_empty(),
            "nothing before start"
        );
        assert_eq!(d.handle(DrillEvent::Start), vec![DrillCommand::Clock(true)]);
        assert!(applied(&d.handle(DrillEvent::Reached(Duration::from_secs(119)))).is_empty());
        assert_eq!(
            applied(&d.handle(DrillEvent::Reached(Duration::from_mins(2)))),
            ["fault: health-check-failure us-east-1"]
        );
        let both = applied(&d.handle(DrillEvent::Reached(Duration::from_secs(200))));
        assert_eq!(
            both,
            ["\"users report errors\"", "fault: region-down us-east-1"],
            "same time: file order"
        );
        assert!(applied(&d.handle(DrillEvent::Reached(Duration::from_secs(400)))).is_empty());
        assert_eq!(d.first_disruption(), Some(Duration::from_mins(2)));
    }

    #[test]
    fn skip_jumps_to_the_next_inject_and_hand_injects_fire_once() {
        let mut d = Drill::new(scenario());
        d.handle(DrillEvent::Start);
        assert_eq!(
            d.handle(DrillEvent::SkipToNext),
            vec![DrillCommand::JumpTo(Duration::from_mins(2))]
        );
        assert_eq!(
            applied(&d.handle(DrillEvent::InjectByHand(3))),
            ["all faults cleared"]
        );
        assert!(d.handle(DrillEvent::InjectByHand(3)).is_empty());
        assert_eq!(
            applied(&d.handle(DrillEvent::InjectByHand(2))),
            ["fault: region-down us-east-1"]
        );
        d.handle(DrillEvent::Reached(Duration::from_mins(3)));
        assert!(d.fired(0) && d.fired(1) && d.fired(2));
        assert_eq!(
            d.handle(DrillEvent::SkipToNext),
            Vec::new(),
            "nothing left to skip to"
        );
    }

    #[test]
    fn pause_speed_and_end() {
        let mut d = Drill::new(scenario());
        assert!(
            d.handle(DrillEvent::Pause).is_empty(),
            "cannot pause a briefing"
        );
        d.handle(DrillEvent::Start);
        assert_eq!(
            d.handle(DrillEvent::Pause),
            vec![DrillCommand::Clock(false)]
        );
        assert_eq!(d.phase(), Phase::Paused);
        assert_eq!(
            d.handle(DrillEvent::Resume),
            vec![DrillCommand::Clock(true)]
        );
        assert_eq!(
            d.handle(DrillEvent::Speed(10)),
            vec![DrillCommand::SetSpeed(10)]
        );
        assert!(
            d.handle(DrillEvent::Speed(7)).is_empty(),
            "only 1x, 2x, 10x"
        );
        let end = d.handle(DrillEvent::Reached(Duration::from_mins(30)));
        assert!(end.contains(&DrillCommand::Finish));
        assert_eq!(d.phase(), Phase::Ended);
        assert!(d.handle(DrillEvent::Start).is_empty());
    }

    #[test]
    fn annotations_keep_their_kind_and_time() {
        let mut d = Drill::new(scenario());
        d.handle(DrillEvent::Start);
        d.handle(DrillEvent::Reached(Duration::from_secs(90)));
        d.handle(DrillEvent::Annotate(
            "Decision: fail over to eu-west-1".into(),
        ));
        d.handle(DrillEvent::Annotate("  ".into()));
        d.handle(DrillEvent::Annotate("dashboards lag behind".into()));
        let notes: Vec<_> = d
            .moments()
            .iter()
            .filter_map(|m| match &m.what {
                Happening::Note { kind, text } => Some((m.at, *kind, text.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            notes,
            vec![
                (
                    Duration::from_secs(90),
                    NoteKind::Decision,
                    "fail over to eu-west-1".to_string()
                ),
                (
                    Duration::from_secs(90),
                    NoteKind::Note,
                    "dashboards lag behind".to_string()
                ),
            ]
        );
    }
}
