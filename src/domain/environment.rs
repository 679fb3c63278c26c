//! A live estate as its environment file describes it: the [`EstateSpec`]
//! the console reasons about, plus where each region's readings come from
//! (AWS profile, Route53 health check, CometBFT RPC, S3 backups, CloudWatch
//! metrics, Secrets Manager).
//!
//! These are domain words: the config layer reads them from a file
//! (`config::environment_file`) and the sources layer observes what they
//! name, so both depend on this module and not on each other.

use std::fmt;

use crate::domain::estate::{BackupKind, EstateSpec};

/// A live estate: what exists and how to observe and act on it.
///
/// Without one the console runs on the simulated seed estate; with one,
/// every source is real and every gate names [`EstateSpec::environment`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// Regions, validators, backup policies, targets and poll intervals;
    /// `simulated` is always false.
    pub spec: EstateSpec,
    /// Whether steps that change real infrastructure may run at all. Off
    /// unless the file says so, so a copied file cannot fail over anything.
    pub allow_live_actions: bool,
    /// Settings shared by every AWS client.
    pub aws: AwsSettings,
    /// Where each region's readings come from, in the order of `spec.regions`.
    pub regions: Vec<RegionSources>,
    /// The channels `notification` steps post to, by the name runbooks use.
    pub notify: Vec<crate::domain::notify::NotifyChannel>,
    /// Where shared incidents live; `None`: each console keeps its own
    /// journal only.
    pub incident: Option<IncidentSettings>,
}

/// An environment file's `[incident]` table: the bucket that holds shared
/// incident state, best in a region other than the primary, with
/// versioning and Object Lock on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentSettings {
    /// The bucket.
    pub bucket: String,
    /// The bucket's region.
    pub region: String,
    /// Named AWS profile for it; `None`: the default credential chain.
    pub profile: Option<String>,
    /// Where the incidents are under the bucket.
    pub layout: crate::domain::incident::Layout,
    /// How long a driver's lease lasts unless renewed.
    pub lease: std::time::Duration,
    /// How often a follower reads the shared journal.
    pub poll: std::time::Duration,
}

impl Environment {
    /// The sources of the region called `name`.
    #[must_use]
    pub fn region(&self, name: &str) -> Option<&RegionSources> {
        self.regions.iter().find(|r| r.name == name)
    }
}

/// Settings shared by every AWS client the console builds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsSettings {
    /// Endpoint that replaces AWS's own, for emulators such as moto or
    /// LocalStack in tests and rehearsals. `None` talks to AWS.
    pub endpoint_url: Option<String>,
}

/// Where one region's readings come from and which secrets it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionSources {
    /// AWS region name, as in [`crate::domain::estate::RegionSpec::name`].
    pub name: String,
    /// Named AWS profile for this region's clients; `None` uses the default
    /// credential chain (environment, instance role...).
    pub profile: Option<String>,
    /// Route53 health check that says whether the region serves; `None`
    /// leaves region health to the RPC nodes alone.
    pub health_check_id: Option<String>,
    /// CometBFT RPC endpoints, `http(s)://host[:port][/path]`; at least one.
    pub rpc: Vec<String>,
    /// Where each kind of backup lands, one entry per kind.
    pub backups: Vec<BackupLocation>,
    /// CloudWatch metrics read for this region.
    pub metrics: Vec<MetricSpec>,
    /// Secrets Manager names of the backup passphrase secrets kept here.
    pub secrets: Vec<String>,
    /// The weighted Route53 record that sends this region its traffic;
    /// `None` leaves traffic off the failover panel.
    pub traffic: Option<TrafficRecord>,
}

/// One region's weighted Route53 record: where its traffic weight and the
/// health check that can force traffic away (inverted) are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrafficRecord {
    /// The hosted zone's id, e.g. `Z0123456789ABCDEFGHIJ`.
    pub hosted_zone_id: String,
    /// The record's DNS name, e.g. `rpc.virtengine.example.com`.
    pub record_name: String,
    /// The record type: `A`, `AAAA` or `CNAME`.
    pub record_type: String,
    /// The weighted record's set identifier (the region name by default).
    pub set_identifier: String,
}

