//! One referee, two drivers: the same scenario and the same sequence of
//! the facilitator's actions, driven through the headless driver and
//! through the interactive console (its root model, the runtime's hands
//! and drill rig, a virtual clock and a stand-in for the sim poller), give
//! the same report: the same RTO, RPO, criteria and timeline.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use drconsole::app::console::{Console, DrillDesk};
use drconsole::app::drill::DrillScreen;
use drconsole::app::{App, Effect, Msg};
use drconsole::config::ConfigDirs;
use drconsole::config::drill_file::load_scenario;
use drconsole::config::drill_script::{GateReply, Script, load_script};
use drconsole::domain::drill::scenario::Scenario;
use drconsole::domain::estate::EstateSpec;
use drconsole::domain::fleet::EstateView;
use drconsole::domain::time::Timestamp;
use drconsole::runtime::console::{Hands, RunLink, RunStarter};
use drconsole::runtime::drill::HeadlessDrill;
use drconsole::runtime::drill_console::DrillRig;
use drconsole::runtime::runner::PracticeRunner;
use drconsole::sources::clock::VirtualClock;
use drconsole::sources::sim::SimEstate;
use drconsole::sources::sim_source::SimCommand;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const SCENARIO: &str = "tests/fixtures/drills/referee/provider-outage.yaml";
const SCRIPT: &str = "tests/fixtures/drills/referee/provider-outage-script.yaml";

fn start() -> Timestamp {
    Timestamp::parse_rfc3339("2026-01-05T03:00:00Z").unwrap()
}

fn load_from(scenario: &str, script: &str) -> (Scenario, Script) {
    let scenario = load_scenario(Path::new(scenario), &EstateSpec::seed()).unwrap();
    let script = load_script(Path::new(script), &scenario).unwrap();
    (scenario, script)
}

fn load() -> (Scenario, Script) {
    load_from(SCENARIO, SCRIPT)
}

/// The headless driver's report of `scenario` played by `script`.
fn headless_of(scenario_path: &str, script: &str) -> serde_json::Value {
    let (scenario, script) = load_from(scenario_path, script);
    let dir = tempfile::tempdir().unwrap();
    let report = HeadlessDrill {
        scenario,
        scenario_path: Path::new(scenario_path),
        script,
        start: start(),
        spec: EstateSpec::seed(),
        journal_dir: dir.path(),
    }
    .run()
    .unwrap();
    serde_json::from_str(&report.to_json().unwrap()).unwrap()
}

fn headless() -> serde_json::Value {
    headless_of(SCENARIO, SCRIPT)
}

/// The interactive console over a drill: the root model and the runtime's
/// hands, as the event loop holds them.
struct Session {
    console: Console,
    hands: Hands,
    /// Where the drill's runs keep their journals.
    _journals: tempfile::TempDir,
}

impl Session {
    fn new(
        scenario: Scenario,
        scenario_path: &Path,
        rig: DrillRig,
        start_run: Option<RunStarter>,
    ) -> Self {
        let dashboard = App::new(
            EstateView::new(EstateSpec::seed()),
            drconsole::config::builtin_layout("default").unwrap(),
            drconsole::config::builtin_theme("dark").unwrap(),
            start(),
        );
        let journals = tempfile::tempdir().unwrap();
        let stem = journals.path().join("drill");
        let desk = DrillDesk::new(
            DrillScreen::new(scenario, start()),
            scenario_path.into(),
            stem,
        );
        Self {
            console: Console::new(dashboard).with_drill(desk),
            hands: Hands {
                dirs: ConfigDirs { roots: Vec::new() },
                sim_commands: None,
                start_run,
                run: None,
                drill: Some(rig),
            },
            _journals: journals,
        }
    }

    fn send(&mut self, msg: Msg) {
        self.hands.dispatch(&mut self.console, msg);
    }

    fn tick(&mut self) {
        let msg = self.hands.drill_tick().expect("a drill");
        self.send(msg);
    }

    fn screen(&self) -> &DrillScreen {
        self.console.drill_screen().expect("a drill")
    }
}

