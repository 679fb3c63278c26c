//! The runbook engine as a pure state machine: gates, retries, polling,
//! decisions, rollback, the RTO clock, and replay from its own journal.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::many_single_char_names,
    missing_docs
)]

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use drconsole::domain::journal::{Entry, Head, seal};
use drconsole::domain::runbook::engine::{Engine, ReplayError};
use drconsole::domain::runbook::plan::{
    CompareOp, Expectation, Phase, Plan, Poll, RollbackTrigger, StepRef,
};
use drconsole::domain::runbook::protocol::{
    Choice, Command, DecisionRequest, Event, Exit, GateAnswer, GatePurpose, GateRequest, Job, Mode,
    Outcome, RenderedOperation, RunOutcome, Task,
};
use drconsole::domain::runbook::record::{Record, Stage, StepState};
use drconsole::domain::time::Timestamp;
use proptest::prelude::*;
use support::plans::{expecting, failover, gated, plan, retrying, shell, undoable};

const T0: i64 = 1_795_000_000_000;

fn live() -> Mode {
    Mode::Live {
        environment: "prod-virtengine".into(),
    }
}

/// Runs the engine the way a driver does, without I/O: journal records
/// become sealed entries, runs queue up, prompts are collected.
struct Harness {
    engine: Engine,
    entries: Vec<Entry>,
    now: Timestamp,
    running: Vec<Job>,
    gates: Vec<GateRequest>,
    decisions: Vec<DecisionRequest>,
    wakes: Vec<Timestamp>,
    finished: Option<(RunOutcome, Duration)>,
    refused: Vec<String>,
}

impl Harness {
    fn new(plan: Plan, mode: Mode) -> Self {
        Harness {
            engine: Engine::new(plan, mode, "run-1"),
            entries: Vec::new(),
            now: Timestamp::from_millis(T0),
            running: Vec::new(),
            gates: Vec::new(),
            decisions: Vec::new(),
            wakes: Vec::new(),
            finished: None,
            refused: Vec::new(),
        }
    }

    fn take(&mut self, commands: Vec<Command>) {
        for c in commands {
            match c {
                Command::Journal { at, record } => {
                    let head = self.entries.last().map_or_else(Head::genesis, Entry::head);
                    let (kind, data) = record.split();
                    self.entries.push(seal(&head, at, "run-1", &kind, data));
                }
                Command::Run(job) => {
                    // Its record is already journaled.
                    let last = self.entries.last().unwrap();
                    assert_eq!(last.kind, "step.started");
                    self.running.push(job);
                }
                Command::Wake { at } => self.wakes.push(at),
                Command::AwaitGate(g) => self.gates.push(g),
                Command::GateRefused { why } => self.refused.push(why),
                Command::AwaitDecision(d) => self.decisions.push(d),
                Command::Finished {
                    outcome, elapsed, ..
                } => self.finished = Some((outcome, elapsed)),
            }
        }
    }

    fn feed(&mut self, e: Event) {
        let c = self.engine.handle(e);
        self.take(c);
    }

    fn advance(&mut self, d: Duration) {
        self.now = self.now.plus(d);
    }

    fn start(&mut self) {
        self.feed(Event::Start { at: self.now });
    }

    /// Finishes the oldest running job with `outcome`.
    fn finish(&mut self, outcome: Outcome) -> Job {
        let job = self.running.remove(0);
        self.advance(Duration::from_secs(10));
        self.feed(Event::Finished {
            at: self.now,
            task: job.task,
            attempt: job.attempt,
            outcome,
        });
        job
    }

    fn pass(&mut self) -> Job {
        self.finish(ok("ok"))
    }

    fn answer_last_gate(&mut self) {
        let g = self.gates.last().unwrap().clone();
        self.feed(Event::GateAnswered {
            at: self.now,
            answer: good_answer(&g),
        });
    }

    fn decide(&mut self, task: Task, choice: Choice) {
        self.feed(Event::Decided {
            at: self.now,
            task,
            choice,
        });
    }

    fn records(&self) -> Vec<Record> {
        self.entries
            .iter()
            .map(|e| Record::join(&e.kind, &e.data).unwrap())
            .collect()
    }
}

fn ok(out: &str) -> Outcome {
    Outcome::ok(out)
}

fn exit(code: i32, out: &str) -> Outcome {
    Outcome {
        exit: Exit {
            code: Some(code),
            timed_out: false,
        },
        stdout: out.into(),
        ..Outcome::default()
    }
}

