//! The real binary on a live estate: `drconsole status --json --env FILE`
//! against a moto server (tests/moto/server.py) and local CometBFT nodes
//! (tests/support/cometbft_server.rs), with an environment file written
//! for their actual ports. Each step changes one thing on the same servers
//! and runs the binary afresh, as a cron job would.
//!
//! The binary gets fixed test credentials through the environment and a
//! temporary `HOME`, so no real AWS profile is ever read.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use aws_sdk_route53::types::{Tag, TagResourceType};
use drconsole::config::environment::parse_environment;
use drconsole::domain::environment::Environment;
use serde_json::Value;
use support::cometbft_server::{Behaviour, CometServer, NodeConfig};
use support::moto::{self, HEALTH_TAG, Moto};

const REGIONS: [(&str, &str); 3] = [
    ("us-east-1", "primary"),
    ("eu-west-1", "secondary"),
    ("ap-southeast-1", "tertiary"),
];

/// Validators per region: 3-2-2, as the seed.
const SPLIT: [usize; 3] = [3, 2, 2];

/// Header time of height 0 on the test node (see `NodeConfig::block_time`).
const GENESIS_SECS: i64 = 1_795_662_000;

/// The node's height whose block time is just now, so the chain reads
/// PRODUCING rather than HALTED when the binary looks at it.
fn height_now(block_secs: i64) -> u64 {
    let now = jiff::Timestamp::now().as_second();
    u64::try_from((now - GENESIS_SECS) / block_secs).expect("after genesis")
}

/// The environment file for `moto` and the region's RPC URLs, with
/// `health` ids if known; validators are the test node's addresses.
fn env_toml(endpoint: &str, rpc: &[Vec<String>], health: &[Option<String>]) -> String {
    let node = NodeConfig::new("0.38.12");
    let mut t = String::new();
    writeln!(
        t,
        r#"# Written by tests/e2e_live.rs for a moto server and local CometBFT nodes.
environment = "e2e-live"

[targets]
rto = "15m"
rpo = "5m"

[poll]
health = "1s"
metrics = "1s"
backups = "2s"
chain = "1s"

[aws]
endpoint_url = "{endpoint}"
"#
    )
    .unwrap();
    for (i, (name, role)) in REGIONS.iter().enumerate() {
        let urls: Vec<String> = rpc[i].iter().map(|u| format!("{u:?}")).collect();
        writeln!(
            t,
            "[[region]]\nname = \"{name}\"\nrole = \"{role}\"\nrpc = [{}]",
            urls.join(", ")
        )
        .unwrap();
        if let Some(id) = &health[i] {
            writeln!(t, "health_check_id = \"{id}\"").unwrap();
        }
        writeln!(
            t,
            "secrets = [\"virtengine/dr/{name}/backup-passphrase\"]\n"
        )
        .unwrap();
        for (kind, prefix) in [
            ("chain_state", "chain-state/"),
            ("keys", "keys/"),
            ("database", "database/"),
        ] {
            writeln!(
                t,
                "[[region.backup]]\nkind = \"{kind}\"\nbucket = \"dr-e2e-{name}\"\nprefix = \"{prefix}\"\n"
            )
            .unwrap();
        }
        writeln!(
            t,
            "[[region.metric]]\nname = \"ReplicationLagSeconds\"\ndimensions = {{ Region = \"{name}\" }}\n"
        )
        .unwrap();
    }
    let mut index = 0;
    for (r, (name, _)) in REGIONS.iter().enumerate() {
        for k in 0..SPLIT[r] {
            writeln!(
                t,
                "[[validator]]\naddress = \"{}\"\nname = \"{name}-val-{k}\"\nregion = \"{name}\"\n",
                node.validator_address(index)
            )
            .unwrap();
            index += 1;
        }
    }
    t
}

