#![allow(clippy::unwrap_used)]

use std::time::Duration;

use super::*;
use crate::domain::estate::BackupKind;
use crate::domain::observation::{ChainStatus, HealthStatus, NodeStatus, Observation};

const SEED: u64 = 7;

fn start() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-26T03:00:00Z").unwrap()
}

fn sim() -> SimEstate {
    SimEstate::new(EstateSpec::seed(), SEED, start())
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// Advances by `d` from the estate's own now.
fn run(sim: &mut SimEstate, d: Duration) {
    let t = sim.now().plus(d);
    sim.advance_to(t);
}

fn chain(sim: &SimEstate) -> ChainStatus {
    sim.observe()
        .into_iter()
        .find_map(|o| match o {
            Observation::Chain { result } => Some(result.unwrap()),
            _ => None,
        })
        .unwrap()
}

fn health(sim: &SimEstate, region: &str) -> HealthStatus {
    sim.observe()
        .into_iter()
        .find_map(|o| match o {
            Observation::Health { region: r, result } if r == region => Some(result.unwrap()),
            _ => None,
        })
        .unwrap()
}

fn lag(sim: &SimEstate, region: &str) -> Result<Duration, String> {
    sim.observe()
        .into_iter()
        .find_map(|o| match o {
            Observation::ReplicationLag { region: r, result } if r == region => Some(result),
            _ => None,
        })
        .unwrap()
}

fn nodes(sim: &SimEstate, region: &str) -> Vec<Result<NodeStatus, String>> {
    sim.observe()
        .into_iter()
        .filter_map(|o| match o {
            Observation::Node {
                region: r, result, ..
            } if r == region => Some(result),
            _ => None,
        })
        .collect()
}

fn backup(sim: &SimEstate, region: &str, kind: BackupKind) -> Option<Timestamp> {
    sim.observe()
        .into_iter()
        .find_map(|o| match o {
            Observation::NewestBackup {
                region: r,
                kind: k,
                result,
            } if r == region && k == kind => Some(result.unwrap()),
            _ => None,
        })
        .unwrap()
}

fn validator_name(sim: &SimEstate, name: &str) -> String {
    sim.spec()
        .validators
        .iter()
        .find(|v| v.name == name)
        .unwrap()
        .address
        .clone()
}

#[test]
fn same_seed_and_calls_give_identical_observations() {
    let script = |s: &mut SimEstate| {
        run(s, secs(600));
        s.inject(Fault::ReplicationStall {
            region: "eu-west-1".into(),
        })
        .unwrap();
        run(s, secs(300));
        s.clear_all();
        run(s, secs(300));
    };
    let (mut a, mut b) = (sim(), sim());
    script(&mut a);
    script(&mut b);
    assert_eq!(a.observe(), b.observe());
    let other = SimEstate::new(EstateSpec::seed(), SEED + 1, start());
    assert_ne!(chain(&a).height, chain(&other).height);
    assert_ne!(chain(&sim()).height, chain(&other).height);
}

/// Runs 21 minutes in steps of `step_ms`, with a partition and a stall
/// injected at 10 min and cleared at 20 min, whatever the step size.
fn scripted(step_ms: u64) -> SimEstate {
    let mut s = sim();
    let end = start().plus(secs(1260));
    let mut t = start();
    while t < end {
        let next = t.plus(Duration::from_millis(step_ms)).min(end);
        for mark in [600, 1200] {
            let m = start().plus(secs(mark));
            if t < m && m <= next {
                s.advance_to(m);
                if mark == 600 {
                    s.inject(Fault::NetworkPartition {
                        isolated: vec!["ap-southeast-1".into()],
                    })
                    .unwrap();
                    s.inject(Fault::ReplicationStall {
                        region: "eu-west-1".into(),
                    })
                    .unwrap();
                } else {
                    s.clear_all();
                }
            }
        }
        s.advance_to(next);
        t = next;
    }
    s
}

#[test]
fn step_granularity_does_not_change_the_outcome() {
    let mut stepped = sim();
    let mut jumped = sim();
    for s in 1..=1800 {
        stepped.advance_to(start().plus(secs(s)));
    }
    jumped.advance_to(start().plus(secs(1800)));
    assert_eq!(stepped.observe(), jumped.observe());
    // With faults coming and going, in odd unaligned steps as well.
    let reference = scripted(2_000_000);
    assert_eq!(scripted(1_000).observe(), reference.observe());
    assert_eq!(scripted(1_337).observe(), reference.observe());
    assert_eq!(scripted(37).observe(), reference.observe());
    // A minute after the clear, the faults still show.
    let mut unfaulted = sim();
    unfaulted.advance_to(reference.now());
    assert_ne!(
        reference.observe(),
        unfaulted.observe(),
        "the faults mattered"
    );
    // Once healed, the model converges back onto the unfaulted run.
    let (mut healed, mut plain) = (reference, unfaulted);
    run(&mut healed, secs(900));
    run(&mut plain, secs(900));
    assert_eq!(healed.observe(), plain.observe());
}

#[test]
fn blocks_come_about_every_six_seconds() {
    let mut s = sim();
    let h0 = chain(&s).height;
    assert!((1_000_000..2_000_000).contains(&h0));
    run(&mut s, secs(600));
    let c = chain(&s);
    let made = c.height - h0;
    assert!((95..=105).contains(&made), "{made} blocks in 10 min");
    let avg = c.avg_block_time.as_secs_f64();
    assert!((5.7..=6.3).contains(&avg), "avg block time {avg}");
    assert_eq!(c.chain_id, CHAIN_ID);
    assert!(
        c.validators
            .iter()
            .all(|v| v.signed_latest && v.missed_recent == 0)
    );
    assert!(s.now().since(c.latest_block_time) <= Duration::from_millis(6_600));
}

#[test]
fn initial_state_is_healthy() {
    let s = sim();
    for r in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
        let h = health(&s, r);
        assert!(h.healthy && h.checkers_ok == 8 && h.checkers_total == 8);
        for n in nodes(&s, r) {
            let n = n.unwrap();
            assert!(!n.catching_up && n.peers > 0);
            assert_eq!(n.height, chain(&s).height);
        }
        for kind in [
            BackupKind::ChainState,
            BackupKind::Keys,
            BackupKind::Database,
        ] {
            let t = backup(&s, r, kind).unwrap();
            assert!(t <= start());
        }
    }
    assert_eq!(lag(&s, "us-east-1").unwrap(), Duration::ZERO);
    let eu = lag(&s, "eu-west-1").unwrap();
    assert!(eu >= Duration::from_millis(500) && eu <= secs(12));
    // 03:00 start: chain state ran at 00:00, keys at 02:00, database at 00:00.
    let chain_state = backup(&s, "eu-west-1", BackupKind::ChainState).unwrap();
    assert!(start().since(chain_state) > secs(2 * 3600 + 40 * 60));
    let keys = backup(&s, "eu-west-1", BackupKind::Keys).unwrap();
    assert!(start().since(keys) < secs(3600));
}

