//! What leaving an unfinished run prints: where its journal is and the
//! exact command that resumes it, each word quoted for a POSIX shell, so
//! the operator (or the next one on shift) can copy it as is.

use std::path::Path;

use super::run_cmd::RunArgs;
use crate::runtime::journal_file::read_journal;

/// The hint for a run of `args` (with `--env env`) whose journal is
/// `journal`, or `None` when the run finished (or never started).
#[must_use]
pub fn resume_hint(
    program: &str,
    env: Option<&Path>,
    args: &RunArgs,
    journal: &Path,
) -> Option<String> {
    let entries = read_journal(journal).ok()?;
    if entries.is_empty() || entries.iter().any(|e| e.kind == "run.finished") {
        return None;
    }
    let mut words: Vec<String> = vec![program.to_owned()];
    if let Some(env) = env {
        words.push("--env".to_owned());
        words.push(env.display().to_string());
    }
    words.push("run".to_owned());
    words.push(args.runbook.display().to_string());
    if args.practice {
        words.push("--practice".to_owned());
    }
    for v in &args.vars {
        words.push("--var".to_owned());
        words.push(v.clone());
    }
    words.push("--journal".to_owned());
    words.push(journal.display().to_string());
    let command = words
        .iter()
        .map(|w| quoted(w))
        .collect::<Vec<_>>()
        .join(" ");
    Some(format!(
        "The run is not finished; its journal is {}.\nTo resume it:\n  {}",
        crate::text::printable(&journal.display().to_string()),
        crate::text::printable(&command)
    ))
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
    use super::quoted;

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
