//! Unit tests for `domain::breach`: each new kind of breach from an
//! estate view fed the way sources feed it, and the worst-first order.

use std::time::Duration;

use super::*;
use crate::domain::observation::{
    ChainStatus, HealthStatus, NodeStatus, Observation, PollReport, ValidatorStatus,
};

const NOW: i64 = 1_000;

fn at(s: i64) -> Timestamp {
    Timestamp::from_secs(s)
}

/// Everything healthy at `NOW`; `silent` validators are out of the latest
/// commits since height 90.
fn healthy(silent: &[usize], block_age: u64) -> EstateView {
    let spec = EstateSpec::seed();
    let mut view = EstateView::new(spec.clone());
    let mut obs = Vec::new();
    for r in &spec.regions {
        obs.push(Observation::Health {
            region: r.name.clone(),
            result: Ok(HealthStatus {
                healthy: true,
                checkers_ok: 8,
                checkers_total: 8,
            }),
        });
        obs.push(Observation::ReplicationLag {
            region: r.name.clone(),
            result: Ok(Duration::from_secs(1)),
        });
        for b in &spec.backups {
            obs.push(Observation::NewestBackup {
                region: r.name.clone(),
                kind: b.kind,
                result: Ok(Some(at(NOW - 60))),
            });
        }
        for s in &r.secrets {
            obs.push(Observation::Secret {
                region: r.name.clone(),
                name: s.clone(),
                result: Ok(Some(crate::domain::observation::SecretInfo {
                    last_changed: None,
                })),
            });
        }
        for n in &r.rpc_nodes {
            obs.push(Observation::Node {
                region: r.name.clone(),
                node: n.clone(),
                result: Ok(NodeStatus {
                    height: 100,
                    catching_up: false,
                    peers: 8,
                    latest_block_time: at(NOW - 2),
                }),
            });
        }
    }
    obs.push(Observation::Chain {
        result: Ok(ChainStatus {
            chain_id: crate::domain::estate::SEED_CHAIN_ID.into(),
            height: 100,
            latest_block_time: at(NOW).minus(Duration::from_secs(block_age)),
            avg_block_time: Duration::from_secs(6),
            validators: spec
                .validators
                .iter()
                .enumerate()
                .map(|(i, v)| ValidatorStatus {
                    address: v.address.clone(),
                    voting_power: v.voting_power,
                    signed_latest: !silent.contains(&i),
                    missed_recent: if silent.contains(&i) { 10 } else { 0 },
                    window: 100,
                    last_signed_height: Some(if silent.contains(&i) { 90 } else { 100 }),
                    signs_in: None,
                })
                .collect(),
            disagreement: None,
            heads: Vec::new(),
        }),
    });
    view.apply(&PollReport {
        source: "all".into(),
        at: at(NOW),
        next_poll: at(NOW + 1),
        observations: obs,
    });
    view
}

fn kinds(view: &EstateView) -> Vec<BreachKind> {
    breaches(view, at(NOW)).iter().map(|b| b.kind).collect()
}

#[test]
fn a_healthy_estate_holds_every_target() {
    assert_eq!(breaches(&healthy(&[], 2), at(NOW)), Vec::new());
}

#[test]
fn one_offline_validator_is_missing_and_costs_the_halt_margin() {
    let b = breaches(&healthy(&[3], 2), at(NOW));
    let k: Vec<BreachKind> = b.iter().map(|b| b.kind).collect();
    assert_eq!(k, [BreachKind::HaltMargin, BreachKind::ValidatorMissing]);
    assert_eq!(
        b[0].detail,
        "losing ap-southeast-1 now halts the chain: 60 of 70 power signs, 13 to spare"
    );
    assert_eq!(b[1].subject, "eu-west-1-val-0");
}

#[test]
fn two_offline_validators_leave_one_validator_to_halting() {
    // 50 of 70 signs; 47 are needed.
    let b = breaches(&healthy(&[0, 3], 2), at(NOW));
    assert_eq!(b[0].kind, BreachKind::HaltMargin);
    assert!(
        b[0].detail.starts_with("one validator from halting"),
        "{}",
        b[0].detail
    );
}

#[test]
fn too_little_signing_power_for_blocks_is_a_halt_margin_breach() {
    // 40 of 70: sources that still report new blocks disagree with the
    // signatures; the signatures are believed.
    let b = breaches(&healthy(&[0, 3, 5], 2), at(NOW));
    assert_eq!(b[0].kind, BreachKind::HaltMargin);
    assert_eq!(
        b[0].detail,
        "only 40 of 70 power signs: blocks need more than 46"
    );
}

