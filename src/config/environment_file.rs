//! The TOML form of an environment file and its checks.
//!
//! ```toml
//! environment = "prod"            # shown in the header and every gate
//! allow_live_actions = false      # default: nothing real is ever changed
//! [targets]                       # defaults: the seed's 15m / 5m
//! rto = "15m"
//! rpo = "5m"
//! [poll]                          # defaults shown
//! health = "30s"
//! metrics = "60s"
//! backups = "5m"
//! chain = "5s"
//! [aws]
//! endpoint_url = "http://127.0.0.1:5000"   # emulators only
//! [[region]]
//! name = "us-east-1"
//! role = "primary"                # primary | secondary | tertiary
//! profile = "dr-us-east-1"        # optional: default credential chain
//! health_check_id = "..."         # optional Route53 health check id
//! rpc = ["https://rpc-0.us-east-1.example.net:26657"]
//! secrets = ["virtengine/dr/us-east-1/backup-passphrase"]
//! [[region.backup]]               # default: the seed's bucket, 3 kinds
//! kind = "chain_state"            # chain_state | keys | database
//! bucket = "virtengine-dr-backups-us-east-1"
//! prefix = "chain-state/"
//! every = "4h"                    # defaults per kind: 4h, 24h, 6h
//! alarm_after = "24h"             # defaults per kind: 24h, 48h, 24h
//! [[region.metric]]               # default: the seed's VirtEngine/DR three
//! namespace = "VirtEngine/DR"
//! name = "ReplicationLagSeconds"
//! dimensions = { Region = "us-east-1" }
//! purpose = "replication_lag"     # inferred for the seed's metrics, else other
//! [[validator]]
//! address = "0123...40 hex digits"
//! name = "us-east-1-val-0"
//! region = "us-east-1"
//! voting_power = 10               # default 10
//! ```
//!
//! Durations are `"500ms"`, `"30s"`, `"2m"`, `"1h30m"`, `"1d"` or a number
//! of seconds. Values are checked while toml reads them where they stand
//! alone; rules across several values run afterwards and point at the value
//! the operator most likely has to change.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fmt::Write as _;
use std::fs;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use toml::Spanned;

use super::error::ConfigError;
use crate::domain::environment::{
    AwsSettings, BackupLocation, Environment, MetricPurpose, MetricSpec, RegionSources,
    SEED_METRICS, SEED_NAMESPACE,
};
use crate::domain::estate::{
    BackupKind, BackupPolicy, EstateSpec, PollIntervals, RegionRole, RegionSpec, Targets,
    ValidatorSpec,
};

/// Parses and checks an environment file; `file` is only used in messages.
///
/// # Errors
/// The first problem found, with its line and column in `text`.
pub fn parse_environment(file: &Path, text: &str) -> Result<Environment, ConfigError> {
    let parsed: EnvironmentFile =
        toml::from_str(text).map_err(|e| ConfigError::from_toml(file, text, &e))?;
    build(text, &parsed).map_err(|(span, msg)| ConfigError::at(file, text, span, msg))
}

