//! Validator consensus keys: fencing one validator, a compromised key and
//! what became of it, and the in-place rotation (`MsgRotateConsPubKey`)
//! that replaces a key the attacker holds with a fresh one.
//!
//! The model: a validator signs with the key its node holds. Fencing stops
//! that node. A rotation needs a node already running with a freshly
//! generated key; once the rotation is in a block the old key is out of
//! the validator set (its signatures count for nothing) and the validator
//! signs with the new key when the new node has caught up. A chain allows
//! one rotation per unbonding period. A key marked compromised is watched
//! block by block: once it stopped signing, any later signature by it is
//! the attacker's key back in the set.

use std::time::Duration;

use super::{Fault, FaultError, SimError, SimEstate};
pub use crate::domain::observation::KeyRotation;
use crate::domain::time::Timestamp;

/// How long a node started with a fresh key takes to state-sync from a
/// peer's snapshot and block-sync the rest before it can sign: CometBFT
/// state sync of a recent snapshot is typically one to three minutes, and
/// the catch-up at 10 blocks a second covers the gap.
pub(super) const NEW_NODE_SYNC: Duration = Duration::from_secs(90);

/// The unbonding period of the Cosmos SDK's default staking parameters:
/// one consensus-key rotation per validator per period.
pub(super) const UNBONDING: Duration = Duration::from_hours(21 * 24);

/// Per validator, parallel to `spec.validators`: its key as it stands.
#[derive(Debug, Clone)]
pub(super) struct KeyState {
    /// The consensus address the chain knows the validator by now.
    pub(super) address: String,
    /// The operator stopped this one validator (not its whole region).
    pub(super) fenced: bool,
    /// A node started with a freshly generated key, ready to rotate to.
    pub(super) new_node: Option<(String, Timestamp)>,
    /// The rotation, once it is in a block, and that block's height (the
    /// simulated chain always knows it).
    pub(super) rotated: Option<(KeyRotation, u64)>,
}

/// A key presumed in an attacker's hands, and what it did since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompromisedKey {
    /// The validator's name.
    pub validator: String,
    /// The compromised key's address.
    pub address: String,
    /// When it was declared compromised.
    pub since: Timestamp,
    /// The first height after that it did not sign (fenced, rotated out).
    pub stopped_at: Option<u64>,
    /// The first height it signed again after stopping, and when: the
    /// attacker's key back in the set.
    pub signed_again: Option<(u64, Timestamp)>,
}

impl SimEstate {
    fn validator_index(&self, validator: &str) -> Result<usize, SimError> {
        self.spec
            .validators
            .iter()
            .zip(&self.keys)
            .position(|(v, k)| {
                v.answers_to(validator) || validator.eq_ignore_ascii_case(&k.address)
            })
            .ok_or_else(|| {
                FaultError::UnknownValidator {
                    validator: validator.to_owned(),
                    example: self.spec.validators.first().map(|v| v.name.clone()),
                }
                .into()
            })
    }

    fn validator_name(&self, v: usize) -> String {
        self.spec
            .validators
            .get(v)
            .map_or_else(String::new, |s| s.name.clone())
    }

    /// Stops (`running == false`) or starts one validator's node, leaving
    /// the rest of its region alone. Returns a line for the output.
    ///
    /// # Errors
    /// When no validator has that name or address.
    pub fn set_validator_running(
        &mut self,
        validator: &str,
        running: bool,
    ) -> Result<String, SimError> {
        let v = self.validator_index(validator)?;
        let name = self.validator_name(v);
        if let Some(k) = self.keys.get_mut(v) {
            k.fenced = !running;
        }
        Ok(if running {
            format!("{name} started; it signs when its region's nodes are synced")
        } else {
            format!("{name} fenced: its node is stopped and signs nothing")
        })
    }