#[test]
fn losing_us_east_halts_the_chain_and_its_nodes_time_out() {
    let mut s = sim();
    run(&mut s, secs(60));
    s.inject(Fault::RegionDown {
        region: "us-east-1".into(),
    })
    .unwrap();
    run(&mut s, secs(10));
    let halted = chain(&s).height;
    run(&mut s, secs(300));
    assert_eq!(chain(&s).height, halted, "3/7 lost: no more blocks");
    assert!(!health(&s, "us-east-1").healthy);
    assert_eq!(health(&s, "us-east-1").checkers_ok, 0);
    assert!(
        nodes(&s, "us-east-1")
            .iter()
            .all(|n| n.as_ref().is_err_and(|e| e.contains("timed out")))
    );
    assert!(lag(&s, "us-east-1").is_err());
    // The database primary is gone: replication to the others stalls.
    assert!(lag(&s, "eu-west-1").unwrap() > secs(250));
}

#[test]
fn losing_eu_west_does_not_halt_the_chain() {
    let mut s = sim();
    s.inject(Fault::RegionDown {
        region: "eu-west-1".into(),
    })
    .unwrap();
    let h0 = chain(&s).height;
    run(&mut s, secs(120));
    let c = chain(&s);
    assert!(c.height >= h0 + 18, "5/7 remain: blocks continue");
    let eu0 = validator_name(&s, "eu-west-1-val-0");
    let v = c.validators.iter().find(|v| v.address == eu0).unwrap();
    assert!(!v.signed_latest);
    assert!(nodes(&s, "eu-west-1").iter().all(Result::is_err));
    assert!(health(&s, "us-east-1").healthy);
}

