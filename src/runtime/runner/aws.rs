//! The AWS built-ins, through the real SDK: CloudWatch `PutMetricData`,
//! Route53 `UpdateHealthCheck` and `ChangeResourceRecordSets`.

use aws_sdk_cloudwatch::types::{MetricDatum, StandardUnit};
use aws_sdk_route53::types::{Change, ChangeAction, ChangeBatch, ResourceRecordSet};

use crate::sources::aws::{AwsClients, RegionClients};

/// The AWS calls a runbook may make, with the clients to make them.
#[derive(Debug, Clone)]
pub struct AwsActions {
    clients: AwsClients,
    default_region: String,
}

impl AwsActions {
    /// Calls go through `clients`; a metric with no region is published in
    /// `default_region` (the environment's primary), and Route53 (global)
    /// is reached through its clients too.
    #[must_use]
    pub fn new(clients: AwsClients, default_region: &str) -> Self {
        AwsActions {
            clients,
            default_region: default_region.to_owned(),
        }
    }

    fn region(&self, name: Option<&str>) -> Result<&RegionClients, String> {
        let name = name.unwrap_or(&self.default_region);
        self.clients
            .region(name)
            .or_else(|| self.clients.region(&self.default_region))
            .ok_or_else(|| format!("no AWS clients for region {name}"))
    }

    /// `PutMetricData` of one value (unit seconds when the name says so).
    ///
    /// # Errors
    /// The SDK's error, with its service message.
    pub async fn put_metric(
        &self,
        namespace: &str,
        metric: &str,
        value: f64,
        region: Option<&str>,
    ) -> Result<String, String> {
        let c = self.region(region)?;
        let mut datum = MetricDatum::builder().metric_name(metric).value(value);
        if metric.ends_with("Seconds") {
            datum = datum.unit(StandardUnit::Seconds);
        }
        c.cloudwatch
            .put_metric_data()
            .namespace(namespace)
            .metric_data(datum.build())
            .send()
            .await
            .map_err(|e| format!("PutMetricData: {}", sdk_message(&e)))?;
        Ok(format!(
            "published {namespace}/{metric} = {value} in {}",
            c.region
        ))
    }

    /// `UpdateHealthCheck` of `Disabled` and/or `Inverted`.
    ///
    /// # Errors
    /// The SDK's error.
    pub async fn update_health_check(
        &self,
        id: &str,
        disabled: Option<bool>,
        inverted: Option<bool>,
    ) -> Result<String, String> {
        let c = self.region(None)?;
        c.route53
            .update_health_check()
            .health_check_id(id)
            .set_disabled(disabled)
            .set_inverted(inverted)
            .send()
            .await
            .map_err(|e| format!("UpdateHealthCheck: {}", sdk_message(&e)))?;
        Ok(format!("health check {id} updated"))
    }

    /// Sets the weight of the weighted record `record` whose set identifier
    /// is `region`: reads the record, then UPSERTs it with the new weight.
    ///
    /// # Errors
    /// The SDK's error, or no such weighted record.
    pub async fn set_record_weight(
        &self,
        zone_id: &str,
        record: &str,
        region: &str,
        weight: i64,
    ) -> Result<String, String> {
        let c = self.region(None)?;
        let want = record.trim_end_matches('.');
        let listed = c
            .route53
            .list_resource_record_sets()
            .hosted_zone_id(zone_id)
            .start_record_name(record)
            .send()
            .await
            .map_err(|e| format!("ListResourceRecordSets: {}", sdk_message(&e)))?;
        let existing = listed
            .resource_record_sets()
            .iter()
            .find(|r| r.name().trim_end_matches('.') == want && r.set_identifier() == Some(region))
            .ok_or_else(|| format!("no weighted record {record} for {region} in zone {zone_id}"))?;
        let updated = ResourceRecordSet::builder()
            .name(existing.name())
            .r#type(existing.r#type().clone())
            .set_identifier(region)
            .weight(weight)
            .set_ttl(existing.ttl())
            .set_resource_records(Some(existing.resource_records().to_vec()))
            .set_alias_target(existing.alias_target().cloned())
            .set_health_check_id(existing.health_check_id().map(str::to_owned))
            .build()
            .map_err(|e| e.to_string())?;
        let change = Change::builder()
            .action(ChangeAction::Upsert)
            .resource_record_set(updated)
            .build()
            .map_err(|e| e.to_string())?;
        let batch = ChangeBatch::builder()
            .comment("drconsole runbook")
            .changes(change)
            .build()
            .map_err(|e| e.to_string())?;
        c.route53
            .change_resource_record_sets()
            .hosted_zone_id(zone_id)
            .change_batch(batch)
            .send()
            .await
            .map_err(|e| format!("ChangeResourceRecordSets: {}", sdk_message(&e)))?;
        Ok(format!("weight of {record} ({region}) set to {weight}"))
    }
}

fn sdk_message<E, R>(e: &aws_smithy_runtime_api::client::result::SdkError<E, R>) -> String
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    use std::error::Error as _;
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
