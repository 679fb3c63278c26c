//! What the report's first page is made of, beyond the score: each
//! objective scored with its evidence and time, the action items with
//! their owners and due dates, and who took part.

use std::time::Duration;

use serde::Serialize;

use super::findings::GateRecord;
use super::moments::{Happening, Moment, NoteKind};
use super::report::{Status, TestResult, offset};
use super::scenario::{Measure, Objective, Role};
use super::score::Score;

/// How an objective went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectiveStatus {
    /// Met.
    Met,
    /// Not met.
    NotMet,
    /// The scenario gives it no measure: a person must judge it.
    NotScored,
}

/// One objective with its score and the evidence for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectiveResult {
    /// The objective in the scenario's words.
    pub objective: String,
    /// Met, not met, or not scored.
    pub status: ObjectiveStatus,
    /// What shows it, in a sentence.
    pub evidence: String,
    /// When the evidence happened (`T+mm:ss`), when it has a time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// Scores each objective by its measure.
#[must_use]
pub fn score_objectives(
    objectives: &[Objective],
    tests: &[TestResult],
    moments: &[Moment],
    score: &Score,
) -> Vec<ObjectiveResult> {
    objectives
        .iter()
        .map(|o| {
            let (status, evidence, at) = match &o.measure {
                None => (
                    ObjectiveStatus::NotScored,
                    "no measure in the scenario: the evaluators judge it".to_owned(),
                    None,
                ),
                Some(Measure::Criterion(name)) => match tests.iter().find(|t| &t.name == name) {
                    Some(t) => (
                        if t.status == Status::Passed {
                            ObjectiveStatus::Met
                        } else {
                            ObjectiveStatus::NotMet
                        },
                        format!("{}: {}", t.name, t.details),
                        criterion_time(name, score),
                    ),
                    None => (
                        ObjectiveStatus::NotScored,
                        format!("criterion {name} was not judged"),
                        None,
                    ),
                },
                Some(Measure::FirstResponseWithin(limit)) => first_response(*limit, moments, score),
            };
            ObjectiveResult {
                objective: o.text.clone(),
                status,
                evidence,
                at: at.map(offset),
            }
        })
        .collect()
}

/// The moment a time-bound criterion's evidence happened.
fn criterion_time(name: &str, score: &Score) -> Option<Duration> {
    match name {
        "service_restored" | "rto_within_target" => score.restored_at,
        _ => None,
    }
}

/// The team's first response to the outage (a decision, or a runbook
/// started) against `limit` from the outage's start.
fn first_response(
    limit: Duration,
    moments: &[Moment],
    score: &Score,
) -> (ObjectiveStatus, String, Option<Duration>) {
    let Some(start) = score.disrupted_at else {
        return (
            ObjectiveStatus::NotScored,
            "no outage began, so there was nothing to respond to".to_owned(),
            None,
        );
    };
    let response = moments
        .iter()
        .filter(|m| m.at >= start)
        .find_map(|m| match &m.what {
            Happening::Note {
                kind: NoteKind::Decision,
                text,
            } => Some((m.at, format!("decision: {text}"))),
            Happening::RunStarted { runbook } => Some((m.at, format!("runbook {runbook} started"))),
            _ => None,
        });
    let limit_words = crate::domain::duration::format(limit);
    match response {
        Some((at, what)) => {
            let after = at.saturating_sub(start);
            let status = if after <= limit {
                ObjectiveStatus::Met
            } else {
                ObjectiveStatus::NotMet
            };
            (
                status,
                format!(
                    "{what}, {} after the outage began at {} (limit {limit_words})",
                    crate::domain::duration::format(after),
                    offset(start)
                ),
                Some(at),
            )
        }
        None => (
            ObjectiveStatus::NotMet,
            format!(
                "no decision and no runbook after the outage began at {} (limit {limit_words})",
                offset(start)
            ),
            None,
        ),
    }
}

/// An action item from an `action:` note: `TEXT; owner: NAME; due: DATE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionItem {
    /// What is to be done.
    pub action: String,
    /// Who owns it; `None`: nobody yet, which the report says.
    pub owner: Option<String>,
    /// When it is due (`YYYY-MM-DD`); `None`: no date yet.
    pub due: Option<String>,
    /// When it was noted (`T+mm:ss`).
    pub noted: String,
    /// What is wrong with how it was written (a date that is not one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Reads `TEXT; owner: NAME; due: YYYY-MM-DD` (the parts in any order
/// after the text, each optional).
#[must_use]
pub fn action_item(text: &str, noted: Duration) -> ActionItem {
    let mut parts = text.split(';').map(str::trim);
    let action = parts.next().unwrap_or_default().to_owned();
    let (mut owner, mut due, mut problem) = (None, None, None);
    let mut rest = Vec::new();
    for part in parts.filter(|p| !p.is_empty()) {
        let field = |name: &str| {
            part.get(..name.len())
                .filter(|h| h.eq_ignore_ascii_case(name))
                .and_then(|_| part.get(name.len()..))
                .map(str::trim)
        };
        if let Some(o) = field("owner:") {
            owner = Some(o.to_owned()).filter(|o| !o.is_empty());
        } else if let Some(d) = field("due:") {
            match d.parse::<jiff::civil::Date>() {
                Ok(date) => due = Some(date.to_string()),
                Err(_) => problem = Some(format!("due {d:?} is not a date (YYYY-MM-DD)")),
            }
        } else {
            rest.push(part);
        }
    }
    let action = std::iter::once(action.as_str())
        .chain(rest)
        .collect::<Vec<_>>()
        .join("; ");
    ActionItem {
        action,
        owner,
        due,
        noted: offset(noted),
        problem,
    }
}

/// Someone who answered a gate, and which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Participant {
    /// The name typed at the gates (practice names, not identities).
    pub name: String,
    /// The gates they approved: `runbook / step`.
    pub approved: Vec<String>,
}

/// Everyone who approved a gate, in order of first approval.
#[must_use]
pub fn participants(gates: &[GateRecord]) -> Vec<Participant> {
    let mut out: Vec<Participant> = Vec::new();
    for g in gates {
        for a in &g.approvers {
            let gate = format!("{} / {}", g.runbook, g.step);
            match out.iter_mut().find(|p| &p.name == a) {
                Some(p) if !p.approved.contains(&gate) => p.approved.push(gate),
                Some(_) => {}
                None => out.push(Participant {
                    name: a.clone(),
                    approved: vec![gate],
                }),
            }
        }
    }
    out
}

/// A role as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleLine {
    /// The role.
    pub role: String,
    /// Its duties.
    pub duties: String,
}

/// The scenario's roles for the report.
#[must_use]
pub fn roles(roles: &[Role]) -> Vec<RoleLine> {
    roles
        .iter()
        .map(|r| RoleLine {
            role: r.name.clone(),
            duties: r.duties.clone(),
        })
        .collect()
}

#[cfg(test)]
#[path = "first_page_tests.rs"]
mod tests;
