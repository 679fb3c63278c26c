//! A region's CloudWatch metrics, all in ONE `GetMetricData` call per poll:
//! one query per configured metric (Maximum over 60 s periods in the last
//! 10 minutes), of which the most recent datapoint counts. One call keeps
//! the console within CloudWatch's request quotas however many metrics a
//! region lists (a call takes up to 500 queries).

use std::time::Duration;

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};

use super::error::describe;
use crate::domain::environment::{MetricPurpose, MetricSpec};
use crate::domain::observation::Observation;
use crate::domain::time::Timestamp;
use crate::sources::poller::TelemetrySource;

/// How far back a datapoint may lie and still count.
const WINDOW: Duration = Duration::from_mins(10);
/// Period of each datapoint, in seconds.
const PERIOD_SECS: i32 = 60;

/// The latest reading of one metric: its time and value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricValue {
    /// Start of the period the value summarises.
    pub at: Timestamp,
    /// The period's maximum.
    pub value: f64,
}

/// The metrics of one region.
#[derive(Debug)]
pub struct CloudWatchMetrics {
    client: aws_sdk_cloudwatch::Client,
    region: String,
    metrics: Vec<MetricSpec>,
    latest: Vec<Option<MetricValue>>,
    interval: Duration,
    call_timeout: Duration,
}

impl CloudWatchMetrics {
    /// Reads `metrics` in `region` every `interval`.
    #[must_use]
    pub fn new(
        client: aws_sdk_cloudwatch::Client,
        region: &str,
        metrics: Vec<MetricSpec>,
        interval: Duration,
        call_timeout: Duration,
    ) -> Self {
        // The database's role is the failover state's to read.
        let metrics: Vec<MetricSpec> = metrics
            .into_iter()
            .filter(|m| m.purpose != MetricPurpose::DatabaseRole)
            .collect();
        let latest = vec![None; metrics.len()];
        Self {
            client,
            region: region.to_owned(),
            metrics,
            latest,
            interval,
            call_timeout,
        }
    }

    /// Each configured metric with its latest value from the last poll
    /// (`None`: no datapoint in the window). Only replication lag becomes
    /// an observation; the rest is kept here and logged at debug level.
    #[must_use]
    pub fn latest(&self) -> Vec<(&MetricSpec, Option<MetricValue>)> {
        self.metrics
            .iter()
            .zip(self.latest.iter().copied())
            .collect()
    }

    /// One `GetMetricData` for every metric; fills `self.latest`.
    async fn fetch(&mut self, now: Timestamp) -> Result<(), String> {
        self.latest = latest_values(&self.client, &self.region, &self.metrics, now).await?;
        for (m, v) in self.metrics.iter().zip(&self.latest) {
            if m.purpose != MetricPurpose::ReplicationLag {
                log::debug!(
                    "cloudwatch {}: {}/{} = {v:?}",
                    self.region,
                    m.namespace,
                    m.name
                );
            }
        }
        Ok(())
    }

    fn lag_observation(&self, fetched: &Result<(), String>) -> Option<Observation> {
        let i = self
            .metrics
            .iter()
            .position(|m| m.purpose == MetricPurpose::ReplicationLag)?;
        let m = &self.metrics[i];
        let result = match (fetched, self.latest[i]) {
            (Err(e), _) => Err(e.clone()),
            (Ok(()), Some(v)) => Ok(crate::domain::duration::from_secs_f64(v.value)),
            (Ok(()), None) => Err(format!(
                "no datapoints for {} {} in the last 10 min",
                m.namespace, m.name
            )),
        };
        Some(Observation::ReplicationLag {
            region: self.region.clone(),
            result,
        })
    }
}

/// The query for metric `m`, with id `m{i}` so answers map back.
fn query(i: usize, m: &MetricSpec) -> MetricDataQuery {
    let mut metric = Metric::builder()
        .namespace(&m.namespace)
        .metric_name(&m.name);
    for (name, value) in &m.dimensions {
        metric = metric.dimensions(Dimension::builder().name(name).value(value).build());
    }
    MetricDataQuery::builder()
        .id(format!("m{i}"))
        .metric_stat(
            MetricStat::builder()
                .metric(metric.build())
                .period(PERIOD_SECS)
                .stat("Maximum")
                .build(),
        )
        .return_data(true)
        .build()
}

/// The newest datapoint of each of `metrics` in `region` within the last
/// 10 minutes, in one `GetMetricData` call (`None`: no datapoint). Shared
/// by the metrics source and the failover state, which reads the
/// database's role.
///
/// # Errors
/// The call failed; the text names the operation and the region.
pub async fn latest_values(
    client: &aws_sdk_cloudwatch::Client,
    region: &str,
    metrics: &[MetricSpec],
    now: Timestamp,
) -> Result<Vec<Option<MetricValue>>, String> {
    let queries = metrics
        .iter()
        .enumerate()
        .map(|(i, m)| query(i, m))
        .collect();
    // The end lies a minute ahead so that a datapoint stamped this very
    // second (end times are exclusive) is not missed.
    let out = client
        .get_metric_data()
        .set_metric_data_queries(Some(queries))
        .start_time(DateTime::from_millis(now.minus(WINDOW).as_millis()))
        .end_time(DateTime::from_millis(
            now.plus(Duration::from_mins(1)).as_millis(),
        ))
        .scan_by(ScanBy::TimestampDescending)
        .send()
        .await
        .map_err(|e| describe("CloudWatch GetMetricData", region, &e))?;
    let mut latest = vec![None; metrics.len()];
    for result in out.metric_data_results() {
        let Some(i) = result
            .id()
            .and_then(|id| id.strip_prefix('m'))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|i| *i < metrics.len())
        else {
            continue;
        };
        // The newest datapoint, whatever order the service used.
        latest[i] = result
            .timestamps()
            .iter()
            .zip(result.values())
            .filter_map(|(t, v)| t.to_millis().ok().map(|ms| (ms, *v)))
            .max_by_key(|(ms, _)| *ms)
            .map(|(ms, value)| MetricValue {
                at: Timestamp::from_millis(ms),
                value,
            });
    }
    Ok(latest)
}

impl TelemetrySource for CloudWatchMetrics {
    fn name(&self) -> String {
        format!("cloudwatch {}", self.region)
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    fn timeout(&self) -> Duration {
        super::poll_timeout(self.call_timeout, 1)
    }

    async fn poll(&mut self, now: Timestamp) -> Vec<Observation> {
        if self.metrics.is_empty() {
            return Vec::new();
        }
        let fetched = self.fetch(now).await;
        if let Err(e) = &fetched {
            self.latest = vec![None; self.metrics.len()];
            log::debug!("{e}");
        }
        self.lag_observation(&fetched).into_iter().collect()
    }

    fn timed_out(&self, after: Duration) -> Vec<Observation> {
        let fetched = Err(format!(
            "CloudWatch GetMetricData {}: no answer within {after:?}",
            self.region
        ));
        self.lag_observation(&fetched).into_iter().collect()
    }
}
