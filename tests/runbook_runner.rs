//! Step runners and the headless driver with real processes: `sh -c` with
//! output, exit statuses, timeouts that kill the whole process group,
//! quoting, the journal written before each step, practice isolation, dry
//! runs, and `kill -9` in the middle of a step followed by a resume.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use drconsole::config::environment::parse_environment;
use drconsole::domain::estate::EstateSpec;
use drconsole::domain::runbook::engine::Engine;
use drconsole::domain::runbook::plan::{
    Builtin, Expectation, Operation, Phase, Plan, PracticeEffect, StepRef,
};
use drconsole::domain::runbook::protocol::{Choice, Mode, RunOutcome, Task};
use drconsole::domain::runbook::record::StepState;
use drconsole::domain::time::Timestamp;
use drconsole::runtime::journal_file::{read_journal, verify_file};
use drconsole::runtime::run::{RunDriver, RunError, ScriptedAnswers, ScriptedGate, live_mode};
use drconsole::runtime::runner::{
    DryRunRunner, LiveRunner, OutputLine, PracticeRunner, Stream, run_shell,
};
use drconsole::sources::clock::{Clock, WallClock};
use drconsole::sources::sim::SimEstate;
use support::plans::{expecting, gated, plan, practising, shell, t, undoable};
use tokio::sync::mpsc;

fn live() -> Mode {
    Mode::Live {
        environment: "test-env".into(),
    }
}

fn clock() -> Arc<dyn Clock> {
    Arc::new(WallClock)
}

fn task() -> Task {
    Task::Step(StepRef {
        phase: Phase::Step,
        index: 0,
    })
}

async fn sh(
    cmd: &str,
    timeout: Option<Duration>,
) -> (
    drconsole::domain::runbook::protocol::Exit,
    String,
    Vec<OutputLine>,
) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (exit, out) = run_shell(cmd, timeout, &tx, task(), 1).await;
    drop(tx);
    let mut lines = Vec::new();
    while let Some(l) = rx.recv().await {
        lines.push(l);
    }
    (exit, out, lines)
}

#[tokio::test]
async fn shell_output_streams_line_by_line_with_its_exit_status() {
    let (exit, out, lines) = sh("echo one; echo oops >&2; echo two; exit 3", None).await;
    assert_eq!(exit.code, Some(3));
    assert!(!exit.timed_out);
    assert_eq!(out, "one\ntwo\n");
    let shown: Vec<(Stream, &str)> = lines.iter().map(|l| (l.stream, l.text.as_str())).collect();
    assert!(shown.contains(&(Stream::Stdout, "one")));
    assert!(shown.contains(&(Stream::Stderr, "oops")));
    assert!(shown.contains(&(Stream::Stdout, "two")));
    let (exit, _, _) = sh("true", Some(Duration::from_secs(30))).await;
    assert_eq!(exit.code, Some(0));
}

fn alive(pid: &str) -> bool {
    // A zombie is dead too: read its state.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| s.split_whitespace().nth(2).is_none_or(|st| st != "Z"))
}

