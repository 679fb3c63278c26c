//! A run shared through an incident store: every entry stored before the
//! next command and named with its author; a console whose entry number
//! another wrote stops driving; a store that stops answering, or a lost
//! lease, starts no further step.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use drconsole::domain::estate::EstateSpec;
use drconsole::domain::incident::{IncidentId, Layout, Lease, Standing, compare};
use drconsole::domain::journal::{Author, Entry, Head, seal_by};
use drconsole::domain::runbook::plan::Plan;
use drconsole::domain::runbook::protocol::{Mode, RunOutcome};
use drconsole::domain::time::Timestamp;
use drconsole::runtime::drill::TokioClock;
use drconsole::runtime::journal_file::read_journal;
use drconsole::runtime::run::{
    Joined, RunDriver, RunError, ScriptedAnswers, Seat, SharedError, SharedJournal,
};
use drconsole::runtime::runner::PracticeRunner;
use drconsole::sources::clock::Clock;
use drconsole::sources::incident::{IncidentStore, MemoryStore, StoreError, StoreFuture, Tag};
use drconsole::sources::sim::SimEstate;
use serde_json::json;
use support::plans::{plan, shell};

fn start() -> Timestamp {
    Timestamp::parse_rfc3339("2026-12-03T03:00:00Z").unwrap()
}

fn who(name: &str) -> Author {
    Author {
        arn: format!("arn:aws:iam::123456789012:user/{name}"),
        user: name.into(),
        host: format!("{name}-laptop"),
    }
}

fn incident() -> IncidentId {
    IncidentId::parse("inc-2026-12-03").unwrap()
}

fn memory() -> Arc<MemoryStore> {
    Arc::new(MemoryStore::new(
        Layout::new("drconsole/incidents").unwrap(),
    ))
}

fn seat(store: Arc<dyn IncidentStore>, name: &str, clock: &Arc<dyn Clock>) -> Seat {
    Seat {
        store,
        incident: incident(),
        author: who(name),
        session: format!("session-{name}"),
        ttl: Duration::from_secs(30),
        clock: Arc::clone(clock),
    }
}

fn six_steps() -> Plan {
    plan(
        vec![],
        (1..=6)
            .map(|i| shell(&format!("step_{i}"), "true"))
            .collect(),
        vec![],
        vec![],
        &[],
    )
}

async fn driving(seat: Seat) -> SharedJournal {
    match seat.join().await.unwrap() {
        Joined::Driving(s) => s,
        _ => panic!("the lease was free"),
    }
}

/// The run, practising on a fresh simulated estate, with its runner.
fn driver(
    journal: &std::path::Path,
    clock: &Arc<dyn Clock>,
) -> (RunDriver<PracticeRunner, ScriptedAnswers>, PracticeRunner) {
    let sim = Arc::new(Mutex::new(SimEstate::new(EstateSpec::seed(), 1, start())));
    let runner = PracticeRunner::new(sim);
    let d = RunDriver::start(
        six_steps(),
        Mode::Practice,
        journal,
        Arc::new(runner.clone()),
        Arc::new(ScriptedAnswers::approving()),
        Arc::clone(clock),
    )
    .unwrap();
    (d, runner)
}

#[tokio::test(start_paused = true)]
async fn a_shared_run_stores_every_entry_and_names_who_wrote_it() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::new(start()));
    let store = memory();
    let alice = driving(seat(store.clone(), "alice", &clock)).await;
    // While alice drives, bob's console follows.
    match seat(store.clone(), "bob", &clock).join().await.unwrap() {
        Joined::Driven { by, left } => {
            assert_eq!(by, who("alice"));
            assert_eq!(left, Duration::from_secs(30));
        }
        _ => panic!("alice holds the lease"),
    }
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run.journal");
    let (d, runner) = driver(&journal, &clock);
    let report = d.with_shared(alice).run().await.unwrap();
    assert_eq!(report.outcome, RunOutcome::Recovered);
    assert_eq!(runner.log().len(), 6);
    let local = read_journal(&journal).unwrap();
    let shared = store.entries(&incident(), 0).await.unwrap();
    assert!(local.len() > 12, "{}", local.len());
    assert_eq!(
        compare(&local, &shared),
        [],
        "the two copies agree entry for entry"
    );
    assert!(
        local.iter().all(|e| e.by == Some(who("alice"))),
        "every entry names alice"
    );
    // The finished driver gave its lease back: nobody waits for it to run out.
    let (lease, _) = store.lease(&incident()).await.unwrap().unwrap();
    assert!(matches!(
        lease.standing("session-bob", clock.now()),
        Standing::Expired { .. }
    ));
}

/// A store where a rival console writes entry `at` just before this one.
struct Contested {
    inner: Arc<MemoryStore>,
    at: u64,
    rival: Author,
}

