//! The first page's pieces: objectives scored with evidence, action items
//! with owners and due dates, participants from the gates.

use std::time::Duration;

use super::*;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn outage_from(start: Option<u64>) -> Score {
    Score {
        disrupted_at: start.map(secs),
        restored_at: Some(secs(600)),
        rto: start.map(|s| secs(600 - s)),
        rpo: secs(10),
        losses: Vec::new(),
    }
}

fn note(at: u64, kind: NoteKind, text: &str) -> Moment {
    Moment {
        at: secs(at),
        what: Happening::Note {
            kind,
            text: text.into(),
        },
    }
}

fn within(limit: u64) -> Vec<Objective> {
    vec![Objective {
        text: "Recognise the outage within 5 minutes".into(),
        measure: Some(Measure::FirstResponseWithin(secs(limit))),
    }]
}

#[test]
fn the_first_response_after_the_outage_scores_a_response_objective() {
    // A decision before the outage is not a response to it.
    let moments = vec![
        note(60, NoteKind::Decision, "wait and see"),
        note(100, NoteKind::Strength, "calm"),
        note(400, NoteKind::Decision, "fail over"),
    ];
    let r = score_objectives(&within(300), &[], &moments, &outage_from(Some(120)));
    assert_eq!(r[0].status, ObjectiveStatus::Met);
    assert_eq!(
        r[0].evidence,
        "decision: fail over, 4m40s after the outage began at T+02:00 (limit 5m)"
    );
    assert_eq!(r[0].at.as_deref(), Some("T+06:40"));
    // At the limit it is met; a second past, not.
    assert_eq!(
        score_objectives(&within(280), &[], &moments, &outage_from(Some(120)))[0].status,
        ObjectiveStatus::Met
    );
    assert_eq!(
        score_objectives(&within(279), &[], &moments, &outage_from(Some(120)))[0].status,
        ObjectiveStatus::NotMet
    );
    // A runbook started counts as a response too.
    let run = vec![Moment {
        at: secs(130),
        what: Happening::RunStarted {
            runbook: "regional-failover.yaml".into(),
        },
    }];
    let r = score_objectives(&within(300), &[], &run, &outage_from(Some(120)));
    assert_eq!(r[0].status, ObjectiveStatus::Met);
    assert!(
        r[0].evidence
            .starts_with("runbook regional-failover.yaml started, 10s after")
    );
}

#[test]
fn no_response_or_no_outage_is_said_not_guessed() {
    let r = score_objectives(&within(300), &[], &[], &outage_from(Some(120)));
    assert_eq!(r[0].status, ObjectiveStatus::NotMet);
    assert_eq!(
        r[0].evidence,
        "no decision and no runbook after the outage began at T+02:00 (limit 5m)"
    );
    let r = score_objectives(&within(300), &[], &[], &outage_from(None));
    assert_eq!(r[0].status, ObjectiveStatus::NotScored);
}

#[test]
fn a_criterion_scores_its_objective_and_a_plain_one_is_not_scored() {
    let objectives = vec![
        Objective {
            text: "Within the RTO".into(),
            measure: Some(Measure::Criterion("rto_within_target".into())),
        },
        Objective {
            text: "Talk to each other".into(),
            measure: None,
        },
    ];
    let tests = vec![TestResult {
        name: "rto_within_target".into(),
        status: Status::Failed,
        details: "RTO 1000s against a target of 900s".into(),
    }];
    let r = score_objectives(&objectives, &tests, &[], &outage_from(Some(0)));
    assert_eq!(r[0].status, ObjectiveStatus::NotMet);
    assert_eq!(
        r[0].evidence,
        "rto_within_target: RTO 1000s against a target of 900s"
    );
    assert_eq!(r[0].at.as_deref(), Some("T+10:00"));
    assert_eq!(r[1].status, ObjectiveStatus::NotScored);
}

#[test]
fn an_action_note_gives_its_owner_and_due_date_in_any_order() {
    let a = action_item(
        "quiet the pre-check; due: 2026-02-01; owner: alice",
        secs(720),
    );
    assert_eq!(a.action, "quiet the pre-check");
    assert_eq!(a.owner.as_deref(), Some("alice"));
    assert_eq!(a.due.as_deref(), Some("2026-02-01"));
    assert_eq!(a.noted, "T+12:00");
    assert_eq!(a.problem, None);
    // Without them, the report says so rather than invent one.
    let a = action_item("write the runbook for DNS", secs(0));
    assert_eq!((a.owner, a.due, a.problem), (None, None, None));
    // A date that is not one is named; other parts stay in the text.
    let a = action_item(
        "fix it; Owner: Bob; due: 2026-02-30; in staging first",
        secs(0),
    );
    assert_eq!(a.action, "fix it; in staging first");
    assert_eq!(a.owner.as_deref(), Some("Bob"));
    assert_eq!(a.due, None);
    assert_eq!(
        a.problem.as_deref(),
        Some("due \"2026-02-30\" is not a date (YYYY-MM-DD)")
    );
}

#[test]
fn participants_are_who_approved_gates_each_once() {
    let gate = |step: &str, approvers: &[&str]| GateRecord {
        runbook: "rf.yaml".into(),
        step: step.into(),
        opened_seconds: 0,
        waited_seconds: 0,
        approvers: approvers.iter().map(|a| (*a).to_owned()).collect(),
        reason: String::new(),
        dashboard: String::new(),
    };
    let p = participants(&[
        gate("fence", &["alice"]),
        gate("promote", &["alice", "bob"]),
        gate("promote", &["alice"]),
    ]);
    assert_eq!(
        p,
        vec![
            Participant {
                name: "alice".into(),
                approved: vec!["rf.yaml / fence".into(), "rf.yaml / promote".into()],
            },
            Participant {
                name: "bob".into(),
                approved: vec!["rf.yaml / promote".into()],
            },
        ]
    );
}
