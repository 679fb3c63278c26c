//! A drill's practice steps take the simulated time their work takes, on
//! the drill's clock (tokio's paused clock here, as in a headless drill):
//! the estate changes when the step ends, a step whose work outlasts its
//! timeout fails and changes nothing, and a DNS change reaches clients
//! only after propagation and the TTL.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use drconsole::domain::estate::EstateSpec;
use drconsole::domain::runbook::plan::{Phase, StepRef};
use drconsole::domain::runbook::protocol::{
    Job, Outcome, RenderedOperation, RenderedPractice, Task,
};
use drconsole::domain::time::Timestamp;
use drconsole::runtime::drill::TokioClock;
use drconsole::runtime::runner::{PracticeRunner, StepRunner};
use drconsole::sources::clock::Clock;
use drconsole::sources::sim::{RECORD_TTL, SimEstate, Work};

fn start() -> Timestamp {
    Timestamp::from_millis(1_795_000_000_000)
}

fn job(practice: RenderedPractice, timeout: Option<Duration>) -> Job {
    Job {
        task: Task::Step(StepRef {
            phase: Phase::Step,
            index: 0,
        }),
        attempt: 1,
        name: "step".into(),
        operation: RenderedOperation::PutMetric {
            namespace: "VirtEngine/DR".into(),
            metric: "Marker".into(),
            value: 1.0,
            region: None,
        },
        verify: None,
        timeout,
        practice,
    }
}

struct Rig {
    estate: Arc<Mutex<SimEstate>>,
    clock: Arc<dyn Clock>,
    runner: Arc<PracticeRunner>,
}

fn rig(seed: u64) -> Rig {
    let estate = Arc::new(Mutex::new(SimEstate::new(
        EstateSpec::seed(),
        seed,
        start(),
    )));
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::new(start()));
    let runner =
        Arc::new(PracticeRunner::new(Arc::clone(&estate)).with_step_times(Arc::clone(&clock)));
    Rig {
        estate,
        clock,
        runner,
    }
}

/// Runs `job` to its end; returns the outcome, its output lines and how
/// much simulated time it took.
async fn run(rig: &Rig, job: Job) -> (Outcome, Vec<String>, Duration) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let before = rig.clock.now();
    let outcome = rig.runner.run(job, tx).await;
    let mut lines = Vec::new();
    while let Ok(l) = rx.try_recv() {
        lines.push(l.text);
    }
    (outcome, lines, rig.clock.now().since(before))
}

#[tokio::test(start_paused = true)]
async fn a_promotion_takes_its_time_and_the_estate_changes_when_it_ends() {
    let rig = rig(7);
    let spread = Work::DatabasePromotion.spread();
    let promote = job(RenderedPractice::PromoteDatabase("eu-west-1".into()), None);
    let handle = {
        let runner = Arc::clone(&rig.runner);
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move { runner.run(promote, tx).await })
    };
    // Before the least a promotion takes, the primary has not moved.
    tokio::time::sleep(spread.least.saturating_sub(Duration::from_secs(1))).await;
    assert_eq!(rig.estate.lock().unwrap().database_primary(), "us-east-1");
    let outcome = handle.await.unwrap();
    assert_eq!(outcome.error, None);
    let took = rig.clock.now().since(start());
    assert!(spread.least <= took && took <= spread.most, "{took:?}");
    let estate = rig.estate.lock().unwrap();
    assert_eq!(estate.database_primary(), "eu-west-1");
    // The promotion happened at the step's end, on the estate's clock too.
    let at = estate.promotions().last().unwrap().at;
    assert_eq!(at.since(start()), took);
}

#[tokio::test(start_paused = true)]
async fn the_output_says_how_long_the_step_takes_and_why() {
    let rig = rig(7);
    let (outcome, lines, took) = run(
        &rig,
        job(
            RenderedPractice::Validators("us-east-1".into(), false),
            None,
        ),
    )
    .await;
    assert_eq!(outcome.error, None);
    let said = lines
        .iter()
        .find(|l| l.starts_with("takes "))
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert_eq!(
        said,
        &format!(
            "takes {} of simulated time (pods stopped)",
            drconsole::domain::duration::format(took)
        )
    );
    assert_eq!(
        rig.estate.lock().unwrap().validators_running("us-east-1"),
        Some(false)
    );
}

#[tokio::test(start_paused = true)]
async fn work_that_outlasts_its_timeout_fails_the_step_and_changes_nothing() {
    let rig = rig(7);
    let least = Work::SnapshotRestore.spread().least;
    let limit = least.saturating_sub(Duration::from_mins(1));
    let (outcome, _, took) = run(
        &rig,
        job(
            RenderedPractice::RestoreChainState("eu-west-1".into()),
            Some(limit),
        ),
    )
    .await;
    assert!(outcome.exit.timed_out);
    let error = outcome.error.unwrap();
    assert!(
        error.starts_with(&format!(
            "practice: timed out after {}: the 40 GiB chain-state snapshot downloaded and unpacked takes ",
            drconsole::domain::duration::format(limit)
        )),
        "{error}"
    );
    assert_eq!(took, limit, "it ran until its timeout, not longer");
    assert!(
        rig.estate.lock().unwrap().restores().is_empty(),
        "nothing was restored"
    );
}

