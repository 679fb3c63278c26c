//! CometBFT RPC adapter: one region's RPC endpoints, polled together.
//!
//! Each endpoint yields its own [`Observation::Node`], so a dead node is
//! visible as such; the chain view ([`Observation::Chain`]) comes from the
//! highest in-sync node, and the endpoints are cross-checked so a split view
//! (heights far apart, different validator sets or blocks at one height) is
//! shown instead of silently picking a side.

mod dialect;
mod window;

use std::collections::BTreeMap;
use std::time::Duration;

use super::poller::TelemetrySource;
use futures_util::future::join_all;
use futures_util::stream::{self, StreamExt};
use tendermint::block::{CommitSig, Height};
use tendermint_rpc::endpoint::commit;
use tendermint_rpc::error::ErrorDetail;
use tendermint_rpc::{Client, HttpClient, HttpClientUrl, Paging};

pub use dialect::{Dialect, dialect_of};
use window::{BlockSigs, SignatureWindow};

use crate::domain::observation::{ChainStatus, NodeStatus, Observation};
use crate::domain::time::Timestamp;

/// Blocks examined for missed signatures unless configured otherwise.
pub const DEFAULT_WINDOW: u32 = 20;
/// Poll period unless configured otherwise: about two blocks of a Cosmos chain.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);
/// Per-phase deadline unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// Height spread tolerated between in-sync endpoints: one or two blocks is
/// propagation, more means a node is stuck or on another fork.
const HEIGHT_TOLERANCE: u64 = 2;
/// Commits fetched at once, so a long window does not flood a node.
const COMMIT_CONCURRENCY: usize = 8;

/// The CometBFT RPC endpoints of one region.
#[derive(Debug)]
pub struct CometSource {
    region: String,
    endpoints: Vec<Endpoint>,
    interval: Duration,
    request_timeout: Duration,
    window: SignatureWindow,
    /// The validator set last fetched, keyed by its `validators_hash`, so an
    /// unchanged set (the usual case) costs no `/validators` pages per poll.
    validator_set: Option<(String, Vec<(String, u64)>)>,
}

/// One RPC endpoint with its client and the dialect last detected.
#[derive(Debug)]
struct Endpoint {
    url: String,
    client: Option<HttpClient>,
    dialect: Option<Dialect>,
}

/// What a node said about itself and its latest block in one poll.
#[derive(Debug, Clone)]
struct Answer {
    status: NodeStatus,
    chain_id: String,
    block_hash: String,
    validators_hash: String,
    latest: BlockSigs,
}

