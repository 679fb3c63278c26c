//! The static description of the estate: what exists, where, and what the
//! targets are. Readings about it live in [`super::fleet`].

use std::fmt;
use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

/// What part a region plays in the failover plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionRole {
    /// Serves traffic and hosts the database leaseholders.
    Primary,
    /// First failover target.
    Secondary,
    /// Second failover target.
    Tertiary,
}

impl fmt::Display for RegionRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RegionRole::Primary => "primary",
            RegionRole::Secondary => "secondary",
            RegionRole::Tertiary => "tertiary",
        })
    }
}

/// One AWS region of the estate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionSpec {
    /// AWS region name, e.g. `us-east-1`.
    pub name: String,
    /// Its part in the failover plan.
    pub role: RegionRole,
    /// The CometBFT RPC nodes that answer for this region.
    pub rpc_nodes: Vec<String>,
    /// Secrets Manager names of the backup passphrases kept in this region.
    pub secrets: Vec<String>,
}

/// The kinds of backup the estate takes; each has its own schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BackupKind {
    /// Chain-state snapshots (every 4 h in the seed).
    ChainState,
    /// Encrypted validator and node key backups (daily at 02:00 UTC).
    Keys,
    /// CockroachDB backups (incremental every 6 h, full daily).
    Database,
}

impl BackupKind {
    /// The operator-facing label.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            BackupKind::ChainState => "chain state",
            BackupKind::Keys => "keys",
            BackupKind::Database => "database",
        }
    }
}

/// How often a kind of backup should appear and when its age is an alarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupPolicy {
    /// Which backup.
    pub kind: BackupKind,
    /// The schedule's period: a backup older than this missed a run.
    pub every: Duration,
    /// Age at which the estate's alarm fires.
    pub alarm_after: Duration,
}

/// A validator as the estate maps it: address to a region and a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatorSpec {
    /// Hex consensus address, upper case as CometBFT prints it.
    pub address: String,
    /// Operator's name for it.
    pub name: String,
    /// Region it runs in.
    pub region: String,
    /// Voting power expected at start (the chain's own figure wins).
    pub voting_power: u64,
}

impl ValidatorSpec {
    /// True when an operator's `key` names this validator: its name, or its
    /// address in any case (faults and actions accept either).
    #[must_use]
    pub fn answers_to(&self, key: &str) -> bool {
        key == self.name || key.eq_ignore_ascii_case(&self.address)
    }
}

/// The recovery targets the runbooks and drills are judged against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    /// Recovery time objective.
    pub rto: Duration,
    /// Recovery point objective: the most data the estate may lose.
    pub rpo: Duration,
}

/// How often each kind of source is asked; staleness is judged against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollIntervals {
    /// Route53 health checks.
    pub health: Duration,
    /// CloudWatch metrics (replication lag).
    pub metrics: Duration,
    /// S3 listings of the newest backup.
    pub backups: Duration,
    /// CometBFT RPC nodes and the chain.
    pub chain: Duration,
}

/// The chain id of the simulated estate's chain.
pub const SEED_CHAIN_ID: &str = "virtengine-sim-1";

/// Everything the console knows about the estate before it polls anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstateSpec {
    /// Environment name shown in the header and in every gate.
    pub environment: String,
    /// The chain id every RPC endpoint must serve. `None` (a file that
    /// does not name it) trusts the chain most endpoints serve instead,
    /// which a split down the middle can leave undecided.
    pub chain_id: Option<String>,
    /// True for the embedded simulated estate; drives the SIMULATED banner.
    pub simulated: bool,
    /// Regions, primary first.
    pub regions: Vec<RegionSpec>,
    /// Validators mapped to regions.
    pub validators: Vec<ValidatorSpec>,
    /// Backup kinds watched in every region.
    pub backups: Vec<BackupPolicy>,
    /// RTO and RPO.
    pub targets: Targets,
    /// Poll intervals.
    pub poll: PollIntervals,
}

impl EstateSpec {
    /// The estate described by the seed: us-east-1 primary with 3
    /// validators, eu-west-1 and ap-southeast-1 with 2 each, equal power.
    #[must_use]
    pub fn seed() -> Self {
        Self::with_layout(&[
            ("us-east-1", RegionRole::Primary, 3),
            ("eu-west-1", RegionRole::Secondary, 2),
            ("ap-southeast-1", RegionRole::Tertiary, 2),
        ])
    }