#[tokio::test(start_paused = true)]
async fn clients_follow_a_dns_change_only_after_propagation_and_the_ttl() {
    let rig = rig(11);
    let (outcome, lines, took) = run(
        &rig,
        job(RenderedPractice::Traffic("us-east-1".into(), false), None),
    )
    .await;
    assert_eq!(outcome.error, None);
    let dns = Work::DnsCall.spread();
    assert!(dns.least <= took && took <= dns.most, "{took:?}");
    let said = lines.iter().find(|l| l.starts_with("takes ")).unwrap();
    assert!(said.contains("clients follow"), "{said}");
    let mut estate = rig.estate.lock().unwrap();
    assert_eq!(
        estate.is_serving("us-east-1"),
        Some(true),
        "DNS has not settled"
    );
    // The least it can take: propagation's least plus the TTL.
    let least = Work::DnsPropagation.spread().least + RECORD_TTL;
    let at_least = rig.clock.now().plus(least).minus(Duration::from_secs(2));
    estate.advance_to(at_least);
    assert_eq!(estate.is_serving("us-east-1"), Some(true), "{said}");
    let most = Work::DnsPropagation.spread().most + RECORD_TTL;
    let at_most = rig.clock.now().plus(most).plus(Duration::from_secs(2));
    estate.advance_to(at_most);
    assert_eq!(estate.is_serving("us-east-1"), Some(false), "{said}");
}

#[tokio::test(start_paused = true)]
async fn a_later_change_replaces_one_still_propagating() {
    let rig = rig(11);
    run(
        &rig,
        job(RenderedPractice::Traffic("us-east-1".into(), false), None),
    )
    .await;
    // The team changes its mind at once: traffic stays on, it never flaps off.
    run(
        &rig,
        job(RenderedPractice::Traffic("us-east-1".into(), true), None),
    )
    .await;
    let mut estate = rig.estate.lock().unwrap();
    for minute in 1..=5 {
        estate.advance_to(rig.clock.now().plus(Duration::from_mins(minute)));
        assert_eq!(
            estate.is_serving("us-east-1"),
            Some(true),
            "minute {minute}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn one_seed_draws_the_same_step_times_and_another_seed_others() {
    async fn times(seed: u64) -> Vec<Duration> {
        let rig = rig(seed);
        let mut out = Vec::new();
        for region in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
            out.push(
                run(
                    &rig,
                    job(RenderedPractice::Validators(region.into(), true), None),
                )
                .await
                .2,
            );
        }
        out
    }
    assert_eq!(times(3).await, times(3).await);
    assert_ne!(times(3).await, times(4).await);
}

#[tokio::test(start_paused = true)]
async fn without_a_drill_clock_an_effect_is_immediate() {
    let estate = Arc::new(Mutex::new(SimEstate::new(EstateSpec::seed(), 7, start())));
    let runner = PracticeRunner::new(Arc::clone(&estate));
    let clock = TokioClock::new(start());
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let outcome = runner
        .run(
            job(RenderedPractice::PromoteDatabase("eu-west-1".into()), None),
            tx,
        )
        .await;
    assert_eq!(outcome.error, None);
    assert_eq!(clock.now(), start());
    assert_eq!(estate.lock().unwrap().database_primary(), "eu-west-1");
}

#[tokio::test]
async fn a_paused_drill_holds_a_step_and_resuming_lets_it_finish() {
    use drconsole::sources::clock::VirtualClock;
    let estate = Arc::new(Mutex::new(SimEstate::new(EstateSpec::seed(), 7, start())));
    // Fast enough that a promotion (at most 45 s) takes under 0.1 s of wall time.
    let vclock = Arc::new(VirtualClock::new(start(), 1000.0));
    let clock: Arc<dyn Clock> = Arc::clone(&vclock) as Arc<dyn Clock>;
    let runner = Arc::new(PracticeRunner::new(Arc::clone(&estate)).with_step_times(clock));
    vclock.set_paused(true);
    let handle = {
        let runner = Arc::clone(&runner);
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            runner
                .run(
                    job(RenderedPractice::PromoteDatabase("eu-west-1".into()), None),
                    tx,
                )
                .await
        })
    };
    // Paused: well past the step's wall time, it has not finished.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(
        !handle.is_finished(),
        "the step went on while the drill was paused"
    );
    assert_eq!(estate.lock().unwrap().database_primary(), "us-east-1");
    vclock.set_paused(false);
    let outcome = tokio::time::timeout(Duration::from_secs(10), handle)
        .await
        .expect("it finished once resumed")
        .unwrap();
    assert_eq!(outcome.error, None);
    assert_eq!(estate.lock().unwrap().database_primary(), "eu-west-1");
}
