//! The rules of restoring a decrypted key file, pure: what the restored
//! bytes are, whether the validator may still be signing, whether the
//! signing state would move backwards, and what the operator must confirm.
//!
//! Safety rules never traded away (DESIGN.md): a key is never restored
//! while its validator may still be signing, and `priv_validator_state.json`
//! never moves backwards. A refusal here cannot be confirmed away; a gate
//! can be passed only by typing its phrase.

use std::cmp::Ordering;
use std::fmt;

use serde::Deserialize;
use serde::de::IgnoredAny;

/// What a decrypted backup holds, as far as restoring is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// A `priv_validator_key.json`: the validator's consensus address.
    ValidatorKey {
        /// Hex address, upper case.
        address: String,
        /// The public key's type, e.g. `tendermint/PubKeyEd25519`.
        pub_key_type: String,
    },
    /// A `priv_validator_state.json`: the last signed height/round/step.
    SignState(SignState),
    /// Anything else (e.g. a `node_key.json`): restored as bytes.
    Other,
}

/// The last vote a validator signed: `priv_validator_state.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SignState {
    /// Block height.
    pub height: u64,
    /// Consensus round.
    pub round: i64,
    /// Step (1 propose, 2 prevote, 3 precommit).
    pub step: i64,
}

impl fmt::Display for SignState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "height {} round {} step {}",
            self.height, self.round, self.step
        )
    }
}

/// `priv_validator_key.json` as CometBFT writes it. The private key is
/// skipped unread (`IgnoredAny` copies nothing).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    address: String,
    pub_key: PubKey,
    #[serde(rename = "priv_key")]
    _priv_key: IgnoredAny,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PubKey {
    #[serde(rename = "type")]
    kind: String,
    #[serde(rename = "value")]
    _value: IgnoredAny,
}

/// `priv_validator_state.json`; CometBFT writes the height as a string.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StateFile {
    height: IntOrString,
    round: IntOrString,
    step: IntOrString,
    #[serde(default, rename = "signature")]
    _signature: IgnoredAny,
    #[serde(default, rename = "signbytes")]
    _signbytes: IgnoredAny,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum IntOrString {
    Int(i64),
    Text(String),
}

impl IntOrString {
    fn value(&self) -> Option<i64> {
        match self {
            IntOrString::Int(n) => Some(*n),
            IntOrString::Text(s) => s.parse().ok(),
        }
    }
}

/// Reads a signing state file's bytes.
#[must_use]
pub fn parse_sign_state(bytes: &[u8]) -> Option<SignState> {
    let f: StateFile = serde_json::from_slice(bytes).ok()?;
    Some(SignState {
        height: u64::try_from(f.height.value()?).ok()?,
        round: f.round.value()?,
        step: f.step.value()?,
    })
}

/// What the decrypted bytes are.
#[must_use]
pub fn classify(bytes: &[u8]) -> Content {
    if let Ok(key) = serde_json::from_slice::<KeyFile>(bytes) {
        return Content::ValidatorKey {
            address: key.address.to_ascii_uppercase(),
            pub_key_type: key.pub_key.kind,
        };
    }
    parse_sign_state(bytes).map_or(Content::Other, Content::SignState)
}

/// Whether the validator may still be signing, as its RPC nodes say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signing {
    /// A node reports it runs this validator: restoring would double-sign.
    Running {
        /// The RPC endpoint that said so.
        endpoint: String,
    },
    /// A node saw this validator sign its latest block: it runs somewhere.
    Signed {
        /// The RPC endpoint whose latest commit holds the signature.
        endpoint: String,
        /// That block's height.
        height: u64,
    },
    /// Every endpoint answered, none runs this validator.
    NotRunning {
        /// Endpoints asked.
        checked: Vec<String>,
    },
    /// Some endpoints did not answer (and none that did runs it).
    Unknown {
        /// Endpoints that failed, with why.
        unreachable: Vec<(String, String)>,
    },
    /// No environment file gave an endpoint to ask.
    NotChecked,
}

