//! Why a journal cannot be trusted, and where: the errors verification
//! reports, each naming the line (or head) at fault in an operator's words.

use crate::text::printable_within;

/// Why a journal cannot be trusted, and where. Line numbers count from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JournalError {
    /// The bytes of a line are not UTF-8.
    #[error("line {line}:{col}: not UTF-8 text (entry edited or file damaged)")]
    NotUtf8 {
        /// Line number.
        line: usize,
        /// 1-based column, in characters, of the first bad byte.
        col: usize,
    },
    /// A line longer than any entry: not a journal, or damaged.
    #[error("line {line}: longer than {max} bytes, no journal entry is")]
    LineTooLong {
        /// Line number.
        line: usize,
        /// The longest line accepted.
        max: usize,
    },
    /// The line does not parse as JSON.
    #[error("line {line}: not JSON: {}", printable_within(reason, 200))]
    NotJson {
        /// Line number.
        line: usize,
        /// The parser's complaint.
        reason: String,
    },
    /// JSON, but not an entry (missing, unknown or mistyped fields).
    #[error("line {line}: not a journal entry: {}", printable_within(reason, 200))]
    NotEntry {
        /// Line number.
        line: usize,
        /// The parser's complaint.
        reason: String,
    },
    /// The line's bytes do not hash to the hash it carries.
    #[error("line {line}: entry edited (hash mismatch)")]
    Edited {
        /// Line number.
        line: usize,
    },
    /// The first entry is not entry 1.
    #[error("line {line}: the journal starts at entry {seq}: {}", bad_start(*seq))]
    BadStart {
        /// Line number (1 unless a caller numbers lines differently).
        line: usize,
        /// The sequence number found.
        seq: u64,
    },
    /// Sequence numbers jump forward.
    #[error("line {line}: entry {seq} follows entry {after}: {} deleted or reordered", entries(seq - after - 1))]
    Gap {
        /// Line number.
        line: usize,
        /// The sequence number found.
        seq: u64,
        /// The sequence number of the line before.
        after: u64,
    },
    /// Sequence numbers repeat or go back.
    #[error("line {line}: entry {seq} follows entry {after}: entries reordered or duplicated")]
    Backwards {
        /// Line number.
        line: usize,
        /// The sequence number found.
        seq: u64,
        /// The sequence number of the line before.
        after: u64,
    },
    /// The first entry's `prev` is not the genesis hash.
    #[error("line {line}: prev hash is not the genesis hash (copied from another journal?)")]
    NotGenesis {
        /// Line number.
        line: usize,
    },
    /// `prev` is not the hash of the line before.
    #[error("line {line}: prev hash does not match line {}", line.saturating_sub(1))]
    BrokenLink {
        /// Line number.
        line: usize,
    },
    /// The head records an entry beyond the last line: the tail was cut.
    #[error("truncated: the journal ends at entry {last} but its head records entry {head}")]
    Truncated {
        /// The last entry in the file (0 when empty).
        last: u64,
        /// The entry the head records.
        head: u64,
    },
    /// The head's hash differs from the entry it names.
    #[error(
        "the head records entry {seq} with a different hash: that entry was replaced, or the head belongs to another journal"
    )]
    HeadMismatch {
        /// The entry the head records.
        seq: u64,
    },
    /// Entries beyond the head that no append acknowledged.
    #[error(
        "the head records entry {head} but the journal goes on to entry {last}: entries were added outside drconsole"
    )]
    HeadBehind {
        /// The entry the head records.
        head: u64,
        /// The last entry in the file.
        last: u64,
    },
    /// The file does not end with a newline: a write was interrupted.
    #[error("line {line}: last line is incomplete (crash while writing?)")]
    TornTail {
        /// Line number of the incomplete line.
        line: usize,
    },
    /// The journal or its head could not be read. `path` is empty when
    /// `reason` already names the file.
    #[error("{}{reason}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
    Unreadable {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

fn bad_start(seq: u64) -> String {
    match seq.checked_sub(1) {
        Some(n) => format!("{} deleted from the start", entries(n)),
        None => "entries count from 1".to_owned(),
    }
}

/// "1 entry" or "N entries": counts in messages read as English.
pub(super) fn entries(n: u64) -> String {
    if n == 1 {
        "1 entry".to_owned()
    } else {
        format!("{n} entries")
    }
}
