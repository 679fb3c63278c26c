//! End-to-end: `drconsole run` in a tmux pseudo-terminal. A practice
//! failover from start to its RTO result, answering every gate by typing;
//! and a live run killed with SIGKILL mid-step that resumes from its
//! journal with the step marked "outcome unknown", never silently rerun.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::process::Command;

use support::tmux::{Tmux, binary};

const FAILOVER_VARS: &str = "--var FAILING_REGION=us-east-1 --var TARGET_REGION=eu-west-1 \
     --var FAILING_REGION_HEALTH_CHECK_ID=hc-use1 --var TARGET_REGION_HEALTH_CHECK_ID=hc-euw1 \
     --var ZONE_ID=Z0PRACTICE";

fn run_cmd(args: &str) -> String {
    format!("sh -c '{} {args}; echo EXIT=$?; sleep 600'", binary())
}

/// The phrase a gate on screen asks for: after "type exactly", up to the
/// gap before the field (shown without quotes, so none get typed).
fn phrase(screen: &str) -> Option<String> {
    let line = screen.lines().find(|l| l.contains("type exactly"))?;
    let rest = line.split_once("type exactly")?.1.trim_start();
    let end = rest.find("  ").unwrap_or(rest.len());
    let p = rest[..end].trim_end_matches(['▏', '║']).trim();
    (!p.is_empty()).then(|| p.to_owned())
}

/// Answers the gate on screen: phrase, each approver, the reason.
fn answer_gate(t: &Tmux, screen: &str, n: usize) {
    if screen.contains("your judgement") {
        t.type_text("yes, checked");
        t.keys(&["Enter"]);
    }
    if let Some(p) = phrase(screen) {
        t.type_text(&p);
        t.keys(&["Enter"]);
    }
    let approvers = screen
        .lines()
        .filter(|l| l.contains("approver ") || l.contains("your name"))
        .count()
        .max(1);
    for i in 0..approvers {
        t.type_text(&format!("op{n}-{i}"));
        t.keys(&["Enter"]);
    }
    if screen
        .lines()
        .any(|l| l.trim_start_matches('║').starts_with("reason"))
    {
        t.type_text("practice failover drill");
        t.keys(&["Enter"]);
    }
}

#[test]
fn practice_failover_runs_to_its_rto_result() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("failover.journal");
    let t = Tmux::start(
        "runbook-practice",
        &run_cmd(&format!(
            "run runbooks/regional-failover.yaml --practice {FAILOVER_VARS} --journal {}",
            journal.display()
        )),
        140,
        45,
    );
    let first = t.wait_for(&["PRACTICE", "RTO clock", "GATE"]);
    assert!(
        first.contains("fence_failing_validators"),
        "fencing comes first:\n{first}"
    );
    let mut gates = Vec::new();
    for n in 0..40 {
        let s = t.wait_until("a gate or the end", |s| {
            s.contains("GATE") || s.contains("RECOVERED")
        });
        if s.contains("RECOVERED") {
            break;
        }
        let title = s
            .lines()
            .find(|l| l.contains("GATE"))
            .unwrap_or_default()
            .to_owned();
        gates.push(title.clone());
        answer_gate(&t, &s, n);
        t.wait_until("the gate to change", |s| {
            s.contains("RECOVERED") || !s.lines().any(|l| l == title)
        });
    }
    let end = t.wait_for(&["RECOVERED in", "within RTO", "(stopped)"]);
    assert!(
        gates.iter().any(|g| g.contains("promote_database")),
        "promotion is gated: {gates:?}"
    );
    assert!(
        gates.iter().any(|g| g.contains("update_dns")),
        "DNS change is gated: {gates:?}"
    );
    assert!(end.contains("✓ passed"), "{end}");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
    let verify = Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .args(["journal", "verify"])
        .arg(&journal)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    let shown = Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .args(["journal", "show"])
        .arg(&journal)
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.contains("promote_database"), "{shown}");
}

#[test]
fn kill_9_mid_step_resumes_as_outcome_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("slow.journal");
    let marker = format!("{}", 100 + std::process::id() % 800);
    let args = format!(
        "--env tests/fixtures/env/moto.toml run tests/fixtures/runbooks/slow-live.yaml --var MARKER={marker} --journal {}",
        journal.display()
    );
    // The binary runs directly in the pane so its pid is the pane's.
    let direct = format!("{} {args}", binary());
    let first = Tmux::start("runbook-kill", &direct, 120, 30);
    first.wait_for(&["LIVE: moto", "slow started"]);
    let pid = first.pane("pane_pid");
    assert!(
        Command::new("kill")
            .args(["-9", &pid])
            .status()
            .unwrap()
            .success()
    );
    // The step's own shell lives on after the kill; stop it so the host stays clean.
    let _ = Command::new("pkill")
        .args(["-f", &format!("sleep 47.{marker}")])
        .status();
    drop(first);

    let second = Tmux::start("runbook-resume", &run_cmd(&args), 120, 30);
    let s = second.wait_for(&[
        "OUTCOME UNKNOWN",
        "verify before retrying",
        "verified: mark passed",
    ]);
    assert!(s.contains("✓ passed          first"), "{s}");
    let started = |j: &str| {
        j.lines()
            .filter(|l| l.contains("step.started") && l.contains("\"index\":1"))
            .count()
    };
    assert_eq!(
        started(&std::fs::read_to_string(&journal).unwrap()),
        1,
        "the slow step was not rerun"
    );
    second.keys(&["v"]);
    let gate = second.wait_for(&["GATE on moto"]);
    answer_gate(&second, &gate, 0);
    let end = second.wait_for(&["RECOVERED in"]);
    assert!(end.contains("last"), "{end}");
    second.keys(&["q"]);
    assert_eq!(second.wait_exit(), 0);
    let lines = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(
        started(&lines),
        1,
        "marked passed after checking, still never rerun"
    );
    let verify = Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .args(["journal", "verify"])
        .arg(&journal)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
}

