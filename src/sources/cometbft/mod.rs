//! CometBFT RPC adapter: one region's RPC endpoints, polled together.
//!
//! Each endpoint yields its own [`Observation::Node`], so a dead node is
//! visible as such; the chain view ([`Observation::Chain`]) comes from the
//! highest in-sync node, and the endpoints are cross-checked so a split view
//! (heights far apart, different validator sets or blocks at one height) is
//! shown instead of silently picking a side.

mod agreement;
mod dialect;
mod rpc;
mod window;

use std::time::Duration;

use super::poller::TelemetrySource;
use futures_util::future::join_all;
use futures_util::stream::{self, StreamExt};
use tendermint_rpc::HttpClient;

pub use dialect::{Dialect, dialect_of};
use window::{BlockSigs, SignatureWindow};

use self::agreement::disagreement;
use self::rpc::{fetch_commit, fetch_validators, human};
use crate::domain::observation::{ChainStatus, EndpointHead, NodeStatus, Observation};
use crate::domain::time::Timestamp;

/// Blocks examined for missed signatures unless configured otherwise.
pub const DEFAULT_WINDOW: u32 = 20;
/// Poll period unless configured otherwise: about two blocks of a Cosmos chain.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);
/// Per-phase deadline unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
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
    /// The chain the estate runs, when the environment names it.
    chain_id: Option<String>,
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
    /// The validator address this node signs with, if it has power.
    validator: Option<String>,
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
            chain_id: None,
        }
    }

    /// Names the chain the estate runs: the chain view is then read through
    /// an endpoint that serves it whenever one answers, so a node on another
    /// chain (higher, or first in the file) never supplies the validators
    /// and commits. Every endpoint is still reported as a head, so the one
    /// on the wrong chain is named.
    #[must_use]
    pub fn with_chain_id(mut self, chain_id: Option<String>) -> Self {
        self.chain_id = chain_id;
        self
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
        let heads: Vec<EndpointHead> = answered
            .iter()
            .map(|(e, a)| EndpointHead {
                endpoint: e.url.clone(),
                region: self.region.clone(),
                validator: a.validator.clone(),
                chain_id: a.chain_id.clone(),
                height: a.status.height,
                block_hash: a.block_hash.clone(),
            })
            .collect();
        let ours = |a: &Answer| self.chain_id.as_ref().is_none_or(|c| *c == a.chain_id);
        let best = answered
            .iter()
            .filter(|(_, a)| !a.status.catching_up)
            .max_by_key(|(_, a)| (ours(a), a.status.height))
            .map(|(e, a)| (e.url.clone(), e.client.clone(), (*a).clone()));

        let chain = match best {
            Some((url, Some(client), answer)) => self
                .chain(&url, &client, answer, disagreement)
                .await
                .map(|c| ChainStatus { heads, ..c }),
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
            heads: Vec::new(),
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
