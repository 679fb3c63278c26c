//! What a drill driver tells the referee: typed events with time as drill
//! offsets, so both drivers speak one language and the referee needs no
//! clock, no estate and no strings to parse.

use std::time::Duration;

use super::score::ServiceSample;
use crate::domain::runbook::protocol::RunOutcome;
use crate::domain::time::Timestamp;

/// One practice run in a drill, numbered by the driver that started it:
/// steps and gates name the run, and the run names the scenario runbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RunId(pub usize);

/// Something a driver saw, for the referee. Every `at` is an offset from
/// the drill's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// One look at the service.
    Sample(ServiceSample),
    /// An inject fired and the estate accepted it (`Ok`) or refused its
    /// fault (`Err`, the estate's reason). Only an accepted disruptive one
    /// can start the outage.
    Inject {
        /// When it fired.
        at: Duration,
        /// The inject's name.
        name: String,
        /// The scenario's `disruptive` flag.
        disruptive: bool,
        /// Whether the estate applied it.
        applied: Result<(), String>,
    },
    /// A database replica was promoted: its replication lag is data lost.
    Promotion {
        /// When.
        at: Duration,
        /// The old primary's region.
        from: String,
        /// The new primary's region.
        to: String,
        /// The new primary's replication lag at that moment.
        lag: Duration,
    },
    /// A region's chain state was restored from a snapshot: its age is
    /// data lost.
    Restore {
        /// When.
        at: Duration,
        /// The region restored.
        region: String,
        /// When the snapshot used completed.
        snapshot: Timestamp,
        /// The snapshot's age at the restore.
        age: Duration,
    },
    /// A practice run of one of the scenario's runbooks started.
    RunStarted {
        /// When.
        at: Duration,
        /// The run.
        run: RunId,
        /// The scenario runbook it runs (its path in the scenario).
        runbook: String,
    },
    /// A practice run ended: `None` when it stopped without an outcome
    /// (it failed to run).
    RunFinished {
        /// When.
        at: Duration,
        /// The run.
        run: RunId,
        /// How it ended.
        outcome: Option<RunOutcome>,
    },
    /// A step of a run started (or first waited at its gate).
    StepStarted {
        /// When.
        at: Duration,
        /// The run.
        run: RunId,
        /// The step's name.
        step: String,
    },
    /// A step of a run reached its final state.
    StepFinished {
        /// When.
        at: Duration,
        /// The run.
        run: RunId,
        /// The step's name.
        step: String,
        /// The final state, in the report's words ("passed", "failed").
        outcome: String,
    },
    /// A gate opened.
    GateOpened {
        /// When.
        at: Duration,
        /// The run.
        run: RunId,
        /// The gated step (or `override_pre_checks`).
        step: String,
        /// The dashboard as text as it stood then.
        dashboard: String,
    },
    /// A gate was answered (or declined).
    GateAnswered {
        /// When.
        at: Duration,
        /// The run.
        run: RunId,
        /// The gated step.
        step: String,
        /// Who approved.
        approvers: Vec<String>,
        /// The reason given.
        reason: String,
        /// The team said no.
        declined: bool,
    },
    /// A note from the facilitator or the script; a leading `decision:`,
    /// `finding:`, `question:` or `action:` says which kind.
    Note(String),
}

/// The estate's own facts at the end of the drill, for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EstateAtEnd {
    /// Where the database primary ended up.
    pub database_primary: String,
    /// Validator keys that signed twice (names).
    pub double_signs: Vec<String>,
    /// Keys declared compromised, and whether they signed again.
    pub compromised_keys: Vec<super::findings::CompromisedKeyFate>,
}