/// What the restore target holds now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Nothing there.
    Absent,
    /// A file, and its signing state if it is one.
    Exists {
        /// The signing state read from it, if it reads as one.
        state: Option<SignState>,
    },
}

/// The signing state file that goes with a restored validator key, in
/// CometBFT's layout (`config/priv_validator_key.json` beside
/// `data/priv_validator_state.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateBeside {
    /// Not a validator key, or not in a `config/` directory.
    NotApplicable,
    /// No state file where CometBFT will look for it.
    Missing {
        /// Where it should be.
        path: String,
    },
    /// A state file is there.
    Present,
}

/// Everything known before restoring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The target's file name, for the gate phrase.
    pub file_name: String,
    /// What the decrypted bytes are.
    pub content: Content,
    /// What the target holds.
    pub target: Target,
    /// What the RPC nodes say.
    pub signing: Signing,
    /// The signing state that goes with a restored key.
    pub state_beside: StateBeside,
}

/// What to do with a restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Refused outright; nothing is written, no confirmation changes it.
    Refuse(String),
    /// Allowed once the operator types `phrase`, having read `reasons`.
    Gate {
        /// Why a confirmation is needed, one sentence each.
        reasons: Vec<String>,
        /// The exact phrase to type.
        phrase: String,
    },
    /// Safe: write it.
    Proceed,
}

/// Decides a restore from the facts.
#[must_use]
pub fn decide(facts: &Facts) -> Verdict {
    if let (Content::ValidatorKey { address, .. }, Signing::Running { endpoint }) =
        (&facts.content, &facts.signing)
    {
        return Verdict::Refuse(format!(
            "refused: {endpoint} reports validator {address} is running; restoring its key \
             would make two signers (double-signing). Stop that node first."
        ));
    }
    if let (Content::ValidatorKey { address, .. }, Signing::Signed { endpoint, height }) =
        (&facts.content, &facts.signing)
    {
        return Verdict::Refuse(format!(
            "refused: validator {address} signed block {height} (seen by {endpoint}): it is \
             running somewhere; restoring its key would make two signers (double-signing). \
             Stop it first."
        ));
    }
    if let (Content::SignState(new), Target::Exists { state: Some(old) }) =
        (&facts.content, &facts.target)
        && new.cmp(old) == Ordering::Less
    {
        return Verdict::Refuse(format!(
            "refused: the backup's signing state ({new}) is behind the one in place ({old}); \
             going back would let the validator sign twice at the same height"
        ));
    }
    let mut reasons = Vec::new();
    let exists = matches!(facts.target, Target::Exists { .. });
    if exists {
        reasons.push(format!("{} exists and will be replaced", facts.file_name));
    }
    if let Content::ValidatorKey { address, .. } = &facts.content {
        match &facts.signing {
            Signing::Unknown { unreachable } => {
                let names: Vec<&str> = unreachable.iter().map(|(e, _)| e.as_str()).collect();
                reasons.push(format!(
                    "could not ask {} whether validator {address} is running: make sure it is stopped",
                    names.join(", ")
                ));
            }
            Signing::NotChecked => reasons.push(format!(
                "no environment file (--env) names RPC endpoints: nothing checked that validator \
                 {address} is stopped"
            )),
            Signing::NotRunning { .. } | Signing::Running { .. } | Signing::Signed { .. } => {}
        }
        if let StateBeside::Missing { path } = &facts.state_beside {
            reasons.push(format!(
                "no signing state at {path}: CometBFT would start from height 0 and could sign \
                 a height this validator already signed; restore its priv_validator_state.json first"
            ));
        }
    }
    if reasons.is_empty() {
        return Verdict::Proceed;
    }
    let phrase = if exists {
        format!("overwrite {}", facts.file_name)
    } else {
        format!("restore {}", facts.file_name)
    };
    Verdict::Gate { reasons, phrase }
}

#[cfg(test)]
mod tests {
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
}
