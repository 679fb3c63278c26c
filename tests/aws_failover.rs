//! The live failover state against a real moto server, through the real
//! AWS SDK: weighted Route53 records, inverted health checks and a
//! CloudWatch database-role metric become each region's `topology`, and
//! a part that cannot be read is said to be unread, never guessed.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use aws_sdk_route53::types::{
    Change, ChangeAction, ChangeBatch, HealthCheckConfig, HealthCheckType, ResourceRecord,
    ResourceRecordSet, RrType,
};
use drconsole::domain::environment::{
    Environment, MetricPurpose, MetricSpec, RegionSources, TrafficRecord,
};
use drconsole::domain::observation::{DatabaseRole, Observation, RegionTopology};
use drconsole::domain::status;
use drconsole::domain::time::Timestamp;
use drconsole::sources::aws::{AwsClients, AwsSources, RegionClients};
use drconsole::sources::clock::{Clock, WallClock};
use drconsole::sources::poller::TelemetrySource;
use support::moto::{self, Moto};

const RECORD: &str = "rpc.virtengine.example.com";

fn now() -> Timestamp {
    WallClock.now()
}

async fn zone(c: &RegionClients) -> String {
    let out = c
        .route53
        .create_hosted_zone()
        .name("virtengine.example.com")
        .caller_reference(format!("zone-{}", now().as_millis()))
        .send()
        .await
        .expect("create zone");
    let id = out.hosted_zone().expect("zone").id().to_owned();
    id.trim_start_matches("/hostedzone/").to_owned()
}

async fn check(c: &RegionClients, region: &str, inverted: bool) -> String {
    let out = c
        .route53
        .create_health_check()
        .caller_reference(format!("hc-{region}-{}", now().as_millis()))
        .health_check_config(
            HealthCheckConfig::builder()
                .r#type(HealthCheckType::Https)
                .fully_qualified_domain_name(format!("rpc.{region}.example.com"))
                .port(443)
                .resource_path("/health")
                .inverted(inverted)
                .build()
                .expect("config"),
        )
        .send()
        .await
        .expect("create health check");
    out.health_check().expect("check").id().to_owned()
}

