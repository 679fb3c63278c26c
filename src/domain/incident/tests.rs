//! Unit tests of incident names, key layout, lease standing and the
//! comparison of two journal copies.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::domain::journal::{Author, Entry, Head, seal_by};
use crate::domain::time::Timestamp;

fn who(name: &str) -> Author {
    Author {
        arn: format!("arn:aws:iam::123456789012:user/{name}"),
        user: name.into(),
        host: "bastion".into(),
    }
}

fn t(s: u64) -> Timestamp {
    Timestamp::parse_rfc3339("2026-12-03T03:00:00Z")
        .unwrap()
        .plus(Duration::from_secs(s))
}

fn chain(n: u64, by: &Author) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for i in 0..n {
        let after = out.last().map_or_else(Head::genesis, Entry::head);
        out.push(seal_by(
            &after,
            t(i),
            "run",
            "step.passed",
            json!({"i": i}),
            Some(by),
        ));
    }
    out
}

#[test]
fn incident_ids_are_one_safe_key_segment() {
    for ok in ["inc-2026-12-03", "a", "0.1_x", &"a".repeat(64)] {
        assert_eq!(IncidentId::parse(ok).unwrap().as_str(), ok);
    }
    for bad in [
        "",
        "-x",
        ".x",
        "A",
        "a/b",
        "a b",
        "a\u{1b}b",
        "é",
        &"a".repeat(65),
        "..",
    ] {
        let e = IncidentId::parse(bad).unwrap_err();
        assert!(matches!(e, IncidentError::BadId(_)), "{bad:?}");
        assert!(!e.to_string().contains('\u{1b}'));
    }
}

#[test]
fn keys_sort_in_journal_order_and_read_back() {
    let layout = Layout::new("drconsole/incidents/").unwrap();
    let id = IncidentId::parse("inc-1").unwrap();
    assert_eq!(
        layout.entry(&id, 7),
        "drconsole/incidents/inc-1/journal/000000000007.json"
    );
    assert_eq!(layout.lease(&id), "drconsole/incidents/inc-1/lease.json");
    let (k9, k10) = (layout.entry(&id, 9), layout.entry(&id, 10));
    assert!(k9 < k10, "lexicographic order is sequence order");
    assert_eq!(layout.seq_of(&id, &k10), Some(10));
    for other in [
        "drconsole/incidents/inc-1/journal/7.json",
        "drconsole/incidents/inc-1/journal/00000000000x.json",
        "drconsole/incidents/inc-1/lease.json",
        "drconsole/incidents/inc-2/journal/000000000007.json",
    ] {
        assert_eq!(layout.seq_of(&id, other), None, "{other}");
    }
    assert_eq!(layout.incident_of("drconsole/incidents/inc-1/"), Some(id));
    assert_eq!(layout.incident_of("drconsole/incidents/Bad Name/"), None);
    let root = Layout::new("").unwrap();
    assert_eq!(
        root.entry(&IncidentId::parse("x").unwrap(), 1),
        "x/journal/000000000001.json"
    );
    for bad in ["/abs", "a/../b", "a b", "./a"] {
        assert!(Layout::new(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_lease_is_mine_held_or_expired_at_and_past_its_bound() {
    let ttl = Duration::from_secs(30);
    let lease = Lease::take(who("alice"), "s-1", t(0), ttl);
    assert_eq!(
        lease.standing("s-1", t(29)),
        Standing::Mine {
            left: Duration::from_secs(1)
        }
    );
    assert_eq!(
        lease.standing("s-2", t(10)),
        Standing::Held {
            by: who("alice"),
            left: Duration::from_secs(20)
        }
    );
    // At the bound it has run out, for its holder too.
    for session in ["s-1", "s-2"] {
        assert_eq!(
            lease.standing(session, t(30)),
            Standing::Expired {
                by: who("alice"),
                ago: Duration::ZERO
            }
        );
    }
    let renewed = lease.renewed(t(25), ttl);
    assert_eq!(renewed.taken_ms, lease.taken_ms);
    assert_eq!(
        renewed.standing("s-2", t(54)),
        Standing::Held {
            by: who("alice"),
            left: Duration::from_secs(1)
        }
    );
    assert_eq!(Lease::renew_every(ttl), Duration::from_secs(10));
    let json = serde_json::to_string(&lease).unwrap();
    assert_eq!(serde_json::from_str::<Lease>(&json).unwrap(), lease);
    assert!(serde_json::from_str::<Lease>(&json.replace("\"session\"", "\"sesion\"")).is_err());
}

#[test]
fn two_copies_that_agree_have_no_difference() {
    let a = chain(4, &who("alice"));
    assert!(compare(&a, &a).is_empty());
    assert!(compare(&[], &[]).is_empty());
}

#[test]
fn every_difference_is_named_by_its_sequence_number() {
    let a = chain(5, &who("alice"));
    // The shared copy lacks 4 and 5 (S3 was down); the local lacks nothing.
    let d = compare(&a, &a[..3]);
    assert_eq!(d.iter().map(|d| d.seq).collect::<Vec<_>>(), [4, 5]);
    assert!(d.iter().all(|d| d.kind == DifferenceKind::OnlyLocal));
    assert_eq!(d[0].describe(), "entry 4: in the local journal only");
    // A cut local tail is named from the other side.
    let d = compare(&a[..2], &a);
    assert_eq!(
        d.iter()
            .map(|d| (d.seq, d.kind.clone()))
            .collect::<Vec<_>>(),
        [
            (3, DifferenceKind::OnlyShared),
            (4, DifferenceKind::OnlyShared),
            (5, DifferenceKind::OnlyShared)
        ]
    );
    // A correctly chained forgery of entry 3 onwards on one side.
    let mut forged = a[..2].to_vec();
    forged.extend(chain(5, &who("mallory")).into_iter().skip(2).map(|mut e| {
        e.prev = String::new();
        e
    }));
    let d = compare(&a, &forged);
    assert_eq!(d.iter().map(|d| d.seq).collect::<Vec<_>>(), [3, 4, 5]);
    assert!(matches!(d[0].kind, DifferenceKind::Differs { .. }));
    assert!(
        d[0].describe().starts_with("entry 3: differs (local "),
        "{}",
        d[0].describe()
    );
    // A gap in the middle of one copy.
    let gapped: Vec<Entry> = a.iter().filter(|e| e.seq != 3).cloned().collect();
    let d = compare(&gapped, &a);
    assert_eq!(
        d,
        [Difference {
            seq: 3,
            kind: DifferenceKind::OnlyShared
        }]
    );
}
