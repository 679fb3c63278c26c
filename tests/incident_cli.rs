//! `drconsole incident list|show|verify` against moto: a run shared in S3
//! reads back entry for entry, and a forged local append or a forged S3
//! entry is each named by verify (exit 1).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_s3::primitives::ByteStream;
use drconsole::domain::estate::EstateSpec;
use drconsole::domain::incident::IncidentId;
use drconsole::domain::journal::{Author, seal_by};
use drconsole::domain::runbook::protocol::{Mode, RunOutcome};
use drconsole::runtime::journal_file::{JournalWriter, read_journal};
use drconsole::runtime::run::{Joined, RunDriver, ScriptedAnswers, Seat};
use drconsole::runtime::runner::PracticeRunner;
use drconsole::sources::clock::{Clock, WallClock};
use drconsole::sources::incident::IncidentStore;
use drconsole::sources::sim::SimEstate;
use serde_json::json;
use support::incident::{self, BUCKET};
use support::moto::{self, Moto};
use support::plans::{plan, shell};

fn alice() -> Author {
    Author {
        arn: "arn:aws:iam::123456789012:user/alice".into(),
        user: "alice".into(),
        host: "bastion-1".into(),
    }
}

fn drconsole(env: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .arg("--env")
        .arg(env)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn six_steps() -> drconsole::domain::runbook::plan::Plan {
    let steps = (1..=6)
        .map(|i| shell(&format!("step_{i}"), "true"))
        .collect();
    plan(vec![], steps, vec![], vec![], &[])
}

/// A six-step practice run shared as incident `inc-1`; its local journal.
async fn shared_run(moto: &Moto, dir: &Path) -> (std::path::PathBuf, support::incident::Clients) {
    let env = incident::environment(moto).await;
    let c = incident::clients(&env, &moto::options(None)).await;
    let clock: Arc<dyn Clock> = Arc::new(WallClock);
    let seat = Seat {
        store: Arc::new(c.store.clone()),
        incident: IncidentId::parse("inc-1").unwrap(),
        author: alice(),
        session: "s-1".into(),
        ttl: Duration::from_secs(30),
        clock: Arc::clone(&clock),
    };
    let Joined::Driving(shared) = seat.join().await.unwrap() else {
        panic!("free lease")
    };
    let journal = dir.join("run.journal");
    let sim = Arc::new(Mutex::new(SimEstate::new(
        EstateSpec::seed(),
        1,
        clock.now(),
    )));
    let steps = (1..=6)
        .map(|i| shell(&format!("step_{i}"), "true"))
        .collect();
    let report = RunDriver::start(
        plan(vec![], steps, vec![], vec![], &[]),
        Mode::Practice,
        &journal,
        Arc::new(PracticeRunner::new(sim)),
        Arc::new(ScriptedAnswers::approving()),
        clock,
    )
    .unwrap()
    .with_shared(shared)
    .run()
    .await
    .unwrap();
    assert_eq!(report.outcome, RunOutcome::Recovered);
    (journal, c)
}

#[tokio::test]
async fn list_show_and_verify_read_a_shared_run_entry_for_entry() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let (journal, _c) = shared_run(&moto, dir.path()).await;
    let env = incident::env_file(dir.path(), &moto);
    let n = read_journal(&journal).unwrap().len();
    let (code, out, err) = drconsole(&env, &["incident", "list"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with(&format!("inc-1  {n} entries  no driver: the lease of alice@bastion-1 (arn:aws:iam::123456789012:user/alice) ran out ")), "{out}");
    let (code, out, err) = drconsole(&env, &["incident", "show", "--incident", "inc-1"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), n + 1, "{out}");
    assert!(out.lines().nth(1).unwrap().contains("run.started"), "{out}");
    assert!(
        out.lines()
            .skip(1)
            .all(|l| l.contains("alice@bastion-1 (arn:aws:iam::123456789012:user/alice)")),
        "{out}"
    );
    let j = journal.to_str().unwrap();
    let (code, out, err) = drconsole(
        &env,
        &["incident", "verify", "--incident", "inc-1", "--journal", j],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!(
            "shared journal s3://{BUCKET}/drconsole/incidents/inc-1/: ok: {n} entries"
        )),
        "{out}"
    );
    assert!(
        out.ends_with("the local and shared journals agree entry for entry\n"),
        "{out}"
    );
    // An id that is not one is refused before any call.
    let (code, _, err) = drconsole(&env, &["incident", "show", "--incident", "../x"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--incident") && err.contains("incident id \"../x\""),
        "{err}"
    );
}

