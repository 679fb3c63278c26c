//! From a loaded runbook file to a [`Plan`]: actions resolved, variables
//! checked, durations and expectations parsed, all with file:line:col.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::actions::Actions;
use super::file::{RunbookFile, StepFile, Text};
use super::source::Source;
use super::steps::Builder;
use super::vars::{VarCheck, shell_assigned};
use crate::config::error::ConfigError;
use crate::domain::duration::{Bound, bounds};
use crate::domain::estate::EstateSpec;
use crate::domain::runbook::plan::{Phase, Plan, PlannedStep, RollbackTrigger, StepRef};
use crate::domain::runbook::script::{ScriptError, script_text};
use crate::domain::runbook::template::{Piece, Template};
use serde_saphyr::Location;

/// A runbook file read and parsed, not yet compiled.
#[derive(Debug)]
pub struct Runbook {
    /// The file as the caller named it.
    pub file: PathBuf,
    /// Its text, for fingerprints and positions.
    pub text: String,
    pub(crate) doc: RunbookFile,
}

/// Parses a runbook's YAML (unknown keys, wrong types and syntax are errors).
///
/// # Errors
/// The first problem, with file:line:col.
pub fn parse_runbook(file: &Path, text: &str) -> Result<Runbook, ConfigError> {
    let src = Source::new(file, text);
    let blank = text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
    if blank {
        return Err(src.at_offset(0, "empty runbook, expected at least name: and steps:"));
    }
    let doc: RunbookFile = serde_saphyr::from_str(text).map_err(|e| match src.yaml_error(&e) {
        ConfigError::Invalid {
            message,
            line: 1,
            col: 1,
            ..
        } if message == "expected mapping start" => src.at_offset(
            0,
            "expected a runbook: a mapping with name:, steps: and so on",
        ),
        other => other,
    })?;
    Ok(Runbook {
        file: file.to_path_buf(),
        text: text.to_owned(),
        doc,
    })
}

/// Reads and parses a runbook file.
///
/// # Errors
/// The file cannot be read, or [`parse_runbook`] fails.
pub fn load_runbook(file: &Path) -> Result<Runbook, ConfigError> {
    // Only a regular file of bounded size: a FIFO or a device never blocks.
    let text = crate::text::read_text(file, crate::text::Cap::RUNBOOK)?;
    parse_runbook(file, &text)
}

/// A compiled plan plus what the lint needs to know about its source.
#[derive(Debug)]
pub struct Compiled {
    /// The plan.
    pub plan: Plan,
    /// Variables used but neither declared nor given: name and byte offset
    /// of the first use (only when compiled leniently, for `check`).
    pub unsupplied: Vec<(String, usize)>,
    /// The action each step names, if any.
    pub actions: BTreeMap<StepRef, String>,
    /// Byte offset of each step's `action:` or `command:`.
    pub op_offset: BTreeMap<StepRef, usize>,
}

/// Compiles a runbook for a run with the variables given on the command
/// line: every variable used must have a value.
///
/// # Errors
/// An unknown action, undeclared or missing variable, bad value, duration,
/// expectation, gate or rollback trigger, with file:line:col.
pub fn compile(
    runbook: &Runbook,
    actions: &Actions,
    vars: &BTreeMap<String, String>,
    estate: &EstateSpec,
) -> Result<Plan, ConfigError> {
    build(runbook, actions, vars, estate, true).map(|c| c.plan)
}

