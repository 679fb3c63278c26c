//! Starts every real source an environment file names, each on its own
//! poller task: a CometBFT source per region and a Route53, CloudWatch, S3
//! and Secrets Manager source per region. Regions and services are polled
//! concurrently, so a refresh takes as long as the slowest call, not the sum.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::aws::{AwsClients, AwsOptions, AwsSetupError, AwsSources};
use super::clock::Clock;
use super::cometbft::CometSource;
use super::poller::{self, TelemetrySource};
use crate::domain::environment::Environment;
use crate::domain::observation::PollReport;

/// The running sources: their names (as their reports carry them) and
/// their tasks, which stop when this is dropped.
pub struct LiveSources {
    /// One name per source.
    pub names: Vec<String>,
    handles: Vec<JoinHandle<()>>,
}

impl Drop for LiveSources {
    fn drop(&mut self) {
        for h in &self.handles {
            h.abort();
        }
    }
}

/// Spawns every source of `env`; reports arrive on `tx`.
///
/// # Errors
/// When the AWS clients cannot be built (bad endpoint URL, no regions).
pub async fn spawn(
    env: &Environment,
    clock: &Arc<dyn Clock>,
    tx: &mpsc::Sender<PollReport>,
    aws: &AwsOptions,
) -> Result<LiveSources, AwsSetupError> {
    let mut names = Vec::new();
    let mut handles = Vec::new();
    for region in env.regions.iter().filter(|r| !r.rpc.is_empty()) {
        let source = CometSource::new(region.name.clone(), region.rpc.clone())
            .with_interval(env.spec.poll.chain)
            .with_chain_id(env.spec.chain_id.clone());
        names.push(source.name());
        handles.push(tokio::spawn(poller::run(
            source,
            Arc::clone(clock),
            tx.clone(),
        )));
    }
    let clients = AwsClients::new(env, aws).await?;
    let sources = AwsSources::new(env, &clients);
    names.extend(sources.route53.iter().map(TelemetrySource::name));
    names.extend(sources.cloudwatch.iter().map(TelemetrySource::name));
    names.extend(sources.s3.iter().map(TelemetrySource::name));
    names.extend(sources.secrets.iter().map(TelemetrySource::name));
    names.extend(sources.failover.iter().map(TelemetrySource::name));
    handles.extend(sources.spawn(clock, tx)?);
    Ok(LiveSources { names, handles })
}
