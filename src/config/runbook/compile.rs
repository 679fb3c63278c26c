//! From a loaded runbook file to a [`Plan`]: actions resolved, variables
//! checked, durations and expectations parsed, all with file:line:col.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_saphyr::{Location, Spanned};
use sha2::{Digest, Sha256};

use super::actions::{Actions, Resolved, practice_texts};
use super::expect::parse_expectation;
use super::file::{AutomatedTest, PracticeFile, RunbookFile, StepFile, StepRollback, Text};
use super::source::Source;
use super::vars::{VarCheck, shell_assigned};
use crate::config::error::ConfigError;
use crate::domain::estate::EstateSpec;
use crate::domain::runbook::plan::{
    Gate, Operation, Phase, Plan, PlannedStep, Poll, PracticeEffect, Retry, RollbackTrigger,
    SourcePos, StepRef,
};
use crate::domain::runbook::template::{Piece, Template};
use crate::domain::time::parse_duration;

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
    let doc: RunbookFile = serde_saphyr::from_str(text).map_err(|e| src.yaml_error(&e))?;
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
    let text = std::fs::read_to_string(file).map_err(|source| ConfigError::Io {
        file: file.to_path_buf(),
        source,
    })?;
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
    let mut b = Builder {
        src,
        actions,
        names: BTreeMap::new(),
        step_actions: BTreeMap::new(),
        op_offset: BTreeMap::new(),
    };
    let (pre, steps, post) = procedure(&src, doc)?;
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
    // Templates that drconsole does not run still name variables.
    if let Some(backup) = &doc.backup {
        for s in backup.verification.iter().flat_map(|v| &v.steps) {
            if let Some(c) = &s.command {
                let t = parse(&src, c)?;
                vc.note(&without_shell_locals(&t, &c.value), &c.referenced);
            }
        }
        for t in backup.retention.iter().flat_map(BTreeMap::values) {
            duration(&src, t)?;
        }
    }
    if let Some(rep) = &doc.reporting {
        for n in &rep.notifications {
            if let Some(w) = &n.webhook {
                vc.note(&parse(&src, w)?, &w.referenced);
            }
        }
    }
    for t in &doc.triggers {
        if let Some(w) = &t.window {
            duration(&src, w)?;
        }
    }
    let values = vc.finish(estate)?;
    let plan = Plan {
        name: doc.name.value.clone(),
        version: doc
            .version
            .as_ref()
            .map(|v| v.value.clone())
            .unwrap_or_default(),
        source: runbook.file.display().to_string(),
        rto: doc.rto.as_ref().map(|t| duration(&src, t)).transpose()?,
        rpo: doc.rpo.as_ref().map(|t| duration(&src, t)).transpose()?,
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

fn parse(src: &Source, t: &Text) -> Result<Template, ConfigError> {
    Template::parse(&t.value).map_err(|e| src.at(&t.referenced, e.to_string()))
}

fn duration(src: &Source, t: &Text) -> Result<Duration, ConfigError> {
    parse_duration(&t.value).map_err(|e| src.at(&t.referenced, e))
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
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Words that mark a raw command as changing infrastructure.
const DESTRUCTIVE_WORDS: &[&str] = &[
    "scale deployment",
    "scale statefulset",
    " scale ",
    "restore from",
    "drop ",
    "delete",
    "truncate",
    "rm -",
    "kubectl apply",
    "kubectl patch",
    "tar -x",
    "tar x",
    "unsafe-reset",
    "mv ",
];

/// Whether a raw command looks like it changes something.
pub(crate) fn looks_destructive(command: &str) -> bool {
    let c = command.to_lowercase();
    DESTRUCTIVE_WORDS.iter().any(|w| c.contains(w))
}

struct Builder<'a> {
    src: Source<'a>,
    actions: &'a Actions,
    names: BTreeMap<String, usize>,
    step_actions: BTreeMap<StepRef, String>,
    op_offset: BTreeMap<StepRef, usize>,
}

impl Builder<'_> {
    fn unique(&mut self, name: &Text) -> Result<(), ConfigError> {
        let src = self.src;
        if let Some(line) = self.names.get(&name.value) {
            return Err(src.at(
                &name.referenced,
                format!(
                    "step name \"{}\" is already used on line {line}",
                    name.value
                ),
            ));
        }
        self.names.insert(
            name.value.clone(),
            usize::try_from(name.referenced.line()).unwrap_or(0),
        );
        Ok(())
    }

    fn pos(&self, loc: &Location) -> SourcePos {
        let (line, column) = self.src.line_col(self.src.offset(loc));
        SourcePos { line, column }
    }

    fn operation(
        &mut self,
        vc: &mut VarCheck,
        at: StepRef,
        name: &Text,
        action: Option<&Text>,
        params: Option<&Spanned<BTreeMap<String, Spanned<super::file::ParamValue>>>>,
        command: Option<&Text>,
    ) -> Result<(Operation, Option<PracticeFile>, Option<bool>), ConfigError> {
        let src = self.src;
        match (action, command) {
            (Some(a), None) => {
                let def = self.actions.get(&a.value).ok_or_else(|| {
                    let names: Vec<&str> = self.actions.names().collect();
                    src.at(
                        &a.referenced,
                        format!(
                            "unknown action \"{}\", expected one of {}",
                            a.value,
                            names.join(", ")
                        ),
                    )
                })?;
                let given = params.map(|p| &p.value);
                let resolved = def.resolve(&src, &a.referenced, given)?;
                for (k, v) in given.into_iter().flatten() {
                    if let Some(Resolved::One(t)) = resolved.get(k) {
                        vc.check(t, &v.referenced)?;
                    }
                }
                let op = def.operation(&src, &a.referenced, &resolved)?;
                self.step_actions.insert(at, def.name.clone());
                self.op_offset.insert(at, src.offset(&a.referenced));
                Ok((op, Some(def.practice(&resolved)), Some(def.destructive)))
            }
            (None, Some(c)) => {
                if let Some(p) = params {
                    return Err(src.at(
                        &p.referenced,
                        "params: belong to an action:, this step has a command:",
                    ));
                }
                let t = without_shell_locals(&parse(&src, c)?, &c.value);
                vc.check(&t, &c.referenced)?;
                self.op_offset.insert(at, src.offset(&c.referenced));
                Ok((Operation::Shell(t), None, None))
            }
            (Some(a), Some(_)) => Err(src.at(
                &a.referenced,
                format!(
                    "step \"{}\" has both action: and command:, expected one",
                    name.value
                ),
            )),
            (None, None) => Err(src.at(
                &name.referenced,
                format!("step \"{}\" needs an action: or a command:", name.value),
            )),
        }
    }

    fn step(
        &mut self,
        vc: &mut VarCheck,
        at: StepRef,
        s: &StepFile,
    ) -> Result<PlannedStep, ConfigError> {
        let src = self.src;
        self.unique(&s.name)?;
        let (operation, action_practice, action_destructive) = self.operation(
            vc,
            at,
            &s.name,
            s.action.as_ref(),
            s.params.as_ref(),
            s.command.as_ref(),
        )?;
        let destructive = s.destructive.or(action_destructive).unwrap_or_else(
            || matches!(&operation, Operation::Shell(t) if looks_destructive(&t.to_string())),
        );
        let timeout = s.timeout.as_ref().map(|t| duration(&src, t)).transpose()?;
        let retry = match (&s.retry, &s.retries) {
            (Some(_), Some(r)) => {
                return Err(src.at(&r.referenced, "give retry: or retries:, not both"));
            }
            (Some(r), None) => {
                if r.value.max_attempts.value == 0 {
                    return Err(src.at(
                        &r.value.max_attempts.referenced,
                        "max_attempts must be at least 1",
                    ));
                }
                Retry {
                    max_attempts: r.value.max_attempts.value,
                    delay: r
                        .value
                        .delay
                        .as_ref()
                        .map(|d| duration(&src, d))
                        .transpose()?
                        .unwrap_or_default(),
                }
            }
            // `retries: N` means N more tries after the first, as curl --retry does.
            (None, Some(r)) => Retry {
                max_attempts: r.value.saturating_add(1),
                delay: s
                    .interval
                    .as_ref()
                    .map(|d| duration(&src, d))
                    .transpose()?
                    .unwrap_or_default(),
            },
            (None, None) => {
                if let Some(i) = &s.interval {
                    return Err(src.at(
                        &i.referenced,
                        "interval: needs retries: (or use retry: {max_attempts, delay})",
                    ));
                }
                Retry::default()
            }
        };
        let poll = match (&s.poll_interval, &s.until) {
            (Some(i), Some(u)) => Some(Poll {
                interval: duration(&src, i)?,
                until: parse_expectation(&u.value).map_err(|e| src.at(&u.referenced, e))?,
            }),
            (None, None) => None,
            (Some(i), None) => return Err(src.at(&i.referenced, "poll_interval: needs until:")),
            (None, Some(u)) => return Err(src.at(&u.referenced, "until: needs poll_interval:")),
        };
        let expect = s
            .expect
            .as_ref()
            .map(|e| parse_expectation(&e.value).map_err(|m| src.at(&e.referenced, m)))
            .transpose()?;
        let verify = match &s.verify {
            Some(v) => {
                let t = without_shell_locals(&parse(&src, v)?, &v.value);
                vc.check(&t, &v.referenced)?;
                Some(t)
            }
            None => None,
        };
        let question = s.threshold.as_ref().map(|t| t.value.trim().to_owned());
        let gate = self.gate(vc, s.gate.as_ref(), question.is_some())?;
        let rollback = s
            .rollback
            .as_ref()
            .map(|r| self.step_rollback(vc, at, &s.name, r))
            .transpose()?;
        let practice = match &s.practice {
            Some(p) => practice(&src, vc, p)?,
            None => practice_effect(action_practice.unwrap_or(PracticeFile::None)),
        };
        Ok(PlannedStep {
            name: s.name.value.clone(),
            description: s.description.as_ref().map(|d| d.value.trim().to_owned()),
            pos: self.pos(&s.name.referenced),
            operation,
            verify,
            timeout,
            retry,
            poll,
            expect,
            question,
            gate,
            destructive,
            rollback,
            practice,
        })
    }

    fn step_rollback(
        &mut self,
        vc: &mut VarCheck,
        at: StepRef,
        name: &Text,
        r: &Spanned<StepRollback>,
    ) -> Result<Operation, ConfigError> {
        // The rollback's action is not the step's: keep the step's record.
        let saved = (self.step_actions.remove(&at), self.op_offset.remove(&at));
        let (op, _, _) = self.operation(
            vc,
            at,
            name,
            r.value.action.as_ref(),
            r.value.params.as_ref(),
            r.value.command.as_ref(),
        )?;
        self.step_actions.remove(&at);
        self.op_offset.remove(&at);
        if let Some(a) = saved.0 {
            self.step_actions.insert(at, a);
        }
        if let Some(o) = saved.1 {
            self.op_offset.insert(at, o);
        }
        Ok(op)
    }

    fn gate(
        &self,
        vc: &mut VarCheck,
        g: Option<&Spanned<super::file::GateFile>>,
        question: bool,
    ) -> Result<Option<Gate>, ConfigError> {
        let src = self.src;
        let Some(g) = g else {
            // A question is answered at a gate.
            return Ok(question.then_some(Gate {
                phrase: None,
                approvers: 1,
                reason: false,
            }));
        };
        let approvers = match &g.value.approvers {
            Some(a) if !(1..=5).contains(&a.value) => {
                return Err(src.at(
                    &a.referenced,
                    format!("bad gate: approvers must be 1 to 5, not {}", a.value),
                ));
            }
            Some(a) => a.value,
            None => 1,
        };
        let phrase = match &g.value.phrase {
            Some(p) if p.value.trim().is_empty() => {
                return Err(src.at(&p.referenced, "bad gate: the phrase is empty"));
            }
            Some(p) => {
                let t = parse(&src, p)?;
                vc.check(&t, &p.referenced)?;
                Some(t)
            }
            None => None,
        };
        Ok(Some(Gate {
            phrase,
            approvers,
            reason: g.value.reason,
        }))
    }

    /// One automated test: each of its commands a pre-check.
    fn test(
        &mut self,
        vc: &mut VarCheck,
        first: usize,
        t: &AutomatedTest,
    ) -> Result<Vec<PlannedStep>, ConfigError> {
        let src = self.src;
        self.unique(&t.name)?;
        if t.steps.is_empty() {
            return Err(src.at(
                &t.name.referenced,
                format!("test \"{}\" has no steps", t.name.value),
            ));
        }
        if let Some(s) = &t.schedule {
            let _ = &s.value;
        }
        let timeout = t.timeout.as_ref().map(|d| duration(&src, d)).transpose()?;
        let expect = t
            .expect
            .as_ref()
            .map(|e| parse_expectation(&e.value).map_err(|m| src.at(&e.referenced, m)))
            .transpose()?;
        let question = t.threshold.as_ref().map(|q| q.value.trim().to_owned());
        let practice_fx = match &t.practice {
            Some(p) => practice(&src, vc, p)?,
            None => PracticeEffect::None,
        };
        let mut out = Vec::new();
        for (i, s) in t.steps.iter().enumerate() {
            let name = match (&s.name, i) {
                (Some(n), _) => n.value.clone(),
                (None, 0) => t.name.value.clone(),
                (None, n) => format!("{}.{}", t.name.value, n + 1),
            };
            let cmd = without_shell_locals(&parse(&src, &s.command)?, &s.command.value);
            vc.check(&cmd, &s.command.referenced)?;
            let at = StepRef {
                phase: Phase::PreCheck,
                index: first + i,
            };
            self.op_offset.insert(at, src.offset(&s.command.referenced));
            out.push(PlannedStep {
                name,
                description: t.description.as_ref().map(|d| d.value.trim().to_owned()),
                pos: self.pos(&t.name.referenced),
                operation: Operation::Shell(cmd),
                verify: None,
                timeout,
                retry: Retry::default(),
                poll: None,
                expect: expect.clone(),
                question: question.clone(),
                gate: question.as_ref().map(|_| Gate {
                    phrase: None,
                    approvers: 1,
                    reason: false,
                }),
                destructive: false,
                rollback: None,
                practice: practice_fx.clone(),
            });
        }
        Ok(out)
    }
}

