//! A region's Route53 health check: `GetHealthCheckStatus`, one call per poll.

use std::time::Duration;

use super::error::describe;
use crate::domain::observation::{HealthStatus, Observation};
use crate::domain::time::Timestamp;
use crate::sources::poller::TelemetrySource;

/// Route53's own rule: an endpoint is healthy when more than 18 % of its
/// health checkers report it healthy (AWS Route53 developer guide, "How
/// Amazon Route 53 determines whether a health check is healthy"). No
/// report at all is not healthy.
#[must_use]
pub fn route53_healthy(checkers_ok: u32, checkers_total: u32) -> bool {
    u64::from(checkers_ok) * 100 > u64::from(checkers_total) * 18
}

/// Route53 health of one region.
#[derive(Debug)]
pub struct Route53Health {
    client: aws_sdk_route53::Client,
    region: String,
    health_check_id: Option<String>,
    interval: Duration,
    call_timeout: Duration,
}

impl Route53Health {
    /// Polls `health_check_id` (if any) for `region` every `interval`.
    #[must_use]
    pub fn new(
        client: aws_sdk_route53::Client,
        region: &str,
        health_check_id: Option<String>,
        interval: Duration,
        call_timeout: Duration,
    ) -> Self {
        Self {
            client,
            region: region.to_owned(),
            health_check_id,
            interval,
            call_timeout,
        }
    }

    async fn status(&self) -> Result<HealthStatus, String> {
        let Some(id) = &self.health_check_id else {
            return Err("no health-check id configured".to_owned());
        };
        let out = self
            .client
            .get_health_check_status()
            .health_check_id(id)
            .send()
            .await
            .map_err(|e| describe("Route53 GetHealthCheckStatus", &self.region, &e))?;
        let reports: Vec<&str> = out
            .health_check_observations()
            .iter()
            .filter_map(|o| o.status_report().and_then(|r| r.status()))
            .collect();
        let total = u32::try_from(reports.len()).unwrap_or(u32::MAX);
        if total == 0 {
            return Err(format!(
                "Route53 GetHealthCheckStatus {}: no checker reports for health check {id}",
                self.region
            ));
        }
        let ok = reports.iter().filter(|s| s.starts_with("Success")).count();
        let ok = u32::try_from(ok).unwrap_or(u32::MAX);
        Ok(HealthStatus {
            healthy: route53_healthy(ok, total),
            checkers_ok: ok,
            checkers_total: total,
        })
    }
}

impl TelemetrySource for Route53Health {
    fn name(&self) -> String {
        format!("route53 {}", self.region)
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    fn timeout(&self) -> Duration {
        super::poll_timeout(self.call_timeout, 1)
    }

    async fn poll(&mut self, _now: Timestamp) -> Vec<Observation> {
        vec![Observation::Health {
            region: self.region.clone(),
            result: self.status().await,
        }]
    }

    fn timed_out(&self, after: Duration) -> Vec<Observation> {
        vec![Observation::Health {
            region: self.region.clone(),
            result: Err(format!(
                "Route53 GetHealthCheckStatus {}: no answer within {after:?}",
                self.region
            )),
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::route53_healthy;

    #[test]
    fn more_than_18_percent_is_healthy() {
        assert!(!route53_healthy(0, 8));
        assert!(!route53_healthy(1, 8)); // 12.5 %
        assert!(route53_healthy(2, 8)); // 25 %
        assert!(!route53_healthy(9, 50)); // exactly 18 %
        assert!(route53_healthy(10, 50));
        assert!(route53_healthy(1, 1));
        assert!(!route53_healthy(0, 0));
    }
}
