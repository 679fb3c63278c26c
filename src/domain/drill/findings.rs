//! What a drill run adds to its scenario and timeline, as the referee
//! found it: step timings, gates with the dashboard as it stood, injects
//! the estate refused, and the estate's own facts at the end.

use serde::Serialize;

/// A runbook step as it went in the drill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepTiming {
    /// Runbook file name.
    pub runbook: String,
    /// Step name.
    pub step: String,
    /// Final state word.
    pub outcome: String,
    /// Offset from the drill's start when it began.
    pub started_seconds: u64,
    /// How long it ran.
    pub duration_seconds: u64,
}

/// A gate as it went in the drill, with the dashboard as it stood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateRecord {
    /// Runbook file name.
    pub runbook: String,
    /// The gated step.
    pub step: String,
    /// When the gate opened (offset from the drill's start).
    pub opened_seconds: u64,
    /// How long the team took to answer.
    pub waited_seconds: u64,
    /// Who approved.
    pub approvers: Vec<String>,
    /// The reason given, if any.
    pub reason: String,
    /// The dashboard as text at the moment the gate opened.
    pub dashboard: String,
}

impl GateRecord {
    /// Who answered and why, in the report's words (one wording for
    /// report.md and report.html). A gate that asks for no reason gets
    /// none: the report does not say one was withheld.
    #[must_use]
    pub fn answered_by(&self) -> String {
        let who = if self.approvers.is_empty() {
            "none".to_owned()
        } else {
            self.approvers.join(", ")
        };
        if self.reason.is_empty() {
            format!("Approvers: {who}.")
        } else {
            format!("Approvers: {who}. Reason: {}", self.reason)
        }
    }
}

/// Facts a drill run adds to its scenario and timeline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    /// Where the database primary ended up.
    pub database_primary: String,
    /// Validator keys that signed twice (names).
    pub double_signs: Vec<String>,
    /// Keys declared compromised, and what they did afterwards.
    pub compromised_keys: Vec<CompromisedKeyFate>,
    /// Runbooks (file names) that completed.
    pub runbooks_completed: Vec<String>,
    /// Steps, in the order they ran.
    pub steps: Vec<StepTiming>,
    /// Gates, in the order they were answered.
    pub gates: Vec<GateRecord>,
    /// Injects whose fault the estate refused, in the order they fired.
    pub refused_injects: Vec<RefusedInject>,
    /// The service over time, thinned for the report's chart.
    pub samples: Vec<super::score::ServiceSample>,
}

/// What became of a key declared compromised: the criterion
/// `compromised_key_never_signs` is judged on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompromisedKeyFate {
    /// The validator's name.
    pub validator: String,
    /// The compromised key's consensus address.
    pub address: String,
    /// The first height it did not sign after the compromise (it was
    /// fenced or rotated out); `None`: it signed to the end.
    pub stopped_at_height: Option<u64>,
    /// The first height it signed again after stopping: the attacker's key
    /// back in the set (a restore instead of a rotation).
    pub signed_again_height: Option<u64>,
}

/// An inject the estate would not apply: the drill did not run as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedInject {
    /// The inject's name.
    pub name: String,
    /// When it fired (offset from the drill's start).
    pub at_seconds: u64,
    /// The estate's reason.
    pub reason: String,
}

/// The samples a chart needs: the first and the last, every change of the
/// service's state, and one at least every `every` in between.
#[must_use]
pub fn thin(
    samples: &[super::score::ServiceSample],
    every: std::time::Duration,
) -> Vec<super::score::ServiceSample> {
    let mut out: Vec<super::score::ServiceSample> = Vec::new();
    for (i, s) in samples.iter().enumerate() {
        let keep = match out.last() {
            None => true,
            Some(last) => {
                last.restored() != s.restored()
                    || s.at.saturating_sub(last.at) >= every
                    || i + 1 == samples.len()
            }
        };
        if keep {
            out.push(*s);
        }
    }
    out
}