#[test]
fn colon_run_opens_a_practice_run_and_f2_shows_its_effect_on_the_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    // A path with a space, quoted on the `:run` line, arrives whole.
    let journal = dir.path().join("console run.journal");
    let t = Tmux::start(
        "runbook-colon",
        &run_cmd("--start 2026-11-26T03:00:00Z"),
        140,
        45,
    );
    t.wait_for(&["SIMULATED", "us-east-1"]);
    t.keys(&[":"]);
    t.type_text(&format!(
        "run runbooks/regional-failover.yaml {FAILOVER_VARS} --journal \"{}\"",
        journal.display()
    ));
    t.keys(&["Enter"]);
    let gate = t.wait_for(&["PRACTICE", "GATE: fence_failing_validators"]);
    answer_gate(&t, &gate, 0);
    t.wait_for(&["GATE: pause_traffic"]);
    t.keys(&["F2"]);
    // Fenced: us-east-1's 3 of 7 validators stopped, so the chain stalls.
    let dash = t.wait_until("the chain to stall on the dashboard", |s| {
        s.contains("SIMULATED") && (s.contains("✗ HALTED") || s.contains("! SLOW"))
    });
    assert!(
        !dash.contains("GATE: pause_traffic"),
        "F2 shows the dashboard:\n{dash}"
    );
    t.keys(&["F2"]);
    t.wait_for(&["GATE: pause_traffic"]);
    // Escape alone, then q: sent together a terminal reads them as Alt-q.
    t.keys(&["Escape"]);
    t.wait_for(&["Enter: answer this gate"]);
    t.keys(&["q"]);
    t.wait_for(&["Leave this run?"]);
    t.keys(&["y"]);
    t.wait_until("back on the dashboard", |s| {
        s.contains("SIMULATED") && !s.contains("RUNBOOK")
    });
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
    assert!(journal.is_file(), "the run kept its journal at {journal:?}");
}

/// Leaving a run before it ends prints where its journal is and the
/// exact command that resumes it; running that command picks the run up
/// at the gate it was waiting on.
#[test]
fn leaving_mid_run_prints_the_command_that_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("left.journal");
    let args = format!(
        "run runbooks/regional-failover.yaml --practice {FAILOVER_VARS} --journal {}",
        journal.display()
    );
    let t = Tmux::start("runbook-leave", &run_cmd(&args), 200, 50);
    t.wait_for(&["PRACTICE", "GATE"]);
    t.keys(&["Escape"]);
    t.keys(&["q"]);
    t.keys(&["y"]);
    let s = t.wait_for(&["To resume it:", "EXIT=0"]);
    let joined = s.replace('\n', "");
    assert!(
        joined.contains(&format!("its journal is {}.", journal.display())),
        "{s}"
    );
    let command = joined
        .split("To resume it:")
        .nth(1)
        .and_then(|rest| rest.split("EXIT=").next())
        .unwrap()
        .trim()
        .to_owned();
    assert!(
        command.contains(" run runbooks/regional-failover.yaml --practice "),
        "{command}"
    );
    assert!(command.contains("--var ZONE_ID=Z0PRACTICE"), "{command}");
    assert!(
        command.ends_with(&format!("--journal {}", journal.display())),
        "{command}"
    );
    eprintln!("resume command: {command}");
    // The printed command resumes: the same run, at its gate.
    let again = Tmux::start(
        "runbook-leave-again",
        &format!("sh -c '{}; sleep 600'", command.replace('\'', "'\\''")),
        200,
        50,
    );
    again.wait_for(&["PRACTICE", "GATE", "fence_failing_validators"]);
    let text = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(
        text.matches("\"run.started\"").count(),
        1,
        "resumed, not restarted"
    );
}

