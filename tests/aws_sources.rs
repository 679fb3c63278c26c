//! The AWS sources against a real moto server (tests/moto/server.py), via
//! the real AWS SDK: no mocks. Each test starts its own server on a free
//! port of 127.0.0.1, so tests never share state; run them with
//! tests/run.sh, which sets up the moto venv.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use drconsole::domain::assess::{self, Level};
use drconsole::domain::environment::Environment;
use drconsole::domain::estate::BackupKind;
use drconsole::domain::fleet::EstateView;
use drconsole::domain::observation::{HealthStatus, Observation, PollReport};
use drconsole::domain::time::Timestamp;
use drconsole::sources::aws::{
    AwsClients, AwsOptions, AwsSources, CallCounter, CallCounts, FULL_RELIST_EVERY,
    StaticCredentials, spawn_aws_sources_with,
};
use drconsole::sources::clock::{Clock, VirtualClock, WallClock};
use drconsole::sources::poller::TelemetrySource;
use futures_util::future::join_all;
use support::moto::{self, Moto};
use tokio::sync::mpsc;

fn now() -> Timestamp {
    WallClock.now()
}

/// One refresh: every source of every region polled once, concurrently.
async fn refresh(s: &mut AwsSources, at: Timestamp) -> Vec<Observation> {
    let (health, metrics, backups, secrets, failover) = tokio::join!(
        join_all(s.route53.iter_mut().map(|x| x.poll(at))),
        join_all(s.cloudwatch.iter_mut().map(|x| x.poll(at))),
        join_all(s.s3.iter_mut().map(|x| x.poll(at))),
        join_all(s.secrets.iter_mut().map(|x| x.poll(at))),
        join_all(s.failover.iter_mut().map(|x| x.poll(at))),
    );
    [health, metrics, backups, secrets, failover]
        .into_iter()
        .flatten()
        .flatten()
        .collect()
}

