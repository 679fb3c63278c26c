//! Notifications, live and practised: the shipped failover runbook's
//! `notify_team` step posts to a Slack webhook and PagerDuty's Events API
//! (local stand-ins), each secret read from Secrets Manager (moto) at the
//! moment of sending and never written anywhere; every way it can fail is
//! named by channel; practice records exactly what would have been sent.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use drconsole::config::environment::parse_environment;
use drconsole::config::runbook::{Actions, compile, load_runbook};
use drconsole::domain::environment::Environment;
use drconsole::domain::estate::EstateSpec;
use drconsole::domain::runbook::plan::{Phase, Plan, StepRef};
use drconsole::domain::runbook::protocol::{
    Job, Mode, RenderedOperation, RenderedPractice, RunOutcome, Task,
};
use drconsole::domain::time::Timestamp;
use drconsole::runtime::run::{RunDriver, ScriptedAnswers};
use drconsole::runtime::runner::{LiveRunner, Notification, Notifier, PracticeRunner, StepRunner};
use drconsole::sources::aws::AwsClients;
use drconsole::sources::clock::{Clock, WallClock};
use drconsole::sources::sim::SimEstate;
use support::http_capture::Capture;
use support::moto::{self, Moto};

const SLACK_TOKEN: &str = "S3CR3TT0K3Nxyz";
const ROUTING_KEY: &str = "R0UT1NGK3Y0123456789ABCDEFGHIJKL";

/// The moto fixture with `[notify.*]` tables appended.
fn env_with(moto: &Moto, notify: &str) -> Environment {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/env/moto.toml");
    let text = std::fs::read_to_string(&path).unwrap() + notify;
    let mut env = parse_environment(&path, &text).unwrap_or_else(|e| panic!("{e}"));
    env.aws.endpoint_url = Some(moto.endpoint());
    env
}

async fn put_secret(clients: &AwsClients, region: &str, name: &str, value: &str) {
    clients
        .region(region)
        .unwrap()
        .secrets
        .create_secret()
        .name(name)
        .secret_string(value)
        .send()
        .await
        .unwrap();
}

/// Slack answers 200 `ok`, PagerDuty 202 with its JSON.
fn stand_ins() -> Capture {
    Capture::start(|r| {
        if r.path.starts_with("/v2/enqueue") {
            (
                202,
                r#"{"status":"success","message":"Event processed"}"#.to_owned(),
            )
        } else {
            (200, "ok".to_owned())
        }
    })
}

fn channels(capture: &Capture) -> String {
    format!(
        "\n[notify.slack]\nurl_secret = \"virtengine/dr/slack-webhook\"\n\
         [notify.pagerduty]\nrouting_key_secret = \"virtengine/dr/pagerduty-key\"\n\
         events_url = \"{}/v2/enqueue\"\n",
        capture.base
    )
}

/// A notifier for both channels of [`channels`], the webhook URL stored in
/// `slack_region` only and the routing key in us-east-1.
async fn notifier_with_secrets(moto: &Moto, capture: &Capture, slack_region: &str) -> Notifier {
    let env = env_with(moto, &channels(capture));
    let clients = moto::clients(&env, None).await;
    let url = format!("{}/services/T0/B0/{SLACK_TOKEN}", capture.base);
    put_secret(&clients, slack_region, "virtengine/dr/slack-webhook", &url).await;
    put_secret(
        &clients,
        "us-east-1",
        "virtengine/dr/pagerduty-key",
        ROUTING_KEY,
    )
    .await;
    Notifier::new(&env, Some(clients), Duration::from_secs(5)).unwrap()
}

