//! Where a region stands in a failover, read live: the weight of its
//! weighted Route53 record (`ListResourceRecordSets`), whether the health
//! check behind it is inverted to force traffic away (`GetHealthCheck`),
//! and its database's role from a CloudWatch metric (1 primary, 0 replica).
//!
//! Each part is read on its own; a part that cannot be read is `None` with
//! the reason in `unread`, so a half-read region never looks fully read,
//! and only a region of which nothing could be read is an error.

use std::time::Duration;

use aws_sdk_route53::types::RrType;

use super::cloudwatch::latest_values;
use super::error::describe;
use crate::domain::environment::{MetricPurpose, RegionSources, TrafficRecord};
use crate::domain::observation::{DatabaseRole, Observation, RegionTopology};
use crate::domain::time::Timestamp;
use crate::sources::poller::TelemetrySource;

/// Pages of `ListResourceRecordSets` read per poll at most: the listing
/// starts at the record's own name and type, so the weighted set is on
/// the first page unless a zone holds hundreds of sets of that name.
pub const MAX_RECORD_PAGES: u32 = 3;

/// The failover state of one region.
#[derive(Debug)]
pub struct FailoverState {
    route53: aws_sdk_route53::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
    sources: RegionSources,
    interval: Duration,
    call_timeout: Duration,
}

/// The weighted record as Route53 lists it.
struct Weighted {
    weight: Option<u64>,
    health_check_id: Option<String>,
}

impl FailoverState {
    /// Reads `sources`' traffic record, health check and database-role
    /// metric every `interval`.
    #[must_use]
    pub fn new(
        route53: aws_sdk_route53::Client,
        cloudwatch: aws_sdk_cloudwatch::Client,
        sources: RegionSources,
        interval: Duration,
        call_timeout: Duration,
    ) -> Self {
        Self {
            route53,
            cloudwatch,
            sources,
            interval,
            call_timeout,
        }
    }

    /// The weighted record of `t`, paging from its name and type.
    async fn record(&self, t: &TrafficRecord) -> Result<Weighted, String> {
        let region = &self.sources.name;
        let (mut name, mut ty, mut id) = (
            t.record_name.clone(),
            RrType::from(t.record_type.as_str()),
            None::<String>,
        );
        for _ in 0..MAX_RECORD_PAGES {
            let out = self
                .route53
                .list_resource_record_sets()
                .hosted_zone_id(&t.hosted_zone_id)
                .start_record_name(&name)
                .start_record_type(ty.clone())
                .set_start_record_identifier(id.clone())
                .send()
                .await
                .map_err(|e| describe("Route53 ListResourceRecordSets", region, &e))?;
            let found = out.resource_record_sets().iter().find(|r| {
                same_name(r.name(), &t.record_name)
                    && r.r#type().as_str() == t.record_type
                    && r.set_identifier() == Some(t.set_identifier.as_str())
            });
            if let Some(r) = found {
                return Ok(Weighted {
                    weight: r.weight().and_then(|w| u64::try_from(w).ok()),
                    health_check_id: r.health_check_id().map(str::to_owned),
                });
            }
            // Past the record's name and type: it is not there.
            let past = out
                .resource_record_sets()
                .last()
                .is_some_and(|r| !same_name(r.name(), &t.record_name));
            match (out.is_truncated(), out.next_record_name(), past) {
                (true, Some(next), false) => {
                    next.clone_into(&mut name);
                    ty = out.next_record_type().cloned().unwrap_or(ty);
                    id = out.next_record_identifier().map(str::to_owned);
                }
                _ => break,
            }
        }
        Err(format!(
            "no weighted {} record {} with set identifier {} in zone {}",
            t.record_type, t.record_name, t.set_identifier, t.hosted_zone_id
        ))
    }

    /// Whether health check `id` is inverted.
    async fn inverted(&self, id: &str) -> Result<bool, String> {
        let out = self
            .route53
            .get_health_check()
            .health_check_id(id)
            .send()
            .await
            .map_err(|e| describe("Route53 GetHealthCheck", &self.sources.name, &e))?;
        Ok(out
            .health_check()
            .and_then(|h| h.health_check_config())
            .and_then(aws_sdk_route53::types::HealthCheckConfig::inverted)
            .unwrap_or(false))
    }

