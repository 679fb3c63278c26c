//! Every error message a layout, theme or environment file can produce,
//! pinned exactly: `tests/config_errors/{layouts,themes,environments}/NAME.toml`
//! is an invalid file and `NAME.expected` the one line `drconsole check` must
//! print for it. Files under `environments/` are environment files because
//! any `.toml` outside `layouts/` and `themes/` is one.
//!
//! To add a case, add both files; the test fails if either lacks the other.
#![allow(clippy::unwrap_used, missing_docs)]

mod support;

use std::path::PathBuf;

use drconsole::config::{Finding, check_paths, load_environment};
use drconsole::domain::estate::EstateSpec;
use support::pinned::{check_message, pin};

const CASES: &str = "tests/config_errors";

#[test]
fn every_invalid_file_gives_its_expected_message() {
    pin(&format!("{CASES}/layouts"), "toml", 10, check_message);
    pin(&format!("{CASES}/themes"), "toml", 10, check_message);
    pin(&format!("{CASES}/environments"), "toml", 40, check_message);
}

#[test]
fn shipped_layouts_and_themes_check_clean() {
    let findings = check_paths(&[PathBuf::from("layouts"), PathBuf::from("themes")]);
    let lines: Vec<String> = findings.iter().map(ToString::to_string).collect();
    assert!(findings.iter().all(|f| !f.is_err()), "{lines:#?}");
    assert_eq!(
        lines,
        [
            "ok layouts/compact.toml (layout)",
            "ok layouts/default.toml (layout)",
            "ok layouts/wall.toml (layout)",
            "ok themes/dark.toml (theme)",
            "ok themes/high-contrast.toml (theme)",
            "ok themes/light.toml (theme)",
        ]
    );
}

#[test]
fn checking_the_case_directory_reports_every_case_as_an_error() {
    let findings = check_paths(&[PathBuf::from(CASES)]);
    assert!(!findings.is_empty());
    assert!(findings.iter().all(Finding::is_err));
}

#[test]
fn each_error_line_says_which_kind_the_file_was_checked_as() {
    let lines: Vec<String> = check_paths(&[
        PathBuf::from(CASES).join("layouts/bad_size.toml"),
        PathBuf::from("tests/runbook_errors/single_quotes_in_verify.yaml"),
    ])
    .iter()
    .map(ToString::to_string)
    .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].ends_with(" (checked as a layout)"), "{lines:?}");
    assert!(lines[1].ends_with(" (checked as a runbook)"), "{lines:?}");
}

#[test]
fn the_moto_fixture_checks_clean_and_points_at_localhost() {
    let file = PathBuf::from("tests/fixtures/env/moto.toml");
    let findings = check_paths(std::slice::from_ref(&file));
    let lines: Vec<String> = findings.iter().map(ToString::to_string).collect();
    assert_eq!(lines, ["ok tests/fixtures/env/moto.toml (environment)"]);

    let env = load_environment(&file).unwrap();
    assert_eq!(
        env.aws.endpoint_url.as_deref(),
        Some("http://127.0.0.1:5000")
    );
    assert!(
        env.regions
            .iter()
            .all(|r| { r.rpc.iter().all(|u| u.starts_with("http://127.0.0.1:")) })
    );
    assert_eq!(env.spec.validators.len(), 7);
    assert_eq!(env.spec.backups, EstateSpec::seed().backups);
    // Spelled-out and defaulted regions end up alike.
    let (spelled, defaulted) = (
        env.region("ap-southeast-1").unwrap(),
        env.region("eu-west-1").unwrap(),
    );
    assert_eq!(spelled.backups.len(), defaulted.backups.len());
    assert_eq!(spelled.metrics.len(), defaulted.metrics.len() + 1);
}
