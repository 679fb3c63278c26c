//! A drill scenario as loaded from `runbooks/drills/*.yaml`: validated, with
//! durations parsed and faults checked against the estate.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::domain::estate::Targets;
use crate::domain::fault::Fault;

/// A whole scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Short id (the file stem), used in report names.
    pub id: String,
    /// Title shown on the drill screen and the report.
    pub name: String,
    /// What the participants are told at the start.
    pub briefing: String,
    /// What the drill is meant to exercise, each with how it is scored.
    pub objectives: Vec<Objective>,
    /// Who plays which part.
    pub roles: Vec<Role>,
    /// The RTO and RPO the drill is scored against.
    pub targets: Targets,
    /// Seed of the simulated estate: the same seed, scenario and script
    /// always give the same report.
    pub seed: u64,
    /// The drill ends by itself after this long.
    pub duration: Duration,
    /// Runbooks the team is expected to run, with the variables they need.
    pub runbooks: Vec<ExpectedRunbook>,
    /// Timed injects in time order, then the hand-only ones.
    pub injects: Vec<Inject>,
    /// What must hold for the drill to pass.
    pub criteria: Vec<Criterion>,
}

/// One objective of the drill and how the report scores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objective {
    /// The objective in the scenario's words.
    pub text: String,
    /// How it is judged; `None`: the report lists it as not scored.
    pub measure: Option<Measure>,
}

/// How an objective is judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Measure {
    /// By one of the scenario's criteria, named as `report.json` names it
    /// (`rto_within_target`, `database_primary_eu-west-1`).
    Criterion(String),
    /// The team responded (a `decision:` note, or a runbook started)
    /// within this long of the outage's start.
    FirstResponseWithin(Duration),
}

/// A role at the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    /// e.g. "Incident commander".
    pub name: String,
    /// What the role does in this drill.
    pub duties: String,
}

/// A runbook the scenario expects the team to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedRunbook {
    /// Path relative to the scenario's `runbooks/` directory.
    pub path: String,
    /// Variables for the run.
    pub vars: BTreeMap<String, String>,
}

/// Something that happens to the team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inject {
    /// Short name for the list of hand injects and the timeline.
    pub name: String,
    /// When it fires, from the drill's start; `None`: only by hand.
    pub at: Option<Duration>,
    /// What it does.
    pub kind: InjectKind,
    /// Whether it disrupts service: the RTO clock starts at the first
    /// disruptive inject.
    pub disruptive: bool,
    /// For the facilitator's eyes only (when or why to fire it): shown in
    /// the facilitator's list, never to the participants.
    pub facilitator_note: Option<String>,
}

/// What an inject does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InjectKind {
    /// A fault for the simulated estate, checked against it when the
    /// scenario loaded.
    Fault(Fault),
    /// Clear every fault (the provider fixed the region).
    ClearFaults,
    /// A message shown to the participants.
    Message {
        /// Who it is from (e.g. "Slack #support").
        from: Option<String>,
        /// The text.
        text: String,
    },
}

impl InjectKind {
    /// One line for the timeline and the report.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            InjectKind::Fault(f) => format!("fault: {f}"),
            InjectKind::ClearFaults => "all faults cleared".to_string(),
            InjectKind::Message {
                from: Some(from),
                text,
            } => format!("{from}: \"{text}\""),
            InjectKind::Message { from: None, text } => format!("\"{text}\""),
        }
    }
}

/// A success criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Criterion {
    /// Service was restored before the drill ended.
    ServiceRestored,
    /// RTO achieved within the target.
    WithinRto,
    /// RPO achieved within the target.
    WithinRpo,
    /// No validator key signed twice.
    NoDoubleSign,
    /// Every key declared compromised stopped signing and never signed
    /// again (it was rotated, not restored).
    CompromisedKeyNeverSigns,
    /// The database primary ended in this region.
    DatabasePrimary(String),
    /// This runbook (file name) completed.
    RunbookCompleted(String),
}

impl Criterion {
    /// The test name in `report.json`.
    #[must_use]
    pub fn name(&self) -> String {
        match self {
            Criterion::ServiceRestored => "service_restored".into(),
            Criterion::WithinRto => "rto_within_target".into(),
            Criterion::WithinRpo => "rpo_within_target".into(),
            Criterion::NoDoubleSign => "no_double_sign".into(),
            Criterion::CompromisedKeyNeverSigns => "compromised_key_never_signs".into(),
            Criterion::DatabasePrimary(r) => format!("database_primary_{r}"),
            Criterion::RunbookCompleted(r) => format!("runbook_completed_{r}"),
        }
    }
}

impl Scenario {
    /// The injects that fire by time, in order.
    pub fn timed(&self) -> impl Iterator<Item = (usize, &Inject)> {
        self.injects
            .iter()
            .enumerate()
            .filter(|(_, i)| i.at.is_some())
    }
}

#[cfg(test)]
impl Scenario {
    /// A 30-minute scenario with these injects and nothing else, for tests.
    pub(crate) fn with_injects(injects: Vec<Inject>) -> Self {
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
            injects,
            criteria: Vec::new(),
        }
    }
}
