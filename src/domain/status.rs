//! `drconsole status --json`: one snapshot of the estate for scripts and
//! cron jobs. The field names are a contract; change them only additively.

use serde::Serialize;

use super::assess::{self, Level};
use super::bft::{self, RegionLoss};
use super::breach::{self, Breach};
use super::estate::RegionSpec;
use super::estate::{BackupKind, RegionRole};
use super::fleet::{EstateView, RegionView};
use super::observation::DatabaseRole;
use super::signing::{self, Signing, SigningBasis};
use super::time::Timestamp;

/// The whole snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusReport {
    /// Environment name.
    pub environment: String,
    /// True for the simulated estate.
    pub simulated: bool,
    /// When the snapshot was taken (RFC 3339).
    pub at: String,
    /// Per region.
    pub regions: Vec<RegionStatus>,
    /// The chain.
    pub chain: ChainReport,
    /// Region-loss analysis.
    pub region_loss: Vec<RegionLoss>,
    /// Where the voting power figures came from: `chain` (its signing now,
    /// or its last commit) or `configuration`; each loss names its basis.
    pub region_loss_basis: PowerBasis,
    /// Every target that does not demonstrably hold, worst first.
    pub breaches: Vec<Breach>,
    /// Where the failover stands, per region.
    pub topology: Vec<TopologyReport>,
}

/// One region's failover state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopologyReport {
    /// Region name.
    pub region: String,
    /// `primary`, `replica` or `unknown` (stale counts as unknown).
    pub database: &'static str,
    /// Its Route53 record's weight, while known.
    pub traffic_weight: Option<u64>,
    /// Whether its health check is inverted, while known.
    pub health_check_inverted: Option<bool>,
    /// Validators whose keys sign there now.
    pub validators_signing: Vec<String>,
    /// Why a part is unknown: the last error while the reading is not
    /// fresh, else what could not be read of a partial one.
    pub error: Option<String>,
}

/// Where region-loss figures came from (the field scripts already read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PowerBasis {
    /// The chain's validator set.
    Chain,
    /// The configured mapping only: the chain has not answered.
    Configuration,
}

/// One region.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionStatus {
    /// Region name.
    pub name: String,
    /// Role.
    pub role: RegionRole,
    /// `healthy`, `unhealthy` or `unknown` (stale counts as unknown).
    pub health: &'static str,
    /// Age of the health reading, if any.
    pub health_age_s: Option<u64>,
    /// Replication lag while known.
    pub replication_lag_s: Option<f64>,
    /// How fast the lag grows (seconds per second), while the trend is known.
    pub replication_lag_rate: Option<f64>,
    /// When the lag will pass the RPO at that rate, if it is rising.
    pub rpo_breach_in_s: Option<u64>,
    /// Mean seconds per block the region's nodes see, once measured.
    pub block_interval_s: Option<f64>,
    /// The region's view of block production: `producing`, `slow`,
    /// `halted`, `measuring` or `unknown` (no fresh in-sync node).
    pub blocks: &'static str,
    /// Newest backup per kind.
    pub backups: Vec<BackupStatus>,
    /// RPC nodes.
    pub nodes: Vec<NodeReport>,
    /// Backup passphrase secrets (metadata only).
    pub secrets: Vec<SecretReport>,
}

/// One backup passphrase secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretReport {
    /// Secrets Manager name.
    pub name: String,
    /// Whether it exists, while known.
    pub exists: Option<bool>,
    /// Age of its last change, when it exists and Secrets Manager says.
    pub last_changed_age_s: Option<u64>,
    /// The verdict word (`PRESENT`, `MISSING`, `STALE ..`, `UNKNOWN`).
    pub status: String,
}

/// Newest backup of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupStatus {
    /// Kind.
    pub kind: BackupKind,
    /// Age of the newest backup; `None` when unknown or none exists.
    pub newest_age_s: Option<u64>,
    /// The verdict word (`OK`, `LATE`, `ALARM`, `NONE`, `STALE ..`, `UNKNOWN`).
    pub status: String,
}

/// One RPC node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeReport {
    /// Node name or endpoint.
    pub name: String,
    /// Height while known.
    pub height: Option<u64>,
    /// Catching up, while known.
    pub catching_up: Option<bool>,
    /// Peers, while known.
    pub peers: Option<u32>,
    /// The verdict word.
    pub status: String,
    /// Why it is not synced, when it is not: its latest error, or the
    /// verdict in words.
    pub error: Option<String>,
}