fn parse(path: &Path, text: &str) -> Environment {
    parse_environment(path, text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// The binary, isolated from the machine's AWS setup.
fn drconsole(home: &Path, key: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .output()
        .expect("run drconsole")
}

struct Run {
    code: i32,
    json: Value,
    stderr: String,
}

/// `drconsole status --json --env FILE --after 20s`, off the runtime's
/// threads so the CometBFT servers keep answering meanwhile.
async fn status(home: &Path, key: &str, file: &Path) -> Run {
    let (home, key, file) = (home.to_owned(), key.to_owned(), file.to_owned());
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        let file = file.to_str().expect("utf-8 path");
        drconsole(
            &home,
            &key,
            &["status", "--json", "--env", file, "--after", "20s"],
        )
    })
    .await
    .expect("join");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON ({e}): {}\nstderr: {stderr}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    eprintln!(
        "status took {:?}, exit {:?}",
        started.elapsed(),
        out.status.code()
    );
    Run {
        code: out.status.code().expect("exit code"),
        json,
        stderr,
    }
}

fn region<'a>(j: &'a Value, name: &str) -> &'a Value {
    j["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no region {name}: {j:#}"))
}

fn node<'a>(j: &'a Value, region_name: &str, url: &str) -> &'a Value {
    region(j, region_name)["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == url)
        .unwrap_or_else(|| panic!("no node {url} in {region_name}: {j:#}"))
}

