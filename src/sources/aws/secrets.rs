//! Backup passphrase secrets in one region: `DescribeSecret` per secret,
//! which returns metadata only. This adapter never calls `GetSecretValue`:
//! the console shows that a secret exists and when it last changed, and
//! has no reason to hold its value.

use std::time::Duration;

use aws_sdk_secretsmanager::primitives::DateTime;

use super::error::describe;
use crate::domain::observation::{Observation, SecretInfo};
use crate::domain::time::Timestamp;
use crate::sources::poller::TelemetrySource;

/// The passphrase secrets of one region.
#[derive(Debug)]
pub struct SecretsSource {
    client: aws_sdk_secretsmanager::Client,
    region: String,
    names: Vec<String>,
    interval: Duration,
    call_timeout: Duration,
}

fn timestamp(t: &DateTime) -> Option<Timestamp> {
    t.to_millis().ok().map(Timestamp::from_millis)
}

impl SecretsSource {
    /// Describes the secrets called `names` in `region` every `interval`.
    #[must_use]
    pub fn new(
        client: aws_sdk_secretsmanager::Client,
        region: &str,
        names: Vec<String>,
        interval: Duration,
        call_timeout: Duration,
    ) -> Self {
        Self {
            client,
            region: region.to_owned(),
            names,
            interval,
            call_timeout,
        }
    }

    /// `Ok(None)` when the secret does not exist. A secret scheduled for
    /// deletion can no longer be read, so it is reported as an error that
    /// says so rather than as present.
    async fn describe(&self, name: &str) -> Result<Option<SecretInfo>, String> {
        let call = format!("{} {name}", self.region);
        let out = match self.client.describe_secret().secret_id(name).send().await {
            Ok(out) => out,
            Err(e)
                if e.as_service_error()
                    .is_some_and(aws_sdk_secretsmanager::operation::describe_secret::DescribeSecretError::is_resource_not_found_exception) =>
            {
                return Ok(None);
            }
            Err(e) => return Err(describe("Secrets Manager DescribeSecret", &call, &e)),
        };
        if let Some(deleted) = out.deleted_date() {
            return Err(format!(
                "Secrets Manager DescribeSecret {call}: scheduled for deletion ({deleted})"
            ));
        }
        // A secret never changed since creation has its creation time.
        let last_changed = out
            .last_changed_date()
            .or(out.created_date())
            .and_then(timestamp);
        Ok(Some(SecretInfo { last_changed }))
    }
}

impl TelemetrySource for SecretsSource {
    fn name(&self) -> String {
        format!("secrets {}", self.region)
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    fn timeout(&self) -> Duration {
        super::poll_timeout(self.call_timeout, 1)
    }

    async fn poll(&mut self, _now: Timestamp) -> Vec<Observation> {
        let this = &*self;
        futures_util::future::join_all(this.names.iter().map(|name| async move {
            Observation::Secret {
                region: this.region.clone(),
                name: name.clone(),
                result: this.describe(name).await,
            }
        }))
        .await
    }

    fn timed_out(&self, after: Duration) -> Vec<Observation> {
        self.names
            .iter()
            .map(|name| Observation::Secret {
                region: self.region.clone(),
                name: name.clone(),
                result: Err(format!(
                    "Secrets Manager DescribeSecret {} {name}: no answer within {after:?}",
                    self.region
                )),
            })
            .collect()
    }
}
