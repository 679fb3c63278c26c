//! Every error message a layout, theme or environment file can produce,
//! pinned exactly: `tests/config_errors/{layouts,themes,environments}/NAME.toml`
//! is an invalid file and `NAME.expected` the one line `drconsole check` must
//! print for it. Files under `environments/` are environment files because
//! any `.toml` outside `layouts/` and `themes/` is one.
//!
//! To add a case, add both files; the test fails if either lacks the other.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};

use drconsole::config::{Finding, check_paths, load_environment};
use drconsole::domain::estate::EstateSpec;

const CASES: &str = "tests/config_errors";

/// The case files in `dir` with extension `ext`, by stem, sorted.
fn stems(dir: &Path, ext: &str) -> Vec<String> {
    let mut out: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

#[test]
fn every_invalid_file_gives_its_expected_message() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for kind in ["layouts", "themes", "environments"] {
        let dir = Path::new(CASES).join(kind);
        let tomls = stems(&dir, "toml");
        let expected = stems(&dir, "expected");
        assert_eq!(
            tomls, expected,
            "{kind}: every .toml needs a .expected and vice versa"
        );
        for stem in tomls {
            let file = PathBuf::from(format!("{CASES}/{kind}/{stem}.toml"));
            let want = fs::read_to_string(dir.join(format!("{stem}.expected"))).unwrap();
            let findings = check_paths(std::slice::from_ref(&file));
            assert_eq!(findings.len(), 1, "{}", file.display());
            let got = match &findings[0] {
                Finding::Err(e) => e.to_string(),
                Finding::Ok(..) | Finding::Lint(_) => {
                    format!("{} unexpectedly checked clean", file.display())
                }
            };
            if got != want.trim_end() {
                failures.push(format!(
                    "{}\n  want: {}\n  got:  {got}",
                    file.display(),
                    want.trim_end()
                ));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert!(checked >= 60, "only {checked} cases found");
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
