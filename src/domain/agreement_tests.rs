//! Unit tests for `domain::agreement`: forks and other chains among the
//! endpoints, in every order the answers can arrive, and how a fork clears.

use super::*;

fn head(endpoint: &str, chain: &str, height: u64, hash: &str) -> EndpointHead {
    EndpointHead {
        endpoint: endpoint.into(),
        region: format!("{endpoint}-region"),
        validator: None,
        chain_id: chain.into(),
        height,
        block_hash: hash.into(),
    }
}

const FRESH: Duration = Duration::from_secs(3);

fn at(s: i64) -> Timestamp {
    Timestamp::from_secs(s)
}

#[test]
fn endpoints_on_one_chain_and_one_fork_agree() {
    let mut a = Agreement::default();
    a.observe(
        &[head("a", "c-1", 10, "AA10"), head("b", "c-1", 9, "AA09")],
        at(0),
    );
    a.observe(&[head("b", "c-1", 10, "AA10")], at(1));
    assert_eq!(a.fork(), None);
    assert_eq!(a.wrong_chains(None, at(1), FRESH), Vec::new());
}

#[test]
fn a_different_block_at_a_common_height_is_a_fork_in_every_order() {
    let answers = [
        vec![head("us", "c-1", 10, "AA10")],
        vec![head("eu", "c-1", 10, "BB10")],
        vec![head("ap", "c-1", 10, "AA10")],
    ];
    for order in [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ] {
        let mut a = Agreement::default();
        for (t, i) in order.iter().enumerate() {
            a.observe(&answers[*i], at(i64::try_from(t).unwrap_or(0)));
        }
        let fork = a
            .fork()
            .unwrap_or_else(|| panic!("no fork in order {order:?}"));
        assert_eq!(fork.height, 10);
        let mut sides: Vec<&str> = fork.sides.iter().map(|(e, _)| e.as_str()).collect();
        sides.sort_unstable();
        assert_eq!(sides, ["ap", "eu", "us"], "{order:?}");
        assert!(
            fork.describe()
                .starts_with("different blocks at height 10: ")
        );
    }
}

#[test]
fn a_fork_is_sticky_until_its_sides_agree_again_later() {
    let mut a = Agreement::default();
    a.observe(
        &[head("us", "c-1", 10, "AA10"), head("eu", "c-1", 10, "BB10")],
        at(0),
    );
    // Both move on, still apart: the fork stands.
    a.observe(
        &[head("us", "c-1", 11, "AA11"), head("eu", "c-1", 11, "BB11")],
        at(1),
    );
    assert_eq!(a.fork().map(|f| f.height), Some(10), "first seen, kept");
    // eu stops answering: nothing clears the fork.
    a.observe(&[head("us", "c-1", 12, "AA12")], at(2));
    assert!(a.fork().is_some());
    // eu is rebuilt and agrees at a later height: cleared.
    a.observe(&[head("eu", "c-1", 12, "AA12")], at(3));
    assert_eq!(a.fork(), None);
}

#[test]
fn the_chain_most_endpoints_serve_names_the_odd_one_out() {
    let mut a = Agreement::default();
    a.observe(
        &[head("us-0", "c-1", 10, "AA"), head("us-1", "c-1", 10, "AA")],
        at(0),
    );
    a.observe(&[head("eu", "other-9", 50, "ZZ")], at(1));
    a.observe(&[head("ap", "c-1", 10, "AA")], at(1));
    let wrong = a.wrong_chains(None, at(1), FRESH);
    assert_eq!(
        wrong,
        [WrongChain {
            endpoint: "eu".into(),
            serves: "other-9".into(),
            expected: Some("c-1".into()),
        }]
    );
    assert_eq!(
        a.fork(),
        None,
        "another chain's blocks are not a fork of ours"
    );
    // A configured chain id wins over the count.
    assert_eq!(a.wrong_chains(Some("other-9"), at(1), FRESH).len(), 3);
    // Old sightings stop counting.
    assert_eq!(a.wrong_chains(None, at(10), FRESH), Vec::new());
}

#[test]
fn only_a_bounded_number_of_heights_is_kept_per_endpoint() {
    let mut a = Agreement::default();
    for h in 0..1_000_u64 {
        a.observe(&[head("us", "c-1", h, &format!("{h:X}"))], at(0));
    }
    assert!(a.sightings[0].hashes.len() <= KEPT_HEIGHTS);
}

#[test]
fn an_even_split_between_chains_names_every_side_and_trusts_neither() {
    let mut a = Agreement::default();
    a.observe(&[head("us", "c-1", 10, "AA")], at(0));
    a.observe(&[head("eu", "other-9", 50, "ZZ")], at(0));
    assert_eq!(a.chain_id(None, at(0), FRESH), None);
    let mut named: Vec<(String, Option<String>)> = a
        .wrong_chains(None, at(0), FRESH)
        .into_iter()
        .map(|w| (w.endpoint, w.expected))
        .collect();
    named.sort();
    assert_eq!(named, [("eu".into(), None), ("us".into(), None)]);
    // In either order of arrival.
    let mut b = Agreement::default();
    b.observe(&[head("eu", "other-9", 50, "ZZ")], at(0));
    b.observe(&[head("us", "c-1", 10, "AA")], at(0));
    assert_eq!(b.wrong_chains(None, at(0), FRESH).len(), 2);
}