/// A step's own `practice:`, its templates checked against the variables.
fn practice(
    src: &Source,
    vc: &mut VarCheck,
    p: &Spanned<PracticeFile>,
) -> Result<PracticeEffect, ConfigError> {
    for text in practice_texts(&p.value) {
        let t = Template::parse(text).map_err(|e| src.at(&p.referenced, e.to_string()))?;
        vc.check(&t, &p.referenced)?;
    }
    Ok(practice_effect(p.value.clone()))
}

/// The plan's form of a practice effect (texts already checked templates).
fn practice_effect(p: PracticeFile) -> PracticeEffect {
    let t = |s: &str| {
        Template::parse(s).unwrap_or_else(|_| Template::from_pieces([Piece::Literal(s.to_owned())]))
    };
    match p {
        PracticeFile::None => PracticeEffect::None,
        PracticeFile::PromoteDatabase(r) => PracticeEffect::PromoteDatabase(t(&r)),
        PracticeFile::Traffic { region, serving } => PracticeEffect::Traffic(t(&region), serving),
        PracticeFile::Validators { region, running } => {
            PracticeEffect::Validators(t(&region), running)
        }
        PracticeFile::RecoverRegion(r) => PracticeEffect::RecoverRegion(t(&r)),
        PracticeFile::Fail(m) => PracticeEffect::Fail(m),
    }
}
