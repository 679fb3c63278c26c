//! The referee: each bug the two old copies had, events in any order, a
//! flapping service, a service never restored, no disruption at all.
#![allow(clippy::expect_used)]

use std::collections::BTreeMap;

use super::*;
use crate::domain::drill::moments::Happening;
use crate::domain::drill::scenario::{Criterion, ExpectedRunbook, Inject, InjectKind};

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn scenario() -> Scenario {
    let inject = |name: &str, at: u64, fault: &str, disruptive: bool| Inject {
        name: name.into(),
        at: Some(secs(at)),
        kind: InjectKind::Fault(fault.parse().expect("a fault")),
        disruptive,
        facilitator_note: None,
    };
    Scenario {
        runbooks: ["regional-failover.yaml", "chain-state-restore.yaml"]
            .into_iter()
            .map(|p| ExpectedRunbook {
                path: p.into(),
                vars: BTreeMap::new(),
            })
            .collect(),
        criteria: vec![
            Criterion::ServiceRestored,
            Criterion::WithinRto,
            Criterion::WithinRpo,
            Criterion::RunbookCompleted("chain-state-restore.yaml".into()),
        ],
        ..Scenario::with_injects(vec![
            inject("false-alarm", 60, "health-check-failure eu-west-1", false),
            inject("down", 120, "region-down us-east-1", true),
        ])
    }
}

fn sample(at: u64, up: bool) -> Event {
    Event::Sample(ServiceSample {
        at: secs(at),
        api_healthy: up,
        blocks_committing: up,
        compromised_key_signing: false,
        signing_percent: 0,
        lag_seconds: 0,
    })
}

fn inject(at: u64, name: &str, disruptive: bool, applied: Result<(), String>) -> Event {
    Event::Inject {
        at: secs(at),
        name: name.into(),
        disruptive,
        applied,
    }
}

fn referee(events: impl IntoIterator<Item = Event>) -> Referee {
    let mut r = Referee::new(scenario());
    r.control(DrillEvent::Start);
    for e in events {
        r.observe(e);
    }
    r
}

#[test]
fn a_non_disruptive_fault_does_not_start_the_outage() {
    let r = referee([
        sample(30, true),
        inject(60, "false-alarm", false, Ok(())),
        sample(61, true),
        sample(119, true),
        inject(120, "down", true, Ok(())),
        sample(121, false),
        sample(400, true),
    ]);
    assert_eq!(r.outage_start(), Some(secs(120)));
    assert_eq!(r.score().rto, Some(secs(280)));
}

#[test]
fn a_refused_inject_starts_nothing_and_is_reported() {
    let mut r = referee([inject(
        120,
        "down",
        true,
        Err("unknown region us-east-9".into()),
    )]);
    r.observe(sample(130, false));
    assert_eq!(r.outage_start(), None, "a fault that did not apply");
    assert_eq!(r.score().rto, Some(Duration::ZERO));
    assert_eq!(r.refused().len(), 1);
    assert!(r.drill().moments().iter().any(|m| m.what
        == Happening::InjectRefused {
            name: "down".into(),
            reason: "unknown region us-east-9".into()
        }));
    let report = r.report(Timestamp::from_secs(0), "simulated", EstateAtEnd::default());
    assert_eq!(report.refused_injects.len(), 1);
    let md = report.to_markdown();
    assert!(
        md.contains("inject down REFUSED by the estate: unknown region us-east-9"),
        "on the timeline: {md}"
    );
    assert!(
        md.contains("inject down at T+02:00 was refused by the estate"),
        "in what to improve: {md}"
    );
    assert!(
        report
            .to_json()
            .expect("json")
            .contains("\"refused_injects\""),
        "in report.json"
    );
    let clean = referee([]).report(Timestamp::from_secs(0), "simulated", EstateAtEnd::default());
    assert!(
        !clean.to_json().expect("json").contains("refused_injects"),
        "absent when nothing was refused"
    );
}

#[test]
fn a_restore_counts_as_data_loss_as_a_promotion_does() {
    let r = referee([
        Event::Promotion {
            at: secs(300),
            from: "us-east-1".into(),
            to: "eu-west-1".into(),
            lag: secs(4),
        },
        Event::Restore {
            at: secs(400),
            region: "eu-west-1".into(),
            snapshot: Timestamp::from_secs(0),
            age: Duration::from_mins(70),
        },
    ]);
    let score = r.score();
    assert_eq!(score.rpo, Duration::from_mins(70));
    assert_eq!(score.losses.len(), 2);
    assert!(score.losses[1].cause.starts_with("restored eu-west-1"));
}