fn good_answer(g: &GateRequest) -> GateAnswer {
    GateAnswer {
        phrase: g.phrase.clone(),
        approvers: (0..g.approvers).map(|i| format!("op{i}")).collect(),
        reason: Some("checked the dashboards".into()),
        answer: g.question.as_ref().map(|_| "yes, within bounds".into()),
    }
}

fn step(phase: Phase, index: usize) -> Task {
    Task::Step(StepRef { phase, index })
}

#[test]
fn a_clean_run_journals_before_it_runs_and_stops_the_rto_clock_at_post_checks() {
    let mut h = Harness::new(failover(), live());
    h.start();
    // Both pre-checks run concurrently.
    assert_eq!(h.running.len(), 2);
    h.pass();
    assert_eq!(h.engine.state().stage, Stage::PreChecks);
    h.pass();
    // Step 0 runs: its script refers to the value, which travels apart.
    assert_eq!(h.running.len(), 1);
    assert_eq!(
        shown(&h.running[0].operation),
        "fence \"${DRCONSOLE_VAR_FAILING_REGION}\" with FAILING_REGION = \"us-east-1\""
    );
    h.pass();
    // The promotion waits for its gate; the gate names the environment.
    assert!(h.running.is_empty());
    let g = h.gates.last().unwrap().clone();
    assert_eq!(g.phrase.as_deref(), Some("promote eu-west-1"));
    assert!(g.title.contains("prod-virtengine"), "{}", g.title);
    assert_eq!(
        h.engine.state().state(step(Phase::Step, 1)),
        StepState::AwaitingGate
    );
    h.answer_last_gate();
    assert_eq!(h.running.len(), 1);
    h.pass();
    h.pass();
    h.pass(); // post-check
    let (outcome, elapsed) = h.finished.unwrap();
    assert_eq!(outcome, RunOutcome::Recovered);
    assert_eq!(elapsed, Duration::from_mins(1));
    assert_eq!(
        h.engine
            .state()
            .elapsed(h.now.plus(Duration::from_secs(999))),
        elapsed
    );
    let kinds: Vec<&str> = h.entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds.first(), Some(&"run.started"));
    assert_eq!(kinds.last(), Some(&"run.finished"));
}

#[test]
fn a_wrong_phrase_too_few_approvers_or_no_reason_keeps_the_gate_shut() {
    let mut p = failover();
    p.steps[1] = gated(
        shell("promote-database", "promote ${TARGET_REGION}"),
        "fail over to ${TARGET_REGION}",
        2,
        true,
    );
    let mut h = Harness::new(p, live());
    h.start();
    h.pass();
    h.pass();
    h.pass();
    let g = h.gates.last().unwrap().clone();
    assert_eq!(g.phrase.as_deref(), Some("fail over to eu-west-1"));
    let mut bad = good_answer(&g);
    bad.phrase = Some("fail over to eu-west-1 ".into());
    h.feed(Event::GateAnswered {
        at: h.now,
        answer: bad,
    });
    assert!(h.refused.last().unwrap().contains("does not match"));
    let mut same = good_answer(&g);
    same.approvers = vec!["alice".into(), " alice ".into()];
    h.feed(Event::GateAnswered {
        at: h.now,
        answer: same,
    });
    assert!(
        h.refused.last().unwrap().contains("2 distinct approvers"),
        "{:?}",
        h.refused
    );
    let mut no_reason = good_answer(&g);
    no_reason.reason = Some("  ".into());
    h.feed(Event::GateAnswered {
        at: h.now,
        answer: no_reason,
    });
    assert_eq!(h.refused.last().unwrap(), "a reason is required");
    assert!(h.running.is_empty());
    h.answer_last_gate();
    assert_eq!(h.running.len(), 1);
    assert!(
        h.records()
            .iter()
            .any(|r| matches!(r, Record::GateRefused { .. }))
    );
}

