//! The journal on disk: `FILE` (JSON lines, append-only) and `FILE.head`
//! (the last acknowledged entry), both created 0600.
//!
//! Durability contract: [`JournalWriter::append`] returns only after the
//! line is on disk (`sync_data`) and the head has been replaced atomically
//! (temp file, fsync, rename, fsync of the directory). The caller moves on
//! only after it returns, so a crash at any moment loses nothing the
//! journal says happened. The two crash windows are told apart on reopen:
//!
//! - died after the line's fsync, before the head's rename: the head is one
//!   entry behind. The entry counts (it is durable and chained); `open`
//!   brings the head up to date. The step it records must be treated as of
//!   unknown outcome, since its caller never heard back.
//! - died mid-write: the file ends in a torn line without a newline, and the
//!   head still names the last complete entry. [`JournalWriter::open`]
//!   refuses it; [`JournalWriter::open_with`] and
//!   [`TornTail::DropIfUnacknowledged`] truncate exactly those bytes, and
//!   only when the head proves that the last complete entry is the last one
//!   ever acknowledged (no append returned for the torn one). Anything else
//!   (a head beyond the file, a head behind and a torn line) needs a human.
//!
//! The verification itself is pure: [`crate::domain::journal`].

use std::fs::{File, OpenOptions};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::domain::journal::{Author, Entry, Head, JournalError, find_secret_key, scan, seal_by};
use crate::domain::time::Timestamp;

mod disk;
pub use disk::{head_path, import, read_journal, verify_file};
use disk::{io_err, lock, read_head, shown, write_head};

/// What the journal file layer can refuse or fail at.
#[derive(Debug, thiserror::Error)]
pub enum JournalFileError {
    /// The journal is not sound; says where.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// A read, write, fsync or rename failed.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: String,
        /// The OS error.
        source: io::Error,
    },
    /// `create` on a file that exists: resuming must be explicit.
    #[error("{path} already exists: open it to resume the run, or choose another file")]
    Exists {
        /// The journal.
        path: String,
    },
    /// Another process holds the journal's lock.
    #[error("{path} is in use by another process (a second drconsole on the same run?)")]
    Locked {
        /// The journal.
        path: String,
    },
    /// `data` names a secret; nothing was written.
    #[error(
        "refusing to journal data key {key}: shares, passphrases, secrets, mnemonics and key material never go in the journal"
    )]
    SecretInData {
        /// JSON pointer to the offending key.
        key: String,
    },
    /// An earlier append failed part-way; the file may end in a torn line.
    #[error("{path}: an earlier append failed ({reason}); reopen the journal to check it")]
    Broken {
        /// The journal.
        path: String,
        /// The first failure.
        reason: String,
    },
}

/// What [`JournalWriter::open_with`] does with an incomplete last line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TornTail {
    /// Refuse to open; a human decides.
    Refuse,
    /// Truncate the torn bytes when the head shows that they were never
    /// acknowledged (head = last complete entry); otherwise refuse.
    DropIfUnacknowledged,
}

/// Appends entries to one journal, holding an exclusive lock on it.
#[derive(Debug)]
pub struct JournalWriter {
    path: PathBuf,
    head_path: PathBuf,
    file: File,
    run: String,
    entries: Vec<Entry>,
    broken: Option<String>,
    /// Who writes from here on (a shared incident's entries name it).
    author: Option<Author>,
}

impl JournalWriter {
    /// Starts a new, empty journal for `run` (and its head at genesis).
    ///
    /// # Errors
    /// [`JournalFileError::Exists`] if the file exists; I/O errors.
    pub fn create(path: &Path, run: &str) -> Result<Self, JournalFileError> {
        let file = disk::create_new(path)?;
        lock(&file, path)?;
        file.sync_all().map_err(|e| io_err(path, e))?;
        let head_path = head_path(path);
        write_head(&head_path, &Head::genesis())?;
        Ok(JournalWriter {
            path: path.to_owned(),
            head_path,
            file,
            run: run.to_owned(),
            entries: Vec::new(),
            broken: None,
            author: None,
        })
    }

    /// Reopens a journal to resume it, after verifying all of it against
    /// its head; refuses a torn last line. See [`JournalWriter::open_with`].
    ///
    /// # Errors
    /// The [`JournalError`] that says where it is unsound; I/O errors.
    pub fn open(path: &Path) -> Result<Self, JournalFileError> {
        Self::open_with(path, TornTail::Refuse)
    }

