//! Two real consoles on one shared incident, each in its own tmux pane,
//! with its own IAM user's keys and its own state directory (two
//! operators' machines), against moto: exactly one drives, the other
//! follows read-only and sees the driver's steps; the shared journal
//! names the driver's ARN on every entry.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::path::Path;

use drconsole::domain::incident::IncidentId;
use drconsole::sources::aws::AwsOptions;
use drconsole::sources::incident::IncidentStore;
use support::incident;
use support::moto::{self, Moto};
use support::tmux::{Tmux, binary};

const FAILOVER_VARS: &str = "--var FAILING_REGION=us-east-1 --var TARGET_REGION=eu-west-1 \
     --var FAILING_REGION_HEALTH_CHECK_ID=hc-use1 --var TARGET_REGION_HEALTH_CHECK_ID=hc-euw1 \
     --var ZONE_ID=Z0PRACTICE";

fn key_of(o: &AwsOptions) -> (String, String) {
    let c = o.credentials.as_ref().unwrap();
    (c.access_key_id.clone(), c.secret_access_key.clone())
}

/// The console of one operator: their keys, their own state directory.
fn operator(name: &str, keys: &(String, String), state: &Path, env: &Path, incident: &str) -> Tmux {
    let command = format!(
        "sh -c 'AWS_ACCESS_KEY_ID={} AWS_SECRET_ACCESS_KEY={} AWS_EC2_METADATA_DISABLED=true XDG_STATE_HOME={} {} --env {} run runbooks/regional-failover.yaml --practice {FAILOVER_VARS} --incident {incident}; echo EXIT=$?; sleep 600'",
        keys.0,
        keys.1,
        state.display(),
        binary(),
        env.display()
    );
    Tmux::start(name, &command, 200, 45)
}

fn following(screen: &str) -> bool {
    screen
        .lines()
        .next()
        .is_some_and(|header| header.contains("READ-ONLY, driven by"))
}

/// The incident bridge: moto with the incident bucket, the environment
/// file, and two operators' IAM keys and state directories.
struct Bridge {
    moto: Moto,
    env: drconsole::domain::environment::Environment,
    dir: tempfile::TempDir,
    file: std::path::PathBuf,
    alice: (String, String),
    bob: (String, String),
    sa: std::path::PathBuf,
    sb: std::path::PathBuf,
}