/// Compiles with or without requiring every variable's value (`strict`).
///
/// # Errors
/// As [`compile`]; leniently, a variable with no value is recorded instead.
pub fn build(
    runbook: &Runbook,
    actions: &Actions,
    vars: &BTreeMap<String, String>,
    estate: &EstateSpec,
    strict: bool,
) -> Result<Compiled, ConfigError> {
    let src = Source::new(&runbook.file, &runbook.text);
    let doc = &runbook.doc;
    let mut vc = VarCheck::new(src, doc.vars.as_ref(), vars, strict);
    let mut b = Builder::new(src, actions);
    let (pre, steps, post) = procedure(&src, doc)?;
    vc.will_capture(steps);
    let mut plan_pre = Vec::new();
    let mut plan_steps = Vec::new();
    let mut plan_post = Vec::new();
    let mut plan_rollback = Vec::new();
    for (i, s) in pre.iter().enumerate() {
        plan_pre.push(b.step(
            &mut vc,
            StepRef {
                phase: Phase::PreCheck,
                index: i,
            },
            s,
        )?);
    }
    if let Some(tests) = &doc.automated_tests {
        for t in &tests.value {
            for step in b.test(&mut vc, plan_pre.len(), t)? {
                plan_pre.push(step);
            }
        }
    }
    for (i, s) in steps.iter().enumerate() {
        plan_steps.push(b.step(
            &mut vc,
            StepRef {
                phase: Phase::Step,
                index: i,
            },
            s,
        )?);
    }
    for (i, s) in post.iter().enumerate() {
        plan_post.push(b.step(
            &mut vc,
            StepRef {
                phase: Phase::PostCheck,
                index: i,
            },
            s,
        )?);
    }
    let mut trigger = RollbackTrigger::OnRequest;
    if let Some(rb) = &doc.rollback {
        for (i, s) in rb.steps.iter().enumerate() {
            plan_rollback.push(b.step(
                &mut vc,
                StepRef {
                    phase: Phase::Rollback,
                    index: i,
                },
                s,
            )?);
        }
        if let Some(t) = &rb.trigger {
            trigger = rollback_trigger(&src, t, &plan_steps)?;
        }
    }
    note_unrun(&src, doc, &mut vc)?;
    let values = vc.finish(estate)?;
    let plan = Plan {
        name: doc.name.value.clone(),
        version: doc
            .version
            .as_ref()
            .map(|v| v.value.clone())
            .unwrap_or_default(),
        source: runbook.file.display().to_string(),
        rto: doc
            .rto
            .as_ref()
            .map(|t| duration(&src, t, "rto", bounds::TARGET))
            .transpose()?,
        rpo: doc
            .rpo
            .as_ref()
            .map(|t| duration(&src, t, "rpo", bounds::TARGET))
            .transpose()?,
        fingerprint: fingerprint(&runbook.text, vars),
        vars: values,
        pre_checks: plan_pre,
        steps: plan_steps,
        post_checks: plan_post,
        rollback: plan_rollback,
        rollback_trigger: trigger,
    };
    Ok(Compiled {
        plan,
        unsupplied: vc.unsupplied(),
        actions: b.step_actions,
        op_offset: b.op_offset,
    })
}

/// Templates drconsole does not run (backup jobs, reporting) still name
/// variables, and their durations must still parse.
fn note_unrun(src: &Source, doc: &RunbookFile, vc: &mut VarCheck) -> Result<(), ConfigError> {
    if let Some(backup) = &doc.backup {
        for s in backup.verification.iter().flat_map(|v| &v.steps) {
            if let Some(c) = &s.command {
                let t = parse(src, c)?;
                vc.note(&without_shell_locals(&t, &c.value), &c.referenced);
            }
        }
        for (kind, t) in backup.retention.iter().flat_map(BTreeMap::iter) {
            duration(src, t, kind, bounds::RETENTION)?;
        }
    }
    if let Some(rep) = &doc.reporting {
        for n in &rep.notifications {
            if let Some(w) = &n.webhook {
                vc.note(&parse(src, w)?, &w.referenced);
            }
        }
    }
    for t in &doc.triggers {
        if let Some(w) = &t.window {
            duration(src, w, "window", bounds::RETENTION)?;
        }
    }
    Ok(())
}

type Steps<'a> = (&'a [StepFile], &'a [StepFile], &'a [StepFile]);

/// The procedure: the top-level steps, or `restore:`; never both.
fn procedure<'a>(src: &Source, doc: &'a RunbookFile) -> Result<Steps<'a>, ConfigError> {
    let top = !(doc.pre_checks.is_empty() && doc.steps.is_empty() && doc.post_checks.is_empty());
    if let Some(r) = &doc.restore {
        if top {
            return Err(src.at(
                &r.referenced,
                "a runbook has either top-level checks and steps or restore:, not both",
            ));
        }
        if doc.automated_tests.is_some() {
            return Err(src.at(
                &r.referenced,
                "a runbook has either restore: or automated_tests:, not both",
            ));
        }
        return Ok((&r.value.pre_checks, &r.value.steps, &r.value.post_checks));
    }
    if let Some(t) = &doc.automated_tests
        && !doc.steps.is_empty()
    {
        return Err(src.at(
            &t.referenced,
            "a runbook has either steps or automated_tests:, not both",
        ));
    }
    Ok((&doc.pre_checks, &doc.steps, &doc.post_checks))
}

