//! Headless drills: every shipped scenario against a steady team (passes
//! every criterion) and a slow one (misses the RTO), the report's fields,
//! golden reports, the CLI end to end, and pause/speed on the virtual clock.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use drconsole::config::drill_file::load_scenario;
use drconsole::config::drill_script::load_script;
use drconsole::domain::drill::report::{Report, Status};
use drconsole::domain::drill::timeline::{Drill, DrillCommand, DrillEvent, Phase};
use drconsole::domain::estate::EstateSpec;
use drconsole::domain::time::Timestamp;
use drconsole::runtime::drill::HeadlessDrill;
use drconsole::sources::clock::{Clock, VirtualClock};

/// Every scenario shipped in runbooks/drills/, by id.
const SCENARIOS: [&str; 6] = [
    "data-corruption",
    "dns-failure",
    "key-compromise",
    "network-partition",
    "region-failure",
    "replication-failure",
];

/// Scenarios a slow team fails on the RTO: all of them.
const SLOW: [&str; 6] = SCENARIOS;

/// The CLI's default simulated start (`drill_cmd::HEADLESS_START`).
const START: &str = "2026-01-05T03:00:00Z";

fn scenario_path(id: &str) -> PathBuf {
    PathBuf::from(format!("runbooks/drills/{id}.yaml"))
}

fn script_path(id: &str, team: &str) -> PathBuf {
    PathBuf::from(format!("tests/fixtures/drills/{id}-{team}.yaml"))
}

fn run(id: &str, team: &str) -> Report {
    let dir = tempfile::tempdir().unwrap();
    run_in(&scenario_path(id), &script_path(id, team), dir.path())
}

/// A headless drill of the scenario and script at these paths, its
/// journals written into `journal_dir`.
fn run_in(scenario: &Path, script: &Path, journal_dir: &Path) -> Report {
    let spec = EstateSpec::seed();
    let loaded = load_scenario(scenario, &spec).unwrap_or_else(|e| panic!("{e}"));
    let script = load_script(script, &loaded).unwrap_or_else(|e| panic!("{e}"));
    HeadlessDrill {
        scenario: loaded,
        scenario_path: scenario,
        script,
        start: Timestamp::parse_rfc3339(START).unwrap(),
        spec,
        journal_dir,
    }
    .run()
    .unwrap()
}

fn test_status(report: &Report, name: &str) -> Status {
    report
        .tests
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| {
            panic!(
                "{}: no test {name}: {:#?}",
                report.scenario_id, report.tests
            )
        })
        .status
}

#[test]
fn every_scenario_ships_a_steady_and_a_slow_script() {
    let mut shipped: Vec<String> = std::fs::read_dir("runbooks/drills")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    shipped.sort();
    assert_eq!(
        shipped, SCENARIOS,
        "a new scenario needs scripts and a line here"
    );
    for id in SCENARIOS {
        assert!(script_path(id, "steady").exists(), "{id}: no steady script");
        assert_eq!(
            script_path(id, "slow").exists(),
            SLOW.contains(&id),
            "{id}: slow script"
        );
    }
}

#[test]
fn every_scenario_passes_with_a_steady_team() {
    for id in SCENARIOS {
        let r = run(id, "steady");
        let failed: Vec<_> = r
            .tests
            .iter()
            .filter(|t| t.status == Status::Failed)
            .collect();
        assert!(r.passed(), "{id}: {failed:#?}\n{}", r.to_markdown());
        assert_eq!(r.summary.failed, 0, "{id}");
        assert_eq!(r.summary.passed, r.summary.total, "{id}");
        assert!(
            r.summary.total >= 3,
            "{id}: only {} criteria",
            r.summary.total
        );
        let rto = r.rto_achieved_seconds.expect("service restored");
        assert!(rto <= r.rto_target_seconds, "{id}: RTO {rto}s");
        assert!(r.rpo_achieved_seconds <= r.rpo_target_seconds, "{id}: RPO");
    }
}

#[test]
fn every_scenario_fails_the_rto_with_a_slow_team() {
    for id in SLOW {
        let r = run(id, "slow");
        assert!(!r.passed(), "{id}: a slow team passed\n{}", r.to_markdown());
        assert_eq!(
            test_status(&r, "rto_within_target"),
            Status::Failed,
            "{id}: {:#?}",
            r.tests
        );
        assert!(
            r.rto_achieved_seconds
                .is_none_or(|s| s > r.rto_target_seconds),
            "{id}: RTO {:?} within {}",
            r.rto_achieved_seconds,
            r.rto_target_seconds
        );
        let md = r.to_markdown();
        assert!(
            md.contains("rto_within_target"),
            "{id}: report names the criterion\n{md}"
        );
    }
}