    /// The seed's regions with `count` validators spread round-robin over
    /// them: large sets for benchmarks and paging tests.
    #[must_use]
    pub fn seed_with_validators(count: usize) -> Self {
        let mut spec = Self::seed();
        let names: Vec<String> = spec.regions.iter().map(|r| r.name.clone()).collect();
        spec.validators = (0..count)
            .filter_map(|i| {
                names
                    .get(i % names.len())
                    .map(|region| validator(region, i / names.len(), 10))
            })
            .collect();
        spec
    }

    fn with_layout(layout: &[(&str, RegionRole, usize)]) -> Self {
        let regions = layout
            .iter()
            .map(|(name, role, _)| RegionSpec {
                name: (*name).to_owned(),
                role: *role,
                rpc_nodes: (0..2).map(|i| format!("rpc-{i}.{name}")).collect(),
                secrets: vec![format!("virtengine/dr/{name}/backup-passphrase")],
            })
            .collect();
        let validators = layout
            .iter()
            .flat_map(|(name, _, n)| (0..*n).map(move |i| validator(name, i, 10)))
            .collect();
        Self {
            environment: "sim".to_owned(),
            chain_id: Some(SEED_CHAIN_ID.to_owned()),
            simulated: true,
            regions,
            validators,
            backups: vec![
                BackupPolicy {
                    kind: BackupKind::ChainState,
                    every: Duration::from_hours(4),
                    alarm_after: Duration::from_hours(24),
                },
                BackupPolicy {
                    kind: BackupKind::Keys,
                    every: Duration::from_hours(24),
                    alarm_after: Duration::from_hours(48),
                },
                BackupPolicy {
                    kind: BackupKind::Database,
                    every: Duration::from_hours(6),
                    alarm_after: Duration::from_hours(24),
                },
            ],
            targets: Targets {
                rto: Duration::from_mins(15),
                rpo: Duration::from_mins(5),
            },
            poll: PollIntervals {
                health: Duration::from_secs(1),
                metrics: Duration::from_secs(1),
                backups: Duration::from_secs(1),
                chain: Duration::from_secs(1),
            },
        }
    }

    /// The region spec by name.
    #[must_use]
    pub fn region(&self, name: &str) -> Option<&RegionSpec> {
        self.regions.iter().find(|r| r.name == name)
    }

    /// The validator mapping by address.
    #[must_use]
    pub fn validator(&self, address: &str) -> Option<&ValidatorSpec> {
        self.validators
            .iter()
            .find(|v| v.address.eq_ignore_ascii_case(address))
    }
}

/// A simulated validator with a stable address derived from its name.
fn validator(region: &str, index: usize, power: u64) -> ValidatorSpec {
    let name = format!("{region}-val-{index}");
    ValidatorSpec {
        address: pseudo_address(&name),
        name,
        region: region.to_owned(),
        voting_power: power,
    }
}

/// 20 bytes of FNV-1a-derived hex: looks like a consensus address, is
/// stable across runs, and is obviously not a real one.
fn pseudo_address(name: &str) -> String {
    let mut out = String::with_capacity(40);
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for round in 0..3_u8 {
        for b in name.bytes().chain(std::iter::once(round)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let _ = write!(out, "{h:016X}");
    }
    out.truncate(40);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_matches_the_estate_description() {
        let s = EstateSpec::seed();
        let count = |r: &str| s.validators.iter().filter(|v| v.region == r).count();
        assert_eq!(
            (
                count("us-east-1"),
                count("eu-west-1"),
                count("ap-southeast-1")
            ),
            (3, 2, 2)
        );
        assert_eq!(s.targets.rto, Duration::from_mins(15));
        assert_eq!(s.targets.rpo, Duration::from_mins(5));
        assert_eq!(s.regions[0].role, RegionRole::Primary);
    }

    #[test]
    fn addresses_are_unique_and_look_like_addresses() {
        let s = EstateSpec::seed_with_validators(200);
        let mut seen: Vec<&str> = s.validators.iter().map(|v| v.address.as_str()).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 200);
        assert!(
            s.validators
                .iter()
                .all(|v| v.address.len() == 40 && v.address.chars().all(|c| c.is_ascii_hexdigit()))
        );
    }
}