fn press(session: &mut Session, code: KeyCode) {
    session.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    assert!(session.hands.run.is_none(), "no run opened");
}

fn type_text(session: &mut Session, text: &str) {
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
    let rig = DrillRig::new(
        Arc::clone(&clock),
        Arc::clone(&estate),
        tx,
        start(),
        Some(report_dir.path().to_path_buf()),
    );
    let mut session = Session::new(scenario.clone(), Path::new(SCENARIO), rig, None);
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
        session.tick();
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
            .screen()
            .report_note()
            .is_some_and(|n| n.contains("report written")),
        "{:?}",
        session.screen().report_note()
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

use drconsole::app::runbook::{GateAnswer, GatePrompt, Mode, RunEffect, RunEnd, RunView, StepRow};
use drconsole::domain::runbook::plan::Phase;
use drconsole::domain::runbook::protocol::RunOutcome;
use drconsole::domain::runbook::record::StepState;

fn row(name: &str, status: StepState) -> StepRow {
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
        output: Vec::new(),
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
        rollback: Vec::new(),
        rotations: Vec::new(),
        halted: None,
    }
}

/// The runs a stand-in starter opened: each one's journal, and what the
/// console handed its driver.
type Opened = Arc<Mutex<Vec<(String, tokio::sync::mpsc::UnboundedReceiver<RunEffect>)>>>;

/// A run starter that opens stand-in runs: the test sends their pictures
/// and reads what the console hands their driver.
fn stand_in_runs(opened: &Opened) -> RunStarter {
    let opened = Arc::clone(opened);
    Box::new(move |request| {
        assert!(request.practice, "a drill's runs are practice");
        let journal = request.journal.expect("a drill run has its own journal");
        let journal = journal.display().to_string();
        let (_views_tx, views) = tokio::sync::mpsc::unbounded_channel();
        let (control, answers) = tokio::sync::mpsc::unbounded_channel();
        opened.lock().unwrap().push((journal.clone(), answers));
        Ok(RunLink {
            first: view(&journal, Vec::new(), None, None),
            views,
            control,
        })
    })
}

/// The region-failure drill started in a console whose runs are stand-ins,
/// its clock paused for the test to move; the sim poller's commands are
/// kept, never applied, so the estate stays as it is.
type Commands = tokio::sync::mpsc::UnboundedReceiver<SimCommand>;

fn region_failure_started() -> (Session, Arc<VirtualClock>, Opened, Commands) {
    let path = Path::new("runbooks/drills/region-failure.yaml");
    let scenario = load_scenario(path, &EstateSpec::seed()).unwrap();
    let estate = Arc::new(Mutex::new(SimEstate::new(
        EstateSpec::seed(),
        scenario.seed,
        start(),
    )));
    let clock = Arc::new(VirtualClock::new(start(), 1.0));
    let (tx, commands) = tokio::sync::mpsc::unbounded_channel();
    let rig = DrillRig::new(Arc::clone(&clock), estate, tx, start(), None);
    let opened = Opened::default();
    let mut session = Session::new(scenario, path, rig, Some(stand_in_runs(&opened)));
    press(&mut session, KeyCode::Char('s'));
    clock.set_paused(true);
    (session, clock, opened, commands)
}

