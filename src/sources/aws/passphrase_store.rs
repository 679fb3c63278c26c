//! Where a sealed backup's passphrase is escrowed: a Secrets Manager
//! secret, written as a new version with `PutSecretValue`. The old version
//! is never read (no `GetSecretValue` here): a rotation replaces a
//! passphrase, it has no reason to know the one it replaces. Secrets
//! Manager keeps the previous version as `AWSPREVIOUS`.

use secrecy::{ExposeSecret, SecretString};

use super::error::describe;

/// Escrows a new passphrase version. A trait so the ceremony can run
/// against Secrets Manager (real) or a recorder (tests, practice).
pub trait PassphraseStore {
    /// Writes `passphrase` as the new current version of `secret`;
    /// returns the version id.
    ///
    /// # Errors
    /// Why the write failed, naming the secret and region, never the value.
    fn put_new_version(
        &self,
        secret: &str,
        passphrase: &SecretString,
    ) -> impl Future<Output = Result<String, String>> + Send;
}

/// The real side: one region's Secrets Manager.
#[derive(Debug, Clone)]
pub struct SecretsManagerStore {
    client: aws_sdk_secretsmanager::Client,
    region: String,
}

impl SecretsManagerStore {
    /// The store behind `client`, in `region` (for messages).
    #[must_use]
    pub fn new(client: aws_sdk_secretsmanager::Client, region: &str) -> Self {
        Self {
            client,
            region: region.to_owned(),
        }
    }
}

impl PassphraseStore for SecretsManagerStore {
    async fn put_new_version(
        &self,
        secret: &str,
        passphrase: &SecretString,
    ) -> Result<String, String> {
        let call = format!("{} {secret}", self.region);
        // The SDK fills in the idempotency token: a retried call cannot
        // write two versions.
        let out = self
            .client
            .put_secret_value()
            .secret_id(secret)
            .secret_string(passphrase.expose_secret())
            .send()
            .await
            .map_err(|e| describe("Secrets Manager PutSecretValue", &call, &e))?;
        out.version_id
            .ok_or_else(|| format!("Secrets Manager PutSecretValue {call}: no version id returned"))
    }
}
