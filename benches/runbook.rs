//! Runbook figures from issue 4: journal append with fsync (target at
//! least 1,000 entries/s), verifying 100,000 entries (under 1 s), and the
//! engine's own overhead per step (under 1 ms).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use drconsole::domain::journal::{Entry, Head, seal};
use drconsole::domain::runbook::engine::Engine;
use drconsole::domain::runbook::plan::{
    Operation, Plan, PlannedStep, PracticeEffect, Retry, RollbackTrigger, SourcePos,
};
use drconsole::domain::runbook::protocol::{Command, Event, Mode, Outcome};
use drconsole::domain::runbook::template::Template;
use drconsole::domain::time::Timestamp;
use drconsole::runtime::journal_file::{JournalWriter, head_path, verify_file};
use serde_json::json;

fn at(i: u64) -> Timestamp {
    Timestamp::from_millis(1_795_000_000_000 + i64::try_from(i).unwrap())
}

fn append(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut w = JournalWriter::create(&dir.path().join("bench.jsonl"), "bench").unwrap();
    let mut i = 0u64;
    let mut group = c.benchmark_group("journal");
    group.throughput(Throughput::Elements(1));
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(8));
    group.bench_function("append + fsync one entry", |b| {
        b.iter(|| {
            i += 1;
            w.append(
                at(i),
                "step.started",
                json!({"task": {"step": {"phase": "step", "index": 3}}, "attempt": 1, "operation": "kubectl scale --replicas=3"}),
            )
            .unwrap();
        });
    });
    let mut w16 = JournalWriter::create(&dir.path().join("batch.jsonl"), "bench").unwrap();
    group.throughput(Throughput::Elements(16));
    group.bench_function("append_batch 16 entries, one fsync", |b| {
        b.iter(|| {
            let items = (0..16)
                .map(|_| {
                    i += 1;
                    (
                        at(i),
                        "step.started".to_owned(),
                        json!({"task": {"step": {"phase": "step", "index": 3}}, "attempt": 1, "operation": "kubectl scale --replicas=3"}),
                    )
                })
                .collect();
            w16.append_batch(items).unwrap();
        });
    });
    group.finish();
}

fn verify(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    let mut text = String::new();
    let mut head = Head::genesis();
    for i in 1..=100_000u64 {
        let e: Entry = seal(
            &head,
            at(i),
            "bench",
            "step.passed",
            json!({"task": {"step": {"phase": "step", "index": i % 40}}, "attempt": 1, "exit": 0, "output": "ok"}),
        );
        text.push_str(&e.line());
        text.push('\n');
        head = e.head();
    }
    std::fs::write(&path, text).unwrap();
    std::fs::write(head_path(&path), serde_json::to_string(&head).unwrap()).unwrap();
    let mut group = c.benchmark_group("journal");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("verify 100000 entries", |b| {
        b.iter(|| assert_eq!(verify_file(black_box(&path)).unwrap().entries, 100_000));
    });
    group.finish();
}

fn step(i: usize) -> PlannedStep {
    PlannedStep {
        name: format!("step-{i}"),
        description: None,
        pos: SourcePos::default(),
        operation: Operation::Shell(
            Template::parse("kubectl --context=${REGION} scale statefulset validator --replicas=3")
                .unwrap(),
        ),
        verify: None,
        timeout: Some(Duration::from_mins(1)),
        retry: Retry::default(),
        poll: None,
        expect: None,
        question: None,
        gate: None,
        destructive: false,
        rollback: None,
        practice: PracticeEffect::None,
        capture: None,
        on_pass: None,
    }
}

fn engine(c: &mut Criterion) {
    const STEPS: usize = 100;
    let plan = Plan {
        name: "bench".into(),
        version: "1".into(),
        source: "bench.yaml".into(),
        rto: Some(Duration::from_mins(15)),
        rpo: None,
        vars: [("REGION".to_owned(), "eu-west-1".to_owned())].into(),
        pre_checks: vec![],
        steps: (0..STEPS).map(step).collect(),
        post_checks: vec![],
        rollback: vec![],
        rollback_trigger: RollbackTrigger::OnRequest,
        fingerprint: "bench".into(),
    };
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(STEPS as u64));
    group.bench_function("100 steps start to finish (per element = per step)", |b| {
        b.iter(|| {
            let mut e = Engine::new(plan.clone(), Mode::Practice, "bench");
            let mut pending = e.handle(Event::Start { at: at(0) });
            let mut t = 0;
            loop {
                let job = pending.into_iter().find_map(|c| match c {
                    Command::Run(j) => Some(j),
                    _ => None,
                });
                let Some(job) = job else { break };
                t += 1;
                pending = e.handle(Event::Finished {
                    at: at(t),
                    task: job.task,
                    attempt: job.attempt,
                    outcome: Outcome::ok("ok"),
                });
            }
            assert!(e.is_finished());
        });
    });
    group.finish();
}

criterion_group!(benches, append, verify, engine);
criterion_main!(benches);
