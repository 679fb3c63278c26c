//! Unit tests of the journal: the canonical form, verification of every kind
//! of tampering, secret-key detection and the `journal show` listing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::entry::{format_at, parse_at, sha256_hex};
use super::*;
use serde_json::{Value, json};

use crate::domain::time::Timestamp;

fn t(ms: i64) -> Timestamp {
    Timestamp::from_millis(1_795_000_000_000 + ms)
}

fn chain(n: u64) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for i in 0..n {
        let after = out.last().map_or_else(Head::genesis, Entry::head);
        let i_ms = i64::try_from(i).unwrap() * 1500;
        out.push(seal(
            &after,
            t(i_ms),
            "run-1",
            "step.passed",
            json!({"step": i}),
        ));
    }
    out
}

fn text(entries: &[Entry]) -> String {
    entries.iter().map(|e| e.line() + "\n").collect()
}

fn lines(text: &str) -> Vec<(usize, &str)> {
    text.lines().enumerate().map(|(i, l)| (i + 1, l)).collect()
}

fn head(entries: &[Entry]) -> Head {
    entries.last().map_or_else(Head::genesis, Entry::head)
}

#[test]
fn hash_is_deterministic_and_covers_every_field() {
    let g = Head::genesis();
    let a = seal(&g, t(0), "r", "k", json!({"b": 1, "a": [1, 2]}));
    let b = seal(&g, t(0), "r", "k", json!({"b": 1, "a": [1, 2]}));
    assert_eq!(a, b);
    assert_eq!(a.hash.len(), 64);
    assert_eq!(a.seq, 1);
    assert_eq!(a.prev, GENESIS_HASH);
    for other in [
        seal(&g, t(1), "r", "k", json!({"b": 1, "a": [1, 2]})),
        seal(&g, t(0), "s", "k", json!({"b": 1, "a": [1, 2]})),
        seal(&g, t(0), "r", "j", json!({"b": 1, "a": [1, 2]})),
        seal(&g, t(0), "r", "k", json!({"b": 2, "a": [1, 2]})),
        seal(&a.head(), t(0), "r", "k", json!({"b": 1, "a": [1, 2]})),
    ] {
        assert_ne!(a.hash, other.hash);
    }
}

#[test]
fn known_answer_pins_the_canonical_form() {
    let e = seal(
        &Head::genesis(),
        Timestamp::parse_rfc3339("2026-11-26T03:00:00Z").unwrap(),
        "r",
        "k",
        Value::Null,
    );
    let body = format!(
        "{{\"seq\":1,\"at\":\"2026-11-26T03:00:00.000Z\",\"run\":\"r\",\"kind\":\"k\",\"data\":null,\"prev\":\"{GENESIS_HASH}\"}}"
    );
    assert_eq!(e.hash, sha256_hex(body.as_bytes()));
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(e.line(), serde_json::to_string(&e).unwrap());
}

#[test]
fn times_round_trip_exactly() {
    for ms in [0, 1, 999, -1, -1001, 1_795_000_000_123, i64::MAX, i64::MIN] {
        let ts = Timestamp::from_millis(ms);
        assert_eq!(parse_at(&format_at(ts)), Ok(ts), "{ms}");
    }
    assert_eq!(
        format_at(Timestamp::from_millis(-1)),
        "1969-12-31T23:59:59.999Z"
    );
    assert!(
        parse_at("2026-11-26T03:00:00Z").is_err(),
        "non-canonical spelling"
    );
}

#[test]
fn a_sound_chain_verifies() {
    let es = chain(5);
    let txt = text(&es);
    let s = verify_lines(lines(&txt), Some(&head(&es))).unwrap();
    assert_eq!(s.entries, 5);
    assert_eq!(s.runs, vec!["run-1".to_owned()]);
    assert_eq!(s.first_at, Some(t(0)));
    assert_eq!(s.last_at, Some(t(6000)));
    assert!(!s.head_lags);
    assert_eq!(verify_bytes(txt.as_bytes(), Some(&head(&es))), Ok(s));
    assert!(verify_bytes(b"", Some(&Head::genesis())).is_ok());
}

#[test]
fn an_edit_is_named() {
    let es = chain(5);
    let txt = text(&es).replace("{\"step\":2}", "{\"step\":7}");
    assert_eq!(
        verify_lines(lines(&txt), None),
        Err(JournalError::Edited { line: 3 })
    );
    let spaced = text(&es).replace("\"step\":2", "\"step\": 2");
    assert_eq!(
        verify_lines(lines(&spaced), None),
        Err(JournalError::Edited { line: 3 })
    );
}

