//! The runbook screen: snapshots over `TestBackend` of the moments an
//! operator meets (a gate, a failure, an unknown outcome, the end) and the
//! pure key handling of the gate form.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use drconsole::app::runbook::{
    Choice, GateAnswer, GatePrompt, Mode, RunEffect, RunEnd, RunScreen, RunView, StepRow,
};
use drconsole::config::builtin;
use drconsole::domain::runbook::plan::Phase;
use drconsole::domain::runbook::protocol::RunOutcome;
use drconsole::domain::runbook::record::StepState;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn row(phase: Phase, name: &str, status: StepState, command: &str) -> StepRow {
    StepRow {
        phase,
        name: name.to_string(),
        description: None,
        status,
        command: command.to_string(),
        elapsed: None,
        timeout: Some(Duration::from_secs(30)),
        attempt: 0,
        max_attempts: 1,
        note: None,
    }
}

fn failover_view() -> RunView {
    let mut rows = vec![
        row(
            Phase::PreCheck,
            "verify_target_region_health",
            StepState::Passed,
            "kubectl --context='virtengine-prod-eu-west-1' get nodes",
        ),
        row(
            Phase::Step,
            "fence_failing_validators",
            StepState::Passed,
            "kubectl --context='virtengine-prod-us-east-1' scale deployment virtengine-validator --replicas=0",
        ),
        row(
            Phase::Step,
            "promote_database",
            StepState::AwaitingGate,
            "cockroach: set primary region 'eu-west-1'",
        ),
        row(
            Phase::Step,
            "update_dns",
            StepState::Pending,
            "route53: api.virtengine.io weight eu-west-1 = 100",
        ),
        row(
            Phase::PostCheck,
            "verify_block_production",
            StepState::Pending,
            "curl -sf https://rpc.virtengine.io/status",
        ),
        row(
            Phase::Rollback,
            "revert_dns",
            StepState::Pending,
            "route53: api.virtengine.io weight us-east-1 = 100",
        ),
    ];
    rows[0].elapsed = Some(Duration::from_secs(2));
    rows[1].elapsed = Some(Duration::from_secs(41));
    RunView {
        title: "Regional Failover Runbook 2.0".into(),
        mode: Mode::Practice,
        elapsed: Duration::from_secs(272),
        rto: Some(Duration::from_mins(15)),
        clock_stopped: false,
        rows,
        output: Vec::new(),
        gate: Some(GatePrompt {
            step: "promote_database".into(),
            action: "make eu-west-1 the CockroachDB primary".into(),
            environment: None,
            phrase: Some("promote eu-west-1".into()),
            question: None,
            approvers: 2,
            reason: true,
        }),
        choices: Vec::new(),
        outcome: None,
        journal: "runs/regional-failover.journal".into(),
    }
}

