//! `${NAME}` templates: the one place where runbook variables meet text.
//!
//! A template is parsed once at load time so that an undeclared variable is a
//! load error, and rendered late so that run-time values (`EPOCH_SECONDS`,
//! `ELAPSED_SECONDS`) can be filled in when a step actually starts. A shell
//! command never has values filled in as text: [`super::script`] turns its
//! placeholders into variable references and passes the values as data.

use std::collections::BTreeMap;
use std::fmt;

/// Variables the engine supplies while a run is in progress; a runbook may use
/// them without declaring them.
pub const RUNTIME_VARS: &[&str] = &["EPOCH_SECONDS", "ELAPSED_SECONDS", "RUN_ID", "ENVIRONMENT"];

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text copied as written.
    Literal(String),
    /// A `${NAME}` reference, filled in at render time.
    Var(String),
}

/// A parsed `${NAME}` template.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Template {
    pieces: Vec<Piece>,
}

/// Why a template could not be parsed or rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// `${` without its closing brace; `offset` is the byte offset of `${`.
    #[error("unclosed \"${{\" at byte {offset}")]
    Unclosed {
        /// Byte offset of the `${`.
        offset: usize,
    },
    /// `${}` or a name with characters other than `A-Z a-z 0-9 _`.
    #[error("bad variable name \"{name}\": use letters, digits and _")]
    BadName {
        /// The name as written.
        name: String,
    },
    /// A variable with no value when the template was rendered.
    #[error("variable {name} has no value")]
    Missing {
        /// The variable's name.
        name: String,
    },
}

impl Template {
    /// Parses `text`; `$` not followed by `{` is kept literally (shell `$VAR`
    /// and `$(...)` inside commands stay the shell's business).
    ///
    /// # Errors
    /// An unclosed `${` or a bad name.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        let mut consumed = 0;
        while let Some(at) = rest.find("${") {
            literal.push_str(&rest[..at]);
            let after = &rest[at + 2..];
            let close = after.find('}').ok_or(TemplateError::Unclosed {
                offset: consumed + at,
            })?;
            let name = &after[..close];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(TemplateError::BadName {
                    name: name.to_string(),
                });
            }
            if !literal.is_empty() {
                pieces.push(Piece::Literal(std::mem::take(&mut literal)));
            }
            pieces.push(Piece::Var(name.to_string()));
            let used = at + 2 + close + 1;
            consumed += used;
            rest = &rest[used..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        Ok(Self { pieces })
    }

    /// The pieces, for lint rules that look at what a step refers to.
    #[must_use]
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// Every variable the template refers to, in order of first use.
    #[must_use]
    pub fn vars(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for p in &self.pieces {
            if let Piece::Var(v) = p
                && !out.contains(&v.as_str())
            {
                out.push(v);
            }
        }
        out
    }

    /// Fills in values as plain text: for messages, metric values, gate
    /// phrases and what the operator sees.
    ///
    /// # Errors
    /// A variable with no value.
    pub fn render(&self, vars: &BTreeMap<String, String>) -> Result<String, TemplateError> {
        self.render_with(vars, str::to_string)
    }

    /// Renders with a placeholder for missing values: what a dry run shows.
    #[must_use]
    pub fn preview(&self, vars: &BTreeMap<String, String>) -> String {
        let mut out = String::new();
        for p in &self.pieces {
            match p {
                Piece::Literal(t) => out.push_str(t),
                Piece::Var(name) => {
                    if let Some(v) = vars.get(name) {
                        out.push_str(v);
                    } else {
                        out.push_str("${");
                        out.push_str(name);
                        out.push('}');
                    }
                }
            }
        }
        out
    }

    fn render_with(
        &self,
        vars: &BTreeMap<String, String>,
        f: impl Fn(&str) -> String,
    ) -> Result<String, TemplateError> {
        let mut out = String::new();
        for p in &self.pieces {
            match p {
                Piece::Literal(t) => out.push_str(t),
                Piece::Var(name) => {
                    let value = vars
                        .get(name)
                        .ok_or_else(|| TemplateError::Missing { name: name.clone() })?;
                    out.push_str(&f(value));
                }
            }
        }
        Ok(out)
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.pieces {
            match p {
                Piece::Literal(t) => f.write_str(t)?,
                Piece::Var(v) => write!(f, "${{{v}}}")?,
            }
        }
        Ok(())
    }
}

/// Quotes text for POSIX `sh`: single quotes, with `'` written as `'\''`.
/// Only for text the runbook's author wrote (an action's literal
/// parameters); values never reach a script as text (see [`super::script`]).
#[must_use]
pub fn shell_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

impl Template {
    /// Builds a template from pieces (adjacent literals are merged): how
    /// `config::runbook` splices an action's parameters into its command
    /// and keeps a script's own `${VAR}` as shell text.
    #[must_use]
    pub fn from_pieces(pieces: impl IntoIterator<Item = Piece>) -> Self {
        let mut out: Vec<Piece> = Vec::new();
        for p in pieces {
            match (out.last_mut(), p) {
                (_, Piece::Literal(t)) if t.is_empty() => {}
                (Some(Piece::Literal(prev)), Piece::Literal(t)) => prev.push_str(&t),
                (_, p) => out.push(p),
            }
        }
        Self { pieces: out }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_vars_and_keeps_shell_dollars() {
        let t = Template::parse("echo $HOME ${A} $(date) ${B}${A}").expect("parses");
        assert_eq!(t.vars(), vec!["A", "B"]);
        assert_eq!(t.to_string(), "echo $HOME ${A} $(date) ${B}${A}");
    }

    #[test]
    fn rejects_unclosed_and_bad_names() {
        assert_eq!(
            Template::parse("x ${A"),
            Err(TemplateError::Unclosed { offset: 2 })
        );
        assert!(matches!(
            Template::parse("${}"),
            Err(TemplateError::BadName { .. })
        ));
        assert!(matches!(
            Template::parse("${A-B}"),
            Err(TemplateError::BadName { .. })
        ));
    }

    #[test]
    fn plain_render_fills_values_in_as_text() {
        let t = Template::parse("to ${R}!").expect("parses");
        let v: BTreeMap<String, String> = [("R".to_owned(), "a'b".to_owned())].into();
        assert_eq!(t.render(&v).as_deref(), Ok("to a'b!"));
    }

    #[test]
    fn missing_value_is_an_error_and_preview_keeps_the_name() {
        let t = Template::parse("to ${R}").expect("parses");
        assert_eq!(
            t.render(&BTreeMap::new()),
            Err(TemplateError::Missing { name: "R".into() })
        );
        assert_eq!(t.preview(&BTreeMap::new()), "to ${R}");
    }
}
