//! insta snapshots of the dashboard over `TestBackend` at a fixed virtual
//! time. Text snapshots catch layout and wording; styled snapshots (the
//! buffer's Debug, which lists styles) catch theme regressions.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use drconsole::app::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::estate::app;

fn draw(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| drconsole::ui::render(f, app)).unwrap();
    t
}

#[test]
fn default_layout_120x40() {
    insta::assert_snapshot!(draw(&app("default", "dark", &[]), 120, 40).backend());
}

#[test]
fn compact_layout_80x24() {
    insta::assert_snapshot!(draw(&app("compact", "dark", &[]), 80, 24).backend());
}

#[test]
fn wall_layout_200x60() {
    insta::assert_snapshot!(draw(&app("wall", "dark", &[]), 200, 60).backend());
}

#[test]
fn primary_region_down_120x40() {
    let t = draw(&app("default", "dark", &["region-down us-east-1"]), 120, 40);
    let text = format!("{}", t.backend());
    assert!(text.contains("UNHEALTHY"));
    assert!(text.contains("HALTS THE CHAIN"));
    insta::assert_snapshot!(t.backend());
}

#[test]
fn primary_region_down_80x24() {
    insta::assert_snapshot!(
        draw(&app("compact", "dark", &["region-down us-east-1"]), 80, 24).backend()
    );
}

#[test]
fn each_theme_styles_the_dashboard() {
    for theme in ["dark", "light", "high-contrast"] {
        let t = draw(&app("compact", theme, &["region-down us-east-1"]), 80, 24);
        insta::assert_debug_snapshot!(format!("theme_{theme}"), t.backend().buffer());
    }
}

#[test]
fn too_small_terminal_explains_itself() {
    let t = draw(&app("default", "dark", &[]), 60, 20);
    let text = format!("{}", t.backend());
    assert!(text.contains("terminal too small"), "{text}");
    assert!(text.contains("80x24"), "{text}");
}
