//! Runbooks load and compile into the plan the engine runs: the upstream
//! files unchanged (with the variables they need given), the shipped ones
//! with their declarations; and a variable's value can never inject a
//! command, checked against a real `sh`.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use drconsole::config::runbook::{Actions, compile, load_runbook, parse_actions, parse_runbook};
use drconsole::domain::estate::EstateSpec;
use drconsole::domain::runbook::plan::{
    Builtin, CompareOp, Expectation, Operation, Phase, Plan, PlannedStep, PracticeEffect, Retry,
    RollbackTrigger,
};
use drconsole::domain::runbook::script::ShellScript;
use proptest::prelude::*;

fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn plan(path: &str, given: &[(&str, &str)]) -> Plan {
    let rb = load_runbook(Path::new(path)).unwrap();
    compile(
        &rb,
        &Actions::shipped().unwrap(),
        &vars(given),
        &EstateSpec::seed(),
    )
    .unwrap()
}

fn step<'a>(plan: &'a Plan, phase: Phase, name: &str) -> &'a PlannedStep {
    plan.phase(phase).iter().find(|s| s.name == name).unwrap()
}

fn shell(s: &PlannedStep) -> String {
    match &s.operation {
        Operation::Shell(t) => t.to_string(),
        Operation::Builtin(b) => panic!("{} is a builtin: {b:?}", s.name),
    }
}

const UPSTREAM_FAILOVER_VARS: &[(&str, &str)] = &[
    ("FAILING_REGION", "us-east-1"),
    ("TARGET_REGION", "eu-west-1"),
    ("TARGET_REGION_CONTEXT", "virtengine-prod-eu-west-1"),
    ("FAILING_REGION_HEALTH_CHECK_ID", "hc-use1"),
    ("TARGET_REGION_HEALTH_CHECK_ID", "hc-euw1"),
    ("FAILING_REGION_IP", "203.0.113.10"),
    ("ORIGINAL_PRIMARY_REGION", "us-east-1"),
    ("VALIDATOR_COUNT", "2"),
    ("PROVIDER_COUNT", "3"),
    ("ZONE_ID", "Z123"),
];

#[test]
fn upstream_failover_compiles_unchanged_with_its_variables() {
    let p = plan(
        "tests/fixtures/upstream/regional-failover.yaml",
        UPSTREAM_FAILOVER_VARS,
    );
    assert_eq!(p.name, "Regional Failover Runbook");
    assert_eq!(p.version, "1.0");
    assert_eq!(p.rto, Some(Duration::from_mins(15)));
    assert_eq!(p.rpo, Some(Duration::from_mins(5)));
    let names = |ph| {
        p.phase(ph)
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(Phase::PreCheck).len(), 3);
    assert_eq!(
        names(Phase::Step),
        [
            "record_failover_start",
            "pause_traffic",
            "verify_replication_caught_up",
            "promote_database",
            "scale_validators",
            "scale_workloads",
            "update_dns",
            "enable_traffic",
            "record_failover_end",
        ]
    );
    assert_eq!(names(Phase::PostCheck).len(), 4);
    assert_eq!(
        names(Phase::Rollback),
        ["revert_dns", "demote_target", "notify_rollback"]
    );
    assert_eq!(
        p.rollback_trigger,
        RollbackTrigger::AfterStep("promote_database".into())
    );

    // A free-text threshold is a question answered at a gate.
    let fresh = step(&p, Phase::PreCheck, "verify_backup_freshness");
    assert_eq!(
        fresh.question.as_deref(),
        Some("age < interval '5 minutes'")
    );
    assert!(fresh.gate.is_some());
    assert_eq!(fresh.timeout, Some(Duration::from_secs(30)));
    let health = step(&p, Phase::PreCheck, "verify_target_region_health");
    assert_eq!(
        health.expect,
        Some(Expectation::Compare {
            op: CompareOp::Ge,
            value: 6.0
        })
    );
    assert!(health.gate.is_none());

    let caught_up = step(&p, Phase::Step, "verify_replication_caught_up");
    assert_eq!(
        caught_up.retry,
        Retry {
            max_attempts: 3,
            delay: Duration::from_secs(10)
        }
    );
    // `retries: 10` is ten more tries after the first.
    let api = step(&p, Phase::PostCheck, "verify_api_health");
    assert_eq!(
        api.retry,
        Retry {
            max_attempts: 11,
            delay: Duration::from_secs(10)
        }
    );
}

