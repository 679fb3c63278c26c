//! What sources report: one poll yields a [`PollReport`] of observations,
//! each either a value or the reason it could not be read.
//!
//! Real adapters (AWS, CometBFT) and the simulator speak this same language,
//! so the dashboard cannot tell them apart except by the SIMULATED banner.

use std::time::Duration;

use super::estate::BackupKind;
use super::time::Timestamp;

/// A Route53 health check's verdict, as Route53 itself decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthStatus {
    /// Route53's verdict.
    pub healthy: bool,
    /// How many health checkers report success.
    pub checkers_ok: u32,
    /// How many checkers report at all.
    pub checkers_total: u32,
}

/// One CometBFT RPC node's view of itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeStatus {
    /// Latest block height the node has.
    pub height: u64,
    /// True while the node is still syncing.
    pub catching_up: bool,
    /// Connected peers.
    pub peers: u32,
    /// Time of the node's latest block.
    pub latest_block_time: Timestamp,
}

/// One validator's standing in the current set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatorStatus {
    /// Hex consensus address.
    pub address: String,
    /// Current voting power.
    pub voting_power: u64,
    /// Whether its signature is in the latest commit.
    pub signed_latest: bool,
    /// Blocks missed within the recent window.
    pub missed_recent: u32,
    /// Size of that window in blocks.
    pub window: u32,
    /// The latest height in the window whose commit carries its signature.
    pub last_signed_height: Option<u64>,
    /// The region its key signs from now, when the source can tell (the
    /// simulated estate knows; a live source only when a node in that
    /// region reports the key as its own). `None`: the configured region
    /// stands in, and without one the power is unmapped.
    pub signs_in: Option<String>,
}

/// What one answering RPC endpoint says its chain and latest block are:
/// compared across every endpoint of every region, so a node on another
/// chain or another fork is seen, whichever region it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointHead {
    /// The endpoint (URL or node name).
    pub endpoint: String,
    /// The region it is in.
    pub region: String,
    /// The validator whose key it signs with, when it is a validator
    /// node (`validator_info` with voting power): where that key signs now.
    pub validator: Option<String>,
    /// The chain it serves (`node_info.network`).
    pub chain_id: String,
    /// Its latest height.
    pub height: u64,
    /// The hash of its block at that height.
    pub block_hash: String,
}

/// The chain as a quorum of RPC nodes sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainStatus {
    /// Chain id.
    pub chain_id: String,
    /// Latest committed height.
    pub height: u64,
    /// Header time of that block.
    pub latest_block_time: Timestamp,
    /// Mean block interval over the recent window.
    pub avg_block_time: Duration,
    /// The validator set with signing status.
    pub validators: Vec<ValidatorStatus>,
    /// Why the answering RPC nodes do not tell one story (heights far apart,
    /// different validator sets at one height), naming them; `None` when they
    /// agree. A split view is shown rather than silently picking a side.
    pub disagreement: Option<String>,
    /// Every answering endpoint's chain and head, for cross-checks.
    pub heads: Vec<EndpointHead>,
}

/// What Secrets Manager says about a backup passphrase secret. Only
/// metadata: the console never reads a secret's value to show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretInfo {
    /// When the secret's value last changed, if Secrets Manager says.
    pub last_changed: Option<Timestamp>,
}

/// Which side of replication a region's database is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseRole {
    /// Takes writes.
    Primary,
    /// Follows the primary.
    Replica,
}

/// Where a region stands in a failover: its database's role and the
/// traffic Route53 sends it, so a promotion or a DNS change shows on the
/// dashboard as it happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionTopology {
    /// The database's role there, while known.
    pub database: Option<DatabaseRole>,
    /// The weight of its Route53 record, when known (0 = no traffic).
    pub traffic_weight: Option<u64>,
    /// Whether its Route53 health check is inverted (a failover forcing
    /// traffic away), when known.
    pub health_check_inverted: Option<bool>,
    /// Why each part that is `None` could not be read (a record not found,
    /// a metric without datapoints, a call that failed), so a partial
    /// reading never looks like a complete one.
    pub unread: Vec<String>,
}

/// One reading of one thing, or why it could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    /// A region's Route53 health check.
    Health {
        /// Region.
        region: String,
        /// The status, or the error.
        result: Result<HealthStatus, String>,
    },
    /// A region's database replication lag (CloudWatch `ReplicationLagSeconds`).
    ReplicationLag {
        /// Region.
        region: String,
        /// The lag, or the error.
        result: Result<Duration, String>,
    },
    /// The newest backup of a kind in a region; `Ok(None)` means none exists.
    NewestBackup {
        /// Region.
        region: String,
        /// Backup kind.
        kind: BackupKind,
        /// The newest object's time, or the error.
        result: Result<Option<Timestamp>, String>,
    },
    /// One RPC node.
    Node {
        /// Region.
        region: String,
        /// Node name or endpoint.
        node: String,
        /// The status, or the error.
        result: Result<NodeStatus, String>,
    },
    /// A backup passphrase secret; `Ok(None)` means it does not exist.
    Secret {
        /// Region.
        region: String,
        /// Secret name.
        name: String,
        /// Its metadata, `None` if missing, or the error.
        result: Result<Option<SecretInfo>, String>,
    },
    /// A region's failover state.
    Topology {
        /// Region.
        region: String,
        /// The state, or the error.
        result: Result<RegionTopology, String>,
    },
    /// The chain and its validator set.
    Chain {
        /// The status, or the error.
        result: Result<ChainStatus, String>,
    },
    /// A consensus-key rotation this console ran (practice or live): the
    /// validator's new address is still its own until the environment
    /// file maps it.
    KeyRotated(KeyRotation),
}

/// A consensus-key rotation as it happened: the dashboard keeps the
/// validator under its name across the change of address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRotation {
    /// The validator's name.
    pub validator: String,
    /// The address it had (the key that was replaced).
    pub old_address: String,
    /// The address of the new key.
    pub new_address: String,
    /// The height the rotation took effect at; `None` when the console
    /// had seen no block when it ran the rotation (RPC down).
    pub height: Option<u64>,
    /// When the rotation ran (simulated time in practice).
    pub at: Timestamp,
    /// When the new node has caught up and the new key signs (in a live
    /// run the console cannot know: the time the rotation ran).
    pub signs_from: Timestamp,
}

/// Everything one poll of one source produced, stamped with the poll time.
#[derive(Debug, Clone, PartialEq)]
pub struct PollReport {
    /// The source's name as the sources panel shows it.
    pub source: String,
    /// When the poll completed.
    pub at: Timestamp,
    /// When the source will be asked again.
    pub next_poll: Timestamp,
    /// The observations.
    pub observations: Vec<Observation>,
}
