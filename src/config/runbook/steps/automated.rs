//! Automated tests of a runbook file (`tests:`) to pre-checks: each of a
//! test's commands becomes one planned pre-check step, sharing the test's
//! timeout, expectation, question and practice effect.

use super::Builder;
use super::practice::practice;
use crate::config::error::ConfigError;
use crate::config::runbook::compile::{duration, shell_template};
use crate::config::runbook::expect::parse_expectation;
use crate::config::runbook::file::AutomatedTest;
use crate::config::runbook::vars::VarCheck;
use crate::domain::duration::bounds;
use crate::domain::runbook::plan::{
    Gate, Operation, Phase, PlannedStep, PracticeEffect, Retry, StepRef,
};

impl Builder<'_> {
    /// One automated test: each of its commands a pre-check.
    pub(crate) fn test(
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
        let timeout = t
            .timeout
            .as_ref()
            .map(|d| duration(&src, d, "timeout", bounds::STEP_TIMEOUT))
            .transpose()?;
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
            let cmd = shell_template(&src, &s.command)?;
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
                capture: None,
                on_pass: None,
            });
        }
        Ok(out)
    }
}
