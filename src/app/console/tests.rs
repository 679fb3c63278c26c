//! The root model alone: screen switching, key routing and a run's
//! lifecycle, driven through `update` with no runtime behind it.
#![allow(clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Console, DrillDesk, Front, RUN_ALREADY_OPEN};
use crate::app::drill::DrillScreen;
use crate::app::run_request::RunRequest;
use crate::app::runbook::{Mode, RunEffect, RunView};
use crate::app::{App, DrillMsg, DrillWork, Effect, Msg, ReportFiled};
use crate::config::drill_file::load_scenario;
use crate::domain::drill::referee::EstateAtEnd;
use crate::domain::estate::EstateSpec;
use crate::domain::fleet::EstateView;
use crate::domain::time::Timestamp;

fn start() -> Timestamp {
    Timestamp::parse_rfc3339("2026-01-05T03:00:00Z").expect("time")
}

fn dashboard() -> App {
    App::new(
        EstateView::new(EstateSpec::seed()),
        crate::config::builtin_layout("default").expect("layout"),
        crate::config::builtin_theme("dark").expect("theme"),
        start(),
    )
}

fn drill() -> DrillDesk {
    let path = Path::new("runbooks/drills/region-failure.yaml");
    let scenario = load_scenario(path, &EstateSpec::seed()).expect("scenario");
    DrillDesk::new(
        DrillScreen::new(scenario, start()),
        path.into(),
        PathBuf::from("/tmp/drill-test"),
    )
}

fn run_view(journal: &str) -> RunView {
    RunView {
        title: "Regional Failover Runbook 2.0".into(),
        mode: Mode::Practice,
        elapsed: Duration::ZERO,
        rto: None,
        clock_stopped: false,
        rows: Vec::new(),
        output: Vec::new(),
        gate: None,
        choices: Vec::new(),
        outcome: None,
        journal: journal.into(),
        rollback: Vec::new(),
        rotations: Vec::new(),
        halted: None,
    }
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn press(c: &mut Console, code: KeyCode) -> Vec<Effect> {
    c.update(key(code))
}

fn type_line(c: &mut Console, line: &str) -> Vec<Effect> {
    press(c, KeyCode::Char(':'));
    for ch in line.chars() {
        press(c, KeyCode::Char(ch));
    }
    press(c, KeyCode::Enter)
}

fn notice(c: &Console) -> Option<&str> {
    c.dashboard().notice().map(|n| n.text.as_str())
}

#[test]
fn the_dashboard_alone_keeps_the_front_and_takes_every_key() {
    let mut c = Console::new(dashboard());
    assert_eq!(c.front(), Front::Dashboard);
    assert!(press(&mut c, KeyCode::F(2)).is_empty());
    assert_eq!(c.front(), Front::Dashboard, "no other screen to show");
    press(&mut c, KeyCode::Char('?'));
    assert!(c.dashboard().help(), "the key reached the dashboard");
    assert_eq!(press(&mut c, KeyCode::Char('q')), vec![Effect::Quit]);
    assert!(c.quitting());
}

#[test]
fn f2_cycles_through_the_screens_there_are() {
    let mut c = Console::new(dashboard())
        .with_run(run_view("a.journal"))
        .with_drill(drill());
    let mut seen = vec![c.front()];
    for _ in 0..3 {
        press(&mut c, KeyCode::F(2));
        seen.push(c.front());
    }
    assert_eq!(
        seen,
        [Front::Drill, Front::Dashboard, Front::Runbook, Front::Drill]
    );
}

#[test]
fn a_run_from_the_command_line_opens_in_front_and_a_run_from_run_does_not_quit() {
    let mut c = Console::new(dashboard());
    let effects = type_line(&mut c, r#"run rb.yaml --var "X=a b""#);
    let Some(Effect::StartRun(request)) = effects.first() else {
        panic!("a run request, got {effects:?}");
    };
    assert_eq!(request.vars.get("X").map(String::as_str), Some("a b"));
    assert_eq!(c.front(), Front::Dashboard, "nothing opens until it opened");
    assert!(
        c.update(Msg::RunOpened(Box::new(run_view("rb.journal"))))
            .is_empty()
    );
    assert_eq!(c.front(), Front::Runbook);
    // Keys now go to the run: q asks first, y leaves.
    assert!(press(&mut c, KeyCode::Char('q')).is_empty());
    assert_eq!(
        press(&mut c, KeyCode::Char('y')),
        vec![Effect::ToRun(RunEffect::Leave), Effect::DetachRun]
    );
    assert_eq!(c.front(), Front::Dashboard);
    assert!(c.run_screen().is_none());
    assert!(
        !c.quitting(),
        "a run opened with :run leaves to the dashboard"
    );
}

#[test]
fn leaving_the_run_of_drconsole_run_leaves_the_console() {
    let mut c = Console::new(dashboard()).with_run(run_view("rb.journal"));
    assert_eq!(c.front(), Front::Runbook);
    press(&mut c, KeyCode::Char('q'));
    assert_eq!(
        press(&mut c, KeyCode::Char('y')),
        vec![
            Effect::ToRun(RunEffect::Leave),
            Effect::DetachRun,
            Effect::Quit
        ]
    );
    assert!(c.quitting());
}

#[test]
fn a_second_run_is_refused_while_one_is_open() {
    let mut c = Console::new(dashboard()).with_run(run_view("rb.journal"));
    press(&mut c, KeyCode::F(2));
    assert_eq!(c.front(), Front::Dashboard);
    assert!(type_line(&mut c, "run other.yaml").is_empty());
    assert_eq!(notice(&c), Some(RUN_ALREADY_OPEN));
    assert_eq!(
        c.run_screen().map(|s| s.view.journal.as_str()),
        Some("rb.journal"),
        "the open run stays"
    );
}

#[test]
fn a_run_that_cannot_open_says_why_and_changes_no_screen() {
    let mut c = Console::new(dashboard());
    type_line(&mut c, "run missing.yaml");
    assert!(
        c.update(Msg::RunFailed("missing.yaml: not found".into()))
            .is_empty()
    );
    assert_eq!(notice(&c), Some("missing.yaml: not found"));
    assert_eq!(c.front(), Front::Dashboard);
    assert!(c.run_screen().is_none());
}

#[test]
fn pictures_of_the_open_run_reach_its_screen() {
    let mut c = Console::new(dashboard()).with_run(run_view("rb.journal"));
    let mut later = run_view("rb.journal");
    later.elapsed = Duration::from_secs(42);
    c.update(Msg::RunViewed(Box::new(later)));
    assert_eq!(
        c.run_screen().map(|s| s.view.elapsed),
        Some(Duration::from_secs(42))
    );
}

#[test]
fn sigterm_quits_from_any_screen() {
    let mut c = Console::new(dashboard())
        .with_run(run_view("rb.journal"))
        .with_drill(drill());
    assert_eq!(c.update(Msg::Terminate), vec![Effect::Quit]);
    assert!(c.quitting());
}

#[test]
fn the_drill_takes_its_keys_and_its_runbook_opens_as_practice() {
    let mut c = Console::new(dashboard()).with_drill(drill());
    assert_eq!(c.front(), Front::Drill);
    assert!(
        press(&mut c, KeyCode::Char('r')).is_empty(),
        "not before start"
    );
    assert_eq!(
        press(&mut c, KeyCode::Char('s')),
        vec![Effect::Drill(DrillWork::Clock(true))]
    );
    let effects = press(&mut c, KeyCode::Char('r'));
    let [
        Effect::StartRun(RunRequest {
            runbook,
            journal: Some(journal),
            practice: true,
            ..
        }),
    ] = effects.as_slice()
    else {
        panic!("a practice run with its own journal, got {effects:?}");
    };
    assert!(runbook.ends_with("regional-failover.yaml"), "{runbook:?}");
    let journal = journal.display().to_string();
    assert!(journal.starts_with("/tmp/drill-test-"), "{journal}");
    c.update(Msg::RunOpened(Box::new(run_view(&journal))));
    assert_eq!(c.front(), Front::Runbook);
    assert_eq!(c.drill_screen().map(|d| d.completed().len()), Some(0));
    press(&mut c, KeyCode::Char('q'));
    press(&mut c, KeyCode::Char('y'));
    assert_eq!(
        c.front(),
        Front::Drill,
        "leaving a drill's run shows the drill"
    );
    assert!(!c.quitting());
}

#[test]
fn the_drill_files_its_report_and_says_where() {
    let mut c = Console::new(dashboard()).with_drill(drill());
    press(&mut c, KeyCode::Char('s'));
    c.update(Msg::Drill(DrillMsg::Tick {
        elapsed: Duration::from_secs(5),
        seen: Vec::new(),
    }));
    press(&mut c, KeyCode::Char('e'));
    assert_eq!(
        press(&mut c, KeyCode::Char('y')),
        vec![
            Effect::Drill(DrillWork::Clock(false)),
            Effect::Drill(DrillWork::ReadEstateAtEnd)
        ],
        "the clock stops and the estate is read for the report"
    );
    let effects = c.update(Msg::Drill(DrillMsg::EstateAtEnd(EstateAtEnd::default())));
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::Drill(DrillWork::WriteReport(_))]
        ),
        "{effects:?}"
    );
    c.update(Msg::Drill(DrillMsg::ReportFiled(ReportFiled::Written(
        "/tmp/out".into(),
    ))));
    let note = c.drill_screen().and_then(DrillScreen::report_note);
    assert!(
        note.is_some_and(
            |n| n.ends_with("report written to /tmp/out (report.md, report.html, report.json)")
        ),
        "{note:?}"
    );
}