#[test]
fn a_stopped_chain_is_the_first_breach() {
    let b = breaches(&healthy(&[], 19), at(NOW));
    assert_eq!(b.first().map(|b| b.kind), Some(BreachKind::ChainHalted));
    assert_eq!(b[0].headline(), "CHAIN HALTED");
    // Its last commit is history: no validator is judged missing from it.
    assert!(!b.iter().any(|b| b.kind == BreachKind::ValidatorMissing));
}

#[test]
fn a_region_without_a_fresh_rpc_answer_is_unknown_coverage() {
    let mut view = healthy(&[], 2);
    for (_, n) in &mut view.regions[2].nodes {
        n.reading = None;
        n.fail("connection refused".into(), at(NOW));
    }
    let b = breaches(&view, at(NOW));
    let rpc: Vec<&Breach> = b
        .iter()
        .filter(|b| b.kind == BreachKind::RpcUnknown)
        .collect();
    assert_eq!(rpc.len(), 1);
    assert_eq!(rpc[0].subject, "ap-southeast-1 rpc");
    assert_eq!(
        rpc[0].detail,
        "no fresh answer from its 2 RPC nodes: rpc-0.ap-southeast-1: connection refused"
    );
}

#[test]
fn an_old_chain_view_is_unknown_coverage_not_a_halt() {
    let view = healthy(&[], 0);
    let k: Vec<BreachKind> = breaches(&view, at(NOW + 10))
        .iter()
        .map(|b| b.kind)
        .collect();
    assert!(k.contains(&BreachKind::RpcUnknown), "{k:?}");
    assert!(!k.contains(&BreachKind::ChainHalted), "{k:?}");
}

#[test]
fn power_the_file_does_not_map_is_a_breach_naming_it() {
    let mut view = healthy(&[], 2);
    let unmapped = view.spec.validators.remove(6);
    view.spec.validators[0].address = "AB".repeat(20);
    let b = breaches(&view, at(NOW));
    let unplaced = b
        .iter()
        .find(|b| b.kind == BreachKind::UnmappedPower)
        .expect("unmapped power");
    assert!(
        unplaced.detail.starts_with("20 power in no region"),
        "{}",
        unplaced.detail
    );
    assert!(unplaced.detail.contains(&unmapped.address));
    assert!(kinds(&view).contains(&BreachKind::ValidatorNotInSet));
}

#[test]
fn breaches_come_worst_first() {
    let mut view = healthy(&[3], 19);
    view.regions[0].health.observe(
        HealthStatus {
            healthy: false,
            checkers_ok: 0,
            checkers_total: 8,
        },
        at(NOW),
    );
    let k = kinds(&view);
    let mut sorted = k.clone();
    sorted.sort();
    assert_eq!(k, sorted);
    assert_eq!(k[0], BreachKind::ChainHalted);
}

fn topology(
    region: &str,
    database: Option<crate::domain::observation::DatabaseRole>,
) -> Observation {
    Observation::Topology {
        region: region.into(),
        result: Ok(crate::domain::observation::RegionTopology {
            database,
            traffic_weight: Some(100),
            health_check_inverted: Some(false),
            unread: Vec::new(),
        }),
    }
}

#[test]
fn two_database_primaries_are_a_split_named_in_the_header() {
    use crate::domain::observation::DatabaseRole::{Primary, Replica};
    let mut view = healthy(&[], 2);
    let report = |observations| PollReport {
        source: "failover".into(),
        at: at(NOW),
        next_poll: at(NOW + 1),
        observations,
    };
    view.apply(&report(vec![
        topology("us-east-1", Some(Primary)),
        topology("eu-west-1", Some(Replica)),
        topology("ap-southeast-1", None),
    ]));
    assert_eq!(
        breaches(&view, at(NOW)),
        Vec::new(),
        "one primary, one unknown"
    );
    view.apply(&report(vec![topology("eu-west-1", Some(Primary))]));
    let b = breaches(&view, at(NOW));
    assert_eq!(b[0].kind, BreachKind::DatabaseSplit, "{b:?}");
    assert_eq!(
        b[0].detail,
        "us-east-1 and eu-west-1 each report their database as the primary"
    );
    assert_eq!(b[0].headline(), "TWO DATABASE PRIMARIES");
    // A primary reading gone stale no longer counts as a primary now.
    let later = at(NOW + 120);
    assert!(
        breaches(&view, later)
            .iter()
            .all(|b| b.kind != BreachKind::DatabaseSplit)
    );
}
