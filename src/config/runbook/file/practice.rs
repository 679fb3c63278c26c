//! The `practice:` extension of a step: what it does to the simulated
//! estate in practice mode, as the file writes it.

use serde::Deserialize;

/// What a step does in practice mode (extension). Values are templates.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PracticeFile {
    /// Record only.
    None,
    /// Make a region the database primary.
    PromoteDatabase(String),
    /// Send traffic to a region or stop sending it.
    Traffic {
        /// The region.
        region: String,
        /// Whether it serves afterwards.
        serving: bool,
    },
    /// Start or stop (fence) a region's validators.
    Validators {
        /// The region.
        region: String,
        /// Whether they run afterwards.
        running: bool,
    },
    /// Bring a region back after a fault.
    RecoverRegion(String),
    /// Restore a region's nodes from its newest chain-state snapshot: the
    /// region comes back and the snapshot's age is the data lost.
    RestoreChainState(String),
    /// A validator's key restored (through the key ceremony): the
    /// validator, fenced or offline, signs again once its region runs.
    RestoreValidatorKey(String),
    /// Stop (fence) or start one validator's node, not its whole region.
    Validator {
        /// The validator's name or address.
        name: String,
        /// Whether it runs afterwards.
        running: bool,
    },
    /// Start a node with a freshly generated consensus key for a validator
    /// (the node a key rotation switches to).
    StartNewKeyNode(String),
    /// Rotate a validator's consensus key to its new node's key: the old
    /// address leaves the set, the new one signs once the node caught up.
    RotateKey(String),
    /// Pass only when the validator's key signed no recent commit.
    KeySilent(String),
    /// Pass only when the validator's rotated key carries its power and signs.
    RotatedKeySigns(String),
    /// Start standby keys of `from`'s validators in `to`.
    StandbyValidators {
        /// The region whose keys are started elsewhere.
        from: String,
        /// Where they start.
        to: String,
    },
    /// Judge the step by the simulated service.
    Check(crate::domain::runbook::plan::SimCheck),
    /// Fail the step.
    Fail(String),
}