#[tokio::test]
async fn a_timeout_kills_the_whole_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("pid");
    let cmd = format!(
        "sleep 300 & echo $! > {}; echo started; wait",
        pidfile.display()
    );
    let (exit, out, lines) = sh(&cmd, Some(Duration::from_millis(700))).await;
    assert!(exit.timed_out);
    assert_eq!(exit.code, None);
    assert_eq!(out, "started\n");
    assert!(
        lines
            .iter()
            .any(|l| l.text.contains("process group killed"))
    );
    let pid = std::fs::read_to_string(&pidfile).unwrap().trim().to_owned();
    // The grandchild got SIGKILL with its group; give the kernel a moment to reap it.
    let mut gone = false;
    for _ in 0..100 {
        if !alive(&pid) {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(gone, "sleep {pid} survived the timeout");
}

fn journal_path(dir: &Path) -> PathBuf {
    dir.join("run.jsonl")
}

#[tokio::test]
async fn a_live_run_journals_each_step_before_it_starts_and_judges_expect() {
    let dir = tempfile::tempdir().unwrap();
    let j = journal_path(dir.path());
    let js = j.display().to_string();
    // Each step counts its own step.started record in the journal: it is
    // on disk before the command runs.
    let p = plan(
        vec![expecting(
            shell("count-pre", "echo healthy: 7"),
            Expectation::Compare {
                op: drconsole::domain::runbook::plan::CompareOp::Ge,
                value: 6.0,
            },
        )],
        vec![
            expecting(
                shell("sees-own-record", &format!("grep -c MARKER_A '{js}'")),
                Expectation::Text("1".into()),
            ),
            expecting(
                shell("rows", "printf ' id\\n----\\n(0 rows)\\n'"),
                Expectation::Rows(0),
            ),
        ],
        vec![expecting(
            shell("exit-zero", "exit 0"),
            Expectation::ExitStatus(0),
        )],
        vec![],
        &[],
    );
    let plan_copy = p.clone();
    let driver = RunDriver::start(
        p,
        live(),
        &j,
        Arc::new(LiveRunner::shell_only()),
        Arc::new(ScriptedAnswers::approving()),
        clock(),
    )
    .unwrap();
    let view = driver.subscribe();
    let report = driver.run().await.unwrap();
    assert_eq!(
        report.outcome,
        RunOutcome::Recovered,
        "{:?}",
        view.borrow().state
    );
    let snap = view.borrow().clone();
    assert_eq!(snap.report.as_ref().unwrap().outcome, RunOutcome::Recovered);
    assert!(snap.output.values().flatten().any(|l| l == "healthy: 7"));
    let summary = verify_file(&j).unwrap();
    assert!(summary.entries > 8);
    let entries = read_journal(&j).unwrap();
    assert_eq!(entries[0].kind, "run.started");
    assert!(
        entries.iter().any(|e| e.kind == "rto.published"),
        "live mode publishes (and records the attempt)"
    );
    // A finished run's journal, RTO record included, still replays.
    let again = Engine::replay(plan_copy, live(), &entries);
    assert!(again.is_ok(), "{again:?}");
}

#[tokio::test]
async fn a_failing_expectation_fails_the_step_and_abort_ends_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let p = plan(
        vec![],
        vec![expecting(
            shell("count", "echo healthy: 5"),
            Expectation::Compare {
                op: drconsole::domain::runbook::plan::CompareOp::Ge,
                value: 6.0,
            },
        )],
        vec![],
        vec![],
        &[],
    );
    let answers = Arc::new(ScriptedAnswers::approving().with_decisions([Choice::Abort]));
    let driver = RunDriver::start(
        p,
        live(),
        &journal_path(dir.path()),
        Arc::new(LiveRunner::shell_only()),
        answers,
        clock(),
    )
    .unwrap();
    let view = driver.subscribe();
    let report = driver.run().await.unwrap();
    assert_eq!(report.outcome, RunOutcome::Aborted);
    assert_eq!(
        view.borrow().state.state(task()),
        StepState::Failed {
            reason: "got 5, expected >= 6".into()
        }
    );
}

#[tokio::test]
async fn a_value_cannot_inject_a_command() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("pwned");
    let evil = format!("x'; touch {}; echo '", marker.display());
    let p = plan(
        vec![],
        vec![shell("echo-region", "echo ${REGION}")],
        vec![],
        vec![],
        &[("REGION", &evil)],
    );
    let driver = RunDriver::start(
        p,
        live(),
        &journal_path(dir.path()),
        Arc::new(LiveRunner::shell_only()),
        Arc::new(ScriptedAnswers::approving()),
        clock(),
    )
    .unwrap();
    let view = driver.subscribe();
    driver.run().await.unwrap();
    assert!(!marker.exists());
    let out: Vec<String> = view.borrow().output.values().flatten().cloned().collect();
    assert!(out.contains(&evil), "{out:?}");
}

