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
    assert!(text.contains("CHAIN HALTED"), "the halt is the headline");
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

#[test]
fn a_failing_source_is_never_pushed_off_a_short_sources_panel() {
    use drconsole::domain::observation::{Observation, PollReport};
    let mut a = app("default", "dark", &[]);
    let now = a.now();
    let mut report = |name: &str, result: Result<std::time::Duration, String>| {
        a.update(drconsole::app::Msg::Polled(PollReport {
            source: name.to_owned(),
            at: now,
            next_poll: now.plus(std::time::Duration::from_secs(30)),
            observations: vec![Observation::ReplicationLag {
                region: "eu-west-1".into(),
                result,
            }],
        }));
    };
    for i in 0..12 {
        report(
            &format!("cloudwatch region-{i:02}"),
            Ok(std::time::Duration::from_secs(1)),
        );
    }
    report("zz-s3 eu-west-1", Err("AccessDenied: nope".into()));
    let t = draw(&a, 120, 40);
    let text = format!("{}", t.backend());
    assert!(text.contains("✗ zz-s3 eu-west-1"), "{text}");
    assert!(
        text.contains("more (") && text.contains("ok) · e expands"),
        "{text}"
    );
}

/// The seed estate after this console rotated us-east-1-val-0's key, the
/// new node caught up and signing; the default layout.
fn rotated_app() -> (
    drconsole::domain::fleet::EstateView,
    drconsole::domain::time::Timestamp,
) {
    support::estate::view_watched(400, &[], |sim| {
        sim.set_validator_running("us-east-1-val-0", false).unwrap();
        sim.start_new_key_node("us-east-1-val-0").unwrap();
        sim.rotate_validator_key("us-east-1-val-0").unwrap();
    })
}

fn app_of(
    view: drconsole::domain::fleet::EstateView,
    now: drconsole::domain::time::Timestamp,
) -> App {
    App::new(
        view,
        drconsole::config::builtin_layout("default").unwrap(),
        drconsole::config::builtin_theme("dark").unwrap(),
        now,
    )
}

#[test]
fn a_rotated_validator_keeps_its_name_with_a_note_until_the_file_maps_it() {
    let (view, now) = rotated_app();
    let r = view.rotations[0].clone();
    let t = draw(&app_of(view.clone(), now), 200, 48);
    let screen = format!("{}", t.backend());
    let row = screen
        .lines()
        .find(|l| l.contains("us-east-1-val-0 "))
        .unwrap_or_else(|| panic!("no row for the validator:\n{screen}"));
    assert!(row.contains("us-east-1"), "{row}");
    assert!(
        row.contains(&format!("↻ rotated at height {}", r.height.unwrap())),
        "{row}"
    );
    assert!(!screen.contains("unmapped"), "{screen}");
    assert!(!screen.contains("in no region"), "{screen}");
    assert!(
        !screen.contains("not in the chain's validator set"),
        "{screen}"
    );
    insta::assert_snapshot!(t.backend());
    // Once the environment file maps the new address, the note goes.
    let mut mapped = view;
    for v in &mut mapped.spec.validators {
        if v.name == "us-east-1-val-0" {
            v.address.clone_from(&r.new_address);
        }
    }
    let screen = format!("{}", draw(&app_of(mapped, now), 200, 48).backend());
    assert!(!screen.contains("rotated at height"), "{screen}");
    assert!(
        screen
            .lines()
            .any(|l| l.contains(&r.new_address[..8]) && l.contains("us-east-1-val-0 ")),
        "{screen}"
    );
}