#[test]
fn a_deletion_is_named() {
    let es = chain(5);
    let mut kept = es.clone();
    kept.remove(2);
    let err = verify_lines(lines(&text(&kept)), None).unwrap_err();
    assert_eq!(
        err,
        JournalError::Gap {
            line: 3,
            seq: 4,
            after: 2
        }
    );
    assert_eq!(
        err.to_string(),
        "line 3: entry 4 follows entry 2: 1 entry deleted or reordered"
    );
    let err = verify_lines(lines(&text(&es[2..])), None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1: the journal starts at entry 3: 2 entries deleted from the start"
    );
}

#[test]
fn a_reordering_is_named() {
    let mut es = chain(5);
    es.swap(1, 2);
    assert_eq!(
        verify_lines(lines(&text(&es)), None),
        Err(JournalError::Gap {
            line: 2,
            seq: 3,
            after: 1
        })
    );
    let mut dup = chain(3);
    dup.push(dup[2].clone());
    assert_eq!(
        verify_lines(lines(&text(&dup)), None),
        Err(JournalError::Backwards {
            line: 4,
            seq: 3,
            after: 3
        })
    );
}

#[test]
fn a_foreign_entry_breaks_the_link() {
    let es = chain(4);
    let other = seal(&es[1].head(), t(1), "run-2", "k", Value::Null);
    let mut mixed = es.clone();
    mixed[2] = other;
    let err = verify_lines(lines(&text(&mixed)), None).unwrap_err();
    // Entry 4's prev is the hash of the original entry 3.
    assert_eq!(err.to_string(), "line 4: prev hash does not match line 3");
    let forged = seal(
        &Head {
            seq: 0,
            hash: es[0].hash.clone(),
        },
        t(1),
        "r",
        "k",
        Value::Null,
    );
    assert_eq!(
        verify_lines(lines(&text(&[forged])), None),
        Err(JournalError::NotGenesis { line: 1 })
    );
}

#[test]
fn the_head_finds_a_cut_tail() {
    let es = chain(12);
    let err = verify_lines(lines(&text(&es[..9])), Some(&head(&es))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "truncated: the journal ends at entry 9 but its head records entry 12"
    );
    let mut other = head(&es);
    other.hash = GENESIS_HASH.to_owned();
    assert_eq!(
        verify_lines(lines(&text(&es)), Some(&other)),
        Err(JournalError::HeadMismatch { seq: 12 })
    );
    assert_eq!(
        verify_lines(lines(&text(&es)), Some(&es[5].head())),
        Err(JournalError::HeadBehind { head: 6, last: 12 })
    );
}

#[test]
fn a_head_one_behind_is_a_crash_not_tampering() {
    let es = chain(3);
    let s = verify_lines(lines(&text(&es)), Some(&es[1].head())).unwrap();
    assert!(s.head_lags);
    let one = chain(1);
    assert!(
        verify_lines(lines(&text(&one)), Some(&Head::genesis()))
            .unwrap()
            .head_lags
    );
}

#[test]
fn bad_lines_are_named() {
    let es = chain(3);
    let mut txt = text(&es);
    txt.push_str("{oops\n");
    let err = verify_lines(lines(&txt), None).unwrap_err();
    assert!(err.to_string().starts_with("line 4: not JSON: "), "{err}");
    let err = verify_lines([(1, "{\"seq\":1}")], None).unwrap_err();
    assert!(
        err.to_string().starts_with("line 1: not a journal entry: "),
        "{err}"
    );
    let mut bytes = text(&es).into_bytes();
    bytes[5] = 0xff;
    assert_eq!(
        verify_bytes(&bytes, None),
        Err(JournalError::NotUtf8 { line: 1, col: 6 })
    );
}

#[test]
fn a_torn_last_line_is_reported_distinctly() {
    let es = chain(4);
    let full = text(&es);
    let cut = full.len() - 30;
    let txt = &full[..cut];
    assert_eq!(
        verify_bytes(txt.as_bytes(), Some(&es[2].head()))
            .unwrap_err()
            .to_string(),
        "line 4: last line is incomplete (crash while writing?)"
    );
    let scan = scan(txt.as_bytes(), Some(&es[2].head())).unwrap();
    assert_eq!(
        scan.torn,
        Some(Torn {
            line: 4,
            offset: text(&es[..3]).len()
        })
    );
    assert_eq!(scan.entries.len(), 3);
    // A head that acknowledged entry 4 makes it a truncation instead.
    assert_eq!(
        verify_bytes(txt.as_bytes(), Some(&es[3].head())),
        Err(JournalError::Truncated { last: 3, head: 4 })
    );
}

