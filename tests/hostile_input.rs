//! Issue 12, items 3 to 9, each reproducer as written, on the real binary
//! or the loaders: nothing blocks, panics or grows without bound, and every
//! message is safe to print, names its file and says what is allowed.
//! `tests/hostile_input/NAME.yaml` are invalid files pinned with the one
//! line `drconsole check` must print (`NAME.expected`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use drconsole::runtime::journal_file::JournalWriter;
use serde_json::json;
use support::pinned::{check_message, pin};

const BIN: &str = env!("CARGO_BIN_EXE_drconsole");

/// Runs the binary with `args` in `dir`, stdin closed; fails the test if
/// it takes more than 20 s (a hang). Exit code, stdout, stderr.
fn drconsole(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("HOME", dir)
        .env_remove("XDG_CONFIG_HOME")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("drconsole {args:?} hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut out = String::new();
    let mut err = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (status.code().unwrap_or(-1), out, err)
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fifo(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let ok = Command::new("mkfifo").arg(&path).status().unwrap();
    assert!(ok.success());
    path
}

fn no_control(text: &str) {
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "raw control character in {text:?}"
    );
}

#[test]
fn every_hostile_file_gives_its_expected_message() {
    pin("tests/hostile_input", "yaml", 3, check_message);
    pin("tests/hostile_input/drills", "yaml", 2, check_message);
}

// Item 3: --speed 1e-20 panicked the simulator task and froze the console.
#[test]
fn a_speed_that_would_overflow_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = drconsole(dir.path(), &["--speed", "1e-20"]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim_end(),
        "drconsole: --speed 1e-20 is outside 0.01 to 10000 (1 = real time)"
    );
}

// Item 4: a FIFO given as any file blocked for ever.
#[test]
fn a_fifo_given_as_any_file_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fifo(d, "rb.yaml");
    fifo(d, "env.toml");
    fifo(d, "journal.jsonl");
    fifo(d, "backup.env");
    let scenario = repo().join("runbooks/drills/region-failure.yaml");
    let scenario = scenario.to_str().unwrap();
    let not_regular = "it is a FIFO (named pipe), not a regular file";
    let cases: [(&[&str], String); 8] = [
        (
            &["check", "rb.yaml"],
            format!("rb.yaml: cannot read runbook: {not_regular}"),
        ),
        (
            &["check", "env.toml"],
            format!("env.toml: cannot read environment file: {not_regular}"),
        ),
        (
            &["--env", "env.toml", "status"],
            format!("drconsole: env.toml: cannot read environment file: {not_regular}"),
        ),
        (
            &["journal", "verify", "journal.jsonl"],
            format!("journal.jsonl: cannot read journal: {not_regular}"),
        ),
        (
            &["journal", "show", "journal.jsonl"],
            format!("journal.jsonl: cannot read journal: {not_regular}"),
        ),
        (
            &["run", "rb.yaml", "--practice"],
            format!("drconsole: rb.yaml: cannot read runbook: {not_regular}"),
        ),
        (
            &[
                "ceremony",
                "open",
                "--in",
                "backup.env",
                "--restore-to",
                "key.json",
            ],
            format!("drconsole: backup.env: cannot read envelope: {not_regular}"),
        ),
        (
            &["drill", scenario, "--script", "rb.yaml"],
            format!("drconsole: rb.yaml: cannot read drill script: {not_regular}"),
        ),
    ];
    for (args, want) in cases {
        let (code, _, err) = drconsole(d, args);
        assert_ne!(code, 0, "{args:?}");
        assert_eq!(err.trim_end(), want, "{args:?}");
    }
}

// Item 4: `status --after 18446744073709551615s` never ended.
#[test]
fn an_endless_after_is_refused_with_its_bound() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = drconsole(dir.path(), &["status", "--after", "18446744073709551615s"]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim_end(),
        "drconsole: --after 18446744073709551615s is longer than the longest allowed, 7d"
    );
}

// Item 5: /dev/zero as any input grew to gigabytes; a big file is capped.
#[test]
fn devices_and_oversized_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, _, err) = drconsole(d, &["journal", "verify", "/dev/zero"]);
    assert_eq!(
        err.trim_end(),
        "/dev/zero: cannot read journal: it is a character device, not a regular file"
    );
    let (_, _, err) = drconsole(d, &["--env", "/dev/zero", "status"]);
    assert_eq!(
        err.trim_end(),
        "drconsole: /dev/zero: cannot read environment file: it is a character device, not a regular file"
    );
    let big = fs::File::create(d.join("big.yaml")).unwrap();
    big.set_len(5 * 1024 * 1024).unwrap();
    let (code, _, err) = drconsole(d, &["check", "big.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(
        err.trim_end(),
        "big.yaml: cannot read runbook: 5242880 bytes is more than the 4194304 bytes a runbook may be"
    );
}

