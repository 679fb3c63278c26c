//! What leaving an unfinished run prints: where its journal is and the
//! exact command that resumes it, each word quoted for a POSIX shell, so
//! the operator (or the next one on shift) can copy it as is.

use std::path::Path;

use crate::runtime::journal_file::read_journal;

/// The hint for the run started by the command line `argv` (program
/// first) whose journal is `journal`, or `None` when the run finished (or
/// never started). The command is the one that was typed, every flag kept
/// (`--env`, `--seed`, `--inject`...), with `--journal` added when it was
/// left to its default, so the resume finds the same journal.
#[must_use]
pub fn resume_hint(argv: &[String], journal: &Path) -> Option<String> {
    let entries = read_journal(journal).ok()?;
    if entries.is_empty() || entries.iter().any(|e| e.kind == "run.finished") {
        return None;
    }
    let command = command(argv, journal);
    Some(format!(
        "The run is not finished; its journal is {}.\nTo resume it:\n  {}",
        crate::text::printable(&journal.display().to_string()),
        crate::text::printable(&command)
    ))
}

/// `argv` as a shell line, with `--journal` added when it was not given.
fn command(argv: &[String], journal: &Path) -> String {
    let mut words = argv.to_vec();
    if !words
        .iter()
        .any(|w| w == "--journal" || w.starts_with("--journal="))
    {
        words.push("--journal".to_owned());
        words.push(journal.display().to_string());
    }
    words
        .iter()
        .map(|w| quoted(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `word` as a POSIX shell reads it back unchanged: bare when it holds
/// only safe characters, else in single quotes (a quote as `'\''`).
fn quoted(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_./:=@%+,-".contains(&b));
    if safe {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::{command, quoted};
    use std::path::Path;

    #[test]
    fn every_typed_flag_is_kept_and_the_journal_added_once() {
        let argv: Vec<String> = ["drconsole", "--seed", "9", "run", "rb.yaml", "--practice"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            command(&argv, Path::new("/s/rb-1.journal")),
            "drconsole --seed 9 run rb.yaml --practice --journal /s/rb-1.journal"
        );
        let mut given = argv.clone();
        given.push("--journal=my run.journal".into());
        assert_eq!(
            command(&given, Path::new("/s/rb-1.journal")),
            "drconsole --seed 9 run rb.yaml --practice '--journal=my run.journal'"
        );
    }

    #[test]
    fn words_come_back_unchanged_from_a_shell() {
        assert_eq!(quoted("us-east-1"), "us-east-1");
        assert_eq!(quoted("ZONE_ID=Z0PRACTICE"), "ZONE_ID=Z0PRACTICE");
        assert_eq!(quoted("a b"), "'a b'");
        assert_eq!(quoted("it's"), r"'it'\''s'");
        assert_eq!(quoted("$(rm -rf /)"), "'$(rm -rf /)'");
        assert_eq!(quoted(""), "''");
    }
}