impl CometSource {
    /// A source for `region` polling `endpoints` (RPC URLs such as
    /// `http://10.0.1.5:26657`) with the default interval, timeout and window.
    #[must_use]
    pub fn new<I, S>(region: impl Into<String>, endpoints: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            region: region.into(),
            endpoints: endpoints
                .into_iter()
                .map(|url| Endpoint {
                    url: url.into(),
                    client: None,
                    dialect: None,
                })
                .collect(),
            interval: DEFAULT_INTERVAL,
            request_timeout: DEFAULT_TIMEOUT,
            window: SignatureWindow::new(DEFAULT_WINDOW),
            validator_set: None,
        }
    }

    /// Sets the poll period.
    #[must_use]
    pub fn with_interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Sets the deadline of each phase: every endpoint's own queries, then
    /// the chain queries to the best node.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sets how many recent blocks count towards missed signatures.
    #[must_use]
    pub fn with_window(mut self, blocks: u32) -> Self {
        self.window = SignatureWindow::new(blocks);
        self
    }

    /// The region these endpoints serve.
    #[must_use]
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The dialect detected for `endpoint`; `None` before its first answer
    /// or after an error (it is detected again on the next answer).
    #[must_use]
    pub fn dialect(&self, endpoint: &str) -> Option<Dialect> {
        self.endpoints
            .iter()
            .find(|e| e.url == endpoint)
            .and_then(|e| e.dialect)
    }

    /// The name the sources panel shows.
    #[must_use]
    pub fn name(&self) -> String {
        format!("CometBFT {}", self.region)
    }

    /// How often to poll.
    #[must_use]
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The whole poll's deadline: two phases of the per-phase timeout plus
    /// slack, so the poller only gives up after this source has given up on
    /// each node and reported which one hung.
    #[must_use]
    pub fn timeout(&self) -> Duration {
        self.request_timeout
            .saturating_mul(2)
            .saturating_add(Duration::from_secs(1))
    }

    /// What to report when the poller abandoned a poll after `after`:
    /// every endpoint and the chain are unknown, never assumed healthy.
    #[must_use]
    pub fn timed_out(&self, after: Duration) -> Vec<Observation> {
        let why = format!("timed out after {}", human(after));
        let mut out: Vec<Observation> = self
            .endpoints
            .iter()
            .map(|e| Observation::Node {
                region: self.region.clone(),
                node: e.url.clone(),
                result: Err(why.clone()),
            })
            .collect();
        out.push(Observation::Chain {
            result: Err(format!("{} RPC poll {why}", self.region)),
        });
        out
    }

    /// Queries every endpoint concurrently, then the chain through the best
    /// one: one `Node` per endpoint, in configured order, then one `Chain`.
    pub async fn poll(&mut self, _now: Timestamp) -> Vec<Observation> {
        let timeout = self.request_timeout;
        let answers: Vec<Result<Answer, String>> = join_all(
            self.endpoints
                .iter_mut()
                .map(|endpoint| endpoint.query(timeout)),
        )
        .await;

        let mut out: Vec<Observation> = self
            .endpoints
            .iter()
            .zip(&answers)
            .map(|(e, a)| Observation::Node {
                region: self.region.clone(),
                node: e.url.clone(),
                result: a.as_ref().map(|a| a.status).map_err(Clone::clone),
            })
            .collect();

        let answered: Vec<(&Endpoint, &Answer)> = self
            .endpoints
            .iter()
            .zip(&answers)
            .filter_map(|(e, a)| a.as_ref().ok().map(|a| (e, a)))
            .collect();
        let disagreement = disagreement(&answered);
        let best = answered
            .iter()
            .filter(|(_, a)| !a.status.catching_up)
            .max_by_key(|(_, a)| a.status.height)
            .map(|(e, a)| (e.url.clone(), e.client.clone(), (*a).clone()));

        let chain = match best {
            Some((url, Some(client), answer)) => {
                self.chain(&url, &client, answer, disagreement).await
            }
            _ if answered.is_empty() => Err(format!(
                "no RPC endpoint in {} answered ({} tried)",
                self.region,
                self.endpoints.len()
            )),
            _ => Err(format!(
                "every answering RPC endpoint in {} is catching up",
                self.region
            )),
        };
        out.push(Observation::Chain { result: chain });
        out
    }

    /// The chain as the best node `url` sees it: validators (fetched again
    /// only when their hash changes) and the commits of the window's new
    /// heights.
    async fn chain(
        &mut self,
        url: &str,
        client: &HttpClient,
        best: Answer,
        disagreement: Option<String>,
    ) -> Result<ChainStatus, String> {
        let latest = best.status.height;
        self.window.prune(latest);
        self.window.insert(latest, best.latest.clone());
        let missing = self.window.missing(latest);
        let need_set = self
            .validator_set
            .as_ref()
            .is_none_or(|(hash, _)| *hash != best.validators_hash);

        let commits = stream::iter(missing)
            .map(|h| async move { (h, fetch_commit(client, url, h).await) })
            .buffer_unordered(COMMIT_CONCURRENCY)
            .collect::<Vec<_>>();
        let set = async {
            if need_set {
                fetch_validators(client, url, latest).await.map(Some)
            } else {
                Ok(None)
            }
        };
        let (commits, set) =
            tokio::time::timeout(self.request_timeout, async { tokio::join!(commits, set) })
                .await
                .map_err(|_| {
                    format!(
                        "timed out after {} reading validators and commits from {url}",
                        human(self.request_timeout)
                    )
                })?;

        // A missing old commit only shrinks the window; it is counted
        // honestly in `window`, never as signed.
        for (h, sigs) in commits {
            if let Ok(sigs) = sigs {
                self.window.insert(h, sigs);
            }
        }
        if let Some(set) = set? {
            self.validator_set = Some((best.validators_hash.clone(), set));
        }
        let set = self
            .validator_set
            .as_ref()
            .map(|(_, set)| set.as_slice())
            .unwrap_or_default();

        Ok(ChainStatus {
            chain_id: best.chain_id,
            height: latest,
            latest_block_time: best.status.latest_block_time,
            avg_block_time: self.window.avg_block_time(latest),
            validators: self.window.validators(set, latest),
            disagreement,
        })
    }
}