#[test]
fn drill_messages_without_a_drill_change_nothing() {
    let mut c = Console::new(dashboard());
    assert!(
        c.update(Msg::Drill(DrillMsg::Clock(Duration::from_secs(1))))
            .is_empty()
    );
    assert_eq!(c.front(), Front::Dashboard);
}

#[test]
fn a_key_the_run_rotated_reaches_the_dashboard_from_the_first_picture_on() {
    use crate::domain::observation::KeyRotation;
    let rotation = KeyRotation {
        validator: "us-east-1-val-0".into(),
        old_address: "6DE2F18AC876F1587B5E73C9AC87818641A280AB".into(),
        new_address: "A1B2C3D4E5F60718293A4B5C6D7E8F9011223344".into(),
        height: None,
        at: start(),
        signs_from: start(),
    };
    let mut first = run_view("rb.journal");
    first.rotations = vec![rotation.clone()];
    // A resumed run's first picture: learned before any key is pressed.
    let c = Console::new(dashboard()).with_run(first.clone());
    assert_eq!(c.dashboard().view().rotations, vec![rotation.clone()]);
    // A run opened from `:run`, then every later picture: learned once.
    let mut c = Console::new(dashboard());
    c.update(Msg::RunOpened(Box::new(run_view("rb.journal"))));
    assert!(c.dashboard().view().rotations.is_empty());
    c.update(Msg::RunViewed(Box::new(first.clone())));
    c.update(Msg::RunViewed(Box::new(first)));
    assert_eq!(c.dashboard().view().rotations, vec![rotation]);
}
