//! Unit and property tests for `domain::bft`: region loss on signing power,
//! checked against a brute-force recomputation that places unmapped power
//! in every region it could be in.

use proptest::prelude::*;

use super::*;

fn p(region: &str, power: u64) -> PlacedPower {
    PlacedPower {
        region: (region != "unmapped").then(|| region.to_owned()),
        power,
    }
}

fn names(n: &[&str]) -> Vec<String> {
    n.iter().map(|s| (*s).to_owned()).collect()
}

fn seed_power() -> Vec<PlacedPower> {
    vec![
        p("us-east-1", 10),
        p("us-east-1", 10),
        p("us-east-1", 10),
        p("eu-west-1", 10),
        p("eu-west-1", 10),
        p("ap-southeast-1", 10),
        p("ap-southeast-1", 10),
    ]
}

fn seed_regions() -> Vec<String> {
    names(&["us-east-1", "eu-west-1", "ap-southeast-1"])
}

#[test]
fn seed_layout_halts_when_the_primary_is_lost_and_it_is_a_standing_risk() {
    let all = seed_power();
    let out = analyse(&seed_regions(), &all, &all, 70, SigningBasis::Signing);
    assert_eq!(out.len(), 6, "three singles and three pairs");
    let use1 = &out[0];
    assert!((use1.power_lost_pct - 42.9).abs() < f64::EPSILON);
    assert!(use1.halts, "3/7 lost leaves 4/7 < 2/3");
    assert!(use1.halts_at_full_strength, "the layout's own risk");
    // Losing a two-validator region leaves 5/7 > 2/3: blocks continue.
    assert!(!out[1].halts);
    assert!(!out[2].halts);
    assert!(out[3..].iter().all(|l| l.halts), "any pair halts");
}

#[test]
fn one_validator_offline_makes_losing_a_small_region_halt() {
    // eu-west-1-val-0 is offline: 60 of 70 signs.
    let all = seed_power();
    let mut signing = all.clone();
    signing.remove(3);
    let out = analyse(&seed_regions(), &signing, &all, 70, SigningBasis::Signing);
    let ap = &out[2];
    assert_eq!(ap.regions, names(&["ap-southeast-1"]));
    assert!(ap.halts, "60 - 20 = 40 of 70 is 57 %");
    assert!(
        !ap.halts_at_full_strength,
        "with everyone signing it would not"
    );
    assert_eq!((ap.power_remaining, ap.power_lost), (40, 30));
}

#[test]
fn a_failover_moves_the_risk_with_the_keys() {
    // us-east-1's three keys now sign in eu-west-1.
    let moved = vec![
        p("eu-west-1", 10),
        p("eu-west-1", 10),
        p("eu-west-1", 10),
        p("eu-west-1", 10),
        p("eu-west-1", 10),
        p("ap-southeast-1", 10),
        p("ap-southeast-1", 10),
    ];
    let out = analyse(&seed_regions(), &moved, &moved, 70, SigningBasis::Signing);
    assert!(!out[0].halts, "losing us-east-1 costs nothing now");
    assert!(out[1].halts, "losing eu-west-1 takes five keys");
}

#[test]
fn unequal_power_changes_the_verdict() {
    let regions = names(&["a", "b", "c"]);
    let power = [p("a", 10), p("b", 80), p("c", 10)];
    let out = analyse(&regions, &power, &power, 100, SigningBasis::Signing);
    assert!(!out[0].halts);
    assert!(out[1].halts);
    let ac = out
        .iter()
        .find(|l| l.regions == names(&["a", "c"]))
        .expect("pair");
    assert!(!ac.halts, "exactly 80 % left");
}

#[test]
fn exactly_two_thirds_is_not_enough() {
    assert!(!keeps_consensus(2, 3));
    assert!(keeps_consensus(201, 300));
    assert!(!keeps_consensus(0, 0));
    assert_eq!(power_needed(3), 3);
    assert_eq!(power_needed(70), 47);
    assert_eq!(power_needed(300), 201);
    assert_eq!(power_needed(u64::MAX), u64::MAX / 3 * 2 + 1);
}

#[test]
fn region_without_validators_costs_nothing() {
    let regions = names(&["a", "b", "empty"]);
    let power = [p("a", 5), p("b", 5)];
    let out = analyse(&regions, &power, &power, 10, SigningBasis::Signing);
    assert_eq!(out[2].power_lost, 0);
    assert!(!out[2].halts);
    assert!(out[0].halts, "half the power lost");
}