impl TelemetrySource for CometSource {
    fn name(&self) -> String {
        CometSource::name(self)
    }

    fn interval(&self) -> Duration {
        CometSource::interval(self)
    }

    fn timeout(&self) -> Duration {
        CometSource::timeout(self)
    }

    fn poll(
        &mut self,
        now: Timestamp,
    ) -> impl std::future::Future<Output = Vec<Observation>> + Send {
        CometSource::poll(self, now)
    }

    fn timed_out(&self, after: Duration) -> Vec<Observation> {
        CometSource::timed_out(self, after)
    }
}

impl Endpoint {
    /// This endpoint's status, peers, health and latest commit within
    /// `timeout`; any failure forgets the dialect so it is detected afresh.
    async fn query(&mut self, timeout: Duration) -> Result<Answer, String> {
        let result = match tokio::time::timeout(timeout, self.query_inner()).await {
            Ok(result) => result,
            Err(_) => Err(format!("timed out after {}", human(timeout))),
        };
        if result.is_err() {
            self.dialect = None;
        }
        result
    }

    async fn query_inner(&mut self) -> Result<Answer, String> {
        let url = self.url.as_str();
        let mut client = if let Some(client) = &self.client {
            client.clone()
        } else {
            let client = build_client(url)?;
            self.client = Some(client.clone());
            client
        };
        // These three answer alike in every dialect, so they can go before
        // the dialect is known.
        let (status, net_info, health) =
            tokio::join!(client.status(), client.net_info(), client.health());
        let status = status.map_err(|e| describe(url, &e))?;
        let net_info = net_info.map_err(|e| describe(url, &e))?;
        health.map_err(|e| format!("unhealthy: {}", describe(url, &e)))?;

        if self.dialect.is_none() {
            let version = status.node_info.version.to_string();
            let dialect = dialect_of(&version).map_err(|e| format!("{e} at {url}"))?;
            log::debug!("{url} runs CometBFT {version}: dialect {dialect}");
            client.set_compat_mode(dialect.compat_mode());
            if let Some(stored) = &mut self.client {
                stored.set_compat_mode(dialect.compat_mode());
            }
            self.dialect = Some(dialect);
        }

        let sync = &status.sync_info;
        let commit = client
            .commit(sync.latest_block_height)
            .await
            .map_err(|e| describe(url, &e))?;
        let header = &commit.signed_header.header;
        Ok(Answer {
            status: NodeStatus {
                height: sync.latest_block_height.value(),
                catching_up: sync.catching_up,
                peers: u32::try_from(net_info.n_peers).unwrap_or(u32::MAX),
                latest_block_time: timestamp(sync.latest_block_time),
            },
            chain_id: status.node_info.network.to_string(),
            block_hash: sync.latest_block_hash.to_string(),
            validators_hash: header.validators_hash.to_string(),
            latest: block_sigs(&commit),
        })
    }
}

/// An HTTP client for `url`, speaking the latest dialect until told better.
fn build_client(url: &str) -> Result<HttpClient, String> {
    let parsed: HttpClientUrl = url
        .parse()
        .map_err(|e: tendermint_rpc::Error| format!("invalid RPC URL {url}: {}", e.detail()))?;
    HttpClient::builder(parsed)
        .build()
        .map_err(|e| format!("cannot build a client for {url}: {}", e.detail()))
}

/// The commit at `height` reduced to its time and signers.
async fn fetch_commit(client: &HttpClient, url: &str, height: u64) -> Result<BlockSigs, String> {
    let h = Height::try_from(height).map_err(|e| format!("height {height}: {e}"))?;
    let commit = client.commit(h).await.map_err(|e| describe(url, &e))?;
    Ok(block_sigs(&commit))
}

/// Every validator at `height` as `(address, voting power)`, all pages.
async fn fetch_validators(
    client: &HttpClient,
    url: &str,
    height: u64,
) -> Result<Vec<(String, u64)>, String> {
    let h = Height::try_from(height).map_err(|e| format!("height {height}: {e}"))?;
    let response = client
        .validators(h, Paging::All)
        .await
        .map_err(|e| format!("validators: {}", describe(url, &e)))?;
    Ok(response
        .validators
        .iter()
        .map(|v| (v.address.to_string(), v.power()))
        .collect())
}

