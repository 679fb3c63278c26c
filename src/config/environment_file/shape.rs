//! The raw TOML shape of an environment file, as toml reads it: every
//! value spanned so a later rule can point at it, and each value that
//! stands alone (a role, a kind, a duration's grammar) checked while read.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use toml::Spanned;

use crate::domain::duration::{self, Bound, DurationError};
use crate::domain::environment::{MetricPurpose, SEED_NAMESPACE};
use crate::domain::estate::{BackupKind, RegionRole};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EnvironmentFile {
    pub(super) environment: Spanned<String>,
    pub(super) chain_id: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) allow_live_actions: bool,
    #[serde(default)]
    pub(super) targets: TargetsFile,
    #[serde(default)]
    pub(super) poll: PollFile,
    #[serde(default)]
    pub(super) aws: AwsFile,
    #[serde(default)]
    pub(super) region: Vec<RegionFile>,
    #[serde(default)]
    pub(super) validator: Vec<ValidatorFile>,
    #[serde(default)]
    pub(super) notify: BTreeMap<Spanned<String>, NotifyFile>,
    pub(super) incident: Option<IncidentFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct IncidentFile {
    pub(super) bucket: Spanned<String>,
    pub(super) region: Spanned<String>,
    pub(super) profile: Option<Spanned<String>>,
    pub(super) prefix: Option<Spanned<String>>,
    pub(super) lease: Option<Spanned<DurationValue>>,
    pub(super) poll: Option<Spanned<DurationValue>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NotifyFile {
    pub(super) kind: Option<Spanned<String>>,
    pub(super) url_env: Option<Spanned<String>>,
    pub(super) url_secret: Option<Spanned<String>>,
    pub(super) routing_key_env: Option<Spanned<String>>,
    pub(super) routing_key_secret: Option<Spanned<String>>,
    pub(super) secret_region: Option<Spanned<String>>,
    pub(super) events_url: Option<Spanned<String>>,
    pub(super) dedup_key: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct TargetsFile {
    pub(super) rto: Option<Spanned<DurationValue>>,
    pub(super) rpo: Option<Spanned<DurationValue>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct PollFile {
    pub(super) health: Option<Spanned<DurationValue>>,
    pub(super) metrics: Option<Spanned<DurationValue>>,
    pub(super) backups: Option<Spanned<DurationValue>>,
    pub(super) chain: Option<Spanned<DurationValue>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct AwsFile {
    pub(super) endpoint_url: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RegionFile {
    pub(super) name: Spanned<String>,
    pub(super) role: Spanned<RoleValue>,
    pub(super) profile: Option<Spanned<String>>,
    pub(super) health_check_id: Option<Spanned<String>>,
    pub(super) rpc: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub(super) backup: Vec<BackupFile>,
    #[serde(default)]
    pub(super) metric: Vec<MetricFile>,
    pub(super) secrets: Option<Vec<Spanned<String>>>,
    pub(super) traffic: Option<TrafficFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TrafficFile {
    pub(super) hosted_zone_id: Spanned<String>,
    pub(super) record_name: Spanned<String>,
    pub(super) record_type: Option<Spanned<String>>,
    pub(super) set_identifier: Option<Spanned<String>>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(super) enum RoleValue {
    Primary,
    Secondary,
    Tertiary,
}

impl From<RoleValue> for RegionRole {
    fn from(r: RoleValue) -> Self {
        match r {
            RoleValue::Primary => RegionRole::Primary,
            RoleValue::Secondary => RegionRole::Secondary,
            RoleValue::Tertiary => RegionRole::Tertiary,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BackupFile {
    pub(super) kind: Spanned<KindValue>,
    pub(super) bucket: Spanned<String>,
    #[serde(default)]
    pub(super) prefix: String,
    pub(super) every: Option<Spanned<DurationValue>>,
    pub(super) alarm_after: Option<Spanned<DurationValue>>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub(super) enum KindValue {
    ChainState,
    Keys,
    Database,
}

impl From<KindValue> for BackupKind {
    fn from(k: KindValue) -> Self {
        match k {
            KindValue::ChainState => BackupKind::ChainState,
            KindValue::Keys => BackupKind::Keys,
            KindValue::Database => BackupKind::Database,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MetricFile {
    #[serde(default = "seed_namespace")]
    pub(super) namespace: Spanned<String>,
    pub(super) name: Spanned<String>,
    #[serde(default)]
    pub(super) dimensions: BTreeMap<String, Spanned<String>>,
    pub(super) purpose: Option<PurposeValue>,
}

pub(super) fn seed_namespace() -> Spanned<String> {
    Spanned::new(0..0, SEED_NAMESPACE.to_owned())
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub(super) enum PurposeValue {
    ReplicationLag,
    BackupAge,
    FailoverDuration,
    DatabaseRole,
    Other,
}

impl From<PurposeValue> for MetricPurpose {
    fn from(p: PurposeValue) -> Self {
        match p {
            PurposeValue::ReplicationLag => MetricPurpose::ReplicationLag,
            PurposeValue::BackupAge => MetricPurpose::BackupAge,
            PurposeValue::FailoverDuration => MetricPurpose::FailoverDuration,
            PurposeValue::DatabaseRole => MetricPurpose::DatabaseRole,
            PurposeValue::Other => MetricPurpose::Other,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ValidatorFile {
    pub(super) address: Spanned<String>,
    pub(super) name: Spanned<String>,
    pub(super) region: Spanned<String>,
    pub(super) voting_power: Option<Spanned<u64>>,
}

/// A duration as the file writes it: in the one grammar (checked while
/// read) but not yet against its field's bound, which [`DurationValue::bounded`]
/// applies once the field is known.
pub(super) struct DurationValue {
    /// The text as written (a TOML integer is written as its seconds).
    text: String,
    /// The value; `None` when it is too long to count.
    value: Option<Duration>,
}

impl DurationValue {
    /// The value checked against `bound`, named `field` in messages.
    pub(super) fn bounded(&self, field: &str, bound: Bound) -> Result<Duration, String> {
        bound
            .check_written(field, &self.text, self.value)
            .map_err(|e| e.to_string())
    }
}

impl<'de> Deserialize<'de> for DurationValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = DurationValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as \"30s\", \"2m\", \"1h30m\" or a number of seconds")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<DurationValue, E> {
                let value = match duration::parse(s) {
                    Ok(d) => Some(d),
                    Err(DurationError::Overflow(_)) => None,
                    Err(e) => return Err(E::custom(e)),
                };
                Ok(DurationValue {
                    text: s.to_owned(),
                    value,
                })
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<DurationValue, E> {
                if n < 0 {
                    return Err(E::custom(DurationError::Negative(n)));
                }
                self.visit_str(&n.to_string())
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<DurationValue, E> {
                self.visit_str(&n.to_string())
            }
            fn visit_i128<E: de::Error>(self, n: i128) -> Result<DurationValue, E> {
                if n < 0 {
                    let n = i64::try_from(n).unwrap_or(i64::MIN);
                    return Err(E::custom(DurationError::Negative(n)));
                }
                self.visit_str(&n.to_string())
            }
        }
        d.deserialize_any(V)
    }
}
