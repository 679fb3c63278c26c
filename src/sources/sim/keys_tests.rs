#![allow(clippy::unwrap_used)]

use std::time::Duration;

use super::super::SimEstate;
use super::*;
use crate::domain::estate::EstateSpec;
use crate::domain::observation::Observation;

const VAL: &str = "us-east-1-val-0";

fn sim() -> SimEstate {
    SimEstate::new(
        EstateSpec::seed(),
        5,
        Timestamp::parse_rfc3339("2026-11-26T03:00:00Z").unwrap(),
    )
}

/// The estate 20 s after `VAL`'s key was declared compromised.
fn compromised() -> SimEstate {
    let mut s = sim();
    s.inject(Fault::KeyCompromised {
        validator: VAL.into(),
    })
    .unwrap();
    run(&mut s, 20);
    s
}

fn run(sim: &mut SimEstate, secs: u64) {
    let t = sim.now().plus(Duration::from_secs(secs));
    sim.advance_to(t);
}

/// The addresses of the chain's validator set, as RPC shows them.
fn set_addresses(sim: &SimEstate) -> Vec<String> {
    sim.observe()
        .into_iter()
        .find_map(|o| match o {
            Observation::Chain { result } => Some(
                result
                    .unwrap()
                    .validators
                    .into_iter()
                    .map(|v| v.address)
                    .collect(),
            ),
            _ => None,
        })
        .unwrap()
}

#[test]
fn fencing_one_validator_silences_it_and_leaves_the_rest_signing() {
    let mut s = sim();
    run(&mut s, 30);
    assert!(
        s.key_silent(VAL)
            .unwrap_err()
            .to_string()
            .contains("still signs")
    );
    s.set_validator_running(VAL, false).unwrap();
    run(&mut s, 30);
    let line = s.key_silent(VAL).unwrap();
    assert!(
        line.contains("signed nothing in the latest commit"),
        "{line}"
    );
    // The others keep the chain going.
    let h = s.chain.height();
    run(&mut s, 30);
    assert!(s.chain.height() > h);
    assert!(s.key_silent("us-east-1-val-1").is_err());
}

#[test]
fn a_rotation_needs_a_new_key_node_and_only_one_per_unbonding_period() {
    let mut s = sim();
    let err = s.rotate_validator_key(VAL).unwrap_err().to_string();
    assert!(
        err.contains("no node with a new key runs for us-east-1-val-0"),
        "{err}"
    );
    let old = s.spec.validators[0].address.clone();
    assert!(set_addresses(&s).contains(&old));
    s.set_validator_running(VAL, false).unwrap();
    s.start_new_key_node(VAL).unwrap();
    let new = s.new_key_address(VAL).unwrap();
    assert_ne!(new, old);
    assert_eq!(new.len(), 40);
    let r = s.rotate_validator_key(VAL).unwrap();
    assert_eq!(
        (r.old_address.as_str(), r.new_address.as_str()),
        (old.as_str(), new.as_str())
    );
    assert_eq!(r.signs_from, r.at.plus(NEW_NODE_SYNC));
    // Before the new node caught up it signs nothing; afterwards it does,
    // under the validator's name at the new address.
    assert!(s.rotated_key_signs(VAL).is_err());
    run(&mut s, NEW_NODE_SYNC.as_secs() + 30);
    let line = s.rotated_key_signs(VAL).unwrap();
    assert!(line.contains(&format!("{new} signs with power")), "{line}");
    assert!(line.contains(&format!("{old} is out of the set")), "{line}");
    let set = set_addresses(&s);
    assert!(set.contains(&new) && !set.contains(&old), "{set:?}");
    // A second rotation within 21 days is refused by the chain.
    s.start_new_key_node(VAL).unwrap();
    let err = s.rotate_validator_key(VAL).unwrap_err().to_string();
    assert!(err.contains("one rotation per unbonding period"), "{err}");
    assert_eq!(s.rotations().len(), 1);
}

#[test]
fn a_compromised_key_that_stops_and_is_rotated_out_never_signs_again() {
    let mut s = compromised();
    assert_eq!(s.service().compromised_signing, [VAL]);
    s.set_validator_running(VAL, false).unwrap();
    run(&mut s, 20);
    assert!(s.service().compromised_signing.is_empty());
    s.start_new_key_node(VAL).unwrap();
    s.rotate_validator_key(VAL).unwrap();
    run(&mut s, 300);
    let c = &s.compromised_keys()[0];
    assert!(c.stopped_at.is_some());
    assert_eq!(c.signed_again, None);
}

#[test]
fn a_compromised_key_restored_from_backup_is_seen_signing_again() {
    let mut s = compromised();
    s.set_validator_running(VAL, false).unwrap();
    run(&mut s, 20);
    let stopped = s.compromised_keys()[0].stopped_at.unwrap();
    s.restore_validator_key(VAL).unwrap();
    run(&mut s, 60);
    let (height, _) = s.compromised_keys()[0].signed_again.unwrap();
    assert!(height > stopped);
    assert_eq!(s.service().compromised_signing, [VAL]);
}

#[test]
fn a_halted_chain_still_sees_the_fence() {
    let mut s = compromised();
    // Fencing the whole region takes more than 1/3 of the power: no commit.
    s.set_validators_running("us-east-1", false).unwrap();
    let h = s.chain.height();
    run(&mut s, 60);
    assert_eq!(s.chain.height(), h, "the chain halts");
    assert_eq!(s.compromised_keys()[0].stopped_at, Some(h));
}
