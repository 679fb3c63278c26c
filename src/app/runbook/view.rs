//! What the runtime hands the runbook screen: the run as the engine sees it
//! (steps, gate, outcome), rebuilt on every change; the screen only reads it.

use crate::domain::runbook::plan::Phase;
use crate::domain::runbook::protocol::RunOutcome;
use crate::domain::runbook::protocol::{Choice, Mode};
use crate::domain::runbook::record::StepState;
use std::time::Duration;

/// The header's banner for where a run's actions land: the engine's
/// [`Mode`] in words, so the screen and the engine share one enum.
#[must_use]
pub fn mode_banner(mode: &Mode) -> String {
    match mode {
        Mode::Live { environment } => format!("LIVE: {environment}"),
        Mode::Practice => "PRACTICE · simulated".to_string(),
        Mode::DryRun => "DRY RUN · nothing runs".to_string(),
    }
}

/// The word shown beside a step, never colour alone; the engine's
/// [`StepState`] is the one vocabulary, and this is its one wording (a
/// step waiting between attempts reads as running). Failures are in
/// capitals so they stand out in a list of lower-case words.
#[must_use]
pub fn step_word(state: &StepState) -> &'static str {
    match state {
        StepState::Pending => "pending",
        StepState::AwaitingGate => "awaiting gate",
        StepState::Running | StepState::Waiting { .. } => "running",
        StepState::Passed => "passed",
        StepState::Failed { .. } => "FAILED",
        StepState::Skipped => "skipped",
        StepState::OutcomeUnknown => "OUTCOME UNKNOWN",
        StepState::RolledBack => "rolled back",
    }
}

/// The symbol shown beside [`step_word`].
#[must_use]
pub fn step_symbol(state: &StepState) -> &'static str {
    match state {
        StepState::Pending => "·",
        StepState::AwaitingGate => "⏸",
        StepState::Running | StepState::Waiting { .. } => "▶",
        StepState::Passed => "✓",
        StepState::Failed { .. } => "✗",
        StepState::Skipped => "»",
        StepState::OutcomeUnknown => "?",
        StepState::RolledBack => "↶",
    }
}

/// One line of the step list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRow {
    /// Which part of the runbook.
    pub phase: Phase,
    /// The step's name.
    pub name: String,
    /// Its description, if any.
    pub description: Option<String>,
    /// Its state.
    pub status: StepState,
    /// The exact command or call, variables filled in.
    pub command: String,
    /// How long it has run (or ran).
    pub elapsed: Option<Duration>,
    /// Its timeout, if any.
    pub timeout: Option<Duration>,
    /// Current attempt, from 1.
    pub attempt: u32,
    /// Attempts allowed.
    pub max_attempts: u32,
    /// Why it failed, was skipped, or what the operator must check.
    pub note: Option<String>,
    /// The last lines it printed (what a built-in said it did), kept after
    /// it ends so a passed step can still be read.
    pub output: Vec<String>,
}

/// A confirmation the run is waiting for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatePrompt {
    /// The step behind the gate.
    pub step: String,
    /// What passing the gate will do (e.g. "promote eu-west-1").
    pub action: String,
    /// In live mode, the environment the step acts on.
    pub environment: Option<String>,
    /// The exact phrase to type; `None` for a plain yes.
    pub phrase: Option<String>,
    /// A question the operator must judge (a free-text threshold).
    pub question: Option<String>,
    /// Distinct approvers needed.
    pub approvers: u8,
    /// Whether a reason is required.
    pub reason: bool,
}

/// The key that chooses an operator's choice about a failed or unknown
/// step, and its label: the one keyboard meaning of the engine's
/// [`Choice`], so the screen and the engine share one enum.
#[must_use]
pub fn choice_key(choice: Choice) -> (char, &'static str) {
    match choice {
        Choice::Retry => ('r', "retry"),
        Choice::Skip => ('s', "skip (gated)"),
        Choice::RollBack => ('b', "roll back (gated)"),
        Choice::Abort => ('x', "abort (gated)"),
        Choice::MarkPassed => ('v', "verified: mark passed"),
        Choice::Override => ('o', "override failed pre-checks (gated)"),
    }
}

/// How a run ended, typed, so every reader (the screen, the drill) decides
/// from the outcome itself, never from its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunEnd {
    /// Recovered, rolled back or aborted.
    pub outcome: RunOutcome,
    /// How long the run took.
    pub took: Duration,
    /// The runbook's RTO, to say whether it was met.
    pub rto: Option<Duration>,
}

/// Everything the screen shows of a run, rebuilt by the runtime from the
/// engine whenever something changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunView {
    /// Runbook name and version.
    pub title: String,
    /// Live, practice or dry run.
    pub mode: Mode,
    /// Time since the run started (the RTO clock).
    pub elapsed: Duration,
    /// The runbook's RTO.
    pub rto: Option<Duration>,
    /// True once the clock stopped (service restored or run ended).
    pub clock_stopped: bool,
    /// Every step in run order: pre-checks, steps, post-checks, rollback.
    pub rows: Vec<StepRow>,
    /// Output of the step the run is on (most recent last).
    pub output: Vec<String>,
    /// The gate being waited on.
    pub gate: Option<GatePrompt>,
    /// Choices offered about a failed or unknown step.
    pub choices: Vec<Choice>,
    /// The run's end, once it ended: the screen words it.
    pub outcome: Option<RunEnd>,
    /// The journal file, so the operator knows where the record is.
    pub journal: String,
    /// What a roll back would run now, in order, so its confirmation
    /// lists it before anything is undone.
    pub rollback: Vec<String>,
    /// The key rotations the run's passed steps made: the dashboard keeps
    /// each validator under its name at its new address.
    pub rotations: Vec<crate::domain::observation::KeyRotation>,
    /// Why this console stopped driving the run short of its end: the
    /// screen's headline then, never a running clock.
    pub halted: Option<String>,
}
