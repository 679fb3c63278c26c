//! A tiny CometBFT RPC node for tests: JSON-RPC over hand-rolled HTTP/1.1 on
//! 127.0.0.1, answering `/status`, `/net_info`, `/health`, `/validators`
//! (paged as CometBFT pages it) and `/commit` in the real JSON shapes, so
//! the real `tendermint-rpc` client decodes them; or misbehaving on purpose.
//!
//! The JSON follows tendermint-rpc's kvstore fixtures for 0.34, 0.37 and
//! 0.38 (`/status` differs only in `node_info.version` across them;
//! `/commit` and `/validators` are the same in all three, with numeric
//! `block_id_flag` and string-encoded integers).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// How the node treats every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Answers correctly.
    Healthy,
    /// Reads the request and never answers.
    Hang,
    /// Answers every JSON-RPC method but this one, which hangs.
    HangOn(&'static str),
    /// Answers 200 with truncated JSON.
    MalformedJson,
    /// Answers HTTP 500.
    Http500,
}

/// What the node reports.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// `node_info.version`, which decides the dialect.
    pub version: String,
    /// `node_info.network`.
    pub chain_id: String,
    /// Latest block height.
    pub height: u64,
    /// `sync_info.catching_up`.
    pub catching_up: bool,
    /// `n_peers` in `/net_info`.
    pub peers: u32,
    /// Size of the validator set.
    pub validators: usize,
    /// Indices of validators whose signature is absent at every height.
    pub absent: Vec<usize>,
    /// `(validator index, height)` pairs whose signature is absent.
    pub absent_at: Vec<(usize, u64)>,
    /// Changes validator addresses, `validators_hash` and block hashes: a
    /// node with another salt is on another validator set / fork.
    pub salt: u64,
    /// Changes block hashes only: a node with another fork number is on
    /// another fork of the same validator set.
    pub fork: u64,
    /// Which validator's key the node signs with (`validator_info` with
    /// its power), or `None` for a full node (its own key, power 0).
    pub hosts: Option<usize>,
    /// Seconds between blocks.
    pub block_secs: i64,
    /// Request handling.
    pub behaviour: Behaviour,
}

impl NodeConfig {
    /// A healthy in-sync node of `version` at height 100 with 4 validators.
    pub fn new(version: &str) -> Self {
        Self {
            version: version.to_owned(),
            chain_id: "virtengine-dr-1".to_owned(),
            height: 100,
            catching_up: false,
            peers: 6,
            validators: 4,
            absent: Vec::new(),
            absent_at: Vec::new(),
            salt: 0,
            fork: 0,
            hosts: Some(0),
            block_secs: 6,
            behaviour: Behaviour::Healthy,
        }
    }

    /// The hex address of validator `i`.
    pub fn validator_address(&self, i: usize) -> String {
        hex(&bytes(self.salt ^ 0xA11CE, i as u64, 20))
    }

    /// The `validators_hash` every header of this node carries.
    pub fn validators_hash(&self) -> String {
        hex(&bytes(self.salt ^ 0x5E7, self.validators as u64, 32))
    }

    /// The hash of the block at `height`.
    pub fn block_hash(&self, height: u64) -> String {
        hex(&bytes(
            self.salt ^ self.fork.wrapping_mul(0xF0F0) ^ 0xB10C,
            height,
            32,
        ))
    }

    fn signs(&self, i: usize, height: u64) -> bool {
        !self.absent.contains(&i) && !self.absent_at.contains(&(i, height))
    }

    /// Header time at `height`, RFC 3339.
    pub fn block_time(&self, height: u64) -> String {
        // 2026-11-26T03:00:00Z, the seed's exercise night.
        let secs = 1_795_662_000 + i64::try_from(height).unwrap_or(0) * self.block_secs;
        jiff::Timestamp::from_second(secs)
            .expect("in range")
            .to_string()
    }
}

/// A running fake node; stops when dropped.
pub struct CometServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

struct State {
    config: NodeConfig,
    calls: BTreeMap<String, usize>,
    commits: Vec<u64>,
}