fn health<'a>(obs: &'a [Observation], region: &str) -> &'a Result<HealthStatus, String> {
    obs.iter()
        .find_map(|o| match o {
            Observation::Health { region: r, result } if r == region => Some(result),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no health observation for {region}"))
}

fn lag<'a>(obs: &'a [Observation], region: &str) -> &'a Result<Duration, String> {
    obs.iter()
        .find_map(|o| match o {
            Observation::ReplicationLag { region: r, result } if r == region => Some(result),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no lag observation for {region}"))
}

fn backup<'a>(
    obs: &'a [Observation],
    region: &str,
    kind: BackupKind,
) -> &'a Result<Option<Timestamp>, String> {
    obs.iter()
        .find_map(|o| match o {
            Observation::NewestBackup {
                region: r,
                kind: k,
                result,
            } if r == region && *k == kind => Some(result),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no {kind:?} backup observation for {region}"))
}

fn secret<'a>(
    obs: &'a [Observation],
    region: &str,
) -> &'a Result<Option<drconsole::domain::observation::SecretInfo>, String> {
    obs.iter()
        .find_map(|o| match o {
            Observation::Secret {
                region: r, result, ..
            } if r == region => Some(result),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no secret observation for {region}"))
}

fn view_of(env: &Environment, obs: Vec<Observation>, at: Timestamp) -> EstateView {
    let mut view = EstateView::new(env.spec.clone());
    view.apply(&PollReport {
        source: "test".into(),
        at,
        next_poll: at.plus(Duration::from_secs(1)),
        observations: obs,
    });
    view
}

/// moto, the fixture environment and clients, seeded healthy.
async fn healthy_estate(counter: Option<CallCounter>) -> (Moto, Environment, AwsClients) {
    let moto = Moto::start();
    let mut env = moto::environment(&moto);
    let clients = moto::clients(&env, counter).await;
    moto::seed_healthy(&mut env, &clients).await;
    (moto, env, clients)
}

#[tokio::test]
async fn a_healthy_estate_reads_healthy_everywhere() {
    let (moto, env, clients) = healthy_estate(None).await;
    let before = now();
    let mut sources = AwsSources::new(&env, &clients);
    let obs = refresh(&mut sources, now()).await;
    for r in &env.regions {
        let name = r.name.as_str();
        // moto's own answer for an untagged check: one checker, success.
        assert_eq!(
            health(&obs, name),
            &Ok(HealthStatus {
                healthy: true,
                checkers_ok: 1,
                checkers_total: 1
            }),
            "{name}"
        );
        assert_eq!(lag(&obs, name), &Ok(Duration::from_secs(12)), "{name}");
        for kind in [
            BackupKind::ChainState,
            BackupKind::Keys,
            BackupKind::Database,
        ] {
            let at = backup(&obs, name, kind).clone().unwrap().unwrap();
            // S3 LastModified has whole seconds.
            assert!(now().since(at) < Duration::from_mins(1), "{name} {kind:?}");
            assert!(at >= before.minus(Duration::from_mins(1)));
        }
        let info = secret(&obs, name).clone().unwrap().expect("secret exists");
        assert!(info.last_changed.is_some(), "{name}");
    }
    let at = now();
    let view = view_of(&env, obs, at);
    for region in &view.regions {
        let poll = env.spec.poll;
        assert_eq!(
            assess::region_health(region, at, poll.health).word,
            "HEALTHY"
        );
        assert_eq!(
            assess::replication(&region.lag, env.spec.targets.rpo, at, poll.metrics).word,
            "OK"
        );
        for ((_, newest), policy) in region.backups.iter().zip(&env.spec.backups) {
            assert_eq!(assess::backup(newest, policy, at, poll.backups).word, "OK");
        }
    }
    drop(moto);
}

#[tokio::test]
async fn one_region_unhealthy_shows_how_many_checkers_report_success() {
    let moto = Moto::start();
    let mut env = moto::environment(&moto);
    let clients = moto::clients(&env, None).await;
    let tags = [
        ("us-east-1", "2/8"),       // 25 %: Route53 still calls it healthy
        ("eu-west-1", "unhealthy"), // 0 of 8
        ("ap-southeast-1", "1/8"),  // 12.5 %: not more than 18 %
    ];
    for (region, tag) in tags {
        let c = clients.region(region).unwrap();
        let id = moto::create_health_check(c, Some(tag)).await;
        env.regions
            .iter_mut()
            .find(|r| r.name == region)
            .unwrap()
            .health_check_id = Some(id);
    }
    let mut sources = AwsSources::new(&env, &clients);
    let obs = join_all(sources.route53.iter_mut().map(|s| s.poll(now()))).await;
    let obs: Vec<Observation> = obs.into_iter().flatten().collect();
    let status = |healthy, checkers_ok| {
        Ok(HealthStatus {
            healthy,
            checkers_ok,
            checkers_total: 8,
        })
    };
    assert_eq!(health(&obs, "us-east-1"), &status(true, 2));
    assert_eq!(health(&obs, "eu-west-1"), &status(false, 0));
    assert_eq!(health(&obs, "ap-southeast-1"), &status(false, 1));

    let at = now();
    let view = view_of(&env, obs, at);
    let eu = view.region("eu-west-1").unwrap();
    let verdict = assess::region_health(eu, at, env.spec.poll.health);
    assert_eq!(
        (verdict.level, verdict.word.as_str()),
        (Level::Critical, "UNHEALTHY")
    );

    // A region without a health check says so instead of guessing.
    env.regions[0].health_check_id = None;
    let mut sources = AwsSources::new(&env, &clients);
    let obs = sources.route53[0].poll(now()).await;
    assert_eq!(
        health(&obs, "us-east-1"),
        &Err("no health-check id configured".to_owned())
    );
}

#[tokio::test]
async fn replication_lag_above_the_rpo_is_a_breach() {
    let (_moto, env, clients) = healthy_estate(None).await;
    let us = clients.region("us-east-1").unwrap();
    moto::put_lag(us, 420.0).await; // RPO is 300 s; Maximum wins over the seeded 12 s
    // A region whose lag metric stopped arriving: moto starts empty again.
    let ap = clients.region("ap-southeast-1").unwrap();
    ap.cloudwatch
        .put_metric_data()
        .namespace("VirtEngine/DR")
        .metric_data(
            aws_sdk_cloudwatch::types::MetricDatum::builder()
                .metric_name("BackupSizeBytes")
                .dimensions(
                    aws_sdk_cloudwatch::types::Dimension::builder()
                        .name("Region")
                        .value("ap-southeast-1")
                        .build(),
                )
                .value(1.5e9)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let mut env = env;
    let ap_env = env
        .regions
        .iter_mut()
        .find(|r| r.name == "ap-southeast-1")
        .unwrap();
    for m in &mut ap_env.metrics {
        if m.name == "ReplicationLagSeconds" {
            m.dimensions = vec![("Region".into(), "nowhere".into())];
        }
    }
    let mut sources = AwsSources::new(&env, &clients);
    let mut obs = Vec::new();
    for s in &mut sources.cloudwatch {
        obs.extend(s.poll(now()).await);
    }
    assert_eq!(lag(&obs, "us-east-1"), &Ok(Duration::from_mins(7)));
    assert_eq!(lag(&obs, "eu-west-1"), &Ok(Duration::from_secs(12)));
    assert_eq!(
        lag(&obs, "ap-southeast-1"),
        &Err("no datapoints for VirtEngine/DR ReplicationLagSeconds in the last 10 min".to_owned())
    );
    // Other metrics are kept, not turned into invented observations.
    let ap_metrics = sources
        .cloudwatch
        .iter()
        .find(|s| s.name() == "cloudwatch ap-southeast-1")
        .unwrap();
    let size = ap_metrics
        .latest()
        .into_iter()
        .find(|(m, _)| m.name == "BackupSizeBytes")
        .and_then(|(_, v)| v)
        .expect("BackupSizeBytes read");
    assert!((size.value - 1.5e9).abs() < 1.0);

    let at = now();
    let view = view_of(&env, obs, at);
    let us_view = view.region("us-east-1").unwrap();
    let v = assess::replication(
        &us_view.lag,
        env.spec.targets.rpo,
        at,
        env.spec.poll.metrics,
    );
    assert_eq!((v.level, v.word.as_str()), (Level::Critical, "BREACH"));
}

/// moto stamps every object with the time it was put, and S3 offers no way
/// to backdate one. So the source's part is tested for what it is (it
/// reports the object's own LastModified), and "old" is made by judging
/// that reading from a later instant, as a console polling 25 hours after
/// the last backup would: the same path the runtime takes.
#[tokio::test]
async fn an_old_backup_raises_the_alarm() {
    let (_moto, env, clients) = healthy_estate(None).await;
    let put_at = now();
    let mut sources = AwsSources::new(&env, &clients);
    let us = sources
        .s3
        .iter_mut()
        .find(|s| s.name() == "s3 us-east-1")
        .unwrap();
    let obs = us.poll(now()).await;
    let written = backup(&obs, "us-east-1", BackupKind::ChainState)
        .clone()
        .unwrap()
        .unwrap();
    assert!(put_at.since(written) < Duration::from_mins(1));

    let policy = *env
        .spec
        .backups
        .iter()
        .find(|p| p.kind == BackupKind::ChainState)
        .unwrap();
    assert_eq!(policy.alarm_after, Duration::from_hours(24));
    let judge = |hours: u64| {
        let at = written.plus(Duration::from_secs(hours * 3600));
        let view = view_of(&env, obs.clone(), at);
        let region = view.region("us-east-1").unwrap();
        let (_, newest) = region
            .backups
            .iter()
            .find(|(k, _)| *k == BackupKind::ChainState)
            .unwrap();
        assess::backup(newest, &policy, at, env.spec.poll.backups).word
    };
    assert_eq!(judge(1), "OK");
    assert_eq!(judge(6), "LATE");
    assert_eq!(judge(25), "ALARM");
}

#[tokio::test]
async fn a_missing_secret_is_reported_missing_not_failed() {
    let moto = Moto::start();
    let mut env = moto::environment(&moto);
    let clients = moto::clients(&env, None).await;
    let us = clients.region("us-east-1").unwrap();
    moto::create_secret(us, "virtengine/dr/us-east-1/backup-passphrase").await;
    env.regions.retain(|r| r.name != "eu-west-1");
    let mut sources = AwsSources::new(&env, &clients);
    let mut obs = Vec::new();
    for s in &mut sources.secrets {
        obs.extend(s.poll(now()).await);
    }
    let present = secret(&obs, "us-east-1").clone().unwrap().unwrap();
    let changed = present.last_changed.expect("last changed");
    assert!(now().since(changed) < Duration::from_mins(1));
    assert_eq!(secret(&obs, "ap-southeast-1"), &Ok(None));

    let at = now();
    let view = view_of(&env, obs, at);
    let ap = view.region("ap-southeast-1").unwrap();
    let v = assess::secret(&ap.secrets[0].1, at, env.spec.poll.backups);
    assert_eq!((v.level, v.word.as_str()), (Level::Critical, "MISSING"));
}

#[tokio::test]
async fn a_prefix_with_thousands_of_objects_is_listed_once_then_incrementally() {
    let counter = CallCounter::new();
    let moto = Moto::start();
    let mut env = moto::environment(&moto);
    env.regions.retain(|r| r.name == "us-east-1");
    let clients = moto::clients(&env, Some(counter.clone())).await;
    let c = clients.region("us-east-1").unwrap();
    let bucket = "virtengine-dr-backups-us-east-1";
    moto::create_bucket(c, bucket).await;
    let started = Instant::now();
    let old: Vec<String> = (0..2999)
        .map(|i| format!("chain-state/{i:05}.tar.zst"))
        .collect();
    moto::put_objects(c, bucket, old).await;
    eprintln!("put 2999 objects in {:?}", started.elapsed());
    // A distinct LastModified (whole seconds) for the newest one.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    moto::put_objects(c, bucket, vec!["chain-state/03000.tar.zst".into()]).await;
    moto::put_objects(c, bucket, vec!["keys/2026-11-26.age".into()]).await;
    // database/ stays empty: no backup, not an error.

    let mut sources = AwsSources::new(&env, &clients);
    let s3 = &mut sources.s3[0];
    let poll = async |s3: &mut drconsole::sources::aws::S3Backups| {
        let before = counter.snapshot();
        let obs = s3.poll(now()).await;
        (obs, counter.snapshot().since(before).s3)
    };

    let (obs, calls) = poll(s3).await;
    // 3000 keys: 3 pages; keys/ and database/: 1 each.
    assert_eq!(calls, 5, "first poll lists everything");
    assert!(
        backup(&obs, "us-east-1", BackupKind::ChainState)
            .as_ref()
            .unwrap()
            .is_some()
    );
    assert_eq!(backup(&obs, "us-east-1", BackupKind::Database), &Ok(None));
    let newest = |s3: &drconsole::sources::aws::S3Backups, kind| {
        s3.newest_keys()
            .into_iter()
            .find(|(l, _)| l.kind == kind)
            .and_then(|(_, k)| k.map(str::to_owned))
    };
    assert_eq!(
        newest(s3, BackupKind::ChainState).as_deref(),
        Some("chain-state/03000.tar.zst")
    );

    let (_, calls) = poll(s3).await;
    assert_eq!(calls, 3, "nothing new: one call per kind");

    tokio::time::sleep(Duration::from_millis(1100)).await;
    moto::put_objects(c, bucket, vec!["chain-state/03001.tar.zst".into()]).await;
    let (obs, calls) = poll(s3).await;
    assert_eq!(calls, 3, "one new key: still one call per kind");
    assert_eq!(
        newest(s3, BackupKind::ChainState).as_deref(),
        Some("chain-state/03001.tar.zst")
    );
    let at = backup(&obs, "us-east-1", BackupKind::ChainState)
        .clone()
        .unwrap();
    assert!(at.is_some());

    // Every FULL_RELIST_EVERY-th poll lists the prefix fully again.
    let mut per_poll = Vec::new();
    for _ in 0..FULL_RELIST_EVERY {
        per_poll.push(poll(s3).await.1);
    }
    assert_eq!(
        per_poll.iter().filter(|&&n| n == 6).count(),
        1,
        "{per_poll:?}"
    );
    assert!(per_poll.iter().all(|&n| n == 3 || n == 6), "{per_poll:?}");
    assert_eq!(
        newest(s3, BackupKind::ChainState).as_deref(),
        Some("chain-state/03001.tar.zst")
    );
    drop(moto);
}

#[tokio::test]
async fn one_refresh_of_three_regions_stays_within_its_call_budget() {
    let counter = CallCounter::new();
    let (_moto, env, clients) = healthy_estate(Some(counter.clone())).await;
    let mut sources = AwsSources::new(&env, &clients);
    let secrets: u64 = env.regions.iter().map(|r| r.secrets.len() as u64).sum();
    let kinds: u64 = env.regions.iter().map(|r| r.backups.len() as u64).sum();
    assert_eq!((secrets, kinds), (3, 9));
    let mut refreshes = Vec::new();
    for _ in 0..3 {
        let before = counter.snapshot();
        let obs = refresh(&mut sources, now()).await;
        assert!(
            obs.iter().all(|o| !format!("{o:?}").contains("Err(")),
            "{obs:?}"
        );
        refreshes.push(counter.snapshot().since(before));
    }
    eprintln!("calls per refresh of 3 regions: {refreshes:?}");
    for counts in refreshes {
        assert_eq!(
            counts,
            CallCounts {
                // GetHealthCheckStatus for health, GetHealthCheck for
                // the failover state's inversion (no traffic record or
                // database metric in this fixture).
                route53: 6,
                cloudwatch: 3,
                s3: kinds, // one page per small prefix, then one StartAfter call
                secrets_manager: secrets,
            }
        );
    }
}

#[tokio::test]
async fn wrong_credentials_give_a_clear_message() {
    let moto = Moto::start_with_auth();
    let mut env = moto::environment(&moto);
    env.regions.retain(|r| r.name == "us-east-1");
    env.regions[0].health_check_id = Some("11111111-1111-4111-8111-111111111111".into());
    let options = AwsOptions {
        credentials: Some(StaticCredentials {
            access_key_id: "AKIAWRONGWRONGWRONG0".into(),
            secret_access_key: "wrong".into(),
        }),
        ..moto::options(None)
    };
    let clients = AwsClients::new(&env, &options).await.unwrap();
    let mut sources = AwsSources::new(&env, &clients);
    let obs = refresh(&mut sources, now()).await;
    eprintln!("{obs:#?}");
    let h = health(&obs, "us-east-1").clone().unwrap_err();
    assert!(
        h.starts_with("Route53 GetHealthCheckStatus us-east-1: "),
        "{h}"
    );
    let l = lag(&obs, "us-east-1").clone().unwrap_err();
    assert!(l.starts_with("CloudWatch GetMetricData us-east-1: "), "{l}");
    let b = backup(&obs, "us-east-1", BackupKind::Keys)
        .clone()
        .unwrap_err();
    assert!(
        b.starts_with("S3 ListObjectsV2 us-east-1 s3://virtengine-dr-backups-us-east-1/keys/: "),
        "{b}"
    );
    let s = secret(&obs, "us-east-1").clone().unwrap_err();
    assert!(
        s.starts_with("Secrets Manager DescribeSecret us-east-1 "),
        "{s}"
    );
    for e in [&h, &l, &b, &s] {
        assert!(
            e.contains("InvalidClientTokenId") || e.contains("InvalidAccessKeyId"),
            "names AWS's error code: {e}"
        );
        assert!(
            e.contains("security token") || e.contains("Access Key Id"),
            "{e}"
        );
    }
    drop(moto);
}

#[tokio::test]
async fn moto_stopped_mid_run_goes_stale_then_unknown_and_nothing_crashes() {
    let (mut moto, env, _) = healthy_estate(None).await;
    // Ten times real time: 1 s poll intervals pass in 100 ms.
    let clock = Arc::new(VirtualClock::new(now(), 10.0));
    let dyn_clock: Arc<dyn Clock> = clock.clone();
    let (tx, mut rx) = mpsc::channel(256);
    let tasks = spawn_aws_sources_with(&env, dyn_clock, tx, &moto::options(None))
        .await
        .unwrap();
    assert_eq!(tasks.len(), 15, "5 sources x 3 regions");
    let mut view = EstateView::new(env.spec.clone());
    let interval = env.spec.poll.health;
    let verdict = |view: &EstateView| {
        assess::region_health(view.region("eu-west-1").unwrap(), clock.now(), interval)
    };
    let deadline = Instant::now() + Duration::from_mins(1);
    let mut next = async |view: &mut EstateView| {
        let report = tokio::time::timeout_at(deadline.into(), rx.recv())
            .await
            .expect("reports keep coming")
            .expect("pollers alive");
        view.apply(&report);
        report
    };

    // Every source reports a clean poll first.
    let mut clean = std::collections::HashSet::new();
    while clean.len() < 15 {
        let r = next(&mut view).await;
        if r.observations
            .iter()
            .all(|o| !format!("{o:?}").contains("Err("))
        {
            clean.insert(r.source);
        }
    }
    assert_eq!(verdict(&view).word, "HEALTHY");

    moto.stop();
    let mut failing = std::collections::HashMap::<String, u32>::new();
    let mut words = Vec::new();
    while words.last().map(String::as_str) != Some("UNKNOWN") || failing.len() < 15 {
        let r = next(&mut view).await;
        if r.observations
            .iter()
            .any(|o| format!("{o:?}").contains("Err("))
        {
            *failing.entry(r.source).or_default() += 1;
        }
        let w = verdict(&view).word;
        if words.last() != Some(&w) {
            words.push(w);
        }
    }
    eprintln!("eu-west-1 health after moto stopped: {words:?}");
    assert!(words.iter().any(|w| w.starts_with("STALE")), "{words:?}");
    let region = view.region("eu-west-1").unwrap();
    let (error, _) = region.health.last_error.clone().expect("error kept");
    assert!(
        error.starts_with("Route53 GetHealthCheckStatus eu-west-1: cannot reach the endpoint"),
        "{error}"
    );
    // Pollers keep going (backing off) rather than ending.
    let r = next(&mut view).await;
    assert!(!r.observations.is_empty());
    assert!(tasks.iter().all(|t| !t.is_finished()));
    for t in &tasks {
        t.abort();
    }
}
