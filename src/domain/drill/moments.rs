//! What the drill's timeline is made of: moments, what happened at each,
//! the kinds of notes the team takes, and how each moment is worded so the
//! report and the drill screen say it the same way.

use std::time::Duration;

use crate::domain::runbook::protocol::RunOutcome;

/// The kind of a note, from its prefix: each kind lands in the report
/// where it says, and nowhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// No prefix: kept in the timeline and under other notes.
    Note,
    /// `strength:` something that went well: under strengths.
    Strength,
    /// `improve:` something to do better: under areas for improvement.
    Improve,
    /// `decision:` a decision the team took: the timeline and decisions.
    Decision,
    /// `question:` an open question: under open questions.
    Question,
    /// `action:` an action item, with `; owner: NAME` and `; due: DATE`.
    Action,
    /// `finding:` an observation that says neither strength nor
    /// improvement: kept, but never guessed into either.
    Finding,
}

impl NoteKind {
    /// The prefix that makes a note this kind (`None`: no prefix).
    #[must_use]
    pub fn prefix(self) -> Option<&'static str> {
        Some(match self {
            Self::Note => return None,
            Self::Strength => "strength",
            Self::Improve => "improve",
            Self::Decision => "decision",
            Self::Question => "question",
            Self::Action => "action",
            Self::Finding => "finding",
        })
    }
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
    /// The estate refused an inject's fault: the drill did not go as
    /// written, and the facilitator must know.
    InjectRefused {
        /// The inject's name.
        name: String,
        /// The estate's reason.
        reason: String,
    },
    /// A note.
    Note {
        /// Which kind.
        kind: NoteKind,
        /// The text (without its `kind:` prefix).
        text: String,
    },
    /// A practice run of one of the scenario's runbooks started.
    RunStarted {
        /// The scenario's runbook (file name).
        runbook: String,
    },
    /// A practice run ended.
    RunEnded {
        /// The scenario's runbook (file name).
        runbook: String,
        /// How it ended; `None` when it stopped without an outcome.
        outcome: Option<RunOutcome>,
    },
    /// The drill ended.
    Ended {
        /// By hand or because the scenario's time ran out.
        by_hand: bool,
    },
}

/// Splits `decision: text` into its kind and text (the prefix in any
/// case); a note without a known prefix is a plain note.
pub(super) fn split_note(text: &str) -> (NoteKind, String) {
    let t = text.trim();
    for kind in [
        NoteKind::Strength,
        NoteKind::Improve,
        NoteKind::Decision,
        NoteKind::Question,
        NoteKind::Action,
        NoteKind::Finding,
    ] {
        let Some(word) = kind.prefix() else { continue };
        let n = word.len();
        let head = t.get(..n).filter(|h| h.eq_ignore_ascii_case(word));
        if let (Some(_), Some(rest)) = (head, t.get(n..).and_then(|r| r.strip_prefix(':'))) {
            return (kind, rest.trim().to_string());
        }
    }
    (NoteKind::Note, t.to_string())
}

/// One moment of the timeline in words: the report and the drill screen
/// say it the same way.
#[must_use]
pub fn describe(m: &Moment) -> String {
    match &m.what {
        Happening::Started => "drill started".to_string(),
        Happening::Paused => "paused".to_string(),
        Happening::Resumed => "resumed".to_string(),
        Happening::Speed(x) => format!("speed {x}x"),
        Happening::Inject {
            name,
            description,
            by_hand,
            disruptive,
        } => format!(
            "inject {name}{}: {description}{}",
            if *by_hand { " (by hand)" } else { "" },
            if *disruptive { " [disruptive]" } else { "" }
        ),
        Happening::InjectRefused { name, reason } => {
            format!("inject {name} REFUSED by the estate: {reason}")
        }
        Happening::Note { kind, text } => format!("{}: {text}", kind_word(*kind)),
        Happening::RunStarted { runbook } => format!("runbook {runbook} started"),
        Happening::RunEnded { runbook, outcome } => {
            format!("runbook {runbook} {}", outcome_word(*outcome))
        }
        Happening::Ended { by_hand: true } => "drill ended by the facilitator".to_string(),
        Happening::Ended { by_hand: false } => "drill time ran out".to_string(),
    }
}

/// How a run ended, in the timeline's words.
fn outcome_word(o: Option<RunOutcome>) -> &'static str {
    match o {
        Some(RunOutcome::Recovered) => "recovered",
        Some(RunOutcome::RolledBack) => "rolled back",
        Some(RunOutcome::Aborted) => "aborted",
        None => "failed to run",
    }
}

fn kind_word(k: NoteKind) -> &'static str {
    k.prefix().unwrap_or("note")
}