/// Reads and checks the environment file at `path`.
///
/// # Errors
/// The file cannot be read, or [`parse_environment`] rejects it.
pub fn load_environment(path: &Path) -> Result<Environment, ConfigError> {
    let text = fs::read_to_string(path).map_err(|source| ConfigError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    parse_environment(path, &text)
}

/// A rule broken somewhere: the span to point at and the message.
type Broken = (Range<usize>, String);

const SECOND: Duration = Duration::from_secs(1);
const MINUTE: Duration = Duration::from_mins(1);
const HOUR: Duration = Duration::from_hours(1);

/// The seed's targets: RTO 15 minutes, RPO 5 minutes.
const DEFAULT_TARGETS: Targets = Targets {
    rto: Duration::from_mins(15),
    rpo: Duration::from_mins(5),
};

/// Poll intervals that keep a live console fresh without hammering AWS.
const DEFAULT_POLL: PollIntervals = PollIntervals {
    health: Duration::from_secs(30),
    metrics: Duration::from_mins(1),
    backups: Duration::from_mins(5),
    chain: Duration::from_secs(5),
};

/// Voting power of a validator whose file entry gives none.
const DEFAULT_VOTING_POWER: u64 = 10;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvironmentFile {
    environment: Spanned<String>,
    #[serde(default)]
    allow_live_actions: bool,
    #[serde(default)]
    targets: TargetsFile,
    #[serde(default)]
    poll: PollFile,
    #[serde(default)]
    aws: AwsFile,
    #[serde(default)]
    region: Vec<RegionFile>,
    #[serde(default)]
    validator: Vec<ValidatorFile>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TargetsFile {
    rto: Option<Spanned<DurationValue>>,
    rpo: Option<Spanned<DurationValue>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PollFile {
    health: Option<Spanned<DurationValue>>,
    metrics: Option<Spanned<DurationValue>>,
    backups: Option<Spanned<DurationValue>>,
    chain: Option<Spanned<DurationValue>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct AwsFile {
    endpoint_url: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionFile {
    name: Spanned<String>,
    role: Spanned<RoleValue>,
    profile: Option<Spanned<String>>,
    health_check_id: Option<Spanned<String>>,
    rpc: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    backup: Vec<BackupFile>,
    #[serde(default)]
    metric: Vec<MetricFile>,
    secrets: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum RoleValue {
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
struct BackupFile {
    kind: Spanned<KindValue>,
    bucket: Spanned<String>,
    #[serde(default)]
    prefix: String,
    every: Option<Spanned<DurationValue>>,
    alarm_after: Option<Spanned<DurationValue>>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum KindValue {
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

/// The key a backup kind has in files, for messages.
fn kind_key(kind: BackupKind) -> &'static str {
    match kind {
        BackupKind::ChainState => "chain_state",
        BackupKind::Keys => "keys",
        BackupKind::Database => "database",
    }
}

/// The seed's schedule, alarm age and prefix for each kind, in file order.
const SEED_BACKUPS: [(BackupKind, Duration, Duration, &str); 3] = [
    (
        BackupKind::ChainState,
        Duration::from_hours(4),
        Duration::from_hours(24),
        "chain-state/",
    ),
    (
        BackupKind::Keys,
        Duration::from_hours(24),
        Duration::from_hours(48),
        "keys/",
    ),
    (
        BackupKind::Database,
        Duration::from_hours(6),
        Duration::from_hours(24),
        "database/",
    ),
];

fn seed_backup(kind: BackupKind) -> (Duration, Duration, &'static str) {
    SEED_BACKUPS
        .iter()
        .find(|(k, ..)| *k == kind)
        .map_or((24 * HOUR, 48 * HOUR, ""), |&(_, e, a, p)| (e, a, p))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MetricFile {
    #[serde(default = "seed_namespace")]
    namespace: Spanned<String>,
    name: Spanned<String>,
    #[serde(default)]
    dimensions: BTreeMap<String, Spanned<String>>,
    purpose: Option<PurposeValue>,
}

fn seed_namespace() -> Spanned<String> {
    Spanned::new(0..0, SEED_NAMESPACE.to_owned())
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum PurposeValue {
    ReplicationLag,
    BackupAge,
    FailoverDuration,
    Other,
}

impl From<PurposeValue> for MetricPurpose {
    fn from(p: PurposeValue) -> Self {
        match p {
            PurposeValue::ReplicationLag => MetricPurpose::ReplicationLag,
            PurposeValue::BackupAge => MetricPurpose::BackupAge,
            PurposeValue::FailoverDuration => MetricPurpose::FailoverDuration,
            PurposeValue::Other => MetricPurpose::Other,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValidatorFile {
    address: Spanned<String>,
    name: Spanned<String>,
    region: Spanned<String>,
    voting_power: Option<Spanned<u64>>,
}

/// Runs every rule in file order and assembles the environment.
fn build(text: &str, f: &EnvironmentFile) -> Result<Environment, Broken> {
    validate_environment_name(&f.environment)?;
    let targets = Targets {
        rto: positive("rto", f.targets.rto.as_ref(), DEFAULT_TARGETS.rto)?,
        rpo: positive("rpo", f.targets.rpo.as_ref(), DEFAULT_TARGETS.rpo)?,
    };
    let poll = PollIntervals {
        health: positive("poll.health", f.poll.health.as_ref(), DEFAULT_POLL.health)?,
        metrics: positive(
            "poll.metrics",
            f.poll.metrics.as_ref(),
            DEFAULT_POLL.metrics,
        )?,
        backups: positive(
            "poll.backups",
            f.poll.backups.as_ref(),
            DEFAULT_POLL.backups,
        )?,
        chain: positive("poll.chain", f.poll.chain.as_ref(), DEFAULT_POLL.chain)?,
    };
    if let Some(url) = &f.aws.endpoint_url {
        validate_url("endpoint_url", url)?;
    }

    validate_has_regions(&f.region)?;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for r in &f.region {
        validate_region_name(&r.name)?;
        if let Some(&first) = seen.get(r.name.get_ref().as_str()) {
            return Err((
                r.name.span(),
                format!(
                    "region \"{}\" is already declared on line {}, expected each region once",
                    r.name.get_ref(),
                    line_of(text, first)
                ),
            ));
        }
        seen.insert(r.name.get_ref(), r.name.span().start);
    }
    validate_one_primary(text, &f.region)?;

    let mut regions = Vec::new();
    let mut backups: Vec<Vec<BackupEntry>> = Vec::new();
    for r in &f.region {
        let entries = region_backups(r)?;
        regions.push(region_sources(r, &entries)?);
        backups.push(entries);
    }
    validate_unique_rpc(text, &f.region)?;
    validate_backups_agree(text, &f.region, &backups)?;
    let validators = validators(text, &f.validator, &f.region)?;

    let mut specs: Vec<(RegionSpec, RegionSources)> = f
        .region
        .iter()
        .zip(regions)
        .map(|(r, sources)| {
            let spec = RegionSpec {
                name: r.name.get_ref().clone(),
                role: (*r.role.get_ref()).into(),
                rpc_nodes: sources.rpc.clone(),
                secrets: sources.secrets.clone(),
            };
            (spec, sources)
        })
        .collect();
    // The domain lists the primary first; the rest keep file order.
    specs.sort_by_key(|(s, _)| s.role != RegionRole::Primary);
    let (region_specs, sources): (Vec<_>, Vec<_>) = specs.into_iter().unzip();

    Ok(Environment {
        spec: EstateSpec {
            environment: f.environment.get_ref().clone(),
            simulated: false,
            regions: region_specs,
            validators,
            backups: backups
                .first()
                .map(|b| b.iter().map(|e| e.policy).collect())
                .unwrap_or_default(),
            targets,
            poll,
        },
        allow_live_actions: f.allow_live_actions,
        aws: AwsSettings {
            endpoint_url: f.aws.endpoint_url.as_ref().map(|u| u.get_ref().clone()),
        },
        regions: sources,
    })
}

/// 1-based line of byte `offset`, for "already ... on line N" messages.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}

fn validate_environment_name(name: &Spanned<String>) -> Result<(), Broken> {
    let n = name.get_ref();
    let ok = !n.is_empty()
        && n.len() <= 64
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        return Ok(());
    }
    Err((
        name.span(),
        format!(
            "bad environment name \"{n}\", expected letters, digits, \"-\" and \"_\" \
             (e.g. prod or staging)"
        ),
    ))
}

/// A duration that must be more than zero, or its default when absent.
fn positive(
    key: &str,
    value: Option<&Spanned<DurationValue>>,
    default: Duration,
) -> Result<Duration, Broken> {
    let Some(v) = value else {
        return Ok(default);
    };
    if v.get_ref().0.is_zero() {
        return Err((
            v.span(),
            format!("{key} is zero, expected a duration more than zero"),
        ));
    }
    Ok(v.get_ref().0)
}

fn validate_has_regions(regions: &[RegionFile]) -> Result<(), Broken> {
    if regions.is_empty() {
        return Err((
            0..0,
            "no regions, expected at least one [[region]] with name, role and rpc".to_owned(),
        ));
    }
    Ok(())
}

/// AWS region names are lowercase words and digits joined by `-`; the name
/// also ends up in bucket names and metric dimensions.
fn validate_region_name(name: &Spanned<String>) -> Result<(), Broken> {
    let n = name.get_ref();
    let ok = !n.is_empty()
        && n.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if ok {
        return Ok(());
    }
    Err((
        name.span(),
        format!("bad region name \"{n}\", expected an AWS region name such as us-east-1"),
    ))
}

/// Failover needs to know which region it fails over from: exactly one
/// primary. A second primary is pointed at; none points at the first role.
fn validate_one_primary(text: &str, regions: &[RegionFile]) -> Result<(), Broken> {
    let mut primary: Option<&RegionFile> = None;
    for r in regions {
        if *r.role.get_ref() != RoleValue::Primary {
            continue;
        }
        if let Some(first) = primary {
            return Err((
                r.role.span(),
                format!(
                    "region \"{}\" is a second primary (\"{}\" on line {} is one), \
                     expected exactly one region with role = \"primary\"",
                    r.name.get_ref(),
                    first.name.get_ref(),
                    line_of(text, first.role.span().start)
                ),
            ));
        }
        primary = Some(r);
    }
    match (primary, regions.first()) {
        (None, Some(first)) => Err((
            first.role.span(),
            "no primary region, expected exactly one region with role = \"primary\"".to_owned(),
        )),
        _ => Ok(()),
    }
}

/// An RPC node answers for one region; listing it twice is a copy-paste
/// slip that would make two regions look alike.
fn validate_unique_rpc(text: &str, regions: &[RegionFile]) -> Result<(), Broken> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for url in regions
        .iter()
        .filter_map(|r| r.rpc.as_ref())
        .flat_map(Spanned::get_ref)
    {
        let key = url.get_ref().trim_end_matches('/');
        if let Some(&first) = seen.get(key) {
            return Err((
                url.span(),
                format!(
                    "RPC endpoint \"{}\" is already listed on line {}, \
                     expected each endpoint once",
                    url.get_ref(),
                    line_of(text, first)
                ),
            ));
        }
        seen.insert(key, url.span().start);
    }
    Ok(())
}

/// Checks `http(s)://host[:port][/path]`: no credentials, query or fragment,
/// since the file is shared and the console adds its own paths.
fn validate_url(what: &str, url: &Spanned<String>) -> Result<(), Broken> {
    check_url(url.get_ref()).map_err(|why| {
        (
            url.span(),
            format!(
                "bad {what} \"{}\" ({why}), expected http://host[:port] or https://host[:port]",
                url.get_ref()
            ),
        )
    })
}

fn check_url(url: &str) -> Result<(), &'static str> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or("scheme is not http or https")?;
    let (authority, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
    if authority.contains('@') {
        return Err("credentials do not belong in the file");
    }
    if path.contains(['?', '#']) {
        return Err("no query or fragment allowed");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("contains spaces");
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (addr, after) = v6.split_once(']').ok_or("unclosed [")?;
        if addr.is_empty() || !addr.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return Err("bad IPv6 address");
        }
        match after {
            "" => (addr, None),
            p => (addr, Some(p.strip_prefix(':').ok_or("junk after ]")?)),
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let host_ok = authority.starts_with('[')
        || (!host.is_empty()
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            }));
    if !host_ok {
        return Err("bad host");
    }
    if let Some(p) = port {
        let n: Option<u16> = p
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| p.parse().ok())
            .flatten();
        if n.is_none_or(|n| n == 0) {
            return Err("port is not 1 to 65535");
        }
    }
    Ok(())
}

/// One backup kind of one region as the file gives it or the seed implies,
/// with where to point if it disagrees with another region.
struct BackupEntry {
    location: BackupLocation,
    policy: BackupPolicy,
    /// The `kind` value, or the region name when defaulted.
    kind_span: Range<usize>,
    /// The `every` value, or `kind_span` when defaulted.
    every_span: Range<usize>,
    /// The `alarm_after` value, or `kind_span` when defaulted.
    alarm_span: Range<usize>,
    /// True when the region lists no backups and the seed's were assumed.
    defaulted: bool,
}

/// The region's backups, or the seed's three in the seed's bucket.
fn region_backups(r: &RegionFile) -> Result<Vec<BackupEntry>, Broken> {
    let name = r.name.get_ref();
    if r.backup.is_empty() {
        return Ok(SEED_BACKUPS
            .iter()
            .map(|&(kind, every, alarm_after, prefix)| BackupEntry {
                location: BackupLocation {
                    kind,
                    bucket: format!("virtengine-dr-backups-{name}"),
                    prefix: prefix.to_owned(),
                },
                policy: BackupPolicy {
                    kind,
                    every,
                    alarm_after,
                },
                kind_span: r.name.span(),
                every_span: r.name.span(),
                alarm_span: r.name.span(),
                defaulted: true,
            })
            .collect());
    }
    let mut out: Vec<BackupEntry> = Vec::new();
    for b in &r.backup {
        let kind: BackupKind = (*b.kind.get_ref()).into();
        if out.iter().any(|e| e.policy.kind == kind) {
            return Err((
                b.kind.span(),
                format!(
                    "region \"{name}\" lists {} backups twice, expected one [[region.backup]] per kind",
                    kind_key(kind)
                ),
            ));
        }
        validate_bucket(&b.bucket)?;
        let (seed_every, seed_alarm, _) = seed_backup(kind);
        let every = positive("every", b.every.as_ref(), seed_every)?;
        let alarm_after = positive("alarm_after", b.alarm_after.as_ref(), seed_alarm)?;
        let every_span = b.every.as_ref().map_or(b.kind.span(), Spanned::span);
        let alarm_span = b.alarm_after.as_ref().map_or(b.kind.span(), Spanned::span);
        if alarm_after <= every {
            // Point at whichever of the two the operator wrote.
            let span = if b.alarm_after.is_some() {
                alarm_span.clone()
            } else {
                every_span.clone()
            };
            return Err((
                span,
                format!(
                    "{} backups alarm after {}{} but run every {}, \
                     expected alarm_after longer than every",
                    kind_key(kind),
                    format_duration(alarm_after),
                    if b.alarm_after.is_some() {
                        ""
                    } else {
                        " (the default)"
                    },
                    format_duration(every)
                ),
            ));
        }
        out.push(BackupEntry {
            location: BackupLocation {
                kind,
                bucket: b.bucket.get_ref().clone(),
                prefix: b.prefix.clone(),
            },
            policy: BackupPolicy {
                kind,
                every,
                alarm_after,
            },
            kind_span: b.kind.span(),
            every_span,
            alarm_span,
            defaulted: false,
        });
    }
    Ok(out)
}

/// S3's own rules, so a typo fails here rather than as AccessDenied at 3 a.m.
fn validate_bucket(bucket: &Spanned<String>) -> Result<(), Broken> {
    let b = bucket.get_ref();
    let edge_ok = |c: Option<u8>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let ok = (3..=63).contains(&b.len())
        && b.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.')
        && edge_ok(b.bytes().next())
        && edge_ok(b.bytes().last());
    if ok {
        return Ok(());
    }
    Err((
        bucket.span(),
        format!(
            "bad S3 bucket name \"{b}\", expected 3 to 63 lowercase letters, digits, \
             \"-\" and \".\" (e.g. virtengine-dr-backups-us-east-1)"
        ),
    ))
}

/// Every region must watch the same kinds on the same schedule: the
/// estate's policy is one, and `EstateSpec::backups` holds it once.
fn validate_backups_agree(
    text: &str,
    regions: &[RegionFile],
    backups: &[Vec<BackupEntry>],
) -> Result<(), Broken> {
    let (Some(first_region), Some(first)) = (regions.first(), backups.first()) else {
        return Ok(());
    };
    let first_name = first_region.name.get_ref();
    let first_line = line_of(text, first_region.name.span().start);
    let kinds = |entries: &[BackupEntry]| -> String {
        entries
            .iter()
            .map(|e| kind_key(e.policy.kind))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (r, entries) in regions.iter().zip(backups).skip(1) {
        let name = r.name.get_ref();
        for e in entries {
            let Some(model) = first.iter().find(|m| m.policy.kind == e.policy.kind) else {
                let what = if e.defaulted {
                    format!(
                        "region \"{name}\" lists no backups, so it watches the seed's three kinds"
                    )
                } else {
                    format!(
                        "region \"{name}\" watches {} backups",
                        kind_key(e.policy.kind)
                    )
                };
                return Err((
                    e.kind_span.clone(),
                    format!(
                        "{what}, but \"{first_name}\" (line {first_line}) has no {} backup, \
                         expected the same backup kinds in every region: {}",
                        kind_key(e.policy.kind),
                        kinds(first)
                    ),
                ));
            };
            for (ours, theirs, span, key) in [
                (e.policy.every, model.policy.every, &e.every_span, "every"),
                (
                    e.policy.alarm_after,
                    model.policy.alarm_after,
                    &e.alarm_span,
                    "alarm_after",
                ),
            ] {
                if ours != theirs {
                    return Err((
                        span.clone(),
                        format!(
                            "{} backups: {key} is {} here but {} in \"{first_name}\" \
                             (line {first_line}), \
                             expected one schedule per kind in every region",
                            kind_key(e.policy.kind),
                            format_duration(ours),
                            format_duration(theirs)
                        ),
                    ));
                }
            }
        }
        if let Some(missing) = first
            .iter()
            .find(|m| !entries.iter().any(|e| e.policy.kind == m.policy.kind))
        {
            return Err((
                r.name.span(),
                format!(
                    "region \"{name}\" has no {} backup but \"{first_name}\" \
                     (line {first_line}) has, \
                     expected the same backup kinds in every region: {}",
                    kind_key(missing.policy.kind),
                    kinds(first)
                ),
            ));
        }
    }
    Ok(())
}

/// The rest of a region's sources: RPC, metrics, secrets, profile, health check.
fn region_sources(r: &RegionFile, backups: &[BackupEntry]) -> Result<RegionSources, Broken> {
    let name = r.name.get_ref();
    let rpc = match &r.rpc {
        None => {
            return Err((
                r.name.span(),
                format!(
                    "region \"{name}\" has no rpc, expected rpc = [\"http://host:26657\", ...] \
                     with at least one CometBFT RPC endpoint"
                ),
            ));
        }
        Some(list) if list.get_ref().is_empty() => {
            return Err((
                list.span(),
                format!(
                    "region \"{name}\" has no RPC endpoint, expected at least one \
                     \"http://host:26657\""
                ),
            ));
        }
        Some(list) => list.get_ref(),
    };
    for url in rpc {
        validate_url("RPC URL", url)?;
    }
    if let Some(p) = &r.profile
        && p.get_ref().trim().is_empty()
    {
        return Err((
            p.span(),
            "empty profile, expected an AWS profile name or no profile key \
             for the default credential chain"
                .to_owned(),
        ));
    }
    if let Some(id) = &r.health_check_id {
        validate_health_check_id(id)?;
    }
    let secrets = match &r.secrets {
        None => vec![format!("virtengine/dr/{name}/backup-passphrase")],
        Some(list) => {
            for s in list {
                validate_secret_name(s)?;
            }
            list.iter().map(|s| s.get_ref().clone()).collect()
        }
    };
    Ok(RegionSources {
        name: name.clone(),
        profile: r.profile.as_ref().map(|p| p.get_ref().clone()),
        health_check_id: r.health_check_id.as_ref().map(|h| h.get_ref().clone()),
        rpc: rpc.iter().map(|u| u.get_ref().clone()).collect(),
        backups: backups.iter().map(|e| e.location.clone()).collect(),
        metrics: region_metrics(r)?,
        secrets,
    })
}

/// Route53 health check ids are UUIDs; anything else (a name, an ARN) is
/// a paste from the wrong column of the console.
fn validate_health_check_id(id: &Spanned<String>) -> Result<(), Broken> {
    let s = id.get_ref();
    let groups: Vec<&str> = s.split('-').collect();
    let ok = groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()));
    if ok {
        return Ok(());
    }
    Err((
        id.span(),
        format!(
            "bad health_check_id \"{s}\", expected a Route53 health check id such as \
             \"0b5e3c2a-1f4d-4c8e-9a7b-2d6f8e1c3a5b\""
        ),
    ))
}

/// Secrets Manager's own character set for names.
fn validate_secret_name(secret: &Spanned<String>) -> Result<(), Broken> {
    let s = secret.get_ref();
    let ok = !s.is_empty()
        && s.len() <= 512
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_+=.@-".contains(&b));
    if ok {
        return Ok(());
    }
    Err((
        secret.span(),
        format!(
            "bad secret name \"{s}\", expected a Secrets Manager name of letters, digits \
             and /_+=.@- (e.g. virtengine/dr/us-east-1/backup-passphrase)"
        ),
    ))
}

/// The region's metrics, or the seed's three with `Region=<name>`.
fn region_metrics(r: &RegionFile) -> Result<Vec<MetricSpec>, Broken> {
    let region = r.name.get_ref();
    if r.metric.is_empty() {
        return Ok(SEED_METRICS
            .iter()
            .map(|name| MetricSpec {
                namespace: SEED_NAMESPACE.to_owned(),
                name: (*name).to_owned(),
                dimensions: vec![("Region".to_owned(), region.clone())],
                purpose: MetricPurpose::of_seed_metric(SEED_NAMESPACE, name),
            })
            .collect());
    }
    let mut out = Vec::new();
    for m in &r.metric {
        for (what, value) in [("namespace", &m.namespace), ("metric name", &m.name)] {
            if value.get_ref().trim().is_empty() {
                return Err((
                    value.span(),
                    format!("empty {what}, expected e.g. VirtEngine/DR ReplicationLagSeconds"),
                ));
            }
        }
        if let Some((dim, v)) = m.dimensions.iter().find(|(_, v)| v.get_ref().is_empty()) {
            return Err((
                v.span(),
                format!("dimension {dim} is empty, expected a value such as \"{region}\""),
            ));
        }
        let (namespace, name) = (m.namespace.get_ref(), m.name.get_ref());
        out.push(MetricSpec {
            namespace: namespace.clone(),
            name: name.clone(),
            dimensions: m
                .dimensions
                .iter()
                .map(|(k, v)| (k.clone(), v.get_ref().clone()))
                .collect(),
            purpose: m.purpose.map_or_else(
                || MetricPurpose::of_seed_metric(namespace, name),
                MetricPurpose::from,
            ),
        });
    }
    Ok(out)
}

/// Validators: each in a declared region, address and name unique.
fn validators(
    text: &str,
    list: &[ValidatorFile],
    regions: &[RegionFile],
) -> Result<Vec<ValidatorSpec>, Broken> {
    let mut by_address: HashMap<String, usize> = HashMap::new();
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::new();
    for v in list {
        let address = v.address.get_ref();
        if address.len() != 40 || !address.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err((
                v.address.span(),
                format!(
                    "bad validator address \"{address}\", expected 40 hex digits \
                     as CometBFT prints it"
                ),
            ));
        }
        let upper = address.to_ascii_uppercase();
        if let Some(&first) = by_address.get(&upper) {
            return Err((
                v.address.span(),
                format!(
                    "validator address {address} is already mapped on line {} \
                     (addresses ignore case), expected each address once",
                    line_of(text, first)
                ),
            ));
        }
        by_address.insert(upper.clone(), v.address.span().start);

        let name = v.name.get_ref();
        if name.trim().is_empty() {
            return Err((
                v.name.span(),
                "empty validator name, expected the operator's name for it".to_owned(),
            ));
        }
        if let Some(&first) = by_name.get(name.as_str()) {
            return Err((
                v.name.span(),
                format!(
                    "validator name \"{name}\" is already used on line {}, \
                     expected each name once",
                    line_of(text, first)
                ),
            ));
        }
        by_name.insert(name, v.name.span().start);

        let region = v.region.get_ref();
        if !regions.iter().any(|r| r.name.get_ref() == region) {
            let declared: Vec<&str> = regions.iter().map(|r| r.name.get_ref().as_str()).collect();
            return Err((
                v.region.span(),
                format!(
                    "validator \"{name}\" is in undeclared region \"{region}\", \
                     expected one of: {}",
                    declared.join(", ")
                ),
            ));
        }
        let voting_power = match &v.voting_power {
            None => DEFAULT_VOTING_POWER,
            Some(p) if *p.get_ref() == 0 => {
                return Err((
                    p.span(),
                    format!(
                        "validator \"{name}\" has voting_power 0, \
                         expected more than zero (or leave it out for {DEFAULT_VOTING_POWER})"
                    ),
                ));
            }
            Some(p) => *p.get_ref(),
        };
        out.push(ValidatorSpec {
            address: upper,
            name: name.clone(),
            region: region.clone(),
            voting_power,
        });
    }
    Ok(out)
}

/// What a duration may look like, for error messages.
const DURATION_FORMS: &str = r#""500ms", "30s", "2m", "1h30m", "1d" or a whole number of seconds"#;

/// A duration read from the file, already well-formed (zero is allowed
/// here; rules that need more say so at the value).
struct DurationValue(Duration);

impl<'de> Deserialize<'de> for DurationValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = DurationValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(DURATION_FORMS)
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<DurationValue, E> {
                parse_duration(s).map(DurationValue).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<DurationValue, E> {
                u64::try_from(n)
                    .map(|n| DurationValue(Duration::from_secs(n)))
                    .map_err(|_| {
                        E::custom(format!("negative duration {n}, expected {DURATION_FORMS}"))
                    })
            }
        }
        d.deserialize_any(V)
    }
}

/// Duration units in the order they must appear.
const DURATION_UNITS: [(&str, Duration); 5] = [
    ("d", Duration::from_hours(24)),
    ("h", HOUR),
    ("m", MINUTE),
    ("s", SECOND),
    ("ms", Duration::from_millis(1)),
];

/// Parses `"500ms"`, `"30s"`, `"2m"`, `"1h30m"`, `"1d"` or bare seconds
/// `"30"`: whole numbers, units from largest to smallest, each at most once.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("bad duration \"{s}\", expected {DURATION_FORMS}");
    if s.is_empty() {
        return Err(bad());
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().map(Duration::from_secs).map_err(|_| bad());
    }
    let mut rest = s;
    let mut next_unit = 0;
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad());
        }
        let (number, after) = rest.split_at(digits);
        let letters = after.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (unit, after) = after.split_at(letters);
        let index = DURATION_UNITS[next_unit..]
            .iter()
            .position(|(u, _)| *u == unit)
            .map(|i| i + next_unit)
            .ok_or_else(bad)?;
        let n: u32 = number.parse().map_err(|_| bad())?;
        total = DURATION_UNITS[index]
            .1
            .checked_mul(n)
            .and_then(|d| total.checked_add(d))
            .ok_or_else(bad)?;
        next_unit = index + 1;
        rest = after;
    }
    Ok(total)
}

/// The shortest form [`parse_duration`] reads back: `4h`, `1h30m`, `500ms`.
fn format_duration(d: Duration) -> String {
    let mut secs = d.as_secs();
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if secs >= size {
            let _ = write!(out, "{}{unit}", secs / size);
            secs %= size;
        }
    }
    if d.subsec_millis() > 0 {
        let _ = write!(out, "{}ms", d.subsec_millis());
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Environment, String> {
        parse_environment(Path::new("e.toml"), text).map_err(|e| e.to_string())
    }

    const MINIMAL: &str = "environment = \"staging\"\n\
        [[region]]\nname = \"us-east-1\"\nrole = \"primary\"\nrpc = [\"http://10.0.0.1:26657\"]\n";

    #[test]
    fn durations_parse_in_every_form() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_mins(2)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_mins(90)));
        assert_eq!(parse_duration("1d"), Ok(Duration::from_hours(24)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1m500ms"), Ok(Duration::from_millis(60_500)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        for bad in [
            "",
            "s",
            "1.5h",
            "30 s",
            "-3s",
            "1m1h",
            "1h1h",
            "3w",
            "1hh",
            " 5s",
            "99999999999h",
        ] {
            assert!(
                parse_duration(bad).unwrap_err().starts_with("bad duration"),
                "{bad}"
            );
        }
    }

    #[test]
    fn durations_format_back_to_what_parses() {
        for text in ["4h", "1h30m", "500ms", "1d", "2m5s", "0s"] {
            assert_eq!(format_duration(parse_duration(text).unwrap()), text);
        }
    }

    #[test]
    fn urls_are_http_host_port() {
        for ok in [
            "http://127.0.0.1:26657",
            "https://rpc.example.net",
            "https://rpc.example.net/rpc/",
            "http://[::1]:26657",
            "http://localhost",
        ] {
            assert_eq!(check_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "127.0.0.1:26657",
            "tcp://1.2.3.4:26657",
            "http://",
            "http://host:0",
            "http://host:65536",
            "http://host:x",
            "http://u:p@host",
            "http://host/?a=b",
            "http://ho st",
            "http://host..x",
            "http://[zz]:1",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_minimal_file_gets_the_seed_defaults() {
        let env = parse(MINIMAL).unwrap();
        assert!(!env.allow_live_actions);
        assert!(!env.spec.simulated);
        assert_eq!(env.spec.environment, "staging");
        assert_eq!(env.spec.targets, DEFAULT_TARGETS);
        assert_eq!(env.spec.poll, DEFAULT_POLL);
        assert_eq!(env.spec.backups.len(), 3);
        assert_eq!(env.spec.regions[0].rpc_nodes, ["http://10.0.0.1:26657"]);
        let r = &env.regions[0];
        assert_eq!(
            r.backup(BackupKind::Keys).unwrap().url(),
            "s3://virtengine-dr-backups-us-east-1/keys/"
        );
        assert_eq!(r.secrets, ["virtengine/dr/us-east-1/backup-passphrase"]);
        let lag = r.metric(MetricPurpose::ReplicationLag).unwrap();
        assert_eq!(lag.name, "ReplicationLagSeconds");
        assert_eq!(
            lag.dimensions,
            [("Region".to_owned(), "us-east-1".to_owned())]
        );
        assert_eq!(env.aws, AwsSettings::default());
    }

    #[test]
    fn the_primary_comes_first_and_addresses_are_upper_case() {
        let text = "environment = \"x\"\n\
            [[region]]\nname = \"eu-west-1\"\nrole = \"secondary\"\nrpc = [\"http://b:1\"]\n\
            [[region]]\nname = \"us-east-1\"\nrole = \"primary\"\nrpc = [\"http://a:1\"]\n\
            [[validator]]\naddress = \"abcdef0123456789abcdef0123456789abcdef01\"\n\
            name = \"v\"\nregion = \"eu-west-1\"\n";
        let env = parse(text).unwrap();
        assert_eq!(env.spec.regions[0].name, "us-east-1");
        assert_eq!(env.regions[0].name, "us-east-1");
        let v = &env.spec.validators[0];
        assert_eq!(v.address, "ABCDEF0123456789ABCDEF0123456789ABCDEF01");
        assert_eq!(v.voting_power, DEFAULT_VOTING_POWER);
    }

    #[test]
    fn user_metrics_keep_dimensions_and_infer_purpose() {
        let text = format!(
            "{MINIMAL}[[region.metric]]\nname = \"ReplicationLagSeconds\"\n\
             dimensions = {{ Region = \"us-east-1\", Cluster = \"crdb\" }}\n\
             [[region.metric]]\nnamespace = \"AWS/S3\"\nname = \"ReplicationLatency\"\n"
        );
        let env = parse(&text).unwrap();
        let m = &env.regions[0].metrics;
        assert_eq!(m[0].purpose, MetricPurpose::ReplicationLag);
        assert_eq!(m[0].namespace, SEED_NAMESPACE);
        assert_eq!(m[0].dimensions[0].0, "Cluster");
        assert_eq!(m[1].purpose, MetricPurpose::Other);
        assert!(m[1].dimensions.is_empty());
    }
}