#[test]
fn a_false_health_check_alarm_is_not_an_outage_but_the_real_one_is() {
    let r = run("dns-failure", "steady");
    assert!(r.passed(), "{}", r.to_markdown());
    let md = r.to_markdown();
    // The false alarm at 2m does not start the RTO clock; the real outage at 10m does.
    let rto = r.rto_achieved_seconds.unwrap();
    assert!(
        rto > 0 && rto <= 900,
        "RTO {rto}s counts from the real outage"
    );
    assert!(
        md.contains("inject checks-fail")
            && !md.contains("checks-fail: fault: health-check-failure eu-west-1 [disruptive]")
    );
    assert_eq!(
        test_status(&r, "database_primary_ap-southeast-1"),
        Status::Passed
    );
}

#[test]
fn report_json_carries_the_dr_test_fields_and_the_score() {
    let r = run("region-failure", "steady");
    let v: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    assert_eq!(v["timestamp"], START);
    assert_eq!(v["environment"], "simulated");
    // The script ends the drill at 30m.
    assert_eq!(v["duration_seconds"], 1800);
    let tests = v["tests"].as_array().unwrap();
    let names: Vec<&str> = tests.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "service_restored",
            "rto_within_target",
            "rpo_within_target",
            "no_double_sign",
            "database_primary_eu-west-1",
            "runbook_completed_regional-failover.yaml"
        ]
    );
    assert!(tests.iter().all(|t| t["status"] == "passed"), "{tests:#?}");
    assert_eq!(v["summary"]["total"], 6);
    assert_eq!(v["summary"]["passed"], 6);
    assert_eq!(v["summary"]["failed"], 0);
    assert_eq!(v["rto_target_seconds"], 900);
    assert_eq!(v["rpo_target_seconds"], 300);
    let rto = v["rto_achieved_seconds"].as_u64().unwrap();
    // Disrupted at 2m; the team starts at 5m: restored between.
    assert!((180..=900).contains(&rto), "RTO {rto}");
    // The promotion of eu-west-1 lost its replication lag: some seconds.
    let rpo = v["rpo_achieved_seconds"].as_u64().unwrap();
    assert!(rpo <= 300, "RPO {rpo}");
    assert!(!r.gates.is_empty() && !r.steps.is_empty());
    assert!(
        r.annotations
            .iter()
            .any(|a| a.text == "fail over to eu-west-1"),
        "{:#?}",
        r.annotations
    );
}

#[test]
fn a_chain_state_restore_scores_the_snapshot_age_as_rpo() {
    let r = run("data-corruption", "steady");
    // Snapshots every 4 h: the newest is minutes to 4h12m old, never nothing.
    let rpo = r.rpo_achieved_seconds;
    assert!(rpo > 0 && rpo <= 4 * 3600 + 12 * 60 + 45 * 60, "RPO {rpo}s");
    assert!(
        r.steps
            .iter()
            .any(|s| s.step == "restore_data" && s.outcome == "passed"),
        "{:#?}",
        r.steps
    );
}

#[test]
fn the_same_scenario_seed_and_script_give_the_same_report() {
    let a = run("replication-failure", "steady");
    let b = run("replication-failure", "steady");
    assert_eq!(a.to_json().unwrap(), b.to_json().unwrap());
    assert_eq!(a.to_markdown(), b.to_markdown());
}

// ---- golden files, through the CLI as users get them ----

fn drconsole() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_drconsole"));
    c.env("NO_COLOR", "1").env_remove("DRCONSOLE_ENV");
    c
}

fn drill_cli(id: &str, team: &str, dir: &Path) -> std::process::Output {
    drconsole()
        .arg("drill")
        .arg(scenario_path(id))
        .arg("--script")
        .arg(script_path(id, team))
        .arg("--report")
        .arg(dir)
        .output()
        .unwrap()
}

