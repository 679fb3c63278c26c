//! Region-loss analysis: would the chain keep producing blocks if a region
//! (or two) went dark?
//!
//! CometBFT commits a block only with the signatures of strictly more than
//! two thirds of the voting power. Losing a set of regions therefore halts
//! the chain when what remains is two thirds or less.

use serde::Serialize;

use super::signing::{SigningBasis, SigningPicture};

/// Signing power and the region it signs from; `None` when nothing places
/// it (unmapped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedPower {
    /// Region, or `None` for power no region claims.
    pub region: Option<String>,
    /// Voting power that signs there.
    pub power: u64,
}

/// The verdict for losing one set of regions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionLoss {
    /// The regions assumed lost.
    pub regions: Vec<String>,
    /// Voting power missing from consensus after the loss: the signing
    /// power placed in them, unmapped signing power (assumed to sit in
    /// whichever region makes the loss worse), and power not signing now.
    pub power_lost: u64,
    /// Total voting power of the set.
    pub power_total: u64,
    /// `power_lost` as a percentage of the total, one decimal.
    pub power_lost_pct: f64,
    /// True when what remains is not more than 2/3: no more blocks.
    pub halts: bool,
    /// Signing power left after the loss.
    pub power_remaining: u64,
    /// Signing power nothing places in a region, counted as lost.
    pub unmapped_power: u64,
    /// What the figures rest on.
    pub basis: SigningBasis,
    /// The loss would halt the chain even with every validator signing:
    /// a standing risk of the layout, not a current outage.
    pub halts_at_full_strength: bool,
}

/// True when `remaining` of `total` voting power is strictly more than two
/// thirds, i.e. enough to commit blocks. Exact in integers.
#[must_use]
pub fn keeps_consensus(remaining: u64, total: u64) -> bool {
    total > 0 && u128::from(remaining) * 3 > u128::from(total) * 2
}

/// The least power that commits a block: strictly more than two thirds of
/// `total`.
#[must_use]
pub fn power_needed(total: u64) -> u64 {
    u64::try_from(u128::from(total) * 2 / 3 + 1).unwrap_or(u64::MAX)
}

/// Signing power left when `lost` go dark: power placed elsewhere; power
/// that nothing places is assumed lost with them (the worst case).
fn remaining(placed: &[PlacedPower], lost: &[String]) -> u64 {
    placed
        .iter()
        .filter(|p| p.region.as_ref().is_some_and(|r| !lost.contains(r)))
        .fold(0_u64, |a, p| a.saturating_add(p.power))
}

/// Every single region and every pair of regions, in the order of
/// `regions` (the operator's order), judged on `signing` power placed where
/// it signs now out of `total`; `full_strength` is the same set with every
/// validator signing, for telling a standing risk from a current one.
///
/// Regions with no validators still appear: losing them costs no power,
/// which is itself worth showing.
#[must_use]
pub fn analyse(
    regions: &[String],
    signing: &[PlacedPower],
    full_strength: &[PlacedPower],
    total: u64,
    basis: SigningBasis,
) -> Vec<RegionLoss> {
    let unmapped_power = signing
        .iter()
        .filter(|p| p.region.is_none())
        .fold(0_u64, |a, p| a.saturating_add(p.power));
    let verdict = |lost: Vec<String>| {
        let left = remaining(signing, &lost);
        let power_lost = total.saturating_sub(left);
        RegionLoss {
            power_lost_pct: percent(power_lost, total),
            halts: !keeps_consensus(left, total),
            halts_at_full_strength: !keeps_consensus(remaining(full_strength, &lost), total),
            regions: lost,
            power_lost,
            power_total: total,
            power_remaining: left,
            unmapped_power,
            basis,
        }
    };
    let mut out: Vec<RegionLoss> = regions.iter().map(|r| verdict(vec![r.clone()])).collect();
    if regions.len() > 2 {
        for (i, a) in regions.iter().enumerate() {
            for b in &regions[i + 1..] {
                out.push(verdict(vec![a.clone(), b.clone()]));
            }
        }
    }
    out
}

/// The region-loss analysis of `picture` over `regions`: signing power
/// placed where it signs now, against everyone signing where they are.
#[must_use]
pub fn region_loss(regions: &[String], picture: &SigningPicture) -> Vec<RegionLoss> {
    let placed = |all: bool| -> Vec<PlacedPower> {
        picture
            .signers
            .iter()
            .filter(|s| all || s.counts)
            .map(|s| PlacedPower {
                region: s.region.clone(),
                power: s.power,
            })
            .collect()
    };
    analyse(
        regions,
        &placed(false),
        &placed(true),
        picture.total_power,
        picture.basis,
    )
}

/// `part / total` in percent rounded to one decimal; 0 for an empty set.
#[must_use]
#[allow(clippy::cast_precision_loss)] // voting power far below 2^52 in practice
pub fn percent(part: u64, total: u64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    (part as f64 * 1000.0 / total as f64).round() / 10.0
}

#[cfg(test)]
#[path = "bft_tests.rs"]
mod tests;
