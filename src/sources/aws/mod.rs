//! The live AWS adapters: Route53 health, CloudWatch metrics, S3 backup
//! listings and Secrets Manager metadata, each a [`TelemetrySource`] per
//! region so the poller runs them on their own intervals, concurrently.
//!
//! Clients come from `aws-config`'s default credential chain (environment,
//! profiles, SSO, credential processes, instance metadata), one `SdkConfig`
//! per region with that region's profile, and an `endpoint_url` override
//! for emulators such as moto. The SDK's own retries are off: the poller
//! already backs off with jitter, and a retrying client would hide how long
//! a region has been failing. Each call has its own timeout in the SDK.

mod cloudwatch;
mod counter;
mod error;
mod failover_state;
pub mod identity;
mod incident_store;
mod passphrase_store;
mod route53;
mod s3;
mod sdk;
mod secret_value;
mod secrets;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_s3::config::Region;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub use cloudwatch::{CloudWatchMetrics, MetricValue};
pub use counter::{CallCounter, CallCounts, Service};
pub(crate) use error::causes;
pub use failover_state::{FailoverState, MAX_RECORD_PAGES};
pub use incident_store::S3IncidentStore;
pub use passphrase_store::{PassphraseStore, SecretsManagerStore};
pub use route53::{Route53Health, route53_healthy};
pub use s3::{FULL_RELIST_EVERY, MAX_PAGES_PER_POLL, S3Backups};
pub use sdk::{IncidentClients, incident_clients};
pub use secret_value::read_secret_string;
pub use secrets::SecretsSource;

use super::clock::Clock;
use super::poller;
use crate::domain::environment::Environment;
use crate::domain::observation::PollReport;

/// Why the AWS sources could not be set up (before any call is made).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AwsSetupError {
    /// The environment lists no regions to observe.
    #[error("the environment lists no AWS regions")]
    NoRegions,
    /// `[aws] endpoint_url` is not an http(s) URL.
    #[error("[aws] endpoint_url {0:?} is not an http:// or https:// URL")]
    BadEndpoint(String),
    /// Spawning pollers needs a running tokio runtime.
    #[error("the AWS pollers need a tokio runtime")]
    NoRuntime,
}

/// Fixed credentials instead of the default chain: for tests against an
/// emulator, so they never depend on the machine's AWS setup.
#[derive(Clone, PartialEq, Eq)]
pub struct StaticCredentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
}

impl fmt::Debug for StaticCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

/// How the clients are built.
#[derive(Debug, Clone)]
pub struct AwsOptions {
    /// Limit for one API call, connection included.
    pub call_timeout: Duration,
    /// Counts every request, if set.
    pub counter: Option<CallCounter>,
    /// Replaces the default credential chain, if set.
    pub credentials: Option<StaticCredentials>,
}

impl Default for AwsOptions {
    fn default() -> Self {
        Self {
            call_timeout: Duration::from_secs(5),
            counter: None,
            credentials: None,
        }
    }
}

/// The four service clients of one region.
#[derive(Debug, Clone)]
pub struct RegionClients {
    /// Region name.
    pub region: String,
    /// Route53 (a global service: signed for us-east-1, this region's profile).
    pub route53: aws_sdk_route53::Client,
    /// CloudWatch in this region.
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    /// S3 in this region.
    pub s3: aws_sdk_s3::Client,
    /// Secrets Manager in this region.
    pub secrets: aws_sdk_secretsmanager::Client,
}

/// One set of clients per region of an [`Environment`].
#[derive(Debug, Clone)]
pub struct AwsClients {
    regions: Vec<RegionClients>,
    call_timeout: Duration,
}

impl AwsClients {
    /// Builds the clients. Nothing is sent yet: credentials and endpoints
    /// are first used, and their errors reported, by the first poll.
    ///
    /// # Errors
    /// When the environment has no regions or a malformed endpoint URL.
    pub async fn new(env: &Environment, options: &AwsOptions) -> Result<Self, AwsSetupError> {
        if env.regions.is_empty() {
            return Err(AwsSetupError::NoRegions);
        }
        let endpoint = sdk::endpoint(env)?;
        let mut regions = Vec::with_capacity(env.regions.len());
        for r in &env.regions {
            let sdk = sdk::load(&r.name, r.profile.as_deref(), endpoint, options).await;
            regions.push(build_region(&r.name, &sdk, endpoint.is_some(), options));
        }
        Ok(Self {
            regions,
            call_timeout: options.call_timeout,
        })
    }

    /// The clients of region `name`.
    #[must_use]
    pub fn region(&self, name: &str) -> Option<&RegionClients> {
        self.regions.iter().find(|r| r.region == name)
    }

    /// The per-call timeout the clients were built with.
    #[must_use]
    pub fn call_timeout(&self) -> Duration {
        self.call_timeout
    }
}

fn build_region(
    name: &str,
    sdk: &aws_config::SdkConfig,
    emulated: bool,
    options: &AwsOptions,
) -> RegionClients {
    let count = |s| options.counter.as_ref().map(|c| c.interceptor(s));
    let mut route53 =
        aws_sdk_route53::config::Builder::from(sdk).region(Region::from_static("us-east-1"));
    let mut cloudwatch = aws_sdk_cloudwatch::config::Builder::from(sdk);
    // Emulators answer on one host: no bucket-name subdomains there.
    let mut s3 = aws_sdk_s3::config::Builder::from(sdk).force_path_style(emulated);
    let mut secrets = aws_sdk_secretsmanager::config::Builder::from(sdk);
    if let Some(i) = count(Service::Route53) {
        route53 = route53.interceptor(i);
    }
    if let Some(i) = count(Service::CloudWatch) {
        cloudwatch = cloudwatch.interceptor(i);
    }
    if let Some(i) = count(Service::S3) {
        s3 = s3.interceptor(i);
    }
    if let Some(i) = count(Service::SecretsManager) {
        secrets = secrets.interceptor(i);
    }
    RegionClients {
        region: name.to_owned(),
        route53: aws_sdk_route53::Client::from_conf(route53.build()),
        cloudwatch: aws_sdk_cloudwatch::Client::from_conf(cloudwatch.build()),
        s3: aws_sdk_s3::Client::from_conf(s3.build()),
        secrets: aws_sdk_secretsmanager::Client::from_conf(secrets.build()),
    }
}