/// The breaches as `(kind, subject)` pairs, sorted.
fn breaches(j: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = j["breaches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["kind"].as_str().unwrap().to_owned(),
                b["subject"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = list
        .iter()
        .map(|(k, s)| ((*k).to_owned(), (*s).to_owned()))
        .collect();
    out.sort();
    out
}

struct Nodes {
    servers: Vec<Vec<CometServer>>,
}

impl Nodes {
    /// us-east-1 has two nodes, the other regions one each; all on the
    /// same chain of 7 validators.
    async fn start() -> Self {
        let mut servers = Vec::new();
        for count in [2, 1, 1] {
            let mut region = Vec::new();
            for _ in 0..count {
                let mut config = NodeConfig::new("0.38.12");
                config.validators = 7;
                // Full nodes: none signs with a validator key.
                config.hosts = None;
                config.height = height_now(config.block_secs);
                region.push(CometServer::start(config).await);
            }
            servers.push(region);
        }
        Self { servers }
    }

    fn urls(&self) -> Vec<Vec<String>> {
        self.servers
            .iter()
            .map(|r| r.iter().map(|s| s.url.clone()).collect())
            .collect()
    }

    /// Every node moves to the block of now.
    fn advance(&self) {
        for s in self.servers.iter().flatten() {
            s.update(|c| c.height = height_now(c.block_secs));
        }
    }
}

fn write(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("e2e-live.toml");
    std::fs::write(&path, text).expect("write env file");
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::too_many_lines)] // one scenario, step by step
async fn status_follows_each_change_of_a_live_estate() {
    let started = Instant::now();
    let moto = Moto::start();
    let nodes = Nodes::start().await;
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();

    // Seed moto through the SDK for the file's regions, buckets and
    // secrets, then write the file again with the health-check ids.
    let draft = env_toml(&moto.endpoint(), &nodes.urls(), &[None, None, None]);
    let mut env = parse(&dir.path().join("draft.toml"), &draft);
    let clients = moto::clients(&env, None).await;
    moto::seed_healthy(&mut env, &clients).await;
    let ids: Vec<Option<String>> = env
        .regions
        .iter()
        .map(|r| r.health_check_id.clone())
        .collect();
    assert!(ids.iter().all(Option::is_some));
    let text = env_toml(&moto.endpoint(), &nodes.urls(), &ids);
    let file = write(dir.path(), &text);
    parse(&file, &text);
    eprintln!("seeded in {:?}", started.elapsed());

    // `check` accepts the generated file.
    let out = drconsole(home.path(), "testing", &["check", file.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "check: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // 1. All healthy.
    nodes.advance();
    let run = status(home.path(), "testing", &file).await;
    let j = &run.json;
    assert_eq!(run.code, 0, "{j:#}\nstderr: {}", run.stderr);
    assert_eq!(j["breaches"], serde_json::json!([]), "{j:#}");
    assert_eq!(j["environment"], "e2e-live");
    assert_eq!(j["simulated"], false);
    for (name, _) in REGIONS {
        let r = region(j, name);
        assert_eq!(r["health"], "healthy", "{r:#}");
        assert_eq!(r["replication_lag_s"], 12.0, "{r:#}");
        for b in r["backups"].as_array().unwrap() {
            assert_eq!(b["status"], "OK", "{r:#}");
        }
        assert_eq!(r["secrets"][0]["status"], "PRESENT", "{r:#}");
        assert_eq!(r["secrets"][0]["exists"], true, "{r:#}");
    }
    for (r, urls) in REGIONS.iter().zip(nodes.urls()) {
        for url in urls {
            assert_eq!(node(j, r.0, &url)["status"], "SYNCED", "{j:#}");
        }
    }
    assert_eq!(j["chain"]["status"], "producing", "{j:#}");
    assert_eq!(j["region_loss_basis"], "chain");
    let validators = j["chain"]["validators"].as_array().unwrap();
    assert_eq!(validators.len(), 7);
    assert!(
        validators.iter().all(|v| v["region"] != "unmapped"),
        "every chain validator maps to a region: {validators:#?}"
    );
    assert!(validators.iter().all(|v| v["signed_latest"] == true));

    // 2. eu-west-1's health check turns unhealthy.
    let eu = clients.region("eu-west-1").unwrap();
    eu.route53
        .change_tags_for_resource()
        .resource_type(TagResourceType::Healthcheck)
        .resource_id(ids[1].as_deref().unwrap())
        .add_tags(Tag::builder().key(HEALTH_TAG).value("unhealthy").build())
        .send()
        .await
        .expect("tag health check");
    nodes.advance();
    let run = status(home.path(), "testing", &file).await;
    let j = &run.json;
    assert_eq!(run.code, 1, "{j:#}");
    assert_eq!(region(j, "eu-west-1")["health"], "unhealthy");
    assert_eq!(region(j, "us-east-1")["health"], "healthy");
    assert_eq!(
        breaches(j),
        pairs(&[("region_unhealthy", "eu-west-1 health")]),
        "{j:#}"
    );

    // 3. us-east-1's replication lag reaches 420 s (RPO 300 s).
    moto::put_lag(clients.region("us-east-1").unwrap(), 420.0).await;
    nodes.advance();
    let run = status(home.path(), "testing", &file).await;
    let j = &run.json;
    assert_eq!(run.code, 1);
    assert_eq!(region(j, "us-east-1")["replication_lag_s"], 420.0);
    assert_eq!(
        breaches(j),
        pairs(&[
            ("region_unhealthy", "eu-west-1 health"),
            ("rpo", "us-east-1 replication"),
        ]),
        "{j:#}"
    );

    // 4. ap-southeast-1's backup passphrase secret is deleted for good.
    let secret = "virtengine/dr/ap-southeast-1/backup-passphrase";
    clients
        .region("ap-southeast-1")
        .unwrap()
        .secrets
        .delete_secret()
        .secret_id(secret)
        .force_delete_without_recovery(true)
        .send()
        .await
        .expect("delete secret");
    nodes.advance();
    let run = status(home.path(), "testing", &file).await;
    let j = &run.json;
    assert_eq!(run.code, 1);
    let ap_secret = &region(j, "ap-southeast-1")["secrets"][0];
    assert_eq!(ap_secret["status"], "MISSING", "{ap_secret:#}");
    assert_eq!(ap_secret["exists"], false);
    assert_eq!(
        breaches(j),
        pairs(&[
            ("region_unhealthy", "eu-west-1 health"),
            ("rpo", "us-east-1 replication"),
            ("secret_missing", &format!("ap-southeast-1 secret {secret}")),
        ]),
        "{j:#}"
    );

    // 5. One of us-east-1's two nodes answers HTTP 500.
    let [a, b] = [&nodes.servers[0][0], &nodes.servers[0][1]];
    a.update(|c| c.behaviour = Behaviour::Http500);
    nodes.advance();
    let run = status(home.path(), "testing", &file).await;
    let j = &run.json;
    assert_eq!(run.code, 1);
    let failed = node(j, "us-east-1", &a.url);
    assert_ne!(failed["status"], "SYNCED", "{failed:#}");
    assert_eq!(failed["height"], Value::Null, "{failed:#}");
    let other = node(j, "us-east-1", &b.url);
    assert_eq!(other["status"], "SYNCED", "{other:#}");
    assert_eq!(j["chain"]["status"], "producing", "{:#}", j["chain"]);
    assert_eq!(j["chain"]["height"], other["height"]);
    assert_eq!(j["region_loss_basis"], "chain");
    assert!(
        !breaches(j).iter().any(|(k, _)| k == "chain_halted"),
        "{j:#}"
    );
    eprintln!("whole test: {:?}", started.elapsed());
    drop(moto);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_exit_one_with_a_clear_message() {
    let moto = Moto::start_with_auth();
    let nodes = Nodes::start().await;
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ids = [
        "11111111-1111-4111-8111-111111111111",
        "22222222-2222-4222-8222-222222222222",
        "33333333-3333-4333-8333-333333333333",
    ]
    .map(|s| Some(s.to_owned()));
    let file = write(dir.path(), &env_toml(&moto.endpoint(), &nodes.urls(), &ids));
    nodes.advance();
    let run = status(home.path(), "wrong", &file).await;
    eprintln!("stderr with wrong credentials:\n{}", run.stderr);
    let j = &run.json;
    assert_eq!(run.code, 1, "{j:#}\nstderr: {}", run.stderr);
    for (name, _) in REGIONS {
        assert_eq!(region(j, name)["health"], "unknown", "{j:#}");
    }
    // The chain does not depend on AWS.
    assert_eq!(j["chain"]["status"], "producing");
    let kinds: Vec<String> = breaches(j).into_iter().map(|(k, _)| k).collect();
    assert!(kinds.iter().all(|k| k == "unknown"), "{kinds:?}");
    // Something an operator can act on: which call, and AWS's own words.
    let text = format!("{j}\n{}", run.stderr);
    assert!(
        text.contains("InvalidClientTokenId") || text.contains("InvalidAccessKeyId"),
        "no AWS error code in JSON or stderr:\nstderr: {}",
        run.stderr
    );
    assert!(
        text.contains("Route53 GetHealthCheckStatus"),
        "stderr: {}",
        run.stderr
    );
    drop(moto);
}

#[test]
fn a_missing_environment_file_exits_two_and_names_it() {
    let home = tempfile::tempdir().unwrap();
    let missing = home.path().join("no-such-env.toml");
    let out = drconsole(
        home.path(),
        "testing",
        &[
            "status",
            "--json",
            "--env",
            missing.to_str().unwrap(),
            "--after",
            "20s",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("stderr for a missing file: {stderr}");
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(out.stdout.is_empty());
    assert!(
        stderr.contains(&*missing.to_string_lossy()),
        "names the file: {stderr}"
    );
}

/// The seeded estate and its environment file, ready for variants.
async fn seeded(moto: &Moto, nodes: &Nodes, dir: &Path) -> String {
    let draft = env_toml(&moto.endpoint(), &nodes.urls(), &[None, None, None]);
    let mut env = parse(&dir.join("draft.toml"), &draft);
    let clients = moto::clients(&env, None).await;
    moto::seed_healthy(&mut env, &clients).await;
    let ids: Vec<Option<String>> = env
        .regions
        .iter()
        .map(|r| r.health_check_id.clone())
        .collect();
    env_toml(&moto.endpoint(), &nodes.urls(), &ids)
}

/// The file with the `[[validator]]` tables for the test node's validators
/// `drop` removed.
fn without_validators(text: &str, drop: &[usize]) -> String {
    let node = NodeConfig::new("0.38.12");
    let mut out = text.to_owned();
    for &i in drop {
        let address = node.validator_address(i);
        let start = out
            .find(&format!("[[validator]]\naddress = \"{address}\""))
            .expect("validator table");
        let end = out[start + 1..]
            .find("[[validator]]")
            .map_or(out.len(), |e| start + 1 + e);
        out.replace_range(start..end, "");
    }
    out
}

/// Coverage and mapping are targets: power the file does not map, a
/// configured validator the chain lacks, and a region with no reachable
/// RPC node each give their breach and exit 1, run after run (the three
/// regions' answers arrive in whatever order the network gives).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmapped_power_missing_validators_and_blind_regions_are_breaches() {
    let moto = Moto::start();
    let nodes = Nodes::start().await;
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let text = seeded(&moto, &nodes, dir.path()).await;
    let test_node = NodeConfig::new("0.38.12");

    // The file maps 5 of the chain's 7 validators.
    let file = write(dir.path(), &without_validators(&text, &[5, 6]));
    for _ in 0..3 {
        nodes.advance();
        let run = status(home.path(), "testing", &file).await;
        let j = &run.json;
        assert_eq!(run.code, 1, "{j:#}\n{}", run.stderr);
        assert_eq!(breaches(j), pairs(&[("unmapped_power", "chain")]), "{j:#}");
        let detail = j["breaches"][0]["detail"].as_str().unwrap();
        // The test node's powers are 70, 60 ... 10: the unmapped two hold 30.
        assert!(detail.starts_with("30 power in no region"), "{detail}");
        for i in [5, 6] {
            assert!(detail.contains(&test_node.validator_address(i)), "{detail}");
        }
        // Unmapped power is lost with any region: losing eu-west-1 leaves
        // 180 of 280 (it would leave 210, enough, if the 30 were mapped).
        let eu = &j["region_loss"][1];
        assert_eq!(eu["regions"], serde_json::json!(["eu-west-1"]));
        assert_eq!(
            (&eu["unmapped_power"], &eu["power_remaining"], &eu["halts"]),
            (&Value::from(30), &Value::from(180), &Value::from(true)),
            "{eu:#}"
        );
    }

    // A configured validator the chain does not have.
    let ghost = text.replace(&test_node.validator_address(0), &"AB".repeat(20));
    let file = write(dir.path(), &ghost);
    for _ in 0..3 {
        nodes.advance();
        let run = status(home.path(), "testing", &file).await;
        let j = &run.json;
        assert_eq!(run.code, 1, "{j:#}");
        assert_eq!(
            breaches(j),
            pairs(&[
                ("unmapped_power", "chain"),
                ("validator_not_in_set", "us-east-1-val-0"),
            ]),
            "{j:#}"
        );
    }

    // ap-southeast-1's only node is unreachable (nothing listens there).
    let ap_url = &nodes.urls()[2][0];
    let blind = text.replace(ap_url, "http://127.0.0.1:9");
    let file = write(dir.path(), &blind);
    for _ in 0..3 {
        nodes.advance();
        let run = status(home.path(), "testing", &file).await;
        let j = &run.json;
        assert_eq!(run.code, 1, "{j:#}");
        assert_eq!(
            breaches(j),
            pairs(&[("rpc_unknown", "ap-southeast-1 rpc")]),
            "{j:#}"
        );
        let n = node(j, "ap-southeast-1", "http://127.0.0.1:9");
        assert!(n["error"].as_str().is_some_and(|e| !e.is_empty()), "{n:#}");
    }
}

/// One chain, checked: a region whose node serves another chain, and a
/// region whose node has another block at the same height, each give their
/// breach (naming the endpoint) and exit 1, run after run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_chain_and_another_fork_are_breaches_naming_the_endpoint() {
    let moto = Moto::start();
    let nodes = Nodes::start().await;
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), &seeded(&moto, &nodes, dir.path()).await);
    let eu = nodes.servers[1][0].url.clone();
    let ap = nodes.servers[2][0].url.clone();

    nodes.servers[1][0].update(|c| c.chain_id = "someone-elses-chain-7".into());
    for _ in 0..3 {
        nodes.advance();
        let run = status(home.path(), "testing", &file).await;
        let j = &run.json;
        assert_eq!(run.code, 1, "{j:#}");
        assert_eq!(breaches(j), pairs(&[("wrong_chain", &eu)]), "{j:#}");
        assert_eq!(
            j["breaches"][0]["detail"],
            "serves chain someone-elses-chain-7, not virtengine-dr-1"
        );
        assert_eq!(
            j["chain"]["chain_id"], "virtengine-dr-1",
            "the odd one out is not the chain"
        );
        assert!(
            j["chain"]["disagreement"]
                .as_str()
                .is_some_and(|d| d.contains(&eu)),
            "{:#}",
            j["chain"]
        );
    }

    // Two regions of three on another chain: by count they would win, but
    // the file names the estate's chain, so they are the wrong ones and the
    // chain view stays on the one region that serves it.
    nodes.servers[2][0].update(|c| c.chain_id = "someone-elses-chain-7".into());
    let text = std::fs::read_to_string(&file).unwrap();
    let named = dir.path().join("named.toml");
    std::fs::write(
        &named,
        text.replacen('\n', "\nchain_id = \"virtengine-dr-1\"\n", 1),
    )
    .unwrap();
    for _ in 0..3 {
        nodes.advance();
        let run = status(home.path(), "testing", &named).await;
        let j = &run.json;
        assert_eq!(run.code, 1, "{j:#}");
        let mut want = pairs(&[("wrong_chain", &eu), ("wrong_chain", &ap)]);
        let mut got = breaches(j);
        want.sort();
        got.sort();
        assert_eq!(got, want, "{j:#}");
        assert_eq!(j["chain"]["chain_id"], "virtengine-dr-1", "{j:#}");
    }
    // Without the name, as many endpoints serve each chain and no side can
    // be trusted: every endpoint is suspect. The file is what keeps the
    // right side right.
    let run = status(home.path(), "testing", &file).await;
    let j = &run.json;
    assert_eq!(run.code, 1, "{j:#}");
    let kinds: Vec<String> = breaches(j).into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds, ["wrong_chain"; 4], "{j:#}");
    assert!(
        j["breaches"].as_array().unwrap().iter().all(|b| b["detail"]
            .as_str()
            .unwrap()
            .ends_with("neither is trusted")),
        "{j:#}"
    );

    nodes.servers[1][0].update(|c| c.chain_id = "virtengine-dr-1".into());
    nodes.servers[2][0].update(|c| c.chain_id = "virtengine-dr-1".into());
    nodes.servers[2][0].update(|c| c.fork = 1);
    for _ in 0..3 {
        nodes.advance();
        let run = status(home.path(), "testing", &file).await;
        let j = &run.json;
        assert_eq!(run.code, 1, "{j:#}");
        assert_eq!(breaches(j), pairs(&[("chain_split", "chain")]), "{j:#}");
        let detail = j["breaches"][0]["detail"].as_str().unwrap();
        assert!(
            detail.starts_with("different blocks at height "),
            "{detail}"
        );
        assert!(detail.contains(&ap) && detail.contains(&eu), "{detail}");
    }
}

/// A validator node tells where its key signs: when eu-west-1's node
/// reports us-east-1-val-0's key as its own (a failover moved it), the
/// validator is placed there, and the region-loss verdict follows it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_validator_node_places_its_key_where_it_runs() {
    let moto = Moto::start();
    let nodes = Nodes::start().await;
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), &seeded(&moto, &nodes, dir.path()).await);

    let lose_eu = |j: &Value| j["region_loss"][1]["halts"].clone();
    nodes.advance();
    let run = status(home.path(), "testing", &file).await;
    assert_eq!(lose_eu(&run.json), false, "eu-west-1 holds 70 of 280");

    nodes.servers[1][0].update(|c| c.hosts = Some(0));
    for _ in 0..3 {
        nodes.advance();
        let run = status(home.path(), "testing", &file).await;
        let j = &run.json;
        let v0 = j["chain"]["validators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == "us-east-1-val-0")
            .unwrap();
        assert_eq!(v0["signs_in"], "eu-west-1", "{v0:#}");
        assert_eq!(v0["region"], "us-east-1", "configured there");
        // eu-west-1 now holds 70 + 40 + 30 of 280: losing it leaves 140.
        assert_eq!(lose_eu(j), true, "{:#}", j["region_loss"]);
        let eu = &j["topology"][1];
        assert!(
            eu["validators_signing"]
                .as_array()
                .unwrap()
                .contains(&Value::from("us-east-1-val-0")),
            "{eu:#}"
        );
    }
}
