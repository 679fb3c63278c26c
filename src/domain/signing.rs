//! Who signs now: each validator's signing judged from the chain's recent
//! commits and placed where its key signs, the basis of every "would
//! losing a region halt the chain" verdict.
//!
//! Configured power is not signing power: a validator that is offline, or
//! whose key moved in a failover, changes what a region loss costs. A
//! validator that signed the last commit of a chain that has stopped is
//! not signing now either: its signature is old.

use std::time::Duration;

use serde::Serialize;

use super::assess::{self, Level};
use super::fleet::EstateView;
use super::observation::{ChainStatus, ValidatorStatus};
use super::time::Timestamp;

/// Blocks without a signature after which a validator counts as missing.
pub const MISSING_AFTER_BLOCKS: u64 = 3;

/// How one validator's signature stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signing {
    /// In the latest commit of a chain that is producing.
    Signing,
    /// Not in the latest commit, but in an earlier one of the window.
    Missed,
    /// The chain has stopped or its view is old: the last signature is
    /// history, not news.
    Stale,
    /// In none of the window's commits.
    Offline,
    /// The chain has not answered: nothing is known.
    Unknown,
}

impl Signing {
    /// The word shown for it, never colour alone.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Signing::Signing => "SIGNING",
            Signing::Missed => "MISSED",
            Signing::Stale => "STALE",
            Signing::Offline => "OFFLINE",
            Signing::Unknown => "UNKNOWN",
        }
    }

    /// How bad it is.
    #[must_use]
    pub fn level(self) -> Level {
        match self {
            Signing::Signing => Level::Ok,
            Signing::Missed => Level::Warn,
            Signing::Offline => Level::Critical,
            Signing::Stale => Level::Stale,
            Signing::Unknown => Level::Unknown,
        }
    }
}

/// What the signing figures rest on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SigningBasis {
    /// The latest commit of a producing chain: who signs now.
    Signing,
    /// The last commit of a chain that has stopped, or whose view is old.
    LastCommit,
    /// The configured set only: the chain has not answered, so every
    /// configured validator is assumed to sign (the estate's structure).
    Configuration,
}

/// One validator as the region-loss analysis counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// Hex consensus address.
    pub address: String,
    /// Voting power.
    pub power: u64,
    /// Its signature now.
    pub signing: Signing,
    /// Counted as signing power on this basis.
    pub counts: bool,
    /// Where its key signs: where the source saw it, else the configured
    /// region; `None` when nothing places it (unmapped).
    pub region: Option<String>,
    /// In the environment's configuration.
    pub configured: bool,
}

/// Everyone's signing now, and the set's total power.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningPicture {
    /// What the figures rest on.
    pub basis: SigningBasis,
    /// Total voting power of the set: every threshold is a share of it.
    pub total_power: u64,
    /// Every validator, in the chain's order (the configuration's when the
    /// chain has not answered).
    pub signers: Vec<Signer>,
    /// Configured validators absent from the chain's set.
    pub not_in_set: Vec<String>,
}

impl SigningPicture {
    /// Power counted as signing.
    #[must_use]
    pub fn signing_power(&self) -> u64 {
        self.signers
            .iter()
            .filter(|s| s.counts)
            .fold(0_u64, |a, s| a.saturating_add(s.power))
    }

    /// Signing power that nothing places in a region.
    #[must_use]
    pub fn unmapped_power(&self) -> u64 {
        self.signers
            .iter()
            .filter(|s| s.counts && s.region.is_none())
            .fold(0_u64, |a, s| a.saturating_add(s.power))
    }

    /// How much more power can stop signing before blocks stop.
    #[must_use]
    pub fn margin(&self) -> Margin {
        let signing = self.signing_power();
        let needed = super::bft::power_needed(self.total_power);
        Margin {
            signing_power: signing,
            total_power: self.total_power,
            margin_power: signing.saturating_sub(needed),
            quorum: signing >= needed && self.total_power > 0,
            largest_signer: self
                .signers
                .iter()
                .filter(|s| s.counts)
                .map(|s| s.power)
                .max()
                .unwrap_or(0),
        }
    }
}

/// The chain's distance from halting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Margin {
    /// Power counted as signing.
    pub signing_power: u64,
    /// Total power of the set.
    pub total_power: u64,
    /// Power that can still stop signing before > 1/3 is gone.
    pub margin_power: u64,
    /// The signing power is more than two thirds.
    pub quorum: bool,
    /// The largest single signer's power.
    pub largest_signer: u64,
}

impl Margin {
    /// One more validator (the largest) stopping would halt the chain.
    #[must_use]
    pub fn one_validator_from_halt(&self) -> bool {
        self.quorum && self.largest_signer > self.margin_power
    }
}

/// One validator of a chain that answered: signing only in a chain that
/// is producing ([`producing`]); otherwise its signature is history.
#[must_use]
pub fn judge(v: &ValidatorStatus, producing: bool) -> Signing {
    if !producing {
        Signing::Stale
    } else if v.signed_latest {
        Signing::Signing
    } else if v.window > 0 && v.missed_recent >= v.window {
        Signing::Offline
    } else {
        Signing::Missed
    }
}

/// The chain answered recently enough to be believed and its latest block
/// is younger than the halt threshold: only then is a signature news.
#[must_use]
pub fn producing(view: &EstateView, now: Timestamp) -> bool {
    view.chain
        .fresh_value(now, view.spec.poll.chain)
        .is_some_and(|c| !assess::halted(c, now))
}