fn block_sigs(commit: &commit::Response) -> BlockSigs {
    let signed = &commit.signed_header;
    BlockSigs {
        canonical: commit.canonical,
        time: timestamp(signed.header.time),
        signers: signed
            .commit
            .signatures
            .iter()
            .filter_map(|sig| match sig {
                CommitSig::BlockIdFlagCommit {
                    validator_address, ..
                } => Some(validator_address.to_string()),
                _ => None,
            })
            .collect(),
    }
}

fn timestamp(t: tendermint::Time) -> Timestamp {
    Timestamp::from_millis(i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX))
}

/// Why the answering endpoints disagree, naming them; `None` if they agree.
/// Nodes still catching up are expected to lag, so only in-sync nodes are
/// compared by height, while every node is compared at a shared height.
fn disagreement(answered: &[(&Endpoint, &Answer)]) -> Option<String> {
    let mut problems = Vec::new();

    let in_sync: Vec<_> = answered
        .iter()
        .filter(|(_, a)| !a.status.catching_up)
        .collect();
    let heights = in_sync.iter().map(|(_, a)| a.status.height);
    if let (Some(lo), Some(hi)) = (heights.clone().min(), heights.max())
        && hi - lo > HEIGHT_TOLERANCE
    {
        let list = in_sync
            .iter()
            .map(|(e, a)| format!("{} at {}", e.url, a.status.height))
            .collect::<Vec<_>>()
            .join(", ");
        problems.push(format!("heights differ by {} blocks: {list}", hi - lo));
    }

    let mut by_height: BTreeMap<u64, Vec<(&Endpoint, &Answer)>> = BTreeMap::new();
    for (e, a) in answered {
        by_height.entry(a.status.height).or_default().push((e, a));
    }
    for (height, group) in &by_height {
        problems.extend(differing(*height, "validator sets", group, |a| {
            &a.validators_hash
        }));
        problems.extend(differing(*height, "blocks", group, |a| &a.block_hash));
    }

    (!problems.is_empty()).then(|| problems.join("; "))
}

/// "different WHAT at height H: URL has HASH, ..." when the endpoints in
/// `group` (all at `height`) report different `hash`es.
fn differing(
    height: u64,
    what: &str,
    group: &[(&Endpoint, &Answer)],
    hash: fn(&Answer) -> &String,
) -> Option<String> {
    let first = hash(group.first()?.1);
    if group.iter().all(|(_, a)| hash(a) == first) {
        return None;
    }
    let list = group
        .iter()
        .map(|(e, a)| {
            let h = hash(a);
            format!("{} has {}", e.url, &h[..h.len().min(12)])
        })
        .collect::<Vec<_>>()
        .join(", ");
    Some(format!("different {what} at height {height}: {list}"))
}

/// An operator-readable reason for an RPC failure at `url`.
fn describe(url: &str, err: &tendermint_rpc::Error) -> String {
    match err.detail() {
        ErrorDetail::HttpRequestFailed(d) => format!("HTTP {} from {url}", d.status.as_u16()),
        ErrorDetail::Serde(_) | ErrorDetail::MalformedJson(_) => {
            format!("malformed JSON from {url}: {}", cause(err))
        }
        ErrorDetail::Http(_) => format!("cannot reach {url}: {}", cause(err)),
        ErrorDetail::Response(d) => format!("RPC error from {url}: {}", d.source),
        other => format!("{url}: {other}"),
    }
}

/// The underlying cause of `err` (the serde or HTTP library's message),
/// without the generic category tendermint-rpc puts in front and without the
/// URL, which the caller already names.
fn cause(err: &tendermint_rpc::Error) -> String {
    let trace = err.trace().to_string();
    let detail = err.detail().to_string();
    let cause = trace
        .strip_prefix(detail.as_str())
        .and_then(|rest| rest.strip_prefix(": "))
        .unwrap_or(&trace);
    let cause = cause
        .split_once(" for url (")
        .map_or(cause, |(head, _)| head);
    cause.lines().next().unwrap_or_default().to_owned()
}

/// `300ms`, `5s`: durations as an operator reads them in an error.
fn human(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}
