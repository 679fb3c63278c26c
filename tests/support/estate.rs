//! A simulated estate at a fixed virtual time, polled once: the fixture of
//! snapshot and update tests.

use std::time::Duration;

use drconsole::app::App;
use drconsole::config;
use drconsole::domain::estate::EstateSpec;
use drconsole::domain::fault::Fault;
use drconsole::domain::fleet::EstateView;
use drconsole::domain::time::Timestamp;
use drconsole::sources::sim::SimEstate;

/// 2026-11-26T03:00:00Z: every fixture starts here.
pub fn start() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-26T03:00:00Z").expect("valid")
}

/// The seed estate, faults injected at start, run for `minutes`, polled once.
pub fn view_after(minutes: u64, faults: &[&str]) -> (EstateView, Timestamp) {
    let mut sim = SimEstate::new(EstateSpec::seed(), 7, start());
    for f in faults {
        sim.inject(Fault::parse(f).expect("fault"))
            .expect("valid fault");
    }
    let now = start().plus(Duration::from_secs(minutes * 60));
    sim.advance_to(now);
    let view = drconsole::sources::sim_source::snapshot(&sim);
    (view, now)
}

/// A console over [`view_after`] with a built-in layout and theme.
pub fn app(layout: &str, theme: &str, faults: &[&str]) -> App {
    let (view, now) = view_after(10, faults);
    App::new(
        view,
        config::builtin_layout(layout).expect("layout"),
        config::builtin_theme(theme).expect("theme"),
        now,
    )
    .with_faults(
        faults
            .iter()
            .map(|f| Fault::parse(f).expect("fault").describe())
            .collect(),
    )
}

/// The seed estate, faults injected at start, watched by a console for
/// the last minute of `seconds` (one poll a second), so trends have their
/// history; `act` changes the estate (a failover step) before the watch.
pub fn view_watched(
    seconds: u64,
    faults: &[&str],
    act: impl FnOnce(&mut SimEstate),
) -> (EstateView, Timestamp) {
    let mut sim = SimEstate::new(EstateSpec::seed(), 7, start());
    for f in faults {
        sim.inject(Fault::parse(f).expect("fault"))
            .expect("valid fault");
    }
    act(&mut sim);
    let now = start().plus(Duration::from_secs(seconds));
    let view = drconsole::sources::sim_source::watched_until(&mut sim, now);
    (view, now)
}
