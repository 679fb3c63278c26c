//! Polls a telemetry source on its own interval, with a per-call timeout
//! and exponential backoff with jitter after failures, and hands each
//! [`PollReport`] to the runtime. The UI never waits on a source.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::sync::mpsc;

use super::clock::Clock;
use crate::domain::observation::{Observation, PollReport};
use crate::domain::time::Timestamp;

/// Something that can be asked for observations: a real adapter or the
/// simulator.
pub trait TelemetrySource: Send + 'static {
    /// Name shown in the sources panel.
    fn name(&self) -> String;
    /// How often to ask, in the clock's time.
    fn interval(&self) -> Duration;
    /// How long one poll may take before it counts as failed.
    fn timeout(&self) -> Duration {
        Duration::from_secs(5)
    }
    /// Asks once. Partial failures are observations with `Err` inside.
    fn poll(&mut self, now: Timestamp) -> impl Future<Output = Vec<Observation>> + Send;
    /// The observations to report when a poll times out: each thing this
    /// source covers, failed.
    fn timed_out(&self, after: Duration) -> Vec<Observation>;
}

/// Backoff after consecutive failed polls: interval × 2^n, capped, ±20 %.
#[must_use]
pub fn backoff(interval: Duration, failures: u32, cap: Duration, jitter: f64) -> Duration {
    if failures == 0 {
        return interval;
    }
    let base = interval
        .saturating_mul(1_u32 << failures.min(16))
        .min(cap.max(interval));
    base.mul_f64((1.0 + jitter.clamp(-0.2, 0.2)).max(0.0))
}

/// Runs `source` until the receiver is dropped.
pub async fn run<S: TelemetrySource>(
    mut source: S,
    clock: Arc<dyn Clock>,
    tx: mpsc::Sender<PollReport>,
) {
    let name = source.name();
    let mut failures = 0_u32;
    let seed = u64::try_from(clock.now().as_millis()).unwrap_or(0) ^ name.len() as u64;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    loop {
        let started = clock.now();
        let limit = source.timeout();
        let observations = match tokio::time::timeout(limit, source.poll(started)).await {
            Ok(obs) => obs,
            Err(_) => source.timed_out(limit),
        };
        let all_failed = !observations.is_empty() && observations.iter().all(is_failure);
        failures = if all_failed {
            failures.saturating_add(1)
        } else {
            0
        };
        let at = clock.now();
        let delay = backoff(
            source.interval(),
            failures,
            Duration::from_mins(2),
            rng.random_range(-0.2..0.2),
        );
        let report = PollReport {
            source: name.clone(),
            at,
            next_poll: at.plus(delay),
            observations,
        };
        if tx.send(report).await.is_err() {
            return;
        }
        tokio::time::sleep(clock.wall_for(delay)).await;
    }
}

fn is_failure(o: &Observation) -> bool {
    match o {
        Observation::Health { result, .. } => result.is_err(),
        Observation::ReplicationLag { result, .. } => result.is_err(),
        Observation::NewestBackup { result, .. } => result.is_err(),
        Observation::Node { result, .. } => result.is_err(),
        Observation::Secret { result, .. } => result.is_err(),
        Observation::Chain { result } => result.is_err(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let s = Duration::from_secs(1);
        assert_eq!(backoff(s, 0, s * 60, 0.0), s);
        assert_eq!(backoff(s, 1, s * 60, 0.0), s * 2);
        assert_eq!(backoff(s, 3, s * 60, 0.0), s * 8);
        assert_eq!(backoff(s, 30, s * 60, 0.0), s * 60);
        assert_eq!(backoff(s, 1, s * 60, 0.2), s.mul_f64(2.4));
    }
}
