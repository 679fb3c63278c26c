//! Faults a drill or an operator can inject into the simulated estate, in
//! the one text syntax shared by the console's `:inject` command, the CLI
//! and drill scenario files. A domain word: drill files are parsed into it
//! (config) and the simulator applies it (sources).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::duration::{self, bounds};
use super::estate::{BackupKind, EstateSpec};

/// Something going wrong in the estate. Each fault names what it hits, so
/// several can be active at once and cleared one by one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The whole region is dark: Route53 reports 0 of N checkers, its RPC
    /// nodes time out, its validators stop signing, its CloudWatch metric
    /// and S3 listing fail, and replication to and from it stalls.
    RegionDown {
        /// Region name.
        region: String,
    },
    /// The region's replication lag grows by `per_second` every second on
    /// top of its normal wander (a replica falling behind).
    ReplicationLagGrowth {
        /// Region name.
        region: String,
        /// Extra lag added each second.
        per_second: Duration,
    },
    /// Replication into the region stops: its lag grows 1 s per second.
    ReplicationStall {
        /// Region name.
        region: String,
    },
    /// Backup jobs of `kind` in the region stop completing.
    BackupJobFailure {
        /// Region name.
        region: String,
        /// Which backup.
        kind: BackupKind,
    },
    /// One validator stops signing (name or hex address).
    ValidatorOffline {
        /// Validator name or consensus address.
        validator: String,
    },
    /// A validator's consensus key must be presumed in an attacker's hands
    /// (name or hex address). Nothing stops by itself: the validator keeps
    /// signing until the team fences it, and the service is not safe while
    /// that key can sign. The only way back is a new key (a rotation);
    /// restoring the same key from a backup brings the attacker's key back.
    KeyCompromised {
        /// Validator name or consensus address.
        validator: String,
    },
    /// The listed regions are cut off from the others. The side holding
    /// more than 2/3 of the voting power keeps making blocks; the other
    /// side stops advancing. If neither side has it, the chain halts.
    NetworkPartition {
        /// Regions on the isolated side.
        isolated: Vec<String>,
    },
    /// Route53 reports the region unhealthy although its nodes and
    /// validators are fine: the DNS/health-check failure drill.
    HealthCheckFailure {
        /// Region name.
        region: String,
    },
}

/// Why a fault does not fit the estate it is aimed at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaultError {
    /// The region is not in the estate.
    #[error("unknown region '{region}'; valid regions: {valid}")]
    UnknownRegion {
        /// What was asked for.
        region: String,
        /// The estate's regions, comma separated.
        valid: String,
    },
    /// No validator has that name or address.
    #[error(
        "unknown validator '{validator}'; give a validator name{} or its hex address",
        example.as_ref().map(|e| format!(" such as {e}")).unwrap_or_default()
    )]
    UnknownValidator {
        /// What was asked for.
        validator: String,
        /// A valid name to show as an example.
        example: Option<String>,
    },
    /// The fault is well formed but makes no sense for this estate.
    #[error("{0}")]
    Invalid(String),
}