    /// Starts a node for `validator` with a freshly generated key (its
    /// address derived from the seed, so a drill replays the same). The
    /// node catches up in [`NEW_NODE_SYNC`]; it signs nothing until the
    /// rotation puts its key in the set.
    ///
    /// # Errors
    /// When no validator has that name or address.
    pub fn start_new_key_node(&mut self, validator: &str) -> Result<String, SimError> {
        let v = self.validator_index(validator)?;
        let name = self.validator_name(v);
        let generation = self
            .keys
            .get(v)
            .map_or(0, |k| u64::from(k.rotated.is_some()) + 1);
        let address = fresh_address(self.seed, v, generation);
        let now = self.now;
        if let Some(k) = self.keys.get_mut(v) {
            k.new_node = Some((address.clone(), now));
        }
        Ok(format!(
            "node with a new key for {name} started (address {address}); caught up in about {} s",
            NEW_NODE_SYNC.as_secs()
        ))
    }

    /// Rotates `validator`'s consensus key to the new node's key, as
    /// `MsgRotateConsPubKey` does at the next block. Returns the rotation.
    ///
    /// # Errors
    /// When no validator has that name, no new-key node was started, or
    /// the validator already rotated within the unbonding period.
    pub fn rotate_validator_key(&mut self, validator: &str) -> Result<KeyRotation, SimError> {
        let v = self.validator_index(validator)?;
        let name = self.validator_name(v);
        let (now, height) = (self.now, self.chain.height().saturating_add(1));
        let Some(k) = self.keys.get_mut(v) else {
            return Err(SimError::Refused(format!("no validator {name}")));
        };
        if let Some((r, at_height)) = &k.rotated
            && now.since(r.at) < UNBONDING
        {
            return Err(SimError::Refused(format!(
                "{name} already rotated its key at height {at_height}; the chain allows one rotation per unbonding period (21 days)"
            )));
        }
        let Some((new_address, started)) = k.new_node.take() else {
            return Err(SimError::Refused(format!(
                "no node with a new key runs for {name}; start one before the rotation"
            )));
        };
        let rotation = KeyRotation {
            validator: name,
            old_address: std::mem::replace(&mut k.address, new_address.clone()),
            new_address,
            height: Some(height),
            at: now,
            signs_from: now.max(started.plus(NEW_NODE_SYNC)),
        };
        k.fenced = false;
        k.rotated = Some((rotation.clone(), height));
        self.rotations.push(rotation.clone());
        Ok(rotation)
    }

    /// The address of the new-key node started for `validator` and not
    /// rotated to yet: what the real node prints as its consensus address.
    #[must_use]
    pub fn new_key_address(&self, validator: &str) -> Option<String> {
        let v = self.validator_index(validator).ok()?;
        self.keys.get(v)?.new_node.as_ref().map(|(a, _)| a.clone())
    }

    /// Whether `validator`'s key signed none of the latest commits and
    /// cannot sign: what a runbook proves from RPC before it rotates.
    ///
    /// # Errors
    /// When no validator has that name, or its key still signs (the line
    /// says at which height it last did).
    pub fn key_silent(&self, validator: &str) -> Result<String, SimError> {
        let v = self.validator_index(validator)?;
        let name = self.validator_name(v);
        let address = self.keys.get(v).map_or("", |k| k.address.as_str());
        let height = self.chain.height();
        let can_sign = self
            .eligible_validators()
            .get(v)
            .is_some_and(|e| *e != super::topology::Signer::Cannot);
        if self.chain.signed_latest(v) || can_sign {
            return Err(SimError::Refused(format!(
                "{name} ({address}) still signs: last signed at height {}",
                self.chain.last_signed(v).unwrap_or(height)
            )));
        }
        Ok(format!(
            "{name} ({address}) signed nothing in the latest commit (height {height}) and cannot sign"
        ))
    }