impl CometServer {
    /// Binds 127.0.0.1:0 and serves `config` until dropped.
    pub async fn start(config: NodeConfig) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let state = Arc::new(Mutex::new(State {
            config,
            calls: BTreeMap::new(),
            commits: Vec::new(),
        }));
        let shared = Arc::clone(&state);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, Arc::clone(&shared)));
            }
        });
        Self { url, state, task }
    }

    /// Changes what the node reports from now on.
    pub fn update(&self, f: impl FnOnce(&mut NodeConfig)) {
        f(&mut lock(&self.state).config);
    }

    /// How many requests for JSON-RPC `method` arrived.
    pub fn calls(&self, method: &str) -> usize {
        lock(&self.state).calls.get(method).copied().unwrap_or(0)
    }

    /// The heights `/commit` was asked for, in arrival order.
    pub fn commit_heights(&self) -> Vec<u64> {
        lock(&self.state).commits.clone()
    }
}

impl Drop for CometServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One keep-alive connection: requests in, responses out, until EOF.
async fn serve(stream: TcpStream, state: Arc<Mutex<State>>) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    loop {
        let Some(body) = read_request(&mut reader).await else {
            return;
        };
        let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let method = request["method"].as_str().unwrap_or("").to_owned();
        let (behaviour, reply) = {
            let mut s = lock(&state);
            *s.calls.entry(method.clone()).or_default() += 1;
            let behaviour = s.config.behaviour;
            let reply = answer(&mut s, &method, &request["params"]);
            (behaviour, reply)
        };
        let id = request["id"].clone();
        let response = match behaviour {
            Behaviour::Hang => std::future::pending::<String>().await,
            Behaviour::HangOn(m) if m == method => std::future::pending::<String>().await,
            Behaviour::Http500 => http(500, "Internal Server Error", "text/plain", "boom"),
            Behaviour::MalformedJson => {
                let body = format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{{"node_info":{{"#);
                http(200, "OK", "application/json", &body)
            }
            Behaviour::Healthy | Behaviour::HangOn(_) => {
                let envelope = match reply {
                    Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
                    Err((code, message, data)) => json!({
                        "jsonrpc": "2.0", "id": id,
                        "error": {"code": code, "message": message, "data": data}
                    }),
                };
                http(200, "OK", "application/json", &envelope.to_string())
            }
        };
        if write.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// The body of the next HTTP request, or `None` at EOF.
async fn read_request<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R) -> Option<Vec<u8>> {
    let mut length = 0;
    let mut line = String::new();
    let mut first = true;
    loop {
        line.clear();
        if reader.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            if first {
                continue;
            }
            break;
        }
        first = false;
        if let Some((name, value)) = trimmed.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await.ok()?;
    Some(body)
}

fn http(code: u16, reason: &str, content_type: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

type RpcResult = Result<Value, (i64, &'static str, String)>;

fn internal(data: String) -> RpcResult {
    Err((-32603, "Internal error", data))
}

/// A string-encoded integer parameter, as tendermint-rpc sends them.
fn param(params: &Value, name: &str) -> Option<u64> {
    match &params[name] {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

fn answer(state: &mut State, method: &str, params: &Value) -> RpcResult {
    let c = &state.config;
    match method {
        "status" => Ok(status(c)),
        "net_info" => Ok(json!({
            "listening": true,
            "listeners": ["Listener(@)"],
            "n_peers": c.peers.to_string(),
            "peers": [],
        })),
        "health" => Ok(json!({})),
        "validators" => validators(c, params),
        "commit" => {
            let height = param(params, "height").unwrap_or(c.height);
            state.commits.push(height);
            commit(&state.config, height)
        }
        _ => Err((-32601, "Method not found", String::new())),
    }
}

fn status(c: &NodeConfig) -> Value {
    json!({
        "node_info": {
            "protocol_version": {"p2p": "8", "block": "11", "app": "1"},
            "id": "0b8e9b2fc583439e365a85f06a8909294f7657e8",
            "listen_addr": "tcp://0.0.0.0:26656",
            "network": c.chain_id,
            "version": c.version,
            "channels": "40202122233038606100",
            "moniker": "dr-node",
            "other": {"tx_index": "on", "rpc_address": "tcp://0.0.0.0:26657"}
        },
        "sync_info": {
            "latest_block_hash": c.block_hash(c.height),
            "latest_app_hash": "0600000000000000",
            "latest_block_height": c.height.to_string(),
            "latest_block_time": c.block_time(c.height),
            "earliest_block_hash": c.block_hash(1),
            "earliest_app_hash": "",
            "earliest_block_height": "1",
            "earliest_block_time": c.block_time(1),
            "catching_up": c.catching_up
        },
        "validator_info": match c.hosts {
            Some(i) => json!({
                "address": c.validator_address(i),
                "pub_key": pub_key(c, i),
                "voting_power": power(c, i).to_string()
            }),
            None => json!({
                "address": hex(&bytes(c.salt ^ 0x0DE5, 0, 20)),
                "pub_key": pub_key(c, 0),
                "voting_power": "0"
            }),
        }
    })
}

fn pub_key(c: &NodeConfig, i: usize) -> Value {
    json!({
        "type": "tendermint/PubKeyEd25519",
        "value": base64(&bytes(c.salt ^ 0xED, i as u64, 32)),
    })
}

/// Descending powers, so the set is in CometBFT's order.
fn power(c: &NodeConfig, i: usize) -> u64 {
    10 * (c.validators - i) as u64
}

/// `/validators` as CometBFT pages it: `per_page` defaults to 30 and is
/// capped at 100; a page past the end is an error.
fn validators(c: &NodeConfig, params: &Value) -> RpcResult {
    let height = param(params, "height").unwrap_or(c.height);
    if height > c.height {
        return internal(format!(
            "height {height} must be less than or equal to the current blockchain height {}",
            c.height
        ));
    }
    let per_page =
        usize::try_from(param(params, "per_page").unwrap_or(30).clamp(1, 100)).unwrap_or(30);
    let page = usize::try_from(param(params, "page").unwrap_or(1)).unwrap_or(usize::MAX);
    let pages = c.validators.div_ceil(per_page).max(1);
    if page == 0 || page > pages {
        return internal(format!(
            "page should be within [1, {pages}] range, given {page}"
        ));
    }
    let start = (page - 1) * per_page;
    let end = (start + per_page).min(c.validators);
    let list: Vec<Value> = (start..end)
        .map(|i| {
            json!({
                "address": c.validator_address(i),
                "pub_key": pub_key(c, i),
                "voting_power": power(c, i).to_string(),
                "proposer_priority": "0"
            })
        })
        .collect();
    Ok(json!({
        "block_height": height.to_string(),
        "validators": list,
        "count": (end - start).to_string(),
        "total": c.validators.to_string(),
    }))
}

fn commit(c: &NodeConfig, height: u64) -> RpcResult {
    if height == 0 || height > c.height {
        return internal(format!(
            "height {height} must be less than or equal to the current blockchain height {}",
            c.height
        ));
    }
    let time = c.block_time(height);
    let signature = base64(&[7; 64]);
    let signatures: Vec<Value> = (0..c.validators)
        .map(|i| {
            if c.signs(i, height) {
                json!({
                    "block_id_flag": 2,
                    "validator_address": c.validator_address(i),
                    "timestamp": time,
                    "signature": signature,
                })
            } else {
                json!({
                    "block_id_flag": 1,
                    "validator_address": "",
                    "timestamp": "0001-01-01T00:00:00Z",
                    "signature": null,
                })
            }
        })
        .collect();
    let empty = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
    let last_block_id = if height == 1 {
        json!({"hash": "", "parts": {"total": 0, "hash": ""}})
    } else {
        json!({"hash": c.block_hash(height - 1), "parts": {"total": 1, "hash": empty}})
    };
    Ok(json!({
        "signed_header": {
            "header": {
                "version": {"block": "11", "app": "1"},
                "chain_id": c.chain_id,
                "height": height.to_string(),
                "time": time,
                "last_block_id": last_block_id,
                "last_commit_hash": empty,
                "data_hash": empty,
                "validators_hash": c.validators_hash(),
                "next_validators_hash": c.validators_hash(),
                "consensus_hash": "048091BC7DDC283F77BFBF91D73C44DA58C3DF8A9CBC867405D8B7F3DAADA22F",
                "app_hash": "0600000000000000",
                "last_results_hash": empty,
                "evidence_hash": empty,
                "proposer_address": c.validator_address(0)
            },
            "commit": {
                "height": height.to_string(),
                "round": 0,
                "block_id": {"hash": c.block_hash(height), "parts": {"total": 1, "hash": empty}},
                "signatures": signatures
            }
        },
        // CometBFT has only its seen commit for the latest block.
        "canonical": height < c.height
    }))
}

/// `n` deterministic pseudo-random bytes for `(seed, index)` (splitmix64).
fn bytes(seed: u64, index: u64, n: usize) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(index.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        out.extend_from_slice(&z.to_be_bytes());
    }
    out.truncate(n);
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02X}");
        s
    })
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