#[test]
fn an_offline_validator_misses_blocks_while_the_chain_goes_on() {
    let mut s = sim();
    let id = s
        .inject(Fault::ValidatorOffline {
            validator: "us-east-1-val-0".into(),
        })
        .unwrap();
    let h0 = chain(&s).height;
    run(&mut s, secs(60));
    let addr = validator_name(&s, "us-east-1-val-0");
    let missed = |s: &SimEstate| {
        chain(s)
            .validators
            .into_iter()
            .find(|v| v.address == addr)
            .unwrap()
    };
    let first = missed(&s);
    assert!(!first.signed_latest);
    assert!(first.missed_recent >= 8);
    run(&mut s, secs(60));
    assert!(missed(&s).missed_recent > first.missed_recent);
    assert!(chain(&s).height >= h0 + 18);
    // By address works as well, and clearing brings it back.
    assert_eq!(FaultId::new(id.get()), id);
    assert!(!s.clear(FaultId::new(99)));
    assert!(s.clear(id));
    assert!(!s.clear(id));
    s.inject(Fault::ValidatorOffline {
        validator: addr.to_lowercase(),
    })
    .unwrap();
    run(&mut s, secs(12));
    assert!(!missed(&s).signed_latest);
    s.clear_all();
    run(&mut s, secs(12));
    assert!(missed(&s).signed_latest);
}

#[test]
fn isolating_ap_southeast_leaves_it_behind_while_the_chain_goes_on() {
    let mut s = sim();
    let before_peers = nodes(&s, "ap-southeast-1")[0].clone().unwrap().peers;
    s.inject(Fault::NetworkPartition {
        isolated: vec!["ap-southeast-1".into()],
    })
    .unwrap();
    let h0 = chain(&s).height;
    run(&mut s, secs(300));
    assert!(chain(&s).height >= h0 + 45);
    for n in nodes(&s, "ap-southeast-1") {
        let n = n.unwrap();
        assert!(n.height <= h0 + 1, "stuck at the partition height");
        assert!(!n.catching_up, "a cut-off node does not know it is behind");
        assert!(n.peers < before_peers);
    }
    assert_eq!(
        nodes(&s, "eu-west-1")[0].clone().unwrap().height,
        chain(&s).height
    );
    // Heal: the nodes catch up and are in step again.
    s.clear_all();
    run(&mut s, secs(2));
    assert!(nodes(&s, "ap-southeast-1")[0].clone().unwrap().catching_up);
    run(&mut s, secs(30));
    let n = nodes(&s, "ap-southeast-1")[0].clone().unwrap();
    assert!(!n.catching_up);
    assert_eq!(n.height, chain(&s).height);
}

#[test]
fn a_partition_from_the_database_primary_stalls_replication() {
    let mut s = sim();
    s.inject(Fault::NetworkPartition {
        isolated: vec!["ap-southeast-1".into()],
    })
    .unwrap();
    run(&mut s, secs(400));
    assert!(lag(&s, "ap-southeast-1").unwrap() > secs(390));
    assert!(lag(&s, "eu-west-1").unwrap() <= secs(12));
}

#[test]
fn a_recovered_secondary_signs_again_after_catching_up() {
    let mut s = sim();
    s.inject(Fault::RegionDown {
        region: "eu-west-1".into(),
    })
    .unwrap();
    run(&mut s, secs(900));
    s.recover_region("eu-west-1").unwrap();
    run(&mut s, secs(5));
    let n = nodes(&s, "eu-west-1")[0].clone().unwrap();
    assert!(n.catching_up && n.height < chain(&s).height);
    run(&mut s, secs(60));
    let n = nodes(&s, "eu-west-1")[0].clone().unwrap();
    assert!(!n.catching_up && n.height == chain(&s).height);
    let addr = validator_name(&s, "eu-west-1-val-0");
    let v = chain(&s)
        .validators
        .into_iter()
        .find(|v| v.address == addr)
        .unwrap();
    assert!(v.signed_latest);
    assert!(
        v.missed_recent < 100,
        "signing again: some of the window signed"
    );
}