    /// Whether `validator` rotated, its new key carries its power and
    /// signed the latest commit, and its old address is out of the set.
    ///
    /// # Errors
    /// When no validator has that name, it did not rotate, or its new key
    /// does not sign yet.
    pub fn rotated_key_signs(&self, validator: &str) -> Result<String, SimError> {
        let v = self.validator_index(validator)?;
        let name = self.validator_name(v);
        let Some((r, height)) = self.keys.get(v).and_then(|k| k.rotated.clone()) else {
            return Err(SimError::Refused(format!("{name} has not rotated its key")));
        };
        let power = self.spec.validators.get(v).map_or(0, |s| s.voting_power);
        // Only a commit at or after the rotation's height is the new key's.
        if !self.chain.signed_latest(v) || self.chain.last_signed(v) < Some(height) {
            return Err(SimError::Refused(format!(
                "{name}'s new key {} is in the set with power {power} but signed no commit yet",
                r.new_address
            )));
        }
        Ok(format!(
            "{name}: {} signs with power {power}; {} is out of the set",
            r.new_address, r.old_address
        ))
    }

    /// Every key rotation so far, oldest first.
    #[must_use]
    pub fn rotations(&self) -> &[KeyRotation] {
        &self.rotations
    }

    /// Every key declared compromised, and what it did since.
    #[must_use]
    pub fn compromised_keys(&self) -> &[CompromisedKey] {
        &self.compromised
    }

    /// Names of validators whose compromised key can sign right now: the
    /// service is not safe while any can.
    pub(super) fn compromised_signing(&self) -> Vec<String> {
        let eligible = self.eligible_validators();
        self.compromised
            .iter()
            .filter(|c| {
                self.spec
                    .validators
                    .iter()
                    .position(|v| v.name == c.validator)
                    .is_some_and(|v| {
                        self.keys.get(v).is_some_and(|k| k.address == c.address)
                            && eligible
                                .get(v)
                                .is_some_and(|e| *e != super::topology::Signer::Cannot)
                    })
            })
            .map(|c| c.validator.clone())
            .collect()
    }

    /// Starts watching the key a `key-compromised` fault names.
    pub(super) fn note_compromise(&mut self, fault: &Fault) {
        let Fault::KeyCompromised { validator } = fault else {
            return;
        };
        let Ok(v) = self.validator_index(validator) else {
            return;
        };
        let address = self
            .keys
            .get(v)
            .map(|k| k.address.clone())
            .unwrap_or_default();
        if self.compromised.iter().any(|c| c.address == address) {
            return;
        }
        self.compromised.push(CompromisedKey {
            validator: self.validator_name(v),
            address,
            since: self.now,
            stopped_at: None,
            signed_again: None,
        });
    }

    /// After each round: a compromised key that cannot sign (fenced, out
    /// of the set) or did not sign the new commit has stopped; one that
    /// signs a commit after that is back. A halted chain commits nothing,
    /// so a fence is seen by the key's `eligible` entry, not a commit.
    pub(super) fn watch_compromised(
        &mut self,
        eligible: &[super::topology::Signer],
        committed: bool,
    ) {
        let (height, now) = (self.chain.height(), self.now);
        for c in &mut self.compromised {
            let Some(v) = self
                .spec
                .validators
                .iter()
                .position(|s| s.name == c.validator)
            else {
                continue;
            };
            let still_in_set = self.keys.get(v).is_some_and(|k| k.address == c.address);
            let can_sign = still_in_set
                && eligible
                    .get(v)
                    .is_some_and(|e| *e != super::topology::Signer::Cannot);
            let signed = committed && still_in_set && self.chain.signed_latest(v);
            if !can_sign || (committed && !signed) {
                c.stopped_at.get_or_insert(height);
            } else if signed && c.stopped_at.is_some() && c.signed_again.is_none() {
                c.signed_again = Some((height, now));
            }
        }
    }
}

/// A fresh 20-byte consensus address in CometBFT's upper-case hex, stable
/// for a seed, a validator and a key generation.
fn fresh_address(seed: u64, validator: usize, generation: u64) -> String {
    let state = seed
        ^ u64::try_from(validator)
            .unwrap_or(u64::MAX)
            .wrapping_mul(0xA24B_AED4_963E_E407)
        ^ generation.wrapping_mul(0x9FB2_1C65_1E98_DF25);
    super::chain::hex_stream(state, 40)
}

#[cfg(test)]
#[path = "keys_tests.rs"]
mod tests;