/// The chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// Chain id while known.
    pub chain_id: Option<String>,
    /// Latest height while known.
    pub height: Option<u64>,
    /// `producing`, `slow`, `halted` or `unknown` (a stale view is
    /// unknown).
    pub status: &'static str,
    /// Power counted as signing now (the last commit's when stopped).
    pub signing_power: u64,
    /// Total power of the set.
    pub total_power: u64,
    /// Power that can still stop signing before more than 1/3 is gone.
    pub margin_power: u64,
    /// What the power figures rest on.
    pub basis: SigningBasis,
    /// RPC nodes that disagree on height, block or validator set, if any.
    pub disagreement: Option<String>,
    /// Validators (the chain's set, or the configured one if unknown).
    pub validators: Vec<ValidatorReport>,
}

/// One validator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidatorReport {
    /// Hex address.
    pub address: String,
    /// Name.
    pub name: String,
    /// Region or `unmapped`.
    pub region: String,
    /// Voting power.
    pub voting_power: u64,
    /// Signed the latest block, while known.
    pub signed_latest: Option<bool>,
    /// `signing`, `missed`, `stale`, `offline` or `unknown`.
    pub signing: Signing,
    /// Commits of the window it is missing from, while known.
    pub missed_in_window: Option<u32>,
    /// The window's size in blocks, while known.
    pub window: Option<u32>,
    /// The latest height it signed, while known.
    pub last_signed_height: Option<u64>,
    /// The region its key signs from now, when the source tells.
    pub signs_in: Option<String>,
}

/// One region's part of the snapshot.
fn region_status(
    view: &EstateView,
    r: &RegionView,
    rs: &RegionSpec,
    now: Timestamp,
) -> RegionStatus {
    let spec = &view.spec;
    let health = match assess::region_health(r, now, spec.poll.health).level {
        Level::Ok | Level::AtRisk => "healthy",
        Level::Critical | Level::Warn => "unhealthy",
        Level::Stale | Level::Unknown => "unknown",
    };
    let chain = view.chain.known_value(now, spec.poll.chain);
    let chain_height = chain.map(|c| c.height);
    let pace = assess::region_pace(r, chain, now, spec.poll.chain);
    RegionStatus {
        name: r.name.clone(),
        role: rs.role,
        health,
        health_age_s: r.health.age(now).map(|d| d.as_secs()),
        replication_lag_s: r
            .lag
            .known_value(now, spec.poll.metrics)
            .map(|d| (d.as_secs_f64() * 10.0).round() / 10.0),
        replication_lag_rate: r
            .lag
            .fresh_value(now, spec.poll.metrics)
            .and(r.lag_trend.slope_per_sec())
            .map(|s| (s * 1000.0).round() / 1000.0),
        rpo_breach_in_s: assess::rpo_forecast(r, spec.targets.rpo, now, spec.poll.metrics)
            .map(|d| d.as_secs()),
        block_interval_s: match pace {
            assess::RegionPace::Blocks {
                interval: Some(i), ..
            } => Some((i.as_secs_f64() * 100.0).round() / 100.0),
            _ => None,
        },
        blocks: pace.word(),
        backups: r
            .backups
            .iter()
            .zip(&spec.backups)
            .map(|((kind, newest), policy)| BackupStatus {
                kind: *kind,
                newest_age_s: newest
                    .known_value(now, spec.poll.backups)
                    .copied()
                    .flatten()
                    .map(|t| now.secs_since(t)),
                status: assess::backup(newest, policy, now, spec.poll.backups).word,
            })
            .collect(),
        secrets: r
            .secrets
            .iter()
            .map(|(name, s)| {
                let known = s.known_value(now, spec.poll.backups);
                SecretReport {
                    name: name.clone(),
                    exists: known.map(Option::is_some),
                    last_changed_age_s: known
                        .copied()
                        .flatten()
                        .and_then(|i| i.last_changed)
                        .map(|t| now.secs_since(t)),
                    status: assess::secret(s, now, spec.poll.backups).word,
                }
            })
            .collect(),
        nodes: r
            .nodes
            .iter()
            .map(|(name, n)| {
                let known = n.known_value(now, spec.poll.chain);
                let verdict = assess::node(n, chain_height, now, spec.poll.chain);
                NodeReport {
                    name: name.clone(),
                    height: known.map(|s| s.height),
                    catching_up: known.map(|s| s.catching_up),
                    peers: known.map(|s| s.peers),
                    error: (verdict.level != Level::Ok).then(|| {
                        n.last_error
                            .as_ref()
                            .map_or_else(|| verdict.word.to_lowercase(), |(e, _)| e.clone())
                    }),
                    status: verdict.word,
                }
            })
            .collect(),
    }
}

