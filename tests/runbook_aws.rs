//! The runbook's AWS built-ins and webhook through the real SDK and HTTP
//! client, against moto and a local HTTP listener on 127.0.0.1; and the
//! live-mode RTO metric at the end of a run.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_route53::types::{
    Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType,
};
use drconsole::domain::runbook::protocol::{Mode, RunOutcome};
use drconsole::runtime::run::{RunDriver, ScriptedAnswers};
use drconsole::runtime::runner::{AwsActions, LiveRunner};
use drconsole::sources::clock::WallClock;
use support::moto::{Moto, clients, create_health_check, environment};
use support::plans::{plan, shell};

async fn actions(moto: &Moto) -> (AwsActions, drconsole::sources::aws::AwsClients) {
    let env = environment(moto);
    let c = clients(&env, None).await;
    (AwsActions::new(c.clone(), "us-east-1"), c)
}

#[tokio::test]
async fn put_metric_data_is_visible_to_list_metrics_and_statistics() {
    let moto = Moto::start();
    let (aws, c) = actions(&moto).await;
    let said = aws
        .put_metric(
            "VirtEngine/DR",
            "FailoverDurationSeconds",
            412.0,
            Some("eu-west-1"),
        )
        .await
        .unwrap();
    assert!(said.contains("eu-west-1"), "{said}");
    let cw = &c.region("eu-west-1").unwrap().cloudwatch;
    let listed = cw
        .list_metrics()
        .namespace("VirtEngine/DR")
        .send()
        .await
        .unwrap();
    assert!(
        listed
            .metrics()
            .iter()
            .any(|m| m.metric_name() == Some("FailoverDurationSeconds"))
    );
    let now = std::time::SystemTime::now();
    let stats = cw
        .get_metric_statistics()
        .namespace("VirtEngine/DR")
        .metric_name("FailoverDurationSeconds")
        .start_time((now - Duration::from_mins(10)).into())
        .end_time((now + Duration::from_mins(10)).into())
        .period(60)
        .statistics(aws_sdk_cloudwatch::types::Statistic::Maximum)
        .send()
        .await
        .unwrap();
    assert_eq!(
        stats
            .datapoints()
            .first()
            .and_then(aws_sdk_cloudwatch::types::Datapoint::maximum),
        Some(412.0)
    );
}

#[tokio::test]
async fn update_health_check_inverts_it() {
    let moto = Moto::start();
    let (aws, c) = actions(&moto).await;
    let r53 = &c.region("us-east-1").unwrap().route53;
    let id = create_health_check(c.region("us-east-1").unwrap(), None).await;
    aws.update_health_check(&id, None, Some(true))
        .await
        .unwrap();
    let hc = r53
        .get_health_check()
        .health_check_id(&id)
        .send()
        .await
        .unwrap();
    let config = hc.health_check().unwrap().health_check_config().unwrap();
    assert_eq!(config.inverted(), Some(true));
    assert!(
        aws.update_health_check("no-such-check", Some(true), None)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn record_weight_upserts_only_the_regions_weighted_record() {
    let moto = Moto::start();
    let (aws, c) = actions(&moto).await;
    let r53 = &c.region("us-east-1").unwrap().route53;
    let zone = r53
        .create_hosted_zone()
        .name("virtengine.io")
        .caller_reference("drconsole-test")
        .send()
        .await
        .unwrap();
    let zone_id = zone
        .hosted_zone()
        .unwrap()
        .id()
        .trim_start_matches("/hostedzone/")
        .to_owned();
    let mut batch = ChangeBatch::builder();
    for (region, ip) in [("us-east-1", "10.0.0.1"), ("eu-west-1", "10.0.1.1")] {
        batch = batch.changes(
            Change::builder()
                .action(ChangeAction::Create)
                .resource_record_set(
                    ResourceRecordSet::builder()
                        .name("api.virtengine.io")
                        .r#type(RrType::A)
                        .set_identifier(region)
                        .weight(100)
                        .ttl(60)
                        .resource_records(ResourceRecord::builder().value(ip).build().unwrap())
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        );
    }
    r53.change_resource_record_sets()
        .hosted_zone_id(&zone_id)
        .change_batch(batch.build().unwrap())
        .send()
        .await
        .unwrap();
    aws.set_record_weight(&zone_id, "api.virtengine.io", "us-east-1", 0)
        .await
        .unwrap();
    let listed = r53
        .list_resource_record_sets()
        .hosted_zone_id(&zone_id)
        .send()
        .await
        .unwrap();
    let weight = |region: &str| {
        listed
            .resource_record_sets()
            .iter()
            .find(|r| r.set_identifier() == Some(region))
            .and_then(aws_sdk_route53::types::ResourceRecordSet::weight)
    };
    assert_eq!(weight("us-east-1"), Some(0));
    assert_eq!(weight("eu-west-1"), Some(100));
    let missing = aws
        .set_record_weight(&zone_id, "api.virtengine.io", "ap-southeast-1", 0)
        .await
        .unwrap_err();
    assert!(missing.contains("no weighted record"), "{missing}");
}

#[tokio::test]
async fn a_recovered_live_run_publishes_failover_duration_seconds() {
    let moto = Moto::start();
    let (aws, c) = actions(&moto).await;
    let dir = tempfile::tempdir().unwrap();
    let runner = Arc::new(LiveRunner::shell_only().with_aws(aws));
    let p = plan(
        vec![shell("pre", "true")],
        vec![shell("step", "true")],
        vec![shell("post", "true")],
        vec![],
        &[],
    );
    let report = RunDriver::start(
        p,
        Mode::Live {
            environment: "moto".into(),
        },
        &dir.path().join("run.jsonl"),
        runner,
        Arc::new(ScriptedAnswers::approving()),
        Arc::new(WallClock),
    )
    .unwrap()
    .run()
    .await
    .unwrap();
    assert_eq!(report.outcome, RunOutcome::Recovered);
    assert!(report.met_rto());
    let published = report.published.unwrap().unwrap();
    assert!(
        published.contains("VirtEngine/DR/FailoverDurationSeconds"),
        "{published}"
    );
    let cw = &c.region("us-east-1").unwrap().cloudwatch;
    let listed = cw
        .list_metrics()
        .namespace("VirtEngine/DR")
        .metric_name("FailoverDurationSeconds")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.metrics().len(), 1);
}
