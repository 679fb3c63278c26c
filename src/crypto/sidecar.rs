//! The JSON metadata file written beside a key backup, with the fields the
//! estate's backup scripts already use. It holds nothing secret: the
//! passphrase's *location* (e.g. a Secrets Manager name), never the
//! passphrase. The envelope header, not this file, is authoritative for
//! the KDF parameters.

use serde::{Deserialize, Serialize};

use super::envelope::{MAX_ITERATIONS, MIN_ITERATIONS};

/// What `encryption` says for an envelope of this module.
pub const ENCRYPTION: &str = "AES-256-GCM";
/// The default `warning`.
pub const DEFAULT_WARNING: &str = "Never restore this key while its validator may still be \
    signing: two signers with one key double-sign and are slashed.";

/// Metadata of one key backup. Unknown fields are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sidecar {
    /// What was backed up, e.g. `validator_key`, `node_key`, `provider_key`.
    #[serde(rename = "type")]
    pub kind: String,
    /// When the backup was made, RFC 3339 in UTC.
    pub timestamp: String,
    /// The backup's name (its object key without the directory).
    pub backup_name: String,
    /// The cipher, `AES-256-GCM`.
    pub encryption: String,
    /// The key derivation, e.g. `PBKDF2-HMAC-SHA256 (600000 iterations)`.
    pub kdf: String,
    /// The validator's consensus address (hex), when the key is a validator's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validator_address: Option<String>,
    /// The key type, e.g. `tendermint/PubKeyEd25519`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pub_key_type: Option<String>,
    /// A warning for whoever restores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
    /// Where the passphrase is kept (never the passphrase).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passphrase_location: Option<String>,
    /// How the passphrase was split, and who holds a share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shares: Option<SharesInfo>,
}

/// The split of a backup's passphrase: which set, how many open it, who
/// was handed a share and who proved their copy. Nothing secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharesInfo {
    /// The set id every share carries (four characters).
    pub set_id: String,
    /// How many shares open the backup.
    pub threshold: u8,
    /// Every holder, in hand-over order (their count is the share count).
    pub holders: Vec<String>,
    /// The holders who typed their share back: only they are known to
    /// hold one. Fewer than `holders` when the hand-over was stopped.
    pub confirmed: Vec<String>,
}

impl SharesInfo {
    /// Whether every holder confirmed their share.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.confirmed.len() >= self.holders.len()
    }
}

/// Why a sidecar could not be built or read.
#[derive(Debug, thiserror::Error)]
pub enum SidecarError {
    /// An iteration count outside the envelope's bounds.
    #[error("PBKDF2 iteration count {0} is outside {MIN_ITERATIONS} to {MAX_ITERATIONS}")]
    Iterations(u32),
    /// Not valid sidecar JSON (unknown fields included). serde names the
    /// offending key as written: control characters in it are escaped.
    #[error("invalid key backup metadata: {}", crate::text::printable(&.0.to_string()))]
    Json(#[from] serde_json::Error),
}

impl Sidecar {
    /// The metadata for a backup sealed with `iterations` PBKDF2 rounds,
    /// with the default warning and no validator or passphrase location.
    ///
    /// # Errors
    /// The iteration count is outside the envelope's bounds.
    pub fn for_backup(
        kind: &str,
        backup_name: &str,
        timestamp: jiff::Timestamp,
        iterations: u32,
    ) -> Result<Self, SidecarError> {
        if !(MIN_ITERATIONS..=MAX_ITERATIONS).contains(&iterations) {
            return Err(SidecarError::Iterations(iterations));
        }
        Ok(Self {
            kind: kind.to_owned(),
            timestamp: timestamp.to_string(),
            backup_name: backup_name.to_owned(),
            encryption: ENCRYPTION.to_owned(),
            kdf: format!("PBKDF2-HMAC-SHA256 ({iterations} iterations)"),
            validator_address: None,
            pub_key_type: None,
            warning: Some(DEFAULT_WARNING.to_owned()),
            passphrase_location: None,
            shares: None,
        })
    }

    /// With the validator's address and key type.
    #[must_use]
    pub fn validator(mut self, address: &str, pub_key_type: &str) -> Self {
        self.validator_address = Some(address.to_owned());
        self.pub_key_type = Some(pub_key_type.to_owned());
        self
    }

    /// With where the passphrase is kept.
    #[must_use]
    pub fn passphrase_location(mut self, location: &str) -> Self {
        self.passphrase_location = Some(location.to_owned());
        self
    }

    /// With how the passphrase was split.
    #[must_use]
    pub fn shares(mut self, shares: SharesInfo) -> Self {
        self.shares = Some(shares);
        self
    }

    /// With a warning in place of the default.
    #[must_use]
    pub fn warning(mut self, warning: &str) -> Self {
        self.warning = Some(warning.to_owned());
        self
    }

    /// Pretty JSON with a final newline.
    ///
    /// # Errors
    /// Never in practice (every field is a string).
    pub fn to_json(&self) -> Result<String, SidecarError> {
        let mut out = serde_json::to_string_pretty(self)?;
        out.push('\n');
        Ok(out)
    }

    /// Reads sidecar JSON, refusing unknown fields.
    ///
    /// # Errors
    /// Invalid JSON, a missing required field or an unknown one.
    pub fn from_json(text: &str) -> Result<Self, SidecarError> {
        Ok(serde_json::from_str(text)?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trips_with_the_estate_field_names() {
        let at: jiff::Timestamp = "2026-11-26T02:00:00Z".parse().unwrap();
        let sidecar = Sidecar::for_backup("validator_key", "validator-0.key.enc", at, 600_000)
            .unwrap()
            .validator("A1B2C3", "tendermint/PubKeyEd25519")
            .passphrase_location("secretsmanager:us-east-1:dr/key-backup-passphrase");
        let json = sidecar.to_json().unwrap();
        for field in [
            "\"type\"",
            "\"timestamp\"",
            "\"backup_name\"",
            "\"encryption\"",
            "\"kdf\"",
            "\"validator_address\"",
            "\"pub_key_type\"",
            "\"warning\"",
            "\"passphrase_location\"",
        ] {
            assert!(json.contains(field), "{field} in {json}");
        }
        assert!(json.contains("\"2026-11-26T02:00:00Z\""));
        assert!(json.contains("PBKDF2-HMAC-SHA256 (600000 iterations)"));
        assert_eq!(Sidecar::from_json(&json).unwrap(), sidecar);
    }

    #[test]
    fn unknown_and_missing_fields_are_refused() {
        let at = jiff::Timestamp::UNIX_EPOCH;
        let json = Sidecar::for_backup("node_key", "n", at, 100_000)
            .unwrap()
            .to_json()
            .unwrap();
        let extra = json.replacen('{', "{\"passphrase\": \"hunter2\",", 1);
        assert!(
            Sidecar::from_json(&extra)
                .unwrap_err()
                .to_string()
                .contains("unknown field")
        );
        let missing = json.replace("\"kdf\"", "\"kdf_\"");
        assert!(Sidecar::from_json(&missing).is_err());
        assert!(matches!(
            Sidecar::for_backup("node_key", "n", at, 99_999),
            Err(SidecarError::Iterations(99_999))
        ));
    }
}
