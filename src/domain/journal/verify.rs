//! Verifying a journal's hash chain: line by line, then against its head.
//!
//! [`verify_lines`], [`verify_bytes`] and [`scan`] check that every line
//! hashes to its own hash, that sequence numbers and `prev` links follow
//! on, and that the last entry is the one the [`Head`] records; what a
//! sound journal holds comes back as a [`Summary`].

use std::collections::BTreeSet;
use std::fmt;

use super::entry::{Entry, GENESIS_HASH, Head, format_at, hash_member, sha256_hex};
use super::error::{JournalError, entries};
use crate::domain::time::Timestamp;

/// What a sound journal holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Number of entries.
    pub entries: u64,
    /// Run ids in order of first appearance.
    pub runs: Vec<String>,
    /// Time of the first entry.
    pub first_at: Option<Timestamp>,
    /// Time of the last entry.
    pub last_at: Option<Timestamp>,
    /// The last entry's link ([`Head::genesis`] when empty).
    pub last: Head,
    /// The head file is one entry behind: the process died after the
    /// entry was fsync'd but before the head was replaced. Nothing is lost;
    /// reopening the journal brings the head up to date.
    pub head_lags: bool,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ok: {}", entries(self.entries))?;
        if let (Some(a), Some(b)) = (self.first_at, self.last_at) {
            write!(f, " from {} to {}", format_at(a), format_at(b))?;
        }
        match self.runs.len() {
            0 => {}
            1 => write!(f, ", run {}", self.runs.join(""))?,
            n => write!(f, ", {n} runs ({})", self.runs.join(", "))?,
        }
        if self.head_lags {
            write!(
                f,
                "; head one entry behind (crash before the head was updated; reopening fixes it)"
            )?;
        }
        Ok(())
    }
}

/// A final line without its newline: where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Torn {
    /// Its line number.
    pub line: usize,
    /// Byte offset where it starts: the length to truncate the file to.
    pub offset: usize,
}

/// A verified journal's content, with any torn tail reported rather than
/// refused, so the writer can decide whether to drop it.
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    /// The summary of the complete lines.
    pub summary: Summary,
    /// The complete entries, in order.
    pub entries: Vec<Entry>,
    /// An incomplete last line, if any.
    pub torn: Option<Torn>,
}

/// Checks one line after another; the chain's state between them.
struct Checker {
    entries: Vec<Entry>,
    runs: Vec<String>,
    seen_runs: BTreeSet<String>,
    last_line: usize,
}

impl Checker {
    fn new() -> Self {
        Checker {
            entries: Vec::new(),
            runs: Vec::new(),
            seen_runs: BTreeSet::new(),
            last_line: 0,
        }
    }

    fn push(&mut self, line: usize, text: &str) -> Result<(), JournalError> {
        let entry: Entry = serde_json::from_str(text).map_err(|e| {
            let reason = e.to_string();
            if e.is_data() {
                JournalError::NotEntry { line, reason }
            } else {
                JournalError::NotJson { line, reason }
            }
        })?;
        // The hash must cover the bytes exactly as found.
        let member = format!(",{}}}", hash_member(&entry.hash));
        let body = text
            .strip_suffix(&member)
            .map(|open| format!("{open}}}"))
            .ok_or(JournalError::Edited { line })?;
        if sha256_hex(body.as_bytes()) != entry.hash {
            return Err(JournalError::Edited { line });
        }
        match self.entries.last() {
            None if entry.seq != 1 => {
                return Err(JournalError::BadStart {
                    line,
                    seq: entry.seq,
                });
            }
            None if entry.prev != GENESIS_HASH => return Err(JournalError::NotGenesis { line }),
            Some(p) if entry.seq <= p.seq => {
                return Err(JournalError::Backwards {
                    line,
                    seq: entry.seq,
                    after: p.seq,
                });
            }
            Some(p) if entry.seq > p.seq.saturating_add(1) => {
                return Err(JournalError::Gap {
                    line,
                    seq: entry.seq,
                    after: p.seq,
                });
            }
            Some(p) if entry.prev != p.hash => return Err(JournalError::BrokenLink { line }),
            _ => {}
        }
        if self.seen_runs.insert(entry.run.clone()) {
            self.runs.push(entry.run.clone());
        }
        self.entries.push(entry);
        self.last_line = line;
        Ok(())
    }

