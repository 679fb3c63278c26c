//! One step of a runbook file to one [`PlannedStep`]: its operation
//! (action or command), timeout, retry, poll, expectation, gate, rollback
//! and practice effect.

mod automated;
mod practice;

use std::collections::BTreeMap;

use serde_saphyr::{Location, Spanned};

use self::practice::{practice, practice_effect};
use super::actions::{Actions, Resolved};
use super::compile::{duration, parse, shell_template};
use super::expect::parse_expectation;
use super::file::{GateFile, ParamValue, PracticeFile, StepFile, StepRollback, Text};
use super::source::Source;
use super::vars::VarCheck;
use crate::config::counts;
use crate::config::error::ConfigError;
use crate::domain::duration::bounds;
use crate::domain::runbook::plan::{
    Gate, Operation, Phase, PlannedStep, Poll, Retry, SourcePos, StepRef,
};

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

/// `retry: {max_attempts, delay}` or `retries:` + `interval:`.
fn retry(src: &Source, s: &StepFile) -> Result<Retry, ConfigError> {
    Ok(match (&s.retry, &s.retries) {
        (Some(_), Some(r)) => {
            return Err(src.at(&r.referenced, "give retry: or retries:, not both"));
        }
        (Some(r), None) => {
            let n = &r.value.max_attempts;
            if let Some(message) = counts::MAX_ATTEMPTS.refuse("max_attempts", n.value) {
                return Err(src.at(&n.referenced, message));
            }
            Retry {
                max_attempts: r.value.max_attempts.value,
                delay: r
                    .value
                    .delay
                    .as_ref()
                    .map(|d| duration(src, d, "delay", bounds::RETRY_DELAY))
                    .transpose()?
                    .unwrap_or_default(),
            }
        }
        // `retries: N` means N more tries after the first, as curl --retry does.
        (None, Some(r)) => Retry {
            max_attempts: match counts::RETRIES.refuse("retries", r.value) {
                Some(message) => return Err(src.at(&r.referenced, message)),
                None => r.value.saturating_add(1),
            },
            delay: s
                .interval
                .as_ref()
                .map(|d| duration(src, d, "interval", bounds::RETRY_DELAY))
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
    })
}

/// What a step takes from the action it names: its practice effect,
/// whether it is destructive, and what its pass tells the console.
struct FromAction {
    practice: PracticeFile,
    destructive: bool,
    on_pass: Option<crate::domain::runbook::plan::OnPass>,
}

/// Builds planned steps, remembering names and where each operation is.
pub(crate) struct Builder<'a> {
    src: Source<'a>,
    actions: &'a Actions,
    names: BTreeMap<String, usize>,
    pub(crate) step_actions: BTreeMap<StepRef, String>,
    pub(crate) op_offset: BTreeMap<StepRef, usize>,
}

impl<'a> Builder<'a> {
    /// A builder for the runbook in `src`, whose steps name `actions`.
    pub(crate) fn new(src: Source<'a>, actions: &'a Actions) -> Self {
        Self {
            src,
            actions,
            names: BTreeMap::new(),
            step_actions: BTreeMap::new(),
            op_offset: BTreeMap::new(),
        }
    }

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
        params: Option<&Spanned<BTreeMap<String, Spanned<ParamValue>>>>,
        command: Option<&Text>,
    ) -> Result<(Operation, Option<FromAction>), ConfigError> {
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
                let traits = FromAction {
                    practice: def.practice(&resolved),
                    destructive: def.destructive,
                    on_pass: def.on_pass(&resolved),
                };
                Ok((op, Some(traits)))
            }
            (None, Some(c)) => {
                if let Some(p) = params {
                    return Err(src.at(
                        &p.referenced,
                        "params: belong to an action:, this step has a command:",
                    ));
                }
                let t = shell_template(&src, c)?;
                vc.check(&t, &c.referenced)?;
                self.op_offset.insert(at, src.offset(&c.referenced));
                Ok((Operation::Shell(t), None))
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

    /// One step of the file at `at` as a planned step, its templates
    /// checked against the variables by `vc`.
    pub(crate) fn step(
        &mut self,
        vc: &mut VarCheck,
        at: StepRef,
        s: &StepFile,
    ) -> Result<PlannedStep, ConfigError> {
        let src = self.src;
        self.unique(&s.name)?;
        let (operation, from_action) = self.operation(
            vc,
            at,
            &s.name,
            s.action.as_ref(),
            s.params.as_ref(),
            s.command.as_ref(),
        )?;
        let (action_practice, action_destructive, on_pass) = match from_action {
            Some(a) => (Some(a.practice), Some(a.destructive), a.on_pass),
            None => (None, None, None),
        };
        let destructive = s.destructive.or(action_destructive).unwrap_or_else(
            || matches!(&operation, Operation::Shell(t) if looks_destructive(&t.to_string())),
        );
        let timeout = s
            .timeout
            .as_ref()
            .map(|t| duration(&src, t, "timeout", bounds::STEP_TIMEOUT))
            .transpose()?;
        let retry = retry(&src, s)?;
        let poll = match (&s.poll_interval, &s.until) {
            (Some(i), Some(u)) => Some(Poll {
                interval: duration(&src, i, "poll_interval", bounds::STEP_POLL)?,
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
                let t = shell_template(&src, v)?;
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
        let capture = s
            .capture
            .as_ref()
            .map(|c| vc.capture(c, at.phase == Phase::Step))
            .transpose()?;
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
            capture,
            on_pass,
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
        let (op, _) = self.operation(
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
        g: Option<&Spanned<GateFile>>,
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
}
