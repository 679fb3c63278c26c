//! The domain rules `drconsole check` applies to runbooks: the ways a
//! runbook that loads fine can still hurt the estate at 3 a.m.
//!
//! Each finding names file:line:col, a severity and the rule. Rules read
//! the compiled plan (so an action is judged by what it really does) and
//! the estate's backup schedules and validator layout.

mod drill;
mod estate;
mod keys;

pub use drill::restores_compromised_key as restores_compromised_key_in_drill;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use self::estate::{backup_freshness, validators_per_region};
use super::actions::{Actions, parse_actions};
use super::compile::{Compiled, Runbook, build, parse_runbook};
use super::source::Source;
use crate::config::check::{FileKind, Finding};
use crate::domain::estate::EstateSpec;
use crate::domain::runbook::plan::{
    Builtin, Operation, Phase, PlannedStep, PracticeEffect, StepRef,
};
use crate::text::{Cap, read_text};

/// How bad a finding is: errors make `check` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth fixing; the runbook can still run.
    Warning,
    /// The runbook would do harm or cannot work as written.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One problem a rule found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintFinding {
    /// The runbook file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// How bad it is.
    pub severity: Severity,
    /// The rule's short name, e.g. `health-check-disabled`.
    pub rule: &'static str,
    /// What is wrong and what to do instead.
    pub message: String,
}

impl fmt::Display for LintFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {} [{}]",
            self.file.display(),
            self.line,
            self.column,
            self.severity,
            self.message,
            self.rule
        )
    }
}

struct Linter<'a> {
    src: Source<'a>,
    compiled: &'a Compiled,
    out: Vec<LintFinding>,
}

impl Linter<'_> {
    fn push_at(&mut self, offset: usize, severity: Severity, rule: &'static str, message: String) {
        let (line, column) = self.src.line_col(offset);
        self.out.push(LintFinding {
            file: self.src.file.to_path_buf(),
            line,
            column,
            severity,
            rule,
            message,
        });
    }

    fn push_step(
        &mut self,
        s: &PlannedStep,
        severity: Severity,
        rule: &'static str,
        message: String,
    ) {
        self.out.push(LintFinding {
            file: self.src.file.to_path_buf(),
            line: s.pos.line,
            column: s.pos.column,
            severity,
            rule,
            message,
        });
    }

    fn push_op(
        &mut self,
        at: StepRef,
        s: &PlannedStep,
        severity: Severity,
        rule: &'static str,
        message: String,
    ) {
        match self.compiled.op_offset.get(&at) {
            Some(o) => self.push_at(*o, severity, rule, message),
            None => self.push_step(s, severity, rule, message),
        }
    }
}

/// Every step of the plan with its reference, in run order.
fn all_steps(c: &Compiled) -> Vec<(StepRef, &PlannedStep)> {
    [
        Phase::PreCheck,
        Phase::Step,
        Phase::PostCheck,
        Phase::Rollback,
    ]
    .into_iter()
    .flat_map(|phase| {
        c.plan
            .phase(phase)
            .iter()
            .enumerate()
            .map(move |(index, s)| (StepRef { phase, index }, s))
    })
    .collect()
}

/// Applies every rule to a compiled runbook.
#[must_use]
pub fn lint(runbook: &Runbook, compiled: &Compiled, estate: &EstateSpec) -> Vec<LintFinding> {
    let mut l = Linter {
        src: Source::new(&runbook.file, &runbook.text),
        compiled,
        out: Vec::new(),
    };
    let steps = all_steps(compiled);
    for &(at, s) in &steps {
        health_check_disabled(&mut l, at, s);
        chain_state_overwrite(&mut l, at, s);
        destructive_without_gate(&mut l, at, s);
        command_without_timeout(&mut l, s);
        backup_freshness(&mut l, s, estate);
        validators_per_region(&mut l, s, estate);
    }
    unfenced_validators(&mut l, &steps);
    keys::restores_compromised_key(&mut l, &runbook.doc, &steps);
    for (name, offset) in &compiled.unsupplied {
        l.push_at(
            *offset,
            Severity::Warning,
            "undeclared-variable",
            format!("variable {name} is used but never declared under vars: or given with --var"),
        );
    }
    let mut out = l.out;
    out.sort_by(|a, b| (a.line, a.column, a.rule).cmp(&(b.line, b.column, b.rule)));
    out
}

fn health_check_disabled(l: &mut Linter, at: StepRef, s: &PlannedStep) {
    if let Operation::Builtin(Builtin::HealthCheckUpdate {
        disabled: Some(true),
        ..
    }) = &s.operation
    {
        l.push_op(
            at,
            s,
            Severity::Error,
            "health-check-disabled",
            format!(
                "step {} disables a Route53 health check to stop traffic, but AWS treats a disabled \
                 health check as healthy, so traffic keeps flowing; invert the check \
                 (route53_health_check_invert) or set the region's weight to 0 (route53_weight_zero)",
                s.name
            ),
        );
    }
}