#[tokio::test]
async fn a_declined_gate_stops_the_step_from_running() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("promoted");
    let p = plan(
        vec![],
        vec![gated(
            shell("promote", &format!("touch {}", marker.display())),
            "promote ${R}",
            1,
            true,
        )],
        vec![],
        vec![],
        &[("R", "eu-west-1")],
    );
    let answers = Arc::new(
        ScriptedAnswers::approving()
            .with_gates([ScriptedGate::Decline])
            .with_decisions([Choice::Abort]),
    );
    let driver = RunDriver::start(
        p,
        live(),
        &journal_path(dir.path()),
        Arc::new(LiveRunner::shell_only()),
        answers.clone(),
        clock(),
    )
    .unwrap();
    let report = driver.run().await.unwrap();
    assert_eq!(report.outcome, RunOutcome::Aborted);
    assert!(!marker.exists());
    let asked = answers.asked();
    assert_eq!(asked[0].phrase.as_deref(), Some("promote eu-west-1"));
    assert!(asked[0].title.contains("test-env"));
}

#[test]
fn live_mode_is_refused_when_the_environment_does_not_allow_it() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/env/moto.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut env = parse_environment(&path, &text).unwrap();
    assert_eq!(
        live_mode(&env).unwrap(),
        Mode::Live {
            environment: "moto".into()
        }
    );
    env.allow_live_actions = false;
    let err = live_mode(&env).unwrap_err();
    assert!(matches!(err, RunError::LiveNotAllowed { .. }));
    assert!(err.to_string().contains("does not allow live actions"));
}

/// A plan whose every operation would leave a trace if it really ran:
/// a file, a TCP connection, a webhook POST, a metric.
fn practice_plan(marker: &Path, port: u16) -> Plan {
    let touch = format!("touch {}", marker.display());
    let connect = format!(
        "exec 3<>/dev/tcp/127.0.0.1/{port}; nc 127.0.0.1 {port} </dev/null; curl -s http://127.0.0.1:{port}/"
    );
    let mut notify = shell("notify", "true");
    notify.operation = Operation::Builtin(Builtin::Notify {
        channels: vec!["#dr".into()],
        message: t("failing over to ${TARGET}"),
        severity: Some("critical".into()),
    });
    let mut weight = shell("dns", "true");
    weight.operation = Operation::Builtin(Builtin::RecordWeight {
        zone_id: t("Z1"),
        record: t("api.virtengine.io"),
        region: t("${FAILING}"),
        weight: t("0"),
    });
    let mut metric = shell("metric", "true");
    metric.operation = Operation::Builtin(Builtin::PutMetric {
        namespace: t("VirtEngine/DR"),
        metric: t("FailoverDurationSeconds"),
        value: t("1"),
        region: None,
    });
    plan(
        vec![shell("pre-touch", &touch), shell("pre-connect", &connect)],
        vec![
            practising(
                shell("fence", &format!("{touch}; {connect}")),
                PracticeEffect::Validators(t("${FAILING}"), false),
            ),
            weight,
            practising(
                gated(shell("promote", &touch), "promote ${TARGET}", 2, true),
                PracticeEffect::PromoteDatabase(t("${TARGET}")),
            ),
            practising(
                shell("scale-up", &connect),
                PracticeEffect::Validators(t("${TARGET}"), true),
            ),
            notify,
            metric,
        ],
        vec![shell("post", &format!("{touch}; {connect}"))],
        vec![],
        &[("FAILING", "us-east-1"), ("TARGET", "eu-west-1")],
    )
}