impl IncidentStore for Contested {
    fn append<'a>(&'a self, id: &'a IncidentId, entry: &'a Entry) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            if entry.seq == self.at {
                let before = self.inner.entries(id, 0).await?;
                let head = before.last().map_or_else(Head::genesis, Entry::head);
                let theirs = seal_by(
                    &head,
                    start(),
                    "rival-run",
                    "step.started",
                    json!({}),
                    Some(&self.rival),
                );
                self.inner.append(id, &theirs).await?;
            }
            self.inner.append(id, entry).await
        })
    }
    fn entries<'a>(&'a self, id: &'a IncidentId, after: u64) -> StoreFuture<'a, Vec<Entry>> {
        self.inner.entries(id, after)
    }
    fn last_seq<'a>(&'a self, id: &'a IncidentId) -> StoreFuture<'a, u64> {
        self.inner.last_seq(id)
    }
    fn lease<'a>(&'a self, id: &'a IncidentId) -> StoreFuture<'a, Option<(Lease, Tag)>> {
        self.inner.lease(id)
    }
    fn put_lease<'a>(
        &'a self,
        id: &'a IncidentId,
        lease: &'a Lease,
        over: Option<&'a Tag>,
    ) -> StoreFuture<'a, Tag> {
        self.inner.put_lease(id, lease, over)
    }
    fn incidents(&self) -> StoreFuture<'_, Vec<IncidentId>> {
        self.inner.incidents()
    }
}

#[tokio::test(start_paused = true)]
async fn a_console_whose_entry_another_wrote_stops_driving_and_names_who() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::new(start()));
    let inner = memory();
    let store = Arc::new(Contested {
        inner: inner.clone(),
        at: 5,
        rival: who("bob"),
    });
    let alice = driving(seat(store, "alice", &clock)).await;
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run.journal");
    let (d, runner) = driver(&journal, &clock);
    let err = d.with_shared(alice).run().await.unwrap_err();
    let RunError::Shared(SharedError::Superseded { seq, by }) = &err else {
        panic!("{err}")
    };
    assert_eq!((*seq, by.clone()), (5, Some(who("bob"))));
    assert!(
        err.to_string().contains("another console wrote entry 5 of the shared journal (bob@bob-laptop (arn:aws:iam::123456789012:user/bob)): this console stops driving"),
        "{err}"
    );
    // Nothing ran after the refused entry: the steps that ran are those
    // whose start was shared before it.
    let shared = inner.entries(&incident(), 0).await.unwrap();
    let local = read_journal(&journal).unwrap();
    let started_before = local
        .iter()
        .filter(|e| e.seq < 5 && e.kind == "step.started")
        .count();
    assert!(
        runner.log().len() <= started_before,
        "{} ran, {started_before} shared",
        runner.log().len()
    );
    assert_eq!(shared[4].by, Some(who("bob")), "entry 5 is bob's");
    assert_eq!(compare(&local, &shared).first().map(|d| d.seq), Some(5));
}

/// A store that stops answering after `ok` appends.
struct Failing {
    inner: Arc<MemoryStore>,
    ok: u64,
    seen: AtomicU64,
}

impl IncidentStore for Failing {
    fn append<'a>(&'a self, id: &'a IncidentId, entry: &'a Entry) -> StoreFuture<'a, ()> {
        if self.seen.fetch_add(1, Ordering::SeqCst) >= self.ok {
            self.inner.set_down(true);
        }
        self.inner.append(id, entry)
    }
    fn entries<'a>(&'a self, id: &'a IncidentId, after: u64) -> StoreFuture<'a, Vec<Entry>> {
        self.inner.entries(id, after)
    }
    fn last_seq<'a>(&'a self, id: &'a IncidentId) -> StoreFuture<'a, u64> {
        self.inner.last_seq(id)
    }
    fn lease<'a>(&'a self, id: &'a IncidentId) -> StoreFuture<'a, Option<(Lease, Tag)>> {
        self.inner.lease(id)
    }
    fn put_lease<'a>(
        &'a self,
        id: &'a IncidentId,
        lease: &'a Lease,
        over: Option<&'a Tag>,
    ) -> StoreFuture<'a, Tag> {
        self.inner.put_lease(id, lease, over)
    }
    fn incidents(&self) -> StoreFuture<'_, Vec<IncidentId>> {
        self.inner.incidents()
    }
}

#[tokio::test(start_paused = true)]
async fn with_the_store_down_no_further_step_starts() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::new(start()));
    let inner = memory();
    let store = Arc::new(Failing {
        inner: inner.clone(),
        ok: 6,
        seen: AtomicU64::new(0),
    });
    let alice = driving(seat(store, "alice", &clock)).await;
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run.journal");
    let (d, runner) = driver(&journal, &clock);
    let err = d.with_shared(alice).run().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "shared incident: the shared journal did not store entry 7: shared journal unreachable: the store is down; no further step starts"
    );
    inner.set_down(false);
    let shared = inner.entries(&incident(), 0).await.unwrap();
    assert_eq!(shared.len(), 6);
    let local = read_journal(&journal).unwrap();
    let shared_starts = shared.iter().filter(|e| e.kind == "step.started").count();
    assert!(
        runner.log().len() <= shared_starts,
        "only steps the others could see ran"
    );
    assert!(
        local.len() >= 7,
        "the local journal keeps what S3 did not take"
    );
}