#[test]
fn a_live_notification_posts_with_secrets_from_the_environment_and_never_shows_them() {
    const TOKEN: &str = "E2ETOKEN0123abc";
    const KEY: &str = "E2EROUTINGKEY0123456789ABCDEFGHI";
    let capture = support::http_capture::Capture::start(|r| {
        if r.path == "/v2/enqueue" {
            (202, r#"{"status":"success"}"#.to_owned())
        } else {
            (200, "ok".to_owned())
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join("notify.toml");
    let base = std::fs::read_to_string("tests/fixtures/env/moto.toml").unwrap();
    std::fs::write(
        &env,
        format!(
            "{base}\n[notify.slack]\nurl_env = \"DRCONSOLE_E2E_SLACK_URL\"\n\
             [notify.pagerduty]\nrouting_key_env = \"DRCONSOLE_E2E_PD_KEY\"\n\
             events_url = \"{}/v2/enqueue\"\n",
            capture.base
        ),
    )
    .unwrap();
    let journal = dir.path().join("notify.journal");
    let command = format!(
        "sh -c 'DRCONSOLE_E2E_SLACK_URL={}/services/T0/B0/{TOKEN} DRCONSOLE_E2E_PD_KEY={KEY} \
         {} --env {} run tests/fixtures/runbooks/notify-live.yaml --journal {}; echo EXIT=$?; sleep 600'",
        capture.base,
        binary(),
        env.display(),
        journal.display()
    );
    let t = Tmux::start("runbook-notify", &command, 160, 40);
    let end = t.wait_for(&["RECOVERED in", "pagerduty: accepted (202 Accepted)"]);
    assert!(end.contains("slack: posted (200 OK)"), "{end}");
    let got = capture.wait_for(2);
    let slack = got
        .iter()
        .find(|r| r.path.starts_with("/services/"))
        .unwrap();
    let text = slack.json()["text"].as_str().unwrap().to_owned();
    assert!(
        text.starts_with(":rotating_light: *CRITICAL* Drill: failover of run ")
            && text.ends_with('s')
            && !text.contains("${"),
        "{text}"
    );
    let pd = got.iter().find(|r| r.path == "/v2/enqueue").unwrap().json();
    assert_eq!(
        (pd["event_action"].as_str(), pd["routing_key"].as_str()),
        (Some("trigger"), Some(KEY))
    );
    t.keys(&["F2"]);
    let dash = t.wait_for(&["LIVE: moto"]);
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
    let written = std::fs::read_to_string(&journal).unwrap();
    assert!(written.contains("slack: posted (200 OK)"), "{written}");
    for secret in [TOKEN, KEY] {
        for (what, text) in [
            ("runbook screen", &end),
            ("dashboard", &dash),
            ("journal", &written),
        ] {
            assert!(!text.contains(secret), "{secret} in the {what}");
        }
        assert!(!t.scrollback().contains(secret), "{secret} on the terminal");
    }
}

#[test]
fn gate_fields_explain_as_typed_and_roll_back_and_abort_are_guarded_by_a_phrase() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("fails.journal");
    let t = Tmux::start(
        "runbook-guarded",
        &run_cmd(&format!(
            "--env tests/fixtures/env/moto.toml run tests/fixtures/runbooks/fails-live.yaml --journal {}",
            journal.display()
        )),
        150,
        45,
    );
    t.wait_for(&["GATE on moto", "fence us-east-1"]);
    // The phrase, typed with the quotes, then wrong, then right.
    t.type_text("\"fence us-east-1\"");
    t.wait_for(&["without the quotes"]);
    t.keys(&["C-u"]);
    t.type_text("fence us-east-2");
    t.wait_for(&["does not match: type exactly fence us-east-1"]);
    t.keys(&["C-u"]);
    t.type_text("fence us-east-1");
    t.keys(&["Enter"]);
    // Two approvers: the same name twice is explained at the field.
    t.type_text("alice");
    t.keys(&["Enter"]);
    t.type_text("alice");
    t.wait_for(&["already named: approvers must be distinct people"]);
    t.keys(&["C-u"]);
    t.type_text("bob");
    t.keys(&["Enter"]);
    t.wait_for(&["a reason is required"]);
    t.type_text("fence before the promotion");
    t.keys(&["Enter"]);

    // The next step fails: abort asks for its phrase, Esc goes back.
    t.wait_for(&["FAILED", "x abort"]);
    t.keys(&["x"]);
    t.wait_for(&["abort Fence then fail"]);
    t.type_text("abort now");
    t.wait_for(&["does not match: type exactly abort Fence then fail 1"]);
    t.keys(&["Escape"]);
    let back = t.wait_for(&["b roll back", "x abort"]);
    assert!(!back.contains("ABORTED"), "Esc aborted nothing:\n{back}");
    // Roll back names and lists what it will undo before anything runs.
    t.keys(&["b"]);
    let confirm = t.wait_for(&["type exactly: roll back 1 step of Fence then fail 1"]);
    assert!(confirm.contains("1. undo fence"), "{confirm}");
    assert!(
        !std::fs::read_to_string(&journal)
            .unwrap()
            .contains("unfenced"),
        "nothing is undone before the phrase is typed"
    );
    t.type_text("roll back 1 step of Fence then fail 1");
    t.keys(&["Enter"]);
    let end = t.wait_for(&["ROLLED BACK", "NOT RECOVERED"]);
    assert!(!end.contains("✓ within RTO"), "{end}");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
}