#[test]
fn golden_reports_are_byte_identical() {
    let bless = std::env::var_os("DRCONSOLE_BLESS").is_some();
    for id in ["region-failure", "data-corruption"] {
        let dir = tempfile::tempdir().unwrap();
        let out = drill_cli(id, "steady", dir.path());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let golden = Path::new("tests/fixtures/drills/golden").join(id);
        for file in ["report.json", "report.md"] {
            let got = std::fs::read(dir.path().join(file)).unwrap();
            let want_path = golden.join(file);
            if bless {
                std::fs::create_dir_all(&golden).unwrap();
                std::fs::write(&want_path, &got).unwrap();
                continue;
            }
            let want = std::fs::read(&want_path).unwrap_or_else(|e| {
                panic!(
                    "{}: {e}; write it with DRCONSOLE_BLESS=1 and review it",
                    want_path.display()
                )
            });
            assert!(
                got == want,
                "{} differs from the golden file; if the change is intended, \
                 rerun with DRCONSOLE_BLESS=1 and review the diff\n--- got ---\n{}",
                want_path.display(),
                String::from_utf8_lossy(&got)
            );
        }
    }
}

#[test]
fn cli_drill_exits_0_and_writes_the_report_for_a_steady_team() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("nested/out");
    let out = drill_cli("network-partition", "steady", &report);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("drill network-partition: PASSED"),
        "{stdout}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["scenario_id"], "network-partition");
    assert_eq!(json["summary"]["failed"], 0);
    let md = std::fs::read_to_string(report.join("report.md")).unwrap();
    assert!(md.contains("Multi-region network partition"), "{md}");
}

#[test]
fn cli_drill_exits_1_for_a_slow_team_and_still_writes_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = drill_cli("region-failure", "slow", dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("drill region-failure: FAILED"), "{stdout}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    let rto = json["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "rto_within_target")
        .unwrap();
    assert_eq!(rto["status"], "failed");
    assert!(dir.path().join("report.md").exists());
}

#[test]
fn cli_upload_without_an_environment_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = drconsole()
        .arg("drill")
        .arg(scenario_path("dns-failure"))
        .arg("--script")
        .arg(script_path("dns-failure", "steady"))
        .arg("--report")
        .arg(dir.path())
        .arg("--upload")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--upload needs --env FILE"), "{err}");
}

// ---- pause and speed: the virtual clock, not the wall clock ----

/// What a drill runtime does with the state machine's clock commands.
fn obey(clock: &VirtualClock, commands: &[DrillCommand]) {
    for c in commands {
        match c {
            DrillCommand::Clock(running) => clock.set_paused(!running),
            DrillCommand::SetSpeed(x) => clock.set_speed(f64::from(*x)),
            _ => {}
        }
    }
}

#[test]
fn pause_and_speed_change_the_virtual_clock_not_the_wall_clock() {
    let spec = EstateSpec::seed();
    let scenario = load_scenario(&scenario_path("region-failure"), &spec).unwrap();
    let mut drill = Drill::new(scenario);
    let start = Timestamp::parse_rfc3339(START).unwrap();
    let clock = VirtualClock::new(start, 1.0);
    clock.set_paused(true);
    let frozen = clock.now();
    obey(&clock, &drill.handle(DrillEvent::Start));
    obey(
        &clock,
        &drill.handle(DrillEvent::Reached(Duration::from_secs(90))),
    );

    // Pause: the state machine stops the clock; virtual time stands still
    // however much wall time passes, and the drill's own time with it.
    let paused = drill.handle(DrillEvent::Pause);
    assert_eq!(paused, [DrillCommand::Clock(false)]);
    obey(&clock, &paused);
    assert_eq!(drill.phase(), Phase::Paused);
    let at_pause = clock.now();
    assert_eq!(clock.now(), at_pause, "a paused clock does not move");
    assert_eq!(drill.elapsed(), Duration::from_secs(90));

    // Speed while paused: no jump in virtual time; a virtual minute now
    // takes 6 wall seconds.
    let faster = drill.handle(DrillEvent::Speed(10));
    assert_eq!(faster, [DrillCommand::SetSpeed(10)]);
    obey(&clock, &faster);
    assert_eq!(clock.now(), at_pause, "changing speed does not jump");
    assert_eq!(
        clock.wall_for(Duration::from_mins(1)),
        Duration::from_secs(6)
    );
    assert_eq!(drill.speed(), 10);
    assert!(at_pause >= frozen);

    // Resume restarts the clock; 2x halves the wall time of a virtual second.
    let resumed = drill.handle(DrillEvent::Resume);
    assert_eq!(resumed, [DrillCommand::Clock(true)]);
    obey(&clock, &drill.handle(DrillEvent::Speed(2)));
    assert_eq!(
        clock.wall_for(Duration::from_secs(10)),
        Duration::from_secs(5)
    );
    assert!(clock.now() >= at_pause, "virtual time never goes back");

    // Skipping moves drill time to the next inject; the wall clock has no say.
    let skip = drill.handle(DrillEvent::SkipToNext);
    assert_eq!(skip, [DrillCommand::JumpTo(Duration::from_mins(2))]);
}

