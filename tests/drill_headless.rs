//! Headless drills: the shipped scenarios run against scripted teams at
//! accelerated time, to a report.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;

use drconsole::config::drill_file::load_scenario;
use drconsole::config::drill_script::load_script;
use drconsole::domain::drill::report::Report;
use drconsole::domain::estate::EstateSpec;
use drconsole::domain::time::Timestamp;
use drconsole::runtime::drill::HeadlessDrill;

fn run(scenario: &str, script: &str) -> Report {
    let spec = EstateSpec::seed();
    let path = Path::new(scenario);
    let scenario = load_scenario(path, &spec).unwrap();
    let script = load_script(Path::new(script), &scenario).unwrap();
    let dir = tempfile::tempdir().unwrap();
    HeadlessDrill {
        scenario,
        scenario_path: path,
        script,
        start: Timestamp::from_secs(1_790_000_000),
        spec,
        journal_dir: dir.path(),
    }
    .run()
    .unwrap()
}

#[test]
fn region_failure_with_a_steady_team() {
    let report = run(
        "runbooks/drills/region-failure.yaml",
        "tests/fixtures/drills/region-failure-steady.yaml",
    );
    println!("{}", report.to_markdown());
    println!("{}", report.to_json().unwrap());
}
