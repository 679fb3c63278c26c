//! Unit tests for `domain::restore`, kept beside it so the production file stays short enough to read in one sitting.

#![allow(clippy::unwrap_used)]
use super::*;

const KEY: &str = r#"{"address":"ab12","pub_key":{"type":"tendermint/PubKeyEd25519","value":"x"},"priv_key":{"type":"tendermint/PrivKeyEd25519","value":"y"}}"#;

fn facts(content: Content, target: Target, signing: Signing) -> Facts {
    Facts {
        file_name: "priv_validator_key.json".into(),
        content,
        target,
        signing,
        state_beside: StateBeside::NotApplicable,
    }
}

fn key() -> Content {
    Content::ValidatorKey {
        address: "AB12".into(),
        pub_key_type: "tendermint/PubKeyEd25519".into(),
    }
}

#[test]
fn content_is_recognised() {
    assert_eq!(classify(KEY.as_bytes()), key());
    let state = br#"{"height":"120","round":0,"step":3,"signature":"c2ln","signbytes":"00"}"#;
    assert_eq!(
        classify(state),
        Content::SignState(SignState {
            height: 120,
            round: 0,
            step: 3
        })
    );
    assert_eq!(
        parse_sign_state(br#"{"height":"0","round":0,"step":0}"#),
        Some(SignState {
            height: 0,
            round: 0,
            step: 0
        })
    );
    assert_eq!(
        classify(br#"{"priv_key":{"type":"t","value":"v"}}"#),
        Content::Other
    );
    assert_eq!(classify(b"not json"), Content::Other);
}

#[test]
fn a_running_validator_is_refused_whatever_else() {
    let v = decide(&facts(
        key(),
        Target::Exists { state: None },
        Signing::Running {
            endpoint: "http://10.0.1.5:26657".into(),
        },
    ));
    let Verdict::Refuse(why) = v else {
        panic!("{v:?}")
    };
    assert!(why.contains("http://10.0.1.5:26657 reports validator AB12 is running"));
    let v = decide(&facts(
        key(),
        Target::Absent,
        Signing::Signed {
            endpoint: "http://10.0.2.9:26657".into(),
            height: 812,
        },
    ));
    assert!(
        matches!(&v, Verdict::Refuse(why) if why.contains("validator AB12 signed block 812 (seen by http://10.0.2.9:26657)")),
        "{v:?}"
    );
}

#[test]
fn the_signing_state_never_moves_back() {
    let old = SignState {
        height: 100,
        round: 1,
        step: 2,
    };
    for (new, refused) in [
        ((99, 5, 3), true),
        ((100, 0, 3), true),
        ((100, 1, 1), true),
        ((100, 1, 2), false),
        ((100, 1, 3), false),
        ((101, 0, 0), false),
    ] {
        let new = SignState {
            height: new.0,
            round: new.1,
            step: new.2,
        };
        let v = decide(&facts(
            Content::SignState(new),
            Target::Exists { state: Some(old) },
            Signing::NotChecked,
        ));
        assert_eq!(
            matches!(v, Verdict::Refuse(_)),
            refused,
            "{new} over {old}: {v:?}"
        );
    }
}

#[test]
fn gates_name_every_reason_and_a_phrase() {
    let v = decide(&facts(
        key(),
        Target::Exists { state: None },
        Signing::Unknown {
            unreachable: vec![("http://a:26657".into(), "timed out".into())],
        },
    ));
    let Verdict::Gate { reasons, phrase } = v else {
        panic!("{v:?}")
    };
    assert_eq!(phrase, "overwrite priv_validator_key.json");
    assert_eq!(reasons.len(), 2);
    assert!(reasons[1].contains("could not ask http://a:26657"));

    let v = decide(&facts(key(), Target::Absent, Signing::NotChecked));
    assert!(
        matches!(v, Verdict::Gate { ref phrase, .. } if phrase == "restore priv_validator_key.json"),
        "{v:?}"
    );
    let v = decide(&facts(
        key(),
        Target::Absent,
        Signing::NotRunning {
            checked: vec!["http://a:26657".into()],
        },
    ));
    assert_eq!(v, Verdict::Proceed);
    assert_eq!(
        decide(&facts(Content::Other, Target::Absent, Signing::NotChecked)),
        Verdict::Proceed
    );
    let mut f = facts(
        key(),
        Target::Absent,
        Signing::NotRunning { checked: vec![] },
    );
    f.state_beside = StateBeside::Missing {
        path: "/v/data/priv_validator_state.json".into(),
    };
    let Verdict::Gate { reasons, .. } = decide(&f) else {
        panic!()
    };
    assert!(reasons[0].starts_with("no signing state at /v/data/priv_validator_state.json"));
}
