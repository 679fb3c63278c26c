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
        output: Vec::new(),
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
        rollback: Vec::new(),
        rotations: Vec::new(),
        halted: None,
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
    assert!(
        text.contains("type exactly    promote eu-west-1  promote eu-"),
        "the phrase is shown without quotes to type: {text}"
    );
    assert!(text.contains("✗ …go on typing"), "{text}");
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
    // Until the engine answers, the form keeps what was typed: a refusal
    // asks the same gate again and nothing has to be typed twice.
    screen.show(failover_view());
    assert_eq!(
        screen.form.as_ref().unwrap().reason,
        "us-east-1 lost, drill 7"
    );
    let mut passed = failover_view();
    passed.gate = None;
    screen.show(passed);
    assert!(
        screen.form.is_none(),
        "a passed gate's form keeps no history"
    );
}

/// Each field says what is wrong with it as it is typed, and Enter sends
/// nothing while one does: it moves to that field and says why.
#[test]
fn gate_fields_explain_themselves_as_typed() {
    let mut screen = RunScreen::new(failover_view());
    type_text(&mut screen, "\"promote eu-west-1\"");
    assert!(draw(&screen, 120, 30).contains("✗ without the quotes"));
    screen.update(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    type_text(&mut screen, "promote eu-west-1");
    screen.update(key(KeyCode::Enter));
    type_text(&mut screen, "alice");
    screen.update(key(KeyCode::Enter));
    type_text(&mut screen, "alice");
    let text = draw(&screen, 120, 30);
    assert!(
        text.contains("✗ already named: approvers must be distinct people"),
        "{text}"
    );
    assert!(text.contains("✗ a reason is required"), "{text}");
    insta::assert_snapshot!("gate_fields_explain_themselves", text);
    screen.update(key(KeyCode::Enter));
    assert!(screen.update(key(KeyCode::Enter)).is_empty(), "not sent");
    assert_eq!(
        screen.notice.as_deref(),
        Some("not sent: already named: approvers must be distinct people")
    );
    assert_eq!(
        screen.current_field(),
        Some(drconsole::app::runbook::GateField::Approver(1)),
        "the cursor is on the field at fault"
    );
    let form = screen.form.as_ref().unwrap();
    assert_eq!(
        (form.phrase.as_str(), form.approvers.len()),
        ("promote eu-west-1", 2)
    );
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
    assert!(
        screen.update(key(KeyCode::Char('v'))).is_empty(),
        "v is not offered for a failure"
    );
    assert!(screen.confirm.is_none());
}

fn typed(screen: &mut RunScreen, text: &str) -> Vec<RunEffect> {
    text.chars()
        .flat_map(|c| screen.update(key(KeyCode::Char(c))))
        .collect()
}

/// One `b` never undoes a failover: it opens a confirmation that lists the
/// rollback steps and asks for a phrase naming them; a wrong phrase is
/// explained at the field and Enter does nothing; Esc returns to the
/// choices; only the exact phrase decides.
#[test]
fn roll_back_and_abort_are_confirmed_with_a_phrase() {
    let mut view = failover_view();
    view.gate = None;
    view.rows[2].status = StepState::Failed {
        reason: "timed out after 1m".into(),
    };
    view.choices = vec![Choice::Retry, Choice::Skip, Choice::RollBack, Choice::Abort];
    view.rollback = vec![
        "undo fence_failing_validators".into(),
        "restore_original_dns".into(),
    ];
    let mut screen = RunScreen::new(view.clone());
    assert!(
        screen.update(key(KeyCode::Char('b'))).is_empty(),
        "b alone decides nothing"
    );
    let phrase = format!("roll back 2 steps of {}", view.title);
    assert_eq!(screen.confirm.as_ref().unwrap().phrase, phrase);
    let text = draw(&screen, 120, 30);
    assert!(text.contains("1. undo fence_failing_validators"), "{text}");
    assert!(text.contains("2. restore_original_dns"), "{text}");
    insta::assert_snapshot!("confirm_roll_back_empty", text);

    // The phrase with the quotes around it is refused, and says why.
    assert!(typed(&mut screen, &format!("\"{phrase}\"")).is_empty());
    assert!(screen.update(key(KeyCode::Enter)).is_empty());
    let text = draw(&screen, 120, 30);
    assert!(text.contains("without the quotes"), "{text}");
    // Ctrl-U clears; a typo says it does not match.
    screen.update(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    typed(&mut screen, "roll back 6");
    assert!(draw(&screen, 120, 30).contains("does not match"));
    // Esc: back to the choices, which are all still there.
    screen.update(key(KeyCode::Esc));
    assert!(screen.confirm.is_none());
    let text = draw(&screen, 120, 30);
    assert!(
        text.contains("roll back (gated)") && text.contains("abort (gated)"),
        "{text}"
    );
    // The exact phrase decides.
    screen.update(key(KeyCode::Char('b')));
    typed(&mut screen, &phrase);
    assert!(draw(&screen, 120, 30).contains("matches: Enter confirms"));
    assert_eq!(
        screen.update(key(KeyCode::Enter)),
        vec![RunEffect::Decide(Choice::RollBack)]
    );

    // Abort: its own phrase; a new picture without the choice closes it.
    screen.show(view.clone());
    screen.update(key(KeyCode::Char('x')));
    assert_eq!(
        screen.confirm.as_ref().unwrap().phrase,
        format!("abort {}", view.title)
    );
    let mut decided = view.clone();
    decided.choices = Vec::new();
    screen.show(decided);
    assert!(screen.confirm.is_none(), "the decision was taken elsewhere");
}

/// An aborted or rolled-back run never reads like success: no green tick,
/// its end in its own words and symbol.
#[test]
fn an_aborted_or_rolled_back_run_says_so_in_the_header() {
    for (outcome, words) in [
        (RunOutcome::Aborted, "■ ABORTED after 01:40: NOT RECOVERED"),
        (
            RunOutcome::RolledBack,
            "↺ ROLLED BACK after 01:40: NOT RECOVERED",
        ),
    ] {
        let mut view = failover_view();
        view.gate = None;
        view.elapsed = Duration::from_secs(100);
        view.clock_stopped = true;
        view.outcome = Some(RunEnd {
            outcome,
            took: Duration::from_secs(100),
            rto: Some(Duration::from_mins(15)),
        });
        let text = draw(&RunScreen::new(view), 120, 30);
        let header = text.lines().next().unwrap();
        assert!(header.contains(words), "{header}");
        assert!(!header.contains('✓'), "{header}");
    }
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

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
    /// From every state a key sequence reaches, Esc leads back to the
    /// choices and a choice is still offered: no sequence of keys leaves
    /// the operator without a way forward (unless they left the run).
    #[test]
    fn every_reachable_state_has_a_way_forward(
        keys in proptest::collection::vec(0_usize..14, 0..40)
    ) {
        let mut view = failover_view();
        view.gate = None;
        view.rows[2].status = StepState::Failed { reason: "timed out".into() };
        view.choices = vec![Choice::Retry, Choice::Skip, Choice::RollBack, Choice::Abort];
        view.rollback = vec!["revert_dns".into()];
        let phrase_char = format!("roll back 1 step of {}", view.title);
        let mut screen = RunScreen::new(view);
        let pool = |i: usize| match i {
            0 => key(KeyCode::Char('b')),
            1 => key(KeyCode::Char('x')),
            2 => key(KeyCode::Char('s')),
            3 => key(KeyCode::Esc),
            4 => key(KeyCode::Enter),
            5 => key(KeyCode::Tab),
            6 => key(KeyCode::Backspace),
            7 => key(KeyCode::Char('?')),
            8 => key(KeyCode::Char('j')),
            9 => KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
            10 => key(KeyCode::Char('q')),
            11 => key(KeyCode::Char('n')),
            12 => key(KeyCode::Char(phrase_char.chars().next().unwrap_or('r'))),
            _ => key(KeyCode::Up),
        };
        for k in keys {
            let effects = screen.update(pool(k));
            if effects.contains(&RunEffect::Leave) {
                return Ok(());
            }
            // A decision was taken: the engine moves on; the screen keeps
            // its picture, which still offers choices here.
        }
        for _ in 0..3 {
            if screen.update(key(KeyCode::Esc)).contains(&RunEffect::Leave) {
                return Ok(());
            }
        }
        proptest::prop_assert!(screen.confirm.is_none());
        proptest::prop_assert_eq!(
            screen.update(key(KeyCode::Char('r'))),
            vec![RunEffect::Decide(Choice::Retry)]
        );
    }
}
