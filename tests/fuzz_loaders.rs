//! A seeded, bounded mutation test over every loader: the repository's own
//! runbooks, actions, layouts, themes, environment files, drill scenarios
//! and scripts, a journal, an envelope and share text, mutated byte by byte
//! (bit flips, ESC and other control characters, invalid UTF-8, huge
//! numbers, truncation, duplicated and deleted lines). For every case: no
//! panic, no hang, every error message free of raw control characters, and
//! every file:line:col inside the file.
//!
//! The seed is fixed, so a failure names a case that fails again; set
//! `DRCONSOLE_FUZZ_SEED` and `DRCONSOLE_FUZZ_CASES` to explore further.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use drconsole::config::drill_file::parse_scenario;
use drconsole::config::drill_script::parse_script;
use drconsole::config::runbook::{parse_actions, parse_runbook};
use drconsole::config::{ConfigError, parse_environment, parse_layout, parse_theme};
use drconsole::crypto::{Header, ShareText, Sidecar, split};
use drconsole::domain::estate::EstateSpec;
use drconsole::domain::journal::verify_bytes;
use drconsole::runtime::journal_file::JournalWriter;
use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use secrecy::ExposeSecret as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Runbook,
    Actions,
    Layout,
    Theme,
    Environment,
    Scenario,
    Script,
    Journal,
    Envelope,
    Share,
    Sidecar,
}

fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    out.sort();
    out
}

/// The seeds: real files of every kind, and generated journals, envelopes
/// and shares.
fn corpus(tmp: &Path) -> Vec<(Kind, PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut add = |kind, path: PathBuf| {
        let bytes = fs::read(&path).unwrap();
        out.push((kind, path, bytes));
    };
    for p in files("runbooks", "yaml") {
        let kind = if p.ends_with("actions.yaml") {
            Kind::Actions
        } else {
            Kind::Runbook
        };
        add(kind, p);
    }
    for p in files("layouts", "toml") {
        add(Kind::Layout, p);
    }
    for p in files("themes", "toml") {
        add(Kind::Theme, p);
    }
    for p in files("tests/fixtures/env", "toml") {
        add(Kind::Environment, p);
    }
    for p in files("runbooks/drills", "yaml") {
        add(Kind::Scenario, p);
    }
    for p in files("tests/fixtures/drills", "yaml") {
        add(Kind::Script, p);
    }
    let journal = tmp.join("seed.jsonl");
    let mut w = JournalWriter::create(&journal, "failover-2026-11-26").unwrap();
    let at = drconsole::domain::time::Timestamp::from_millis(1_795_000_000_000);
    for i in 0..6 {
        w.append(
            at,
            "step.passed",
            serde_json::json!({"step": format!("s{i}"), "n": i}),
        )
        .unwrap();
    }
    drop(w);
    let bytes = fs::read(&journal).unwrap();
    out.push((Kind::Journal, journal, bytes));
    let pass = secrecy::SecretString::from("correct horse battery staple");
    let sealed = drconsole::crypto::seal(b"{\"priv_key\":\"x\"}", &pass, 100_000).unwrap();
    out.push((Kind::Envelope, PathBuf::from("backup.env"), sealed));
    for share in split(b"a secret of some length", 2, 3).unwrap() {
        let text = share.encode();
        out.push((
            Kind::Share,
            PathBuf::from("share.txt"),
            text.expose_secret().as_bytes().to_vec(),
        ));
    }
    let sidecar = Sidecar::for_backup(
        "validator-key",
        "validator-0",
        jiff::Timestamp::from_second(1_795_000_000).unwrap(),
        100_000,
    )
    .unwrap()
    .to_json()
    .unwrap();
    out.push((
        Kind::Sidecar,
        PathBuf::from("backup.json"),
        sidecar.into_bytes(),
    ));
    out
}

const NASTY: &[&[u8]] = &[
    b"\x1b]0;pwned\x07\x1b[2J",
    b"\x1b",
    b"\x00",
    b"\x7f",
    b"\xc2\x9b",
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\n",
    b"\r",
    b"\t",
    b"99999999999999999999",
    b"4294967295",
    b"18446744073709551615s",
    b"-1",
    b"1e308",
    b"0s",
    b"\"",
    b"'",
    b":",
    b"- ",
    b"[",
    b"{",
    b"\xe2\x80\xae",
];

fn mutate(rng: &mut ChaCha8Rng, seed: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..rng.random_range(1..=3) {
        let at = if b.is_empty() {
            0
        } else {
            rng.random_range(0..b.len())
        };
        match rng.random_range(0..6) {
            0 if !b.is_empty() => b[at] ^= 1 << rng.random_range(0..8),
            1 | 2 => {
                let n = NASTY[rng.random_range(0..NASTY.len())];
                b.splice(at..at, n.iter().copied());
            }
            3 => b.truncate(at),
            4 | 5 => {
                let lines: Vec<&[u8]> = b.split_inclusive(|c| *c == b'\n').collect();
                if lines.is_empty() {
                    continue;
                }
                let i = rng.random_range(0..lines.len());
                let mut out: Vec<u8> = Vec::with_capacity(b.len() * 2);
                for (j, l) in lines.iter().enumerate() {
                    if j != i || rng.random_bool(0.5) {
                        out.extend_from_slice(l);
                    }
                    if j == i {
                        out.extend_from_slice(l);
                    }
                }
                b = out;
            }
            _ => {}
        }
    }
    b
}

