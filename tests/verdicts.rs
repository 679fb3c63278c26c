//! The console's verdicts in a messy incident, through the real binary's
//! `status --json` on the simulated estate: who signs now, what a region
//! loss costs on that power, how fast a halt is declared, and that a
//! healthy estate's standing risk is not an outage.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::process::Command;

use serde_json::Value;

fn status(extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["status", "--json", "--start", "2026-11-26T03:00:00Z"];
    args.extend_from_slice(extra);
    let out = Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .args(&args)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run drconsole");
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().expect("exit code"), json)
}

fn kinds(j: &Value) -> Vec<String> {
    j["breaches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["kind"].as_str().unwrap().to_owned())
        .collect()
}

fn loss<'a>(j: &'a Value, regions: &[&str]) -> &'a Value {
    j["region_loss"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["regions"] == serde_json::json!(regions))
        .unwrap_or_else(|| panic!("no loss of {regions:?}"))
}

#[test]
fn a_healthy_estate_is_at_risk_not_down() {
    let (code, j) = status(&[]);
    assert_eq!(code, 0, "{j:#}");
    assert_eq!(kinds(&j), Vec::<String>::new());
    let use1 = loss(&j, &["us-east-1"]);
    assert_eq!(use1["halts"], true);
    assert_eq!(
        use1["halts_at_full_strength"], true,
        "the 3-2-2 layout's own risk"
    );
    assert_eq!(use1["basis"], "signing");
    assert_eq!(j["chain"]["status"], "producing");
    assert_eq!(
        (
            &j["chain"]["signing_power"],
            &j["chain"]["total_power"],
            &j["chain"]["margin_power"]
        ),
        (&Value::from(70), &Value::from(70), &Value::from(23))
    );
    for v in j["chain"]["validators"].as_array().unwrap() {
        assert_eq!(v["signing"], "signing", "{v:#}");
        assert_eq!(v["window"], 100);
        assert!(v["last_signed_height"].is_u64());
        assert_eq!(v["signs_in"], v["region"], "keys sign at home");
    }
}

