//! The CometBFT source against a fake node speaking real CometBFT JSON on
//! 127.0.0.1, through the real `tendermint-rpc` HTTP client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use drconsole::domain::observation::{ChainStatus, NodeStatus, Observation};
use drconsole::domain::time::Timestamp;
use drconsole::sources::cometbft::{CometSource, Dialect};
use support::cometbft_server::{Behaviour, CometServer, NodeConfig};

const NOW: Timestamp = Timestamp::from_secs(1_795_662_700);
const SHORT: Duration = Duration::from_millis(300);

fn source(urls: &[&str]) -> CometSource {
    CometSource::new("eu-west-1", urls.iter().copied()).with_timeout(Duration::from_secs(3))
}

type Nodes = Vec<(String, Result<NodeStatus, String>)>;
type Chain = Result<ChainStatus, String>;

/// The node results by endpoint, and the chain result.
fn split(obs: Vec<Observation>) -> (Nodes, Chain) {
    let mut nodes = Vec::new();
    let mut chain = None;
    for o in obs {
        match o {
            Observation::Node {
                region,
                node,
                result,
            } => {
                assert_eq!(region, "eu-west-1");
                nodes.push((node, result));
            }
            Observation::Chain { result } => {
                assert!(chain.is_none(), "one chain observation per poll");
                chain = Some(result);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    (nodes, chain.expect("a chain observation"))
}

#[tokio::test]
async fn healthy_node_of_each_dialect_is_read() {
    for (version, dialect) in [
        ("0.34.21", Dialect::V0_34),
        ("0.37.2", Dialect::V0_37),
        ("0.38.12", Dialect::V0_38),
        ("1.0.1", Dialect::V0_38),
    ] {
        let config = NodeConfig::new(version);
        let server = CometServer::start(config.clone()).await;
        let mut src = source(&[&server.url]);
        let (nodes, chain) = split(src.poll(NOW).await);

        let node = nodes[0].1.as_ref().expect(version);
        assert_eq!(nodes[0].0, server.url);
        assert_eq!((node.height, node.catching_up, node.peers), (100, false, 6));
        assert_eq!(
            node.latest_block_time,
            Timestamp::parse_rfc3339(&config.block_time(100)).unwrap()
        );
        assert_eq!(src.dialect(&server.url), Some(dialect), "{version}");

        let chain = chain.expect(version);
        assert_eq!(chain.chain_id, "virtengine-dr-1");
        assert_eq!(chain.height, 100);
        assert_eq!(chain.latest_block_time, node.latest_block_time);
        assert_eq!(chain.avg_block_time, Duration::from_secs(6));
        assert_eq!(chain.disagreement, None);
        assert_eq!(chain.validators.len(), 4);
        for v in &chain.validators {
            assert!(v.signed_latest, "{version} {v:?}");
            assert_eq!((v.missed_recent, v.window), (0, 20));
        }
        assert_eq!(chain.validators[0].address, config.validator_address(0));
        assert_eq!(chain.validators[0].voting_power, 40);
    }
}

#[tokio::test]
async fn three_hundred_validators_across_pages_are_all_counted_once() {
    let config = NodeConfig {
        validators: 300,
        ..NodeConfig::new("0.38.12")
    };
    let server = CometServer::start(config.clone()).await;
    let mut src = source(&[&server.url]);
    let chain = split(src.poll(NOW).await).1.unwrap();

    assert_eq!(chain.validators.len(), 300);
    let addresses: HashSet<_> = chain.validators.iter().map(|v| v.address.clone()).collect();
    let expected: HashSet<_> = (0..300).map(|i| config.validator_address(i)).collect();
    assert_eq!(addresses, expected);
    assert!(chain.validators.iter().all(|v| v.signed_latest));
    assert!(server.calls("validators") >= 3, "paged");

    // An unchanged validators_hash costs no more pages.
    let pages = server.calls("validators");
    server.update(|c| c.height = 101);
    let chain = split(src.poll(NOW).await).1.unwrap();
    assert_eq!(chain.validators.len(), 300);
    assert_eq!(server.calls("validators"), pages);
}

#[tokio::test]
async fn absent_signatures_show_as_not_signed_and_missed() {
    let config = NodeConfig {
        validators: 5,
        absent: vec![2],
        absent_at: vec![(1, 98), (3, 100)],
        ..NodeConfig::new("0.34.21")
    };
    let server = CometServer::start(config.clone()).await;
    let mut src = source(&[&server.url]).with_window(10);
    let chain = split(src.poll(NOW).await).1.unwrap();

    let by_index = |i: usize| {
        let address = config.validator_address(i);
        chain
            .validators
            .iter()
            .find(|v| v.address == address)
            .unwrap()
            .clone()
    };
    let never = by_index(2);
    assert!(!never.signed_latest);
    assert_eq!((never.missed_recent, never.window), (10, 10));
    let once = by_index(1);
    assert!(once.signed_latest);
    assert_eq!(once.missed_recent, 1);
    let latest = by_index(3);
    assert!(!latest.signed_latest);
    assert_eq!(latest.missed_recent, 1);
    assert_eq!(by_index(0).missed_recent, 0);
}

#[tokio::test]
async fn each_poll_fetches_only_new_commits() {
    let server = CometServer::start(NodeConfig::new("0.37.2")).await;
    let mut src = source(&[&server.url]).with_window(20);
    split(src.poll(NOW).await).1.unwrap();
    let mut first = server.commit_heights();
    first.sort_unstable();
    assert_eq!(first, (81..=100).collect::<Vec<_>>());

    server.update(|c| c.height = 103);
    let chain = split(src.poll(NOW).await).1.unwrap();
    let mut next = server.commit_heights()[20..].to_vec();
    next.sort_unstable();
    // 100 again: its seen commit is replaced by the canonical one.
    assert_eq!(next, vec![100, 101, 102, 103]);
    assert_eq!(chain.validators[0].window, 20);
}

#[tokio::test]
async fn hanging_node_times_out_while_the_other_yields_the_chain() {
    let hang = CometServer::start(NodeConfig {
        behaviour: Behaviour::Hang,
        ..NodeConfig::new("0.38.12")
    })
    .await;
    let good = CometServer::start(NodeConfig::new("0.38.12")).await;
    let mut src =
        CometSource::new("eu-west-1", [hang.url.clone(), good.url.clone()]).with_timeout(SHORT);

    let started = Instant::now();
    let (nodes, chain) = split(src.poll(NOW).await);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        nodes[0],
        (hang.url.clone(), Err("timed out after 300ms".to_owned()))
    );
    assert_eq!(nodes[1].1.as_ref().unwrap().height, 100);
    assert_eq!(chain.unwrap().height, 100);
    assert_eq!(src.dialect(&hang.url), None);
}

#[tokio::test]
async fn validators_that_hang_leave_the_node_up_and_the_chain_unknown() {
    let server = CometServer::start(NodeConfig {
        behaviour: Behaviour::HangOn("validators"),
        ..NodeConfig::new("0.38.12")
    })
    .await;
    let mut src = CometSource::new("eu-west-1", [server.url.clone()]).with_timeout(SHORT);
    let started = Instant::now();
    let (nodes, chain) = split(src.poll(NOW).await);
    assert!(started.elapsed() < src.timeout(), "{:?}", started.elapsed());
    assert!(nodes[0].1.is_ok());
    let err = chain.unwrap_err();
    assert!(
        err.starts_with("timed out after 300ms reading validators"),
        "{err}"
    );
    assert!(err.contains(&server.url), "{err}");
}

#[tokio::test]
async fn an_invalid_url_is_reported_as_such() {
    let mut src = source(&["ftp://nowhere"]);
    let (nodes, _) = split(src.poll(NOW).await);
    let err = nodes[0].1.clone().unwrap_err();
    assert!(err.starts_with("invalid RPC URL ftp://nowhere"), "{err}");
}

#[tokio::test]
async fn malformed_json_is_reported_naming_the_endpoint() {
    let server = CometServer::start(NodeConfig {
        behaviour: Behaviour::MalformedJson,
        ..NodeConfig::new("0.38.12")
    })
    .await;
    let mut src = source(&[&server.url]);
    let (nodes, chain) = split(src.poll(NOW).await);
    let err = nodes[0].1.clone().unwrap_err();
    assert!(
        err.starts_with(&format!("malformed JSON from {}: ", server.url)),
        "{err}"
    );
    assert!(err.contains("EOF while parsing"), "{err}");
    assert!(
        chain
            .unwrap_err()
            .contains("no RPC endpoint in eu-west-1 answered")
    );
}

#[tokio::test]
async fn http_500_is_reported_with_its_status() {
    let server = CometServer::start(NodeConfig {
        behaviour: Behaviour::Http500,
        ..NodeConfig::new("0.38.12")
    })
    .await;
    let mut src = source(&[&server.url]);
    let (nodes, _) = split(src.poll(NOW).await);
    assert_eq!(nodes[0].1, Err(format!("HTTP 500 from {}", server.url)));
}

#[tokio::test]
async fn refused_connection_is_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let mut src = source(&[&url]);
    let (nodes, chain) = split(src.poll(NOW).await);
    let err = nodes[0].1.clone().unwrap_err();
    assert!(err.starts_with(&format!("cannot reach {url}")), "{err}");
    assert!(chain.is_err());
}

#[tokio::test]
async fn endpoints_far_apart_in_height_disagree() {
    let a = CometServer::start(NodeConfig::new("0.38.12")).await;
    let b = CometServer::start(NodeConfig {
        height: 95,
        ..NodeConfig::new("0.38.12")
    })
    .await;
    let mut src = source(&[&a.url, &b.url]);
    let chain = split(src.poll(NOW).await).1.unwrap();
    assert_eq!(
        chain.height, 100,
        "the chain view comes from the highest node"
    );
    let text = chain.disagreement.expect("disagreement");
    assert!(text.contains("heights differ by 5 blocks"), "{text}");
    assert!(text.contains(&format!("{} at 100", a.url)), "{text}");
    assert!(text.contains(&format!("{} at 95", b.url)), "{text}");

    // Within two blocks is propagation, not disagreement.
    b.update(|c| c.height = 98);
    let chain = split(src.poll(NOW).await).1.unwrap();
    assert_eq!(chain.disagreement, None);
}

#[tokio::test]
async fn endpoints_with_different_validator_sets_at_one_height_disagree() {
    let a = CometServer::start(NodeConfig::new("0.37.2")).await;
    let b = CometServer::start(NodeConfig {
        salt: 7,
        ..NodeConfig::new("0.37.2")
    })
    .await;
    let mut src = source(&[&a.url, &b.url]);
    let chain = split(src.poll(NOW).await).1.unwrap();
    let text = chain.disagreement.expect("disagreement");
    assert!(
        text.contains("different validator sets at height 100"),
        "{text}"
    );
    assert!(text.contains(&a.url) && text.contains(&b.url), "{text}");
}

#[tokio::test]
async fn the_configured_chain_is_read_even_when_another_chain_is_higher() {
    let ours = CometServer::start(NodeConfig::new("0.38.12")).await;
    let other = CometServer::start(NodeConfig {
        chain_id: "virtengine-testnet-4".to_owned(),
        height: 900,
        salt: 3,
        ..NodeConfig::new("0.38.12")
    })
    .await;
    // The other chain is first and higher: without a configured chain it
    // is the one read.
    let mut plain = source(&[&other.url, &ours.url]);
    let chain = split(plain.poll(NOW).await).1.unwrap();
    assert_eq!(
        (chain.chain_id.as_str(), chain.height),
        ("virtengine-testnet-4", 900)
    );

    let mut src = source(&[&other.url, &ours.url]).with_chain_id(Some("virtengine-dr-1".into()));
    let (nodes, chain) = split(src.poll(NOW).await);
    assert!(nodes.iter().all(|(_, r)| r.is_ok()), "{nodes:?}");
    let chain = chain.unwrap();
    assert_eq!(
        (chain.chain_id.as_str(), chain.height),
        ("virtengine-dr-1", 100)
    );
    assert_eq!(
        chain.validators[0].address,
        NodeConfig::new("0.38.12").validator_address(0),
        "validators come from the configured chain's node"
    );
    // Both endpoints are still reported, so the wrong one can be named.
    let mut heads: Vec<(String, String)> = chain
        .heads
        .iter()
        .map(|h| (h.endpoint.clone(), h.chain_id.clone()))
        .collect();
    heads.sort();
    let mut want = vec![
        (ours.url.clone(), "virtengine-dr-1".to_owned()),
        (other.url.clone(), "virtengine-testnet-4".to_owned()),
    ];
    want.sort();
    assert_eq!(heads, want);

    // With no endpoint on the configured chain, the view is still read
    // (and the fleet refuses it as another chain's), never an error here.
    let mut alone = source(&[&other.url]).with_chain_id(Some("virtengine-dr-1".into()));
    let chain = split(alone.poll(NOW).await).1.unwrap();
    assert_eq!(chain.chain_id, "virtengine-testnet-4");
}

#[tokio::test]
async fn only_catching_up_nodes_give_no_chain_view() {
    let server = CometServer::start(NodeConfig {
        catching_up: true,
        ..NodeConfig::new("0.38.12")
    })
    .await;
    let mut src = source(&[&server.url]);
    let (nodes, chain) = split(src.poll(NOW).await);
    assert!(nodes[0].1.as_ref().unwrap().catching_up);
    assert!(chain.unwrap_err().contains("catching up"));
}

#[tokio::test]
async fn dialect_is_detected_again_after_an_error() {
    let server = CometServer::start(NodeConfig::new("0.34.21")).await;
    let mut src = source(&[&server.url]);
    src.poll(NOW).await;
    assert_eq!(src.dialect(&server.url), Some(Dialect::V0_34));

    server.update(|c| c.behaviour = Behaviour::Http500);
    src.poll(NOW).await;
    assert_eq!(src.dialect(&server.url), None);

    server.update(|c| {
        c.behaviour = Behaviour::Healthy;
        c.version = "0.38.12".to_owned();
    });
    src.poll(NOW).await;
    assert_eq!(src.dialect(&server.url), Some(Dialect::V0_38));
}

#[tokio::test]
async fn unsupported_version_is_an_error_quoting_it() {
    let server = CometServer::start(NodeConfig::new("0.33.9")).await;
    let mut src = source(&[&server.url]);
    let (nodes, _) = split(src.poll(NOW).await);
    let err = nodes[0].1.clone().unwrap_err();
    assert!(
        err.contains("\"0.33.9\"") && err.contains(&server.url),
        "{err}"
    );
}

#[test]
fn a_poll_reports_every_endpoint_unknown_when_abandoned() {
    let src = CometSource::new("eu-west-1", ["http://a:26657", "http://b:26657"]);
    assert_eq!(src.name(), "CometBFT eu-west-1");
    assert!(src.timeout() > Duration::from_secs(5));
    let (nodes, chain) = split(src.timed_out(Duration::from_secs(11)));
    assert_eq!(nodes.len(), 2);
    assert!(
        nodes
            .iter()
            .all(|(_, r)| r == &Err("timed out after 11s".to_owned()))
    );
    assert!(chain.is_err());
}

#[test]
fn poll_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let mut src = CometSource::new("eu-west-1", ["http://a:26657"]);
    let fut = src.poll(NOW);
    assert_send(&fut);
}