/// The text of a shell step, lower-cased, for the rules that read commands.
fn command_text(s: &PlannedStep) -> Option<String> {
    match &s.operation {
        Operation::Shell(t) => Some(t.to_string().to_lowercase()),
        Operation::Builtin(_) => None,
    }
}

/// Whether a step starts (`Some(true)`) or stops (`Some(false)`) validators.
fn validators_effect(s: &PlannedStep) -> Option<bool> {
    if let PracticeEffect::Validators(_, running) = &s.practice {
        return Some(*running);
    }
    let c = command_text(s)?;
    if !(c.contains("validator") && c.contains("scale")) {
        return None;
    }
    let replicas = c.split("--replicas=").nth(1)?;
    let zero =
        replicas.starts_with('0') && !replicas[1..].starts_with(|ch: char| ch.is_ascii_digit());
    Some(!zero)
}

fn unfenced_validators(l: &mut Linter, steps: &[(StepRef, &PlannedStep)]) {
    let mut fenced = false;
    for &(at, s) in steps.iter().filter(|(at, _)| at.phase == Phase::Step) {
        match validators_effect(s) {
            Some(false) => fenced = true,
            Some(true) if !fenced => l.push_op(
                at,
                s,
                Severity::Error,
                "unfenced-validators",
                format!(
                    "step {} starts validators but no earlier step fences the failing region's \
                     signers: if they come back, both regions sign the same height (double-sign); \
                     fence them first (fence_validators)",
                    s.name
                ),
            ),
            _ => {}
        }
    }
}

fn chain_state_overwrite(l: &mut Linter, at: StepRef, s: &PlannedStep) {
    let Some(c) = command_text(s) else { return };
    let extracts =
        c.contains("tar ") && (c.contains(" -x") || c.contains(" x") || c.contains("--extract"));
    let copies = (c.contains("cp ") || c.contains("rsync ")) && c.contains("/data");
    let chain = c.contains("snapshot") || c.contains("/data") || c.contains("priv_validator_state");
    if !((extracts || copies) && chain) {
        return;
    }
    let keeps = c.contains("priv_validator_state")
        && (c.contains("--exclude")
            || ["-gt", "-ge", "-lt", "-le"].iter().any(|op| c.contains(op)));
    if !keeps {
        l.push_op(
            at,
            s,
            Severity::Error,
            "signing-state-rollback",
            format!(
                "step {} restores chain state over priv_validator_state.json: the snapshot's signing \
                 state is older than the validator's, so it could sign a height it already signed; \
                 exclude it (--exclude=data/priv_validator_state.json) and keep the newer one",
                s.name
            ),
        );
    }
}

fn destructive_without_gate(l: &mut Linter, at: StepRef, s: &PlannedStep) {
    // Rolling back is itself the operator's decision, taken at the engine's gate.
    if s.destructive && s.gate.is_none() && at.phase != Phase::Rollback {
        l.push_step(
            s,
            Severity::Error,
            "destructive-without-gate",
            format!(
                "step {} changes infrastructure but has no gate; add gate: {{phrase: ...}} naming what it changes",
                s.name
            ),
        );
    }
}

fn command_without_timeout(l: &mut Linter, s: &PlannedStep) {
    if matches!(s.operation, Operation::Shell(_)) && s.timeout.is_none() {
        l.push_step(
            s,
            Severity::Warning,
            "no-timeout",
            format!(
                "command of step {} has no timeout: a hung command stalls the run against the RTO",
                s.name
            ),
        );
    }
}

/// `drconsole check` on one runbook or actions file: a load error, the
/// lint's findings, or ok. Checked against the simulated estate's layout
/// and schedules, with no variables given.
#[must_use]
pub fn check_runbook_file(file: &Path) -> Vec<Finding> {
    let cap = if file.file_name().is_some_and(|n| n == "actions.yaml") {
        Cap::ACTIONS
    } else {
        Cap::RUNBOOK
    };
    let text = match read_text(file, cap) {
        Ok(t) => t,
        Err(e) => return vec![Finding::Err(e.into())],
    };
    if file.file_name().is_some_and(|n| n == "actions.yaml") {
        return vec![match parse_actions(file, &text) {
            Ok(_) => Finding::Ok(file.to_path_buf(), FileKind::Actions),
            Err(e) => Finding::Invalid(e, FileKind::Actions),
        }];
    }
    let estate = EstateSpec::seed();
    let result = parse_runbook(file, &text).and_then(|rb| {
        let actions = Actions::for_runbook(file)?;
        let compiled = build(&rb, &actions, &BTreeMap::new(), &estate, false)?;
        Ok(lint(&rb, &compiled, &estate))
    });
    match result {
        Err(e) => vec![Finding::Invalid(e, FileKind::Runbook)],
        Ok(findings) if findings.is_empty() => {
            vec![Finding::Ok(file.to_path_buf(), FileKind::Runbook)]
        }
        Ok(findings) => findings.into_iter().map(Finding::Lint).collect(),
    }
}
