//! What one refresh of a live estate costs, against local servers only:
//!
//! (a) wall time of one refresh of three regions' CometBFT sources when an
//!     endpoint's `/status` answers only after 2 s: every source on its own
//!     task (what `sources::live` does) against one after another;
//! (b) AWS API calls per refresh of three regions against moto, counted by
//!     `CallCounter`, and CometBFT RPC calls per node per refresh;
//! (c) the console's idle CPU and resident memory on a live estate (moto and
//!     CometBFT nodes), in tmux for 30 s.
//!
//! `cargo bench --bench live_refresh` (after `tests/run.sh` has created the
//! moto venv, or with `DRCONSOLE_MOTO_PYTHON` set). Under `cargo test` the
//! bench is only built and exits at once.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss
)]

#[path = "../tests/support/cometbft_server.rs"]
mod cometbft_server;
#[allow(dead_code)]
#[path = "../tests/support/moto.rs"]
mod moto;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cometbft_server::{CometServer, NodeConfig};
use drconsole::domain::time::Timestamp;
use drconsole::sources::aws::{AwsSources, CallCounter, CallCounts};
use drconsole::sources::clock::{Clock, WallClock};
use drconsole::sources::cometbft::CometSource;
use drconsole::sources::poller::TelemetrySource;
use futures_util::future::join_all;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-1"];
const SLOW: Duration = Duration::from_secs(2);
const GENESIS_SECS: i64 = 1_795_662_000;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("live_refresh: measures only under `cargo bench --bench live_refresh`; skipped");
        return;
    }
    assert!(
        std::env::var_os("DRCONSOLE_MOTO_PYTHON").is_some(),
        "DRCONSOLE_MOTO_PYTHON is not set: run tests/run.sh once to create tests/.venv, then \
         DRCONSOLE_MOTO_PYTHON=$PWD/tests/.venv/bin/python cargo bench --bench live_refresh"
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        concurrent_refresh().await;
        aws_calls_per_refresh().await;
        comet_calls_per_refresh().await;
        idle_console().await;
    });
}

fn now() -> Timestamp {
    WallClock.now()
}

/// The height whose block time is now on the test node.
fn height_now() -> u64 {
    u64::try_from((jiff::Timestamp::now().as_second() - GENESIS_SECS) / 6).expect("after genesis")
}

fn node_config() -> NodeConfig {
    let mut c = NodeConfig::new("0.38.12");
    c.validators = 7;
    c.height = height_now();
    c
}

/// A proxy in front of `upstream` that holds every `status` request for
/// `SLOW` before passing it on: a node whose `/status` answers after 2 s.
async fn slow_status_proxy(upstream: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let upstream = upstream.trim_start_matches("http://").to_owned();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let upstream = upstream.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(&upstream).await else {
                    return;
                };
                relay(client, server).await;
            });
        }
    });
    url
}

/// One HTTP/1.1 message (head and Content-Length body), or `None` at EOF.
async fn read_message<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        if let Some((name, value)) = line.trim_end().split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
        out.extend_from_slice(line.as_bytes());
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    r.read_exact(&mut body).await.ok()?;
    out.extend_from_slice(&body);
    Some(out)
}

/// The JSON-RPC method of an HTTP request.
fn method(request: &[u8]) -> Option<String> {
    let start = request.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let body: serde_json::Value = serde_json::from_slice(&request[start..]).ok()?;
    body["method"].as_str().map(str::to_owned)
}

async fn relay(client: TcpStream, server: TcpStream) {
    let (cr, mut cw) = client.into_split();
    let (sr, mut sw) = server.into_split();
    let (mut cr, mut sr) = (BufReader::new(cr), BufReader::new(sr));
    while let Some(request) = read_message(&mut cr).await {
        if method(&request).as_deref() == Some("status") {
            tokio::time::sleep(SLOW).await;
        }
        if sw.write_all(&request).await.is_err() {
            return;
        }
        let Some(response) = read_message(&mut sr).await else {
            return;
        };
        if cw.write_all(&response).await.is_err() {
            return;
        }
    }
}

