//! Drill figures from issue 6: a 30-minute scenario run headless (the
//! region-failure drill with the steady team, ended by its script at 30m)
//! must take under 2 s of wall time.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use drconsole::config::drill_file::load_scenario;
use drconsole::config::drill_script::load_script;
use drconsole::domain::estate::EstateSpec;
use drconsole::domain::time::Timestamp;
use drconsole::runtime::drill::HeadlessDrill;

fn headless(c: &mut Criterion) {
    let spec = EstateSpec::seed();
    let path = Path::new("runbooks/drills/region-failure.yaml");
    let scenario = load_scenario(path, &spec).unwrap();
    let script = load_script(
        Path::new("tests/fixtures/drills/region-failure-steady.yaml"),
        &scenario,
    )
    .unwrap();
    assert_eq!(script.end, Some(Duration::from_mins(30)));
    let mut group = c.benchmark_group("drill");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("region-failure, 30 simulated minutes, headless", |b| {
        b.iter(|| {
            // Each run writes fresh journals.
            let dir = tempfile::tempdir().unwrap();
            let report = HeadlessDrill {
                scenario: scenario.clone(),
                scenario_path: path,
                script: script.clone(),
                start: Timestamp::from_secs(1_790_000_000),
                spec: spec.clone(),
                journal_dir: dir.path(),
            }
            .run()
            .unwrap();
            assert!(report.passed());
            assert_eq!(report.duration_seconds, 1800);
        });
    });
    group.finish();
}

criterion_group!(benches, headless);
criterion_main!(benches);