#[test]
fn upstream_failover_actions_become_what_they_really_do() {
    let p = plan(
        "tests/fixtures/upstream/regional-failover.yaml",
        UPSTREAM_FAILOVER_VARS,
    );
    let pause = step(&p, Phase::Step, "pause_traffic");
    match &pause.operation {
        Operation::Builtin(Builtin::HealthCheckUpdate {
            health_check_id,
            disabled,
            inverted,
            ..
        }) => {
            assert_eq!(
                health_check_id.to_string(),
                "${FAILING_REGION_HEALTH_CHECK_ID}"
            );
            assert_eq!((*disabled, *inverted), (Some(true), None));
        }
        other => panic!("{other:?}"),
    }
    assert!(pause.destructive && pause.gate.is_none());
    assert_eq!(
        pause.practice,
        PracticeEffect::None,
        "a disabled check stops nothing"
    );
    match &step(&p, Phase::Step, "update_dns").operation {
        Operation::Builtin(Builtin::RecordWeight {
            region,
            weight,
            record,
            ..
        }) => {
            assert_eq!(region.to_string(), "${TARGET_REGION}");
            assert_eq!(weight.to_string(), "100");
            assert_eq!(record.to_string(), "api.virtengine.io");
        }
        other => panic!("{other:?}"),
    }
    match &step(&p, Phase::Step, "record_failover_end").operation {
        Operation::Builtin(Builtin::PutMetric {
            namespace,
            metric,
            value,
            ..
        }) => {
            assert_eq!(namespace.to_string(), "VirtEngine/DR");
            assert_eq!(metric.to_string(), "FailoverDurationSeconds");
            assert_eq!(value.to_string(), "${ELAPSED_SECONDS}");
        }
        other => panic!("{other:?}"),
    }
    match &step(&p, Phase::PostCheck, "notify_team").operation {
        Operation::Builtin(Builtin::Notify {
            channels, severity, ..
        }) => {
            assert_eq!(channels, &["pagerduty", "slack"]);
            assert_eq!(severity.as_deref(), Some("resolved"));
        }
        other => panic!("{other:?}"),
    }
    let scale = step(&p, Phase::Step, "scale_validators");
    assert_eq!(
        shell(scale),
        "kubectl --context=${TARGET_REGION_CONTEXT} -n virtengine scale deployment/virtengine-validator --replicas=${VALIDATOR_COUNT}"
    );
    // The upstream rollback gives only the region; the context follows from it.
    let promote = step(&p, Phase::Step, "promote_database");
    match &promote.rollback {
        Some(Operation::Shell(t)) => {
            assert!(
                t.to_string()
                    .contains("--context=virtengine-prod-${ORIGINAL_PRIMARY_REGION}"),
                "{t}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        promote.practice,
        PracticeEffect::PromoteDatabase(
            drconsole::domain::runbook::template::Template::parse("${TARGET_REGION}").unwrap()
        )
    );

    assert_eq!(p.vars.len(), UPSTREAM_FAILOVER_VARS.len());
    assert_eq!(p.fingerprint.len(), 64);
    let mut other = UPSTREAM_FAILOVER_VARS.to_vec();
    other[1] = ("TARGET_REGION", "ap-southeast-1");
    let q = plan("tests/fixtures/upstream/regional-failover.yaml", &other);
    assert_ne!(
        p.fingerprint, q.fingerprint,
        "different values, different run"
    );
}

#[test]
fn upstream_failover_without_a_value_names_the_first_use() {
    let rb = load_runbook(Path::new("tests/fixtures/upstream/regional-failover.yaml")).unwrap();
    let err = compile(
        &rb,
        &Actions::shipped().unwrap(),
        &BTreeMap::new(),
        &EstateSpec::seed(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "tests/fixtures/upstream/regional-failover.yaml:35:25: variable TARGET_REGION_CONTEXT has no value: give --var TARGET_REGION_CONTEXT=VALUE"
    );
    let mut typo = vars(UPSTREAM_FAILOVER_VARS);
    typo.insert("TARGET_REGOIN".into(), "eu-west-1".into());
    let err = compile(
        &rb,
        &Actions::shipped().unwrap(),
        &typo,
        &EstateSpec::seed(),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("--var TARGET_REGOIN: this runbook neither declares nor uses TARGET_REGOIN"),
        "{err}"
    );
}

#[test]
fn upstream_restore_section_compiles_with_polls_and_row_counts() {
    let p = plan(
        "tests/fixtures/upstream/database-backup-restore.yaml",
        &[
            ("BACKUP_URI", "s3://b/backups?AUTH=implicit"),
            ("CONTEXT", "virtengine-prod-eu-west-1"),
        ],
    );
    assert_eq!(p.name, "Database Backup and Restore");
    assert_eq!(p.pre_checks.len(), 2);
    assert_eq!(p.steps.len(), 5);
    assert_eq!(
        step(&p, Phase::PreCheck, "confirm_target_empty").expect,
        Some(Expectation::Text("0".into()))
    );
    let monitor = step(&p, Phase::Step, "monitor_restore_progress");
    let poll = monitor.poll.as_ref().unwrap();
    assert_eq!(poll.interval, Duration::from_secs(30));
    assert_eq!(
        poll.until,
        Expectation::ColumnEquals {
            column: "status".into(),
            value: "succeeded".into()
        }
    );
    assert_eq!(monitor.timeout, Some(Duration::from_mins(30)));
    assert_eq!(
        step(&p, Phase::Step, "verify_data_integrity").expect,
        Some(Expectation::Rows(0))
    );
    assert!(step(&p, Phase::Step, "restore_database").destructive);
    assert!(!step(&p, Phase::Step, "verify_data_integrity").destructive);
    assert_eq!(
        step(&p, Phase::PostCheck, "verify_application_health").retry,
        Retry {
            max_attempts: 6,
            delay: Duration::from_secs(15)
        }
    );
}

#[test]
fn upstream_validation_suite_is_a_set_of_checks_with_the_scripts_own_variables() {
    let p = plan("tests/fixtures/upstream/dr-validation.yaml", &[]);
    assert_eq!(p.steps.len(), 0);
    let names: Vec<&str> = p.pre_checks.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "backup_freshness",
            "cross_region_connectivity",
            "dns_failover_simulation",
            "validator_distribution"
        ]
    );
    assert!(p.pre_checks.iter().all(|s| !s.destructive));
    let fresh = &p.pre_checks[0];
    assert_eq!(fresh.question.as_deref(), Some("all regions < 21600s (6h)"));
    // ${REGION} and ${AGE} belong to the script's loop: left for the shell.
    let Operation::Shell(t) = &fresh.operation else {
        panic!()
    };
    assert!(t.vars().is_empty(), "{:?}", t.vars());
    let rendered = ShellScript::render(t, &BTreeMap::new()).unwrap().script;
    assert!(
        rendered.contains("echo \"${REGION}: ${AGE}s\""),
        "{rendered}"
    );
}

const SHIPPED_FAILOVER_VARS: &[(&str, &str)] = &[
    ("FAILING_REGION", "us-east-1"),
    ("TARGET_REGION", "eu-west-1"),
    ("FAILING_REGION_HEALTH_CHECK_ID", "hc-use1"),
    ("TARGET_REGION_HEALTH_CHECK_ID", "hc-euw1"),
    ("ZONE_ID", "Z123"),
];

#[test]
fn shipped_failover_fences_first_and_gates_what_changes() {
    let p = plan("runbooks/regional-failover.yaml", SHIPPED_FAILOVER_VARS);
    assert_eq!(
        p.vars["VALIDATOR_COUNT"], "3",
        "declared default: the failing region's count"
    );
    let order: Vec<&str> = p.steps.iter().map(|s| s.name.as_str()).collect();
    let at = |n: &str| order.iter().position(|s| *s == n).unwrap();
    assert!(at("fence_failing_validators") < at("scale_validators"));
    assert!(at("pause_traffic") < at("promote_database"));
    for s in &p.steps {
        assert_eq!(
            s.destructive,
            s.gate.is_some(),
            "{}: destructive steps and only they are gated",
            s.name
        );
        // The simulated estate has no provider workloads: that step says `practice: none`.
        if s.destructive && s.name != "scale_workloads" {
            assert_ne!(
                s.practice,
                PracticeEffect::None,
                "{} changes something in practice too",
                s.name
            );
        }
    }
    let phrase = |n: &str| {
        let g = step(&p, Phase::Step, n).gate.as_ref().unwrap();
        (
            g.phrase.as_ref().unwrap().render(&p.vars).unwrap(),
            g.approvers,
            g.reason,
        )
    };
    assert_eq!(
        phrase("promote_database"),
        ("promote eu-west-1".to_owned(), 2, true)
    );
    assert_eq!(
        phrase("update_dns"),
        ("fail over us-east-1 to eu-west-1".to_owned(), 2, false)
    );
    match &step(&p, Phase::Step, "pause_traffic").operation {
        Operation::Builtin(Builtin::HealthCheckUpdate {
            inverted, disabled, ..
        }) => {
            assert_eq!((*inverted, *disabled), (Some(true), None));
        }
        other => panic!("{other:?}"),
    }
    let fence = step(&p, Phase::Step, "fence_failing_validators");
    assert_eq!(
        fence.practice,
        PracticeEffect::Validators(
            drconsole::domain::runbook::template::Template::parse("${FAILING_REGION}").unwrap(),
            false
        )
    );
    assert!(shell(fence).starts_with("kubectl --context=virtengine-prod-${FAILING_REGION} -n virtengine scale statefulset/virtengine-validator --replicas=0"));
    assert!(
        p.phase(Phase::PreCheck)
            .iter()
            .chain(&p.steps)
            .chain(&p.post_checks)
            .chain(&p.rollback)
            .all(|s| s.timeout.is_some())
    );
}

#[test]
fn shipped_runbooks_compile_with_their_variables() {
    let p = plan(
        "runbooks/chain-state-restore.yaml",
        &[
            ("REGION", "eu-west-1"),
            ("NODE", "virtengine-validator-1"),
            ("SNAPSHOT_KEY", "snapshots/h-123.tar.gz"),
        ],
    );
    let restore = step(&p, Phase::Step, "restore_data");
    assert!(shell(restore).contains("--exclude=data/priv_validator_state.json"));
    assert_eq!(restore.gate.as_ref().unwrap().approvers, 2);
    assert_eq!(
        step(&p, Phase::Step, "verify_checksum").expect,
        Some(Expectation::ExitStatus(0))
    );
    let at = |n: &str| p.steps.iter().position(|s| s.name == n).unwrap();
    assert!(
        at("verify_checksum") < at("restore_data") && at("verify_signature") < at("restore_data")
    );

    let p = plan(
        "runbooks/validator-key-restore.yaml",
        &[
            ("REGION", "us-east-1"),
            ("VALIDATOR", "us-east-1-val-0"),
            ("BACKUP_OBJECT", "s3://b/keys/v0.env"),
        ],
    );
    let ceremony = step(&p, Phase::Step, "open_key_ceremony");
    assert!(shell(ceremony).starts_with("drconsole ceremony open "));
    assert!(ceremony.destructive && ceremony.gate.as_ref().unwrap().reason);

    plan(
        "runbooks/database-restore.yaml",
        &[("REGION", "eu-west-1"), ("BACKUP_URI", "s3://b/x")],
    );
    let p = plan("runbooks/dr-validation.yaml", &[]);
    assert_eq!(p.pre_checks.len(), 4);
}

#[test]
fn a_value_outside_the_estate_is_refused() {
    let rb = load_runbook(Path::new("runbooks/regional-failover.yaml")).unwrap();
    let mut v = vars(SHIPPED_FAILOVER_VARS);
    v.insert("TARGET_REGION".into(), "mars-1".into());
    let err = compile(&rb, &Actions::shipped().unwrap(), &v, &EstateSpec::seed()).unwrap_err();
    assert!(err.to_string().contains("TARGET_REGION=mars-1 is not a region of the estate, expected one of us-east-1, eu-west-1, ap-southeast-1"), "{err}");
    v.remove("ZONE_ID");
    v.insert("TARGET_REGION".into(), "eu-west-1".into());
    let err = compile(&rb, &Actions::shipped().unwrap(), &v, &EstateSpec::seed()).unwrap_err();
    assert!(err.to_string().contains("variable ZONE_ID needs a value: give --var ZONE_ID=VALUE (Route53 hosted zone of virtengine.io)"), "{err}");
}

/// A command through `sh -c`, stdout as text.
fn sh(script: &ShellScript) -> String {
    let command = &script.script;
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .envs(script.env())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const PRINT_ACTIONS: &str =
    "actions:\n  print:\n    params: {word: {}}\n    command: printf '%s\\n' ${word}\n";

fn print_plan() -> Plan {
    let text = r#"name: quoting
vars:
  X: {}
steps:
  - name: bare
    command: printf '%s\n' ${X}
    timeout: 5s
  - name: in_double_quotes
    command: printf '%s\n' "<${X}>"
    timeout: 5s
  - name: through_an_action
    action: print
    params: {word: "pre ${X} post"}
    timeout: 5s
"#;
    let rb = parse_runbook(Path::new("quoting.yaml"), text).unwrap();
    let actions = parse_actions(Path::new("actions.yaml"), PRINT_ACTIONS).unwrap();
    compile(
        &rb,
        &actions,
        &vars(&[("X", "placeholder")]),
        &EstateSpec::seed(),
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Whatever the value, the shell prints it back as one word: quotes,
    /// `$(...)`, `;`, newlines and globs never run or split.
    #[test]
    fn a_value_never_injects(value in "[^\u{0}]{0,40}|.*['\"$`;|&\n*\\\\].*") {
        prop_assume!(!value.contains('\u{0}'));
        let p = print_plan();
        let v = vars(&[("X", value.as_str())]);
        let render = |n: &str| match &step(&p, Phase::Step, n).operation {
            Operation::Shell(t) => ShellScript::render(t, &v).unwrap(),
            Operation::Builtin(_) => unreachable!(),
        };
        prop_assert_eq!(sh(&render("bare")), format!("{value}\n"));
        prop_assert_eq!(sh(&render("in_double_quotes")), format!("<{value}>\n"));
        // The action's literal words are quoted too: one argument in all.
        prop_assert_eq!(sh(&render("through_an_action")), format!("pre {value} post\n"));
    }
}

/// Every shell text of a plan (operation, verify, step rollback).
fn shell_texts(p: &Plan) -> Vec<(String, drconsole::domain::runbook::template::Template)> {
    let mut out = Vec::new();
    for s in p
        .pre_checks
        .iter()
        .chain(&p.steps)
        .chain(&p.post_checks)
        .chain(&p.rollback)
    {
        for op in [Some(&s.operation), s.rollback.as_ref()]
            .into_iter()
            .flatten()
        {
            if let Operation::Shell(t) = op {
                out.push((s.name.clone(), t.clone()));
            }
        }
        if let Some(v) = &s.verify {
            out.push((format!("{} (verify)", s.name), v.clone()));
        }
    }
    out
}

#[test]
fn every_command_is_valid_sh_once_filled_in() {
    let runtime = [
        ("EPOCH_SECONDS", "1790000000"),
        ("ELAPSED_SECONDS", "600"),
        ("RUN_ID", "r1"),
        ("ENVIRONMENT", "sim"),
    ];
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "runbooks/regional-failover.yaml",
            SHIPPED_FAILOVER_VARS.to_vec(),
        ),
        (
            "runbooks/chain-state-restore.yaml",
            vec![
                ("REGION", "eu-west-1"),
                ("NODE", "n"),
                ("SNAPSHOT_KEY", "k"),
            ],
        ),
        (
            "runbooks/database-restore.yaml",
            vec![("REGION", "eu-west-1"), ("BACKUP_URI", "s3://b/x")],
        ),
        (
            "runbooks/validator-key-restore.yaml",
            vec![
                ("REGION", "us-east-1"),
                ("VALIDATOR", "v"),
                ("BACKUP_OBJECT", "s3://b/k"),
            ],
        ),
        ("runbooks/dr-validation.yaml", vec![]),
        (
            "tests/fixtures/upstream/regional-failover.yaml",
            UPSTREAM_FAILOVER_VARS.to_vec(),
        ),
    ];
    let mut checked = 0;
    for (file, given) in cases {
        let p = plan(file, &given);
        let mut values = p.vars.clone();
        values.extend(
            runtime
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        for (name, t) in shell_texts(&p) {
            let command = ShellScript::render(&t, &values).unwrap().script;
            let out = std::process::Command::new("sh")
                .args(["-n", "-c", &command])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{file} {name}: {}\n{command}",
                String::from_utf8_lossy(&out.stderr)
            );
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} commands");
}

/// The runbook screen fills in every value the run knows, as the command
/// gets it: the shipped failover's notification says the RTO in seconds,
/// not `${ELAPSED_SECONDS}`.
#[test]
fn the_screen_shows_run_values_resolved() {
    use drconsole::domain::runbook::protocol::Mode;
    use drconsole::domain::time::Timestamp;
    use drconsole::runtime::run::RunSnapshot;
    use drconsole::runtime::run_link::{RunFacts, view};
    let plan = plan(
        "runbooks/regional-failover.yaml",
        &[
            ("FAILING_REGION", "us-east-1"),
            ("TARGET_REGION", "eu-west-1"),
            ("FAILING_REGION_HEALTH_CHECK_ID", "hc-use1"),
            ("TARGET_REGION_HEALTH_CHECK_ID", "hc-euw1"),
            ("ZONE_ID", "Z0PRACTICE"),
        ],
    );
    let start = Timestamp::from_secs(1_795_000_000);
    let mut snap = RunSnapshot::default();
    snap.state.run = "r-1".into();
    snap.state.started_at = Some(start);
    let facts = RunFacts {
        plan,
        mode: Mode::Practice,
        journal: "j".into(),
        driven_by: None,
    };
    let v = view(&facts, &snap, None, start.plus(Duration::from_secs(125)));
    let notify: Vec<&str> = v
        .rows
        .iter()
        .map(|r| r.command.as_str())
        .filter(|c| c.contains("Regional failover complete"))
        .collect();
    assert!(
        !notify.is_empty(),
        "the shipped runbook notifies at the end"
    );
    for c in notify {
        assert!(c.contains("RTO: 125s"), "{c}");
        assert!(!c.contains("${"), "{c}");
    }
}
