//! `App::update` driven by messages alone: keys, polls, ticks, replies.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::time::Duration;

use drconsole::app::{Effect, Mode, Msg};
use drconsole::config::layout::PanelKind;
use drconsole::domain::fault::Fault;
use drconsole::domain::observation::{Observation, PollReport};
use drconsole::domain::time::Timestamp;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use support::estate::app;

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}
fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}
fn typed(app: &mut drconsole::app::App, text: &str) -> Vec<Effect> {
    let mut out = Vec::new();
    for c in text.chars() {
        out.extend(app.update(key(c)));
    }
    out
}

#[test]
fn tab_cycles_focus_through_every_panel_both_ways() {
    let mut a = app("default", "dark", &[]);
    let panels = a.layout().panels();
    assert_eq!(a.focused_panel(), panels.first().copied());
    for _ in 0..panels.len() {
        a.update(code(KeyCode::Tab));
    }
    assert_eq!(
        a.focused_panel(),
        panels.first().copied(),
        "Tab wraps around"
    );
    a.update(code(KeyCode::BackTab));
    assert_eq!(a.focused_panel(), panels.last().copied());
}

#[test]
fn help_opens_and_escape_closes_it() {
    let mut a = app("default", "dark", &[]);
    a.update(key('?'));
    assert!(a.help());
    a.update(code(KeyCode::Esc));
    assert!(!a.help());
}

#[test]
fn command_line_asks_the_runtime_to_load_a_layout() {
    let mut a = app("default", "dark", &[]);
    a.update(key(':'));
    assert_eq!(a.mode(), Mode::Command);
    typed(&mut a, "layout compact");
    assert_eq!(
        a.update(code(KeyCode::Enter)),
        vec![Effect::LoadLayout("compact".into())]
    );
    assert_eq!(a.mode(), Mode::Normal);
}

#[test]
fn a_bad_command_explains_itself_and_changes_nothing() {
    let mut a = app("default", "dark", &[]);
    a.update(key(':'));
    typed(&mut a, "theme");
    assert!(a.update(code(KeyCode::Enter)).is_empty());
    assert_eq!(
        a.notice().as_ref().map(|n| n.text.as_str()),
        Some(":theme needs a theme name, e.g. :theme light")
    );
    assert_eq!(a.theme().name, "dark");
}

#[test]
fn failed_theme_load_keeps_the_current_theme() {
    let mut a = app("default", "dark", &[]);
    a.update(Msg::ThemeLoaded(Err("themes/x.toml:1:1: bad".into())));
    assert_eq!(a.theme().name, "dark");
    assert!(
        a.notice()
            .as_ref()
            .unwrap()
            .text
            .contains("themes/x.toml:1:1")
    );
}

#[test]
fn q_and_sigterm_quit() {
    let mut a = app("default", "dark", &[]);
    assert_eq!(a.update(key('q')), vec![Effect::Quit]);
    let mut b = app("default", "dark", &[]);
    assert_eq!(b.update(Msg::Terminate), vec![Effect::Quit]);
}

#[test]
fn filter_narrows_validators_live_and_escape_clears_it() {
    let mut a = app("default", "dark", &[]);
    assert_eq!(a.rows_in(PanelKind::Validators), 7);
    a.update(key('/'));
    typed(&mut a, "EU-WEST");
    assert_eq!(
        a.rows_in(PanelKind::Validators),
        2,
        "case-insensitive, applied while typing"
    );
    a.update(code(KeyCode::Enter));
    assert_eq!(a.filter(), "EU-WEST");
    a.update(key('/'));
    a.update(code(KeyCode::Esc));
    assert_eq!(a.rows_in(PanelKind::Validators), 7);
}

#[test]
fn selection_stays_within_the_list() {
    let mut a = app("default", "dark", &[]);
    a.update(key('/'));
    a.update(code(KeyCode::Enter));
    for _ in 0..20 {
        a.update(key('j'));
    }
    assert_eq!(a.selected(PanelKind::Validators), 6);
    a.update(key('g'));
    assert_eq!(a.selected(PanelKind::Validators), 0);
    a.update(key('k'));
    assert_eq!(a.selected(PanelKind::Validators), 0);
}

#[test]
fn freeze_holds_the_picture_and_resume_shows_the_latest() {
    let mut a = app("default", "dark", &[]);
    let before = a.view().clone();
    a.update(key('f'));
    assert!(a.frozen().is_some());
    let later = a.now().plus(Duration::from_secs(5));
    let report = PollReport {
        source: "simulator".into(),
        at: later,
        next_poll: later,
        observations: vec![Observation::ReplicationLag {
            region: "eu-west-1".into(),
            result: Ok(Duration::from_secs(299)),
        }],
    };
    a.update(Msg::Polled(report));
    assert_eq!(a.view(), &before, "frozen picture unchanged");
    a.update(key('f'));
    let lag = a
        .view()
        .region("eu-west-1")
        .unwrap()
        .lag
        .reading
        .as_ref()
        .unwrap()
        .value;
    assert_eq!(lag, Duration::from_secs(299));
}

#[test]
fn the_clock_never_runs_backwards() {
    let mut a = app("default", "dark", &[]);
    let now = a.now();
    a.update(Msg::Tick(Timestamp::from_secs(0)));
    assert_eq!(a.now(), now);
}

#[test]
fn expand_toggles_and_escape_returns() {
    let mut a = app("default", "dark", &[]);
    a.update(key('e'));
    assert!(a.expanded());
    a.update(code(KeyCode::Esc));
    assert!(!a.expanded());
}

#[test]
fn inject_goes_to_the_simulator() {
    let mut a = app("default", "dark", &[]);
    a.update(key(':'));
    typed(&mut a, "inject region-down eu-west-1");
    assert_eq!(
        a.update(code(KeyCode::Enter)),
        vec![Effect::InjectFault(Fault::RegionDown {
            region: "eu-west-1".into()
        })]
    );
}

#[test]
fn a_small_terminal_switches_to_the_small_layout_and_back() {
    let mut a =
        app("default", "dark", &[]).with_small_layout(drconsole::config::builtin_layout("compact"));
    a.update(Msg::Resize(120, 40));
    assert_eq!(a.layout_in_use().name, "default");
    a.update(code(KeyCode::Tab));
    assert_eq!(a.focused_panel(), Some(PanelKind::Chain));
    a.update(Msg::Resize(80, 24));
    assert_eq!(a.layout_in_use().name, "compact");
    assert_eq!(
        a.focused_panel(),
        Some(PanelKind::Chain),
        "focus follows the panel, not an index"
    );
    a.update(key('/'));
    a.update(code(KeyCode::Esc));
    assert!(
        a.layout_in_use()
            .panels()
            .contains(&a.focused_panel().unwrap()),
        "focus is always on a visible panel"
    );
    a.update(Msg::Resize(120, 40));
    assert_eq!(a.layout_in_use().name, "default");
}
