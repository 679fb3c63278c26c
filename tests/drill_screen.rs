//! The drill screen: pure key handling (start, pause, speed, skip, hand
//! injects, notes, end) and snapshots over `TestBackend`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::time::Duration;

use drconsole::app::drill::{DrillEffect, DrillMode, DrillScreen};
use drconsole::config::builtin;
use drconsole::config::drill_file::load_scenario;
use drconsole::domain::drill::referee::{EstateAtEnd, Event};
use drconsole::domain::drill::scenario::InjectKind;
use drconsole::domain::drill::score::ServiceSample;
use drconsole::domain::estate::EstateSpec;
use drconsole::domain::time::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn screen() -> DrillScreen {
    let scenario = load_scenario(
        Path::new("runbooks/drills/region-failure.yaml"),
        &EstateSpec::seed(),
    )
    .unwrap();
    DrillScreen::new(scenario, Timestamp::from_secs(1_790_000_000))
}

fn key(s: &mut DrillScreen, c: char) -> Vec<DrillEffect> {
    s.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn draw(s: &DrillScreen) -> String {
    let mut t = Terminal::new(TestBackend::new(140, 40)).unwrap();
    let theme = builtin::builtin_theme("dark").unwrap();
    t.draw(|f| drconsole::ui::drill::render(f, s, &theme))
        .unwrap();
    format!("{}", t.backend())
}

fn up(at: u64, up: bool) -> Vec<Event> {
    vec![Event::Sample(ServiceSample {
        at: Duration::from_secs(at),
        api_healthy: up,
        blocks_committing: up,
        compromised_key_signing: false,
    })]
}

/// What the console does with the screen's effects: every inject applies.
fn applied(s: &mut DrillScreen, effects: Vec<DrillEffect>) -> Vec<DrillEffect> {
    for e in &effects {
        if let DrillEffect::Apply(inject) = e {
            s.observe(Event::Inject {
                at: s.drill().elapsed(),
                name: inject.name.clone(),
                disruptive: inject.disruptive,
                applied: Ok(()),
            });
        }
    }
    effects
}

#[test]
fn controls_drive_the_clock_and_the_estate() {
    let mut s = screen();
    assert!(
        key(&mut s, 'p').is_empty(),
        "nothing to pause before the start"
    );
    assert_eq!(key(&mut s, 's'), vec![DrillEffect::Clock(true)]);
    assert_eq!(key(&mut s, '0'), vec![DrillEffect::Speed(10)]);
    assert_eq!(key(&mut s, 'p'), vec![DrillEffect::Clock(false)]);
    assert_eq!(key(&mut s, 'p'), vec![DrillEffect::Clock(true)]);
    assert_eq!(
        key(&mut s, 'n'),
        vec![DrillEffect::JumpTo(Duration::from_mins(2))]
    );
    let fired = s.tick(Duration::from_mins(2), up(120, true));
    assert!(
        matches!(fired.as_slice(), [DrillEffect::Apply(i)] if i.kind == InjectKind::Fault(
            "health-check-failure us-east-1".parse().expect("a fault")
        )),
        "{fired:?}"
    );
    // A message inject is shown, not applied.
    assert!(s.tick(Duration::from_mins(3), up(180, true)).is_empty());
    assert_eq!(s.messages().len(), 1);
    assert!(
        matches!(key(&mut s, 'r').as_slice(), [DrillEffect::StartRunbook(r)] if r.path == "regional-failover.yaml")
    );
}

#[test]
fn hand_injects_notes_and_the_end() {
    let mut s = screen();
    key(&mut s, 's');
    key(&mut s, 'i');
    assert_eq!(s.mode(), &DrillMode::PickInject(0));
    for _ in 0..10 {
        s.key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    }
    let fired = s.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(
        fired.is_empty(),
        "the last inject is a message: shown, not applied"
    );
    assert!(s.drill().fired(5));
    key(&mut s, 'a');
    for c in "decision: fail over now".chars() {
        key(&mut s, c);
    }
    s.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(key(&mut s, 'e'), Vec::new());
    assert_eq!(s.mode(), &DrillMode::ConfirmEnd);
    assert_eq!(
        key(&mut s, 'y'),
        vec![DrillEffect::Clock(false), DrillEffect::Finished]
    );
    let report = s.report(EstateAtEnd {
        database_primary: "us-east-1".into(),
        double_signs: Vec::new(),
        compromised_keys: Vec::new(),
    });
    assert!(report.to_markdown().contains("fail over now"));
}

#[test]
fn briefing_and_outage_snapshots() {
    let mut s = screen();
    let briefing = draw(&s);
    assert!(briefing.contains("BRIEFING") && briefing.contains("RTO target 15:00"));
    insta::assert_snapshot!("drill_briefing", briefing);
    key(&mut s, 's');
    let fired = s.tick(Duration::from_mins(2), up(120, true));
    applied(&mut s, fired);
    let fired = s.tick(Duration::from_mins(5), up(300, false));
    applied(&mut s, fired);
    let outage = draw(&s);
    assert!(
        outage.contains("SERVICE DOWN") && outage.contains("outage 03:00 / RTO 15:00"),
        "{outage}"
    );
    insta::assert_snapshot!("drill_outage", outage);
}
