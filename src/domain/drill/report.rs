//! The after-action report: `report.md` for people, `report.json` for the
//! estate's DR-test pipeline (the same fields as its automated tests:
//! `timestamp, environment, duration_seconds, summary, tests`), plus the
//! RTO and RPO achieved against the targets.

use std::time::Duration;

use serde::Serialize;

pub use super::findings::{Findings, GateRecord, RefusedInject, StepTiming};
pub use super::first_page::{ActionItem, ObjectiveResult, ObjectiveStatus, Participant, RoleLine};
use super::first_page::{action_item, participants, roles, score_objectives};
use super::moments::{Happening, Moment, NoteKind, describe};
use super::scenario::{Criterion, Scenario};
use super::score::Score;
use crate::domain::time::Timestamp;

/// Pass or fail, as the estate's reports write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Held.
    Passed,
    /// Did not hold.
    Failed,
}

/// One success criterion's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestResult {
    /// The criterion's name.
    pub name: String,
    /// Passed or failed.
    pub status: Status,
    /// Why, in a sentence.
    pub details: String,
}

/// Pass/fail counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Criteria judged.
    pub total: usize,
    /// Criteria that held.
    pub passed: usize,
    /// Criteria that did not.
    pub failed: usize,
}

/// A timeline line in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineLine {
    /// `T+mm:ss`.
    pub at: String,
    /// What happened.
    pub what: String,
}

/// A note in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoteLine {
    /// `T+mm:ss`.
    pub at: String,
    /// Which kind.
    pub kind: NoteKind,
    /// The text.
    pub text: String,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// When the drill started (simulated time), RFC 3339.
    pub timestamp: String,
    /// `simulated`, or the environment's name.
    pub environment: String,
    /// Drill time from start to end.
    pub duration_seconds: u64,
    /// Pass/fail counts.
    pub summary: Summary,
    /// One entry per success criterion.
    pub tests: Vec<TestResult>,
    /// Scenario title.
    pub scenario: String,
    /// Scenario id (file stem).
    pub scenario_id: String,
    /// Simulated estate seed.
    pub seed: u64,
    /// RTO achieved; null when service never came back.
    pub rto_achieved_seconds: Option<u64>,
    /// The RTO target.
    pub rto_target_seconds: u64,
    /// RPO achieved.
    pub rpo_achieved_seconds: u64,
    /// The RPO target.
    pub rpo_target_seconds: u64,
    /// Objectives, from the scenario.
    pub objectives: Vec<String>,
    /// Each objective scored, with its evidence and time.
    pub objective_results: Vec<ObjectiveResult>,
    /// Action items from `action:` notes, with owners and due dates.
    pub action_items: Vec<ActionItem>,
    /// The scenario's roles.
    pub roles: Vec<RoleLine>,
    /// Who approved gates, and which.
    pub participants: Vec<Participant>,
    /// Everything that happened.
    pub timeline: Vec<TimelineLine>,
    /// Notes taken during the drill.
    pub annotations: Vec<NoteLine>,
    /// Steps as they ran.
    pub steps: Vec<StepTiming>,
    /// Gates as they were answered.
    pub gates: Vec<GateRecord>,
    /// Injects the estate refused (absent when there were none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused_injects: Vec<RefusedInject>,
    /// When the outage began (the RTO clock's start), for the chart.
    #[serde(skip)]
    pub outage_began: Option<Duration>,
    /// When service was back for good, for the chart.
    #[serde(skip)]
    pub restored_at: Option<Duration>,
    /// The service over time, thinned: `report.html`'s chart.
    #[serde(skip)]
    pub chart: Vec<super::score::ServiceSample>,
    /// Each inject that fired: when, and its name, for the chart.
    #[serde(skip)]
    pub inject_marks: Vec<(Duration, String)>,
}

/// `T+mm:ss` (or `T+h:mm:ss`).
#[must_use]
pub fn offset(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("T+{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("T+{:02}:{:02}", s / 60, s % 60)
    }
}

/// `compromised_key_never_signs`: every compromised key stopped, and none
/// signed after it stopped.
fn compromised_verdict(keys: &[super::findings::CompromisedKeyFate]) -> (bool, String) {
    if keys.is_empty() {
        return (
            false,
            "no key was declared compromised in this drill".into(),
        );
    }
    let mut lines = Vec::new();
    let mut ok = true;
    for k in keys {
        lines.push(match (k.stopped_at_height, k.signed_again_height) {
            (_, Some(h)) => {
                ok = false;
                format!(
                    "COMPROMISED KEY SIGNED AGAIN: {} ({}) at height {h}; it was restored, not rotated",
                    k.validator, k.address
                )
            }
            (None, None) => {
                ok = false;
                format!(
                    "the compromised key of {} ({}) was never stopped: it signed to the end",
                    k.validator, k.address
                )
            }
            (Some(h), None) => format!(
                "the compromised key of {} ({}) signed nothing from height {h}",
                k.validator, k.address
            ),
        });
    }
    (ok, lines.join("; "))
}