#[test]
fn one_offline_validator_makes_losing_a_small_region_halt() {
    let (code, j) = status(&[
        "--inject",
        "validator-offline eu-west-1-val-0",
        "--after",
        "30s",
    ]);
    assert_eq!(code, 1, "{j:#}");
    let ap = loss(&j, &["ap-southeast-1"]);
    assert_eq!(ap["halts"], true, "40 of 70 would be left: {ap:#}");
    assert_eq!(ap["halts_at_full_strength"], false);
    assert_eq!(loss(&j, &["eu-west-1"])["halts"], false);
    assert_eq!(j["chain"]["signing_power"], 60);
    assert_eq!(kinds(&j), ["halt_margin", "validator_missing"]);
    assert_eq!(
        j["breaches"][0]["detail"],
        "losing ap-southeast-1 now halts the chain: 60 of 70 power signs, 13 to spare"
    );
    assert_eq!(j["breaches"][1]["subject"], "eu-west-1-val-0");
    let v = j["chain"]["validators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "eu-west-1-val-0")
        .unwrap();
    assert_ne!(v["signing"], "signing", "{v:#}");
}

#[test]
fn two_offline_validators_leave_the_chain_one_validator_from_halting() {
    let (code, j) = status(&[
        "--inject",
        "validator-offline eu-west-1-val-0",
        "--inject",
        "validator-offline ap-southeast-1-val-0",
        "--after",
        "30s",
    ]);
    assert_eq!(code, 1);
    assert_eq!(j["chain"]["margin_power"], 3);
    assert!(
        j["breaches"][0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("one validator from halting"),
        "{:#}",
        j["breaches"]
    );
}

/// The first second after `region-down us-east-1` at which `status` says
/// the chain is halted, scanning second by second.
fn seconds_to_halted() -> u64 {
    (1..=40)
        .find(|s| {
            let after = format!("{s}s");
            let (_, j) = status(&["--inject", "region-down us-east-1", "--after", &after]);
            j["chain"]["status"] == "halted"
        })
        .expect("halted within 40 s")
}

#[test]
fn a_halt_is_declared_within_three_block_intervals_and_old_signatures_go_stale() {
    let t = seconds_to_halted();
    // The last block came at most one interval (6.6 s) before the fault;
    // three intervals (18 s) later, plus a poll, the chain is HALTED.
    assert!((12..=25).contains(&t), "declared halted after {t} s");
    eprintln!("region-down us-east-1 -> halted after {t} s (simulated)");
    let after = format!("{t}s");
    let (code, j) = status(&["--inject", "region-down us-east-1", "--after", &after]);
    assert_eq!(code, 1);
    assert_eq!(kinds(&j)[0], "chain_halted", "the halt is the headline");
    for v in j["chain"]["validators"].as_array().unwrap() {
        assert_eq!(v["signing"], "stale", "{v:#}");
    }
    assert_eq!(j["region_loss"][0]["basis"], "last_commit");
    // Before the threshold, not yet.
    let before = format!("{}s", t - 1);
    let (_, j) = status(&["--inject", "region-down us-east-1", "--after", &before]);
    assert_ne!(j["chain"]["status"], "halted");
}

#[test]
fn a_region_without_a_reachable_node_is_unknown_coverage() {
    let (code, j) = status(&["--inject", "region-down ap-southeast-1", "--after", "30s"]);
    assert_eq!(code, 1);
    let rpc: Vec<&Value> = j["breaches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["kind"] == "rpc_unknown")
        .collect();
    assert_eq!(rpc.len(), 1, "{:#}", j["breaches"]);
    assert_eq!(rpc[0]["subject"], "ap-southeast-1 rpc");
    for n in j["regions"][2]["nodes"].as_array().unwrap() {
        assert_eq!(n["error"], "request timed out after 5s", "{n:#}");
    }
    for n in j["regions"][0]["nodes"].as_array().unwrap() {
        assert_eq!(n["error"], Value::Null, "a synced node has no error: {n:#}");
    }
}

/// A practice failover, step by step on the simulated estate, moves all
/// three on the dashboard's picture: the database primary, the traffic and
/// where the keys sign; the region-loss verdict follows the keys.
#[test]
fn a_failover_moves_the_primary_the_traffic_and_the_keys() {
    use drconsole::domain::estate::EstateSpec;
    use drconsole::domain::status;
    use drconsole::domain::time::Timestamp;
    use drconsole::sources::sim::SimEstate;
    use drconsole::sources::sim_source::snapshot;
    use std::time::Duration;

    let start = Timestamp::parse_rfc3339("2026-11-26T03:00:00Z").unwrap();
    let mut sim = SimEstate::new(EstateSpec::seed(), 7, start);
    sim.advance_to(start.plus(Duration::from_secs(30)));
    let before = status::report(&snapshot(&sim), sim.now());
    assert_eq!(before.topology[0].database, "primary");
    assert_eq!(before.topology[1].database, "replica");
    assert_eq!(before.topology[0].validators_signing.len(), 3);

    sim.promote_database("eu-west-1").unwrap();
    sim.set_traffic("us-east-1", false).unwrap();
    sim.set_validators_running("us-east-1", false).unwrap();
    sim.start_standby_validators("us-east-1", "eu-west-1")
        .unwrap();
    sim.advance_to(start.plus(Duration::from_mins(10)));
    let after = status::report(&snapshot(&sim), sim.now());
    let (use1, euw1) = (&after.topology[0], &after.topology[1]);
    assert_eq!((use1.database, euw1.database), ("replica", "primary"));
    assert_eq!(
        (use1.traffic_weight, euw1.traffic_weight),
        (Some(0), Some(100))
    );
    assert_eq!(use1.validators_signing, Vec::<String>::new(), "{after:#?}");
    assert_eq!(
        euw1.validators_signing.len(),
        5,
        "{:?}",
        euw1.validators_signing
    );
    let lose = |r: &str| {
        after
            .region_loss
            .iter()
            .find(|l| l.regions == [r])
            .map(|l| l.halts)
            .unwrap()
    };
    assert!(!lose("us-east-1"), "nothing signs there any more");
    assert!(lose("eu-west-1"), "five of seven keys sign there now");
}

#[test]
fn a_growing_lag_says_when_it_will_breach_the_rpo() {
    let (_, j) = status(&["--inject", "lag-growth eu-west-1 2s", "--after", "60s"]);
    let eu = &j["regions"][1];
    let lag = eu["replication_lag_s"].as_f64().unwrap();
    let rate = eu["replication_lag_rate"].as_f64().unwrap();
    assert!((1.9..2.2).contains(&rate), "about 2 s/s: {eu:#}");
    let due = eu["rpo_breach_in_s"].as_u64().unwrap();
    let expected = (300.0 - lag) / rate;
    assert!(
        (f64::from(u32::try_from(due).unwrap()) - expected).abs() <= 2.0,
        "{due} vs {expected}: {eu:#}"
    );
    // Steady regions forecast nothing worth saying.
    assert_eq!(j["regions"][0]["rpo_breach_in_s"], Value::Null);
}

fn blocks(j: &Value) -> Vec<(String, String, Option<f64>)> {
    j["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["blocks"].as_str().unwrap().to_owned(),
                r["block_interval_s"].as_f64(),
            )
        })
        .collect()
}

/// Each region's own view of block production: about 6 s per block when
/// healthy; after `region-down us-east-1` that region is unknown (no node
/// answers) and the others see the chain slow, then halted, by the same
/// rule as the chain's verdict.
#[test]
fn each_region_says_how_often_it_sees_a_block() {
    // At the start nothing was watched yet: no interval, no alarm.
    let (_, j) = status(&[]);
    assert!(
        blocks(&j)
            .iter()
            .all(|(_, w, i)| w == "measuring" && i.is_none()),
        "{j:#}"
    );
    let (_, j) = status(&["--after", "60s"]);
    for (name, word, interval) in blocks(&j) {
        assert_eq!(word, "producing", "{name}: {j:#}");
        let i = interval.unwrap_or_else(|| panic!("{name} has no interval"));
        assert!((5.0..=7.5).contains(&i), "{name} sees a block every {i} s");
    }
    let t = seconds_to_halted();
    let after = format!("{t}s");
    let (_, j) = status(&["--inject", "region-down us-east-1", "--after", &after]);
    let b = blocks(&j);
    assert_eq!((b[0].1.as_str(), b[0].2), ("unknown", None), "{b:?}");
    for (name, word, _) in &b[1..] {
        assert_eq!(word, "halted", "{name}: the chain's rule, the same second");
    }
    let slow = format!("{}s", t.saturating_sub(4));
    let (_, j) = status(&["--inject", "region-down us-east-1", "--after", &slow]);
    for (name, word, _) in &blocks(&j)[1..] {
        assert_eq!(word, j["chain"]["status"].as_str().unwrap(), "{name}");
    }
}
