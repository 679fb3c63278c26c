//! The drill state machine: injects in order, controls, notes.

use super::*;
use crate::domain::drill::moments::NoteKind;
use crate::domain::drill::scenario::InjectKind;
use crate::domain::drill::scenario::{Inject, Scenario};

fn inject(name: &str, at: Option<u64>, kind: InjectKind, disruptive: bool) -> Inject {
    Inject {
        name: name.into(),
        at: at.map(Duration::from_secs),
        kind,
        disruptive,
        facilitator_note: None,
    }
}

fn scenario() -> Scenario {
    Scenario::with_injects(vec![
        inject(
            "msg",
            Some(180),
            InjectKind::Message {
                from: None,
                text: "users report errors".into(),
            },
            false,
        ),
        inject(
            "hc",
            Some(120),
            InjectKind::Fault("health-check-failure us-east-1".parse().expect("a fault")),
            true,
        ),
        inject(
            "down",
            Some(180),
            InjectKind::Fault("region-down us-east-1".parse().expect("a fault")),
            true,
        ),
        inject("spare", None, InjectKind::ClearFaults, false),
    ])
}

fn applied(cmds: &[DrillCommand]) -> Vec<String> {
    cmds.iter()
        .filter_map(|c| match c {
            DrillCommand::Apply(i) => Some(i.kind.describe()),
            _ => None,
        })
        .collect()
}

#[test]
fn injects_fire_in_time_order_once() {
    let mut d = Drill::new(scenario());
    assert!(
        d.handle(DrillEvent::Reached(Duration::from_mins(5)))
            .is_empty(),
        "nothing before start"
    );
    assert_eq!(d.handle(DrillEvent::Start), vec![DrillCommand::Clock(true)]);
    assert!(applied(&d.handle(DrillEvent::Reached(Duration::from_secs(119)))).is_empty());
    assert_eq!(
        applied(&d.handle(DrillEvent::Reached(Duration::from_mins(2)))),
        ["fault: health-check-failure us-east-1"]
    );
    let both = applied(&d.handle(DrillEvent::Reached(Duration::from_secs(200))));
    assert_eq!(
        both,
        ["\"users report errors\"", "fault: region-down us-east-1"],
        "same time: file order"
    );
    assert!(applied(&d.handle(DrillEvent::Reached(Duration::from_secs(400)))).is_empty());
}

#[test]
fn skip_jumps_to_the_next_inject_and_hand_injects_fire_once() {
    let mut d = Drill::new(scenario());
    d.handle(DrillEvent::Start);
    assert_eq!(
        d.handle(DrillEvent::SkipToNext),
        vec![DrillCommand::JumpTo(Duration::from_mins(2))]
    );
    assert_eq!(
        applied(&d.handle(DrillEvent::InjectByHand(3))),
        ["all faults cleared"]
    );
    assert!(d.handle(DrillEvent::InjectByHand(3)).is_empty());
    assert_eq!(
        applied(&d.handle(DrillEvent::InjectByHand(2))),
        ["fault: region-down us-east-1"]
    );
    d.handle(DrillEvent::Reached(Duration::from_mins(3)));
    assert!(d.fired(0) && d.fired(1) && d.fired(2));
    assert_eq!(
        d.handle(DrillEvent::SkipToNext),
        Vec::new(),
        "nothing left to skip to"
    );
}

#[test]
fn pause_speed_and_end() {
    let mut d = Drill::new(scenario());
    assert!(
        d.handle(DrillEvent::Pause).is_empty(),
        "cannot pause a briefing"
    );
    d.handle(DrillEvent::Start);
    assert_eq!(
        d.handle(DrillEvent::Pause),
        vec![DrillCommand::Clock(false)]
    );
    assert_eq!(d.phase(), Phase::Paused);
    assert_eq!(
        d.handle(DrillEvent::Resume),
        vec![DrillCommand::Clock(true)]
    );
    assert_eq!(
        d.handle(DrillEvent::Speed(10)),
        vec![DrillCommand::SetSpeed(10)]
    );
    assert!(
        d.handle(DrillEvent::Speed(7)).is_empty(),
        "only 1x, 2x, 10x"
    );
    let end = d.handle(DrillEvent::Reached(Duration::from_mins(30)));
    assert!(end.contains(&DrillCommand::Finish));
    assert_eq!(d.phase(), Phase::Ended);
    assert!(d.handle(DrillEvent::Start).is_empty());
}

#[test]
fn annotations_keep_their_kind_and_time() {
    let mut d = Drill::new(scenario());
    d.handle(DrillEvent::Start);
    d.handle(DrillEvent::Reached(Duration::from_secs(90)));
    d.handle(DrillEvent::Annotate(
        "Decision: fail over to eu-west-1".into(),
    ));
    d.handle(DrillEvent::Annotate("  ".into()));
    d.handle(DrillEvent::Annotate("dashboards lag behind".into()));
    let notes: Vec<_> = d
        .moments()
        .iter()
        .filter_map(|m| match &m.what {
            Happening::Note { kind, text } => Some((m.at, *kind, text.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        notes,
        vec![
            (
                Duration::from_secs(90),
                NoteKind::Decision,
                "fail over to eu-west-1".to_string()
            ),
            (
                Duration::from_secs(90),
                NoteKind::Note,
                "dashboards lag behind".to_string()
            ),
        ]
    );
}

#[test]
fn each_note_kind_is_its_prefix_in_any_case_and_nothing_else() {
    use crate::domain::drill::moments::{NoteKind, split_note};
    for (text, kind, rest) in [
        (
            "strength: calm hand-over",
            NoteKind::Strength,
            "calm hand-over",
        ),
        (
            "Improve: the page was late",
            NoteKind::Improve,
            "the page was late",
        ),
        ("DECISION: fail over", NoteKind::Decision, "fail over"),
        (
            "question: who owns DNS?",
            NoteKind::Question,
            "who owns DNS?",
        ),
        ("action: fix; owner: a", NoteKind::Action, "fix; owner: a"),
        (
            "finding: the lag graph helped",
            NoteKind::Finding,
            "the lag graph helped",
        ),
        (
            "actionable: not an action",
            NoteKind::Note,
            "actionable: not an action",
        ),
        ("just a note", NoteKind::Note, "just a note"),
    ] {
        assert_eq!(split_note(text), (kind, rest.to_owned()), "{text}");
    }
}