#[test]
fn isolating_us_east_halts_the_chain() {
    let mut s = sim();
    s.inject(Fault::NetworkPartition {
        isolated: vec!["us-east-1".into()],
    })
    .unwrap();
    let h0 = chain(&s).height;
    run(&mut s, secs(300));
    assert!(chain(&s).height <= h0 + 1, "neither side holds > 2/3");
    assert!(
        health(&s, "us-east-1").healthy,
        "a partition is not an outage"
    );
}

#[test]
fn a_replication_stall_breaches_the_rpo_and_decays_when_cleared() {
    let mut s = sim();
    let id = s
        .inject(Fault::ReplicationStall {
            region: "eu-west-1".into(),
        })
        .unwrap();
    run(&mut s, secs(360));
    let stalled = lag(&s, "eu-west-1").unwrap();
    assert!(stalled > secs(300), "{stalled:?}");
    assert!(
        lag(&s, "ap-southeast-1").unwrap() < secs(13),
        "only eu stalls"
    );
    assert!(s.clear(id));
    run(&mut s, secs(10));
    let falling = lag(&s, "eu-west-1").unwrap();
    assert!(falling < stalled && falling > secs(60), "decays, no jump");
    run(&mut s, secs(170));
    assert!(lag(&s, "eu-west-1").unwrap() < secs(30));
}

#[test]
fn lag_growth_adds_to_the_normal_wander() {
    let mut s = sim();
    s.inject(Fault::ReplicationLagGrowth {
        region: "ap-southeast-1".into(),
        per_second: Duration::from_millis(500),
    })
    .unwrap();
    run(&mut s, secs(600));
    let l = lag(&s, "ap-southeast-1").unwrap();
    assert!(l >= secs(300) && l <= secs(312), "{l:?}");
}

#[test]
fn normal_lag_stays_bounded() {
    let mut s = sim();
    for _ in 0..360 {
        run(&mut s, secs(10));
        for r in ["eu-west-1", "ap-southeast-1"] {
            let l = lag(&s, r).unwrap();
            assert!(l >= Duration::from_millis(500) && l <= secs(12), "{l:?}");
        }
        assert_eq!(lag(&s, "us-east-1").unwrap(), Duration::ZERO);
    }
}

#[test]
fn a_failing_backup_job_ages_only_that_region() {
    let mut s = sim();
    s.inject(Fault::BackupJobFailure {
        region: "us-east-1".into(),
        kind: BackupKind::ChainState,
    })
    .unwrap();
    run(&mut s, secs(5 * 3600));
    let four_hours = secs(4 * 3600);
    let age = |r: &str, k| s.now().since(backup(&s, r, k).unwrap());
    assert!(age("us-east-1", BackupKind::ChainState) > four_hours);
    assert!(age("eu-west-1", BackupKind::ChainState) < four_hours);
    assert!(age("ap-southeast-1", BackupKind::ChainState) < four_hours);
    assert!(age("us-east-1", BackupKind::Database) < secs(6 * 3600));
}

#[test]
fn backups_complete_minutes_after_their_schedule() {
    let mut s = sim();
    // 03:00 -> 04:15: the 04:00 chain-state job has completed everywhere.
    run(&mut s, secs(75 * 60));
    let four = Timestamp::parse_rfc3339("2026-11-26T04:00:00Z").unwrap();
    let mut durations = Vec::new();
    for r in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
        let t = backup(&s, r, BackupKind::ChainState).unwrap();
        let d = t.since(four);
        assert!(d >= secs(180) && d <= secs(720), "{r}: {d:?}");
        durations.push(d);
    }
    durations.dedup();
    assert!(durations.len() > 1, "seeded per region");
}

