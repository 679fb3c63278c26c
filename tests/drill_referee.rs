//! One referee, two drivers: the same scenario and the same sequence of
//! the facilitator's actions, driven through the headless driver and
//! through the interactive drill session (its screen, virtual clock and a
//! stand-in for the sim poller), give the same report: the same RTO, RPO,
//! criteria and timeline.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use drconsole::app::drill::DrillScreen;
use drconsole::config::drill_file::load_scenario;
use drconsole::config::drill_script::{Script, load_script};
use drconsole::domain::drill::scenario::Scenario;
use drconsole::domain::estate::EstateSpec;
use drconsole::domain::time::Timestamp;
use drconsole::runtime::drill::HeadlessDrill;
use drconsole::runtime::drill_console::DrillSession;
use drconsole::sources::clock::VirtualClock;
use drconsole::sources::sim::SimEstate;
use drconsole::sources::sim_source::SimCommand;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const SCENARIO: &str = "tests/fixtures/drills/referee/provider-outage.yaml";
const SCRIPT: &str = "tests/fixtures/drills/referee/provider-outage-script.yaml";

fn start() -> Timestamp {
    Timestamp::parse_rfc3339("2026-01-05T03:00:00Z").unwrap()
}

fn load() -> (Scenario, Script) {
    let scenario = load_scenario(Path::new(SCENARIO), &EstateSpec::seed()).unwrap();
    let script = load_script(Path::new(SCRIPT), &scenario).unwrap();
    (scenario, script)
}

fn headless() -> serde_json::Value {
    let (scenario, script) = load();
    let dir = tempfile::tempdir().unwrap();
    let report = HeadlessDrill {
        scenario,
        scenario_path: Path::new(SCENARIO),
        script,
        start: start(),
        spec: EstateSpec::seed(),
        journal_dir: dir.path(),
    }
    .run()
    .unwrap();
    serde_json::from_str(&report.to_json().unwrap()).unwrap()
}

fn press(session: &mut DrillSession, code: KeyCode) {
    assert_eq!(
        session.key(KeyEvent::new(code, KeyModifiers::NONE)),
        None,
        "no run to start"
    );
}

fn type_text(session: &mut DrillSession, text: &str) {
    for c in text.chars() {
        press(session, KeyCode::Char(c));
    }
}

/// The facilitator plays the script on the drill screen, one simulated
/// second at a time; the sim poller's part (apply queued commands, then
/// move the estate on) is played here in the same order as the headless
/// driver applies injects.
fn interactive() -> serde_json::Value {
    let (scenario, script) = load();
    let report_dir = tempfile::tempdir().unwrap();
    let estate = Arc::new(Mutex::new(SimEstate::new(
        EstateSpec::seed(),
        scenario.seed,
        start(),
    )));
    let clock = Arc::new(VirtualClock::new(start(), 1.0));
    let (tx, mut commands) = tokio::sync::mpsc::unbounded_channel();
    let end = script.end.unwrap();
    let mut session = DrillSession::new(
        DrillScreen::new(scenario.clone(), start()),
        Arc::clone(&clock),
        Arc::clone(&estate),
        tx,
        SCENARIO.into(),
        Some(report_dir.path().to_path_buf()),
    );
    press(&mut session, KeyCode::Char('s'));
    // The test moves the clock itself, a whole second at a time.
    clock.set_paused(true);
    let mut elapsed = Duration::ZERO;
    while elapsed < end {
        while let Ok(cmd) = commands.try_recv() {
            let mut s = estate.lock().unwrap();
            match cmd {
                SimCommand::Inject(f) => {
                    s.inject(f).unwrap();
                }
                SimCommand::ClearAll => s.clear_all(),
            }
        }
        elapsed += Duration::from_secs(1);
        clock.jump_to(start().plus(elapsed));
        estate.lock().unwrap().advance_to(start().plus(elapsed));
        assert_eq!(session.tick(), None);
        for (_, text) in script.annotations.iter().filter(|(at, _)| *at == elapsed) {
            press(&mut session, KeyCode::Char('a'));
            type_text(&mut session, text);
            press(&mut session, KeyCode::Enter);
        }
        for (_, name) in script.injects.iter().filter(|(at, _)| *at == elapsed) {
            let index = scenario
                .injects
                .iter()
                .position(|i| &i.name == name)
                .unwrap();
            press(&mut session, KeyCode::Char('i'));
            for _ in 0..index {
                press(&mut session, KeyCode::Down);
            }
            press(&mut session, KeyCode::Enter);
        }
    }
    press(&mut session, KeyCode::Char('e'));
    press(&mut session, KeyCode::Char('y'));
    assert!(
        session
            .screen
            .report_note()
            .is_some_and(|n| n.contains("report written")),
        "{:?}",
        session.screen.report_note()
    );
    let json = std::fs::read_to_string(report_dir.path().join("report.json")).unwrap();
    serde_json::from_str(&json).unwrap()
}