impl FaultError {
    /// An unknown region, listing the estate's regions.
    #[must_use]
    pub fn unknown_region(region: &str, spec: &EstateSpec) -> Self {
        FaultError::UnknownRegion {
            region: region.to_owned(),
            valid: spec
                .regions
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

const FORMS: &str = "region-down REGION | lag-growth REGION DURATION | \
replication-stall REGION | backup-failure REGION KIND | \
validator-offline NAME_OR_ADDRESS | key-compromised NAME_OR_ADDRESS | partition REGION[,REGION...] | \
health-check-failure REGION";

const KINDS: &str = "chain_state, keys, database";

impl Fault {
    /// Parses the text form, e.g. `lag-growth eu-west-1 2s`. Syntax only:
    /// use [`Fault::parse_for`] to also check names against an estate.
    ///
    /// # Errors
    /// A message saying which form was expected, listing the fault kinds or
    /// backup kinds when those were wrong.
    pub fn parse(text: &str) -> Result<Fault, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let Some((&verb, args)) = words.split_first() else {
            return Err(format!("no fault given; expected one of: {FORMS}"));
        };
        let usage = |form: &str| format!("'{verb}' expects: {form}");
        let region = |r: &str| r.to_owned();
        match (verb, args) {
            ("region-down", [r]) => Ok(Fault::RegionDown { region: region(r) }),
            ("region-down", _) => Err(usage("region-down REGION")),
            ("lag-growth", [r, d]) => Ok(Fault::ReplicationLagGrowth {
                region: region(r),
                per_second: bounds::LAG_GROWTH
                    .parse("lag-growth", d)
                    .map_err(|e| e.to_string())?,
            }),
            ("lag-growth", _) => Err(usage("lag-growth REGION DURATION (e.g. 2s, 500ms)")),
            ("replication-stall", [r]) => Ok(Fault::ReplicationStall { region: region(r) }),
            ("replication-stall", _) => Err(usage("replication-stall REGION")),
            ("backup-failure", [r, k]) => Ok(Fault::BackupJobFailure {
                region: region(r),
                kind: parse_kind(k)?,
            }),
            ("backup-failure", _) => Err(usage(&format!("backup-failure REGION KIND ({KINDS})"))),
            ("validator-offline", [v]) => Ok(Fault::ValidatorOffline {
                validator: (*v).to_owned(),
            }),
            ("validator-offline", _) => Err(usage("validator-offline NAME_OR_ADDRESS")),
            ("key-compromised", [v]) => Ok(Fault::KeyCompromised {
                validator: (*v).to_owned(),
            }),
            ("key-compromised", _) => Err(usage("key-compromised NAME_OR_ADDRESS")),
            ("partition", [_, ..]) => {
                let isolated: Vec<String> = args
                    .iter()
                    .flat_map(|a| a.split(','))
                    .filter(|r| !r.is_empty())
                    .map(str::to_owned)
                    .collect();
                if isolated.is_empty() {
                    Err(usage("partition REGION[,REGION...]"))
                } else {
                    Ok(Fault::NetworkPartition { isolated })
                }
            }
            ("partition", []) => Err(usage("partition REGION[,REGION...]")),
            ("health-check-failure", [r]) => Ok(Fault::HealthCheckFailure { region: region(r) }),
            ("health-check-failure", _) => Err(usage("health-check-failure REGION")),
            _ => Err(format!("unknown fault '{verb}'; expected one of: {FORMS}")),
        }
    }

    /// Parses and checks every region and validator name against `spec`:
    /// what the console's `:inject` uses, so typos fail before anything runs.
    ///
    /// # Errors
    /// Syntax errors as [`Fault::parse`]; unknown names listing the valid ones.
    pub fn parse_for(text: &str, spec: &EstateSpec) -> Result<Fault, String> {
        let fault = Fault::parse(text)?;
        fault.validate(spec).map_err(|e| e.to_string())?;
        Ok(fault)
    }

    /// Checks that every name the fault carries exists in `spec`.
    ///
    /// # Errors
    /// [`FaultError::UnknownRegion`], [`FaultError::UnknownValidator`], or
    /// [`FaultError::Invalid`] for a partition that isolates nothing or
    /// everything.
    pub fn validate(&self, spec: &EstateSpec) -> Result<(), FaultError> {
        let known = |r: &str| {
            if spec.region(r).is_some() {
                Ok(())
            } else {
                Err(FaultError::unknown_region(r, spec))
            }
        };
        match self {
            Fault::RegionDown { region }
            | Fault::ReplicationLagGrowth { region, .. }
            | Fault::ReplicationStall { region }
            | Fault::BackupJobFailure { region, .. }
            | Fault::HealthCheckFailure { region } => known(region),
            Fault::ValidatorOffline { validator } | Fault::KeyCompromised { validator } => {
                if spec.validators.iter().any(|v| v.answers_to(validator)) {
                    Ok(())
                } else {
                    Err(FaultError::UnknownValidator {
                        validator: validator.clone(),
                        example: spec.validators.first().map(|v| v.name.clone()),
                    })
                }
            }
            Fault::NetworkPartition { isolated } => {
                isolated.iter().try_for_each(|r| known(r))?;
                let cut = spec
                    .regions
                    .iter()
                    .filter(|r| isolated.contains(&r.name))
                    .count();
                if cut == 0 || cut == spec.regions.len() {
                    Err(FaultError::Invalid(
                        "a partition must leave at least one region on each side".to_owned(),
                    ))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// One line for the operator: what is broken and what it does.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Fault::RegionDown { region } => format!(
                "{region} down: health checks fail, RPC nodes time out, validators stop signing"
            ),
            Fault::ReplicationLagGrowth { region, per_second } => format!(
                "replication lag in {region} growing by {} every second",
                duration::format(*per_second)
            ),
            Fault::ReplicationStall { region } => {
                format!("replication into {region} stalled: lag grows 1 s per second")
            }
            Fault::BackupJobFailure { region, kind } => {
                format!("{} backup jobs in {region} failing", kind.label())
            }
            Fault::ValidatorOffline { validator } => {
                format!("validator {validator} offline: not signing")
            }
            Fault::KeyCompromised { validator } => format!(
                "consensus key of {validator} compromised: unsafe while it can sign; rotate, never restore"
            ),
            Fault::NetworkPartition { isolated } => format!(
                "network partition: {} cut off from the other regions",
                isolated.join(", ")
            ),
            Fault::HealthCheckFailure { region } => {
                format!("Route53 health check for {region} failing while its nodes are fine")
            }
        }
    }
}

/// The text form [`Fault::parse`] reads back, so injected faults can be
/// journalled and replayed.
impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::RegionDown { region } => write!(f, "region-down {region}"),
            Fault::ReplicationLagGrowth { region, per_second } => {
                write!(f, "lag-growth {region} {}", duration::format(*per_second))
            }
            Fault::ReplicationStall { region } => write!(f, "replication-stall {region}"),
            Fault::BackupJobFailure { region, kind } => {
                write!(f, "backup-failure {region} {}", kind_token(*kind))
            }
            Fault::ValidatorOffline { validator } => write!(f, "validator-offline {validator}"),
            Fault::KeyCompromised { validator } => write!(f, "key-compromised {validator}"),
            Fault::NetworkPartition { isolated } => write!(f, "partition {}", isolated.join(",")),
            Fault::HealthCheckFailure { region } => write!(f, "health-check-failure {region}"),
        }
    }
}

/// Lets clap value parsers and `str::parse` read faults from flags.
impl FromStr for Fault {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Fault::parse(text)
    }
}

/// Faults serialize as their text form, so drill scenario files can say
/// `inject: "region-down us-east-1"` and journals read like the console.
impl serde::Serialize for Fault {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Reads the text form; errors carry [`Fault::parse`]'s message.
impl<'de> serde::Deserialize<'de> for Fault {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Fault::parse(&text).map_err(serde::de::Error::custom)
    }
}

fn kind_token(kind: BackupKind) -> &'static str {
    match kind {
        BackupKind::ChainState => "chain_state",
        BackupKind::Keys => "keys",
        BackupKind::Database => "database",
    }
}

fn parse_kind(text: &str) -> Result<BackupKind, String> {
    match text.to_ascii_lowercase().replace('-', "_").as_str() {
        "chain_state" => Ok(BackupKind::ChainState),
        "keys" => Ok(BackupKind::Keys),
        "database" => Ok(BackupKind::Database),
        _ => Err(format!(
            "unknown backup kind '{text}'; expected one of: {KINDS}"
        )),
    }
}

#[cfg(test)]
#[path = "fault_tests.rs"]
mod tests;