#[test]
fn the_console_credits_the_run_its_drill_started_and_relays_its_steps_and_gates() {
    let (mut session, clock, opened, _commands) = region_failure_started();
    clock.jump_to(start().plus(Duration::from_mins(5)));
    session.send(Msg::Key(KeyEvent::new(
        KeyCode::Char('r'),
        KeyModifiers::NONE,
    )));
    let journal = opened.lock().unwrap()[0].0.clone();
    assert!(session.hands.run.is_some(), "the run opened");
    // A picture of a run the drill did not start is not the drill's.
    assert_eq!(
        session.console.update(Msg::RunViewed(Box::new(view(
            "elsewhere.journal",
            Vec::new(),
            None,
            Some(RunOutcome::Recovered),
        )))),
        Vec::<Effect>::new()
    );
    session.send(Msg::RunViewed(Box::new(view(
        &journal,
        vec![row("fence_failing_validators", StepState::AwaitingGate)],
        Some("fence_failing_validators"),
        None,
    ))));
    // The operator answers the gate on the runbook screen at 340 s.
    clock.jump_to(start().plus(Duration::from_secs(340)));
    for field in ["alice", "us-east-1 is down"] {
        for c in field.chars() {
            session.send(Msg::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            )));
        }
        session.send(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    }
    let answer = opened.lock().unwrap()[0].1.try_recv().expect("an answer");
    assert_eq!(
        answer,
        RunEffect::AnswerGate(GateAnswer {
            step: "fence_failing_validators".into(),
            phrase: String::new(),
            approvers: vec!["alice".into()],
            reason: "us-east-1 is down".into(),
            answer: String::new(),
        })
    );
    clock.jump_to(start().plus(Duration::from_secs(400)));
    // Its work ran for the last minute of that: the picture says so.
    let mut passed = row("fence_failing_validators", StepState::Passed);
    passed.elapsed = Some(Duration::from_mins(1));
    session.send(Msg::RunViewed(Box::new(view(
        &journal,
        vec![passed],
        None,
        Some(RunOutcome::Recovered),
    ))));
    let screen = session.screen();
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
        ("passed", 340, 60),
        "the step starts when its work does, not when its gate opened"
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

#[test]
fn during_a_drill_the_runbook_screen_shows_the_drills_one_clock() {
    let (mut session, clock, _opened, _commands) = region_failure_started();
    clock.jump_to(start().plus(Duration::from_secs(305)));
    session.tick();
    session.send(Msg::Key(KeyEvent::new(
        KeyCode::Char('r'),
        KeyModifiers::NONE,
    )));
    assert!(session.hands.run.is_some(), "the run opened");
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 30)).unwrap();
    t.draw(|f| drconsole::ui::render_console(f, &session.console))
        .unwrap();
    let screen = format!("{}", t.backend());
    let header = screen.lines().next().unwrap();
    assert!(
        header.contains("RUNBOOK"),
        "the runbook is in front: {header}"
    );
    assert!(header.contains("DRILL T+05:05 simulated · "), "{header}");
    assert!(
        !header.contains("RTO clock") && !header.contains("elapsed"),
        "{header}"
    );
    // The drill screen shows the same time and the same outage words.
    let words = drconsole::ui::drill::clock_words(session.console.drill_screen().unwrap());
    assert!(header.contains(&words), "{header} / {words}");
    let mut drill_header = String::new();
    for _ in 0..3 {
        session.send(Msg::Key(KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE)));
        t.draw(|f| drconsole::ui::render_console(f, &session.console))
            .unwrap();
        drill_header = format!("{}", t.backend())
            .lines()
            .next()
            .unwrap()
            .to_owned();
        if drill_header.contains("DRILL · SIMULATED") {
            break;
        }
    }
    assert!(drill_header.contains("DRILL · SIMULATED"), "{drill_header}");
    let outage = words.split(" · ").nth(1).unwrap();
    assert!(
        drill_header.contains("T+05:05 simulated") && drill_header.contains(outage),
        "{drill_header} / {outage}"
    );
}

// ---- the same referee with real practice runs and their step times ----

const RUN_SCENARIO: &str = "runbooks/drills/region-failure.yaml";
const RUN_SCRIPT: &str = "tests/fixtures/drills/region-failure-steady.yaml";

fn load_with_runs() -> (Scenario, Script) {
    load_from(RUN_SCENARIO, RUN_SCRIPT)
}

fn headless_with_runs() -> serde_json::Value {
    headless_of(RUN_SCENARIO, RUN_SCRIPT)
}

