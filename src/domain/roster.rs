//! The validator list as the operator sees it: the chain's set joined with
//! the estate's mapping of addresses to regions and names.

use super::fleet::EstateView;
use super::observation::{KeyRotation, ValidatorStatus};
use super::signing::{self, Signing};
use super::time::Timestamp;

/// One row of the validator panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatorRow<'a> {
    /// Operator's name, or the address prefix for unmapped validators.
    pub name: &'a str,
    /// Region, or `unmapped`.
    pub region: &'a str,
    /// Hex consensus address.
    pub address: &'a str,
    /// Voting power (the chain's figure when known).
    pub voting_power: u64,
    /// Signing status when the chain answered recently enough.
    pub status: Option<&'a ValidatorStatus>,
    /// Its signature now: never `Signing` when the chain has stopped or
    /// its view is old.
    pub signing: Signing,
    /// The region its key signs from now, when the source tells.
    pub signs_in: Option<&'a str>,
    /// The key rotation this console ran that put this address in the
    /// set, while the environment file does not map it.
    pub rotation: Option<&'a KeyRotation>,
}

/// Rows in display order (region order, then power, then name), filtered
/// by `filter` (case-insensitive substring of name, region or address).
#[must_use]
pub fn rows<'a>(view: &'a EstateView, now: Timestamp, filter: &str) -> Vec<ValidatorRow<'a>> {
    let spec = &view.spec;
    let chain = view.chain.known_value(now, spec.poll.chain);
    let producing = signing::producing(view, now);
    let by_address = signing::by_address(view);
    let fresh_for = spec
        .poll
        .chain
        .saturating_mul(super::telemetry::STALE_AFTER_INTERVALS);
    let mut out: Vec<ValidatorRow<'a>> = match chain {
        Some(c) => c
            .validators
            .iter()
            .map(|v| {
                let mapped = by_address
                    .get(v.address.to_ascii_uppercase().as_str())
                    .copied();
                ValidatorRow {
                    name: mapped.map_or_else(
                        || v.address.get(..12).unwrap_or(&v.address),
                        |m| m.name.as_str(),
                    ),
                    region: mapped.map_or("unmapped", |m| m.region.as_str()),
                    address: &v.address,
                    voting_power: v.voting_power,
                    status: Some(v),
                    signing: signing::judge(v, producing),
                    signs_in: v
                        .signs_in
                        .as_deref()
                        .or_else(|| view.agreement.hosted_in(&v.address, now, fresh_for)),
                    rotation: signing::rotation_of(view, &v.address),
                }
            })
            .collect(),
        None => spec
            .validators
            .iter()
            .map(|v| ValidatorRow {
                name: &v.name,
                region: &v.region,
                address: &v.address,
                voting_power: v.voting_power,
                status: None,
                signing: Signing::Unknown,
                signs_in: None,
                rotation: None,
            })
            .collect(),
    };
    let needle = filter.trim().to_lowercase();
    if !needle.is_empty() {
        out.retain(|r| {
            [r.name, r.region, r.address]
                .iter()
                .any(|f| f.to_lowercase().contains(&needle))
        });
    }
    let region_rank = |r: &str| {
        spec.regions
            .iter()
            .position(|s| s.name == r)
            .unwrap_or(usize::MAX)
    };
    out.sort_by(|a, b| {
        region_rank(a.region)
            .cmp(&region_rank(b.region))
            .then(b.voting_power.cmp(&a.voting_power))
            .then(a.name.cmp(b.name))
    });
    out
}

/// Total voting power of the set the roster shows (the chain's when
/// known, else the configured one): the denominator of every share.
#[must_use]
pub fn total_power(view: &EstateView, now: Timestamp) -> u64 {
    match view.chain.known_value(now, view.spec.poll.chain) {
        Some(c) => c.validators.iter().map(|v| v.voting_power).sum(),
        None => view.spec.validators.iter().map(|v| v.voting_power).sum(),
    }
}
