//! Errors in user files, always pointing at the file (and where possible the
//! line and column) an operator has to open to fix them.

use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::text::{ReadError, printable, printable_within};

/// A file name as messages show it: escaped, at most 300 bytes.
fn shown(file: &Path) -> String {
    printable_within(&file.to_string_lossy(), 300)
}

/// Why a layout, theme or other user file could not be used.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file was read but something in it is wrong, at `line:col`.
    #[error("{}:{line}:{col}: {}", shown(file), printable(message))]
    Invalid {
        /// The file as the caller named it.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column, counted in characters.
        col: usize,
        /// What is wrong and what was expected.
        message: String,
    },
    /// The file exists (or was named) but could not be read.
    #[error("{}: cannot read: {source}", file.display())]
    Io {
        /// The file or directory that could not be read.
        file: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// The file could not be read: missing, not a regular file, too big or
    /// not UTF-8 (the message names the file and, for UTF-8, the position).
    #[error(transparent)]
    Read(#[from] ReadError),
    /// No user file and no builtin has this name.
    #[error("no {kind} named \"{name}\", available: {}", available.join(", "))]
    NotFound {
        /// `layout` or `theme`.
        kind: &'static str,
        /// The name asked for.
        name: String,
        /// Names that do exist, sorted.
        available: Vec<String>,
    },
    /// A name that could never be a file name of ours (path tricks, capitals).
    #[error("bad {kind} name \"{name}\", expected lowercase letters, digits, \"-\" and \"_\"")]
    BadName {
        /// `layout` or `theme`.
        kind: &'static str,
        /// The name given.
        name: String,
    },
    /// A file `check` was given whose kind it cannot tell from its place.
    #[error(
        "{}: cannot tell what this file is: put layouts under layouts/, themes under themes/, \
         give environment files a .toml extension and runbooks a .yaml one",
        file.display()
    )]
    UnknownKind {
        /// The file.
        file: PathBuf,
    },
}

impl ConfigError {
    /// An error at the start of byte range `span` of `text`, the contents of
    /// `file`: how every validation rule reports where the operator must look.
    #[must_use]
    pub fn at(file: &Path, text: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        let (line, col) = line_col(text, span.start);
        ConfigError::Invalid {
            file: file.to_path_buf(),
            line,
            col,
            message: message.into(),
        }
    }

    /// Turns toml's own error (syntax, unknown key, wrong type, or one of our
    /// `Deserialize` messages) into ours, keeping its span and first line.
    #[must_use]
    pub fn from_toml(file: &Path, text: &str, err: &toml::de::Error) -> Self {
        let span = err.span().unwrap_or(0..0);
        let mut message = err
            .message()
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        // toml does not say which key; the operator should not have to look.
        if message == "duplicate key"
            && let Some(key) = text.get(span.clone()).filter(|k| !k.contains('\n'))
        {
            message = format!("duplicate key `{key}`");
        }
        ConfigError::at(file, text, span, message)
    }

    /// The file the error is about, if it is about one.
    #[must_use]
    pub fn file(&self) -> Option<&Path> {
        match self {
            ConfigError::Invalid { file, .. }
            | ConfigError::Io { file, .. }
            | ConfigError::UnknownKind { file } => Some(file),
            ConfigError::Read(e) => Some(e.path()),
            ConfigError::NotFound { .. } | ConfigError::BadName { .. } => None,
        }
    }
}

/// 1-based line and character column of byte `offset` in `text`. Offsets past
/// the end or inside a character are pulled back to the nearest valid point.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        // "bé = " is 6 bytes but 5 characters.
        let quote = text.find('"').unwrap_or_default();
        assert_eq!(line_col(text, quote), (2, 6));
        assert_eq!(line_col(text, 999), (3, 1));
    }

    #[test]
    fn display_is_file_line_col_message() {
        let e = ConfigError::at(Path::new("layouts/x.toml"), "\n  y", 3..4, "bad");
        assert_eq!(e.to_string(), "layouts/x.toml:2:3: bad");
    }

    #[test]
    fn not_found_lists_names() {
        let e = ConfigError::NotFound {
            kind: "theme",
            name: "blue".into(),
            available: vec!["dark".into(), "light".into()],
        };
        assert_eq!(
            e.to_string(),
            "no theme named \"blue\", available: dark, light"
        );
    }
}
