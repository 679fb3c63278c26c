//! Restore safety against real files and a local CometBFT RPC node: an
//! existing target is kept unless confirmed, a validator that a node
//! reports running is refused, a signing state never moves back, and the
//! write is atomic with mode 0600.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use drconsole::domain::restore::{self, Content, Signing, Target, Verdict, classify};
use drconsole::runtime::restore::{RpcSigningCheck, SimulatedSigning, facts, write_atomic};
use support::cometbft_server::{CometServer, NodeConfig};

fn key_json(address: &str) -> Vec<u8> {
    format!(
        r#"{{"address":"{address}","pub_key":{{"type":"tendermint/PubKeyEd25519","value":"cHVi"}},"priv_key":{{"type":"tendermint/PrivKeyEd25519","value":"c2VjcmV0"}}}}"#
    )
    .into_bytes()
}

fn state_json(height: u64, round: i64, step: i64) -> Vec<u8> {
    format!(r#"{{"height":"{height}","round":{round},"step":{step}}}"#).into_bytes()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn an_existing_target_is_kept_unless_confirmed() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("priv_validator_key.json");
    std::fs::write(&target, b"the key in place").unwrap();
    let plaintext = key_json("AB12");
    let signing = SimulatedSigning(Signing::NotRunning {
        checked: vec!["http://127.0.0.1:1".into()],
    });
    let f = facts(&target, classify(&plaintext), &signing)
        .await
        .unwrap();
    assert_eq!(f.target, Target::Exists { state: None });
    let Verdict::Gate { reasons, phrase } = restore::decide(&f) else {
        panic!("an existing target needs the gate")
    };
    assert_eq!(phrase, "overwrite priv_validator_key.json");
    assert_eq!(
        reasons,
        ["priv_validator_key.json exists and will be replaced"]
    );
    // Without the confirmation the writer refuses to replace it.
    let err = write_atomic(&target, &plaintext, false).unwrap_err();
    assert!(err.to_string().contains("exists"), "{err}");
    assert_eq!(std::fs::read(&target).unwrap(), b"the key in place");
    // Confirmed: replaced atomically, 0600, no temporary file left.
    write_atomic(&target, &plaintext, true).unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), plaintext);
    assert_eq!(mode(&target), 0o600);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn a_validator_its_node_reports_running_is_refused() {
    let config = NodeConfig::new("0.38.12");
    let running = config.validator_address(0);
    let node = CometServer::start(config).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("priv_validator_key.json");
    let check = RpcSigningCheck::new(vec![node.url.clone()]);

    let plaintext = key_json(&running.to_lowercase());
    let f = facts(&target, classify(&plaintext), &check).await.unwrap();
    assert_eq!(
        f.signing,
        Signing::Running {
            endpoint: node.url.clone()
        }
    );
    let Verdict::Refuse(why) = restore::decide(&f) else {
        panic!("must refuse: {f:?}")
    };
    assert!(why.contains(&format!(
        "{} reports validator {running} is running",
        node.url
    )));
    assert!(!target.exists(), "nothing written");
    assert_eq!(node.calls("status"), 1);

    // Another validator's key: the node answered and does not run it.
    let other = key_json("0000000000000000000000000000000000000001");
    let f = facts(&target, classify(&other), &check).await.unwrap();
    assert_eq!(
        f.signing,
        Signing::NotRunning {
            checked: vec![node.url.clone()]
        }
    );
    assert_eq!(restore::decide(&f), Verdict::Proceed);
}

#[tokio::test]
async fn an_endpoint_that_does_not_answer_needs_the_gate() {
    // A port nobody listens on: connection refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let check = RpcSigningCheck::new(vec![url.clone()]);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("priv_validator_key.json");
    let f = facts(&target, classify(&key_json("AB12")), &check)
        .await
        .unwrap();
    let Signing::Unknown { unreachable } = &f.signing else {
        panic!("{f:?}")
    };
    assert_eq!(unreachable[0].0, url);
    let Verdict::Gate { reasons, phrase } = restore::decide(&f) else {
        panic!()
    };
    assert_eq!(phrase, "restore priv_validator_key.json");
    assert!(reasons[0].contains("make sure it is stopped"));
}

