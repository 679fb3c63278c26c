#![allow(clippy::unwrap_used)]

use super::*;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[test]
fn fault_text_round_trips() {
    let examples = [
        "region-down us-east-1",
        "lag-growth eu-west-1 2s",
        "lag-growth eu-west-1 1s500ms",
        "lag-growth eu-west-1 1h",
        "replication-stall eu-west-1",
        "backup-failure us-east-1 chain_state",
        "validator-offline us-east-1-val-0",
        "key-compromised us-east-1-val-0",
        "partition ap-southeast-1",
        "partition ap-southeast-1,eu-west-1",
        "health-check-failure eu-west-1",
    ];
    for text in examples {
        let f = Fault::parse(text).unwrap();
        assert_eq!(f.to_string(), text);
        assert_eq!(Fault::parse(&f.to_string()).unwrap(), f);
        assert!(!f.describe().is_empty());
        Fault::parse_for(text, &EstateSpec::seed()).unwrap();
    }
    assert_eq!(
        Fault::parse("lag-growth eu-west-1 1m").unwrap(),
        Fault::ReplicationLagGrowth {
            region: "eu-west-1".into(),
            per_second: secs(60)
        }
    );
    assert_eq!(
        Fault::parse("backup-failure eu-west-1 chain-state").unwrap(),
        Fault::parse("backup-failure eu-west-1 chain_state").unwrap()
    );
}

#[test]
fn bad_fault_text_says_what_was_expected() {
    let err = |t: &str| Fault::parse(t).unwrap_err();
    assert!(err("").contains("region-down REGION"));
    assert!(err("meteor us-east-1").contains("unknown fault 'meteor'"));
    assert!(err("region-down").contains("region-down REGION"));
    assert_eq!(
        err("key-compromised"),
        "'key-compromised' expects: key-compromised NAME_OR_ADDRESS"
    );
    assert!(
        Fault::parse_for("key-compromised nobody", &EstateSpec::seed())
            .unwrap_err()
            .starts_with("unknown validator 'nobody'")
    );
    assert!(err("lag-growth eu-west-1").contains("DURATION"));
    assert_eq!(
        err("lag-growth eu-west-1 fast"),
        "bad duration \"fast\", expected e.g. 30s, 2m, 1h30m, 1d or 500ms"
    );
    assert_eq!(
        err("lag-growth eu-west-1 2h"),
        "lag-growth 2h is longer than the longest allowed, 1h"
    );
    assert_eq!(
        err("lag-growth eu-west-1 0s"),
        "lag-growth is zero, expected at least 1ms"
    );
    assert!(err("lag-growth eu-west-1 1m1h").starts_with("bad duration"));
    assert!(err("backup-failure us-east-1 tapes").contains("chain_state, keys, database"));
    assert!(err("partition").contains("partition REGION"));
    let spec = EstateSpec::seed();
    let e = Fault::parse_for("region-down mars-1", &spec).unwrap_err();
    assert!(
        e.contains("valid regions: us-east-1, eu-west-1, ap-southeast-1"),
        "{e}"
    );
    let e = Fault::parse_for("partition us-east-1,eu-west-1,ap-southeast-1", &spec).unwrap_err();
    assert!(e.contains("each side"), "{e}");
}

#[test]
fn serde_uses_the_text_form() {
    let f = Fault::ReplicationLagGrowth {
        region: "eu-west-1".into(),
        per_second: secs(2),
    };
    let json = serde_json::to_string(&f).unwrap();
    assert_eq!(json, "\"lag-growth eu-west-1 2s\"");
    assert_eq!(serde_json::from_str::<Fault>(&json).unwrap(), f);
    let err = serde_json::from_str::<Fault>("\"meteor x\"").unwrap_err();
    assert!(err.to_string().contains("unknown fault 'meteor'"));
}

#[test]
fn from_str_matches_parse() {
    let f: Fault = "replication-stall eu-west-1".parse().unwrap();
    assert_eq!(f, Fault::parse("replication-stall eu-west-1").unwrap());
}
