//! The one way the console reads a file: regular files only, checked before
//! opening so a FIFO or device never blocks, at most a cap per kind of
//! file, and text checked as UTF-8 with the line and column of the first
//! bad byte. Journals, which grow without bound, are streamed instead with
//! [`open_regular`].

use std::fs::{File, Metadata};
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};

use super::printable::printable_within;

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;

/// The largest file of one kind the console reads, and the kind's name for
/// messages. A cap is far above any real file of its kind and far below
/// what would hurt the console's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cap {
    /// The kind, as messages name it (`runbook`, `envelope`).
    pub what: &'static str,
    /// Most bytes accepted.
    pub max: u64,
}

impl Cap {
    /// Runbooks: the largest upstream runbook is ~20 KiB; 4 MiB.
    pub const RUNBOOK: Cap = Cap::new("runbook", 4 * MIB);
    /// `actions.yaml`, the action adapters: 4 MiB.
    pub const ACTIONS: Cap = Cap::new("actions file", 4 * MIB);
    /// Layouts (TOML): 1 MiB.
    pub const LAYOUT: Cap = Cap::new("layout", MIB);
    /// Themes (TOML): 1 MiB.
    pub const THEME: Cap = Cap::new("theme", MIB);
    /// Environment files (TOML): 1 MiB.
    pub const ENVIRONMENT: Cap = Cap::new("environment file", MIB);
    /// Drill scenarios: 4 MiB.
    pub const SCENARIO: Cap = Cap::new("drill scenario", 4 * MIB);
    /// Drill scripts: 4 MiB.
    pub const SCRIPT: Cap = Cap::new("drill script", 4 * MIB);
    /// A file `check` has not told the kind of yet: the largest text cap.
    pub const CHECKED: Cap = Cap::new("file to check", 4 * MIB);
    /// Key backup envelopes: a header and a key file of a few hundred
    /// bytes, encrypted; 16 KiB.
    pub const ENVELOPE: Cap = Cap::new("envelope", 16 * KIB);
    /// The plaintext key file a ceremony seals (`priv_validator_key.json`
    /// is under 1 KiB; shares split at most 4 KiB): 8 KiB.
    pub const KEY_FILE: Cap = Cap::new("key file", 8 * KIB);
    /// A file of share text or a key backup's metadata sidecar: 16 KiB.
    pub const SHARE_FILE: Cap = Cap::new("share file", 16 * KIB);
    /// A journal's head file: one JSON object of a sequence number and a
    /// hash; 4 KiB.
    pub const JOURNAL_HEAD: Cap = Cap::new("journal head", 4 * KIB);
    /// `priv_validator_state.json`: a height, round, step and signature; 64 KiB.
    pub const VALIDATOR_STATE: Cap = Cap::new("validator state file", 64 * KIB);

    /// A cap named `what` of `max` bytes.
    #[must_use]
    pub const fn new(what: &'static str, max: u64) -> Cap {
        Cap { what, max }
    }
}

/// Why a file could not be read; every message names the file and what the
/// console was doing.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The operating system refused (missing, permissions, not a directory).
    #[error("{}: cannot read {what}: {source}", shown(path))]
    Io {
        /// The file as named.
        path: PathBuf,
        /// The kind of file being read (`runbook`).
        what: &'static str,
        /// The operating system's reason.
        source: io::Error,
    },
    /// A directory, FIFO, device or socket: reading it could block forever
    /// or never end.
    #[error(
        "{}: cannot read {what}: it is a {found}, not a regular file",
        shown(path)
    )]
    NotRegular {
        /// The file as named.
        path: PathBuf,
        /// The kind of file being read.
        what: &'static str,
        /// What it is instead.
        found: &'static str,
    },
    /// Larger than the cap for its kind.
    #[error(
        "{}: cannot read {}: {size} bytes is more than the {} bytes a {} may be",
        shown(path), cap.what, cap.max, cap.what
    )]
    TooBig {
        /// The file as named.
        path: PathBuf,
        /// Its size (at least; a growing file may be longer).
        size: u64,
        /// The cap exceeded.
        cap: Cap,
    },
    /// Not UTF-8 text; where the first bad byte is.
    #[error(
        "{}:{line}:{col}: not UTF-8 text (byte 0x{byte:02x}); save the {what} as UTF-8",
        shown(path)
    )]
    NotUtf8 {
        /// The file as named.
        path: PathBuf,
        /// The kind of file being read.
        what: &'static str,
        /// 1-based line of the first bad byte.
        line: usize,
        /// 1-based column, in characters, of the first bad byte.
        col: usize,
        /// The bad byte.
        byte: u8,
    },
}

