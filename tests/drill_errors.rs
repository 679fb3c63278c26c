//! Every load error a drill scenario or script can produce, pinned exactly.
//!
//! `tests/drill_errors/drills/NAME.yaml` is an invalid scenario and
//! `NAME.expected` beside it the one line `drconsole check` must print for
//! it (file:line:col: message). `tests/drill_errors/scripts/` holds invalid
//! scripts for the region-failure scenario, with the line `drconsole drill
//! --script` must fail with. To add a case, add both files; the test fails
//! if either lacks the other. `DRCONSOLE_BLESS=1` writes missing
//! `.expected` files (review them before committing).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::path::{Path, PathBuf};

use drconsole::config::check_paths;
use drconsole::config::drill_file::load_scenario;
use drconsole::config::drill_script::load_script;
use drconsole::domain::estate::EstateSpec;
use support::pinned::{check_message, pin};

#[test]
fn every_invalid_scenario_gives_its_expected_message_from_check() {
    pin("tests/drill_errors/drills", "yaml", 12, check_message);
}

#[test]
fn every_invalid_script_gives_its_expected_message() {
    let spec = EstateSpec::seed();
    let scenario = load_scenario(Path::new("runbooks/drills/region-failure.yaml"), &spec).unwrap();
    pin(
        "tests/drill_errors/scripts",
        "yaml",
        6,
        |file| match load_script(file, &scenario) {
            Ok(_) => format!("{} did not fail to load", file.display()),
            Err(e) => e.to_string(),
        },
    );
}

#[test]
fn shipped_scenarios_check_clean_as_drill_scenarios() {
    let findings = check_paths(&[PathBuf::from("runbooks")]);
    let scenarios: Vec<String> = findings
        .iter()
        .map(ToString::to_string)
        .filter(|l| l.contains("drills/"))
        .collect();
    assert!(findings.iter().all(|f| !f.is_err()), "{findings:#?}");
    assert_eq!(scenarios.len(), 6, "{scenarios:#?}");
    for line in &scenarios {
        assert!(
            line.starts_with("ok runbooks/drills/") && line.ends_with(".yaml (drill scenario)"),
            "{line}"
        );
    }
}