/// Polls every source once, each on its own task, as `sources::live` runs
/// them; gives the sources back with the wall time.
async fn refresh_concurrently(sources: Vec<CometSource>) -> (Vec<CometSource>, Duration) {
    let started = Instant::now();
    let tasks: Vec<_> = sources
        .into_iter()
        .map(|mut s| {
            tokio::spawn(async move {
                let obs = s.poll(now()).await;
                assert_eq!(failures(&obs), 0, "{obs:?}");
                s
            })
        })
        .collect();
    let sources = join_all(tasks)
        .await
        .into_iter()
        .map(|t| t.expect("poll task"))
        .collect();
    (sources, started.elapsed())
}

async fn refresh_sequentially(sources: &mut [CometSource]) -> Duration {
    let started = Instant::now();
    for s in sources.iter_mut() {
        let obs = s.poll(now()).await;
        assert_eq!(failures(&obs), 0, "{obs:?}");
    }
    started.elapsed()
}

fn failures(obs: &[drconsole::domain::observation::Observation]) -> usize {
    obs.iter()
        .filter(|o| format!("{o:?}").contains("Err("))
        .count()
}

/// Three regions' CometBFT sources; region `i` gets a slow endpoint in
/// front of its own node when `slow[i]`. The nodes are returned to keep
/// them alive.
async fn comet_estate(slow: [bool; 3]) -> (Vec<CometServer>, Vec<CometSource>) {
    let mut servers = Vec::new();
    let mut sources = Vec::new();
    for (region, slow) in REGIONS.iter().zip(slow) {
        let server = CometServer::start(node_config()).await;
        let mut urls = vec![server.url.clone()];
        if slow {
            urls.push(slow_status_proxy(&server.url).await);
        }
        sources.push(CometSource::new(*region, urls));
        servers.push(server);
    }
    (servers, sources)
}

async fn concurrent_refresh() {
    println!("== (a) one refresh of 3 regions' CometBFT sources, a /status answering after 2 s");
    for (label, slow) in [
        ("one slow endpoint (us-east-1)", [true, false, false]),
        ("one slow endpoint per region", [true, true, true]),
    ] {
        let (_servers, sources) = comet_estate(slow).await;
        // The first poll detects dialects and reads the whole window.
        let (mut sources, first) = refresh_concurrently(sources).await;
        let mut concurrent = Vec::new();
        let mut sequential = Vec::new();
        for _ in 0..2 {
            let (s, wall) = refresh_concurrently(sources).await;
            sources = s;
            concurrent.push(wall);
            sequential.push(refresh_sequentially(&mut sources).await);
        }
        let best = |v: &[Duration]| v.iter().min().copied().unwrap_or_default();
        println!(
            "{label}: concurrent (a task per source) {:.2} s, one after another {:.2} s \
             (first, cold refresh concurrent: {:.2} s)",
            best(&concurrent).as_secs_f64(),
            best(&sequential).as_secs_f64(),
            first.as_secs_f64()
        );
    }
}

/// One refresh: every AWS source of every region polled once, concurrently.
async fn refresh_aws(sources: &mut AwsSources) -> usize {
    let at = now();
    let (health, metrics, backups, secrets) = tokio::join!(
        join_all(sources.route53.iter_mut().map(|x| x.poll(at))),
        join_all(sources.cloudwatch.iter_mut().map(|x| x.poll(at))),
        join_all(sources.s3.iter_mut().map(|x| x.poll(at))),
        join_all(sources.secrets.iter_mut().map(|x| x.poll(at))),
    );
    [health, metrics, backups, secrets]
        .into_iter()
        .flatten()
        .map(|obs| failures(&obs))
        .sum()
}

