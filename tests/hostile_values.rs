//! Issue 12, items 1 and 2: a value never becomes code. Runbooks are
//! loaded as an operator would load them, their steps rendered by the one
//! renderer and run by the live runner through a real `sh`; hostile values
//! (command substitution, backticks, `;`, quotes, newlines, `#`, a
//! here-document's delimiter) arrive byte for byte and never run. The dry
//! run shows the same script and each value escaped on a line of its own;
//! the journal records script and values apart.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use drconsole::config::runbook::{Actions, compile, parse_runbook};
use drconsole::domain::estate::EstateSpec;
use drconsole::domain::runbook::plan::{Phase, Plan, StepRef};
use drconsole::domain::runbook::protocol::{Mode, RunOutcome, Task};
use drconsole::domain::runbook::render;
use drconsole::runtime::journal_file::read_journal;
use drconsole::runtime::run::{RunDriver, ScriptedAnswers};
use drconsole::runtime::runner::{DryRunRunner, LiveRunner, StepRunner};
use drconsole::sources::clock::WallClock;
use tokio::sync::mpsc;

/// Every step writes the value of `X` to its own file under `OUT`,
/// through another shell construct.
const RUNBOOK: &str = r#"name: hostile values
version: "1"
vars:
  X: {}
  OUT: {}
steps:
  - name: after a comment with an apostrophe
    command: |
      # don't touch anything
      printf '%s' "value: ${X}" > ${OUT}/comment
    verify: |-
      printf '%s' "value: ${X}" | cmp -s - ${OUT}/comment
    timeout: 10s
  - name: bare word
    command: printf '%s' ${X} > ${OUT}/bare
    timeout: 10s
  - name: command substitution
    command: |
      v=$(printf '%s.' ${X}); printf '%s' "$v" > ${OUT}/subst
    timeout: 10s
  - name: command substitution in double quotes
    command: |
      printf '%s' "$(printf '%s.' "${X}")" > ${OUT}/subst_dq
    timeout: 10s
  - name: backticks in double quotes
    command: |
      printf '%s' "`printf '%s.' ${X}`" > ${OUT}/backticks
    timeout: 10s
  - name: here-document
    command: |
      cat > ${OUT}/heredoc <<EOF
      ${X}
      EOF
    timeout: 10s
  - name: pipeline and trailing comment
    command: |
      printf '%s' ${X} | cat > ${OUT}/pipeline # it's ${X}
    timeout: 10s
"#;

/// Each step's output file and what it must hold for value `v`.
fn expected(v: &str) -> Vec<(&'static str, String)> {
    vec![
        ("comment", format!("value: {v}")),
        ("bare", v.to_owned()),
        ("subst", format!("{v}.")),
        ("subst_dq", format!("{v}.")),
        ("backticks", format!("{v}.")),
        ("heredoc", format!("{v}\n")),
        ("pipeline", v.to_owned()),
    ]
}

/// Values that would run `touch MARKER` if they were ever read as code.
fn hostile(marker: &Path) -> Vec<String> {
    let m = marker.display();
    vec![
        format!("$(touch {m})"),
        format!("`touch {m}`"),
        format!("x; touch {m}"),
        format!("x' ; touch {m} ; '"),
        format!("x\" ; touch {m} ; \""),
        format!("a\nb\ntouch {m}\n"),
        format!("# ; touch {m}"),
        format!("EOF\ntouch {m}\nEOF"),
        format!("\\\"$(touch {m})\\"),
        format!("${{OUT}} $OUT * ?? [a] ~ {m}"),
        format!("\u{1b}]0;pwned\u{7}\u{1b}[2J ünïcødé 🙂 {m}"),
        "'\"`$\\;|&<>(){}\t\r".repeat(300),
    ]
}

fn load(value: &str, out: &Path) -> Plan {
    let rb = parse_runbook(Path::new("hostile.yaml"), RUNBOOK).unwrap();
    let vars: BTreeMap<String, String> = [
        ("X".to_owned(), value.to_owned()),
        ("OUT".to_owned(), out.display().to_string()),
    ]
    .into();
    compile(
        &rb,
        &Actions::shipped().unwrap(),
        &vars,
        &EstateSpec::seed(),
    )
    .unwrap()
}

