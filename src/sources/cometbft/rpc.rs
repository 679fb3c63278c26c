//! Talking to CometBFT RPC: one endpoint's poll (status, peers, health,
//! latest commit), fetching commits and validator sets for the chain view,
//! and turning RPC failures into reasons an operator can act on.

use std::time::Duration;

use tendermint::block::{CommitSig, Height};
use tendermint_rpc::endpoint::commit;
use tendermint_rpc::error::ErrorDetail;
use tendermint_rpc::{Client, HttpClient, HttpClientUrl, Paging};

use super::window::BlockSigs;
use super::{Answer, Endpoint, dialect_of};
use crate::domain::observation::NodeStatus;
use crate::domain::time::Timestamp;

impl Endpoint {
    /// This endpoint's status, peers, health and latest commit within
    /// `timeout`; any failure forgets the dialect so it is detected afresh.
    pub(super) async fn query(&mut self, timeout: Duration) -> Result<Answer, String> {
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
            validator: (status.validator_info.power.value() > 0)
                .then(|| status.validator_info.address.to_string().to_uppercase()),
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
pub(super) async fn fetch_commit(
    client: &HttpClient,
    url: &str,
    height: u64,
) -> Result<BlockSigs, String> {
    let h = Height::try_from(height).map_err(|e| format!("height {height}: {e}"))?;
    let commit = client.commit(h).await.map_err(|e| describe(url, &e))?;
    Ok(block_sigs(&commit))
}

/// Every validator at `height` as `(address, voting power)`, all pages.
pub(super) async fn fetch_validators(
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
pub(super) fn human(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}
