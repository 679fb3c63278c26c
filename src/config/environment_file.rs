//! The TOML form of an environment file and its checks.
//!
//! ```toml
//! environment = "prod"            # shown in the header and every gate
//! chain_id = "virtengine-1"       # optional: the chain every node must serve
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
//!                                 # database_role: 1 primary, 0 replica
//! [region.traffic]                # optional: the region's weighted record
//! hosted_zone_id = "Z0123456789ABCDEFGHIJ"
//! record_name = "rpc.virtengine.example.com"
//! record_type = "A"               # A (default), AAAA or CNAME
//! set_identifier = "us-east-1"    # default: the region's name
//! [[validator]]
//! address = "0123...40 hex digits"
//! name = "us-east-1-val-0"
//! region = "us-east-1"
//! voting_power = 10               # default 10
//! [notify.slack]                  # a channel runbooks name; kind defaults
//! url_env = "DRCONSOLE_SLACK_URL" # to the name; the webhook URL is read
//!                                 # from here (or url_secret) when posting
//! [notify.pagerduty]
//! routing_key_secret = "virtengine/dr/pagerduty-routing-key"
//! secret_region = "eu-west-1"     # optional: else each region, primary first
//! dedup_key = "virtengine-outage" # optional: else one alert per run
//! [incident]                      # optional: shared incidents for
//! bucket = "virtengine-dr-incidents" # run --incident, follow, approve
//! region = "eu-west-1"            # best not the primary's region
//! profile = "dr-incidents"        # optional
//! prefix = "drconsole/incidents"  # default shown
//! lease = "30s"                   # the driver's lease; default 30s
//! poll = "1s"                     # how often followers read; default 1s
//! ```
//!
//! Durations are in the console's one grammar ([`crate::domain::duration`]):
//! `"500ms"`, `"30s"`, `"2m"`, `"1h30m"`, `"1d"` or a number of seconds, each
//! within its field's bound. Values are checked while toml reads them where they stand
//! alone; rules across several values run afterwards and point at the value
//! the operator most likely has to change.

mod backups;
mod incident;
mod names;
mod notify;
mod regions;
mod shape;
mod traffic;
mod validators;

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use toml::Spanned;

use super::error::ConfigError;
use crate::domain::duration::Bound;
use crate::domain::duration::bounds::{AWS_POLL, CHAIN_POLL, TARGET};
use crate::domain::environment::{AwsSettings, Environment, RegionSources};
use crate::domain::estate::{EstateSpec, PollIntervals, RegionRole, RegionSpec, Targets};
use backups::{BackupEntry, region_backups, validate_backups_agree};
use names::{validate_chain_id, validate_environment_name, validate_region_name, validate_url};
use regions::{region_sources, validate_has_regions, validate_one_primary, validate_unique_rpc};
use shape::{DurationValue, EnvironmentFile};
use validators::validators;

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
    let text = crate::text::read_text(path, crate::text::Cap::ENVIRONMENT)?;
    parse_environment(path, &text)
}

/// A rule broken somewhere: the span to point at and the message.
type Broken = (Range<usize>, String);

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

/// Runs every rule in file order and assembles the environment.
fn build(text: &str, f: &EnvironmentFile) -> Result<Environment, Broken> {
    validate_environment_name(&f.environment)?;
    f.chain_id.as_ref().map(validate_chain_id).transpose()?;
    let targets = Targets {
        rto: duration("rto", f.targets.rto.as_ref(), DEFAULT_TARGETS.rto, TARGET)?,
        rpo: duration("rpo", f.targets.rpo.as_ref(), DEFAULT_TARGETS.rpo, TARGET)?,
    };
    let poll = PollIntervals {
        health: duration(
            "poll.health",
            f.poll.health.as_ref(),
            DEFAULT_POLL.health,
            AWS_POLL,
        )?,
        metrics: duration(
            "poll.metrics",
            f.poll.metrics.as_ref(),
            DEFAULT_POLL.metrics,
            AWS_POLL,
        )?,
        backups: duration(
            "poll.backups",
            f.poll.backups.as_ref(),
            DEFAULT_POLL.backups,
            AWS_POLL,
        )?,
        chain: duration(
            "poll.chain",
            f.poll.chain.as_ref(),
            DEFAULT_POLL.chain,
            CHAIN_POLL,
        )?,
    };
    if let Some(url) = &f.aws.endpoint_url {
        validate_url("endpoint_url", url)?;
    }

    validate_has_regions(&f.region)?;
    validate_regions_once(text, &f.region)?;
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
            chain_id: f.chain_id.as_ref().map(|c| c.get_ref().clone()),
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
        notify: notify::notify_channels(&f.notify, &region_names(&f.region))?,
        incident: f
            .incident
            .as_ref()
            .map(incident::incident_settings)
            .transpose()?,
        regions: sources,
    })
}

/// Each region named well, and once.
fn validate_regions_once(text: &str, regions: &[shape::RegionFile]) -> Result<(), Broken> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for r in regions {
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
    Ok(())
}

fn region_names(regions: &[shape::RegionFile]) -> Vec<&str> {
    regions.iter().map(|r| r.name.get_ref().as_str()).collect()
}

/// 1-based line of byte `offset`, for "already ... on line N" messages.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .unwrap_or(text)
        .matches('\n')
        .count()
        .saturating_add(1)
}

/// The duration at `key` within `bound`, or its default when absent.
fn duration(
    key: &str,
    value: Option<&Spanned<DurationValue>>,
    default: Duration,
    bound: Bound,
) -> Result<Duration, Broken> {
    let Some(v) = value else {
        return Ok(default);
    };
    v.get_ref().bounded(key, bound).map_err(|m| (v.span(), m))
}

#[cfg(test)]
mod tests;
