//! A request to start a runbook run, typed: `:run`, `drconsole run` and the
//! drill all build one, so no command line is ever re-parsed on the way.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// What a run needs to start: which runbook, with which values, recorded
/// where, touching what. Carried by [`crate::app::Effect::StartRun`] so
/// the runtime never re-reads text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRequest {
    /// The runbook file.
    pub runbook: PathBuf,
    /// Each variable's value, by name (each name once).
    pub vars: BTreeMap<String, String>,
    /// The journal file; `None` picks the default one per runbook and values.
    pub journal: Option<PathBuf>,
    /// Practice on the simulated estate (nothing real is touched).
    pub practice: bool,
}

impl RunRequest {
    /// A request for `runbook` with `NAME=VALUE` variable words, checked.
    ///
    /// # Errors
    /// A variable that is not `NAME=VALUE`, a name that is not letters,
    /// digits and `_`, or a name given twice.
    pub fn new(
        runbook: PathBuf,
        vars: &[String],
        journal: Option<PathBuf>,
        practice: bool,
    ) -> Result<Self, String> {
        let mut out = BTreeMap::new();
        for v in vars {
            let Some((name, value)) = v.split_once('=') else {
                return Err(format!("--var {v:?}: expected NAME=VALUE"));
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("--var {v:?}: a name is letters, digits and _"));
            }
            if out.insert(name.to_owned(), value.to_owned()).is_some() {
                return Err(format!("--var {name} given twice"));
            }
        }
        Ok(Self {
            runbook,
            vars: out,
            journal,
            practice,
        })
    }

    /// Parses what follows `:run`: `RUNBOOK [--var NAME=VALUE]...
    /// [--journal FILE] [--practice]`, with shell-like quoting, so a value
    /// with spaces works (`--var "X=a b"`). `--practice` is kept as asked:
    /// [`RunRequest::in_console`] decides whether the console can honour it.
    ///
    /// # Errors
    /// Unbalanced quotes, an unknown or incomplete flag, `--dry-run` (it
    /// would print over the screen), no runbook or two, or a bad variable.
    pub fn from_line(line: &str) -> Result<Self, String> {
        let mut words = split_words(line)?.into_iter();
        let mut runbook: Option<String> = None;
        let mut vars = Vec::new();
        let mut journal = None;
        let mut practice = false;
        while let Some(word) = words.next() {
            let (flag, inline) = match word.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
                _ => (word.clone(), None),
            };
            let mut value = |name: &str| {
                inline
                    .clone()
                    .or_else(|| words.next())
                    .ok_or_else(|| format!(":run {name} needs a value"))
            };
            match flag.as_str() {
                "--var" => vars.push(value("--var")?),
                "--journal" => journal = Some(PathBuf::from(value("--journal")?)),
                "--practice" => practice = true,
                "--dry-run" => {
                    return Err(
                        ":run cannot --dry-run; use `drconsole run --dry-run` in a shell"
                            .to_owned(),
                    );
                }
                f if f.starts_with("--") => return Err(format!(":run does not know {f}")),
                _ if runbook.is_some() => {
                    return Err(format!(":run takes one runbook; {word:?} is a second"));
                }
                _ => runbook = Some(word),
            }
        }
        let runbook = runbook.ok_or_else(|| ":run needs a runbook".to_owned())?;
        Self::new(PathBuf::from(runbook), &vars, journal, practice)
    }

    /// The request as the console can run it: on the simulated estate
    /// every run is practice; on a live estate a run is live (its gates name
    /// the environment), and a request for practice is refused rather than
    /// quietly run live, since a live console has no simulated estate.
    ///
    /// # Errors
    /// `--practice` asked of a live console.
    pub fn in_console(mut self, live: bool) -> Result<Self, String> {
        if live && self.practice {
            return Err(
                ":run --practice cannot rehearse in a live console (it has no simulated \
                 estate); run `drconsole run --practice RUNBOOK` in a shell, or drop --practice \
                 to run it live through its gates"
                    .to_owned(),
            );
        }
        self.practice = !live;
        Ok(self)
    }
}

