//! What a shared incident costs, against moto on 127.0.0.1:
//!
//! (a) append latency of one journal entry to S3 (`If-None-Match: *`),
//!     p50 and p99 over 300 appends;
//! (b) follower delay: from an append being stored to a follower polling
//!     at the default 1 s having read it, over 30 appends;
//! (c) S3 requests per minute of an idle follower and of an idle driver
//!     (lease renewals only), counted by `CallCounter`, and what an hour
//!     costs at S3 Standard request prices.
//!
//! `cargo bench --bench incident` (after `tests/run.sh` has created the moto
//! venv, or with `DRCONSOLE_MOTO_PYTHON` set). Under `cargo test` the bench
//! is only built and exits at once.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss
)]

#[allow(dead_code)]
#[path = "../tests/support/incident.rs"]
mod incident;
#[allow(dead_code)]
#[path = "../tests/support/moto.rs"]
mod moto;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use drconsole::domain::incident::IncidentId;
use drconsole::domain::journal::{Author, Entry, Head, seal_by};
use drconsole::runtime::run::{Joined, Seat};
use drconsole::sources::aws::{CallCounter, Service};
use drconsole::sources::clock::{Clock, WallClock};
use drconsole::sources::incident::IncidentStore;
use moto::Moto;
use serde_json::json;

/// S3 Standard request prices (us-east-1, per 1,000 requests).
const PUT_LIST_PER_1000: f64 = 0.005;
const GET_PER_1000: f64 = 0.0004;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("incident: measures only under `cargo bench --bench incident`; skipped");
        return;
    }
    assert!(
        std::env::var_os("DRCONSOLE_MOTO_PYTHON").is_some(),
        "DRCONSOLE_MOTO_PYTHON is not set: run tests/run.sh once to create tests/.venv"
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let moto = Moto::start();
        let env = incident::environment(&moto).await;
        append_latency(&env).await;
        follower_delay(&env).await;
        idle_calls(&env).await;
    });
}

fn alice() -> Author {
    Author {
        arn: "arn:aws:iam::123456789012:user/alice".into(),
        user: "alice".into(),
        host: "bench".into(),
    }
}

fn next(last: Option<&Entry>, n: u64) -> Entry {
    let head = last.map_or_else(Head::genesis, Entry::head);
    seal_by(
        &head,
        WallClock.now(),
        "bench-run",
        "step.passed",
        json!({"step": n}),
        Some(&alice()),
    )
}

/// The `per_cent`th percentile (nearest rank) of sorted durations.
fn percentile(sorted: &[Duration], per_cent: usize) -> Duration {
    let i = (sorted.len() * per_cent).div_ceil(100).saturating_sub(1);
    sorted[i.min(sorted.len() - 1)]
}

async fn append_latency(env: &drconsole::domain::environment::Environment) {
    let c = incident::clients(env, &moto::options(None)).await;
    let id = IncidentId::parse("bench-append").unwrap();
    let mut last: Option<Entry> = None;
    let mut took = Vec::new();
    for n in 1..=300 {
        let e = next(last.as_ref(), n);
        let t = Instant::now();
        c.store.append(&id, &e).await.unwrap();
        took.push(t.elapsed());
        last = Some(e);
    }
    took.sort();
    println!(
        "(a) append to S3 (moto, loopback), 300 entries: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&took, 50).as_secs_f64() * 1e3,
        percentile(&took, 99).as_secs_f64() * 1e3,
        took.last().unwrap().as_secs_f64() * 1e3
    );
}

async fn follower_delay(env: &drconsole::domain::environment::Environment) {
    let poll = env.incident.as_ref().unwrap().poll;
    let driver = Arc::new(incident::clients(env, &moto::options(None)).await.store);
    let follower = incident::clients(env, &moto::options(None)).await.store;
    let id = IncidentId::parse("bench-follow").unwrap();
    let stored: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let (d, s, i) = (Arc::clone(&driver), Arc::clone(&stored), id.clone());
    let appender = tokio::spawn(async move {
        let mut last: Option<Entry> = None;
        for n in 1..=30 {
            tokio::time::sleep(Duration::from_millis(700)).await;
            let e = next(last.as_ref(), n);
            d.append(&i, &e).await.unwrap();
            s.lock().unwrap().push(Instant::now());
            last = Some(e);
        }
    });
    let mut seen: Vec<Instant> = Vec::new();
    while seen.len() < 30 {
        let new = follower.entries(&id, seen.len() as u64).await.unwrap();
        let now = Instant::now();
        seen.extend(new.iter().map(|_| now));
        tokio::time::sleep(poll).await;
    }
    appender.await.unwrap();
    let stored = stored.lock().unwrap().clone();
    let mut delays: Vec<Duration> = seen
        .iter()
        .zip(&stored)
        .map(|(s, a)| s.saturating_duration_since(*a))
        .collect();
    delays.sort();
    println!(
        "(b) follower delay at the default {} ms poll, 30 appends: p50 {:.0} ms, max {:.0} ms (the screen redraws within 33 ms of a new picture)",
        poll.as_millis(),
        percentile(&delays, 50).as_secs_f64() * 1e3,
        delays.last().unwrap().as_secs_f64() * 1e3
    );
}

async fn idle_calls(env: &drconsole::domain::environment::Environment) {
    let window = Duration::from_secs(30);
    let per_minute = |n: u64| n as f64 * 60.0 / window.as_secs_f64();
    // An idle follower: one listing per poll, nothing new to read.
    let counter = CallCounter::new();
    let store = incident::clients(env, &moto::options(Some(counter.clone())))
        .await
        .store;
    let id = IncidentId::parse("bench-follow").unwrap();
    let have = store.entries(&id, 0).await.unwrap().len() as u64;
    let before = counter.get(Service::S3);
    let poll = env.incident.as_ref().unwrap().poll;
    let until = Instant::now() + window;
    while Instant::now() < until {
        store.entries(&id, have).await.unwrap();
        tokio::time::sleep(poll).await;
    }
    let follower = per_minute(counter.get(Service::S3) - before);
    assert_eq!(counter.s3_writes(), 0);
    // An idle driver: the lease renewed every third of its 30 s.
    let counter = CallCounter::new();
    let store = incident::clients(env, &moto::options(Some(counter.clone())))
        .await
        .store;
    let clock: Arc<dyn Clock> = Arc::new(WallClock);
    let seat = Seat {
        store: Arc::new(store),
        incident: IncidentId::parse("bench-lease").unwrap(),
        author: alice(),
        session: "bench".into(),
        ttl: env.incident.as_ref().unwrap().lease,
        clock,
    };
    let Joined::Driving(held) = seat.join().await.unwrap() else {
        panic!("free lease")
    };
    let before = (counter.get(Service::S3), counter.s3_writes());
    tokio::time::sleep(window).await;
    let driver = per_minute(counter.get(Service::S3) - before.0);
    let driver_puts = per_minute(counter.s3_writes() - before.1);
    drop(held);
    let hour = |lists_puts: f64, gets: f64| {
        (lists_puts * PUT_LIST_PER_1000 + gets * GET_PER_1000) / 1000.0 * 60.0
    };
    println!(
        "(c) S3 requests per minute: idle follower {follower:.0} (LIST), idle driver {driver:.0} ({driver_puts:.0} PUT lease renewals); \
         per hour of an incident: follower ${:.4}, driver ${:.4}, plus $0.005 per 1000 journal entries",
        hour(follower, 0.0),
        hour(driver_puts, driver - driver_puts)
    );
}