#[test]
fn a_threshold_question_is_answered_at_a_gate() {
    let mut p = failover();
    p.steps[0].question = Some("Is replication lag below 30 s?".into());
    let mut h = Harness::new(p, live());
    h.start();
    h.pass();
    h.pass();
    let g = h.gates.last().unwrap().clone();
    assert_eq!(
        g.question.as_deref(),
        Some("Is replication lag below 30 s?")
    );
    assert_eq!(g.phrase, None);
    let mut a = good_answer(&g);
    a.answer = None;
    h.feed(Event::GateAnswered {
        at: h.now,
        answer: a,
    });
    assert!(h.refused.last().unwrap().starts_with("answer the question"));
    h.answer_last_gate();
    assert_eq!(h.running.len(), 1);
    let passed = h.records().into_iter().find_map(|r| match r {
        Record::GatePassed { answer, .. } => answer.answer,
        _ => None,
    });
    assert_eq!(passed.as_deref(), Some("yes, within bounds"));
}

#[test]
fn a_failed_pre_check_blocks_until_overridden_with_a_reason() {
    let mut h = Harness::new(failover(), live());
    h.start();
    h.finish(exit(1, "unhealthy"));
    h.pass();
    assert_eq!(h.engine.state().stage, Stage::PreChecks);
    assert!(h.running.is_empty());
    let d = h.decisions.last().unwrap().clone();
    assert_eq!(d.task, step(Phase::PreCheck, 0));
    assert!(d.options.contains(&Choice::Override));
    assert!(!d.options.contains(&Choice::RollBack));
    h.decide(d.task, Choice::Override);
    let g = h.gates.last().unwrap().clone();
    assert!(g.reason_required);
    assert_eq!(g.purpose, GatePurpose::OverridePreChecks);
    let mut a = good_answer(&g);
    a.reason = None;
    h.feed(Event::GateAnswered {
        at: h.now,
        answer: a,
    });
    assert!(h.running.is_empty());
    h.answer_last_gate();
    assert_eq!(h.engine.state().stage, Stage::Steps);
    assert_eq!(h.running.len(), 1);
    assert_eq!(
        h.engine.state().overridden.as_deref(),
        Some("checked the dashboards")
    );
}

#[test]
fn expectations_decide_in_live_mode_and_retries_wait_their_delay() {
    let mut p = failover();
    p.pre_checks[0] = retrying(
        expecting(
            shell("healthy-validators", "count"),
            Expectation::Compare {
                op: CompareOp::Ge,
                value: 6.0,
            },
        ),
        3,
        Duration::from_secs(20),
    );
    let mut h = Harness::new(p, live());
    h.start();
    let first = h.finish(ok("healthy: 5"));
    assert_eq!(first.attempt, 1);
    assert!(matches!(
        h.engine.state().state(first.task),
        StepState::Waiting { .. }
    ));
    let wake = *h.wakes.last().unwrap();
    assert_eq!(wake, h.now.plus(Duration::from_secs(20)));
    // An early tick does nothing.
    h.feed(Event::Tick { at: h.now });
    assert_eq!(h.running.len(), 1);
    h.feed(Event::Tick { at: wake });
    let second = h
        .running
        .iter()
        .find(|j| j.task == first.task)
        .unwrap()
        .clone();
    assert_eq!(second.attempt, 2);
    let i = h.running.iter().position(|j| j.task == first.task).unwrap();
    let job = h.running.remove(i);
    h.feed(Event::Finished {
        at: wake,
        task: job.task,
        attempt: job.attempt,
        outcome: ok("healthy: 7"),
    });
    assert_eq!(h.engine.state().state(first.task), StepState::Passed);
}

#[test]
fn retries_run_out_and_the_failure_is_offered_retry_skip_rollback_abort() {
    let mut p = failover();
    p.steps[0] = retrying(p.steps[0].clone(), 2, Duration::ZERO);
    let mut h = Harness::new(p, live());
    h.start();
    h.pass();
    h.pass();
    h.finish(exit(3, ""));
    h.feed(Event::Tick { at: h.now });
    h.finish(exit(3, ""));
    let t = step(Phase::Step, 0);
    assert_eq!(
        h.engine.state().state(t),
        StepState::Failed {
            reason: "exit status 3".into()
        }
    );
    let d = h.decisions.last().unwrap();
    assert_eq!(
        d.options,
        vec![Choice::Retry, Choice::Skip, Choice::RollBack, Choice::Abort]
    );
    // Retry starts a new series with its own budget.
    h.decide(t, Choice::Retry);
    assert_eq!(h.running.last().unwrap().attempt, 3);
    h.finish(exit(3, ""));
    h.feed(Event::Tick { at: h.now });
    h.finish(exit(3, ""));
    // Skip is gated.
    h.decide(t, Choice::Skip);
    let g = h.gates.last().unwrap().clone();
    assert_eq!(g.phrase.as_deref(), Some("skip fence-failing-region"));
    h.answer_last_gate();
    assert_eq!(h.engine.state().state(t), StepState::Skipped);
    // The gated promotion is next.
    assert!(matches!(
        h.gates.last().unwrap().purpose,
        GatePurpose::Run(_)
    ));
}

