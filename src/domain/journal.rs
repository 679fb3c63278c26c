//! The append-only journal: entries, their hash chain, and verification.
//!
//! Every runbook transition and ceremony event becomes one [`Entry`], one
//! JSON line. Each line carries the SHA-256 of its own canonical bytes
//! ([`Entry::hash`]) and the hash of the entry before it ([`Entry::prev`]),
//! so an edit, deletion or reordering breaks the chain at a line we can
//! name. A chain cannot see a cut tail, so the hash of the last
//! acknowledged entry is also kept apart, in a [`Head`], and the last line
//! is compared with it.
//!
//! This is tamper *evidence* against accidents and casual edits, not a
//! signature: whoever rewrites both the file and its head can forge a
//! consistent chain.
//!
//! Pure: no I/O and no clock reads; `runtime::journal_file` owns the files.
//!
//! # Canonical form
//!
//! A line is exactly
//! `{"seq":N,"at":"2026-11-26T03:00:00.000Z","run":"…","kind":"…","data":…,"prev":"<64 hex>","hash":"<64 hex>"}`
//! in compact JSON (an entry written in a shared incident adds
//! `,"by":{"arn":"…","user":"…","host":"…"}` after `data`: its [`Author`]),
//! and `hash` is the SHA-256 of the same bytes with the
//! `,"hash":"…"` member left out. The hash is checked against the bytes as
//! found in the file, not against a re-serialisation, so no byte of a line
//! can change unnoticed (whitespace and number formatting included).

mod author;
mod entry;
mod error;
mod redact;
mod show;
mod verify;

pub use author::Author;
pub use entry::{Entry, GENESIS_HASH, Head, seal, seal_by};
pub use error::JournalError;
pub use redact::find_secret_key;
pub use show::render_show;
pub use verify::{
    MAX_LINE, Scan, Summary, Torn, read_line, scan, verify_bytes, verify_lines, verify_reader,
};

#[cfg(test)]
mod tests;