async fn aws_calls_per_refresh() {
    println!("== (b) AWS API calls per refresh of 3 regions (moto, tests/fixtures/env/moto.toml)");
    let counter = CallCounter::new();
    let moto = moto::Moto::start();
    let mut env = moto::environment(&moto);
    let clients = moto::clients(&env, Some(counter.clone())).await;
    moto::seed_healthy(&mut env, &clients).await;
    let kinds: usize = env.regions.iter().map(|r| r.backups.len()).sum();
    let secrets: usize = env.regions.iter().map(|r| r.secrets.len()).sum();
    let mut sources = AwsSources::new(&env, &clients);
    let show = |label: &str, c: CallCounts, wall: Duration| {
        println!(
            "{label}: route53 {}, cloudwatch {}, s3 {}, secrets manager {} \
             (total {}; {:.0} ms)",
            c.route53,
            c.cloudwatch,
            c.s3,
            c.secrets_manager,
            c.route53 + c.cloudwatch + c.s3 + c.secrets_manager,
            wall.as_secs_f64() * 1000.0
        );
    };
    for i in 0..4 {
        let before = counter.snapshot();
        let started = Instant::now();
        let failed = refresh_aws(&mut sources).await;
        assert_eq!(failed, 0, "a refresh against moto failed");
        let label = if i == 0 {
            "refresh 1 (cold)".to_owned()
        } else {
            format!("refresh {} (steady)", i + 1)
        };
        show(&label, counter.snapshot().since(before), started.elapsed());
    }
    println!("({kinds} backup kinds and {secrets} secrets across the 3 regions)");
    drop(moto);
}

async fn comet_calls_per_refresh() {
    println!("== (b) CometBFT RPC calls per node per refresh (3 regions, a node each)");
    let (servers, mut sources) = comet_estate([false; 3]).await;
    let methods = ["status", "net_info", "health", "commit", "validators"];
    let snapshot = |s: &CometServer| methods.map(|m| s.calls(m));
    for (label, new_blocks) in [
        ("refresh 1 (cold)", 0),
        ("refresh 2 (no new block)", 0),
        ("refresh 3 (one new block)", 1),
        ("refresh 4 (no new block)", 0),
    ] {
        for s in &servers {
            s.update(|c| c.height += new_blocks);
        }
        let before: Vec<_> = servers.iter().map(snapshot).collect();
        let (s, _) = refresh_concurrently(sources).await;
        sources = s;
        let mut line = format!("{label}:");
        let first = &servers[0];
        let delta: Vec<usize> = snapshot(first)
            .iter()
            .zip(&before[0])
            .map(|(a, b)| a - b)
            .collect();
        for (m, n) in methods.iter().zip(&delta) {
            write!(line, " {m} {n},").unwrap();
        }
        let total: usize = delta.iter().sum();
        // Every node of this estate is alike: check, then print one.
        for (s, b) in servers.iter().zip(&before) {
            let d: Vec<usize> = snapshot(s).iter().zip(b).map(|(a, b)| a - b).collect();
            assert_eq!(d, delta, "nodes differ");
        }
        println!("{line} total {total} per node");
    }
}

