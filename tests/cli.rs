//! The binary's non-interactive commands: `status --json` and `check`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::process::{Command, Output};

fn drconsole(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run drconsole")
}

fn status(extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["status", "--json", "--start", "2026-11-26T03:00:00Z"];
    args.extend_from_slice(extra);
    let out = drconsole(&args);
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), json)
}

#[test]
fn healthy_simulated_estate_exits_zero_with_the_documented_fields() {
    let (code, j) = status(&[]);
    assert_eq!(code, 0, "{j:#}");
    assert_eq!(j["environment"], "sim");
    assert_eq!(j["simulated"], true);
    let regions = j["regions"].as_array().unwrap();
    assert_eq!(regions.len(), 3);
    for r in regions {
        for field in [
            "name",
            "role",
            "health",
            "health_age_s",
            "replication_lag_s",
            "backups",
            "nodes",
        ] {
            assert!(r.get(field).is_some(), "region lacks {field}: {r}");
        }
        assert_eq!(r["health"], "healthy");
        assert_eq!(r["backups"].as_array().unwrap().len(), 3);
    }
    let validators = j["chain"]["validators"].as_array().unwrap();
    assert_eq!(validators.len(), 7);
    assert!(
        validators
            .iter()
            .all(|v| v["address"].as_str().unwrap().len() == 40 && v["voting_power"] == 10)
    );
    let use1 = &j["region_loss"][0];
    assert_eq!(use1["regions"], serde_json::json!(["us-east-1"]));
    assert_eq!(
        use1["halts"], true,
        "3 of 7 equal validators lost halts the chain"
    );
    assert_eq!(j["region_loss"][1]["halts"], false);
    assert_eq!(j["breaches"], serde_json::json!([]));
}

#[test]
fn a_region_down_is_a_breach_and_exits_one() {
    let (code, j) = status(&["--inject", "region-down us-east-1", "--after", "2m"]);
    assert_eq!(code, 1);
    assert_eq!(j["regions"][0]["health"], "unhealthy");
    let kinds: Vec<&str> = j["breaches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"region_unhealthy"), "{kinds:?}");
    assert!(
        kinds.contains(&"chain_halted"),
        "us-east-1 holds 3/7: blocks stop: {kinds:?}"
    );
}

#[test]
fn replication_lag_over_the_rpo_is_a_breach() {
    let (code, j) = status(&["--inject", "replication-stall eu-west-1", "--after", "6m"]);
    assert_eq!(code, 1);
    assert!(j["regions"][1]["replication_lag_s"].as_f64().unwrap() > 300.0);
    assert_eq!(j["breaches"][0]["kind"], "rpo");
}

#[test]
fn a_bad_fault_exits_two_with_a_clear_message() {
    let out = drconsole(&["status", "--json", "--inject", "region-down mars-1"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown region 'mars-1'") && err.contains("us-east-1"),
        "{err}"
    );
}

#[test]
fn check_passes_the_shipped_files_and_fails_a_bad_one_with_its_location() {
    let ok = drconsole(&["check", "layouts", "themes"]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("ok layouts/default.toml (layout)"));

    let bad = drconsole(&[
        "check",
        "layouts",
        "tests/config_errors/layouts/unknown_panel.toml",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    let expected = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/config_errors/layouts/unknown_panel.expected"
    ))
    .unwrap();
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains(expected.trim()),
        "stderr: {}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[test]
fn an_unknown_layout_stops_the_console_before_it_takes_the_terminal() {
    let out = drconsole(&["--layout", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nope") && err.contains("default"),
        "names the layouts there are: {err}"
    );
}

#[test]
fn journal_verify_and_show_name_what_is_wrong_and_where() {
    use drconsole::domain::time::Timestamp;
    use drconsole::runtime::journal_file::JournalWriter;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.jsonl");
    let mut w = JournalWriter::create(&path, "failover-1").unwrap();
    for (i, step) in (0_i64..).zip(["pre_checks", "pause_traffic", "promote_database"]) {
        w.append(
            Timestamp::from_secs(1_800_000_000 + i),
            "step_passed",
            serde_json::json!({ "step": step }),
        )
        .unwrap();
    }
    drop(w);
    let p = path.to_str().unwrap();
    let ok = drconsole(&["journal", "verify", p]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let show = drconsole(&["journal", "show", p]);
    let listing = String::from_utf8_lossy(&show.stdout);
    assert!(
        listing.contains("promote_database") && listing.contains("failover-1"),
        "{listing}"
    );

    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("pause_traffic", "pause_trafficX");
    std::fs::write(&path, text).unwrap();
    let bad = drconsole(&["journal", "verify", p]);
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("line 2") && err.contains("edited"), "{err}");
    let show = drconsole(&["journal", "show", p]);
    assert_eq!(
        show.status.code(),
        Some(1),
        "a tampered journal is never shown as fact"
    );
}