#[tokio::test]
async fn practice_mode_moves_the_simulated_estate_and_touches_nothing_real() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("touched");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let estate = Arc::new(Mutex::new(SimEstate::new(
        EstateSpec::seed(),
        7,
        Timestamp::from_millis(1_795_000_000_000),
    )));
    let runner = Arc::new(PracticeRunner::new(Arc::clone(&estate)));
    let driver = RunDriver::start(
        practice_plan(&marker, port),
        Mode::Practice,
        &journal_path(dir.path()),
        Arc::clone(&runner),
        Arc::new(ScriptedAnswers::approving()),
        clock(),
    )
    .unwrap();
    let report = driver.run().await.unwrap();
    assert_eq!(report.outcome, RunOutcome::Recovered);
    assert!(report.published.is_none(), "practice publishes no metric");
    // Nothing real happened.
    assert!(!marker.exists(), "a practice shell step created a file");
    match listener.accept() {
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock),
        Ok((_, from)) => panic!("practice mode connected to 127.0.0.1:{port} from {from}"),
    }
    // The simulated estate moved.
    let e = estate.lock().unwrap();
    assert_eq!(e.database_primary(), "eu-west-1");
    assert_eq!(e.is_serving("us-east-1"), Some(false));
    assert_eq!(e.validators_running("us-east-1"), Some(false));
    assert_eq!(e.validators_running("eu-west-1"), Some(true));
    let log = runner.log();
    assert_eq!(log.len(), 9);
    assert!(log.iter().any(|r| r.would_run.contains("touch")));
    assert!(log.iter().any(|r| {
        r.would_run
            .starts_with("notify #dr: failing over to eu-west-1")
    }));
}

#[tokio::test]
async fn a_practice_failure_is_rehearsed_and_rolled_back_in_the_simulator() {
    let dir = tempfile::tempdir().unwrap();
    let estate = Arc::new(Mutex::new(SimEstate::new(
        EstateSpec::seed(),
        7,
        Timestamp::from_millis(1_795_000_000_000),
    )));
    let p = plan(
        vec![],
        vec![
            undoable(
                practising(
                    shell("stop-traffic", "x"),
                    PracticeEffect::Traffic(t("us-east-1"), false),
                ),
                "y",
            ),
            practising(
                shell("boom", "z"),
                PracticeEffect::Fail("rehearsed failure".into()),
            ),
        ],
        vec![],
        vec![],
        &[],
    );
    let answers = Arc::new(ScriptedAnswers::approving().with_decisions([Choice::RollBack]));
    let runner = Arc::new(PracticeRunner::new(Arc::clone(&estate)));
    let report = RunDriver::start(
        p,
        Mode::Practice,
        &journal_path(dir.path()),
        Arc::clone(&runner),
        answers,
        clock(),
    )
    .unwrap()
    .run()
    .await
    .unwrap();
    assert_eq!(report.outcome, RunOutcome::RolledBack);
    assert_eq!(runner.log().last().unwrap().would_run, "y");
}

#[tokio::test]
async fn a_dry_run_shows_every_command_and_runs_none() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("touched");
    let p = practice_plan(&marker, 9);
    let listing = drconsole::domain::runbook::render::dry_run(&p);
    assert_eq!(listing.len(), 9);
    assert!(listing.iter().any(|l| l.gated && l.name == "promote"));
    let runner = Arc::new(DryRunRunner::new());
    let report = RunDriver::start(
        p,
        Mode::DryRun,
        &journal_path(dir.path()),
        Arc::clone(&runner),
        Arc::new(ScriptedAnswers::declining()),
        clock(),
    )
    .unwrap()
    .run()
    .await
    .unwrap();
    assert_eq!(report.outcome, RunOutcome::Recovered);
    assert!(!marker.exists());
    let shown = runner.shown();
    assert_eq!(shown.len(), 9);
    assert!(
        shown
            .iter()
            .any(|s| s.contains("route53 set weight of api.virtengine.io (us-east-1) in Z1 to 0"))
    );
}

// ---- kill -9 in the middle of a step --------------------------------------

const CHILD_JOURNAL: &str = "DRCONSOLE_TEST_CHILD_JOURNAL";

fn crash_plan(ready: &Path) -> Plan {
    plan(
        vec![shell("pre", "true")],
        vec![
            shell("first", "true"),
            shell(
                "long-step",
                &format!(
                    "echo $$ > {}.pgid; touch {}; sleep 120",
                    ready.display(),
                    ready.display()
                ),
            ),
            shell("after", "true"),
        ],
        vec![],
        vec![],
        &[],
    )
}