/// About how long ago validator `v` last signed: the latest block's age
/// plus the blocks since its last signature at the chain's interval.
#[must_use]
pub fn last_signed_ago(
    chain: &ChainStatus,
    v: &ValidatorStatus,
    now: Timestamp,
) -> Option<Duration> {
    let h = v
        .last_signed_height
        .or(v.signed_latest.then_some(chain.height))?;
    let blocks = u32::try_from(chain.height.saturating_sub(h)).unwrap_or(u32::MAX);
    Some(
        now.since(chain.latest_block_time)
            .saturating_add(assess::expected_block_interval(chain).saturating_mul(blocks)),
    )
}

/// True when validator `v` of a chain at `height` has no signature in the
/// last [`MISSING_AFTER_BLOCKS`] commits.
#[must_use]
pub fn missing(v: &ValidatorStatus, height: u64) -> bool {
    !v.signed_latest
        && v.last_signed_height
            .is_none_or(|h| height.saturating_sub(h) >= MISSING_AFTER_BLOCKS)
}

/// The configured validators by upper-case address, plus the new address
/// of each validator whose key this console rotated and the environment
/// file does not map yet: a rotated validator keeps its name and region.
#[must_use]
pub fn by_address(
    view: &EstateView,
) -> std::collections::HashMap<String, &super::estate::ValidatorSpec> {
    let mut out: std::collections::HashMap<String, &super::estate::ValidatorSpec> = view
        .spec
        .validators
        .iter()
        .map(|v| (v.address.to_ascii_uppercase(), v))
        .collect();
    for r in &view.rotations {
        let old = view
            .spec
            .validators
            .iter()
            .find(|v| v.address.eq_ignore_ascii_case(&r.old_address));
        if let Some(v) = old {
            out.entry(r.new_address.to_ascii_uppercase()).or_insert(v);
        }
    }
    out
}

/// The rotation this console ran that put `address` in the set, for a
/// validator shown through it (not through the environment file).
#[must_use]
pub fn rotation_of<'a>(
    view: &'a EstateView,
    address: &str,
) -> Option<&'a super::observation::KeyRotation> {
    let mapped = view
        .spec
        .validators
        .iter()
        .any(|v| v.address.eq_ignore_ascii_case(address));
    if mapped {
        return None;
    }
    view.rotations
        .iter()
        .find(|r| r.new_address.eq_ignore_ascii_case(address))
}

/// Everyone's signing as of `now`.
#[must_use]
pub fn picture(view: &EstateView, now: Timestamp) -> SigningPicture {
    let spec = &view.spec;
    let interval = spec.poll.chain;
    let Some(chain) = view.chain.known_value(now, interval) else {
        let signers: Vec<Signer> = spec
            .validators
            .iter()
            .map(|v| Signer {
                address: v.address.clone(),
                power: v.voting_power,
                signing: Signing::Unknown,
                counts: true,
                region: Some(v.region.clone()),
                configured: true,
            })
            .collect();
        return SigningPicture {
            basis: SigningBasis::Configuration,
            total_power: signers.iter().fold(0_u64, |a, s| a.saturating_add(s.power)),
            signers,
            not_in_set: Vec::new(),
        };
    };
    // Looked up once per validator: a set of hundreds stays linear.
    let by_address = by_address(view);
    let in_set: std::collections::HashSet<String> = chain
        .validators
        .iter()
        .map(|v| v.address.to_ascii_uppercase())
        .collect();
    let producing = producing(view, now);
    let fresh_for = interval.saturating_mul(super::telemetry::STALE_AFTER_INTERVALS);
    let signers: Vec<Signer> = chain
        .validators
        .iter()
        .map(|v| {
            let configured = by_address
                .get(v.address.to_ascii_uppercase().as_str())
                .copied();
            let signing = judge(v, producing);
            // A stopped chain's last commit still says who would sign if
            // blocks resumed.
            let counts = if producing {
                signing == Signing::Signing
            } else {
                v.signed_latest
            };
            Signer {
                address: v.address.clone(),
                power: v.voting_power,
                signing,
                counts,
                region: v
                    .signs_in
                    .clone()
                    .or_else(|| {
                        view.agreement
                            .hosted_in(&v.address, now, fresh_for)
                            .map(str::to_owned)
                    })
                    .or_else(|| configured.map(|c| c.region.clone())),
                configured: configured.is_some(),
            }
        })
        .collect();
    // A validator this console rotated is in the set at its new address.
    let rotated_in = |c: &super::estate::ValidatorSpec| {
        view.rotations.iter().any(|r| {
            r.old_address.eq_ignore_ascii_case(&c.address)
                && in_set.contains(r.new_address.to_ascii_uppercase().as_str())
        })
    };
    let not_in_set = spec
        .validators
        .iter()
        .filter(|c| !in_set.contains(c.address.to_ascii_uppercase().as_str()) && !rotated_in(c))
        .map(|c| c.name.clone())
        .collect();
    SigningPicture {
        basis: if producing {
            SigningBasis::Signing
        } else {
            SigningBasis::LastCommit
        },
        total_power: signers.iter().fold(0_u64, |a, s| a.saturating_add(s.power)),
        signers,
        not_in_set,
    }
}

#[cfg(test)]
#[path = "signing_tests.rs"]
mod tests;