#[test]
fn a_health_check_failure_leaves_nodes_and_chain_fine() {
    let mut s = sim();
    s.inject(Fault::HealthCheckFailure {
        region: "eu-west-1".into(),
    })
    .unwrap();
    let h0 = chain(&s).height;
    run(&mut s, secs(120));
    let h = health(&s, "eu-west-1");
    assert!(!h.healthy && h.checkers_ok == 0);
    assert!(chain(&s).height >= h0 + 18);
    assert!(chain(&s).validators.iter().all(|v| v.signed_latest));
    for n in nodes(&s, "eu-west-1") {
        assert_eq!(n.unwrap().height, chain(&s).height);
    }
    assert!(lag(&s, "eu-west-1").is_ok());
}

#[test]
fn promoting_the_database_moves_the_zero_lag_region() {
    let mut s = sim();
    run(&mut s, secs(30));
    let eu_lag = lag(&s, "eu-west-1").unwrap();
    s.promote_database("eu-west-1").unwrap();
    assert_eq!(s.database_primary(), "eu-west-1");
    assert_eq!(s.promotions()[0].data_loss, eu_lag);
    assert_eq!(lag(&s, "eu-west-1").unwrap(), Duration::ZERO);
    run(&mut s, secs(5));
    assert_eq!(lag(&s, "eu-west-1").unwrap(), Duration::ZERO);
    assert!(lag(&s, "us-east-1").unwrap() > Duration::ZERO);
    assert!(matches!(
        s.promote_database("mars-1"),
        Err(SimError::Fault(FaultError::UnknownRegion { .. }))
    ));
    s.inject(Fault::RegionDown {
        region: "ap-southeast-1".into(),
    })
    .unwrap();
    assert!(matches!(
        s.promote_database("ap-southeast-1"),
        Err(SimError::RegionDown { .. })
    ));
}

#[test]
fn recovering_a_region_restores_health_and_blocks() {
    let mut s = sim();
    s.inject(Fault::ValidatorOffline {
        validator: "eu-west-1-val-1".into(),
    })
    .unwrap();
    s.inject(Fault::RegionDown {
        region: "us-east-1".into(),
    })
    .unwrap();
    run(&mut s, secs(600));
    let halted = chain(&s).height;
    s.recover_region("us-east-1").unwrap();
    assert_eq!(s.faults().len(), 1, "other faults stay");
    assert!(health(&s, "us-east-1").healthy);
    run(&mut s, secs(2));
    assert!(nodes(&s, "us-east-1")[0].clone().unwrap().catching_up);
    run(&mut s, secs(120));
    assert!(chain(&s).height >= halted + 15, "blocks again");
    let n = nodes(&s, "us-east-1")[0].clone().unwrap();
    assert!(!n.catching_up && n.height == chain(&s).height);
    assert!(s.recover_region("nowhere").is_err());
}

#[test]
fn stopping_validators_in_us_east_halts_and_restarting_resumes() {
    let mut s = sim();
    s.set_validators_running("us-east-1", false).unwrap();
    let h0 = chain(&s).height;
    run(&mut s, secs(60));
    assert!(chain(&s).height <= h0 + 1);
    s.set_validators_running("us-east-1", true).unwrap();
    run(&mut s, secs(60));
    assert!(chain(&s).height >= h0 + 9);
    s.set_traffic("us-east-1", false).unwrap();
    assert_eq!(s.is_serving("us-east-1"), Some(false));
    let err = s.set_traffic("moon", true).unwrap_err().to_string();
    assert!(
        err.contains("us-east-1, eu-west-1, ap-southeast-1"),
        "{err}"
    );
}

#[test]
fn unknown_names_are_refused_with_the_valid_ones() {
    let mut s = sim();
    let err = s
        .inject(Fault::RegionDown {
            region: "us-east-2".into(),
        })
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("us-east-2") && err.contains("eu-west-1"),
        "{err}"
    );
    let err = s
        .inject(Fault::ValidatorOffline {
            validator: "nobody".into(),
        })
        .unwrap_err()
        .to_string();
    assert!(err.contains("us-east-1-val-0"), "{err}");
    assert!(
        s.inject(Fault::NetworkPartition {
            isolated: vec![
                "us-east-1".into(),
                "eu-west-1".into(),
                "ap-southeast-1".into()
            ],
        })
        .is_err()
    );
    assert!(s.faults().is_empty());
}