fn draw(screen: &RunScreen, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let theme = builtin::builtin_theme("dark").unwrap();
    t.draw(|f| drconsole::ui::runbook::render(f, screen, &theme))
        .unwrap();
    format!("{}", t.backend())
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn type_text(screen: &mut RunScreen, text: &str) {
    for c in text.chars() {
        assert!(screen.update(key(KeyCode::Char(c))).is_empty());
    }
}

#[test]
fn gate_with_phrase_two_approvers_and_reason() {
    let mut screen = RunScreen::new(failover_view());
    type_text(&mut screen, "promote eu-");
    let text = draw(&screen, 120, 30);
    assert!(text.contains("PRACTICE"));
    assert!(text.contains("RTO clock 04:32 / 15:00"));
    assert!(text.contains("GATE: promote_database"));
    assert!(text.contains("\"promote eu-west-1\""));
    assert!(text.contains("approver 2 of 2"));
    insta::assert_snapshot!(text);
}

#[test]
fn gate_form_submits_what_was_typed() {
    let mut screen = RunScreen::new(failover_view());
    type_text(&mut screen, "promote eu-west-1");
    assert!(screen.update(key(KeyCode::Enter)).is_empty());
    type_text(&mut screen, "alice");
    screen.update(key(KeyCode::Tab));
    type_text(&mut screen, "bob");
    screen.update(key(KeyCode::Tab));
    type_text(&mut screen, "us-east-1 lost, drill 7");
    let effects = screen.update(key(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![RunEffect::AnswerGate(GateAnswer {
            step: "promote_database".into(),
            phrase: "promote eu-west-1".into(),
            approvers: vec!["alice".into(), "bob".into()],
            reason: "us-east-1 lost, drill 7".into(),
            answer: String::new(),
        })]
    );
    assert!(screen.form.is_none(), "a submitted form keeps no history");
}

#[test]
fn esc_closes_the_form_without_answering_and_enter_reopens_it() {
    let mut screen = RunScreen::new(failover_view());
    type_text(&mut screen, "promote");
    assert!(screen.update(key(KeyCode::Esc)).is_empty());
    assert!(screen.form.is_none());
    assert!(
        screen.update(key(KeyCode::Char('x'))).is_empty(),
        "x does not abort while a gate waits"
    );
    screen.update(key(KeyCode::Enter));
    assert_eq!(
        screen.form.as_ref().unwrap().phrase,
        "",
        "a reopened form starts empty"
    );
}

#[test]
fn failed_step_offers_its_choices_by_key() {
    let mut view = failover_view();
    view.gate = None;
    view.rows[2].status = StepState::Failed {
        reason: "timed out after 1m".into(),
    };
    view.rows[2].elapsed = Some(Duration::from_mins(1));
    view.rows[2].note = Some("timed out after 1m".into());
    view.output = vec!["ERROR: could not reach node 3".into()];
    view.choices = vec![Choice::Retry, Choice::Skip, Choice::RollBack, Choice::Abort];
    let mut screen = RunScreen::new(view);
    let text = draw(&screen, 120, 30);
    assert!(text.contains("FAILED"));
    assert!(text.contains("timed out after 1m"));
    assert!(text.contains("ERROR: could not reach node 3"));
    assert!(text.contains("roll back"));
    insta::assert_snapshot!(text);
    assert_eq!(
        screen.update(key(KeyCode::Char('b'))),
        vec![RunEffect::Decide(Choice::RollBack)]
    );
    assert!(
        screen.update(key(KeyCode::Char('v'))).is_empty(),
        "v is not offered for a failure"
    );
}

#[test]
fn outcome_unknown_after_a_crash_says_verify_first() {
    let mut view = failover_view();
    view.gate = None;
    view.rows[2].status = StepState::OutcomeUnknown;
    view.rows[2].note = Some("outcome unknown: verify before retrying".into());
    view.choices = vec![
        Choice::MarkPassed,
        Choice::Retry,
        Choice::RollBack,
        Choice::Abort,
    ];
    let screen = RunScreen::new(view);
    let text = draw(&screen, 100, 24);
    assert!(text.contains("OUTCOME UNKNOWN"));
    assert!(text.contains("verify before retrying"));
    insta::assert_snapshot!(text);
}

#[test]
fn finished_run_stops_the_clock_and_q_leaves_at_once() {
    let mut view = failover_view();
    view.gate = None;
    for r in &mut view.rows[..5] {
        r.status = StepState::Passed;
    }
    view.elapsed = Duration::from_secs(700);
    view.clock_stopped = true;
    view.outcome = Some(RunEnd {
        outcome: RunOutcome::Recovered,
        took: Duration::from_secs(700),
        rto: Some(Duration::from_mins(15)),
    });
    let mut screen = RunScreen::new(view);
    let text = draw(&screen, 120, 30);
    assert!(text.contains("RTO clock 11:40 / 15:00 ✓ within RTO (stopped)"));
    insta::assert_snapshot!(text);
    assert_eq!(
        screen.update(key(KeyCode::Char('q'))),
        vec![RunEffect::Leave]
    );
}

#[test]
fn leaving_a_run_in_progress_asks_first() {
    let mut view = failover_view();
    view.gate = None;
    let mut screen = RunScreen::new(view);
    assert!(screen.update(key(KeyCode::Char('q'))).is_empty());
    assert!(draw(&screen, 100, 24).contains("Leave this run?"));
    assert!(screen.update(key(KeyCode::Char('n'))).is_empty());
    assert!(!screen.confirm_leave);
    screen.update(key(KeyCode::Char('q')));
    assert_eq!(
        screen.update(key(KeyCode::Char('y'))),
        vec![RunEffect::Leave]
    );
}

#[test]
fn rto_missed_is_said_in_words() {
    let mut view = failover_view();
    view.elapsed = Duration::from_mins(16);
    let text = draw(&RunScreen::new(view), 120, 30);
    assert!(text.contains("✗ RTO MISSED"));
}

#[test]
fn live_gate_names_the_environment() {
    let mut view = failover_view();
    view.mode = Mode::Live {
        environment: "prod".into(),
    };
    if let Some(g) = view.gate.as_mut() {
        g.environment = Some("prod".into());
    }
    let text = draw(&RunScreen::new(view), 120, 30);
    assert!(text.contains("LIVE: prod"));
    assert!(text.contains("GATE on prod: promote_database"));
}

#[test]
fn a_closed_gate_form_stays_closed_when_the_run_updates() {
    let mut screen = RunScreen::new(failover_view());
    screen.update(key(KeyCode::Esc));
    let mut later = failover_view();
    later.elapsed += Duration::from_secs(1);
    screen.show(later);
    assert!(
        screen.form.is_none(),
        "the clock ticking must not reopen the form"
    );
    let mut next_gate = failover_view();
    if let Some(g) = next_gate.gate.as_mut() {
        g.step = "update_dns".into();
    }
    screen.show(next_gate);
    assert!(screen.form.is_some(), "a new gate opens its form");
}

#[test]
fn a_steps_output_never_reaches_the_terminal_raw() {
    let mut view = failover_view();
    view.gate = None;
    view.rows[2].status = StepState::Running;
    view.output = vec!["retitled \u{1b}]0;pwned\u{7} and cleared \u{1b}[2J".into()];
    let text = draw(&RunScreen::new(view), 120, 30);
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(
        text.contains(r"retitled \x1b]0;pwned\x07 and cleared \x1b[2J"),
        "{text}"
    );
}
