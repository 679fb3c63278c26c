//! Issue 12's property: generated scripts that put `${X}` in plain code,
//! double quotes, `$(...)`, backticks, nested quotes, comments,
//! here-documents and pipelines, with hostile values, run through a real
//! `sh` by the live runner in live and practice rendering: the value is
//! received intact as data and never executes; the dry run lists the very
//! script that runs.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use drconsole::domain::runbook::plan::{Phase, StepRef};
use drconsole::domain::runbook::protocol::{Mode, Task};
use drconsole::domain::runbook::render;
use drconsole::runtime::runner::{LiveRunner, StepRunner};
use proptest::prelude::*;
use support::plans::{plan, shell};
use tokio::sync::mpsc;

/// A piece of script that appends what it received of `${X}` to
/// `${OUT}`, and what it must append for value `{v}`.
const FRAGMENTS: &[(&str, &str)] = &[
    ("printf '%s|' ${X} >> ${OUT}", "{v}|"),
    ("printf '%s|' \"<${X}>\" >> ${OUT}", "<{v}>|"),
    ("printf '%s|' \"$(printf '%s.' ${X})\" >> ${OUT}", "{v}.|"),
    ("printf '%s|' \"`printf '%s.' ${X}`\" >> ${OUT}", "{v}.|"),
    (
        "printf '%s|' \"$(printf '%s' \"$(printf '%s.' \"${X}\")\")\" >> ${OUT}",
        "{v}.|",
    ),
    ("cat >> ${OUT} <<EOF\n${X}|\nEOF", "{v}|\n"),
    ("printf '%s|' ${X} | cat >> ${OUT}", "{v}|"),
    (
        "# it's ${X} \"\nprintf '%s|' ${X} >> ${OUT} # don't ${X}",
        "{v}|",
    ),
    ("cat >> ${OUT} <<-END\n\t${X}|\n\tEND", "{v}|\n"),
    (
        "printf '%s|' \"$(printf '%s' 'a'\"${X}\"'b')\" >> ${OUT}",
        "a{v}b|",
    ),
    ("{ printf '%s' ${X}; printf '|'; } >> ${OUT}", "{v}|"),
    (
        "v=`printf '%s.' \"${X}\"`; printf '%s|' \"$v\" >> ${OUT}",
        "{v}.|",
    ),
    (
        "case ${X} in *) printf '%s|' \"${X}\" >> ${OUT};; esac",
        "{v}|",
    ),
    (
        "if test -n \"${X}\" || true; then printf '%s|' ${X} >> ${OUT}; fi",
        "{v}|",
    ),
];

/// Where a value that ran as code would leave its trace.
fn marker() -> PathBuf {
    std::env::temp_dir().join(format!("drconsole-12-pwned-{}", std::process::id()))
}

fn hostile_value() -> impl Strategy<Value = String> {
    let m = marker().display().to_string();
    let tokens = vec![
        format!("$(touch {m})"),
        format!("`touch {m}`"),
        format!("; touch {m};"),
        format!("' ; touch {m} ; '"),
        format!("\" ; touch {m} ; \""),
        format!("\ntouch {m}\n"),
        "\nEOF\n".to_owned(),
        "\n\tEND\n".to_owned(),
        "#".to_owned(),
        "\\".to_owned(),
        "'".to_owned(),
        "\"".to_owned(),
        "$".to_owned(),
        "${OUT}".to_owned(),
        "$X".to_owned(),
        "*".to_owned(),
        "|".to_owned(),
        "&".to_owned(),
        " ".to_owned(),
        "\t".to_owned(),
        "-n".to_owned(),
        "ü🙂\u{202e}".to_owned(),
        "\u{1b}[2J".to_owned(),
        ")".to_owned(),
        "(".to_owned(),
    ];
    prop_oneof![
        "[^\u{0}]{0,40}",
        prop::collection::vec(prop::sample::select(tokens), 0..12).prop_map(|t| t.concat()),
        ("[a-z$`'\"\\\\;\n ]{1,4}", 100..4000usize).prop_map(|(s, n)| s.repeat(n / s.len().max(1))),
    ]
}

fn script() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..FRAGMENTS.len(), 1..5)
}

/// Runs the script made of `picks` with `value` in `mode`, writing under
/// `out`; returns what it wrote.
fn run(picks: &[usize], value: &str, mode: &Mode, out: &Path) -> Vec<u8> {
    let text: Vec<&str> = picks.iter().map(|i| FRAGMENTS[*i].0).collect();
    let text = text.join("\n");
    let file = out.join("received");
    let p = plan(
        vec![],
        vec![shell("generated", &text)],
        vec![],
        vec![],
        &[("X", value), ("OUT", &file.display().to_string())],
    );
    let mut vars: BTreeMap<String, String> = p.vars.clone();
    vars.insert("ENVIRONMENT".into(), mode.label().to_owned());
    let at = StepRef {
        phase: Phase::Step,
        index: 0,
    };
    let job = render::job(&p.steps[0], Task::Step(at), 1, &vars).unwrap();
    // One renderer: the dry run lists exactly the script that runs.
    assert_eq!(render::dry_run(&p)[0].command, job.operation.describe());
    assert!(value.len() < 8 || !job.operation.describe().contains(value));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (tx, _rx) = mpsc::unbounded_channel();
    let outcome = rt.block_on(LiveRunner::shell_only().run(job, tx));
    assert_eq!(outcome.exit.code, Some(0), "{text}\n{outcome:?}");
    std::fs::read(&file).unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_value_arrives_intact_and_never_runs(picks in script(), value in hostile_value()) {
        prop_assume!(!value.contains('\0'));
        let want: String = picks
            .iter()
            .map(|i| FRAGMENTS[*i].1.replace("{v}", &value))
            .collect();
        let modes = [
            Mode::Live { environment: "test-env".into() },
            Mode::Practice,
        ];
        for mode in &modes {
            let dir = tempfile::tempdir().unwrap();
            let got = run(&picks, &value, mode, dir.path());
            prop_assert!(
                got == want.as_bytes(),
                "got {:?}, want {:?}",
                String::from_utf8_lossy(&got),
                want
            );
            prop_assert!(!marker().exists(), "value {:?} ran", value);
        }
    }
}
