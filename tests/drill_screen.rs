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
        signing_percent: 0,
        lag_seconds: 0,
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

/// The lines of the pane titled `title` (its border row to the next border).
fn pane(screen: &str, title: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in screen.lines() {
        if line.contains(&format!("┌ {title} ")) {
            inside = true;
            continue;
        }
        if inside && line.contains('└') {
            break;
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[test]
fn every_key_that_does_nothing_says_why_to_the_facilitator_only() {
    let mut s = screen();
    let says = |s: &DrillScreen| s.notice().map(str::to_owned);
    key(&mut s, 'i');
    assert_eq!(
        says(&s).as_deref(),
        Some("the drill has not started: s starts it")
    );
    let shown = draw(&s);
    assert!(
        pane(&shown, "Facilitator only").contains("the drill has not started"),
        "{shown}"
    );
    assert!(
        !pane(&shown, "Messages to participants").contains("started"),
        "{shown}"
    );
    key(&mut s, 's');
    assert_eq!(says(&s), None, "a key that acted clears the notice");
    key(&mut s, 's');
    assert_eq!(says(&s).as_deref(), Some("the drill is already running"));
    key(&mut s, 'x');
    assert_eq!(
        says(&s).as_deref(),
        Some("x does nothing here: ? lists the drill's keys")
    );
    let fired = s.tick(Duration::from_mins(2), up(120, true));
    applied(&mut s, fired);
    // An inject that already fired is not fired again, and says when it did.
    key(&mut s, 'i');
    let effects = s.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(effects.is_empty());
    assert_eq!(
        says(&s).as_deref(),
        Some("health-checks-fail already fired at T+02:00: pick another or Esc")
    );
    assert_eq!(s.mode(), &DrillMode::PickInject(0), "still picking");
    s.key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    // An empty note is not kept, and says so.
    key(&mut s, 'a');
    s.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(says(&s).as_deref(), Some("an empty note is not kept"));
    // The end's confirmation is the facilitator's, and so is going on.
    key(&mut s, 'e');
    let asking = draw(&s);
    assert!(
        pane(&asking, "Facilitator only").contains("End the drill and write the report?"),
        "{asking}"
    );
    assert!(
        !pane(&asking, "Messages to participants").contains("End the drill"),
        "{asking}"
    );
    key(&mut s, 'n');
    assert_eq!(says(&s).as_deref(), Some("the drill goes on"));
    key(&mut s, 'e');
    key(&mut s, 'y');
    s.report_written("drill FAILED: report written to /tmp/r".into());
    key(&mut s, 'e');
    assert_eq!(
        says(&s).as_deref(),
        Some("the drill has ended (drill FAILED: report written to /tmp/r)")
    );
    let ended = draw(&s);
    assert!(
        pane(&ended, "Facilitator only").contains("report written to /tmp/r"),
        "{ended}"
    );
}

#[test]
fn a_facilitators_note_on_an_inject_never_reaches_the_participants() {
    let mut s = screen();
    key(&mut s, 's');
    let hand = s
        .drill()
        .scenario()
        .injects
        .iter()
        .position(|i| i.name == "region-returns")
        .unwrap();
    let note = s.drill().scenario().injects[hand]
        .facilitator_note
        .clone()
        .unwrap();
    assert!(note.contains("fire it"), "{note}");
    key(&mut s, 'i');
    for _ in 0..hand {
        s.key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    }
    s.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let shown = draw(&s);
    let participants = pane(&shown, "Messages to participants");
    assert!(participants.contains("us-east-1 has recovered"), "{shown}");
    assert!(!participants.contains("your call"), "{shown}");
    assert!(
        pane(&shown, "Injects").contains("↳ your call: fire it to rehearse"),
        "{shown}"
    );
    let report = s.report(EstateAtEnd::default()).to_markdown();
    assert!(!report.contains("your call"), "{report}");
}

/// The lines under the markdown heading `heading`, to the next heading.
fn section(md: &str, heading: &str) -> String {
    md.split(&format!("{heading}\n"))
        .nth(1)
        .map(|rest| {
            rest.lines()
                .take_while(|l| !l.starts_with('#'))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

#[test]
fn each_kind_of_note_lands_where_it_says_and_nowhere_else() {
    let mut s = screen();
    key(&mut s, 's');
    for text in [
        "strength: the fence went in first",
        "improve: the page came late",
        "finding: the lag graph was read aloud",
        "action: page the DB team sooner; owner: dana; due: 2026-03-01",
        "action: write the DNS runbook",
    ] {
        key(&mut s, 'a');
        for c in text.chars() {
            key(&mut s, c);
        }
        s.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    }
    let md = s.report(EstateAtEnd::default()).to_markdown();
    let strengths = section(&md, "### Strengths");
    let improve = section(&md, "### Areas for improvement");
    let actions = section(&md, "### Action items");
    assert!(strengths.contains("the fence went in first"), "{md}");
    assert!(!improve.contains("the fence went in first"), "{md}");
    assert!(!actions.contains("the fence went in first"), "{md}");
    assert!(improve.contains("the page came late"), "{md}");
    assert!(!strengths.contains("the page came late"), "{md}");
    assert!(!actions.contains("the page came late"), "{md}");
    // A finding is kept, but never guessed into either side.
    assert!(
        !strengths.contains("lag graph") && !improve.contains("lag graph"),
        "{md}"
    );
    assert!(
        section(&md, "## Findings (neither strength nor improvement)").contains("lag graph"),
        "{md}"
    );
    assert!(
        actions.contains("| page the DB team sooner | dana | 2026-03-01 | T+00:00 |"),
        "{actions}"
    );
    assert!(
        actions.contains("| write the DNS runbook | **unassigned** | **no date** | T+00:00 |"),
        "{actions}"
    );
    // The first page comes before the timeline; the dashboards after it.
    let (first, rest) = md.split_once("## Timeline").unwrap();
    assert!(
        first.contains("## Summary") && first.contains("### Objectives"),
        "{md}"
    );
    assert!(
        !first.contains("```text"),
        "no dashboard dump on the first page"
    );
    assert!(!rest.contains("### Strengths"));
}