impl Bridge {
    async fn set_up() -> Self {
        let moto = Moto::start();
        let env = incident::environment(&moto).await;
        let dir = tempfile::tempdir().unwrap();
        let file = incident::env_file(dir.path(), &moto);
        let alice = key_of(&incident::iam_user(&moto, "alice").await);
        let bob = key_of(&incident::iam_user(&moto, "bob").await);
        let (sa, sb) = (dir.path().join("alice"), dir.path().join("bob"));
        Self {
            moto,
            env,
            dir,
            file,
            alice,
            bob,
            sa,
            sb,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_console_drives_and_the_other_follows_its_steps() {
    let Bridge {
        moto: _moto,
        env,
        dir: _dir,
        file,
        alice,
        bob,
        sa,
        sb,
    } = Bridge::set_up().await;
    let a = operator("incident-alice", &alice, &sa, &file, "inc-1");
    let first = a.wait_for(&["PRACTICE", "GATE", "fence_failing_validators"]);
    assert!(!following(&first), "alice's console drives:\n{first}");
    let b = operator("incident-bob", &bob, &sb, &file, "inc-1");
    // From its first picture on, the follower shows the run as it is.
    let seen = b.wait_until("bob's console to follow", following);
    let header = seen.lines().next().unwrap();
    assert!(
        header.contains(":user/alice)"),
        "names the driver:\n{header}"
    );
    assert!(
        seen.lines()
            .any(|l| l.contains("awaiting gate") && l.contains("fence_failing_validators")),
        "the driver's state, not an empty run:\n{seen}"
    );
    assert!(
        !seen.contains("GATE"),
        "a follower answers no gate:\n{seen}"
    );
    // Alice answers the first gate; bob's screen shows the step pass.
    let phrase_line = first
        .lines()
        .find(|l| l.contains("type exactly"))
        .map(str::to_owned);
    if let Some(line) = phrase_line {
        let rest = line.split_once("type exactly").unwrap().1.trim_start();
        let end = rest.find("  ").unwrap_or(rest.len());
        a.type_text(rest[..end].trim_end_matches(['▏', '║']).trim());
        a.keys(&["Enter"]);
    }
    a.type_text("alice");
    a.keys(&["Enter"]);
    a.type_text("us-east-1 is down");
    a.keys(&["Enter"]);
    a.wait_until("the fence to pass on alice's screen", |s| {
        s.lines()
            .any(|l| l.contains("fence_failing_validators") && l.contains("passed"))
    });
    b.wait_until("the fence to pass on bob's screen", |s| {
        s.lines()
            .any(|l| l.contains("fence_failing_validators") && l.contains("passed"))
    });
    // Every shared entry is alice's: bob's console wrote nothing.
    let c = incident::clients(&env, &moto::options(None)).await;
    let entries = c
        .store
        .entries(&IncidentId::parse("inc-1").unwrap(), 0)
        .await
        .unwrap();
    assert!(entries.len() > 5);
    assert!(
        entries.iter().all(|e| e
            .by
            .as_ref()
            .is_some_and(|b| b.arn.ends_with(":user/alice"))),
        "{:?}",
        entries.iter().map(|e| &e.by).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_consoles_started_together_fifty_times_exactly_one_drives() {
    let Bridge {
        moto: _moto,
        env,
        dir: _dir,
        file,
        alice,
        bob,
        sa,
        sb,
    } = Bridge::set_up().await;
    let mut drivers = Vec::new();
    for round in 1..=50 {
        let id = format!("race-{round}");
        // Each starts first in turn.
        let start_a = || operator(&format!("race-a{round}"), &alice, &sa, &file, &id);
        let start_b = || operator(&format!("race-b{round}"), &bob, &sb, &file, &id);
        let (a, b) = if round % 2 == 0 {
            let b = start_b();
            (start_a(), b)
        } else {
            let a = start_a();
            (a, start_b())
        };
        let opened = |t: &Tmux| {
            t.wait_until("the run screen", |s| {
                s.lines().next().is_some_and(|h| h.contains("RUNBOOK")) || s.contains("EXIT=")
            })
        };
        let (sa_, sb_) = (opened(&a), opened(&b));
        assert!(
            !sa_.contains("EXIT=") && !sb_.contains("EXIT="),
            "round {round}:\n{sa_}\n{sb_}"
        );
        let followers = [following(&sa_), following(&sb_)];
        assert_eq!(
            followers.iter().filter(|f| **f).count(),
            1,
            "round {round}: exactly one console follows\n{sa_}\n{sb_}"
        );
        drivers.push(if followers[0] { "bob" } else { "alice" });
        // Let the driver's first steps reach the shared journal, then stop both.
        let driver = if followers[0] { &b } else { &a };
        driver.wait_until("the first gate", |s| s.contains("awaiting gate"));
    }
    let c = incident::clients(&env, &moto::options(None)).await;
    for (round, driver) in (1..=50).zip(&drivers) {
        let id = IncidentId::parse(&format!("race-{round}")).unwrap();
        let entries = c.store.entries(&id, 0).await.unwrap();
        assert!(!entries.is_empty(), "round {round}");
        assert!(
            entries.iter().zip(1..).all(|(e, n)| e.seq == n),
            "round {round}: no gap and no duplicate"
        );
        assert!(
            entries.windows(2).all(|w| w[1].prev == w[0].hash),
            "round {round}: one chain"
        );
        assert!(
            entries.iter().all(|e| e
                .by
                .as_ref()
                .is_some_and(|b| b.arn.ends_with(&format!(":user/{driver}")))),
            "round {round}: every entry is the driver's ({driver})"
        );
    }
    eprintln!(
        "drivers: alice {} times, bob {} times",
        drivers.iter().filter(|d| **d == "alice").count(),
        drivers.iter().filter(|d| **d == "bob").count()
    );
}
