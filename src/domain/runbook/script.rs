//! The one shell renderer, for live, practice and dry runs: a template
//! becomes a script that refers to each value as a shell variable, and the
//! values travel beside it, to reach `sh` in its environment.
//!
//! `${X}` in a runbook's command becomes `"${DRCONSOLE_VAR_X}"` (or
//! `${DRCONSOLE_VAR_X}` where the text is already inside double quotes or
//! an expanding here-document), and the child gets `DRCONSOLE_VAR_X=value`.
//! The script text depends on the template alone, never on a value, so a
//! value cannot become code whatever it holds: `sh` does not read the
//! result of an expansion as code. A placeholder where `sh` would not
//! expand a reference (single quotes, a quoted here-document, after a
//! backslash) is refused at load with its position, not turned into text.

mod lex;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

pub use lex::{Place, places};

use super::template::{Piece, Template};

/// The prefix of the environment variable that carries `${NAME}`: a
/// namespace of its own, so a script's own variables are never shadowed.
pub const ENV_PREFIX: &str = "DRCONSOLE_VAR_";

/// The environment variable that carries the runbook variable `name`.
#[must_use]
pub fn env_name(name: &str) -> String {
    format!("{ENV_PREFIX}{name}")
}

/// Why a template cannot become a script, or a script cannot get its values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    /// A placeholder where `sh` would not expand a reference.
    #[error("{}", misplaced(name, *place))]
    Misplaced {
        /// The variable.
        name: String,
        /// Which use of it (0 for the first) in the template.
        occurrence: usize,
        /// Where it stands.
        place: Place,
    },
    /// A variable with no value when the script was rendered.
    #[error("variable {name} has no value")]
    Missing {
        /// The variable.
        name: String,
    },
    /// A value with a NUL byte, which no process environment can carry.
    #[error("variable {name} holds a NUL byte, which a shell cannot receive")]
    Nul {
        /// The variable.
        name: String,
    },
}

fn misplaced(name: &str, place: Place) -> String {
    match place {
        Place::QuotedHeredoc => format!(
            "${{{name}}} is in a here-document with a quoted delimiter (<<'EOF'), where sh \
             does not expand it; leave the delimiter unquoted (<<EOF)"
        ),
        Place::Escaped => format!(
            "${{{name}}} follows a backslash, which would make it literal text; \
             remove the backslash"
        ),
        _ => format!(
            "${{{name}}} is inside single quotes, where sh does not expand it; \
             write it inside double quotes instead: \"text ${{{name}}} text\""
        ),
    }
}

/// The script text of `t`: every placeholder a quoted variable reference.
///
/// # Errors
/// [`ScriptError::Misplaced`] for the first placeholder `sh` would not
/// expand.
pub fn script_text(t: &Template) -> Result<String, ScriptError> {
    let places = places(t);
    let mut out = String::new();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut at = places.iter();
    for p in t.pieces() {
        match p {
            Piece::Literal(text) => out.push_str(text),
            Piece::Var(name) => {
                let count = seen.entry(name).or_default();
                let occurrence = *count;
                *count += 1;
                let place = at.next().copied().unwrap_or(Place::Code);
                let reference = format!("${{{}}}", env_name(name));
                match place {
                    Place::Code => {
                        out.push('"');
                        out.push_str(&reference);
                        out.push('"');
                    }
                    Place::Double | Place::Heredoc | Place::Comment => out.push_str(&reference),
                    Place::Single | Place::QuotedHeredoc | Place::Escaped => {
                        return Err(ScriptError::Misplaced {
                            name: name.clone(),
                            occurrence,
                            place,
                        });
                    }
                }
            }
        }
    }
    Ok(out)
}

/// A script and the values it refers to: what `sh` runs, what the dry run
/// shows and what the journal records, all the same thing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShellScript {
    /// The text given to `sh -c`; holds references, never values.
    pub script: String,
    /// Each variable the script refers to, by its runbook name.
    pub values: BTreeMap<String, String>,
}

impl ShellScript {
    /// Renders `t` with `vars`.
    ///
    /// # Errors
    /// A misplaced placeholder, a variable with no value, a NUL in a value.
    pub fn render(t: &Template, vars: &BTreeMap<String, String>) -> Result<Self, ScriptError> {
        let script = script_text(t)?;
        let mut values = BTreeMap::new();
        for name in t.vars() {
            let value = vars.get(name).ok_or_else(|| ScriptError::Missing {
                name: name.to_owned(),
            })?;
            if value.contains('\0') {
                return Err(ScriptError::Nul {
                    name: name.to_owned(),
                });
            }
            values.insert(name.to_owned(), value.clone());
        }
        Ok(ShellScript { script, values })
    }

    /// A script with no values: a command the runbook spells out whole.
    #[must_use]
    pub fn plain(script: impl Into<String>) -> Self {
        ShellScript {
            script: script.into(),
            values: BTreeMap::new(),
        }
    }

    /// The environment the child gets: `DRCONSOLE_VAR_NAME=value` each.
    #[must_use]
    pub fn env(&self) -> Vec<(String, String)> {
        self.values
            .iter()
            .map(|(k, v)| (env_name(k), v.clone()))
            .collect()
    }

    /// One line per value, escaped: what the dry run and the screen show.
    #[must_use]
    pub fn value_lines(&self) -> Vec<String> {
        self.values
            .iter()
            .map(|(k, v)| value_line(k, Some(v)))
            .collect()
    }
}

/// `NAME = "value"` with the value escaped, or `NAME = (set when the step
/// starts)` for a value that exists only at run time.
#[must_use]
pub fn value_line(name: &str, value: Option<&str>) -> String {
    match value {
        Some(v) => format!("{name} = \"{}\"", escape(v)),
        None => format!("{name} = (set when the step starts)"),
    }
}

/// `value` safe to print on one line: `\` `"` and control characters
/// escaped (`\n`, `\t`, `\r`, `\x1b`, `\u{85}`), so a value can neither
/// break a listing into lines nor send the terminal an escape sequence.
#[must_use]
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if u32::from(c) < 0x80 && c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if c.is_control() || is_format_control(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// Unicode format characters that reorder or hide text on a terminal
/// (bidirectional overrides and isolates, zero-width characters).
fn is_format_control(c: char) -> bool {
    matches!(u32::from(c), 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2069 | 0xFEFF)
}

#[cfg(test)]
mod tests;