impl RegionSources {
    /// The location of backups of `kind`, if this region keeps them.
    #[must_use]
    pub fn backup(&self, kind: BackupKind) -> Option<&BackupLocation> {
        self.backups.iter().find(|b| b.kind == kind)
    }

    /// The first metric read for `purpose`, if any.
    #[must_use]
    pub fn metric(&self, purpose: MetricPurpose) -> Option<&MetricSpec> {
        self.metrics.iter().find(|m| m.purpose == purpose)
    }
}

/// The S3 place one kind of backup is written to in one region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupLocation {
    /// Which backup.
    pub kind: BackupKind,
    /// S3 bucket, e.g. `virtengine-dr-backups-us-east-1`.
    pub bucket: String,
    /// Key prefix inside the bucket, e.g. `chain-state/`; may be empty.
    pub prefix: String,
}

impl BackupLocation {
    /// `s3://bucket/prefix`, as operators write it in runbooks.
    #[must_use]
    pub fn url(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.prefix)
    }
}

/// One CloudWatch metric the console reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricSpec {
    /// CloudWatch namespace, e.g. `VirtEngine/DR`.
    pub namespace: String,
    /// Metric name, e.g. `ReplicationLagSeconds`.
    pub name: String,
    /// Dimension name and value pairs, sorted by name.
    pub dimensions: Vec<(String, String)>,
    /// What the console uses the reading for.
    pub purpose: MetricPurpose,
}

/// What a metric's readings feed, so the console knows which number to
/// judge against RPO, backup age or RTO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetricPurpose {
    /// Replication lag, judged against the RPO.
    ReplicationLag,
    /// Age of the newest backup, judged against the alarm age.
    BackupAge,
    /// Duration of the last failover, judged against the RTO.
    FailoverDuration,
    /// The region's database role: 1 while it is the primary, 0 while a
    /// replica (read for the failover panel, never a lag).
    DatabaseRole,
    /// Shown as is, judged against nothing.
    Other,
}

impl MetricPurpose {
    /// Every purpose, in the order files list them.
    pub const ALL: [MetricPurpose; 5] = [
        MetricPurpose::ReplicationLag,
        MetricPurpose::BackupAge,
        MetricPurpose::FailoverDuration,
        MetricPurpose::DatabaseRole,
        MetricPurpose::Other,
    ];

    /// The key used in environment files.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            MetricPurpose::ReplicationLag => "replication_lag",
            MetricPurpose::BackupAge => "backup_age",
            MetricPurpose::FailoverDuration => "failover_duration",
            MetricPurpose::DatabaseRole => "database_role",
            MetricPurpose::Other => "other",
        }
    }

    /// The purpose of a seed metric by its `VirtEngine/DR` name; `Other`
    /// for any metric the seed does not define.
    #[must_use]
    pub fn of_seed_metric(namespace: &str, name: &str) -> MetricPurpose {
        match (namespace, name) {
            (SEED_NAMESPACE, "ReplicationLagSeconds") => MetricPurpose::ReplicationLag,
            (SEED_NAMESPACE, "BackupAgeHours") => MetricPurpose::BackupAge,
            (SEED_NAMESPACE, "FailoverDurationSeconds") => MetricPurpose::FailoverDuration,
            _ => MetricPurpose::Other,
        }
    }
}

impl fmt::Display for MetricPurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The CloudWatch namespace the seed's DR metrics are published under.
pub const SEED_NAMESPACE: &str = "VirtEngine/DR";

/// The seed's DR metrics, read in every region unless the file lists its own.
pub const SEED_METRICS: [&str; 3] = [
    "ReplicationLagSeconds",
    "BackupAgeHours",
    "FailoverDurationSeconds",
];