/// Not a test on its own: the body of the child process that
/// `kill_9_mid_step_then_resume_shows_outcome_unknown` starts and kills.
/// Without the variable it returns at once.
#[test]
fn child_process_running_a_plan_until_killed() {
    let Ok(journal) = std::env::var(CHILD_JOURNAL) else {
        return;
    };
    let journal = PathBuf::from(journal);
    let ready = journal.with_extension("ready");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let driver = RunDriver::start(
            crash_plan(&ready),
            live(),
            &journal,
            Arc::new(LiveRunner::shell_only()),
            Arc::new(ScriptedAnswers::approving()),
            clock(),
        )
        .unwrap();
        let _ = driver.run().await;
    });
}

#[tokio::test]
async fn kill_9_mid_step_then_resume_shows_outcome_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_path(dir.path());
    let ready = journal.with_extension("ready");
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_process_running_a_plan_until_killed",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_JOURNAL, &journal)
        .spawn()
        .unwrap();
    let mut waited = 0;
    while !ready.exists() {
        assert!(child.try_wait().unwrap().is_none(), "child exited early");
        waited += 1;
        assert!(waited < 6000, "child never reached the long step");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // Its `sleep` lives on in its own process group: end it.
    let pgid: i32 = std::fs::read_to_string(format!("{}.pgid", ready.display()))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    rustix::process::kill_process_group(
        rustix::process::Pid::from_raw(pgid).unwrap(),
        rustix::process::Signal::KILL,
    )
    .unwrap();
    let entries = read_journal(&journal).unwrap();
    let long = Task::Step(StepRef {
        phase: Phase::Step,
        index: 1,
    });
    let replayed = Engine::replay(crash_plan(&ready), live(), &entries).unwrap();
    assert_eq!(replayed.state().state(long), StepState::Running);
    let (resumed, _) =
        Engine::resume(crash_plan(&ready), live(), &entries, WallClock.now()).unwrap();
    assert_eq!(resumed.state().state(long), StepState::OutcomeUnknown);
    // The driver resumes the same journal, asks, and never reruns by itself:
    // the scripted operator aborts at the first question.
    std::fs::remove_file(&ready).unwrap();
    let answers = Arc::new(ScriptedAnswers::approving().with_decisions([Choice::Abort]));
    let driver = RunDriver::resume(
        crash_plan(&ready),
        live(),
        &journal,
        Arc::new(LiveRunner::shell_only()),
        answers,
        clock(),
    )
    .unwrap();
    let view = driver.subscribe();
    let report = driver.run().await.unwrap();
    assert_eq!(report.outcome, RunOutcome::Aborted);
    assert!(!ready.exists(), "the long step ran again");
    assert_eq!(view.borrow().state.state(long), StepState::OutcomeUnknown);
    let kinds: Vec<String> = read_journal(&journal)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.contains(&"step.outcome_unknown".to_owned()));
    verify_file(&journal).unwrap();
}

#[tokio::test]
async fn a_screen_answers_through_channel_prompts() {
    use drconsole::runtime::run::{ChannelAnswers, Prompt};
    let dir = tempfile::tempdir().unwrap();
    let p = plan(
        vec![],
        vec![gated(
            shell("promote", "echo promoted"),
            "promote ${R}",
            2,
            false,
        )],
        vec![],
        vec![],
        &[("R", "eu-west-1")],
    );
    let (answers, mut prompts) = ChannelAnswers::new();
    let driver = RunDriver::start(
        p,
        live(),
        &journal_path(dir.path()),
        Arc::new(LiveRunner::shell_only()),
        Arc::new(answers),
        clock(),
    )
    .unwrap();
    let mut view = driver.subscribe();
    let run = tokio::spawn(driver.run());
    // First a wrong answer (one approver), then the right one.
    for approvers in [vec!["alice"], vec!["alice", "bob"]] {
        let Some(Prompt::Gate(request, reply)) = prompts.recv().await else {
            panic!("expected a gate");
        };
        assert_eq!(request.phrase.as_deref(), Some("promote eu-west-1"));
        let mut a = ScriptedAnswers::correct_answer(&request);
        a.approvers = approvers.into_iter().map(str::to_owned).collect();
        reply.send(Some(a)).unwrap();
    }
    let report = run.await.unwrap().unwrap();
    assert_eq!(report.outcome, RunOutcome::Recovered);
    view.changed().await.ok();
    let snap = view.borrow().clone();
    assert_eq!(
        snap.refusals,
        vec!["needs 2 distinct approvers, got 1".to_owned()]
    );
    assert!(snap.output.values().flatten().any(|l| l == "promoted"));
}