/// Upserts `region`'s weighted A record with `weight` (none: a record
/// that is not weighted) and `check`.
async fn weighted(c: &RegionClients, zone: &str, region: &str, weight: Option<i64>, check: &str) {
    let set = ResourceRecordSet::builder()
        .name(format!("{RECORD}."))
        .r#type(RrType::A)
        .set_identifier(region)
        .set_weight(weight)
        .ttl(60)
        .health_check_id(check)
        .resource_records(
            ResourceRecord::builder()
                .value("192.0.2.10")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    c.route53
        .change_resource_record_sets()
        .hosted_zone_id(zone)
        .change_batch(
            ChangeBatch::builder()
                .changes(
                    Change::builder()
                        .action(ChangeAction::Upsert)
                        .resource_record_set(set)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("change record sets");
}

async fn put_role(c: &RegionClients, region: &str, value: f64) {
    c.cloudwatch
        .put_metric_data()
        .namespace("VirtEngine/DR")
        .metric_data(
            MetricDatum::builder()
                .metric_name("DatabaseIsPrimary")
                .dimensions(Dimension::builder().name("Region").value(region).build())
                .value(value)
                .build(),
        )
        .send()
        .await
        .expect("put metric data");
}

fn role_metric(region: &str) -> MetricSpec {
    MetricSpec {
        namespace: "VirtEngine/DR".into(),
        name: "DatabaseIsPrimary".into(),
        dimensions: vec![("Region".into(), region.into())],
        purpose: MetricPurpose::DatabaseRole,
    }
}

fn configure(r: &mut RegionSources, zone: &str) {
    r.traffic = Some(TrafficRecord {
        hosted_zone_id: zone.into(),
        record_name: RECORD.into(),
        record_type: "A".into(),
        set_identifier: r.name.clone(),
    });
    r.metrics.push(role_metric(&r.name));
}

/// After a failover to eu-west-1: us-east-1's check inverted and weight
/// 0, eu-west-1 weight 100 and primary.
async fn failed_over() -> (Moto, Environment, AwsClients) {
    let moto = Moto::start();
    let mut env = moto::environment(&moto);
    let clients = moto::clients(&env, None).await;
    let c = clients.region("us-east-1").unwrap();
    let zone = zone(c).await;
    for (r, weight, inverted, primary) in [
        ("us-east-1", 0, true, 0.0),
        ("eu-west-1", 100, false, 1.0),
        ("ap-southeast-1", 0, false, 0.0),
    ] {
        let rc = clients.region(r).unwrap();
        let id = check(rc, r, inverted).await;
        weighted(rc, &zone, r, Some(weight), &id).await;
        put_role(rc, r, primary).await;
    }
    for r in &mut env.regions {
        configure(r, &zone);
    }
    (moto, env, clients)
}

async fn topologies(
    env: &Environment,
    clients: &AwsClients,
) -> Vec<Result<RegionTopology, String>> {
    let mut sources = AwsSources::new(env, clients);
    let mut out = Vec::new();
    for s in &mut sources.failover {
        for o in s.poll(now()).await {
            match o {
                Observation::Topology { result, .. } => out.push(result),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    out
}

/// The console's picture after one failover poll of every region.
fn view_of(
    env: &Environment,
    t: Vec<Result<RegionTopology, String>>,
) -> (drconsole::domain::fleet::EstateView, Timestamp) {
    let mut view = drconsole::domain::fleet::EstateView::new(env.spec.clone());
    let at = now();
    view.apply(&drconsole::domain::observation::PollReport {
        source: "failover".into(),
        at,
        next_poll: at,
        observations: env
            .regions
            .iter()
            .zip(t)
            .map(|(r, result)| Observation::Topology {
                region: r.name.clone(),
                result,
            })
            .collect(),
    });
    (view, at)
}

#[tokio::test]
async fn a_failover_reads_as_weights_an_inverted_check_and_the_new_primary() {
    let (_moto, env, clients) = failed_over().await;
    let t = topologies(&env, &clients).await;
    let got: Vec<_> = t
        .iter()
        .map(|r| {
            let r = r.as_ref().unwrap();
            assert!(r.unread.is_empty(), "{r:?}");
            (r.database, r.traffic_weight, r.health_check_inverted)
        })
        .collect();
    assert_eq!(
        got,
        [
            (Some(DatabaseRole::Replica), Some(0), Some(true)),
            (Some(DatabaseRole::Primary), Some(100), Some(false)),
            (Some(DatabaseRole::Replica), Some(0), Some(false)),
        ]
    );
}

#[tokio::test]
async fn a_missing_record_or_metric_is_unread_not_guessed() {
    let (_moto, mut env, clients) = failed_over().await;
    // eu-west-1 names a set identifier the zone does not have, and no
    // database metric; its region health check still says "not inverted".
    let c = clients.region("eu-west-1").unwrap();
    env.regions[1].health_check_id = Some(check(c, "eu-west-1", false).await);
    if let Some(t) = env.regions[1].traffic.as_mut() {
        t.set_identifier = "eu-west-1-blue".into();
    }
    env.regions[1]
        .metrics
        .retain(|m| m.purpose != MetricPurpose::DatabaseRole);
    // ap-southeast-1 has nothing readable at all: a zone that does not exist.
    env.regions[2].traffic.as_mut().unwrap().hosted_zone_id = "ZNOSUCHZONE".into();
    env.regions[2]
        .metrics
        .retain(|m| m.purpose != MetricPurpose::DatabaseRole);
    let t = topologies(&env, &clients).await;
    let eu = t[1].as_ref().unwrap();
    assert_eq!(
        (eu.database, eu.traffic_weight, eu.health_check_inverted),
        (None, None, Some(false))
    );
    assert_eq!(
        eu.unread,
        [
            format!(
                "no weighted A record {RECORD} with set identifier eu-west-1-blue in zone {}",
                env.regions[1].traffic.as_ref().unwrap().hosted_zone_id
            ),
            "no database_role metric configured".to_owned(),
        ]
    );
    let ap = t[2].as_ref().unwrap_err();
    assert!(ap.contains("Route53 ListResourceRecordSets"), "{ap}");
    assert!(ap.contains("no database_role metric configured"), "{ap}");

    // status --json carries the reason beside the unknown parts.
    let (view, at) = view_of(&env, t);
    let report = status::report(&view, at);
    let eu = &report.topology[1];
    assert_eq!((eu.database, eu.traffic_weight), ("unknown", None));
    assert!(
        eu.error.as_deref().unwrap().contains("eu-west-1-blue"),
        "{eu:?}"
    );
    assert!(
        report.topology[2]
            .error
            .as_deref()
            .unwrap()
            .contains("ListResourceRecordSets")
    );
    assert_eq!(report.topology[0].error, None);
}

#[tokio::test]
async fn two_primaries_read_live_are_a_database_split() {
    let (_moto, env, clients) = failed_over().await;
    // The old primary never stood down.
    put_role(clients.region("us-east-1").unwrap(), "us-east-1", 1.0).await;
    let t = topologies(&env, &clients).await;
    let (view, at) = view_of(&env, t);
    let b = drconsole::domain::breach::breaches(&view, at);
    let split: Vec<_> = b
        .iter()
        .filter(|b| b.kind == drconsole::domain::breach::BreachKind::DatabaseSplit)
        .collect();
    assert_eq!(split.len(), 1, "{b:?}");
    assert_eq!(
        split[0].detail,
        "us-east-1 and eu-west-1 each report their database as the primary"
    );
}

#[tokio::test]
async fn a_record_without_a_weight_says_so() {
    let (_moto, env, clients) = failed_over().await;
    let c = clients.region("eu-west-1").unwrap();
    let zone = env.regions[1]
        .traffic
        .as_ref()
        .unwrap()
        .hosted_zone_id
        .clone();
    let id = check(c, "eu-west-1", false).await;
    weighted(c, &zone, "eu-west-1", None, &id).await;
    let t = topologies(&env, &clients).await;
    let eu = t[1].as_ref().unwrap();
    assert_eq!(eu.traffic_weight, None);
    assert_eq!(
        eu.unread,
        [format!(
            "the A record {RECORD} with set identifier eu-west-1 has no weight (not a weighted record?)"
        )]
    );
}

#[tokio::test]
async fn a_role_metric_that_is_neither_0_nor_1_is_not_a_role() {
    let (_moto, env, clients) = failed_over().await;
    put_role(
        clients.region("ap-southeast-1").unwrap(),
        "ap-southeast-1",
        12.5,
    )
    .await;
    let t = topologies(&env, &clients).await;
    let ap = t[2].as_ref().unwrap();
    assert_eq!(ap.database, None, "{ap:?}");
    assert_eq!(
        ap.unread,
        ["VirtEngine/DR DatabaseIsPrimary reads 12.5, expected 1 (primary) or 0 (replica)"]
    );
}
