//! The lint `drconsole check` applies to runbooks, pinned exactly:
//! - the estate's upstream runbooks (byte-for-byte copies in
//!   `tests/fixtures/upstream/`) give the findings in
//!   `tests/fixtures/upstream.expected`: the real problems there;
//! - each rule has a small fixture `tests/runbook_lint/NAME.yaml` whose
//!   findings are `NAME.expected`, negatives included;
//! - the shipped runbooks check clean.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};

use drconsole::config::runbook::Severity;
use drconsole::config::{Finding, check_paths};

fn lines(paths: &[PathBuf]) -> Vec<String> {
    check_paths(paths).iter().map(ToString::to_string).collect()
}

fn expected(file: &Path) -> Vec<String> {
    fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn upstream_runbooks_report_their_real_problems() {
    let got = lines(&[PathBuf::from("tests/fixtures/upstream")]);
    let want = expected(Path::new("tests/fixtures/upstream.expected"));
    assert_eq!(got, want, "\ngot:\n{}", got.join("\n"));
    // The problems the issue names are among them, as errors.
    let findings = check_paths(&[PathBuf::from("tests/fixtures/upstream")]);
    let errors: Vec<&str> = findings
        .iter()
        .filter_map(|f| match f {
            Finding::Lint(l) if l.severity == Severity::Error => Some(l.rule),
            _ => None,
        })
        .collect();
    for rule in [
        "health-check-disabled",
        "unfenced-validators",
        "destructive-without-gate",
        "backup-freshness-impossible",
    ] {
        assert!(errors.contains(&rule), "{rule} missing from {errors:?}");
    }
    assert!(findings.iter().any(Finding::is_err));
}

#[test]
fn each_rule_fires_on_its_fixture_and_only_there() {
    let dir = Path::new("tests/runbook_lint");
    let mut stems: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    stems.sort();
    assert!(stems.len() >= 9, "{stems:?}");
    let mut failures = Vec::new();
    for stem in stems {
        let file = dir.join(format!("{stem}.yaml"));
        let got = lines(std::slice::from_ref(&file));
        let want = expected(&dir.join(format!("{stem}.expected")));
        if got != want {
            failures.push(format!("{stem}\n  want: {want:#?}\n  got:  {got:#?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn shipped_runbooks_check_clean() {
    let got = lines(&[PathBuf::from("runbooks")]);
    assert_eq!(
        got,
        [
            "ok runbooks/actions.yaml (actions)",
            "ok runbooks/chain-state-restore.yaml (runbook)",
            "ok runbooks/database-restore.yaml (runbook)",
            "ok runbooks/dr-validation.yaml (runbook)",
            "ok runbooks/drills/data-corruption.yaml (drill scenario)",
            "ok runbooks/drills/dns-failure.yaml (drill scenario)",
            "ok runbooks/drills/key-compromise.yaml (drill scenario)",
            "ok runbooks/drills/network-partition.yaml (drill scenario)",
            "ok runbooks/drills/region-failure.yaml (drill scenario)",
            "ok runbooks/drills/replication-failure.yaml (drill scenario)",
            "ok runbooks/regional-failover.yaml (runbook)",
            "ok runbooks/validator-key-restore.yaml (runbook)",
            "ok runbooks/validator-key-rotation.yaml (runbook)",
        ]
    );
}

#[test]
fn the_check_command_exits_1_on_upstream_and_0_on_shipped() {
    let bin = env!("CARGO_BIN_EXE_drconsole");
    let up = std::process::Command::new(bin)
        .args(["check", "tests/fixtures/upstream"])
        .output()
        .unwrap();
    assert_eq!(up.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&up.stderr);
    assert!(stderr.contains("[health-check-disabled]"), "{stderr}");
    let shipped = std::process::Command::new(bin)
        .args(["check", "runbooks"])
        .output()
        .unwrap();
    assert_eq!(
        shipped.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&shipped.stderr)
    );
}

#[test]
fn a_drill_that_restores_the_key_it_declares_compromised_is_an_error() {
    let got = lines(&[PathBuf::from(
        "tests/fixtures/wrong-runbook/drills/key-compromise-restored.scenario.yaml",
    )]);
    assert_eq!(
        got,
        [
            "tests/fixtures/wrong-runbook/drills/key-compromise-restored.scenario.yaml:29:11: error: runbook \
             ../../../../runbooks/validator-key-restore.yaml restores the key of us-east-1-val-0 \
             (step open_key_ceremony), which an inject of this drill declares compromised: the \
             attacker's copy would sign beside it; expect validator-key-rotation.yaml instead \
             [restores-compromised-key]"
        ]
    );
    // The shipped drill expects the rotation and checks clean.
    assert_eq!(
        lines(&[PathBuf::from("runbooks/drills/key-compromise.yaml")]),
        ["ok runbooks/drills/key-compromise.yaml (drill scenario)"]
    );
}
