//! Rendering cost of the whole dashboard, and the simulator's speed.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use drconsole::app::App;
use drconsole::config;
use drconsole::domain::estate::EstateSpec;
use drconsole::domain::time::Timestamp;
use drconsole::sources::sim::SimEstate;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn start() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-26T03:00:00Z").unwrap()
}

fn app_with_validators(n: usize) -> App {
    let mut sim = SimEstate::new(EstateSpec::seed_with_validators(n), 1, start());
    let now = start().plus(Duration::from_mins(10));
    sim.advance_to(now);
    let view = drconsole::sources::sim_source::snapshot(&sim);
    App::new(
        view,
        config::builtin_layout("wall").unwrap(),
        config::builtin_theme("dark").unwrap(),
        now,
    )
}

fn render(c: &mut Criterion) {
    let app = app_with_validators(200);
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    c.bench_function("render dashboard 200x60, 200 validators", |b| {
        b.iter(|| {
            terminal.draw(|f| drconsole::ui::render(f, &app)).unwrap();
        });
    });
}

fn simulate(c: &mut Criterion) {
    c.bench_function("simulate 30 min of the seed estate", |b| {
        b.iter(|| {
            let mut sim = SimEstate::new(EstateSpec::seed(), 1, start());
            sim.advance_to(start().plus(Duration::from_mins(30)));
            sim.observe()
        });
    });
}

criterion_group!(benches, render, simulate);
criterion_main!(benches);
