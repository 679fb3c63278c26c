//! The journal on disk: append, verify, every kind of tampering, crashes
//! and resume, the secret guard, file modes.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::fs;
use std::path::{Path, PathBuf};

use drconsole::domain::journal::{Head, JournalError, render_show, seal};
use drconsole::domain::time::Timestamp;
use drconsole::runtime::journal_file::{
    JournalFileError, JournalWriter, TornTail, head_path, read_journal, verify_file,
};
use serde_json::json;

fn at(i: u64) -> Timestamp {
    Timestamp::from_millis(1_795_000_000_000 + i64::try_from(i).unwrap() * 1250)
}

/// A journal of `n` entries in a fresh directory.
fn journal(n: u64) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.jsonl");
    let mut w = JournalWriter::create(&path, "failover-2026-11-26").unwrap();
    for i in 1..=n {
        let e = w
            .append(
                at(i),
                "step.passed",
                json!({"step": format!("s{i}"), "n": i}),
            )
            .unwrap();
        assert_eq!(e.seq, i);
    }
    (dir, path)
}

fn lines(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn write_lines(path: &Path, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    fs::write(path, text).unwrap();
}

fn verify_msg(path: &Path) -> String {
    verify_file(path).unwrap_err().to_string()
}

#[test]
fn appended_entries_verify_and_read_back() {
    let (_d, path) = journal(10);
    let s = verify_file(&path).unwrap();
    assert_eq!(s.entries, 10);
    assert_eq!(s.runs, vec!["failover-2026-11-26".to_owned()]);
    assert_eq!(s.first_at, Some(at(1)));
    assert_eq!(s.last_at, Some(at(10)));
    assert!(!s.head_lags);
    let entries = read_journal(&path).unwrap();
    assert_eq!(entries.len(), 10);
    assert_eq!(entries[4].data, json!({"step": "s5", "n": 5}));
    let shown = render_show(&entries);
    assert_eq!(shown.lines().count(), 11);
    assert!(
        shown.contains("failover-2026-11-26  step.passed"),
        "{shown}"
    );
    let head: Head = serde_json::from_str(&fs::read_to_string(head_path(&path)).unwrap()).unwrap();
    assert_eq!(head, entries[9].head());
}

#[test]
fn an_edited_byte_is_named_with_its_line() {
    let (_d, path) = journal(8);
    let mut ls = lines(&path);
    ls[6] = ls[6].replace("\"s7\"", "\"s9\"");
    write_lines(&path, &ls);
    assert_eq!(verify_msg(&path), "line 7: entry edited (hash mismatch)");
}

#[test]
fn a_deleted_line_is_named() {
    let (_d, path) = journal(8);
    let mut ls = lines(&path);
    ls.remove(4);
    write_lines(&path, &ls);
    assert_eq!(
        verify_msg(&path),
        "line 5: entry 6 follows entry 4: 1 entry deleted or reordered"
    );
}

#[test]
fn swapped_lines_are_named() {
    let (_d, path) = journal(8);
    let mut ls = lines(&path);
    ls.swap(2, 3);
    write_lines(&path, &ls);
    assert_eq!(
        verify_msg(&path),
        "line 3: entry 4 follows entry 2: 1 entry deleted or reordered"
    );
}

#[test]
fn a_cut_tail_is_found_through_the_head() {
    let (_d, path) = journal(12);
    let ls = lines(&path);
    write_lines(&path, &ls[..9]);
    assert_eq!(
        verify_msg(&path),
        "truncated: the journal ends at entry 9 but its head records entry 12"
    );
    assert!(matches!(
        JournalWriter::open(&path),
        Err(JournalFileError::Journal(JournalError::Truncated {
            last: 9,
            head: 12
        }))
    ));
    // Emptying the file is a truncation too.
    fs::write(&path, "").unwrap();
    assert_eq!(
        verify_msg(&path),
        "truncated: the journal ends at entry 0 but its head records entry 12"
    );
    // And so is removing the head.
    fs::remove_file(head_path(&path)).unwrap();
    assert!(verify_msg(&path).contains("head file missing"));
}

#[test]
fn a_torn_last_line_is_reported_and_blocks_appends() {
    let (_d, path) = journal(5);
    let mut bytes = fs::read(&path).unwrap();
    // A crash while writing entry 6: part of its line, no newline.
    let six = seal(
        &read_journal(&path).unwrap()[4].head(),
        at(6),
        "r",
        "k",
        json!({}),
    );
    bytes.extend_from_slice(&six.line().as_bytes()[..40]);
    fs::write(&path, &bytes).unwrap();
    assert_eq!(
        verify_msg(&path),
        "line 6: last line is incomplete (crash while writing?)"
    );
    assert!(matches!(
        JournalWriter::open(&path),
        Err(JournalFileError::Journal(JournalError::TornTail {
            line: 6
        }))
    ));
    // The head proves entry 6 was never acknowledged: it may be dropped.
    let mut w = JournalWriter::open_with(&path, TornTail::DropIfUnacknowledged).unwrap();
    assert_eq!(w.next_seq(), 6);
    assert_eq!(w.append(at(6), "step.retried", json!({})).unwrap().seq, 6);
    drop(w);
    assert_eq!(verify_file(&path).unwrap().entries, 6);
}

#[test]
fn a_torn_line_after_a_cut_is_not_dropped() {
    let (_d, path) = journal(5);
    let bytes = fs::read(&path).unwrap();
    // Cut in the middle of entry 5, which the head acknowledged.
    fs::write(&path, &bytes[..bytes.len() - 20]).unwrap();
    let err = JournalWriter::open_with(&path, TornTail::DropIfUnacknowledged).unwrap_err();
    assert_eq!(
        err.to_string(),
        "truncated: the journal ends at entry 4 but its head records entry 5"
    );
    assert_eq!(
        fs::read(&path).unwrap().len(),
        bytes.len() - 20,
        "untouched"
    );
}

#[test]
fn resume_after_a_crash_between_line_and_head() {
    let (_d, path) = journal(3);
    let head_before = fs::read(head_path(&path)).unwrap();
    // Entry 4 reached the disk, then kill -9 before the head was replaced.
    let mut w = JournalWriter::open(&path).unwrap();
    w.append(at(4), "step.started", json!({"step": "s4"}))
        .unwrap();
    drop(w);
    fs::write(head_path(&path), head_before).unwrap();
    let s = verify_file(&path).unwrap();
    assert!(s.head_lags);
    assert!(s.to_string().contains("head one entry behind"), "{s}");

    let mut w = JournalWriter::open(&path).unwrap();
    assert_eq!(w.run(), "failover-2026-11-26");
    assert_eq!(w.entries().len(), 4);
    assert_eq!(w.entries()[3].kind, "step.started");
    assert_eq!(w.next_seq(), 5);
    assert!(
        !verify_file(&path).unwrap().head_lags,
        "open repaired the head"
    );
    assert_eq!(w.append(at(5), "step.unknown", json!({})).unwrap().seq, 5);
    drop(w);
    assert_eq!(verify_file(&path).unwrap().entries, 5);
}

#[test]
fn resume_after_a_plain_kill_continues_the_sequence() {
    let (_d, path) = journal(7);
    let mut w = JournalWriter::open(&path).unwrap();
    assert_eq!(w.next_seq(), 8);
    let e = w.append(at(8), "run.resumed", json!({})).unwrap().clone();
    assert_eq!(e.seq, 8);
    assert_eq!(e.prev, w.entries()[6].hash);
}

#[test]
fn one_writer_at_a_time_and_no_overwrite() {
    let (_d, path) = journal(2);
    let _w = JournalWriter::open(&path).unwrap();
    assert!(matches!(
        JournalWriter::open(&path),
        Err(JournalFileError::Locked { .. })
    ));
    assert!(matches!(
        JournalWriter::create(&path, "x"),
        Err(JournalFileError::Exists { .. })
    ));
}

#[test]
fn secrets_are_refused_and_nothing_is_written() {
    let (_d, path) = journal(2);
    let before = fs::read(&path).unwrap();
    let mut w = JournalWriter::open(&path).unwrap();
    for data in [
        json!({"holder": "alice", "share": "drs1-3-..."}),
        json!({"envelope": {"Passphrase": "x"}}),
        json!({"restore": [{"key_material": "x"}]}),
        json!({"seedMnemonic": "x"}),
        json!({"secret": "x"}),
    ] {
        let err = w.append(at(3), "share.entered", data).unwrap_err();
        assert!(
            matches!(err, JournalFileError::SecretInData { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("never go in the journal"));
    }
    assert_eq!(fs::read(&path).unwrap(), before);
    let ok = w
        .append(
            at(3),
            "share.entered",
            json!({"holder": "alice", "share_index": 2}),
        )
        .unwrap();
    assert_eq!(ok.seq, 3);
}

#[cfg(unix)]
#[test]
fn files_are_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let (_d, path) = journal(1);
    for p in [path.clone(), head_path(&path)] {
        let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", p.display());
    }
}

#[test]
fn every_single_byte_flip_is_detected() {
    let (_d, path) = journal(20);
    let original = fs::read(&path).unwrap();
    assert!(verify_file(&path).is_ok());
    for i in 0..original.len() {
        let mut bytes = original.clone();
        // A fixed substitution that always changes the byte and keeps ASCII.
        bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
        fs::write(&path, &bytes).unwrap();
        assert!(
            verify_file(&path).is_err(),
            "byte {i} ({:?}) changed unnoticed",
            char::from(original[i])
        );
    }
}

#[test]
fn a_batch_is_one_append_that_chains_like_single_ones() {
    let (_d, path) = journal(3);
    let mut w = JournalWriter::open(&path).unwrap();
    w.append_batch(
        (4..=7)
            .map(|i| (at(i), "step.passed".to_owned(), json!({"n": i})))
            .collect(),
    )
    .unwrap();
    w.append(at(8), "run.finished", json!({})).unwrap();
    let s = verify_file(&path).unwrap();
    assert_eq!(s.entries, 8);
    let entries = read_journal(&path).unwrap();
    assert_eq!(entries[6].data, json!({"n": 7}));
    // A secret anywhere in a batch refuses all of it.
    let refused = w.append_batch(vec![
        (at(9), "k".to_owned(), json!({})),
        (at(10), "k".to_owned(), json!({"passphrase": "x"})),
    ]);
    assert!(matches!(
        refused,
        Err(JournalFileError::SecretInData { .. })
    ));
    assert_eq!(verify_file(&path).unwrap().entries, 8);
}

#[test]
fn moving_the_first_or_last_line_is_found_too() {
    let (_d, path) = journal(6);
    let ls = lines(&path);
    // The last line moved to the front.
    let mut moved = ls.clone();
    let last = moved.pop().unwrap();
    moved.insert(0, last);
    write_lines(&path, &moved);
    assert_eq!(
        verify_msg(&path),
        "line 1: the journal starts at entry 6: 5 entries deleted from the start"
    );
    // The first line deleted.
    write_lines(&path, &ls[1..]);
    assert_eq!(
        verify_msg(&path),
        "line 1: the journal starts at entry 2: 1 entry deleted from the start"
    );
    // A renumbered line (so the sequence looks right) is an edit.
    let mut renumbered = ls.clone();
    renumbered.remove(2);
    renumbered[2] = renumbered[2].replace("\"seq\":4", "\"seq\":3");
    write_lines(&path, &renumbered);
    assert_eq!(verify_msg(&path), "line 3: entry edited (hash mismatch)");
}