pub(crate) fn parse(src: &Source, t: &Text) -> Result<Template, ConfigError> {
    Template::parse(&t.value).map_err(|e| src.template_error(&t.referenced, &e))
}

/// A shell command or check: parsed, the script's own variables kept as
/// text, and every placeholder where the one shell renderer can refer to
/// it (not inside single quotes, a quoted here-document or after a
/// backslash, where `sh` would not expand a reference).
pub(crate) fn shell_template(src: &Source, t: &Text) -> Result<Template, ConfigError> {
    let template = without_shell_locals(&parse(src, t)?, &t.value);
    if let Err(e) = script_text(&template) {
        let offset = match &e {
            ScriptError::Misplaced {
                name, occurrence, ..
            } => nth_var_offset(src, &t.referenced, name, *occurrence),
            _ => src.offset(&t.referenced),
        };
        return Err(src.at_offset(offset, e.to_string()));
    }
    Ok(template)
}

/// The offset of the `occurrence`-th (from 0) `${name}` in the value
/// written at `at`; the first one's when it cannot be found.
pub(crate) fn nth_var_offset(src: &Source, at: &Location, name: &str, occurrence: usize) -> usize {
    let first = src.var_offset(at, name);
    let needle = format!("${{{name}}}");
    let mut here = first;
    for _ in 0..occurrence {
        match src
            .text
            .get(here + needle.len()..)
            .and_then(|r| r.find(&needle))
        {
            Some(i) => here += needle.len() + i,
            None => return first,
        }
    }
    here
}

/// A duration of the runbook's `field`, checked against its bound: the
/// only way a runbook's text becomes a `Duration`, so none reaches the
/// engine unchecked.
pub(crate) fn duration(
    src: &Source,
    t: &Text,
    field: &str,
    bound: Bound,
) -> Result<Duration, ConfigError> {
    bound
        .parse(field, &t.value)
        .map_err(|e| src.at(&t.referenced, e.to_string()))
}

/// `${NAME}` that the script assigns itself (`for NAME in`, `NAME=`) stays
/// the shell's: it is kept as text, not filled in by drconsole.
pub(crate) fn without_shell_locals(t: &Template, text: &str) -> Template {
    let locals = shell_assigned(text);
    if locals.is_empty() {
        return t.clone();
    }
    Template::from_pieces(t.pieces().iter().map(|p| match p {
        Piece::Var(v) if locals.contains(v) => Piece::Literal(format!("${{{v}}}")),
        other => other.clone(),
    }))
}

fn rollback_trigger(
    src: &Source,
    t: &Text,
    steps: &[PlannedStep],
) -> Result<RollbackTrigger, ConfigError> {
    if matches!(t.value.as_str(), "manual" | "on_request") {
        return Ok(RollbackTrigger::OnRequest);
    }
    let Some(name) = t.value.strip_prefix("any_step_failed_after_") else {
        return Err(src.at(
            &t.referenced,
            format!(
                "bad rollback trigger \"{}\", expected any_step_failed_after_<step> or manual",
                t.value
            ),
        ));
    };
    if steps.iter().any(|s| s.name == name) {
        Ok(RollbackTrigger::AfterStep(name.to_owned()))
    } else {
        let names: Vec<&str> = steps.iter().map(|s| s.name.as_str()).collect();
        Err(src.at(
            &t.referenced,
            format!(
                "rollback trigger names no step \"{name}\", steps are: {}",
                names.join(", ")
            ),
        ))
    }
}

fn fingerprint(text: &str, vars: &BTreeMap<String, String>) -> String {
    let mut h = Sha256::new();
    h.update(text.as_bytes());
    for (k, v) in vars {
        h.update([0]);
        h.update(k.as_bytes());
        h.update([0]);
        h.update(v.as_bytes());
    }
    h.finalize()
        .iter()
        .fold(String::with_capacity(64), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}