fn key(session: &mut Session, code: KeyCode) {
    session.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn type_in(session: &mut Session, text: &str) {
    for c in text.chars() {
        key(session, KeyCode::Char(c));
    }
}

/// Brings `front` forward with F2, as the facilitator does.
fn bring(session: &mut Session, front: drconsole::app::console::Front) {
    for _ in 0..3 {
        if session.console.front() == front {
            return;
        }
        key(session, KeyCode::F(2));
    }
    assert_eq!(session.console.front(), front, "F2 reaches every screen");
}

/// Lets the run's task go as far as it can at the clock's present reading
/// (its looks at the drill clock come every 250 ms of tokio's paused time),
/// then hands each picture it drew to the console; the last picture.
async fn settle(session: &mut Session, last: &mut Option<RunView>) {
    loop {
        tokio::time::sleep(Duration::from_millis(600)).await;
        let mut seen = false;
        while let Some(view) = session
            .hands
            .run_mut()
            .as_mut()
            .and_then(|link| link.views.try_recv().ok())
        {
            seen = true;
            *last = Some(view.clone());
            session.send(Msg::RunViewed(Box::new(view)));
        }
        if !seen {
            return;
        }
    }
}

/// Answers the open gate on the runbook screen the way the script's team
/// does: its approvers (padded as the headless driver pads them), reason,
/// the phrase shown and "yes" to a question.
fn answer_gate(session: &mut Session, gate: &GatePrompt, reply: &GateReply) {
    use drconsole::app::console::Front;
    bring(session, Front::Runbook);
    if let Some(phrase) = &gate.phrase {
        type_in(session, phrase);
        key(session, KeyCode::Enter);
    }
    let mut approvers = reply.approvers.clone();
    for i in approvers.len()..usize::from(gate.approvers) {
        approvers.push(format!("approver-{}", i + 1));
    }
    for name in approvers.iter().take(usize::from(gate.approvers)) {
        type_in(session, name);
        key(session, KeyCode::Enter);
    }
    if gate.reason {
        type_in(session, &reply.reason);
        key(session, KeyCode::Enter);
    }
    if gate.question.is_some() {
        type_in(session, "yes");
        key(session, KeyCode::Enter);
    }
}

/// The facilitator and the team play the steady region-failure script on
/// the console: the drill screen starts the runbook, the runbook screen
/// answers its gates after the script's delay, and the runs are the
/// console's own (the real run starter, a practice runner with step times
/// on the drill's virtual clock). The test moves the clock a second at a
/// time, as the headless driver moves tokio's.
async fn interactive_with_runs() -> serde_json::Value {
    use drconsole::app::console::Front;
    let (scenario, script) = load_with_runs();
    let report_dir = tempfile::tempdir().unwrap();
    let estate = Arc::new(Mutex::new(SimEstate::new(
        EstateSpec::seed(),
        scenario.seed,
        start(),
    )));
    let vclock = Arc::new(VirtualClock::new(start(), 1.0));
    let clock: Arc<dyn drconsole::sources::clock::Clock> = vclock.clone();
    let practice = PracticeRunner::new(Arc::clone(&estate)).with_step_times(Arc::clone(&clock));
    let (_, starter) = drconsole::cli::console_runs(None, practice, None, &clock)
        .await
        .unwrap();
    let (tx, mut commands) = tokio::sync::mpsc::unbounded_channel();
    let rig = DrillRig::new(
        Arc::clone(&vclock),
        Arc::clone(&estate),
        tx,
        start(),
        Some(report_dir.path().to_path_buf()),
    );
    let mut session = Session::new(scenario.clone(), Path::new(RUN_SCENARIO), rig, starter);
    key(&mut session, KeyCode::Char('s'));
    vclock.set_paused(true);
    let end = script.end.unwrap();
    let mut last: Option<RunView> = None;
    let mut gate_opened: Option<(String, Duration)> = None;
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
        vclock.jump_to(start().plus(elapsed));
        estate.lock().unwrap().advance_to(start().plus(elapsed));
        session.tick();
        settle(&mut session, &mut last).await;
        for (_, text) in script.annotations.iter().filter(|(at, _)| *at == elapsed) {
            bring(&mut session, Front::Drill);
            key(&mut session, KeyCode::Char('a'));
            type_in(&mut session, text);
            key(&mut session, KeyCode::Enter);
        }
        for _ in script.runs.iter().filter(|(at, _)| *at == elapsed) {
            bring(&mut session, Front::Drill);
            key(&mut session, KeyCode::Char('r'));
            assert!(session.hands.run.is_some(), "the run opened");
            settle(&mut session, &mut last).await;
        }
        // A gate is answered the script's delay after it opened.
        loop {
            let Some(gate) = last.as_ref().and_then(|v| v.gate.clone()) else {
                gate_opened = None;
                break;
            };
            let opened = match &gate_opened {
                Some((step, at)) if *step == gate.step => *at,
                _ => {
                    gate_opened = Some((gate.step.clone(), elapsed));
                    elapsed
                }
            };
            let reply = script.gate(&gate.step).clone();
            if opened.saturating_add(reply.after) > elapsed {
                break;
            }
            answer_gate(&mut session, &gate, &reply);
            gate_opened = None;
            settle(&mut session, &mut last).await;
            assert_ne!(
                last.as_ref().and_then(|v| v.gate.as_ref()),
                Some(&gate),
                "the gate stayed open after its answer"
            );
        }
    }
    bring(&mut session, Front::Drill);
    key(&mut session, KeyCode::Char('e'));
    key(&mut session, KeyCode::Char('y'));
    assert!(
        session
            .screen()
            .report_note()
            .is_some_and(|n| n.contains("report written")),
        "{:?}",
        session.screen().report_note()
    );
    let json = std::fs::read_to_string(report_dir.path().join("report.json")).unwrap();
    serde_json::from_str(&json).unwrap()
}