fn step_ref(index: usize) -> StepRef {
    StepRef {
        phase: Phase::Step,
        index,
    }
}

fn runtime_vars(plan: &Plan, mode: &Mode) -> BTreeMap<String, String> {
    let mut vars = plan.vars.clone();
    vars.insert("ENVIRONMENT".into(), mode.label().to_owned());
    vars
}

/// Runs every step of `plan` through the live runner and a real `sh`.
async fn run_live(plan: &Plan, mode: &Mode) {
    let runner = LiveRunner::shell_only();
    for (index, step) in plan.steps.iter().enumerate() {
        let job = render::job(
            step,
            Task::Step(step_ref(index)),
            1,
            &runtime_vars(plan, mode),
        )
        .unwrap();
        let (tx, _rx) = mpsc::unbounded_channel();
        let outcome = runner.run(job, tx).await;
        assert_eq!(outcome.exit.code, Some(0), "{}: {outcome:?}", step.name);
        if let Some(v) = outcome.verify {
            assert_eq!(v.code, Some(0), "verify of {}", step.name);
        }
    }
}

#[tokio::test]
async fn issue_12_reproducers_deliver_the_value_and_never_run_it() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("PWNED");
    for (n, value) in hostile(&marker).iter().enumerate() {
        let modes = [
            Mode::Live {
                environment: "test-env".into(),
            },
            Mode::Practice,
        ];
        for (m, mode) in modes.iter().enumerate() {
            let out = dir.path().join(format!("out-{n}-{m}"));
            std::fs::create_dir(&out).unwrap();
            let plan = load(value, &out);
            run_live(&plan, mode).await;
            for (file, want) in expected(value) {
                let got = std::fs::read(out.join(file)).unwrap();
                assert_eq!(got, want.as_bytes(), "value {value:?}, step writing {file}");
            }
            assert!(!marker.exists(), "value {value:?} ran");
        }
    }
}

#[test]
fn the_dry_run_lists_the_script_that_runs_and_each_value_escaped() {
    let value = "a\nb\u{1b}[2J $(touch /tmp/x)";
    let plan = load(value, Path::new("/tmp/out"));
    let listing = render::dry_run(&plan);
    let mode = Mode::DryRun;
    for (index, step) in plan.steps.iter().enumerate() {
        let job = render::job(
            step,
            Task::Step(step_ref(index)),
            1,
            &runtime_vars(&plan, &mode),
        )
        .unwrap();
        let line = &listing[index];
        // One renderer: the listing is exactly the script that would run.
        assert_eq!(line.command, job.operation.describe());
        assert_eq!(
            line.verify,
            job.verify.as_ref().map(|v| v.script.clone()),
            "{}",
            step.name
        );
        assert!(!line.command.contains(value));
        assert_eq!(
            line.values,
            vec![
                "OUT = \"/tmp/out\"".to_owned(),
                "X = \"a\\nb\\x1b[2J $(touch /tmp/x)\"".to_owned(),
            ]
        );
    }
    assert_eq!(
        listing[0].verify.as_deref(),
        Some(
            "printf '%s' \"value: ${DRCONSOLE_VAR_X}\" | cmp -s - \"${DRCONSOLE_VAR_OUT}\"/comment"
        )
    );
}