/// CPU seconds (utime + stime) and VmRSS (KiB) of `pid`.
fn cpu_and_rss(pid: &str) -> (f64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    // Fields after the command name, which is in parentheses.
    let rest = &stat[stat.rfind(')').expect("comm") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 here.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    let hz = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(100);
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (ticks as f64 / hz as f64, rss)
}

fn tmux(sock: &str, args: &[&str]) -> String {
    let out = Command::new("tmux")
        .args(["-L", sock, "-f", "/dev/null"])
        .args(args)
        .output()
        .expect("tmux (apt-get install tmux)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The environment file of `tests/fixtures/env/moto.toml` with this
/// moto's endpoint, the nodes' URLs, health-check ids and the nodes'
/// validator addresses.
fn live_env_file(
    dir: &Path,
    env: &drconsole::domain::environment::Environment,
    endpoint: &str,
    rpc: &[String],
) -> std::path::PathBuf {
    let node = node_config();
    let mut t = format!(
        "environment = \"bench-live\"\n[aws]\nendpoint_url = \"{endpoint}\"\n\
         [poll]\nhealth = \"30s\"\nmetrics = \"60s\"\nbackups = \"5m\"\nchain = \"5s\"\n"
    );
    for (r, url) in env.regions.iter().zip(rpc) {
        let role = match r.name.as_str() {
            "us-east-1" => "primary",
            "eu-west-1" => "secondary",
            _ => "tertiary",
        };
        writeln!(
            t,
            "[[region]]\nname = \"{}\"\nrole = \"{role}\"\nrpc = [\"{url}\"]\nhealth_check_id = \"{}\"",
            r.name,
            r.health_check_id.as_deref().unwrap_or_default()
        )
        .unwrap();
    }
    let mut i = 0;
    for (region, n) in REGIONS.iter().zip([3, 2, 2]) {
        for k in 0..n {
            writeln!(
                t,
                "[[validator]]\naddress = \"{}\"\nname = \"{region}-val-{k}\"\nregion = \"{region}\"",
                node.validator_address(i)
            )
            .unwrap();
            i += 1;
        }
    }
    let path = dir.join("bench-live.toml");
    std::fs::write(&path, t).expect("env file");
    path
}

async fn idle_console() {
    const SECS: u64 = 30;
    println!("== (c) console idle on a live estate (moto + 3 CometBFT nodes), {SECS} s in tmux");
    let moto = moto::Moto::start();
    let mut env = moto::environment(&moto);
    let clients = moto::clients(&env, None).await;
    moto::seed_healthy(&mut env, &clients).await;
    let mut servers = Vec::new();
    for _ in REGIONS {
        servers.push(CometServer::start(node_config()).await);
    }
    let rpc: Vec<String> = servers.iter().map(|s| s.url.clone()).collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = live_env_file(dir.path(), &env, &moto.endpoint(), &rpc);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let bin = env!("CARGO_BIN_EXE_drconsole");
    let sock = format!("drconsole-live-idle-{}", std::process::id());
    let command = format!(
        "exec env -i PATH=\"$PATH\" HOME='{}' TERM=xterm-256color AWS_ACCESS_KEY_ID=testing \
         AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true \
         '{bin}' --env '{}'",
        home.display(),
        file.display()
    );
    tmux(
        &sock,
        &[
            "new-session",
            "-d",
            "-s",
            "idle",
            "-x",
            "160",
            "-y",
            "48",
            &command,
        ],
    );
    // The node heights move with the wall clock, like a producing chain.
    let ticker = {
        let servers: Vec<Arc<CometServer>> = servers.into_iter().map(Arc::new).collect();
        let held = servers.clone();
        let task = tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                for s in &servers {
                    s.update(|c| c.height = height_now());
                }
            }
        });
        (task, held)
    };
    tokio::time::sleep(Duration::from_secs(3)).await;
    let pid = tmux(
        &sock,
        &["display-message", "-p", "-t", "idle", "#{pane_pid}"],
    )
    .trim()
    .to_owned();
    let alive = !pid.is_empty() && Path::new(&format!("/proc/{pid}/stat")).exists();
    if !alive {
        let pane = tmux(&sock, &["capture-pane", "-p", "-t", "idle"]);
        tmux(&sock, &["kill-server"]);
        panic!("the console did not start:\n{pane}");
    }
    let (cpu0, _) = cpu_and_rss(&pid);
    tokio::time::sleep(Duration::from_secs(SECS)).await;
    let (cpu1, rss) = cpu_and_rss(&pid);
    let pane = tmux(&sock, &["capture-pane", "-p", "-t", "idle"]);
    tmux(&sock, &["kill-server"]);
    ticker.0.abort();
    let healthy = pane.contains("HEALTHY");
    println!(
        "idle CPU: {:.2} % of one core over {SECS} s; resident memory {:.1} MiB; \
         screen shows HEALTHY: {healthy}",
        (cpu1 - cpu0) / SECS as f64 * 100.0,
        rss as f64 / 1024.0
    );
    drop(moto);
}