#[tokio::test]
async fn an_older_signing_state_never_replaces_a_newer_one() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("priv_validator_state.json");
    std::fs::write(&target, state_json(200, 0, 3)).unwrap();
    let none = SimulatedSigning(Signing::NotChecked);
    for (older, what) in [
        (state_json(150, 0, 3), "lower height"),
        (state_json(200, 0, 2), "lower step"),
    ] {
        let content = classify(&older);
        assert!(matches!(content, Content::SignState(_)));
        let f = facts(&target, content, &none).await.unwrap();
        let Verdict::Refuse(why) = restore::decide(&f) else {
            panic!("{what}: must refuse")
        };
        assert!(
            why.contains("is behind the one in place (height 200 round 0 step 3)"),
            "{why}"
        );
    }
    assert_eq!(std::fs::read(&target).unwrap(), state_json(200, 0, 3));
    // A newer one is allowed, through the overwrite gate.
    let newer = state_json(201, 0, 1);
    let f = facts(&target, classify(&newer), &none).await.unwrap();
    assert!(matches!(restore::decide(&f), Verdict::Gate { .. }));
}

#[test]
fn core_dumps_are_turned_off_for_a_ceremony() {
    use drconsole::runtime::hygiene;
    hygiene::disable_core_dumps().unwrap();
    assert!(hygiene::core_dumps_disabled());
    // The hard limit is 0 too: it cannot be raised again.
    let status = std::fs::read_to_string("/proc/self/limits").unwrap();
    let core = status
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    assert_eq!(
        &core.split_whitespace().collect::<Vec<_>>()[4..6],
        ["0", "0"]
    );
}

#[tokio::test]
async fn the_environment_s_rpc_endpoints_are_the_ones_asked() {
    let config = NodeConfig::new("1.0.1");
    let running = config.validator_address(0);
    let node = CometServer::start(config).await;
    let text = std::fs::read_to_string("tests/fixtures/env/moto.toml").unwrap();
    let text = text.replacen(
        r#"rpc = ["http://127.0.0.1:26657", "http://127.0.0.1:26667"]"#,
        &format!(r#"rpc = ["{}"]"#, node.url),
        1,
    );
    assert!(text.contains(&node.url));
    let env = drconsole::config::parse_environment(Path::new("moto.toml"), &text).unwrap();
    let check =
        RpcSigningCheck::from_environment(&env).with_timeout(std::time::Duration::from_secs(2));
    let dir = tempfile::tempdir().unwrap();
    let f = facts(
        &dir.path().join("priv_validator_key.json"),
        classify(&key_json(&running)),
        &check,
    )
    .await
    .unwrap();
    assert_eq!(
        f.signing,
        Signing::Running {
            endpoint: node.url.clone()
        }
    );
    assert!(matches!(restore::decide(&f), Verdict::Refuse(_)));
}

#[tokio::test]
async fn a_validator_seen_signing_the_latest_block_is_refused() {
    // The node runs validator 0; validator 2 runs elsewhere, unlisted, but
    // its signature is in the latest commit.
    for version in ["0.34.21", "0.38.12"] {
        let config = NodeConfig::new(version);
        let elsewhere = config.validator_address(2);
        let node = CometServer::start(config).await;
        let check = RpcSigningCheck::new(vec![node.url.clone()]);
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("priv_validator_key.json");
        let f = facts(&target, classify(&key_json(&elsewhere)), &check)
            .await
            .unwrap();
        assert_eq!(
            f.signing,
            Signing::Signed {
                endpoint: node.url.clone(),
                height: 100
            },
            "{version}"
        );
        let Verdict::Refuse(why) = restore::decide(&f) else {
            panic!("{version}: must refuse")
        };
        assert!(
            why.contains(&format!("validator {elsewhere} signed block 100")),
            "{why}"
        );
        assert_eq!(node.commit_heights(), [100]);

        // Absent from the commit: not seen signing.
        node.update(|c| c.absent = vec![2]);
        let f = facts(&target, classify(&key_json(&elsewhere)), &check)
            .await
            .unwrap();
        assert!(
            matches!(f.signing, Signing::NotRunning { .. }),
            "{:?}",
            f.signing
        );
    }
}

#[tokio::test]
async fn a_key_restored_into_a_cometbft_home_without_signing_state_needs_the_gate() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join("config")).unwrap();
    let target = home.path().join("config").join("priv_validator_key.json");
    let stopped = SimulatedSigning(Signing::NotRunning { checked: vec![] });
    let f = facts(&target, classify(&key_json("AB12")), &stopped)
        .await
        .unwrap();
    let Verdict::Gate { reasons, .. } = restore::decide(&f) else {
        panic!("{f:?}")
    };
    assert!(
        reasons[0].contains("data/priv_validator_state.json: CometBFT would start from height 0")
    );
    std::fs::create_dir(home.path().join("data")).unwrap();
    std::fs::write(
        home.path().join("data").join("priv_validator_state.json"),
        state_json(812, 0, 3),
    )
    .unwrap();
    let f = facts(&target, classify(&key_json("AB12")), &stopped)
        .await
        .unwrap();
    assert_eq!(restore::decide(&f), Verdict::Proceed);
}
