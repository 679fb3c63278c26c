//! Where things are in a runbook file: turning serde-saphyr locations and
//! errors into `file:line:col` messages.

use std::path::Path;

use serde_saphyr::{Location, MessageFormatter, UserMessageFormatter};

use crate::config::error::ConfigError;
use crate::domain::runbook::template::TemplateError;

/// A file's name and text, so any rule can point into it.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// The file as the caller named it.
    pub file: &'a Path,
    /// Its contents.
    pub text: &'a str,
}

impl<'a> Source<'a> {
    /// A source over `text` read from `file`.
    #[must_use]
    pub fn new(file: &'a Path, text: &'a str) -> Self {
        Self { file, text }
    }

    /// The byte offset of a location (saphyr records it for string input;
    /// otherwise it is recomputed from line and column).
    #[must_use]
    pub fn offset(&self, loc: &Location) -> usize {
        if let Some(b) = loc
            .span()
            .byte_offset()
            .and_then(|b| usize::try_from(b).ok())
        {
            return b.min(self.text.len());
        }
        let line = usize::try_from(loc.line()).unwrap_or(1).max(1);
        let col = usize::try_from(loc.column()).unwrap_or(1).max(1);
        let start: usize = self
            .text
            .split_inclusive('\n')
            .take(line - 1)
            .map(str::len)
            .sum();
        let rest = &self.text[start.min(self.text.len())..];
        start
            + rest
                .char_indices()
                .nth(col - 1)
                .map_or(rest.len(), |(i, _)| i)
    }

    /// An error at a location.
    #[must_use]
    pub fn at(&self, loc: &Location, message: impl Into<String>) -> ConfigError {
        let o = self.offset(loc);
        ConfigError::at(self.file, self.text, o..o, message)
    }

    /// An error at a byte offset.
    #[must_use]
    pub fn at_offset(&self, offset: usize, message: impl Into<String>) -> ConfigError {
        ConfigError::at(self.file, self.text, offset..offset, message)
    }

    /// The offset of `${name}` in the value written at `loc` (the value's
    /// own offset when it cannot be found, e.g. after YAML escapes).
    #[must_use]
    pub fn var_offset(&self, loc: &Location, name: &str) -> usize {
        let from = self.offset(loc);
        let needle = format!("${{{name}}}");
        self.text
            .get(from..)
            .and_then(|rest| rest.find(&needle))
            .map_or(from, |i| from + i)
    }

    /// A template error in the value written at `loc`, pointing at the
    /// `${` it is about.
    #[must_use]
    pub fn template_error(&self, loc: &Location, err: &TemplateError) -> ConfigError {
        let from = self.offset(loc);
        let rest = self.text.get(from..).unwrap_or_default();
        match err {
            TemplateError::Unclosed { .. } => {
                let mut at = 0;
                while let Some(i) = rest[at..].find("${") {
                    let start = at + i;
                    let line_end = rest[start..].find('\n').map_or(rest.len(), |e| start + e);
                    if !rest[start..line_end].contains('}') {
                        return self.at_offset(from + start, "unclosed \"${\": write ${NAME}");
                    }
                    at = start + 2;
                }
                self.at_offset(from, err.to_string())
            }
            TemplateError::BadName { name } => {
                let o = rest
                    .find(&format!("${{{name}}}"))
                    .map_or(from, |i| from + i);
                self.at_offset(o, err.to_string())
            }
            TemplateError::Missing { .. } => self.at_offset(from, err.to_string()),
        }
    }

    /// 1-based line and column of a byte offset.
    #[must_use]
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        match ConfigError::at(self.file, self.text, offset..offset, "") {
            ConfigError::Invalid { line, col, .. } => (line, col),
            _ => (1, 1),
        }
    }

    /// serde-saphyr's error (syntax, unknown key, wrong type) as ours.
    #[must_use]
    pub fn yaml_error(&self, err: &serde_saphyr::Error) -> ConfigError {
        let inner = err.without_snippet();
        let message: String = UserMessageFormatter
            .format_message(inner)
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let at = match err.location() {
            Some(loc) if loc != Location::UNKNOWN => self.offset(&loc),
            _ => 0,
        };
        // The parser notices a tab where a scalar ends; point at the tab.
        if message.contains("found a tab")
            && let Some(tab) = self.text.get(at..).and_then(|r| r.find('\t'))
        {
            return self.at_offset(at + tab, "tab character: YAML indents with spaces only");
        }
        if message.starts_with("invalid u") || message.starts_with("invalid i") {
            let found = self.text[at..].lines().next().unwrap_or_default().trim();
            let found = crate::text::printable_within(found, 60);
            return self.at_offset(at, format!("expected a whole number, found `{found}`"));
        }
        if message.starts_with("invalid boolean") {
            let found = self.text[at..].lines().next().unwrap_or_default().trim();
            return self.at_offset(
                at,
                format!(
                    "expected true or false, found `{}`",
                    crate::text::printable_within(found, 60)
                ),
            );
        }
        if message == "expected mapping start" && at > 0 {
            return self.at_offset(at, "expected a mapping of key: value pairs here");
        }
        self.at_offset(at, message)
    }
}