fn judge(c: &Criterion, scenario: &Scenario, score: &Score, f: &Findings) -> TestResult {
    let (ok, details) = match c {
        Criterion::ServiceRestored => match score.restored_at {
            Some(at) => (true, format!("service restored at {}", offset(at))),
            None => (
                false,
                "service was not restored before the drill ended".into(),
            ),
        },
        Criterion::WithinRto => match score.rto {
            Some(rto) => (
                rto <= scenario.targets.rto,
                format!(
                    "RTO {}s against a target of {}s",
                    rto.as_secs(),
                    scenario.targets.rto.as_secs()
                ),
            ),
            None => (
                false,
                format!(
                    "service not restored: RTO target {}s missed",
                    scenario.targets.rto.as_secs()
                ),
            ),
        },
        Criterion::WithinRpo => (
            score.rpo <= scenario.targets.rpo,
            format!(
                "RPO {}s against a target of {}s",
                score.rpo.as_secs(),
                scenario.targets.rpo.as_secs()
            ),
        ),
        Criterion::NoDoubleSign => {
            if f.double_signs.is_empty() {
                (true, "no validator key signed twice".into())
            } else {
                (
                    false,
                    format!("DOUBLE SIGN by {}", f.double_signs.join(", ")),
                )
            }
        }
        Criterion::CompromisedKeyNeverSigns => compromised_verdict(&f.compromised_keys),
        Criterion::DatabasePrimary(r) => (
            &f.database_primary == r,
            format!("database primary is {} (expected {r})", f.database_primary),
        ),
        Criterion::RunbookCompleted(r) => {
            let done = f.runbooks_completed.iter().any(|x| x == r);
            (
                done,
                if done {
                    format!("{r} completed")
                } else {
                    format!("{r} did not complete")
                },
            )
        }
    };
    TestResult {
        name: c.name(),
        status: if ok { Status::Passed } else { Status::Failed },
        details,
    }
}

impl Report {
    /// Builds the report from everything a drill produced.
    #[must_use]
    pub fn build(
        scenario: &Scenario,
        started: Timestamp,
        environment: &str,
        ended_after: Duration,
        moments: &[Moment],
        score: &Score,
        findings: &Findings,
    ) -> Self {
        let tests: Vec<TestResult> = scenario
            .criteria
            .iter()
            .map(|c| judge(c, scenario, score, findings))
            .collect();
        let passed = tests.iter().filter(|t| t.status == Status::Passed).count();
        let objective_results = score_objectives(&scenario.objectives, &tests, moments, score);
        let timeline = moments
            .iter()
            .map(|m| TimelineLine {
                at: offset(m.at),
                what: describe(m),
            })
            .collect();
        let annotations = moments
            .iter()
            .filter_map(|m| match &m.what {
                Happening::Note { kind, text } => Some(NoteLine {
                    at: offset(m.at),
                    kind: *kind,
                    text: text.clone(),
                }),
                _ => None,
            })
            .collect();
        Report {
            timestamp: started.to_string(),
            environment: environment.to_string(),
            duration_seconds: ended_after.as_secs(),
            summary: Summary {
                total: tests.len(),
                passed,
                failed: tests.len() - passed,
            },
            tests,
            scenario: scenario.name.clone(),
            scenario_id: scenario.id.clone(),
            seed: scenario.seed,
            rto_achieved_seconds: score.rto.map(|d| d.as_secs()),
            rto_target_seconds: scenario.targets.rto.as_secs(),
            rpo_achieved_seconds: score.rpo.as_secs(),
            rpo_target_seconds: scenario.targets.rpo.as_secs(),
            objectives: scenario.objectives.iter().map(|o| o.text.clone()).collect(),
            objective_results,
            action_items: moments
                .iter()
                .filter_map(|m| match &m.what {
                    Happening::Note {
                        kind: NoteKind::Action,
                        text,
                    } => Some(action_item(text, m.at)),
                    _ => None,
                })
                .collect(),
            roles: roles(&scenario.roles),
            participants: participants(&findings.gates),
            timeline,
            annotations,
            steps: findings.steps.clone(),
            gates: findings.gates.clone(),
            refused_injects: findings.refused_injects.clone(),
            outage_began: score.disrupted_at,
            restored_at: score.restored_at,
            chart: findings.samples.clone(),
            inject_marks: moments
                .iter()
                .filter_map(|m| match &m.what {
                    Happening::Inject { name, .. } => Some((m.at, name.clone())),
                    _ => None,
                })
                .collect(),
        }
    }

    /// Whether every criterion held.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.summary.failed == 0
    }

    /// `report.json`.
    ///
    /// # Errors
    /// Never in practice: every field serializes.
    pub fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string_pretty(self)
    }
}