#[tokio::test]
async fn the_dry_run_runner_shows_values_one_per_line_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("PWNED");
    let value = format!("one\ntwo $(touch {})", marker.display());
    let plan = load(&value, dir.path());
    let runner = Arc::new(DryRunRunner::new());
    let report = RunDriver::start(
        plan,
        Mode::DryRun,
        &dir.path().join("run.jsonl"),
        Arc::clone(&runner),
        Arc::new(ScriptedAnswers::declining()),
        Arc::new(WallClock),
    )
    .unwrap()
    .run()
    .await
    .unwrap();
    assert_eq!(report.outcome, RunOutcome::Recovered);
    let shown = runner.shown();
    let value_lines: Vec<&String> = shown.iter().filter(|l| l.starts_with("  with ")).collect();
    assert!(value_lines.iter().all(|l| !l.contains('\n')), "{shown:#?}");
    let escaped = format!("  with X = \"one\\ntwo $(touch {})\"", marker.display());
    assert_eq!(
        shown.iter().filter(|l| **l == escaped).count(),
        8,
        "{shown:#?}"
    );
    assert!(shown.contains(&"verify: printf '%s' \"value: ${DRCONSOLE_VAR_X}\" | cmp -s - \"${DRCONSOLE_VAR_OUT}\"/comment".to_owned()));
    assert!(!marker.exists());
}

#[tokio::test]
async fn the_journal_records_the_script_and_the_values_apart() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("PWNED");
    let value = format!("$(touch {})", marker.display());
    let plan = load(&value, dir.path());
    let journal: PathBuf = dir.path().join("run.jsonl");
    let report = RunDriver::start(
        plan,
        Mode::Live {
            environment: "test-env".into(),
        },
        &journal,
        Arc::new(LiveRunner::shell_only()),
        Arc::new(ScriptedAnswers::approving()),
        Arc::new(WallClock),
    )
    .unwrap()
    .run()
    .await
    .unwrap();
    assert_eq!(report.outcome, RunOutcome::Recovered);
    assert!(!marker.exists());
    let entries = read_journal(&journal).unwrap();
    let started: Vec<_> = entries
        .iter()
        .filter(|e| e.kind == "step.started")
        .collect();
    assert_eq!(started.len(), 7);
    let first = &started[0].data;
    assert_eq!(
        first["operation"],
        "# don't touch anything\nprintf '%s' \"value: ${DRCONSOLE_VAR_X}\" > \"${DRCONSOLE_VAR_OUT}\"/comment\n"
    );
    assert_eq!(
        first["values"],
        serde_json::json!([
            {"name": "OUT", "value": dir.path().display().to_string()},
            {"name": "X", "value": value},
        ])
    );
    assert_eq!(
        first["verify"],
        "printf '%s' \"value: ${DRCONSOLE_VAR_X}\" | cmp -s - \"${DRCONSOLE_VAR_OUT}\"/comment"
    );
    for e in &started {
        assert!(
            !e.data["operation"].as_str().unwrap().contains(&value),
            "{e:?}"
        );
    }
}

#[test]
fn a_journal_written_before_values_travelled_apart_still_reads() {
    use drconsole::domain::runbook::record::Record;
    let old = serde_json::json!({
        "kind": "step.started",
        "data": {"task": {"step": {"phase": "step", "index": 0}}, "attempt": 1, "operation": "fence 'us-east-1'"},
    });
    let record: Record = serde_json::from_value(old).unwrap();
    assert!(matches!(
        record,
        Record::Started { ref operation, ref values, verify: None, .. }
            if operation == "fence 'us-east-1'" && values.is_empty()
    ));
}

#[test]
fn a_value_whose_name_marks_a_secret_is_redacted_in_the_journal() {
    use drconsole::domain::runbook::record::{JournaledValue, REDACTED};
    let values: BTreeMap<String, String> = [
        ("DB_PASSWORD".to_owned(), "hunter2".to_owned()),
        (
            "SECRET_ARN".to_owned(),
            "arn:aws:secretsmanager:x".to_owned(),
        ),
        ("REGION".to_owned(), "eu-west-1".to_owned()),
    ]
    .into();
    let journaled = JournaledValue::all(&values);
    let value = |n: &str| {
        journaled
            .iter()
            .find(|v| v.name == n)
            .map(|v| v.value.as_str())
    };
    assert_eq!(value("DB_PASSWORD"), Some(REDACTED));
    assert_eq!(value("SECRET_ARN"), Some("arn:aws:secretsmanager:x"));
    assert_eq!(value("REGION"), Some("eu-west-1"));
}