#[tokio::test(start_paused = true)]
async fn a_lease_taken_by_another_console_stops_the_next_step() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::new(start()));
    let store = memory();
    let alice = driving(seat(store.clone(), "alice", &clock)).await;
    // Bob's console overwrites the lease outright (no condition).
    let bobs = Lease::take(
        who("bob"),
        "session-bob",
        clock.now(),
        Duration::from_secs(30),
    );
    store.overwrite(
        &store.layout().lease(&incident()),
        &serde_json::to_vec(&bobs).unwrap(),
    );
    // Alice's next renewal, ten seconds on, finds it changed.
    tokio::time::sleep(Duration::from_secs(11)).await;
    assert_eq!(
        alice.lost().as_deref(),
        Some("bob@bob-laptop (arn:aws:iam::123456789012:user/bob) took it")
    );
    let dir = tempfile::tempdir().unwrap();
    let (d, runner) = driver(&dir.path().join("run.journal"), &clock);
    let err = d.with_shared(alice).run().await.unwrap_err();
    assert!(
        matches!(err, RunError::Shared(SharedError::LeaseLost(_))),
        "{err}"
    );
    assert!(runner.log().is_empty(), "no step started");
}

#[tokio::test(start_paused = true)]
async fn an_expired_lease_is_taken_over_only_as_it_was_read() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::new(start()));
    let store = memory();
    let alice = driving(seat(store.clone(), "alice", &clock)).await;
    // Alice's console dies: its lease is no longer renewed.
    drop(alice);
    tokio::time::sleep(Duration::from_secs(31)).await;
    let Joined::Expired { by, ago, tag } = seat(store.clone(), "bob", &clock).join().await.unwrap()
    else {
        panic!("the lease ran out")
    };
    assert_eq!((by, ago), (who("alice"), Duration::from_secs(1)));
    // Carol read it too, and takes it first: bob's takeover is refused.
    let carol = seat(store.clone(), "carol", &clock)
        .take_over(&tag)
        .await
        .unwrap();
    let err = seat(store.clone(), "bob", &clock)
        .take_over(&tag)
        .await
        .err()
        .unwrap();
    assert_eq!(
        err,
        StoreError::LeaseChanged {
            by: Some(who("carol"))
        }
    );
    assert!(carol.lost().is_none());
}

#[tokio::test(start_paused = true)]
async fn a_follower_says_when_nobody_drives_and_when_a_driver_is_back() {
    use drconsole::runtime::run::{Follow, RunSnapshot};
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::new(start()));
    let store = memory();
    let mut alice = driving(seat(store.clone(), "alice", &clock)).await;
    let first = seal_by(
        &Head::genesis(),
        start(),
        "run-1",
        "run.started",
        json!({}),
        Some(&who("alice")),
    );
    alice.store(std::slice::from_ref(&first)).await.unwrap();
    let follow = Follow {
        store: store.clone(),
        incident: incident(),
        plan: six_steps(),
        mode: Mode::Practice,
        poll: Duration::from_secs(1),
        lease: Duration::from_secs(30),
        clock: Arc::clone(&clock),
    };
    let (tx, rx) = tokio::sync::watch::channel(RunSnapshot::default());
    let following = tokio::spawn(async move { follow.run(vec![first], &tx).await });
    tokio::time::sleep(Duration::from_secs(25)).await;
    assert_eq!(
        rx.borrow().halted,
        None,
        "alice's lease is renewed: she drives"
    );
    // Alice's console dies; within a third of a lease after it runs out,
    // the follower's picture says nobody drives.
    drop(alice);
    tokio::time::sleep(Duration::from_secs(50)).await;
    let halted = rx.borrow().halted.clone().expect("nobody drives");
    assert!(
        halted.starts_with("nobody drives: the lease of alice@alice-laptop (arn:aws:iam::123456789012:user/alice) ran out "),
        "{halted}"
    );
    // Bob takes over: the follower's picture drops the warning.
    let Joined::Expired { tag, .. } = seat(store.clone(), "bob", &clock).join().await.unwrap()
    else {
        panic!("expired")
    };
    let _bob = seat(store.clone(), "bob", &clock)
        .take_over(&tag)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(11)).await;
    assert_eq!(rx.borrow().halted, None);
    // Alice: her lease, two renewals, one entry; bob: his takeover and a
    // renewal. None is the follower's.
    assert_eq!(store.writes(), 6);
    following.abort();
}