/// The shipped failover runbook with only its `notify_team` post-check.
fn notify_team_only() -> Plan {
    let rb = load_runbook(Path::new("runbooks/regional-failover.yaml")).unwrap();
    let vars: BTreeMap<String, String> = [
        ("FAILING_REGION", "us-east-1"),
        ("TARGET_REGION", "eu-west-1"),
        ("FAILING_REGION_HEALTH_CHECK_ID", "hc-use1"),
        ("TARGET_REGION_HEALTH_CHECK_ID", "hc-euw1"),
        ("ZONE_ID", "Z0TEST"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let mut plan = compile(
        &rb,
        &Actions::shipped().unwrap(),
        &vars,
        &EstateSpec::seed(),
    )
    .unwrap();
    plan.pre_checks.clear();
    plan.steps.clear();
    plan.rollback.clear();
    plan.post_checks.retain(|s| s.name == "notify_team");
    assert_eq!(plan.post_checks.len(), 1);
    plan
}

#[tokio::test]
async fn notify_team_posts_to_slack_and_resolves_pagerduty_and_writes_no_secret() {
    let moto = Moto::start();
    let capture = stand_ins();
    // The webhook URL is only in eu-west-1 (a replica where the primary
    // is down): the primary is tried first, then the others.
    let notifier = notifier_with_secrets(&moto, &capture, "eu-west-1").await;
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run.jsonl");
    let driver = RunDriver::start(
        notify_team_only(),
        Mode::Live {
            environment: "moto".into(),
        },
        &journal,
        Arc::new(LiveRunner::shell_only().with_notifier(notifier)),
        Arc::new(ScriptedAnswers::approving()),
        Arc::new(WallClock) as Arc<dyn Clock>,
    )
    .unwrap();
    let view = driver.subscribe();
    let report = driver.run().await.unwrap();
    let output: Vec<String> = view.borrow().output.values().flatten().cloned().collect();
    assert_eq!(report.outcome, RunOutcome::Recovered, "{output:?}");
    assert!(
        output
            .iter()
            .any(|l| l == "pagerduty: accepted (202 Accepted); slack: posted (200 OK)"),
        "{output:?}"
    );

    let got = capture.wait_for(2);
    assert_eq!(got.len(), 2, "one post per channel");
    let slack = got
        .iter()
        .find(|r| r.path.starts_with("/services/"))
        .unwrap();
    assert_eq!(
        (slack.method.as_str(), slack.path.as_str()),
        ("POST", format!("/services/T0/B0/{SLACK_TOKEN}").as_str())
    );
    let text = slack.json()["text"].as_str().unwrap().to_owned();
    assert!(
        text.starts_with(
            ":white_check_mark: *RESOLVED* Regional failover complete: us-east-1 → eu-west-1. RTO: "
        ) && text.ends_with("s. All post-checks passed.")
            && !text.contains("${"),
        "{text}"
    );
    let pd = got.iter().find(|r| r.path == "/v2/enqueue").unwrap().json();
    assert_eq!(pd["event_action"], "resolve");
    assert_eq!(pd["routing_key"], ROUTING_KEY);
    assert!(
        pd["dedup_key"].as_str().unwrap().starts_with("drconsole/"),
        "{pd}"
    );

    // Neither secret is in the journal or on screen.
    let written = std::fs::read_to_string(&journal).unwrap();
    for secret in [SLACK_TOKEN, ROUTING_KEY] {
        assert!(!written.contains(secret), "{secret} in the journal");
        assert!(!output.iter().any(|l| l.contains(secret)), "{secret} shown");
    }
}

#[tokio::test]
async fn a_refused_post_names_its_channel_and_a_retry_reaches_only_the_channel_that_missed() {
    let moto = Moto::start();
    let refusals = Arc::new(Mutex::new(1));
    let left = Arc::clone(&refusals);
    let capture = Capture::start(move |r| {
        if r.path.starts_with("/v2/enqueue") {
            return (202, "{}".to_owned());
        }
        let mut n = left.lock().unwrap();
        if *n > 0 {
            *n -= 1;
            (403, "invalid_token".to_owned())
        } else {
            (200, "ok".to_owned())
        }
    });
    let notifier = notifier_with_secrets(&moto, &capture, "us-east-1").await;
    let names = ["pagerduty".to_owned(), "slack".to_owned()];
    let n = Notification {
        channels: &names,
        message: "Failover ROLLED BACK: eu-west-1 → us-east-1.",
        severity: Some("critical"),
        run: "run-7",
    };
    let first = notifier.notify(n).await.unwrap_err();
    assert_eq!(
        first,
        "pagerduty: accepted (202 Accepted); slack: answered 403 Forbidden: invalid_token"
    );
    let second = notifier.notify(n).await.unwrap();
    assert_eq!(
        second,
        "pagerduty: delivered by an earlier attempt, not sent again; slack: posted (200 OK)"
    );
    let got = capture.requests();
    assert_eq!(got.len(), 3, "pagerduty once, slack twice: {got:?}");
    let pd = got[0].json();
    assert_eq!(pd["event_action"], "trigger");
    assert_eq!(pd["dedup_key"], "drconsole/run-7");
    assert_eq!(pd["payload"]["severity"], "critical");
    assert_eq!(pd["payload"]["source"], "moto");
    // A severity typo fails before anything is sent.
    let before = capture.requests().len();
    let typo = notifier
        .notify(Notification {
            channels: &names,
            message: "m",
            severity: Some("urgent"),
            run: "r",
        })
        .await
        .unwrap_err();
    assert_eq!(
        typo,
        "severity \"urgent\" is not one of critical, error, warning, info, resolved"
    );
    assert_eq!(capture.requests().len(), before);
}

#[tokio::test]
async fn every_missing_or_hostile_piece_is_named_and_no_secret_is_repeated() {
    let moto = Moto::start();
    // A server that echoes the request (its URL and body) in its refusal.
    let capture = Capture::start(|r| {
        if r.path.starts_with("/v2/") {
            let key = r.json()["routing_key"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            (400, format!("invalid routing_key {key}"))
        } else {
            (400, format!("bad request to {} with {}", r.path, r.body))
        }
    });
    let notify = format!(
        "\n[notify.slack]\nurl_env = \"DRCONSOLE_TEST_NEVER_SET_7Q\"\n\
         [notify.pagerduty]\nrouting_key_secret = \"virtengine/dr/nowhere\"\n\
         [notify.chat]\nkind = \"slack\"\nurl_secret = \"virtengine/dr/plain-http\"\n\
         secret_region = \"eu-west-1\"\n\
         [notify.echo]\nkind = \"slack\"\nurl_secret = \"virtengine/dr/echo\"\n\
         [notify.pd-echo]\nkind = \"pagerduty\"\nrouting_key_secret = \"virtengine/dr/echo-key\"\n\
         events_url = \"{}/v2/enqueue\"\n",
        capture.base
    );
    let env = env_with(&moto, &notify);
    let clients = moto::clients(&env, None).await;
    put_secret(
        &clients,
        "eu-west-1",
        "virtengine/dr/plain-http",
        "http://hooks.example.com/services/T0/B0/CLEARTEXT",
    )
    .await;
    let echo = format!("{}/services/T0/B0/{SLACK_TOKEN}", capture.base);
    put_secret(&clients, "us-east-1", "virtengine/dr/echo", &echo).await;
    put_secret(&clients, "us-east-1", "virtengine/dr/echo-key", ROUTING_KEY).await;
    let notifier = Notifier::new(&env, Some(clients), Duration::from_secs(5)).unwrap();
    let say = |names: &[&str]| {
        let names: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
        let notifier = notifier.clone();
        async move {
            notifier
                .notify(Notification {
                    channels: &names,
                    message: "m",
                    severity: None,
                    run: "r",
                })
                .await
                .unwrap_err()
        }
    };
    assert_eq!(
        say(&["slack"]).await,
        "slack: environment variable DRCONSOLE_TEST_NEVER_SET_7Q is not set"
    );
    let pd = say(&["pagerduty"]).await;
    assert!(
        pd.starts_with("pagerduty: GetSecretValue us-east-1: ResourceNotFoundException")
            && pd.contains("; GetSecretValue eu-west-1: ")
            && pd.contains("; GetSecretValue ap-southeast-1: "),
        "each region tried and named: {pd}"
    );
    assert_eq!(
        say(&["ops"]).await,
        "ops: no [notify.ops] in the environment file, so nowhere to send"
    );
    let plain = say(&["chat"]).await;
    assert_eq!(
        plain,
        "chat: the webhook URL read from secret virtengine/dr/plain-http is not usable: \
         http:// is refused except to this machine; expected https://"
    );
    let echoed = say(&["echo", "pd-echo"]).await;
    assert!(
        echoed.contains("echo: answered 400 Bad Request: bad request to <secret> with"),
        "{echoed}"
    );
    assert!(
        echoed.ends_with("pd-echo: answered 400 Bad Request: invalid routing_key <secret>"),
        "{echoed}"
    );
    for secret in [SLACK_TOKEN, ROUTING_KEY, "CLEARTEXT"] {
        assert!(
            !echoed.contains(secret) && !plain.contains(secret),
            "{secret} repeated: {echoed}"
        );
    }
}

#[tokio::test]
async fn practice_records_what_each_channel_would_have_been_sent_and_sends_nothing() {
    let moto = Moto::start();
    let capture = stand_ins();
    let env = env_with(&moto, &channels(&capture));
    let estate = Arc::new(Mutex::new(SimEstate::new(
        EstateSpec::seed(),
        7,
        Timestamp::from_millis(1_795_000_000_000),
    )));
    let runner = PracticeRunner::new(estate).with_channels(env.notify.clone());
    let job = |severity: &str| Job {
        task: Task::Step(StepRef {
            phase: Phase::PostCheck,
            index: 0,
        }),
        attempt: 1,
        name: "notify_team".into(),
        operation: RenderedOperation::Notify {
            channels: vec!["slack".into(), "pagerduty".into(), "ops".into()],
            message: "Failover <!channel> done".into(),
            severity: Some(severity.into()),
            run: Some("run-9".into()),
        },
        verify: None,
        timeout: None,
        practice: RenderedPractice::None,
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let outcome = runner.run(job("resolved"), tx).await;
    assert_eq!(outcome.error, None);
    let mut notes = Vec::new();
    while let Ok(l) = rx.try_recv() {
        notes.push(l.text);
    }
    assert!(
        notes.contains(
            &r#"would send to slack (slack): {"text":":white_check_mark: *RESOLVED* Failover &lt;!channel&gt; done"}"#
                .to_owned()
        ),
        "{notes:#?}"
    );
    assert!(
        notes.contains(
            &r#"would send to pagerduty (pagerduty): {"dedup_key":"drconsole/run-9","event_action":"resolve"}"#
                .to_owned()
        ),
        "{notes:#?}"
    );
    assert!(
        notes.contains(
            &"would not reach ops: no [notify.ops] in the environment file (live, this step fails)"
                .to_owned()
        )
    );
    assert!(runner.log()[0].effect.contains("would send to slack"));
    // A typo fails the practice step as it would fail live.
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let typo = runner.run(job("resolve"), tx).await;
    assert_eq!(
        typo.error.as_deref(),
        Some(
            "practice: severity \"resolve\" is not one of critical, error, warning, info, resolved"
        )
    );
    assert!(
        capture.requests().is_empty(),
        "practice reached the network"
    );
}