#[test]
fn unmapped_power_is_lost_with_any_region() {
    let regions = names(&["a", "b"]);
    let power = [p("a", 1), p("b", 1), p("unmapped", 8)];
    let out = analyse(&regions, &power, &power, 10, SigningBasis::Signing);
    assert_eq!(out[0].power_total, 10);
    assert_eq!(out[0].unmapped_power, 8);
    assert!(out[0].halts, "the unmapped 8 may sit in a");
    assert!(out[1].halts, "or in b");
    assert_eq!(out.len(), 2, "no pairs with two regions");
}

/// A random set: each validator's power, its region (index 0..3, or 3 for
/// unmapped) and whether it signs now.
fn set() -> impl Strategy<Value = Vec<(u64, usize, bool)>> {
    prop::collection::vec((0_u64..=100, 0_usize..4, any::<bool>()), 0..9)
}

fn placed(set: &[(u64, usize, bool)], only_signing: bool) -> Vec<PlacedPower> {
    let regions = ["a", "b", "c"];
    set.iter()
        .filter(|(_, _, s)| !only_signing || *s)
        .map(|&(power, r, _)| PlacedPower {
            region: regions.get(r).map(|r| (*r).to_owned()),
            power,
        })
        .collect()
}

/// Brute force: every way of putting the unmapped validators into the
/// three regions; the loss halts if any of them halts.
fn brute_force_halts(set: &[(u64, usize, bool)], lost: &[&str]) -> bool {
    let regions = ["a", "b", "c"];
    let total: u64 = set.iter().map(|v| v.0).sum();
    let unmapped: Vec<usize> = (0..set.len()).filter(|&i| set[i].1 == 3).collect();
    let ways = 3_usize.pow(u32::try_from(unmapped.len()).unwrap_or(0));
    (0..ways).any(|mut code| {
        let mut home: Vec<usize> = set.iter().map(|v| v.1).collect();
        for &i in &unmapped {
            home[i] = code % 3;
            code /= 3;
        }
        let left: u64 = set
            .iter()
            .zip(&home)
            .filter(|((_, _, signs), r)| *signs && !lost.contains(&regions[**r]))
            .map(|((p, _, _), _)| *p)
            .sum();
        !(total > 0 && left * 3 > total * 2)
    })
}

proptest! {
    #[test]
    fn every_verdict_equals_the_brute_force_on_signing_power(set in set()) {
        let total: u64 = set.iter().map(|v| v.0).sum();
        let regions = names(&["a", "b", "c"]);
        let out = analyse(&regions, &placed(&set, true), &placed(&set, false), total, SigningBasis::Signing);
        for l in &out {
            let lost: Vec<&str> = l.regions.iter().map(String::as_str).collect();
            prop_assert_eq!(l.halts, brute_force_halts(&set, &lost), "{:?}", l.regions);
            let everyone: Vec<(u64, usize, bool)> = set.iter().map(|&(p, r, _)| (p, r, true)).collect();
            prop_assert_eq!(l.halts_at_full_strength, brute_force_halts(&everyone, &lost));
        }
    }

    #[test]
    fn unmapped_power_never_makes_a_verdict_safer(set in set(), extra in 1_u64..=100, who in 0_usize..9) {
        let regions = names(&["a", "b", "c"]);
        let total: u64 = set.iter().map(|v| v.0).sum();
        let before = analyse(&regions, &placed(&set, true), &placed(&set, false), total, SigningBasis::Signing);
        // More power that nothing places, signing.
        let mut more = set.clone();
        more.push((extra, 3, true));
        let after = analyse(&regions, &placed(&more, true), &placed(&more, false), total + extra, SigningBasis::Signing);
        // A mapped validator whose place is forgotten.
        let mut forgot = set.clone();
        if let Some(v) = forgot.get_mut(who) { v.1 = 3; }
        let lost_place = analyse(&regions, &placed(&forgot, true), &placed(&forgot, false), total, SigningBasis::Signing);
        for ((b, a), f) in before.iter().zip(&after).zip(&lost_place) {
            prop_assert!(!b.halts || a.halts, "adding unmapped power made {:?} safe", b.regions);
            prop_assert!(!b.halts || f.halts, "unmapping a validator made {:?} safe", b.regions);
        }
    }
}
