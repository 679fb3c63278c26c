//! Scripted responses for a headless drill (`drill --script FILE`): when
//! the team starts which runbook, how long each gate takes them and what
//! they answer, what they decide about failures, what they note, and which
//! injects the facilitator fires by hand. The daily automated drills are
//! such scripts.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::config::error::ConfigError;
use crate::config::runbook::compile::duration;
use crate::config::runbook::source::Source;
use crate::domain::drill::scenario::Scenario;
use crate::domain::duration::bounds::DRILL_TIME;
use crate::domain::runbook::protocol::Choice;
use crate::text::{Cap, printable_within, read_text};

type Text = Spanned<String>;

/// A checked script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// Runbook starts, in time order.
    pub runs: Vec<(Duration, String)>,
    /// How every gate is answered unless named in `gates`.
    pub default_gate: GateReply,
    /// Per step name.
    pub gates: BTreeMap<String, GateReply>,
    /// Decision about a failed step, unless named in `decisions`.
    pub default_decision: Choice,
    /// Per step name.
    pub decisions: BTreeMap<String, Choice>,
    /// Notes, in time order.
    pub annotations: Vec<(Duration, String)>,
    /// Hand injects by name, in time order.
    pub injects: Vec<(Duration, String)>,
    /// End the drill here rather than at the scenario's duration.
    pub end: Option<Duration>,
}

/// How the team answers one gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateReply {
    /// How long they take.
    pub after: Duration,
    /// Who approves (padded with `approver-N` when the gate wants more).
    pub approvers: Vec<String>,
    /// The reason given.
    pub reason: String,
    /// Decline the gate instead.
    pub decline: bool,
}

impl Default for GateReply {
    fn default() -> Self {
        Self {
            after: Duration::from_secs(30),
            approvers: Vec::new(),
            reason: "scripted drill".into(),
            decline: false,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScriptFile {
    #[serde(default)]
    run: Vec<RunFile>,
    #[serde(default)]
    gates: BTreeMap<String, GateFile>,
    #[serde(default)]
    decisions: BTreeMap<String, Spanned<Choice>>,
    #[serde(default)]
    annotations: Vec<TimedText>,
    #[serde(default)]
    injects: Vec<TimedInject>,
    end: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunFile {
    at: Text,
    runbook: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GateFile {
    after: Option<Text>,
    #[serde(default)]
    approvers: Vec<Text>,
    reason: Option<String>,
    #[serde(default)]
    decline: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TimedText {
    at: Text,
    text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TimedInject {
    at: Text,
    name: Text,
}

/// Reads and checks a script against its scenario.
///
/// # Errors
/// The file cannot be read, or the first problem, with file:line:col.
pub fn load_script(file: &Path, scenario: &Scenario) -> Result<Script, ConfigError> {
    let text = read_text(file, Cap::SCRIPT)?;
    parse_script(file, &text, scenario)
}

/// Parses and checks a script's text.
///
/// # Errors
/// The first problem, with file:line:col.
pub fn parse_script(file: &Path, text: &str, scenario: &Scenario) -> Result<Script, ConfigError> {
    parse(file, text, Some(scenario))
}

/// Parses and checks a script's text on its own, without the scenario it
/// will be run with: everything but the runbook and inject names it uses.
/// What `drconsole check` does with a script under `drills/`.
///
/// # Errors
/// The first problem, with file:line:col.
pub fn parse_script_alone(file: &Path, text: &str) -> Result<Script, ConfigError> {
    parse(file, text, None)
}

fn parse(file: &Path, text: &str, scenario: Option<&Scenario>) -> Result<Script, ConfigError> {
    let src = Source::new(file, text);
    let doc: ScriptFile = serde_saphyr::from_str(text).map_err(|e| src.yaml_error(&e))?;
    let at = |t: &Text| duration(&src, t, "at", DRILL_TIME);
    let mut runs = Vec::new();
    for r in &doc.run {
        if let Some(scenario) = scenario
            && !scenario.runbooks.iter().any(|x| x.path == r.runbook.value)
        {
            let known: Vec<&str> = scenario.runbooks.iter().map(|x| x.path.as_str()).collect();
            return Err(src.at(
                &r.runbook.referenced,
                format!(
                    "runbook \"{}\" is not in the scenario; it has: {}",
                    r.runbook.value,
                    known.join(", ")
                ),
            ));
        }
        runs.push((at(&r.at)?, r.runbook.value.clone()));
    }
    runs.sort();
    let mut default_gate = GateReply::default();
    let mut gates = BTreeMap::new();
    for (name, g) in &doc.gates {
        let reply = GateReply {
            after: g
                .after
                .as_ref()
                .map(|t| duration(&src, t, "after", DRILL_TIME))
                .transpose()?
                .unwrap_or(default_gate.after),
            approvers: distinct_approvers(&src, &g.approvers)?,
            reason: g
                .reason
                .clone()
                .unwrap_or_else(|| default_gate.reason.clone()),
            decline: g.decline,
        };
        if name == "default" {
            default_gate = reply;
        } else {
            gates.insert(name.clone(), reply);
        }
    }
    let mut default_decision = Choice::Abort;
    let mut decisions = BTreeMap::new();
    for (name, c) in &doc.decisions {
        if name == "default" {
            default_decision = c.value;
        } else {
            decisions.insert(name.clone(), c.value);
        }
    }
    let mut annotations = doc
        .annotations
        .iter()
        .map(|a| Ok((at(&a.at)?, a.text.clone())))
        .collect::<Result<Vec<_>, ConfigError>>()?;
    annotations.sort();
    let mut injects = Vec::new();
    for i in &doc.injects {
        if let Some(scenario) = scenario
            && !scenario.injects.iter().any(|x| x.name == i.name.value)
        {
            return Err(src.at(
                &i.name.referenced,
                format!("the scenario has no inject named \"{}\"", i.name.value),
            ));
        }
        injects.push((at(&i.at)?, i.name.value.clone()));
    }
    injects.sort();
    let end = doc
        .end
        .as_ref()
        .map(|t| duration(&src, t, "end", DRILL_TIME))
        .transpose()?;
    Ok(Script {
        runs,
        default_gate,
        gates,
        default_decision,
        decisions,
        annotations,
        injects,
        end,
    })
}

/// The approvers of one gate, each a different person: the same name twice
/// would never make up a second approval, and the drill would wait on the
/// gate for ever.
fn distinct_approvers(src: &Source<'_>, approvers: &[Text]) -> Result<Vec<String>, ConfigError> {
    let mut names: Vec<String> = Vec::with_capacity(approvers.len());
    for a in approvers {
        if names.contains(&a.value) {
            return Err(src.at(
                &a.referenced,
                format!(
                    "approver \"{}\" is named twice: each approval is a different person",
                    printable_within(&a.value, 80)
                ),
            ));
        }
        names.push(a.value.clone());
    }
    Ok(names)
}

impl Script {
    /// How the gate before `step` is answered.
    #[must_use]
    pub fn gate(&self, step: &str) -> &GateReply {
        self.gates.get(step).unwrap_or(&self.default_gate)
    }

    /// What is decided when `step` fails.
    #[must_use]
    pub fn decision(&self, step: &str) -> Choice {
        self.decisions
            .get(step)
            .copied()
            .unwrap_or(self.default_decision)
    }
}