impl ReadError {
    /// The file the error is about.
    #[must_use]
    pub fn path(&self) -> &Path {
        match self {
            ReadError::Io { path, .. }
            | ReadError::NotRegular { path, .. }
            | ReadError::TooBig { path, .. }
            | ReadError::NotUtf8 { path, .. } => path,
        }
    }

    /// Whether the file does not exist (callers that fall back to a builtin
    /// or skip a missing optional file ask).
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io { source, .. } if source.kind() == io::ErrorKind::NotFound)
    }
}

/// A path as messages show it: control characters escaped, cut at 300 bytes.
fn shown(path: &Path) -> String {
    printable_within(&path.to_string_lossy(), 300)
}

/// Opens `path` for reading if, and only if, it is a regular file: its
/// type is checked (following symlinks) before opening, so a FIFO is never
/// opened and nothing blocks, and checked again on the open file.
///
/// # Errors
/// [`ReadError::Io`] or [`ReadError::NotRegular`], naming `path`.
pub fn open_regular(path: &Path, what: &'static str) -> Result<(File, Metadata), ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        what,
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    refuse_irregular(path, what, &meta)?;
    let file = File::open(path).map_err(io)?;
    // Swapped between the check and the open: check what was opened.
    let meta = file.metadata().map_err(io)?;
    refuse_irregular(path, what, &meta)?;
    Ok((file, meta))
}

fn refuse_irregular(path: &Path, what: &'static str, meta: &Metadata) -> Result<(), ReadError> {
    if meta.is_file() {
        return Ok(());
    }
    Err(ReadError::NotRegular {
        path: path.to_path_buf(),
        what,
        found: kind_of(meta),
    })
}

fn kind_of(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_fifo() {
            return "FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "character device";
        }
        if t.is_block_device() {
            return "block device";
        }
        if t.is_socket() {
            return "socket";
        }
    }
    "special file"
}

/// All bytes of the regular file `path`, at most `cap.max` of them.
///
/// # Errors
/// Not a regular file, unreadable, or larger than the cap.
pub fn read_bytes(path: &Path, cap: Cap) -> Result<Vec<u8>, ReadError> {
    let (file, meta) = open_regular(path, cap.what)?;
    let too_big = |size| ReadError::TooBig {
        path: path.to_path_buf(),
        size,
        cap,
    };
    if meta.len() > cap.max {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // One byte past the cap tells a file that grew since the check.
    file.take(cap.max + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| ReadError::Io {
            path: path.to_path_buf(),
            what: cap.what,
            source,
        })?;
    if bytes.len() as u64 > cap.max {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// The text of the regular file `path`, at most `cap.max` bytes, UTF-8.
///
/// # Errors
/// As [`read_bytes`], and [`ReadError::NotUtf8`] with the line and column
/// of the first byte that is not UTF-8.
pub fn read_text(path: &Path, cap: Cap) -> Result<String, ReadError> {
    let bytes = read_bytes(path, cap)?;
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let (line, col) = position(bytes, at);
        ReadError::NotUtf8 {
            path: path.to_path_buf(),
            what: cap.what,
            line,
            col,
            byte: bytes.get(at).copied().unwrap_or_default(),
        }
    })
}

/// 1-based line and character column of byte `at` in `bytes`, whose first
/// `at` bytes are valid UTF-8.
#[must_use]
pub fn position(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = std::str::from_utf8(&bytes[..at.min(bytes.len())]).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_counts_lines_and_characters() {
        let bytes = b"ab\n\xc3\xa9x\xff";
        assert_eq!(position(bytes, 6), (2, 3));
        assert_eq!(position(bytes, 0), (1, 1));
    }
}
