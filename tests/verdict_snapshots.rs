//! insta snapshots of the dashboard in the situations an incident is made
//! of, each watched by a console for a minute first: a healthy estate (its
//! standing risk AT RISK, not red), one validator offline, a region down
//! at +10 s and +30 s, a rising lag, a chain split, and after a failover.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use drconsole::app::App;
use drconsole::config;
use drconsole::domain::fleet::EstateView;
use drconsole::domain::observation::{EndpointHead, Observation, PollReport};
use drconsole::domain::time::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::estate::view_watched;

fn screen(view: EstateView, now: Timestamp) -> String {
    let app = App::new(
        view,
        config::builtin_layout("default").unwrap(),
        config::builtin_theme("dark").unwrap(),
        now,
    );
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    t.draw(|f| drconsole::ui::render(f, &app)).unwrap();
    format!("{}", t.backend())
}

fn header(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

#[test]
fn healthy_shows_the_standing_risk_as_at_risk_not_red() {
    let (view, now) = view_watched(600, &[], |_| {});
    let text = screen(view, now);
    assert!(header(&text).contains("✓ ALL TARGETS HOLD"), "{text}");
    assert!(header(&text).contains("◆ AT RISK"), "{text}");
    assert!(!text.contains('✗'), "no red on a healthy estate:\n{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn one_validator_offline() {
    let (view, now) = view_watched(60, &["validator-offline eu-west-1-val-0"], |_| {});
    let text = screen(view, now);
    assert!(header(&text).contains("NEAR HALT"), "{}", header(&text));
    assert!(
        text.contains("losing ap-southeast-1 now HALTS THE CHAIN"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn region_down_at_10_and_30_seconds() {
    let (view, now) = view_watched(10, &["region-down us-east-1"], |_| {});
    let early = screen(view, now);
    assert!(
        header(&early).contains("US-EAST-1 DOWN"),
        "{}",
        header(&early)
    );
    insta::assert_snapshot!("region_down_plus_10s", early);
    let (view, now) = view_watched(30, &["region-down us-east-1"], |_| {});
    let late = screen(view, now);
    assert!(header(&late).contains("CHAIN HALTED"), "{}", header(&late));
    assert!(
        !late.contains("✓ SIGNING"),
        "old signatures are stale:\n{late}"
    );
    insta::assert_snapshot!("region_down_plus_30s", late);
}

#[test]
fn a_rising_lag_says_when_it_breaches() {
    let (view, now) = view_watched(60, &["lag-growth eu-west-1 2s"], |_| {});
    let text = screen(view, now);
    assert!(text.contains("! RISING"), "{text}");
    assert!(text.contains("eu-west-1 hits RPO in 1m"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_chain_split_is_the_first_thing_in_the_header() {
    let (mut view, now) = view_watched(60, &[], |_| {});
    let height = view.chain.reading.as_ref().unwrap().value.height;
    let mut chain = view.chain.reading.as_ref().unwrap().value.clone();
    chain.heads = vec![EndpointHead {
        endpoint: "rpc-0.ap-southeast-1".into(),
        region: "ap-southeast-1".into(),
        validator: None,
        chain_id: chain.chain_id.clone(),
        height,
        block_hash: "F0".repeat(32),
    }];
    view.apply(&PollReport {
        source: "CometBFT ap-southeast-1".into(),
        at: now,
        next_poll: now,
        observations: vec![Observation::Chain { result: Ok(chain) }],
    });
    let text = screen(view, now);
    assert!(header(&text).contains("✗ CHAIN SPLIT"), "{}", header(&text));
    insta::assert_snapshot!(text);
}

#[test]
fn after_a_practice_failover() {
    let (view, now) = view_watched(600, &["region-down us-east-1"], |sim| {
        sim.promote_database("eu-west-1").unwrap();
        sim.set_traffic("us-east-1", false).unwrap();
        sim.start_standby_validators("us-east-1", "eu-west-1")
            .unwrap();
    });
    let text = screen(view, now);
    assert!(text.contains("eu-west-1      primary"), "{text}");
    assert!(text.contains("losing eu-west-1 alone halts"), "{text}");
    insta::assert_snapshot!(text);
}
