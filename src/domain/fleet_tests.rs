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
        chain_id: crate::domain::estate::SEED_CHAIN_ID.into(),
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

/// A chain answer whose heads are `endpoints` serving `chain_id`.
fn served(source: &str, at: i64, chain_id: &str, endpoints: &[&str], height: u64) -> PollReport {
    let heads = endpoints
        .iter()
        .map(|e| super::super::observation::EndpointHead {
            endpoint: (*e).into(),
            region: "us-east-1".into(),
            validator: None,
            chain_id: chain_id.into(),
            height,
            block_hash: format!("{chain_id}-{height}"),
        })
        .collect();
    let mut chain = chain_at(height);
    chain.chain_id = chain_id.into();
    chain.heads = heads;
    PollReport {
        source: source.into(),
        at: Timestamp::from_secs(at),
        next_poll: Timestamp::from_secs(at + 1),
        observations: vec![Observation::Chain { result: Ok(chain) }],
    }
}

#[test]
fn the_configured_chain_wins_over_more_endpoints_on_another() {
    for configured in [true, false] {
        let mut spec = EstateSpec::seed();
        if !configured {
            spec.chain_id = None;
        }
        let mut v = EstateView::new(spec);
        v.apply(&served("a", 10, "other-7", &["x", "y", "z"], 500));
        v.apply(&served(
            "b",
            10,
            crate::domain::estate::SEED_CHAIN_ID,
            &["w"],
            100,
        ));
        let held = v.chain.reading.as_ref().map(|r| r.value.chain_id.as_str());
        if configured {
            assert_eq!(held, Some(crate::domain::estate::SEED_CHAIN_ID));
        } else {
            assert_eq!(held, Some("other-7"), "by count, three beat one");
        }
    }
}

fn nodes(at: i64, region: &str, heights: &[(u64, i64, bool)]) -> PollReport {
    PollReport {
        source: format!("CometBFT {region}"),
        at: Timestamp::from_secs(at),
        next_poll: Timestamp::from_secs(at + 1),
        observations: heights
            .iter()
            .enumerate()
            .map(|(i, (height, block_at, catching_up))| Observation::Node {
                region: region.into(),
                node: format!("rpc-{i}.{region}"),
                result: Ok(NodeStatus {
                    height: *height,
                    catching_up: *catching_up,
                    peers: 3,
                    latest_block_time: Timestamp::from_secs(*block_at),
                }),
            })
            .collect(),
    }
}

#[test]
fn a_region_paces_on_its_highest_in_sync_node() {
    let mut v = EstateView::new(EstateSpec::seed());
    for i in 0..4_u64 {
        let t = i64::try_from(i * 6).unwrap_or(0);
        // The catching-up node is far higher (a bad clock, a replay): it
        // never sets the pace.
        v.apply(&nodes(
            t,
            "eu-west-1",
            &[
                (10 + i, t, false),
                (5 + i, t, false),
                (900 + i * 50, t, true),
            ],
        ));
    }
    let eu = v.region("eu-west-1").expect("region");
    assert_eq!(eu.block_pace.interval(), Some(Duration::from_secs(6)));
    assert_eq!(
        v.region("us-east-1").expect("region").block_pace.heard(),
        None,
        "another region's report is not this region's pace"
    );
}

/// A node whose clock runs an hour ahead reports a stalled chain's last
/// block in the future: the halt is still declared 3 intervals after the
/// block was first seen, not an hour later.
#[test]
fn a_block_time_ahead_of_our_clock_cannot_hide_a_halt() {
    let mut v = EstateView::new(EstateSpec::seed());
    let ahead = |at: i64| {
        let mut c = chain_at(500);
        c.latest_block_time = Timestamp::from_secs(at + 3600);
        PollReport {
            source: "CometBFT us-east-1".into(),
            at: Timestamp::from_secs(at),
            next_poll: Timestamp::from_secs(at + 1),
            observations: vec![Observation::Chain { result: Ok(c) }],
        }
    };
    let poll = v.spec.poll.chain;
    for at in [100, 105, 110, 115] {
        v.apply(&ahead(at));
    }
    let held = v.chain.reading.as_ref().map(|r| r.value.latest_block_time);
    assert_eq!(
        held,
        Some(Timestamp::from_secs(100)),
        "first seen, not the node's claim"
    );
    let verdict = |v: &EstateView, at| {
        crate::domain::assess::chain(&v.chain, Timestamp::from_secs(at), poll).word
    };
    assert_eq!(verdict(&v, 115), "SLOW");
    v.apply(&ahead(119));
    assert_eq!(verdict(&v, 119), "HALTED");
}