// Wait for the slow check's grandchild to exist before aborting.
struct WaitThenAbort(PathBuf);
impl drconsole::runtime::run::GateAnswers for WaitThenAbort {
    async fn gate(
        &self,
        _: drconsole::domain::runbook::protocol::GateRequest,
    ) -> Option<drconsole::domain::runbook::protocol::GateAnswer> {
        None
    }
    async fn decide(&self, _: drconsole::domain::runbook::protocol::DecisionRequest) -> Choice {
        while !self.0.exists() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Choice::Abort
    }
}

#[tokio::test]
async fn abort_stops_pre_checks_still_running_with_their_process_groups() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("pid");
    let p = plan(
        vec![
            shell("fails", "exit 1"),
            shell(
                "slow",
                &format!("sleep 300 & echo $! > {}; wait", pidfile.display()),
            ),
        ],
        vec![],
        vec![],
        vec![],
        &[],
    );
    let driver = RunDriver::start(
        p,
        live(),
        &journal_path(dir.path()),
        Arc::new(LiveRunner::shell_only()),
        Arc::new(WaitThenAbort(pidfile.clone())),
        clock(),
    )
    .unwrap();
    let report = driver.run().await.unwrap();
    assert_eq!(report.outcome, RunOutcome::Aborted);
    // The aborted attempt's task is dropped on the next turn of the runtime.
    let mut pid = String::new();
    for _ in 0..200 {
        pid = std::fs::read_to_string(&pidfile).unwrap().trim().to_owned();
        if !pid.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut gone = false;
    for _ in 0..200 {
        if !alive(&pid) {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(gone, "sleep {pid} outlived the aborted run");
}

/// Resuming a practice run puts the simulated estate back where the run
/// left it: a fresh estate (a new process) gets every passed step's
/// effect again, in order, before anything runs; checks are not redone.
#[tokio::test]
async fn resuming_a_practice_run_replays_its_effects_onto_a_fresh_estate() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("touched");
    let fresh = || {
        Arc::new(Mutex::new(SimEstate::new(
            EstateSpec::seed(),
            7,
            Timestamp::from_millis(1_795_000_000_000),
        )))
    };
    let journal = journal_path(dir.path());
    let first = fresh();
    let report = RunDriver::start(
        practice_plan(&marker, 9),
        Mode::Practice,
        &journal,
        Arc::new(PracticeRunner::new(Arc::clone(&first))),
        Arc::new(ScriptedAnswers::approving()),
        clock(),
    )
    .unwrap()
    .run()
    .await
    .unwrap();
    assert_eq!(report.outcome, RunOutcome::Recovered);

    let second = fresh();
    assert_eq!(second.lock().unwrap().database_primary(), "us-east-1");
    let runner = Arc::new(PracticeRunner::new(Arc::clone(&second)));
    let _driver = RunDriver::resume(
        practice_plan(&marker, 9),
        Mode::Practice,
        &journal,
        Arc::clone(&runner),
        Arc::new(ScriptedAnswers::approving()),
        clock(),
    )
    .unwrap();
    let e = second.lock().unwrap();
    assert_eq!(e.database_primary(), "eu-west-1");
    assert_eq!(e.is_serving("us-east-1"), Some(false));
    assert_eq!(e.validators_running("us-east-1"), Some(false));
    assert_eq!(e.validators_running("eu-west-1"), Some(true));
    let replayed: Vec<String> = runner.log().into_iter().map(|r| r.would_run).collect();
    assert!(
        replayed.iter().all(|r| r.starts_with("replayed: ")),
        "{replayed:?}"
    );
    assert!(!marker.exists(), "a replay runs nothing real either");
}