#[test]
fn with_step_times_both_drivers_give_the_same_report_of_a_real_failover() {
    let a = headless_with_runs();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let b = rt.block_on(interactive_with_runs());
    for field in [
        "rto_achieved_seconds",
        "rpo_achieved_seconds",
        "tests",
        "summary",
        "steps",
        "gates",
        "timeline",
        "annotations",
        "duration_seconds",
    ] {
        assert_eq!(a[field], b[field], "{field}");
    }
    assert_eq!(a, b, "the whole report");
    // What the two agree on is a real failover with its work's time in it.
    let steps = a["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 18, "{steps:#?}");
    assert!(steps.iter().all(|s| s["outcome"] == "passed"), "{steps:#?}");
    let promote = steps
        .iter()
        .find(|s| s["step"] == "promote_database")
        .unwrap();
    assert!(
        promote["duration_seconds"].as_u64().unwrap() >= 10,
        "a promotion takes time: {promote}"
    );
    let worked: u64 = steps
        .iter()
        .map(|s| s["duration_seconds"].as_u64().unwrap())
        .sum();
    let waited: u64 = a["gates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["waited_seconds"].as_u64().unwrap())
        .sum();
    let rto = a["rto_achieved_seconds"].as_u64().expect("restored");
    assert!(
        rto >= worked + waited,
        "RTO {rto}s holds the work ({worked}s) and the gates ({waited}s)"
    );
    assert_eq!(a["summary"]["failed"], 0, "{:#}", a["tests"]);
}

#[test]
fn a_run_opened_by_hand_during_a_drill_keeps_its_own_clock() {
    let (mut session, clock, _opened, _commands) = region_failure_started();
    clock.jump_to(start().plus(Duration::from_secs(305)));
    session.tick();
    // Not a run the drill started: the operator's own `:run`.
    session.send(Msg::RunOpened(Box::new(view(
        "by-hand.journal",
        vec![row("check_something", StepState::Running)],
        None,
        None,
    ))));
    assert_eq!(
        session.console.front(),
        drconsole::app::console::Front::Runbook
    );
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 30)).unwrap();
    t.draw(|f| drconsole::ui::render_console(f, &session.console))
        .unwrap();
    let screen = format!("{}", t.backend());
    let header = screen.lines().next().unwrap();
    assert!(header.contains("RUNBOOK"), "{header}");
    assert!(
        !header.contains("DRILL") && header.contains("elapsed 00:00"),
        "a run the drill did not start is not on the drill's clock: {header}"
    );
    // Nor is it judged.
    assert!(session.screen().steps().is_empty());
}