/// The message of one load, or `None` when it loaded.
fn load(
    kind: Kind,
    path: &Path,
    bytes: &[u8],
    tmp: &Path,
) -> Option<(String, Option<ConfigError>)> {
    let config = |r: Result<(), ConfigError>| r.err().map(|e| (e.to_string(), Some(e)));
    let binary = matches!(kind, Kind::Journal | Kind::Envelope);
    let text = if let Ok(t) = std::str::from_utf8(bytes) {
        t.to_owned()
    } else if binary {
        String::new()
    } else {
        // Through the one reading function, which must name the spot.
        let file = tmp.join("case.txt");
        fs::write(&file, bytes).unwrap();
        let e = drconsole::text::read_text(&file, drconsole::text::Cap::RUNBOOK).unwrap_err();
        return Some((e.to_string(), Some(ConfigError::from(e))));
    };
    let spec = EstateSpec::seed();
    match kind {
        Kind::Runbook => config(parse_runbook(path, &text).map(drop)),
        Kind::Actions => config(parse_actions(path, &text).map(drop)),
        Kind::Layout => config(parse_layout("fuzz", path, &text).map(drop)),
        Kind::Theme => config(parse_theme("fuzz", path, &text).map(drop)),
        Kind::Environment => config(parse_environment(path, &text).map(drop)),
        Kind::Scenario => config(parse_scenario(path, &text, &spec).map(drop)),
        Kind::Script => {
            let scenario = parse_scenario(
                Path::new("runbooks/drills/region-failure.yaml"),
                &fs::read_to_string("runbooks/drills/region-failure.yaml").unwrap(),
                &spec,
            )
            .unwrap();
            config(parse_script(path, &text, &scenario).map(drop))
        }
        Kind::Journal => verify_bytes(bytes, None)
            .err()
            .map(|e| (e.to_string(), None)),
        Kind::Envelope => Header::parse(bytes).err().map(|e| (e.to_string(), None)),
        Kind::Share => ShareText::parse(&text).err().map(|e| (e.to_string(), None)),
        Kind::Sidecar => Sidecar::from_json(&text)
            .err()
            .map(|e| (e.to_string(), None)),
    }
}

/// Whether line:col of an error lies inside `bytes` (one past the end of
/// a line or of the file is where a missing thing would go).
fn position_inside(bytes: &[u8], line: usize, col: usize) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.split('\n').collect();
    line >= 1 && line <= lines.len() && col >= 1 && col <= lines[line - 1].chars().count() + 1
}

#[test]
fn every_loader_survives_mutated_input() {
    let seed: u64 = std::env::var("DRCONSOLE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(12);
    let cases: usize = std::env::var("DRCONSOLE_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000);
    let tmp = tempfile::tempdir().unwrap();
    let corpus = corpus(tmp.path());
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut failures = Vec::new();
    let mut kinds_seen = std::collections::BTreeSet::new();
    let started = Instant::now();
    for case in 0..cases {
        let (kind, path, original) = &corpus[case % corpus.len()];
        let bytes = mutate(&mut rng, original);
        let t = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| load(*kind, path, &bytes, tmp.path())));
        let took = t.elapsed();
        kinds_seen.insert(format!("{kind:?}"));
        let name = format!("case {case} ({kind:?} from {})", path.display());
        if took > Duration::from_secs(2) {
            failures.push(format!("{name}: took {took:?}"));
        }
        let Ok(outcome) = result else {
            failures.push(format!("{name}: panicked"));
            continue;
        };
        let Some((message, config)) = outcome else {
            continue;
        };
        if message.chars().any(char::is_control) {
            failures.push(format!("{name}: raw control character in {message:?}"));
        }
        if message.len() > 4096 {
            failures.push(format!("{name}: {} byte message", message.len()));
        }
        if let Some(ConfigError::Invalid { line, col, .. }) = config
            && !position_inside(&bytes, line, col)
        {
            failures.push(format!(
                "{name}: {line}:{col} is outside the file: {message}"
            ));
        }
        if let Some(ConfigError::Read(drconsole::text::ReadError::NotUtf8 { line, col, .. })) =
            config
            && !position_inside(&bytes, line, col)
        {
            failures.push(format!(
                "{name}: {line}:{col} is outside the file: {message}"
            ));
        }
    }
    assert_eq!(kinds_seen.len(), 11, "{kinds_seen:?}");
    assert!(
        failures.is_empty(),
        "seed {seed}, {} of {cases} cases failed in {:?}:\n{}",
        failures.len(),
        started.elapsed(),
        failures[..failures.len().min(30)].join("\n")
    );
}