#[test]
fn the_runbook_credited_is_the_one_whose_run_recovered() {
    let r = referee([
        Event::RunStarted {
            at: secs(200),
            run: RunId(0),
            runbook: "regional-failover.yaml".into(),
        },
        Event::RunFinished {
            at: secs(250),
            run: RunId(0),
            outcome: Some(RunOutcome::Aborted),
        },
        Event::RunStarted {
            at: secs(260),
            run: RunId(1),
            runbook: "chain-state-restore.yaml".into(),
        },
        Event::RunFinished {
            at: secs(500),
            run: RunId(1),
            outcome: Some(RunOutcome::Recovered),
        },
        // A repeat of the end, and a run the drill never started.
        Event::RunFinished {
            at: secs(501),
            run: RunId(1),
            outcome: Some(RunOutcome::Recovered),
        },
        Event::RunFinished {
            at: secs(502),
            run: RunId(7),
            outcome: Some(RunOutcome::Recovered),
        },
    ]);
    assert_eq!(r.recovered_by(), ["chain-state-restore.yaml"]);
    let report = r.report(Timestamp::from_secs(0), "simulated", EstateAtEnd::default());
    let completed = report
        .tests
        .iter()
        .find(|t| t.name == "runbook_completed_chain-state-restore.yaml")
        .expect("criterion");
    assert_eq!(completed.status, super::super::report::Status::Passed);
    let words: Vec<String> = r
        .drill()
        .moments()
        .iter()
        .map(super::super::moments::describe)
        .collect();
    assert!(words.contains(&"runbook regional-failover.yaml aborted".to_owned()));
    assert!(words.contains(&"runbook chain-state-restore.yaml recovered".to_owned()));
    assert_eq!(
        words.iter().filter(|w| w.ends_with("recovered")).count(),
        1,
        "{words:?}"
    );
}

#[test]
fn events_in_a_different_order_give_the_same_score() {
    let events = vec![
        inject(120, "down", true, Ok(())),
        sample(100, true),
        sample(130, false),
        Event::Promotion {
            at: secs(300),
            from: "us-east-1".into(),
            to: "eu-west-1".into(),
            lag: secs(4),
        },
        sample(400, true),
        Event::Restore {
            at: secs(410),
            region: "eu-west-1".into(),
            snapshot: Timestamp::from_secs(0),
            age: secs(90),
        },
        sample(500, true),
    ];
    let forward = referee(events.clone()).score();
    let backward = referee(events.into_iter().rev()).score();
    assert_eq!(forward.rto, Some(secs(280)));
    assert_eq!(forward.rto, backward.rto);
    assert_eq!(forward.restored_at, backward.restored_at);
    assert_eq!(forward.rpo, secs(90));
    assert_eq!(forward.rpo, backward.rpo);
    // The outage starts at the earliest disruptive inject, whichever came first.
    let r = referee([
        inject(300, "late", true, Ok(())),
        inject(120, "down", true, Ok(())),
    ]);
    assert_eq!(r.outage_start(), Some(secs(120)));
}

#[test]
fn a_flapping_service_counts_to_its_last_recovery() {
    let r = referee([
        sample(10, true),
        inject(120, "down", true, Ok(())),
        inject(180, "down", true, Ok(())),
        sample(125, false),
        sample(400, true),
        sample(410, false),
        sample(700, true),
        sample(800, true),
    ]);
    let score = r.score();
    assert_eq!(score.rto, Some(secs(580)));
    assert_eq!(score.restored_at, Some(secs(700)));
    assert_eq!(r.service_up(), Some(true));
}

#[test]
fn never_restored_has_no_rto_and_half_a_service_is_not_restored() {
    let r = referee([inject(60, "down", true, Ok(())), sample(70, false)]);
    assert_eq!(r.score().rto, None);
    assert_eq!(r.service_up(), Some(false));
    let report = r.report(Timestamp::from_secs(0), "simulated", EstateAtEnd::default());
    assert!(!report.passed());
    let half = referee([
        inject(0, "down", true, Ok(())),
        Event::Sample(ServiceSample {
            at: secs(5),
            api_healthy: true,
            blocks_committing: false,
            compromised_key_signing: false,
            signing_percent: 0,
            lag_seconds: 0,
        }),
    ]);
    assert_eq!(half.score().rto, None);
}

