//! Regions of an environment file: one primary, each RPC endpoint once,
//! and each region's sources (RPC, metrics, secrets, profile, health check).

use std::collections::HashMap;

use toml::Spanned;

use super::backups::BackupEntry;
use super::names::{
    validate_health_check_id, validate_profile, validate_secret_name, validate_url,
};
use super::shape::{RegionFile, RoleValue};
use super::{Broken, line_of};
use crate::domain::environment::{
    MetricPurpose, MetricSpec, RegionSources, SEED_METRICS, SEED_NAMESPACE,
};

/// A file must name at least one region.
pub(super) fn validate_has_regions(regions: &[RegionFile]) -> Result<(), Broken> {
    if regions.is_empty() {
        return Err((
            0..0,
            "no regions, expected at least one [[region]] with name, role and rpc".to_owned(),
        ));
    }
    Ok(())
}

/// Failover needs to know which region it fails over from: exactly one
/// primary. A second primary is pointed at; none points at the first role.
pub(super) fn validate_one_primary(text: &str, regions: &[RegionFile]) -> Result<(), Broken> {
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
pub(super) fn validate_unique_rpc(text: &str, regions: &[RegionFile]) -> Result<(), Broken> {
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

/// The rest of a region's sources: RPC, metrics, secrets, profile, health check.
pub(super) fn region_sources(
    r: &RegionFile,
    backups: &[BackupEntry],
) -> Result<RegionSources, Broken> {
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
    validate_profile(r.profile.as_ref())?;
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
        traffic: r
            .traffic
            .as_ref()
            .map(|t| super::traffic::traffic_record(name, t))
            .transpose()?,
    })
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
