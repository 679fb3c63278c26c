//! Every error message a layout or theme file can produce, pinned exactly:
//! `tests/config_errors/{layouts,themes}/NAME.toml` is an invalid file and
//! `NAME.expected` the one line `drconsole check` must print for it.
//!
//! To add a case, add both files; the test fails if either lacks the other.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};

use drconsole::config::{Finding, check_paths};

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
    for kind in ["layouts", "themes"] {
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
                Finding::Ok(..) => format!("{} unexpectedly checked clean", file.display()),
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
    assert!(checked >= 20, "only {checked} cases found");
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