#[test]
fn no_disruption_at_all_is_an_rto_of_zero() {
    let r = referee([
        sample(10, true),
        inject(60, "false-alarm", false, Ok(())),
        sample(70, false),
    ]);
    assert_eq!(r.outage_start(), None);
    assert_eq!(r.score().rto, Some(Duration::ZERO));
    assert_eq!(r.score().rpo, Duration::ZERO);
    let r = referee([inject(60, "down", true, Ok(())), sample(70, true)]);
    assert_eq!(r.score().rto, Some(Duration::ZERO), "untouched service");
}

fn run0() -> Event {
    Event::RunStarted {
        at: secs(100),
        run: RunId(0),
        runbook: "regional-failover.yaml".into(),
    }
}

#[test]
fn gates_keep_the_dashboard_they_opened_with_and_who_answered() {
    let r = referee([
        run0(),
        Event::GateOpened {
            at: secs(110),
            run: RunId(0),
            step: "fence".into(),
            dashboard: "us-east-1 UNHEALTHY".into(),
        },
        Event::GateOpened {
            at: secs(115),
            run: RunId(0),
            step: "fence".into(),
            dashboard: "later".into(),
        },
        Event::GateAnswered {
            at: secs(150),
            run: RunId(0),
            step: "fence".into(),
            approvers: vec!["alice".into()],
            reason: "down".into(),
            declined: false,
        },
        Event::GateAnswered {
            at: secs(200),
            run: RunId(0),
            step: "promote".into(),
            approvers: vec!["bob".into()],
            reason: "ok".into(),
            declined: true,
        },
        Event::GateAnswered {
            at: secs(210),
            run: RunId(3),
            step: "other".into(),
            approvers: Vec::new(),
            reason: String::new(),
            declined: false,
        },
    ]);
    let gates = r.gates();
    assert_eq!(
        gates.len(),
        2,
        "a run the drill did not start is not judged"
    );
    assert_eq!(
        (gates[0].opened_seconds, gates[0].waited_seconds),
        (110, 40)
    );
    assert_eq!(gates[0].dashboard, "us-east-1 UNHEALTHY");
    assert_eq!(gates[0].runbook, "regional-failover.yaml");
    assert_eq!(gates[1].reason, "declined");
    assert!(gates[1].approvers.is_empty());
    assert_eq!(
        (gates[1].opened_seconds, gates[1].waited_seconds),
        (200, 0),
        "answered without being seen open"
    );
}

#[test]
fn steps_are_timed_once_and_unfinished_ones_say_so() {
    let mut r = referee([
        run0(),
        Event::StepStarted {
            at: secs(100),
            run: RunId(0),
            step: "fence".into(),
        },
        Event::StepStarted {
            at: secs(120),
            run: RunId(0),
            step: "fence".into(),
        },
        Event::StepFinished {
            at: secs(140),
            run: RunId(0),
            step: "fence".into(),
            outcome: "passed".into(),
        },
        Event::StepFinished {
            at: secs(160),
            run: RunId(0),
            step: "fence".into(),
            outcome: "failed".into(),
        },
        Event::StepFinished {
            at: secs(90),
            run: RunId(0),
            step: "check".into(),
            outcome: "passed".into(),
        },
        Event::StepStarted {
            at: secs(150),
            run: RunId(0),
            step: "promote".into(),
        },
    ]);
    r.control(DrillEvent::Reached(secs(300)));
    let steps = r.steps();
    let got: Vec<(&str, &str, u64, u64)> = steps
        .iter()
        .map(|s| {
            (
                s.step.as_str(),
                s.outcome.as_str(),
                s.started_seconds,
                s.duration_seconds,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("check", "passed", 90, 0),
            ("fence", "passed", 100, 40),
            ("promote", "unfinished", 150, 150),
        ]
    );
}

#[test]
fn notes_go_on_the_timeline_with_their_kind() {
    let r = referee([Event::Note("decision: fail over".into())]);
    assert!(r.drill().moments().iter().any(|m| matches!(
        &m.what,
        Happening::Note { text, .. } if text == "fail over"
    )));
}