#[test]
fn the_headless_and_the_interactive_drill_get_the_same_verdict() {
    let a = headless();
    let b = interactive();
    for field in [
        "rto_achieved_seconds",
        "rpo_achieved_seconds",
        "tests",
        "summary",
        "timeline",
        "annotations",
        "duration_seconds",
    ] {
        assert_eq!(a[field], b[field], "{field}");
    }
    assert_eq!(a, b, "the whole report");
    // The false alarm at 1m is not the outage; the one at 2m is, and it
    // lasts, flapping, until after the second fix at 14m.
    let rto = a["rto_achieved_seconds"].as_u64().expect("restored");
    assert!((720..900).contains(&rto), "RTO {rto}s counts from 2m");
    assert_eq!(a["summary"]["failed"], 0, "{:#}", a["tests"]);
    let timeline = a["timeline"].to_string();
    assert!(
        timeline.contains("provider-fixes-again (by hand)"),
        "{timeline}"
    );
}

// ---- what the interactive session relays from a practice run ----

use drconsole::app::runbook::{GateAnswer, GatePrompt, Mode, RunEnd, RunView, StepRow, StepStatus};
use drconsole::domain::runbook::plan::Phase;
use drconsole::domain::runbook::protocol::RunOutcome;

fn row(name: &str, status: StepStatus) -> StepRow {
    StepRow {
        phase: Phase::Step,
        name: name.into(),
        description: None,
        status,
        command: String::new(),
        elapsed: None,
        timeout: None,
        attempt: 1,
        max_attempts: 1,
        note: None,
    }
}

fn view(
    journal: &str,
    rows: Vec<StepRow>,
    gate: Option<&str>,
    ended: Option<RunOutcome>,
) -> RunView {
    RunView {
        title: "Regional Failover Runbook 2.0".into(),
        mode: Mode::Practice,
        elapsed: Duration::ZERO,
        rto: None,
        clock_stopped: ended.is_some(),
        rows,
        output: Vec::new(),
        gate: gate.map(|step| GatePrompt {
            step: step.into(),
            action: String::new(),
            environment: None,
            phrase: None,
            question: None,
            approvers: 1,
            reason: true,
        }),
        choices: Vec::new(),
        // The screen words the end; the referee reads its typed outcome.
        outcome: ended.map(|outcome| RunEnd {
            outcome,
            took: Duration::ZERO,
            rto: None,
        }),
        journal: journal.into(),
    }
}

#[test]
fn the_session_credits_the_run_it_started_and_relays_its_steps_and_gates() {
    let path = Path::new("runbooks/drills/region-failure.yaml");
    let scenario = load_scenario(path, &EstateSpec::seed()).unwrap();
    let estate = Arc::new(Mutex::new(SimEstate::new(
        EstateSpec::seed(),
        scenario.seed,
        start(),
    )));
    let clock = Arc::new(VirtualClock::new(start(), 1.0));
    let (tx, _commands) = tokio::sync::mpsc::unbounded_channel();
    let mut session = DrillSession::new(
        DrillScreen::new(scenario, start()),
        Arc::clone(&clock),
        estate,
        tx,
        path.into(),
        None,
    );
    press(&mut session, KeyCode::Char('s'));
    clock.set_paused(true);
    clock.jump_to(start().plus(Duration::from_mins(5)));
    let request = session
        .key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE))
        .expect("a run request");
    let journal = request
        .journal
        .expect("a drill run has its own journal")
        .display()
        .to_string();
    // A run the operator started from the dashboard is not the drill's.
    session.on_run_view(&view(
        "elsewhere.journal",
        Vec::new(),
        None,
        Some(RunOutcome::Recovered),
    ));
    session.on_run_view(&view(
        &journal,
        vec![row("fence_failing_validators", StepStatus::AwaitingGate)],
        Some("fence_failing_validators"),
        None,
    ));
    clock.jump_to(start().plus(Duration::from_secs(340)));
    session.on_gate_answer(
        "Regional Failover Runbook 2.0",
        &GateAnswer {
            step: "fence_failing_validators".into(),
            phrase: String::new(),
            approvers: vec!["alice".into()],
            reason: "us-east-1 is down".into(),
            answer: String::new(),
        },
    );
    clock.jump_to(start().plus(Duration::from_secs(400)));
    session.on_run_view(&view(
        &journal,
        vec![row("fence_failing_validators", StepStatus::Passed)],
        None,
        Some(RunOutcome::Recovered),
    ));
    let screen = &session.screen;
    assert_eq!(screen.completed(), ["regional-failover.yaml"]);
    let gates = screen.gates();
    assert_eq!(gates.len(), 1);
    assert_eq!(
        (
            gates[0].runbook.as_str(),
            gates[0].opened_seconds,
            gates[0].waited_seconds
        ),
        ("regional-failover.yaml", 300, 40)
    );
    assert!(!gates[0].dashboard.is_empty(), "the dashboard as it stood");
    let steps = screen.steps();
    assert_eq!(steps.len(), 1);
    assert_eq!(
        (
            steps[0].outcome.as_str(),
            steps[0].started_seconds,
            steps[0].duration_seconds
        ),
        ("passed", 300, 100)
    );
    let words: Vec<String> = screen
        .drill()
        .moments()
        .iter()
        .map(drconsole::domain::drill::moments::describe)
        .collect();
    assert!(
        words.contains(&"runbook regional-failover.yaml recovered".to_owned()),
        "{words:?}"
    );
}
