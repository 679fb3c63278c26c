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
#[path = "restore_tests.rs"]
mod tests;