/// Builds the snapshot of `view` as of `now`.
#[must_use]
pub fn report(view: &EstateView, now: Timestamp) -> StatusReport {
    let spec = &view.spec;
    let regions = view
        .regions
        .iter()
        .zip(&spec.regions)
        .map(|(r, rs)| region_status(view, r, rs, now))
        .collect();
    let validators = super::roster::rows(view, now, "")
        .into_iter()
        .map(|r| ValidatorReport {
            address: r.address.to_owned(),
            name: r.name.to_owned(),
            region: r.region.to_owned(),
            voting_power: r.voting_power,
            signed_latest: r.status.map(|s| s.signed_latest),
            signing: r.signing,
            missed_in_window: r.status.map(|s| s.missed_recent),
            window: r.status.map(|s| s.window),
            last_signed_height: r.status.and_then(|s| s.last_signed_height),
            signs_in: r.signs_in.map(str::to_owned),
        })
        .collect();
    let picture = signing::picture(view, now);
    let names: Vec<String> = spec.regions.iter().map(|r| r.name.clone()).collect();
    let region_loss = bft::region_loss(&names, &picture);
    let region_loss_basis = match picture.basis {
        SigningBasis::Configuration => PowerBasis::Configuration,
        SigningBasis::Signing | SigningBasis::LastCommit => PowerBasis::Chain,
    };
    let margin = picture.margin();
    let known = view.chain.known_value(now, spec.poll.chain);
    let breaches = breach::breaches_given(view, now, &picture);
    StatusReport {
        environment: spec.environment.clone(),
        simulated: spec.simulated,
        at: now.to_string(),
        regions,
        chain: ChainReport {
            chain_id: known.map(|c| c.chain_id.clone()),
            height: known.map(|c| c.height),
            status: chain_state(view, now),
            signing_power: margin.signing_power,
            total_power: margin.total_power,
            margin_power: margin.margin_power,
            basis: picture.basis,
            disagreement: breach::disagreement(&breaches, view, now),
            validators,
        },
        region_loss,
        region_loss_basis,
        breaches,
        topology: topology(view, &picture, now),
    }
}

/// The chain's state in the contract's words.
fn chain_state(view: &EstateView, now: Timestamp) -> &'static str {
    let v = assess::chain(&view.chain, now, view.spec.poll.chain);
    match v.level {
        Level::Ok | Level::AtRisk => "producing",
        Level::Warn => "slow",
        Level::Critical => "halted",
        Level::Stale | Level::Unknown => "unknown",
    }
}

/// Each region's database role, traffic and the keys signing there.
fn topology(
    view: &EstateView,
    picture: &signing::SigningPicture,
    now: Timestamp,
) -> Vec<TopologyReport> {
    let spec = &view.spec;
    view.regions
        .iter()
        .map(|r| {
            let t = r.topology.fresh_value(now, spec.poll.health);
            let error = match t {
                None => r.topology.last_error.as_ref().map_or_else(
                    || Some("no reading yet".to_owned()),
                    |(e, _)| Some(e.clone()),
                ),
                Some(t) if !t.unread.is_empty() => Some(t.unread.join("; ")),
                Some(_) => None,
            };
            TopologyReport {
                region: r.name.clone(),
                error,
                database: match t.and_then(|t| t.database) {
                    Some(DatabaseRole::Primary) => "primary",
                    Some(DatabaseRole::Replica) => "replica",
                    None => "unknown",
                },
                traffic_weight: t.and_then(|t| t.traffic_weight),
                health_check_inverted: t.and_then(|t| t.health_check_inverted),
                validators_signing: picture
                    .signers
                    .iter()
                    .filter(|s| s.counts && s.region.as_deref() == Some(r.name.as_str()))
                    .map(|s| {
                        spec.validator(&s.address)
                            .map_or_else(|| s.address.clone(), |v| v.name.clone())
                    })
                    .collect(),
            }
        })
        .collect()
}
