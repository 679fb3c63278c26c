//! `ceremony seal --passphrase-secret`: the new passphrase escrowed in
//! Secrets Manager as a new version, before any share is handed out. The
//! old version is never read.

#[allow(clippy::wildcard_imports)]
use super::*;
use crate::runtime::journal_file::JournalWriter;
use crate::sources::aws::{AwsClients, AwsOptions, PassphraseStore, SecretsManagerStore};
use secrecy::SecretString;
use std::fs;

/// Where the passphrase of this seal is escrowed.
pub(super) struct Escrow {
    store: SecretsManagerStore,
    /// The secret's region.
    pub(super) region: String,
}

impl Escrow {
    /// The secret `--passphrase-secret` names, ready to write; `None`
    /// without the flag. Checked before anything is read.
    pub(super) async fn of(
        args: &SealArgs,
        env: Option<&Path>,
    ) -> Result<Option<Self>, CeremonyError> {
        let Some(secret) = &args.passphrase_secret else {
            return Ok(None);
        };
        let env = env.ok_or_else(|| {
            invalid(format!(
                "--passphrase-secret {secret} needs --env FILE: the AWS account and endpoint to write it to"
            ))
        })?;
        let env = config::load_environment(env).map_err(|e| invalid(e.to_string()))?;
        let region = match &args.secret_region {
            Some(r) if env.regions.iter().any(|e| &e.name == r) => r.clone(),
            Some(r) => {
                return Err(invalid(format!(
                    "--secret-region {r} is not a region of the environment"
                )));
            }
            None => env
                .regions
                .first()
                .map(|r| r.name.clone())
                .ok_or_else(|| invalid("the environment has no regions"))?,
        };
        let clients = AwsClients::new(&env, &AwsOptions::default())
            .await
            .map_err(|e| invalid(e.to_string()))?;
        let client = clients
            .region(&region)
            .map(|c| c.secrets.clone())
            .ok_or_else(|| invalid(format!("no Secrets Manager client for {region}")))?;
        Ok(Some(Self {
            store: SecretsManagerStore::new(client, &region),
            region,
        }))
    }

    /// Writes `passphrase` as the secret's new version and journals its
    /// version id. On failure the envelope and its sidecar (`meta`) are
    /// deleted: no share of an unescrowed passphrase is ever handed out.
    pub(super) async fn write(
        &self,
        args: &SealArgs,
        passphrase: &SecretString,
        journal: &mut JournalWriter,
        meta: &Path,
    ) -> Result<(), CeremonyError> {
        let secret = args.passphrase_secret.as_deref().unwrap_or_default();
        match self.store.put_new_version(secret, passphrase).await {
            Ok(version) => append(
                journal,
                &Event::new(
                    WallClock.now(),
                    "ceremony.passphrase_escrowed",
                    json!({"secret_id": secret, "region": self.region, "version_id": version}),
                ),
            ),
            Err(why) => {
                for path in [args.out.as_path(), meta] {
                    fs::remove_file(path).map_err(io_at(path))?;
                }
                Err(invalid(format!(
                    "{why}; the passphrase was not escrowed, so {} and its sidecar were deleted and no share was handed out",
                    args.out.display()
                )))
            }
        }
    }
}