#[test]
fn poll_reruns_until_the_condition_holds_or_the_timeout() {
    let mut p = failover();
    let mut restore = shell("wait-restore", "show jobs");
    restore.poll = Some(Poll {
        interval: Duration::from_secs(30),
        until: Expectation::ColumnEquals {
            column: "status".into(),
            value: "succeeded".into(),
        },
    });
    restore.timeout = Some(Duration::from_secs(100));
    p.steps = vec![restore];
    let mut h = Harness::new(p, live());
    h.start();
    h.pass();
    h.pass();
    let t = step(Phase::Step, 0);
    for _ in 0..2 {
        h.finish(ok("status\nrunning\n"));
        assert!(matches!(
            h.engine.state().state(t),
            StepState::Waiting { .. }
        ));
        let w = *h.wakes.last().unwrap();
        h.now = w;
        h.feed(Event::Tick { at: w });
    }
    h.finish(ok("status\nrunning\n"));
    match h.engine.state().state(t) {
        StepState::Failed { reason } => {
            assert!(reason.contains("before the step's timeout"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    h.decide(t, Choice::Retry);
    h.finish(ok("status\nsucceeded\n"));
    assert_eq!(h.engine.state().state(t), StepState::Passed);
}

#[test]
fn rollback_undoes_completed_steps_newest_first_then_the_runbook_rollback() {
    let mut h = Harness::new(failover(), live());
    h.start();
    h.pass();
    h.pass();
    h.pass(); // fence
    h.answer_last_gate();
    h.pass(); // promote
    let t = step(Phase::Step, 2);
    h.finish(exit(1, "dns failed"));
    h.decide(t, Choice::RollBack);
    assert_eq!(h.engine.state().stage, Stage::RollingBack);
    let mut ran = Vec::new();
    while let Some(j) = h.running.first().cloned() {
        ran.push((j.task, shown(&j.operation)));
        h.pass();
    }
    assert_eq!(
        ran,
        vec![
            (
                Task::Undo(StepRef {
                    phase: Phase::Step,
                    index: 1
                }),
                "demote \"${DRCONSOLE_VAR_TARGET_REGION}\" with TARGET_REGION = \"eu-west-1\""
                    .into()
            ),
            (
                Task::Undo(StepRef {
                    phase: Phase::Step,
                    index: 0
                }),
                "unfence \"${DRCONSOLE_VAR_FAILING_REGION}\" with FAILING_REGION = \"us-east-1\""
                    .into()
            ),
            (step(Phase::Rollback, 0), "echo rolled back".into()),
        ]
    );
    assert_eq!(h.finished.unwrap().0, RunOutcome::RolledBack);
    assert_eq!(
        h.engine.state().state(step(Phase::Step, 0)),
        StepState::RolledBack
    );
}

#[test]
fn the_runbook_rollback_waits_for_its_trigger_step() {
    let mut p = failover();
    p.rollback_trigger = RollbackTrigger::AfterStep("promote-database".into());
    let mut h = Harness::new(p, live());
    h.start();
    h.pass();
    h.pass();
    h.pass(); // fence passed, promotion not yet
    h.feed(Event::GateDeclined { at: h.now });
    let t = step(Phase::Step, 1);
    assert_eq!(
        h.engine.state().state(t),
        StepState::Failed {
            reason: "gate declined".into()
        }
    );
    h.decide(t, Choice::RollBack);
    assert_eq!(
        h.engine.state().rollback_queue,
        vec![Task::Undo(StepRef {
            phase: Phase::Step,
            index: 0
        })]
    );
}

#[test]
fn abort_finishes_and_later_results_are_ignored() {
    let mut h = Harness::new(failover(), live());
    h.start();
    h.finish(exit(1, ""));
    h.decide(step(Phase::PreCheck, 0), Choice::Abort);
    assert_eq!(h.finished.unwrap().0, RunOutcome::Aborted);
    let n = h.entries.len();
    h.pass();
    assert_eq!(h.entries.len(), n);
}

#[test]
fn a_step_running_at_a_crash_is_outcome_unknown_and_never_silently_rerun() {
    let mut h = Harness::new(failover(), live());
    h.start();
    h.pass();
    h.pass();
    let fence = h.running[0].clone();
    // The process dies here. A new one replays the journal.
    let (engine, commands) = Engine::resume(failover(), live(), &h.entries, h.now).unwrap();
    let mut r = Harness {
        engine,
        entries: h.entries.clone(),
        ..Harness::new(failover(), live())
    };
    r.now = h.now;
    r.take(commands);
    assert_eq!(
        r.engine.state().state(fence.task),
        StepState::OutcomeUnknown
    );
    assert!(r.running.is_empty(), "nothing reruns by itself");
    let d = r.decisions.last().unwrap().clone();
    assert!(d.why.contains("verify before retrying"));
    assert!(d.options.contains(&Choice::MarkPassed));
    // A late result from the dead process's attempt changes nothing.
    r.feed(Event::Finished {
        at: r.now,
        task: fence.task,
        attempt: fence.attempt,
        outcome: ok(""),
    });
    assert_eq!(
        r.engine.state().state(fence.task),
        StepState::OutcomeUnknown
    );
    // Retry goes through a gate.
    r.decide(fence.task, Choice::Retry);
    assert!(r.running.is_empty());
    assert_eq!(
        r.gates.last().unwrap().purpose,
        GatePurpose::Retry(fence.task)
    );
    r.answer_last_gate();
    assert_eq!(r.running.len(), 1);
    assert_eq!(r.running[0].attempt, 2);
}

#[test]
fn mark_passed_after_verifying_by_hand_goes_on() {
    let mut h = Harness::new(failover(), live());
    h.start();
    h.pass();
    h.pass();
    let fence = h.running[0].clone();
    let (engine, commands) = Engine::resume(failover(), live(), &h.entries, h.now).unwrap();
    let mut r = Harness {
        engine,
        entries: h.entries.clone(),
        ..Harness::new(failover(), live())
    };
    r.take(commands);
    r.decide(fence.task, Choice::MarkPassed);
    assert_eq!(
        r.gates.last().unwrap().phrase.as_deref(),
        Some("fence-failing-region passed")
    );
    r.answer_last_gate();
    assert_eq!(r.engine.state().state(fence.task), StepState::Passed);
    assert_eq!(
        r.engine.state().completed,
        vec![StepRef {
            phase: Phase::Step,
            index: 0
        }]
    );
    // Next: the promotion's gate.
    assert!(matches!(
        r.gates.last().unwrap().purpose,
        GatePurpose::Run(_)
    ));
}

#[test]
fn a_journal_of_another_runbook_or_mode_is_not_resumed() {
    let mut h = Harness::new(failover(), live());
    h.start();
    let mut other = failover();
    other.fingerprint = "different".into();
    assert!(matches!(
        Engine::replay(other, live(), &h.entries),
        Err(ReplayError::Fingerprint { .. })
    ));
    assert!(matches!(
        Engine::replay(failover(), Mode::Practice, &h.entries),
        Err(ReplayError::Mode { .. })
    ));
    assert_eq!(
        Engine::replay(failover(), live(), &[]).unwrap_err(),
        ReplayError::NoRun
    );
}

#[test]
fn practice_mode_judges_by_exit_only_and_dry_run_asks_no_gates() {
    let mut p = failover();
    p.pre_checks[0] = expecting(
        shell("count", "count"),
        Expectation::Compare {
            op: CompareOp::Ge,
            value: 6.0,
        },
    );
    let mut h = Harness::new(p.clone(), Mode::Practice);
    h.start();
    h.finish(ok("recorded"));
    assert_eq!(
        h.engine.state().state(step(Phase::PreCheck, 0)),
        StepState::Passed
    );
    let mut d = Harness::new(p, Mode::DryRun);
    d.start();
    while !d.running.is_empty() {
        d.pass();
    }
    assert!(d.gates.is_empty());
    assert_eq!(d.finished.unwrap().0, RunOutcome::Recovered);
}

#[test]
fn a_render_error_fails_the_step_without_running_it() {
    let p = plan(
        vec![],
        vec![shell("uses-missing", "echo ${NOPE}")],
        vec![],
        vec![],
        &[],
    );
    let mut h = Harness::new(p, live());
    h.start();
    assert!(h.running.is_empty());
    match h.engine.state().state(step(Phase::Step, 0)) {
        StepState::Failed { reason } => assert!(reason.contains("NOPE"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn runtime_variables_are_filled_in() {
    let p = plan(
        vec![],
        vec![shell(
            "stamp",
            "echo ${RUN_ID} ${ENVIRONMENT} ${ELAPSED_SECONDS} ${EPOCH_SECONDS}",
        )],
        vec![],
        vec![],
        &[],
    );
    let mut h = Harness::new(p, live());
    h.start();
    let script = h.running[0].operation.shell().unwrap();
    assert_eq!(
        script.script,
        "echo \"${DRCONSOLE_VAR_RUN_ID}\" \"${DRCONSOLE_VAR_ENVIRONMENT}\" \
         \"${DRCONSOLE_VAR_ELAPSED_SECONDS}\" \"${DRCONSOLE_VAR_EPOCH_SECONDS}\""
    );
    let epoch = (T0 / 1000).to_string();
    let want: BTreeMap<String, String> = [
        ("RUN_ID", "run-1"),
        ("ENVIRONMENT", "prod-virtengine"),
        ("ELAPSED_SECONDS", "0"),
        ("EPOCH_SECONDS", epoch.as_str()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(script.values, want);
}

/// A rendered operation as the dry run lists it: the script, then each
/// value (none for a built-in).
fn shown(op: &RenderedOperation) -> String {
    let mut out = op.describe();
    for v in op
        .shell()
        .map(drconsole::domain::runbook::script::ShellScript::value_lines)
        .unwrap_or_default()
    {
        out.push_str(" with ");
        out.push_str(&v);
    }
    out
}

// ---- properties ----------------------------------------------------------

#[derive(Debug, Clone)]
enum Act {
    Result { pick: usize, code: i32 },
    Gate { kind: u8 },
    Decide { pick: usize, choice: usize },
    Tick { secs: u64 },
    Crash,
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        4 => (any::<usize>(), prop_oneof![Just(0), Just(0), Just(1)]).prop_map(|(pick, code)| Act::Result { pick, code }),
        2 => (0u8..4).prop_map(|kind| Act::Gate { kind }),
        2 => (any::<usize>(), 0usize..6).prop_map(|(pick, choice)| Act::Decide { pick, choice }),
        1 => (0u64..40).prop_map(|secs| Act::Tick { secs }),
        1 => Just(Act::Crash),
    ]
}

fn property_plan() -> Plan {
    let mut p = failover();
    p.steps[0] = retrying(p.steps[0].clone(), 2, Duration::from_secs(5));
    p.steps[2] = gated(
        undoable(
            shell("shift-traffic", "dns ${TARGET_REGION}"),
            "dns ${FAILING_REGION}",
        ),
        "shift traffic",
        2,
        true,
    );
    p.rollback_trigger = RollbackTrigger::AfterStep("fence-failing-region".into());
    p
}

const CHOICES: [Choice; 6] = [
    Choice::Retry,
    Choice::Skip,
    Choice::MarkPassed,
    Choice::RollBack,
    Choice::Abort,
    Choice::Override,
];

fn play(h: &mut Harness, a: &Act) {
    match *a {
        Act::Result { pick, code } => {
            if !h.running.is_empty() {
                let job = h.running.remove(pick % h.running.len());
                h.advance(Duration::from_secs(3));
                h.feed(Event::Finished {
                    at: h.now,
                    task: job.task,
                    attempt: job.attempt,
                    outcome: exit(code, ""),
                });
            }
        }
        Act::Gate { kind } => {
            if let Some(g) = h.engine.state().gate.clone() {
                let mut answer = good_answer(&g.request);
                match kind {
                    0 => answer.phrase = Some("wrong".into()),
                    1 => {
                        h.feed(Event::GateDeclined { at: h.now });
                        return;
                    }
                    _ => {}
                }
                h.feed(Event::GateAnswered { at: h.now, answer });
            }
        }
        Act::Decide { pick, choice } => {
            let ds = h.engine.decisions();
            if !ds.is_empty() {
                let d = &ds[pick % ds.len()];
                h.decide(d.task, CHOICES[choice]);
            }
        }
        Act::Tick { secs } => {
            h.advance(Duration::from_secs(secs));
            h.feed(Event::Tick { at: h.now });
        }
        Act::Crash => {
            let plan = h.engine.plan().clone();
            let mode = h.engine.mode().clone();
            let (engine, cmds) = Engine::resume(plan, mode, &h.entries, h.now).unwrap();
            h.engine = engine;
            h.running.clear(); // the dead process's attempts are gone
            h.take(cmds);
        }
    }
}

fn is_gated(plan: &Plan, task: Task) -> bool {
    matches!(task, Task::Step(_))
        && plan
            .step(task.step())
            .is_some_and(|s| s.gate.is_some() || s.question.is_some())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn replaying_the_journal_rebuilds_the_same_state(acts in prop::collection::vec(act(), 0..60)) {
        let mut h = Harness::new(property_plan(), live());
        h.start();
        for a in &acts {
            play(&mut h, a);
            let replayed = Engine::replay(property_plan(), live(), &h.entries).unwrap();
            prop_assert_eq!(replayed.state(), h.engine.state());
        }
    }

    #[test]
    fn no_gated_step_runs_without_its_gate(acts in prop::collection::vec(act(), 0..60)) {
        let plan = property_plan();
        let mut h = Harness::new(plan.clone(), live());
        h.start();
        for a in &acts {
            play(&mut h, a);
        }
        let mut cleared: BTreeMap<Task, bool> = BTreeMap::new();
        let mut waiting: BTreeMap<Task, bool> = BTreeMap::new();
        for r in h.records() {
            match r {
                Record::GatePassed { purpose: GatePurpose::Run(t), .. } => { cleared.insert(t, true); }
                Record::Waiting { task, .. } => { waiting.insert(task, true); }
                Record::Started { task, .. } => {
                    if is_gated(&plan, task) {
                        prop_assert!(cleared.get(&task).copied().unwrap_or(false), "{:?} started without its gate", task);
                    }
                    waiting.insert(task, false);
                }
                Record::Passed { task, .. } | Record::Failed { task, .. } | Record::OutcomeUnknown { task, .. } => {
                    cleared.insert(task, false);
                }
                _ => {}
            }
        }
    }

    #[test]
    fn rollback_order_is_the_reverse_of_completion(acts in prop::collection::vec(act(), 0..80)) {
        let plan = property_plan();
        let mut h = Harness::new(plan.clone(), live());
        h.start();
        for a in &acts {
            play(&mut h, a);
        }
        let records = h.records();
        let mut completed = Vec::new();
        for r in &records {
            match r {
                Record::Passed { task: Task::Step(s), .. } | Record::MarkedPassed { task: Task::Step(s) } if s.phase == Phase::Step => completed.push(*s),
                Record::RollbackStarted { queue } => {
                    let undo: Vec<StepRef> = queue.iter().filter_map(|t| match t { Task::Undo(s) => Some(*s), Task::Step(_) => None }).collect();
                    let mut expected: Vec<StepRef> = completed.iter().copied().filter(|s| plan.step(*s).unwrap().rollback.is_some()).collect();
                    expected.reverse();
                    prop_assert_eq!(undo, expected);
                    // Undo tasks start in queue order.
                    let started: Vec<Task> = records.iter().filter_map(|r| match r { Record::Started { task: t @ Task::Undo(_), .. } => Some(*t), _ => None }).collect();
                    let mut dedup = started.clone();
                    dedup.dedup();
                    prop_assert!(queue.starts_with(&dedup) || dedup.iter().all(|t| queue.contains(t)));
                    let positions: Vec<usize> = dedup.iter().map(|t| queue.iter().position(|q| q == t).unwrap()).collect();
                    prop_assert!(positions.windows(2).all(|w| w[0] < w[1]), "undo ran out of order: {:?}", dedup);
                }
                _ => {}
            }
        }
    }
}

/// The properties above mean something only if the generated sequences
/// reach the states they talk about: check that they do.
#[test]
fn the_generated_sequences_reach_gates_rollbacks_crashes_and_recovery() {
    use proptest::strategy::ValueTree as _;
    use proptest::test_runner::{Config, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
    );
    let strategy = prop::collection::vec(act(), 0..80);
    let (mut rollbacks, mut undone, mut unknown, mut gated_runs, mut recovered) = (0, 0, 0, 0, 0);
    for _ in 0..300 {
        let acts = strategy.new_tree(&mut runner).unwrap().current();
        let mut h = Harness::new(property_plan(), live());
        h.start();
        for a in &acts {
            play(&mut h, a);
        }
        let records = h.records();
        rollbacks += usize::from(
            records
                .iter()
                .any(|r| matches!(r, Record::RollbackStarted { queue } if !queue.is_empty())),
        );
        undone += usize::from(records.iter().any(|r| {
            matches!(
                r,
                Record::Passed {
                    task: Task::Undo(_),
                    ..
                }
            )
        }));
        unknown += usize::from(
            records
                .iter()
                .any(|r| matches!(r, Record::OutcomeUnknown { .. })),
        );
        gated_runs += usize::from(records.iter().any(|r| {
            matches!(
                r,
                Record::GatePassed {
                    purpose: GatePurpose::Run(_),
                    ..
                }
            )
        }));
        recovered += usize::from(h.finished.is_some_and(|(o, _)| o == RunOutcome::Recovered));
    }
    eprintln!(
        "of 300: {rollbacks} rollbacks, {undone} with an undo passed, {unknown} with unknown outcomes, {gated_runs} gated runs, {recovered} recovered"
    );
    assert!(rollbacks > 5, "rollbacks: {rollbacks}");
    assert!(undone > 2, "undo passed: {undone}");
    assert!(unknown > 5, "outcome unknown: {unknown}");
    assert!(gated_runs > 5, "gated runs: {gated_runs}");
    assert!(recovered > 0, "recovered: {recovered}");
}

/// A plan whose first step captures `NEW_ADDRESS` and whose second, gated
/// by a phrase naming it, uses it.
fn capturing() -> Plan {
    let mut start = shell("start-new-key-node", "start-node ${VALIDATOR}");
    start.capture = Some("NEW_ADDRESS".into());
    plan(
        vec![],
        vec![
            start,
            gated(
                shell("rotate", "rotate ${VALIDATOR} ${NEW_ADDRESS}"),
                "rotate ${VALIDATOR} to ${NEW_ADDRESS}",
                1,
                false,
            ),
        ],
        vec![],
        vec![],
        &[("VALIDATOR", "val-0")],
    )
}

#[test]
fn a_captured_value_reaches_later_steps_as_data_and_survives_a_resume() {
    let mut h = Harness::new(capturing(), live());
    h.start();
    h.finish(ok(
        "pulling image\nstarted\nA1B2C3D4E5F60718293A4B5C6D7E8F9012345678\n",
    ));
    assert_eq!(
        h.gates.last().unwrap().phrase.as_deref(),
        Some("rotate val-0 to A1B2C3D4E5F60718293A4B5C6D7E8F9012345678")
    );
    // The process dies at the gate; the value comes back from the journal.
    let (engine, commands) = Engine::resume(capturing(), live(), &h.entries, h.now).unwrap();
    let mut r = Harness {
        engine,
        entries: h.entries.clone(),
        ..Harness::new(capturing(), live())
    };
    r.now = h.now;
    r.take(commands);
    r.answer_last_gate();
    let script = r.running[0].operation.shell().unwrap();
    assert_eq!(
        script.script,
        "rotate \"${DRCONSOLE_VAR_VALIDATOR}\" \"${DRCONSOLE_VAR_NEW_ADDRESS}\""
    );
    assert_eq!(
        script.values.get("NEW_ADDRESS").map(String::as_str),
        Some("A1B2C3D4E5F60718293A4B5C6D7E8F9012345678")
    );
}

#[test]
fn output_that_is_not_one_clean_value_fails_the_capturing_step() {
    for (out, why) in [
        ("", "the output is empty"),
        ("Error: node not found", "is not one value (it holds ' ')"),
        ("ABC; rm -rf /", "is not one value (it holds ';')"),
    ] {
        let mut h = Harness::new(capturing(), live());
        h.start();
        h.finish(ok(out));
        match h.engine.state().state(step(Phase::Step, 0)) {
            StepState::Failed { reason } => {
                assert!(
                    reason.starts_with("nothing to capture as NEW_ADDRESS: "),
                    "{reason}"
                );
                assert!(reason.contains(why), "{reason}");
            }
            other => panic!("{out:?}: {other:?}"),
        }
        assert!(h.engine.state().captured.is_empty());
    }
}

#[test]
fn a_dry_run_names_where_a_captured_value_will_come_from() {
    let mut d = Harness::new(capturing(), Mode::DryRun);
    d.start();
    d.pass();
    let script = d.running[0].operation.shell().unwrap();
    assert_eq!(
        script.values.get("NEW_ADDRESS").map(String::as_str),
        Some("<output of start-new-key-node>")
    );
}
