//! Unit tests for `domain::fleet`: folding poll reports into the picture.

use super::*;

fn report(at: i64, observations: Vec<Observation>) -> PollReport {
    PollReport {
        source: "sim".into(),
        at: Timestamp::from_secs(at),
        next_poll: Timestamp::from_secs(at + 1),
        observations,
    }
}

#[test]
fn applies_readings_and_ignores_unknown_regions() {
    let mut v = EstateView::new(EstateSpec::seed());
    v.apply(&report(
        10,
        vec![
            Observation::ReplicationLag {
                region: "eu-west-1".into(),
                result: Ok(Duration::from_secs(4)),
            },
            Observation::ReplicationLag {
                region: "mars-1".into(),
                result: Ok(Duration::from_secs(1)),
            },
        ],
    ));
    let eu = v.region("eu-west-1").expect("region");
    assert_eq!(
        eu.lag.reading.as_ref().map(|r| r.value),
        Some(Duration::from_secs(4))
    );
    assert_eq!(v.sources[0].last_ok, Some(Timestamp::from_secs(10)));
    assert_eq!(v.sources[0].failed_last, (0, 2));
}

#[test]
fn failures_mark_the_source_and_keep_old_readings() {
    let mut v = EstateView::new(EstateSpec::seed());
    let ok = Observation::Chain {
        result: Err("connection refused".into()),
    };
    v.apply(&report(5, vec![ok.clone()]));
    v.apply(&report(6, vec![ok]));
    let s = &v.sources[0];
    assert_eq!(
        s.failing_since,
        Some(Timestamp::from_secs(5)),
        "failing since the first failure"
    );
    assert_eq!(
        s.last_error.as_ref().map(|e| e.1),
        Some(Timestamp::from_secs(6))
    );
    assert!(v.chain.reading.is_none());
}

fn chain_at(height: u64) -> ChainStatus {
    ChainStatus {
        chain_id: "c".into(),
        height,
        latest_block_time: Timestamp::from_secs(0),
        avg_block_time: Duration::from_secs(6),
        validators: Vec::new(),
        disagreement: None,
        heads: Vec::new(),
    }
}

fn chain_report(source: &str, at: i64, height: u64) -> PollReport {
    PollReport {
        source: source.into(),
        at: Timestamp::from_secs(at),
        next_poll: Timestamp::from_secs(at + 1),
        observations: vec![Observation::Chain {
            result: Ok(chain_at(height)),
        }],
    }
}

fn held(v: &EstateView) -> (u64, Option<&str>, Option<&str>) {
    let r = v.chain.reading.as_ref().expect("chain");
    (
        r.value.height,
        v.chain_source.as_deref(),
        r.value.disagreement.as_deref(),
    )
}

#[test]
fn the_highest_fresh_region_answer_wins() {
    let mut v = EstateView::new(EstateSpec::seed());
    v.apply(&chain_report("CometBFT us-east-1", 10, 100));
    v.apply(&chain_report("CometBFT eu-west-1", 11, 99));
    assert_eq!(
        held(&v),
        (100, Some("CometBFT us-east-1"), None),
        "one block behind is normal"
    );
    v.apply(&chain_report("CometBFT eu-west-1", 12, 101));
    assert_eq!(held(&v), (101, Some("CometBFT eu-west-1"), None));
}

#[test]
fn regions_far_apart_are_a_disagreement() {
    let mut v = EstateView::new(EstateSpec::seed());
    v.apply(&chain_report("CometBFT us-east-1", 10, 100));
    v.apply(&chain_report("CometBFT ap-southeast-1", 11, 90));
    let (h, src, note) = held(&v);
    assert_eq!((h, src), (100, Some("CometBFT us-east-1")));
    assert_eq!(
        note,
        Some("CometBFT us-east-1 at height 100, CometBFT ap-southeast-1 at height 90")
    );
    assert_eq!(
        v.chain.reading.as_ref().map(|r| r.observed_at),
        Some(Timestamp::from_secs(10)),
        "the kept answer does not get younger"
    );
}

#[test]
fn a_stale_higher_answer_gives_way() {
    let mut v = EstateView::new(EstateSpec::seed());
    v.apply(&chain_report("CometBFT us-east-1", 10, 100));
    v.apply(&chain_report("CometBFT eu-west-1", 20, 90));
    assert_eq!(held(&v), (90, Some("CometBFT eu-west-1"), None));
}
