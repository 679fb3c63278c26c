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
        let runs: Vec<String> = self
            .runs
            .iter()
            .map(|r| crate::text::printable_within(r, 80))
            .collect();
        match runs.len() {
            0 => {}
            1 => write!(f, ", run {}", runs.join(""))?,
            n => write!(f, ", {n} runs ({})", runs.join(", "))?,
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

/// Checks one line after another; the chain's state between them. Keeps
/// the entries only when asked ([`scan`]); [`verify_reader`] keeps just the
/// last two links, so verifying costs the same memory at any length.
struct Checker {
    keep: bool,
    entries: Vec<Entry>,
    count: u64,
    runs: Vec<String>,
    seen_runs: BTreeSet<String>,
    first_at: Option<Timestamp>,
    last_at: Option<Timestamp>,
    last: Option<Head>,
    before_last: Head,
    last_line: usize,
}

impl Checker {
    fn new(keep: bool) -> Self {
        Checker {
            keep,
            entries: Vec::new(),
            count: 0,
            runs: Vec::new(),
            seen_runs: BTreeSet::new(),
            first_at: None,
            last_at: None,
            last: None,
            before_last: Head::genesis(),
            last_line: 0,
        }
    }

    fn push(&mut self, line: usize, text: &str) -> Result<(), JournalError> {
        let entry = read_line(line, text)?;
        match &self.last {
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
        self.count += 1;
        self.first_at.get_or_insert(entry.at);
        self.last_at = Some(entry.at);
        if let Some(previous) = self.last.replace(entry.head()) {
            self.before_last = previous;
        }
        if self.keep {
            self.entries.push(entry);
        }
        self.last_line = line;
        Ok(())
    }

    /// Compares the last entry with the head, then summarises.
    fn finish(self, head: Option<&Head>) -> Result<(Summary, Vec<Entry>), JournalError> {
        let last = self.last.clone().unwrap_or_else(Head::genesis);
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
                if h.hash != self.before_last.hash {
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
            entries: self.count,
            runs: self.runs,
            first_at: self.first_at,
            last_at: self.last_at,
            last,
            head_lags,
        };
        Ok((summary, self.entries))
    }
}

/// Reads one line as an entry whose hash covers its bytes exactly as
/// found; where it sits in a chain is the caller's to check. `line` only
/// names it in the error.
///
/// # Errors
/// Not JSON, not an entry, or [`JournalError::Edited`].
pub fn read_line(line: usize, text: &str) -> Result<Entry, JournalError> {
    let entry: Entry = serde_json::from_str(text).map_err(|e| {
        let reason = e.to_string();
        if e.is_data() {
            JournalError::NotEntry { line, reason }
        } else {
            JournalError::NotJson { line, reason }
        }
    })?;
    let member = format!(",{}}}", hash_member(&entry.hash));
    let body = text
        .strip_suffix(&member)
        .map(|open| format!("{open}}}"))
        .ok_or(JournalError::Edited { line })?;
    if sha256_hex(body.as_bytes()) != entry.hash {
        return Err(JournalError::Edited { line });
    }
    Ok(entry)
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
    let mut checker = Checker::new(false);
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
    let mut checker = Checker::new(true);
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
        checker.push(line, utf8(line, piece)?)?;
        offset += piece.len() + 1;
    }
    let (summary, entries) = checker.finish(head)?;
    Ok(Scan {
        summary,
        entries,
        torn,
    })
}

/// The longest line a journal entry may take: an entry records a step, its
/// output summary and who approved it, well under this.
pub const MAX_LINE: usize = 1024 * 1024;

/// Verifies a journal read from `reader` line by line against its head, in
/// memory that does not grow with the journal (one line at a time, at most
/// [`MAX_LINE`] bytes): how `drconsole journal verify` reads a journal of
/// any size. A final line without a newline is [`JournalError::TornTail`].
///
/// # Errors
/// The first problem found, naming its line; `io` describes a read error
/// (the caller names the file).
pub fn verify_reader(
    mut reader: impl std::io::BufRead,
    head: Option<&Head>,
    io: impl Fn(&std::io::Error) -> JournalError,
) -> Result<Summary, JournalError> {
    use std::io::{BufRead as _, Read as _};
    let mut checker = Checker::new(false);
    let mut buf = Vec::with_capacity(4096);
    let limit = MAX_LINE as u64 + 1;
    for line in 1.. {
        buf.clear();
        let n = (&mut reader)
            .take(limit)
            .read_until(b'\n', &mut buf)
            .map_err(|e| io(&e))?;
        if n == 0 {
            break;
        }
        if buf.last() != Some(&b'\n') {
            if buf.len() > MAX_LINE {
                return Err(JournalError::LineTooLong {
                    line,
                    max: MAX_LINE,
                });
            }
            return Err(JournalError::TornTail { line });
        }
        buf.pop();
        checker.push(line, utf8(line, &buf)?)?;
    }
    checker.finish(head).map(|(s, _)| s)
}

/// A line's text, or where its first byte that is not UTF-8 is.
fn utf8(line: usize, bytes: &[u8]) -> Result<&str, JournalError> {
    std::str::from_utf8(bytes).map_err(|e| JournalError::NotUtf8 {
        line,
        col: crate::text::read::position(bytes, e.valid_up_to()).1,
    })
}