/// Splits a line into words like a shell does: blanks separate words;
/// single quotes keep everything literally; double quotes keep blanks and
/// single quotes, and a backslash there escapes `"` or `\`; a backslash
/// outside quotes keeps the next character as it is.
///
/// # Errors
/// A quote left open, or a line that ends in a lone backslash.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => words.extend(word.take()),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => w.push(c),
                        None => return Err("a ' quote is not closed".to_owned()),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => w.push(c),
                            Some(c) => {
                                w.push('\\');
                                w.push(c);
                            }
                            None => return Err("a \" quote is not closed".to_owned()),
                        },
                        Some(c) => w.push(c),
                        None => return Err("a \" quote is not closed".to_owned()),
                    }
                }
            }
            '\\' => match chars.next() {
                Some(c) => word.get_or_insert_with(String::new).push(c),
                None => return Err("the line ends in a lone \\".to_owned()),
            },
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        split_words(line).expect("splits")
    }

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(words("  a  b\tc "), ["a", "b", "c"]);
        assert_eq!(words(r#"--var "X=a b""#), ["--var", "X=a b"]);
        assert_eq!(words("--var 'X=it\"s'"), ["--var", "X=it\"s"]);
        assert_eq!(words(r#""say \"hi\"" a\ b ''"#), ["say \"hi\"", "a b", ""]);
        assert_eq!(words(r#"X="a"'b'c"#), ["X=abc"]);
        assert!(split_words("'open").is_err());
        assert!(split_words("\"open").is_err());
        assert!(split_words("end\\").is_err());
    }

    #[test]
    fn a_run_line_becomes_a_typed_request() {
        let r = RunRequest::from_line("'dir/fail over.yaml'").expect("parses");
        assert_eq!(r.runbook, PathBuf::from("dir/fail over.yaml"));
        let r = RunRequest::from_line(
            r#"rb.yaml --var "X=a b" --var=Y='c "d"' --journal "/tmp/my run.journal""#,
        )
        .expect("parses");
        assert_eq!(r.runbook, PathBuf::from("rb.yaml"));
        assert_eq!(r.vars.get("X").map(String::as_str), Some("a b"));
        assert_eq!(r.vars.get("Y").map(String::as_str), Some("c \"d\""));
        assert_eq!(r.journal, Some(PathBuf::from("/tmp/my run.journal")));
        assert!(!r.practice);
    }

    #[test]
    fn a_bad_run_line_says_what_is_wrong() {
        let err = |l: &str| RunRequest::from_line(l).expect_err("refused");
        assert_eq!(
            err("rb.yaml --dry-run"),
            ":run cannot --dry-run; use `drconsole run --dry-run` in a shell"
        );
        assert_eq!(err("rb.yaml --var"), ":run --var needs a value");
        assert_eq!(err("rb.yaml --bogus"), ":run does not know --bogus");
        assert_eq!(err("--var X=1"), ":run needs a runbook");
        assert_eq!(
            err("a.yaml b.yaml"),
            r#":run takes one runbook; "b.yaml" is a second"#
        );
        assert_eq!(err("rb.yaml --var X"), r#"--var "X": expected NAME=VALUE"#);
        assert_eq!(err("rb.yaml --var X=1 --var X=2"), "--var X given twice");
        assert_eq!(
            err("rb.yaml --var 'A B=1'"),
            r#"--var "A B=1": a name is letters, digits and _"#
        );
        assert_eq!(err("rb.yaml --var 'X=1"), "a ' quote is not closed");
    }

    #[test]
    fn practice_is_never_quietly_run_live() {
        let asked = RunRequest::from_line("rb.yaml --practice").expect("a valid line");
        assert!(asked.practice);
        assert!(
            asked
                .clone()
                .in_console(true)
                .is_err_and(|e| e.contains("cannot rehearse in a live console"))
        );
        assert!(asked.in_console(false).expect("a valid line").practice);
        let plain = RunRequest::from_line("rb.yaml").expect("a valid line");
        assert!(
            !plain
                .clone()
                .in_console(true)
                .expect("a valid line")
                .practice
        );
        assert!(plain.in_console(false).expect("a valid line").practice);
    }
}
