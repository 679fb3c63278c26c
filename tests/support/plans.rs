//! Runbook plans built directly in Rust, for engine, runner and driver
//! tests (the file format has its own tests).

use std::collections::BTreeMap;
use std::time::Duration;

use drconsole::domain::runbook::plan::{
    Expectation, Gate, Operation, Plan, PlannedStep, PracticeEffect, Retry, RollbackTrigger,
    SourcePos,
};
use drconsole::domain::runbook::template::Template;

/// A template, parsed.
pub fn t(text: &str) -> Template {
    Template::parse(text).expect("template parses")
}

/// A shell step with nothing else set.
pub fn shell(name: &str, command: &str) -> PlannedStep {
    PlannedStep {
        name: name.to_owned(),
        description: None,
        pos: SourcePos::default(),
        operation: Operation::Shell(t(command)),
        verify: None,
        timeout: Some(Duration::from_secs(30)),
        retry: Retry::default(),
        poll: None,
        expect: None,
        question: None,
        gate: None,
        destructive: false,
        rollback: None,
        practice: PracticeEffect::None,
        capture: None,
        on_pass: None,
    }
}

/// `step` behind a typed-phrase gate.
pub fn gated(mut step: PlannedStep, phrase: &str, approvers: u8, reason: bool) -> PlannedStep {
    step.gate = Some(Gate {
        phrase: Some(t(phrase)),
        approvers,
        reason,
    });
    step.destructive = true;
    step
}

/// `step` with its own rollback command.
pub fn undoable(mut step: PlannedStep, rollback: &str) -> PlannedStep {
    step.rollback = Some(Operation::Shell(t(rollback)));
    step
}

/// `step` with an expectation.
pub fn expecting(mut step: PlannedStep, e: Expectation) -> PlannedStep {
    step.expect = Some(e);
    step
}

/// `step` with a retry policy.
pub fn retrying(mut step: PlannedStep, max_attempts: u32, delay: Duration) -> PlannedStep {
    step.retry = Retry {
        max_attempts,
        delay,
    };
    step
}

/// `step` with a practice effect.
pub fn practising(mut step: PlannedStep, effect: PracticeEffect) -> PlannedStep {
    step.practice = effect;
    step
}

/// A plan with the given phases and variables.
pub fn plan(
    pre: Vec<PlannedStep>,
    steps: Vec<PlannedStep>,
    post: Vec<PlannedStep>,
    rollback: Vec<PlannedStep>,
    vars: &[(&str, &str)],
) -> Plan {
    Plan {
        name: "test-runbook".into(),
        version: "1.0".into(),
        source: "runbooks/test.yaml".into(),
        rto: Some(Duration::from_mins(15)),
        rpo: Some(Duration::from_mins(5)),
        vars: vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>(),
        pre_checks: pre,
        steps,
        post_checks: post,
        rollback,
        rollback_trigger: RollbackTrigger::OnRequest,
        fingerprint: "f1ngerpr1nt".into(),
    }
}

/// A small failover: two pre-checks, a fence, a gated promotion, a DNS
/// change, one post-check and one runbook-level rollback step.
pub fn failover() -> Plan {
    plan(
        vec![
            shell("check-target-healthy", "echo 6"),
            shell("check-backups-fresh", "echo PASS"),
        ],
        vec![
            undoable(
                shell("fence-failing-region", "fence ${FAILING_REGION}"),
                "unfence ${FAILING_REGION}",
            ),
            undoable(
                gated(
                    shell("promote-database", "promote ${TARGET_REGION}"),
                    "promote ${TARGET_REGION}",
                    1,
                    false,
                ),
                "demote ${TARGET_REGION}",
            ),
            undoable(
                shell("shift-traffic", "dns ${TARGET_REGION}"),
                "dns ${FAILING_REGION}",
            ),
        ],
        vec![shell("verify-service", "echo ok")],
        vec![shell("notify-rollback", "echo rolled back")],
        &[
            ("FAILING_REGION", "us-east-1"),
            ("TARGET_REGION", "eu-west-1"),
        ],
    )
}