#[test]
fn secret_keys_are_found_recursively() {
    for (data, found) in [
        (json!({"holder": "alice", "index": 2}), None),
        (
            json!({"share_index": 2, "secret_name": "dr/keys", "shares_count": 5}),
            None,
        ),
        (json!({"share": "abc"}), Some("/share")),
        (json!({"holder": {"Share": "x"}}), Some("/holder/Share")),
        (
            json!({"list": [1, {"backupPassphrase": "x"}]}),
            Some("/list/1/backupPassphrase"),
        ),
        (json!({"KEY_MATERIAL": "x"}), Some("/KEY_MATERIAL")),
        (json!({"keyMaterial": "x"}), Some("/keyMaterial")),
        (json!({"seed-mnemonic": "x"}), Some("/seed-mnemonic")),
        (
            json!({"secret_name": {"secret": 1}}),
            Some("/secret_name/secret"),
        ),
        (json!({"a/b": {"secrets": 1}}), Some("/a~1b/secrets")),
        (json!({"note": "share", "sharedDrive": 1, "keys": 3}), None),
    ] {
        assert_eq!(find_secret_key(&data).as_deref(), found, "{data}");
    }
}

#[test]
fn show_lists_one_entry_a_line() {
    let mut es = chain(2);
    es.push(seal(
        &es[1].head(),
        t(9000),
        "run-1",
        "run.done",
        Value::Null,
    ));
    let out = render_show(&es);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 4);
    assert!(rows[0].starts_with("seq  at "), "{out}");
    assert!(rows[1].starts_with("  1  2026-"), "{out}");
    assert!(rows[1].ends_with("step.passed  {\"step\":0}"), "{out}");
    assert!(rows[3].ends_with("run.done"), "{out}");
}

fn alice() -> Author {
    Author {
        arn: "arn:aws:iam::123456789012:user/alice".into(),
        user: "alice".into(),
        host: "bastion-1".into(),
    }
}

#[test]
fn an_author_is_hashed_in_its_place_and_a_changed_author_is_an_edit() {
    let e = seal_by(
        &Head::genesis(),
        Timestamp::parse_rfc3339("2026-11-26T03:00:00Z").unwrap(),
        "r",
        "k",
        Value::Null,
        Some(&alice()),
    );
    let body = format!(
        "{{\"seq\":1,\"at\":\"2026-11-26T03:00:00.000Z\",\"run\":\"r\",\"kind\":\"k\",\"data\":null,\"by\":{{\"arn\":\"arn:aws:iam::123456789012:user/alice\",\"user\":\"alice\",\"host\":\"bastion-1\"}},\"prev\":\"{GENESIS_HASH}\"}}"
    );
    assert_eq!(e.hash, sha256_hex(body.as_bytes()));
    assert_eq!(e.line(), serde_json::to_string(&e).unwrap());
    let line = e.line() + "\n";
    let read = verify_bytes(line.as_bytes(), Some(&e.head())).unwrap();
    assert_eq!(read.entries, 1);
    // Another author, or none, with the old hash: caught.
    for forged in [
        line.replace("user/alice", "user/mallory"),
        line.replace("bastion-1", "bastion-2"),
    ] {
        assert_eq!(
            verify_bytes(forged.as_bytes(), None),
            Err(JournalError::Edited { line: 1 }),
            "{forged}"
        );
    }
    let parsed: Entry = serde_json::from_str(&e.line()).unwrap();
    assert_eq!(parsed.by, Some(alice()));
    // An entry without an author keeps the old form exactly.
    assert!(
        !seal(&Head::genesis(), t(0), "r", "k", Value::Null)
            .line()
            .contains("\"by\"")
    );
}

#[test]
fn an_author_is_described_printably() {
    let mut a = alice();
    a.host = "evil\u{1b}[2Jhost".into();
    let d = a.describe();
    assert!(!d.contains('\u{1b}'), "{d}");
    assert!(
        d.starts_with("alice@") && d.ends_with("(arn:aws:iam::123456789012:user/alice)"),
        "{d}"
    );
    let mut b = alice();
    b.host = "laptop".into();
    assert!(
        a.same_identity(&b),
        "one ARN at two terminals is one identity"
    );
    b.arn = "arn:aws:iam::123456789012:user/bob".into();
    assert!(!a.same_identity(&b));
}