// Item 7: ESC from a runbook, TOML file or journal was echoed raw.
#[test]
fn escapes_in_a_toml_value_are_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(
        d.join("env.toml"),
        "environment = \"\\u001b]0;pwned\\u0007\\u001b[2J\"\n",
    )
    .unwrap();
    let (code, out, err) = drconsole(d, &["check", "env.toml"]);
    assert_eq!(code, 1);
    no_control(&out);
    no_control(&err);
    assert!(err.contains("\\x1b"), "{err}");
}

#[test]
fn journal_show_and_verify_never_print_a_raw_escape() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let path = d.join("j.jsonl");
    let mut w = JournalWriter::create(&path, "run-\u{1b}]0;pwned\u{7}\u{9b}2J").unwrap();
    let at = drconsole::domain::time::Timestamp::from_millis(1_795_000_000_000);
    w.append(at, "note\u{1b}[2J", json!({"text": "a\u{7f}\u{9b}b\n"}))
        .unwrap();
    drop(w);
    for cmd in ["show", "verify"] {
        let (code, out, err) = drconsole(d, &["journal", cmd, "j.jsonl"]);
        assert_eq!(code, 0, "{err}");
        no_control(&out);
        assert!(out.contains("run-\\x1b]0;pwned\\x07\\x9b2J"), "{out}");
    }
}

// Item 8: invalid UTF-8 gave no position; a 1 MB value was echoed whole.
#[test]
fn invalid_utf8_is_reported_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(
        d.join("rb.yaml"),
        b"name: x\nsteps:\n  - name: \xc3\xa9t\xff\n",
    )
    .unwrap();
    let (_, _, err) = drconsole(d, &["check", "rb.yaml"]);
    assert_eq!(
        err.trim_end(),
        "rb.yaml:3:13: not UTF-8 text (byte 0xff); save the runbook as UTF-8"
    );
}

#[test]
fn a_megabyte_value_is_cut_in_the_message() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let value = "x".repeat(1024 * 1024);
    fs::write(
        d.join("rb.yaml"),
        format!("name: x\nsteps:\n  - name: a\n    command: echo\n    timeout: \"{value}\"\n"),
    )
    .unwrap();
    let (code, _, err) = drconsole(d, &["check", "rb.yaml"]);
    assert_eq!(code, 1);
    assert!(err.len() < 2048, "{} bytes", err.len());
    assert!(err.starts_with("rb.yaml:5:14: bad duration \"xxx"), "{err}");
    assert!(err.contains("…(1048576 bytes)"), "{err}");
}

// Item 8: an I/O error named no file.
#[test]
fn an_io_error_names_its_file_and_what_was_read() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _, err) = drconsole(dir.path(), &["run", "/dev/null/x.yaml"]);
    assert_eq!(
        err.trim_end(),
        "drconsole: /dev/null/x.yaml: cannot read runbook: Not a directory (os error 20)"
    );
    let (_, _, err) = drconsole(dir.path(), &["journal", "verify", "/dev/null/j"]);
    assert_eq!(
        err.trim_end(),
        "/dev/null/j: cannot read the journal: Not a directory (os error 20)"
    );
}

// Item 8: an edited journal said so once, not three times.
#[test]
fn an_edited_journal_says_so_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let path = d.join("j.jsonl");
    let mut w = JournalWriter::create(&path, "r").unwrap();
    let at = drconsole::domain::time::Timestamp::from_millis(1_795_000_000_000);
    w.append(at, "a", json!({"n": 1})).unwrap();
    w.append(at, "b", json!({"n": 2})).unwrap();
    drop(w);
    let text = fs::read_to_string(&path)
        .unwrap()
        .replace("\"n\":2", "\"n\":3");
    fs::write(&path, text).unwrap();
    let (code, _, err) = drconsole(d, &["journal", "verify", "j.jsonl"]);
    assert_eq!(code, 1);
    assert_eq!(
        err.trim_end(),
        "j.jsonl: line 2: entry edited (hash mismatch)"
    );
}

// Item 9: `check tests/fixtures/drills/` called every script a broken scenario.
#[test]
fn check_tells_drill_scripts_from_scenarios() {
    let (code, out, err) = drconsole(&repo(), &["check", "tests/fixtures/drills/"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() >= 14, "{out}");
    assert!(lines.contains(&"ok tests/fixtures/drills/dns-failure-slow.yaml (drill script)"));
    assert!(
        lines.contains(&"ok tests/fixtures/drills/referee/provider-outage.yaml (drill scenario)")
    );
    assert!(lines.iter().all(|l| l.starts_with("ok ")), "{out}");
}
