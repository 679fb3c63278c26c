//! One way to load an SDK configuration for a region: its profile, the
//! emulator endpoint if any, the console's timeouts, no SDK retries, and
//! fixed credentials for tests. Every client the console builds comes
//! from here, the shared incident's too.

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{Credentials, Region};

use super::{AwsOptions, AwsSetupError, S3IncidentStore, Service};
use crate::domain::environment::{Environment, IncidentSettings};

/// The environment's emulator endpoint, if any, checked.
pub(super) fn endpoint(env: &Environment) -> Result<Option<&str>, AwsSetupError> {
    let endpoint = env.aws.endpoint_url.as_deref();
    match endpoint {
        Some(url) if !(url.starts_with("http://") || url.starts_with("https://")) => {
            Err(AwsSetupError::BadEndpoint(url.to_owned()))
        }
        _ => Ok(endpoint),
    }
}

/// The SDK configuration of one region.
pub(super) async fn load(
    region: &str,
    profile: Option<&str>,
    endpoint: Option<&str>,
    options: &AwsOptions,
) -> aws_config::SdkConfig {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(options.call_timeout)
        .operation_attempt_timeout(options.call_timeout)
        .operation_timeout(options.call_timeout)
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .timeout_config(timeouts)
        .retry_config(RetryConfig::disabled());
    if let Some(profile) = profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = endpoint {
        loader = loader.endpoint_url(url);
    }
    if let Some(c) = &options.credentials {
        loader = loader.credentials_provider(Credentials::new(
            c.access_key_id.clone(),
            c.secret_access_key.clone(),
            None,
            None,
            "drconsole-static",
        ));
    }
    loader.load().await
}

/// What a console needs to take part in a shared incident: the store in
/// the incident bucket, and STS to learn whose credentials it runs with.
#[derive(Debug, Clone)]
pub struct IncidentClients {
    /// The incident bucket.
    pub store: S3IncidentStore,
    /// STS, in the bucket's region.
    pub sts: aws_sdk_sts::Client,
    /// The bucket's region, for messages.
    pub region: String,
}

/// The clients of `settings`' bucket, with `env`'s endpoint (emulators).
///
/// # Errors
/// A malformed endpoint URL.
pub async fn incident_clients(
    env: &Environment,
    settings: &IncidentSettings,
    options: &AwsOptions,
) -> Result<IncidentClients, AwsSetupError> {
    let endpoint = endpoint(env)?;
    let sdk = load(
        &settings.region,
        settings.profile.as_deref(),
        endpoint,
        options,
    )
    .await;
    let mut s3 = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(endpoint.is_some());
    if let Some(i) = options.counter.as_ref().map(|c| c.interceptor(Service::S3)) {
        s3 = s3.interceptor(i);
    }
    Ok(IncidentClients {
        store: S3IncidentStore::new(
            aws_sdk_s3::Client::from_conf(s3.build()),
            &settings.bucket,
            &settings.region,
            settings.layout.clone(),
        ),
        sts: aws_sdk_sts::Client::new(&sdk),
        region: settings.region.clone(),
    })
}