    /// Reopens a journal, verifying it first, and brings a head that is
    /// one entry behind up to date. Appends continue the run of the last
    /// entry ([`JournalWriter::run`]; empty for an empty journal, see
    /// [`JournalWriter::set_run`]).
    ///
    /// # Errors
    /// The [`JournalError`] that says where it is unsound (including
    /// [`JournalError::TornTail`] unless `torn` allows dropping it); I/O.
    pub fn open_with(path: &Path, torn: TornTail) -> Result<Self, JournalFileError> {
        // A FIFO or device would block the open or never end the read.
        let meta = std::fs::metadata(path).map_err(|e| io_err(path, e))?;
        if !meta.is_file() {
            return Err(io_err(
                path,
                io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"),
            ));
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(path)
            .map_err(|e| io_err(path, e))?;
        lock(&file, path)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|e| io_err(path, e))?;
        let head_path = head_path(path);
        let head = read_head(&head_path)?;
        let found = scan(&bytes, Some(&head))?;
        if let Some(t) = found.torn {
            let unacknowledged = head == found.summary.last;
            if torn == TornTail::Refuse || !unacknowledged {
                return Err(JournalError::TornTail { line: t.line }.into());
            }
            log::warn!(
                "{}: dropping {} bytes of an incomplete line {} that no append acknowledged",
                path.display(),
                bytes.len() - t.offset,
                t.line
            );
            file.set_len(t.offset as u64)
                .and_then(|()| file.sync_all())
                .map_err(|e| io_err(path, e))?;
        }
        if found.summary.head_lags {
            write_head(&head_path, &found.summary.last)?;
        }
        let run = found
            .entries
            .last()
            .map(|e| e.run.clone())
            .unwrap_or_default();
        Ok(JournalWriter {
            path: path.to_owned(),
            head_path,
            file,
            run,
            entries: found.entries,
            author: None,
            broken: None,
        })
    }

    /// Appends one entry, durably: the line is fsync'd and the head
    /// replaced before this returns. Proceed with what it records only
    /// after `Ok`. `data` naming a secret ([`find_secret_key`]) is refused
    /// before anything is written: defence in depth behind ceremonies that
    /// never pass secrets in the first place.
    ///
    /// # Errors
    /// [`JournalFileError::SecretInData`]; I/O errors, after which the
    /// writer refuses further appends ([`JournalFileError::Broken`]).
    pub fn append(
        &mut self,
        at: Timestamp,
        kind: &str,
        data: Value,
    ) -> Result<&Entry, JournalFileError> {
        if let Some(reason) = &self.broken {
            return Err(JournalFileError::Broken {
                path: shown(&self.path),
                reason: reason.clone(),
            });
        }
        if let Some(key) = find_secret_key(&data) {
            return Err(JournalFileError::SecretInData { key });
        }
        let entry = seal_by(
            &self.last(),
            at,
            &self.run,
            kind,
            data,
            self.author.as_ref(),
        );
        let mut line = entry.line();
        line.push('\n');
        let written = self
            .file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.sync_data())
            .map_err(|e| io_err(&self.path, e));
        if let Err(e) = written {
            self.broken = Some(e.to_string());
            return Err(e);
        }
        let head = entry.head();
        self.entries.push(entry);
        if let Err(e) = write_head(&self.head_path, &head) {
            self.broken = Some(e.to_string());
            return Err(e);
        }
        self.entries.last().ok_or_else(|| JournalFileError::Broken {
            path: shown(&self.path),
            reason: "entry vanished".to_owned(),
        })
    }

    /// Appends several entries durably with one write, one fsync and one
    /// head update (group commit): what a run driver does with the records
    /// one event produces. All or nothing is acknowledged; as with
    /// [`JournalWriter::append`], proceed only after `Ok`.
    ///
    /// # Errors
    /// As [`JournalWriter::append`]; a secret in any entry refuses the
    /// whole batch before anything is written.
    pub fn append_batch(
        &mut self,
        items: Vec<(Timestamp, String, Value)>,
    ) -> Result<(), JournalFileError> {
        if let Some(reason) = &self.broken {
            return Err(JournalFileError::Broken {
                path: shown(&self.path),
                reason: reason.clone(),
            });
        }
        if let Some(key) = items.iter().find_map(|(_, _, data)| find_secret_key(data)) {
            return Err(JournalFileError::SecretInData { key });
        }
        let mut last = self.last();
        let mut sealed = Vec::with_capacity(items.len());
        let mut bytes = String::new();
        for (at, kind, data) in items {
            let entry = seal_by(&last, at, &self.run, &kind, data, self.author.as_ref());
            bytes.push_str(&entry.line());
            bytes.push('\n');
            last = entry.head();
            sealed.push(entry);
        }
        if sealed.is_empty() {
            return Ok(());
        }
        let written = self
            .file
            .write_all(bytes.as_bytes())
            .and_then(|()| self.file.sync_data())
            .map_err(|e| io_err(&self.path, e));
        if let Err(e) = written {
            self.broken = Some(e.to_string());
            return Err(e);
        }
        self.entries.extend(sealed);
        if let Err(e) = write_head(&self.head_path, &last) {
            self.broken = Some(e.to_string());
            return Err(e);
        }
        Ok(())
    }

    /// Names `author` on every entry appended from now on.
    pub fn set_author(&mut self, author: Option<Author>) {
        self.author = author;
    }

    /// The run new entries are recorded under.
    #[must_use]
    pub fn run(&self) -> &str {
        &self.run
    }

    /// Records later entries under another run (a journal may hold several).
    pub fn set_run(&mut self, run: &str) {
        run.clone_into(&mut self.run);
    }

    /// Every entry, read at open and appended since: what a resumed run
    /// replays.
    #[must_use]
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The sequence number the next append will get.
    #[must_use]
    pub fn next_seq(&self) -> u64 {
        self.last().seq + 1
    }

    /// The journal's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn last(&self) -> Head {
        self.entries.last().map_or_else(Head::genesis, Entry::head)
    }
}
