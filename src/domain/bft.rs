//! Region-loss analysis: would the chain keep producing blocks if a region
//! (or two) went dark?
//!
//! CometBFT commits a block only with the signatures of strictly more than
//! two thirds of the voting power. Losing a set of regions therefore halts
//! the chain when what remains is two thirds or less.

use serde::Serialize;

/// Voting power held in one region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionPower {
    /// Region name, or `"unmapped"` for validators no region claims.
    pub region: String,
    /// Sum of its validators' voting power.
    pub power: u64,
}

/// The verdict for losing one set of regions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionLoss {
    /// The regions assumed lost.
    pub regions: Vec<String>,
    /// Voting power they hold.
    pub power_lost: u64,
    /// Total voting power of the set.
    pub power_total: u64,
    /// `power_lost` as a percentage of the total, one decimal.
    pub power_lost_pct: f64,
    /// True when what remains is not more than 2/3: no more blocks.
    pub halts: bool,
}

/// True when `remaining` of `total` voting power is strictly more than two
/// thirds, i.e. enough to commit blocks. Exact in integers.
#[must_use]
pub fn keeps_consensus(remaining: u64, total: u64) -> bool {
    total > 0 && u128::from(remaining) * 3 > u128::from(total) * 2
}

/// Every single region and every pair of regions, in the order of
/// `regions` (the operator's order), with the power each loss takes.
///
/// Regions with no validators still appear: losing them costs no power,
/// which is itself worth showing.
#[must_use]
pub fn analyse(regions: &[String], power: &[RegionPower]) -> Vec<RegionLoss> {
    let total: u64 = power.iter().map(|p| p.power).sum();
    let held = |r: &str| {
        power
            .iter()
            .filter(|p| p.region == r)
            .map(|p| p.power)
            .sum::<u64>()
    };
    let verdict = |lost: Vec<String>| {
        let power_lost: u64 = lost.iter().map(|r| held(r)).sum();
        RegionLoss {
            power_lost_pct: percent(power_lost, total),
            halts: !keeps_consensus(total - power_lost.min(total), total),
            regions: lost,
            power_lost,
            power_total: total,
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
mod tests {
    use super::*;

    fn p(region: &str, power: u64) -> RegionPower {
        RegionPower {
            region: region.into(),
            power,
        }
    }
    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn seed_layout_halts_when_the_primary_is_lost() {
        let regions = names(&["us-east-1", "eu-west-1", "ap-southeast-1"]);
        let power = [
            p("us-east-1", 30),
            p("eu-west-1", 20),
            p("ap-southeast-1", 20),
        ];
        let out = analyse(&regions, &power);
        assert_eq!(out.len(), 6, "three singles and three pairs");
        let use1 = &out[0];
        assert!((use1.power_lost_pct - 42.9).abs() < f64::EPSILON);
        assert!(use1.halts, "3/7 lost leaves 4/7 < 2/3");
        // Losing a two-validator region leaves 5/7 > 2/3: blocks continue.
        assert!(!out[1].halts);
        assert!(!out[2].halts);
        assert!(out[3..].iter().all(|l| l.halts), "any pair halts");
    }

    #[test]
    fn unequal_power_changes_the_verdict() {
        let regions = names(&["a", "b", "c"]);
        // 'a' holds 10 of 100: losing it leaves 90 % and blocks continue.
        let out = analyse(&regions, &[p("a", 10), p("b", 80), p("c", 10)]);
        assert!(!out[0].halts);
        assert!(out[1].halts);
        // Losing a and c together leaves exactly 80 %: still fine.
        let ac = out
            .iter()
            .find(|l| l.regions == names(&["a", "c"]))
            .expect("pair");
        assert!(!ac.halts);
    }

    #[test]
    fn exactly_two_thirds_is_not_enough() {
        assert!(!keeps_consensus(2, 3));
        assert!(keeps_consensus(201, 300));
        assert!(!keeps_consensus(0, 0));
    }

    #[test]
    fn region_without_validators_costs_nothing() {
        let regions = names(&["a", "b", "empty"]);
        let out = analyse(&regions, &[p("a", 5), p("b", 5)]);
        assert_eq!(out[2].power_lost, 0);
        assert!(!out[2].halts);
        assert!(out[0].halts, "half the power lost");
    }

    #[test]
    fn unmapped_power_counts_in_the_total_but_is_never_lost() {
        let regions = names(&["a", "b"]);
        let out = analyse(&regions, &[p("a", 1), p("b", 1), p("unmapped", 8)]);
        assert_eq!(out[0].power_total, 10);
        assert!(!out[0].halts);
        assert_eq!(
            out.len(),
            2,
            "no pairs with two regions: losing both is losing all"
        );
    }
}