#[test]
fn bench_sized_scales_the_validator_set() {
    let mut s = bench_sized(150, 3, start());
    assert_eq!(s.spec().validators.len(), 150);
    let h0 = chain(&s).height;
    run(&mut s, secs(60));
    let c = chain(&s);
    assert!(c.height >= h0 + 9);
    assert_eq!(c.validators.len(), 150);
    assert!(c.validators.iter().all(|v| v.window == 100));
}

#[test]
fn advancing_backwards_is_a_no_op() {
    let mut s = sim();
    run(&mut s, secs(100));
    let before = s.observe();
    let now = s.now();
    s.advance_to(start());
    assert_eq!(s.now(), now);
    assert_eq!(s.observe(), before);
}

#[test]
fn failover_with_fenced_signers_restores_blocks_without_double_signing() {
    let mut s = sim();
    s.inject(Fault::RegionDown {
        region: "us-east-1".into(),
    })
    .unwrap();
    run(&mut s, secs(30));
    let halted = chain(&s).height;
    run(&mut s, secs(60));
    assert!(chain(&s).height <= halted + 1, "3 of 7 lost: halted");
    s.set_validators_running("us-east-1", false).unwrap();
    s.start_standby_validators("us-east-1", "eu-west-1")
        .unwrap();
    run(&mut s, secs(60));
    assert!(
        chain(&s).height >= halted + 8,
        "standby keys restore signing power"
    );
    s.recover_region("us-east-1").unwrap();
    run(&mut s, secs(120));
    assert!(
        s.double_signs().is_empty(),
        "fenced signers never sign twice"
    );
}

#[test]
fn unfenced_signers_double_sign_once_their_region_returns() {
    let mut s = sim();
    s.inject(Fault::RegionDown {
        region: "us-east-1".into(),
    })
    .unwrap();
    run(&mut s, secs(30));
    s.start_standby_validators("us-east-1", "eu-west-1")
        .unwrap();
    run(&mut s, secs(60));
    assert!(s.double_signs().is_empty(), "the home region is still down");
    s.recover_region("us-east-1").unwrap();
    run(&mut s, secs(120));
    let ds = s.double_signs();
    assert_eq!(
        ds.len(),
        3,
        "each of us-east-1's three keys signs twice: {ds:?}"
    );
    assert!(
        ds.iter()
            .all(|d| d.home == "us-east-1" && d.standby == "eu-west-1")
    );
    s.stop_standby_validators("eu-west-1").unwrap();
    assert!(s.start_standby_validators("us-east-1", "moon").is_err());
}

#[test]
fn service_is_down_while_the_primary_region_is_and_back_after_failover() {
    let mut s = sim();
    run(&mut s, secs(30));
    let up = s.service();
    assert!(up.api_healthy && up.blocks_committing, "{up:?}");
    s.inject(Fault::RegionDown {
        region: "us-east-1".into(),
    })
    .unwrap();
    run(&mut s, secs(60));
    let down = s.service();
    assert!(!down.api_healthy, "the database primary is gone: {down:?}");
    assert!(!down.blocks_committing, "3 of 7 lost: halted");
    s.set_traffic("us-east-1", false).unwrap();
    s.promote_database("eu-west-1").unwrap();
    s.set_validators_running("us-east-1", false).unwrap();
    s.start_standby_validators("us-east-1", "eu-west-1")
        .unwrap();
    run(&mut s, secs(30));
    let back = s.service();
    assert!(back.api_healthy && back.blocks_committing, "{back:?}");
    assert!(back.serving.contains(&"eu-west-1".to_string()));
}

#[test]
fn a_failed_health_check_alone_leaves_service_up_elsewhere() {
    let mut s = sim();
    s.inject(Fault::HealthCheckFailure {
        region: "eu-west-1".into(),
    })
    .unwrap();
    run(&mut s, secs(30));
    let st = s.service();
    assert!(st.api_healthy && st.blocks_committing);
    assert!(!st.serving.contains(&"eu-west-1".to_string()));
}