    /// Compares the last entry with the head, then summarises.
    fn finish(self, head: Option<&Head>) -> Result<(Summary, Vec<Entry>), JournalError> {
        let last = self.entries.last().map_or_else(Head::genesis, Entry::head);
        let mut head_lags = false;
        if let Some(h) = head {
            if h.seq > last.seq {
                return Err(JournalError::Truncated {
                    last: last.seq,
                    head: h.seq,
                });
            } else if h.seq == last.seq {
                if h.hash != last.hash {
                    return Err(JournalError::HeadMismatch { seq: h.seq });
                }
            } else if h.seq + 1 == last.seq {
                let before = self
                    .entries
                    .iter()
                    .rev()
                    .nth(1)
                    .map_or_else(Head::genesis, Entry::head);
                if h.hash != before.hash {
                    return Err(JournalError::HeadMismatch { seq: h.seq });
                }
                head_lags = true;
            } else {
                return Err(JournalError::HeadBehind {
                    head: h.seq,
                    last: last.seq,
                });
            }
        }
        let summary = Summary {
            entries: self.entries.len() as u64,
            runs: self.runs,
            first_at: self.entries.first().map(|e| e.at),
            last_at: self.entries.last().map(|e| e.at),
            last,
            head_lags,
        };
        Ok((summary, self.entries))
    }
}

/// Verifies complete lines (numbered by the caller, newlines removed) and,
/// when a head is given, that the last one is the entry it records.
///
/// # Errors
/// The first problem found, naming its line.
pub fn verify_lines<'a>(
    lines: impl IntoIterator<Item = (usize, &'a str)>,
    head: Option<&Head>,
) -> Result<Summary, JournalError> {
    let mut checker = Checker::new();
    for (n, text) in lines {
        checker.push(n, text)?;
    }
    checker.finish(head).map(|(s, _)| s)
}

/// Verifies a whole journal file's bytes against its head; a final line
/// without a newline is [`JournalError::TornTail`].
///
/// # Errors
/// The first problem found, naming its line.
pub fn verify_bytes(bytes: &[u8], head: Option<&Head>) -> Result<Summary, JournalError> {
    let scan = scan(bytes, head)?;
    match scan.torn {
        Some(t) => Err(JournalError::TornTail { line: t.line }),
        None => Ok(scan.summary),
    }
}

/// Like [`verify_bytes`], but returns the entries and reports a torn final
/// line in [`Scan::torn`] instead of failing, so that a writer can decide
/// whether it may drop it. Problems in complete lines and a head beyond the
/// last complete entry ([`JournalError::Truncated`]) are still errors.
///
/// # Errors
/// The first problem found, naming its line.
pub fn scan(bytes: &[u8], head: Option<&Head>) -> Result<Scan, JournalError> {
    let mut checker = Checker::new();
    let mut offset = 0;
    let mut torn = None;
    let mut pieces = bytes.split(|b| *b == b'\n').enumerate().peekable();
    while let Some((i, piece)) = pieces.next() {
        let line = i + 1;
        if pieces.peek().is_none() {
            // After the last newline: empty for a sound file.
            if !piece.is_empty() {
                torn = Some(Torn { line, offset });
            }
            break;
        }
        let text = std::str::from_utf8(piece).map_err(|_| JournalError::NotUtf8 { line })?;
        checker.push(line, text)?;
        offset += piece.len() + 1;
    }
    let (summary, entries) = checker.finish(head)?;
    Ok(Scan {
        summary,
        entries,
        torn,
    })
}
