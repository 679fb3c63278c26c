//! End-to-end: a facilitator runs a tabletop drill in the real binary
//! (tmux): start, an inject changes the dashboard, a participant runs a
//! practice runbook step, a note is taken, the drill ends, and the report
//! names the note.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use support::tmux::{Tmux, binary};

#[test]
fn facilitator_runs_a_drill_to_its_report() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report");
    // Steps take their simulated time; at ten times real time the fence
    // (half a minute of pod shutdown at most) passes in seconds.
    let cmd = format!(
        "sh -c '{} --speed 10 --start 2026-11-26T03:00:00Z drill runbooks/drills/region-failure.yaml --report {}; echo EXIT=$?; sleep 600'",
        binary(),
        report.display()
    );
    let t = Tmux::start("drill", &cmd, 150, 45);
    t.wait_for(&[
        "DRILL",
        "BRIEFING",
        "Complete region failure",
        "Objectives",
        "health-checks-fail",
    ]);
    t.keys(&["s"]);
    t.wait_for(&["RUNNING"]);
    t.keys(&["n"]);
    t.wait_for(&["inject health-checks-fail"]);
    t.keys(&["F2"]);
    t.wait_until("the inject on the dashboard", |s| {
        s.contains("SIMULATED ESTATE")
            && s.lines()
                .any(|l| l.contains("us-east-1") && l.contains("UNHEALTHY"))
    });
    t.keys(&["F2"]);
    t.wait_for(&["DRILL", "RUNNING"]);
    t.keys(&["r"]);
    t.wait_for(&["PRACTICE", "GATE: fence_failing_validators"]);
    t.type_text("fence us-east-1");
    t.keys(&["Enter"]);
    t.type_text("alice");
    t.keys(&["Enter"]);
    t.type_text("drill: us-east-1 lost");
    t.keys(&["Enter"]);
    t.wait_until("the fencing step to pass", |s| {
        s.lines()
            .any(|l| l.contains("✓ passed") && l.contains("fence_failing_validators"))
    });
    t.keys(&["Escape"]);
    t.wait_for(&["Enter: answer this gate"]);
    t.keys(&["F2"]);
    t.wait_for(&["DRILL"]);
    t.keys(&["a"]);
    t.type_text("finding: the dashboard lagged the page by a minute");
    t.keys(&["Enter"]);
    t.wait_for(&["finding: the dashboard lagged"]);
    t.keys(&["e"]);
    t.wait_for(&["End the drill"]);
    t.keys(&["y"]);
    t.wait_for(&["report written to"]);
    let md = std::fs::read_to_string(report.join("report.md")).unwrap();
    let html = std::fs::read_to_string(report.join("report.html")).unwrap();
    assert!(
        html.contains("<svg") && html.contains("the dashboard lagged"),
        "report.html beside report.md"
    );
    assert!(
        md.contains("the dashboard lagged the page by a minute"),
        "{md}"
    );
    assert!(
        md.contains("fence_failing_validators"),
        "the gate is in the report:\n{md}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report.join("report.json")).unwrap())
            .unwrap();
    assert_eq!(json["environment"], "simulated");
    assert!(json["summary"]["total"].as_u64().unwrap() >= 1);
    t.keys(&["F2"]);
    t.wait_for(&["SIMULATED ESTATE"]);
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
    // Leaving, the facilitator is told where the report is.
    let after = t.scrollback();
    assert!(
        after
            .lines()
            .any(|l| l.contains("report written to") && l.contains(&report.display().to_string())),
        "{after}"
    );
}