fn details(report: &Report, name: &str) -> String {
    report
        .tests
        .iter()
        .find(|t| t.name == name)
        .map(|t| t.details.clone())
        .unwrap_or_default()
}

#[test]
fn a_rotation_fences_proves_silence_rotates_and_the_old_key_never_signs() {
    let r = run("key-compromise", "steady");
    assert_eq!(
        test_status(&r, "compromised_key_never_signs"),
        Status::Passed,
        "{}",
        r.to_markdown()
    );
    let d = details(&r, "compromised_key_never_signs");
    assert!(
        d.starts_with(
            "the compromised key of us-east-1-val-0 (6DE2F18AC876F1587B5E73C9AC87818641A280AB) signed nothing from height"
        ),
        "{d}"
    );
    assert_eq!(test_status(&r, "no_double_sign"), Status::Passed);
    let order: Vec<&str> = r
        .steps
        .iter()
        .filter(|s| s.outcome == "passed")
        .map(|s| s.step.as_str())
        .collect();
    for pair in [
        ["fence_validator", "prove_old_key_silent"],
        ["prove_old_key_silent", "start_new_key_node"],
        ["start_new_key_node", "rotate_consensus_key"],
        ["rotate_consensus_key", "verify_rotation_on_validators"],
        ["verify_rotation_on_validators", "seal_new_key"],
        ["seal_new_key", "map_new_address"],
    ] {
        let at = |n: &str| order.iter().position(|s| *s == n);
        assert!(
            at(pair[0]).is_some() && at(pair[0]) < at(pair[1]),
            "{pair:?} in {order:?}"
        );
    }
}

#[test]
fn the_rotation_gate_names_the_validator_and_both_addresses_from_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    run_in(
        &scenario_path("key-compromise"),
        &script_path("key-compromise", "steady"),
        dir.path(),
    );
    let journal = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.to_string_lossy()
                .ends_with("validator-key-rotation.journal")
        })
        .expect("the rotation's journal");
    let text = std::fs::read_to_string(journal).unwrap();
    let phrases: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["kind"] == "gate.asked")
        .filter_map(|e| e["data"]["request"]["phrase"].as_str().map(str::to_owned))
        .collect();
    let rotate = phrases
        .iter()
        .find(|p| p.starts_with("rotate "))
        .unwrap_or_else(|| panic!("{phrases:?}"));
    let new = rotate
        .strip_prefix("rotate us-east-1-val-0 from 6DE2F18AC876F1587B5E73C9AC87818641A280AB to ")
        .unwrap_or_else(|| panic!("{rotate}"));
    // The new address is the one the standby node printed: 40 hex digits, not the old one.
    assert_eq!(new.len(), 40, "{new}");
    assert!(new.chars().all(|c| c.is_ascii_hexdigit()), "{new}");
    assert_ne!(new, "6DE2F18AC876F1587B5E73C9AC87818641A280AB");
    // The value reached the journal as the captured value of the standby step.
    assert!(
        text.contains(&format!(
            "\"captured\":{{\"name\":\"NEW_ADDRESS\",\"value\":\"{new}\"}}"
        )),
        "captured value not journaled"
    );
}

#[test]
fn restoring_a_compromised_key_instead_of_rotating_it_fails_the_drill() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(
        Path::new("tests/fixtures/wrong-runbook/drills/key-compromise-restored.scenario.yaml"),
        Path::new("tests/fixtures/wrong-runbook/drills/key-compromise-restored.yaml"),
        dir.path(),
    );
    assert!(!r.passed());
    assert_eq!(
        test_status(&r, "compromised_key_never_signs"),
        Status::Failed
    );
    let d = details(&r, "compromised_key_never_signs");
    assert!(
        d.starts_with(
            "COMPROMISED KEY SIGNED AGAIN: us-east-1-val-0 (6DE2F18AC876F1587B5E73C9AC87818641A280AB) at height"
        ) && d.ends_with("it was restored, not rotated"),
        "{d}"
    );
    // The restore itself ran to the end: the runbook "worked", the drill did not.
    assert!(
        r.steps
            .iter()
            .any(|s| s.step == "open_key_ceremony" && s.outcome == "passed")
    );
    // An attacker's key signing means the service is not safe, whatever else is up.
    assert_eq!(test_status(&r, "service_restored"), Status::Failed);
}