    /// The database's role from the `database_role` metric.
    async fn database(&self, now: Timestamp) -> Result<DatabaseRole, String> {
        let Some(m) = self.sources.metric(MetricPurpose::DatabaseRole) else {
            return Err("no database_role metric configured".to_owned());
        };
        let values = latest_values(
            &self.cloudwatch,
            &self.sources.name,
            std::slice::from_ref(m),
            now,
        )
        .await?;
        // Only the two values the metric is defined with count: anything
        // else is a misconfigured metric, never a guess at a role.
        match values.first().copied().flatten() {
            Some(v) if (v.value - 1.0).abs() < 1e-9 => Ok(DatabaseRole::Primary),
            Some(v) if v.value.abs() < 1e-9 => Ok(DatabaseRole::Replica),
            Some(v) => Err(format!(
                "{} {} reads {}, expected 1 (primary) or 0 (replica)",
                m.namespace, m.name, v.value
            )),
            None => Err(format!(
                "no datapoints for {} {} in the last 10 min",
                m.namespace, m.name
            )),
        }
    }

    /// Every part, each read or explained.
    async fn topology(&self, now: Timestamp) -> Result<RegionTopology, String> {
        let mut unread = Vec::new();
        let (record, database) = tokio::join!(
            async {
                match &self.sources.traffic {
                    Some(t) => self.record(t).await,
                    None => Err("no [region.traffic] record configured".to_owned()),
                }
            },
            self.database(now)
        );
        let record = record.map_err(|e| unread.push(e)).ok();
        // Whether the record itself was found, to tell "no weight on it"
        // from "no record".
        let found = record.is_some();
        let check = record
            .as_ref()
            .and_then(|r| r.health_check_id.clone())
            .or_else(|| self.sources.health_check_id.clone());
        let inverted = if let Some(id) = check {
            self.inverted(&id).await.map_err(|e| unread.push(e)).ok()
        } else {
            unread.push("no health check on the record or the region".to_owned());
            None
        };
        let database = database.map_err(|e| unread.push(e)).ok();
        let weight = record.and_then(|r| r.weight);
        if let (Some(t), true, None) = (&self.sources.traffic, found, weight) {
            unread.push(format!(
                "the {} record {} with set identifier {} has no weight (not a weighted record?)",
                t.record_type, t.record_name, t.set_identifier
            ));
        }
        if weight.is_none() && inverted.is_none() && database.is_none() {
            return Err(unread.join("; "));
        }
        Ok(RegionTopology {
            database,
            traffic_weight: weight,
            health_check_inverted: inverted,
            unread,
        })
    }
}

/// DNS names compared as Route53 lists them: case-insensitive, final dot
/// optional.
fn same_name(listed: &str, wanted: &str) -> bool {
    listed
        .strip_suffix('.')
        .unwrap_or(listed)
        .eq_ignore_ascii_case(wanted.strip_suffix('.').unwrap_or(wanted))
}

impl TelemetrySource for FailoverState {
    fn name(&self) -> String {
        format!("failover {}", self.sources.name)
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    fn timeout(&self) -> Duration {
        // Pages of records and a metric at once, then the health check.
        super::poll_timeout(self.call_timeout, MAX_RECORD_PAGES + 1)
    }

    async fn poll(&mut self, now: Timestamp) -> Vec<Observation> {
        vec![Observation::Topology {
            region: self.sources.name.clone(),
            result: self.topology(now).await,
        }]
    }

    fn timed_out(&self, after: Duration) -> Vec<Observation> {
        vec![Observation::Topology {
            region: self.sources.name.clone(),
            result: Err(format!(
                "failover state {}: no answer within {after:?}",
                self.sources.name
            )),
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::same_name;

    #[test]
    fn names_match_as_route53_lists_them() {
        assert!(same_name("rpc.example.com.", "rpc.example.com"));
        assert!(same_name("RPC.Example.com", "rpc.example.com."));
        assert!(!same_name("rpc.example.com.", "rpc.example.org"));
    }
}
