//! The edge where results meet the terminal: the one message an error
//! becomes (its chain without repeats, made printable), and the commands
//! whose whole job is printing (`journal verify|show`, `check`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use super::JournalCommand;
use crate::config;
use crate::text::printable;

/// An error and its causes as one line, `outer: inner: innermost`, leaving
/// out a cause whose text the line already holds (`journal: {0}` over the
/// journal's own error would otherwise print it twice or three times).
#[must_use]
pub fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if text.is_empty() || out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

pub(super) fn run_journal(command: &JournalCommand) -> ExitCode {
    use crate::runtime::journal_file;
    let (file, result) = match command {
        JournalCommand::Verify { file } => (
            file,
            journal_file::verify_file(file).map(|summary| summary.to_string()),
        ),
        JournalCommand::Show { file } => (
            file,
            journal_file::read_journal(file)
                .map(|entries| crate::domain::journal::render_show(&entries)),
        ),
    };
    match result {
        Ok(text) => {
            if print_out(text.trim_end()).is_err() {
                return ExitCode::from(2);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let message = match &e {
                // Already names the file it could not read.
                crate::domain::journal::JournalError::Unreadable { .. } => e.to_string(),
                _ => format!("{}: {e}", file.display()),
            };
            eprintln!("{}", printable(&message));
            ExitCode::from(1)
        }
    }
}

/// Prints a line to stdout; a closed pipe (`| head`) is not an error worth
/// a panic, so it ends output quietly.
pub(super) fn print_out(text: &str) -> Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(Into::into),
    }
}

pub(super) fn run_check(paths: &[PathBuf]) -> ExitCode {
    let findings = if paths.is_empty() {
        config::check::check_default()
    } else {
        config::check::check_paths(paths)
    };
    for f in &findings {
        let line = printable(&f.to_string());
        if f.is_err() {
            eprintln!("{line}");
        } else if print_out(&line).is_err() {
            break;
        }
    }
    let failed = findings.iter().any(config::Finding::is_err);
    if findings.is_empty() {
        eprintln!("nothing to check");
        return ExitCode::from(1);
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::journal::JournalError;
    use crate::runtime::journal_file::JournalFileError;
    use crate::runtime::run::RunError;

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let e = anyhow::Error::from(RunError::Journal(JournalFileError::Journal(
            JournalError::Edited { line: 8 },
        )));
        assert_eq!(message(&e), "journal: line 8: entry edited (hash mismatch)");
        let e = anyhow::anyhow!("inner").context("outer");
        assert_eq!(message(&e), "outer: inner");
    }
}