#[tokio::test]
async fn a_forged_local_append_and_a_forged_shared_entry_are_each_named() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let (journal, c) = shared_run(&moto, dir.path()).await;
    let env = incident::env_file(dir.path(), &moto);
    let n = u64::try_from(read_journal(&journal).unwrap().len()).unwrap();
    let j = journal.to_str().unwrap();
    // Someone with the operator's disk appends a chained entry and moves
    // the head along: the local journal alone still verifies.
    {
        let mut w = JournalWriter::open(&journal).unwrap();
        w.append(WallClock.now(), "step.passed", json!({"step": "forged"}))
            .unwrap();
    }
    let (code, out, err) = drconsole(
        &env,
        &["incident", "verify", "--incident", "inc-1", "--journal", j],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(&format!("{j}: ok: {} entries", n + 1)),
        "the local copy alone looks fine: {out}"
    );
    assert_eq!(err, format!("entry {}: in the local journal only\n", n + 1));
    // Someone with the bucket's keys replaces entry 3 with a well-formed
    // entry of their own (its own hash right, its link to entry 2 too).
    let shared = c
        .store
        .entries(&IncidentId::parse("inc-1").unwrap(), 0)
        .await
        .unwrap();
    let forged = seal_by(
        &shared[1].head(),
        shared[2].at,
        &shared[2].run,
        "step.skipped",
        json!({}),
        Some(&alice()),
    );
    c.store
        .client()
        .put_object()
        .bucket(BUCKET)
        .key("drconsole/incidents/inc-1/journal/000000000003.json")
        .body(ByteStream::from(
            format!("{}\n", forged.line()).into_bytes(),
        ))
        .send()
        .await
        .unwrap();
    let (code, out, err) = drconsole(
        &env,
        &["incident", "verify", "--incident", "inc-1", "--journal", j],
    );
    assert_eq!(code, 1, "{out}{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "shared journal s3://{BUCKET}/drconsole/incidents/inc-1/: line 4: prev hash does not match line 3 (lines are entry numbers)"
        ),
        "{err}"
    );
    assert!(lines[1].starts_with("entry 3: differs (local "), "{err}");
    assert_eq!(
        lines[2],
        format!("entry {}: in the local journal only", n + 1)
    );
    assert_eq!(lines.len(), 3, "{err}");
}

#[tokio::test]
async fn a_follower_reads_the_run_and_never_writes_to_s3() {
    use drconsole::runtime::run::Follow;
    use drconsole::sources::aws::CallCounter;
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let (journal, _c) = shared_run(&moto, dir.path()).await;
    let env = incident::environment_without_bucket(&moto);
    let counter = CallCounter::new();
    let c = incident::clients(&env, &moto::options(Some(counter.clone()))).await;
    let mut follow = Follow {
        store: Arc::new(c.store),
        incident: IncidentId::parse("inc-1").unwrap(),
        plan: six_steps(),
        mode: Mode::Practice,
        poll: Duration::from_millis(250),
        lease: Duration::from_secs(30),
        clock: Arc::new(WallClock),
    };
    let mut entries = Vec::new();
    let snapshot = follow.read(&mut entries).await.unwrap().expect("the run");
    assert_eq!(
        entries,
        read_journal(&journal).unwrap(),
        "the driver's journal, entry for entry"
    );
    assert_eq!(
        snapshot.report.as_ref().map(|r| r.outcome),
        Some(RunOutcome::Recovered)
    );
    assert!(
        follow.read(&mut entries).await.unwrap().is_none(),
        "nothing new"
    );
    // The run is over: following it ends at once.
    let (tx, _rx) = tokio::sync::watch::channel(snapshot);
    let done = tokio::time::timeout(Duration::from_secs(2), follow.run(entries, &tx)).await;
    assert_eq!(done, Ok(Ok(())));
    assert!(
        counter.get(drconsole::sources::aws::Service::S3) > 3,
        "it read"
    );
    assert_eq!(counter.s3_writes(), 0, "a follower never writes to S3");
}
