//! Unit tests for `domain::signing`: who signs now, on which basis, and
//! where, from chain answers fed into an estate view.

use std::time::Duration;

use super::*;
use crate::domain::estate::EstateSpec;
use crate::domain::observation::{Observation, PollReport};

const NOW: i64 = 1_000;

/// A chain answer at `NOW` whose latest block is `block_age` old, with each
/// seed validator signing the latest commit unless named in `silent`.
fn view_with(silent: &[usize], block_age: u64, signs_in: &[(usize, &str)]) -> EstateView {
    let spec = EstateSpec::seed();
    let mut view = EstateView::new(spec.clone());
    let validators = spec
        .validators
        .iter()
        .enumerate()
        .map(|(i, v)| ValidatorStatus {
            address: v.address.clone(),
            voting_power: v.voting_power,
            signed_latest: !silent.contains(&i),
            missed_recent: u32::from(silent.contains(&i)),
            window: 100,
            last_signed_height: Some(if silent.contains(&i) { 95 } else { 100 }),
            signs_in: signs_in
                .iter()
                .find(|(j, _)| *j == i)
                .map(|(_, r)| (*r).to_owned()),
        })
        .collect();
    view.apply(&PollReport {
        source: "chain".into(),
        at: Timestamp::from_secs(NOW),
        next_poll: Timestamp::from_secs(NOW + 1),
        observations: vec![Observation::Chain {
            result: Ok(ChainStatus {
                chain_id: crate::domain::estate::SEED_CHAIN_ID.into(),
                height: 100,
                latest_block_time: Timestamp::from_secs(NOW).minus(Duration::from_secs(block_age)),
                avg_block_time: Duration::from_secs(6),
                validators,
                disagreement: None,
                heads: Vec::new(),
            }),
        }],
    });
    view
}

#[test]
fn everyone_signing_a_producing_chain() {
    let pic = picture(&view_with(&[], 2, &[]), Timestamp::from_secs(NOW));
    assert_eq!(pic.basis, SigningBasis::Signing);
    assert!(pic.signers.iter().all(|s| s.signing == Signing::Signing));
    let m = pic.margin();
    assert_eq!(
        (m.signing_power, m.total_power, m.margin_power),
        (70, 70, 23)
    );
    assert!(!m.one_validator_from_halt());
}

#[test]
fn an_offline_validator_is_not_signing_power() {
    let pic = picture(&view_with(&[3], 2, &[]), Timestamp::from_secs(NOW));
    assert_eq!(pic.signers[3].signing, Signing::Missed);
    assert_eq!(pic.margin().signing_power, 60);
}

#[test]
fn old_signatures_of_a_stopped_chain_are_stale_never_signing() {
    // 19 s without a block at 6 s blocks: past 3 intervals.
    let view = view_with(&[], 19, &[]);
    let now = Timestamp::from_secs(NOW);
    let pic = picture(&view, now);
    assert_eq!(pic.basis, SigningBasis::LastCommit);
    assert!(pic.signers.iter().all(|s| s.signing == Signing::Stale));
    assert!(!producing(&view, now));
    // 17 s: still within 3 intervals.
    assert!(producing(&view_with(&[], 17, &[]), now));
}

#[test]
fn a_view_gone_stale_is_not_news_either() {
    let view = view_with(&[], 0, &[]);
    // Polled every second: 10 s later the view is stale.
    let pic = picture(&view, Timestamp::from_secs(NOW + 10));
    assert_eq!(pic.basis, SigningBasis::LastCommit);
    assert!(pic.signers.iter().all(|s| s.signing == Signing::Stale));
}

#[test]
fn no_chain_answer_falls_back_to_the_configuration() {
    let view = EstateView::new(EstateSpec::seed());
    let pic = picture(&view, Timestamp::from_secs(NOW));
    assert_eq!(pic.basis, SigningBasis::Configuration);
    assert!(
        pic.signers
            .iter()
            .all(|s| s.signing == Signing::Unknown && s.counts)
    );
}

#[test]
fn keys_are_placed_where_the_source_saw_them_sign() {
    let pic = picture(
        &view_with(&[], 2, &[(0, "eu-west-1")]),
        Timestamp::from_secs(NOW),
    );
    assert_eq!(pic.signers[0].region.as_deref(), Some("eu-west-1"));
    assert_eq!(pic.signers[1].region.as_deref(), Some("us-east-1"));
}

#[test]
fn validators_the_file_does_not_map_are_unplaced() {
    let mut view = view_with(&[], 2, &[]);
    view.spec.validators.truncate(5);
    let pic = picture(&view, Timestamp::from_secs(NOW));
    assert_eq!(pic.unmapped_power(), 20);
    assert!(pic.not_in_set.is_empty());
    view.spec.validators[0].address = "AB".repeat(20);
    let pic = picture(&view, Timestamp::from_secs(NOW));
    assert_eq!(pic.not_in_set, ["us-east-1-val-0"]);
}

#[test]
fn missing_counts_blocks_since_the_last_signature() {
    let mut v = view_with(&[], 2, &[])
        .chain
        .reading
        .expect("chain")
        .value
        .validators
        .remove(0);
    assert!(!missing(&v, 100));
    v.signed_latest = false;
    v.last_signed_height = Some(98);
    assert!(!missing(&v, 100), "two blocks is a hiccup");
    v.last_signed_height = Some(97);
    assert!(missing(&v, 100));
    v.last_signed_height = None;
    assert!(missing(&v, 100));
}
