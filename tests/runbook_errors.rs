//! Every load error a runbook can produce, pinned exactly:
//! `tests/runbook_errors/NAME.yaml` is an invalid runbook and `NAME.expected`
//! the one line `drconsole check` must print for it (file:line:col: message).
//!
//! To add a case, add both files; the test fails if either lacks the other.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};

use drconsole::config::{Finding, check_paths};

const CASES: &str = "tests/runbook_errors";

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
fn every_invalid_runbook_gives_its_expected_message() {
    let dir = Path::new(CASES);
    let yamls = stems(dir, "yaml");
    assert_eq!(
        yamls,
        stems(dir, "expected"),
        "every .yaml needs a .expected and vice versa"
    );
    let mut failures = Vec::new();
    for stem in &yamls {
        let file = PathBuf::from(format!("{CASES}/{stem}.yaml"));
        let want = fs::read_to_string(dir.join(format!("{stem}.expected"))).unwrap();
        let findings = check_paths(std::slice::from_ref(&file));
        assert_eq!(findings.len(), 1, "{}: {findings:#?}", file.display());
        let got = match &findings[0] {
            Finding::Err(e) => e.to_string(),
            other => format!("{} did not fail to load: {other}", file.display()),
        };
        if got != want.trim_end() {
            failures.push(format!(
                "{}\n  want: {}\n  got:  {got}",
                file.display(),
                want.trim_end()
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert!(yamls.len() >= 25, "only {} cases found", yamls.len());
}
