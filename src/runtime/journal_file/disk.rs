//! Reading a journal and its head off disk (for `journal verify` / `show`
//! and for the writer's reopen), writing the head atomically, and the small
//! file helpers the writer shares. Split from the writer so each file holds
//! one concern: appending versus reading and replacing files.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};

use super::JournalFileError;
use crate::domain::journal::{Entry, Head, JournalError, Summary, scan, verify_reader};
use crate::text::{Cap, ReadError, open_regular, read_text};

/// `FILE.head`: where the head of journal `FILE` lives.
#[must_use]
pub fn head_path(journal: &Path) -> PathBuf {
    let mut name = journal.as_os_str().to_owned();
    name.push(".head");
    PathBuf::from(name)
}

/// A journal's bytes and its head file, the two things every check needs.
/// `journal show` reads all of it to print it; the file must be regular.
pub(super) fn read_with_head(path: &Path) -> Result<(Vec<u8>, Head), JournalError> {
    let (mut file, _) = open_regular(path, "journal").map_err(|e| unreadable_file(path, &e))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| unreadable(path, &e))?;
    Ok((bytes, head_of(path)?))
}

fn head_of(path: &Path) -> Result<Head, JournalError> {
    read_head(&head_path(path)).map_err(|e| match e {
        JournalFileError::Journal(j) => j,
        other => JournalError::Unreadable {
            path: shown(path),
            reason: other.to_string(),
        },
    })
}

/// Verifies a journal file against its head, for `drconsole journal
/// verify`: streamed line by line, so memory stays the same at any length.
///
/// # Errors
/// Where the journal is unsound, or which file cannot be read.
pub fn verify_file(path: &Path) -> Result<Summary, JournalError> {
    let (file, _) = open_regular(path, "journal").map_err(|e| unreadable_file(path, &e))?;
    let head = head_of(path)?;
    let reader = io::BufReader::with_capacity(256 * 1024, file);
    verify_reader(reader, Some(&head), |e| unreadable(path, e))
}

/// The entries of a journal, for `drconsole journal show`; verified like
/// [`verify_file`] first, so nothing unsound is shown as fact.
///
/// # Errors
/// As [`verify_file`].
pub fn read_journal(path: &Path) -> Result<Vec<Entry>, JournalError> {
    let (bytes, head) = read_with_head(path)?;
    let found = scan(&bytes, Some(&head))?;
    match found.torn {
        Some(t) => Err(JournalError::TornTail { line: t.line }),
        None => Ok(found.entries),
    }
}

pub(super) fn read_head(path: &Path) -> Result<Head, JournalFileError> {
    let text = read_text(path, Cap::JOURNAL_HEAD).map_err(|e| {
        let reason = if e.is_not_found() {
            format!(
                "{}: head file missing, so a cut tail cannot be ruled out",
                shown(path)
            )
        } else {
            e.to_string()
        };
        // ReadError names the path itself.
        JournalError::Unreadable {
            path: String::new(),
            reason,
        }
    })?;
    serde_json::from_str(&text).map_err(|e| {
        JournalFileError::Journal(JournalError::Unreadable {
            path: shown(path),
            reason: format!("not a journal head: {e}"),
        })
    })
}

/// Replaces the head atomically: temp file, fsync, rename, fsync the
/// directory so the rename itself survives a crash.
pub(super) fn write_head(path: &Path, head: &Head) -> Result<(), JournalFileError> {
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".tmp");
    let tmp = PathBuf::from(tmp_name);
    let mut text = serde_json::to_string(head).map_err(|e| io_err(&tmp, e.into()))?;
    text.push('\n');
    let mut f = new_options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)
        .map_err(|e| io_err(&tmp, e))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| io_err(&tmp, e))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(|e| io_err(path, e))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_err(dir, e))
}

/// Open options that create files readable by the owner only: a journal
/// names people, hosts and heights, which is nobody else's business.
pub(super) fn new_options() -> OpenOptions {
    let mut o = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        o.mode(0o600);
    }
    o
}

/// One writer per journal: two would fork the chain.
pub(super) fn lock(file: &File, path: &Path) -> Result<(), JournalFileError> {
    file.try_lock().map_err(|e| match e {
        TryLockError::WouldBlock => JournalFileError::Locked { path: shown(path) },
        TryLockError::Error(e) => io_err(path, e),
    })
}

pub(super) fn shown(path: &Path) -> String {
    path.display().to_string()
}

pub(super) fn io_err(path: &Path, source: io::Error) -> JournalFileError {
    JournalFileError::Io {
        path: shown(path),
        source,
    }
}

/// A journal that is not a regular file, missing or unreadable: the
/// reading layer's message already names the file.
pub(super) fn unreadable_file(path: &Path, e: &ReadError) -> JournalError {
    JournalError::Unreadable {
        path: String::new(),
        reason: match e {
            ReadError::Io { source, .. } => {
                format!("{}: cannot read the journal: {source}", shown(path))
            }
            other => other.to_string(),
        },
    }
}

pub(super) fn unreadable(path: &Path, e: &io::Error) -> JournalError {
    JournalError::Unreadable {
        path: shown(path),
        reason: e.to_string(),
    }
}

/// A new journal file (0600, appending), refused if one is there:
/// resuming must be explicit.
pub(super) fn create_new(path: &Path) -> Result<File, JournalFileError> {
    new_options()
        .read(true)
        .append(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => JournalFileError::Exists { path: shown(path) },
            _ => io_err(path, e),
        })
}

/// Starts a local journal from entries kept elsewhere (a shared incident's
/// journal, when this console takes its run over): the lines exactly as
/// they are, checked as one chain first, then the head at the last. The
/// file must not exist.
///
/// # Errors
/// The entries are not one sound chain, the file exists, or I/O.
pub fn import(path: &Path, entries: &[Entry]) -> Result<(), JournalFileError> {
    let lines: Vec<String> = entries.iter().map(Entry::line).collect();
    let summary = crate::domain::journal::verify_lines(
        lines.iter().enumerate().map(|(i, l)| (i + 1, l.as_str())),
        None,
    )?;
    let mut file = create_new(path)?;
    let mut bytes = lines.join("\n");
    if !bytes.is_empty() {
        bytes.push('\n');
    }
    file.write_all(bytes.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| io_err(path, e))?;
    write_head(&head_path(path), &summary.last)
}