/// Every AWS source of an environment, one of each kind per region, not
/// yet running: tests poll them directly, [`spawn_aws_sources`] runs them.
#[derive(Debug)]
pub struct AwsSources {
    /// Route53 health, on the health interval.
    pub route53: Vec<Route53Health>,
    /// CloudWatch metrics, on the metrics interval.
    pub cloudwatch: Vec<CloudWatchMetrics>,
    /// S3 newest backups, on the backups interval.
    pub s3: Vec<S3Backups>,
    /// Secrets Manager metadata, on the backups interval.
    pub secrets: Vec<SecretsSource>,
    /// Per region: its database role, traffic weight and inverted check.
    pub failover: Vec<FailoverState>,
}

impl AwsSources {
    /// One source of each kind per region of `env` that has clients.
    #[must_use]
    pub fn new(env: &Environment, clients: &AwsClients) -> Self {
        let poll = env.spec.poll;
        let timeout = clients.call_timeout();
        let mut out = Self {
            route53: Vec::new(),
            cloudwatch: Vec::new(),
            s3: Vec::new(),
            secrets: Vec::new(),
            failover: Vec::new(),
        };
        for r in &env.regions {
            let Some(c) = clients.region(&r.name) else {
                continue;
            };
            out.route53.push(Route53Health::new(
                c.route53.clone(),
                &r.name,
                r.health_check_id.clone(),
                poll.health,
                timeout,
            ));
            out.cloudwatch.push(CloudWatchMetrics::new(
                c.cloudwatch.clone(),
                &r.name,
                r.metrics.clone(),
                poll.metrics,
                timeout,
            ));
            out.s3.push(S3Backups::new(
                c.s3.clone(),
                &r.name,
                r.backups.clone(),
                poll.backups,
                timeout,
            ));
            out.secrets.push(SecretsSource::new(
                c.secrets.clone(),
                &r.name,
                r.secrets.clone(),
                poll.backups,
                timeout,
            ));
            out.failover.push(FailoverState::new(
                c.route53.clone(),
                c.cloudwatch.clone(),
                r.clone(),
                poll.health,
                timeout,
            ));
        }
        out
    }

    /// Runs every source on its own poller task; they stop when `tx`'s
    /// receiver is dropped.
    ///
    /// # Errors
    /// Outside a tokio runtime.
    pub fn spawn(
        self,
        clock: &Arc<dyn Clock>,
        tx: &mpsc::Sender<PollReport>,
    ) -> Result<Vec<JoinHandle<()>>, AwsSetupError> {
        let handle = tokio::runtime::Handle::try_current().map_err(|_| AwsSetupError::NoRuntime)?;
        let mut tasks = Vec::new();
        let mut go = |t: JoinHandle<()>| tasks.push(t);
        for s in self.route53 {
            go(handle.spawn(poller::run(s, clock.clone(), tx.clone())));
        }
        for s in self.cloudwatch {
            go(handle.spawn(poller::run(s, clock.clone(), tx.clone())));
        }
        for s in self.s3 {
            go(handle.spawn(poller::run(s, clock.clone(), tx.clone())));
        }
        for s in self.secrets {
            go(handle.spawn(poller::run(s, clock.clone(), tx.clone())));
        }
        for s in self.failover {
            go(handle.spawn(poller::run(s, clock.clone(), tx.clone())));
        }
        Ok(tasks)
    }
}

/// Builds clients from the default credential chain and starts a poller
/// per source and region.
///
/// # Errors
/// See [`AwsClients::new`] and [`AwsSources::spawn`].
pub async fn spawn_aws_sources(
    env: &Environment,
    clock: Arc<dyn Clock>,
    tx: mpsc::Sender<PollReport>,
    counter: Option<CallCounter>,
) -> Result<Vec<JoinHandle<()>>, AwsSetupError> {
    let options = AwsOptions {
        counter,
        ..AwsOptions::default()
    };
    spawn_aws_sources_with(env, clock, tx, &options).await
}

/// [`spawn_aws_sources`] with explicit client options.
///
/// # Errors
/// See [`AwsClients::new`] and [`AwsSources::spawn`].
pub async fn spawn_aws_sources_with(
    env: &Environment,
    clock: Arc<dyn Clock>,
    tx: mpsc::Sender<PollReport>,
    options: &AwsOptions,
) -> Result<Vec<JoinHandle<()>>, AwsSetupError> {
    let clients = AwsClients::new(env, options).await?;
    AwsSources::new(env, &clients).spawn(&clock, &tx)
}

/// The poll timeout of a source making `calls` sequential calls: the
/// SDK's call timeout fires first, so a poll returns its own errors.
fn poll_timeout(call_timeout: Duration, calls: u32) -> Duration {
    call_timeout
        .saturating_mul(calls.max(1))
        .saturating_add(Duration::from_secs(1))
}
