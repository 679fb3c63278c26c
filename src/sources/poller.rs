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
    crate::domain::duration::from_secs_f64(base.as_secs_f64() * (1.0 + jitter.clamp(-0.2, 0.2)))
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
        Observation::Topology { result, .. } => result.is_err(),
        Observation::Chain { result } => result.is_err(),
        Observation::KeyRotated(_) => false,
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

#[cfg(test)]
mod run_tests {
    use super::*;
    use crate::sources::clock::WallClock;

    /// A source that fails its first `failures` polls, then succeeds.
    struct Flaky {
        failures: u32,
        polls: u32,
    }

    impl TelemetrySource for Flaky {
        fn name(&self) -> String {
            "flaky".to_owned()
        }
        fn interval(&self) -> Duration {
            Duration::from_secs(10)
        }
        async fn poll(&mut self, _now: Timestamp) -> Vec<Observation> {
            self.polls += 1;
            let result = if self.polls <= self.failures {
                Err("connection refused".to_owned())
            } else {
                Ok(Duration::from_secs(1))
            };
            vec![Observation::ReplicationLag {
                region: "eu-west-1".into(),
                result,
            }]
        }
        fn timed_out(&self, _after: Duration) -> Vec<Observation> {
            Vec::new()
        }
    }

    /// A source that never answers.
    struct Hung;

    impl TelemetrySource for Hung {
        fn name(&self) -> String {
            "hung".to_owned()
        }
        fn interval(&self) -> Duration {
            Duration::from_secs(10)
        }
        fn timeout(&self) -> Duration {
            Duration::from_secs(2)
        }
        async fn poll(&mut self, _now: Timestamp) -> Vec<Observation> {
            std::future::pending().await
        }
        fn timed_out(&self, after: Duration) -> Vec<Observation> {
            vec![Observation::Chain {
                result: Err(format!("timed out after {after:?}")),
            }]
        }
    }

    fn gap(r: &PollReport) -> Duration {
        r.next_poll.since(r.at)
    }

    #[tokio::test(start_paused = true)]
    async fn failures_back_off_and_success_restores_the_interval() {
        let (tx, mut rx) = mpsc::channel(8);
        tokio::spawn(run(
            Flaky {
                failures: 3,
                polls: 0,
            },
            Arc::new(WallClock),
            tx,
        ));
        let mut gaps = Vec::new();
        for _ in 0..5 {
            gaps.push(gap(&rx.recv().await.expect("report")));
        }
        let secs: Vec<f64> = gaps.iter().map(Duration::as_secs_f64).collect();
        // 10 s doubled per consecutive failure, ±20 % jitter.
        assert!((16.0..=24.0).contains(&secs[0]), "{secs:?}");
        assert!((32.0..=48.0).contains(&secs[1]), "{secs:?}");
        assert!((64.0..=96.0).contains(&secs[2]), "{secs:?}");
        assert!(
            (8.0..=12.0).contains(&secs[3]),
            "back to the interval after a success: {secs:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_hung_source_reports_a_timeout_instead_of_going_quiet() {
        let (tx, mut rx) = mpsc::channel(8);
        tokio::spawn(run(Hung, Arc::new(WallClock), tx));
        let report = rx.recv().await.expect("report");
        assert!(
            matches!(&report.observations[0], Observation::Chain { result: Err(e) } if e.contains("timed out"))
        );
    }
}
