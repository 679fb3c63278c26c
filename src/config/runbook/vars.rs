//! Runbook variables: which names a file may use, and their values.
//!
//! A name is known when it is declared under `vars:`, given with `--var`,
//! or one the engine supplies ([`RUNTIME_VARS`]). A file with a `vars:`
//! section must declare what it uses; the upstream files declare nothing,
//! so for them a name is accepted when its value is given, and `check`
//! reports the ones never given.

use std::collections::{BTreeMap, BTreeSet};

use serde_saphyr::{Location, Spanned};

use super::file::VarDecl;
use super::source::Source;
use crate::config::error::ConfigError;
use crate::domain::estate::EstateSpec;
use crate::domain::runbook::template::{RUNTIME_VARS, Template};

/// Tracks every variable a runbook uses while it is compiled.
pub(crate) struct VarCheck<'a> {
    src: Source<'a>,
    declared: Option<&'a Spanned<BTreeMap<String, VarDecl>>>,
    supplied: &'a BTreeMap<String, String>,
    strict: bool,
    used: BTreeSet<String>,
    unsupplied: Vec<(String, usize)>,
    captured: BTreeSet<String>,
    /// Captured names not reached yet, with the step that captures each.
    later: BTreeMap<String, String>,
}

impl<'a> VarCheck<'a> {
    pub(crate) fn new(
        src: Source<'a>,
        declared: Option<&'a Spanned<BTreeMap<String, VarDecl>>>,
        supplied: &'a BTreeMap<String, String>,
        strict: bool,
    ) -> Self {
        Self {
            src,
            declared,
            supplied,
            strict,
            used: BTreeSet::new(),
            unsupplied: Vec::new(),
            captured: BTreeSet::new(),
            later: BTreeMap::new(),
        }
    }

    fn known(&self, name: &str) -> bool {
        RUNTIME_VARS.contains(&name)
            || self.captured.contains(name)
            || self.supplied.contains_key(name)
            || self.declared.is_some_and(|d| d.value.contains_key(name))
    }

    fn record(&mut self, name: &str, offset: usize) {
        self.used.insert(name.to_owned());
        if !self.known(name) && !self.unsupplied.iter().any(|(n, _)| n == name) {
            self.unsupplied.push((name.to_owned(), offset));
        }
    }

    /// Checks a template drconsole will fill in.
    pub(crate) fn check(&mut self, t: &Template, at: &Location) -> Result<(), ConfigError> {
        for v in t.vars() {
            let offset = self.src.var_offset(at, v);
            if !self.known(v) {
                if let Some(step) = self.later.get(v) {
                    return Err(self.src.at_offset(
                        offset,
                        format!(
                            "variable {v} is captured by step \"{step}\": only the steps after it may use it"
                        ),
                    ));
                }
                if self.declared.is_some() {
                    return Err(self.src.at_offset(
                        offset,
                        format!("variable {v} is not declared under vars: (nor given with --var)"),
                    ));
                }
                if self.strict {
                    return Err(self.src.at_offset(
                        offset,
                        format!("variable {v} has no value: give --var {v}=VALUE"),
                    ));
                }
            }
            self.record(v, offset);
        }
        Ok(())
    }

    /// Records a template drconsole does not fill in itself (reporting,
    /// backup jobs): an unknown name there is for the lint, not an error.
    pub(crate) fn note(&mut self, t: &Template, at: &Location) {
        for v in t.vars() {
            let offset = self.src.var_offset(at, v);
            self.record(v, offset);
        }
    }

    /// The names steps will capture, each with its step, told before any
    /// template is checked: a use before the capture is named as such.
    pub(crate) fn will_capture(&mut self, steps: &[super::file::StepFile]) {
        for step in steps {
            if let Some(c) = &step.capture {
                self.later
                    .insert(c.value.trim().to_owned(), step.name.value.clone());
            }
        }
    }

    /// `capture: NAME` on a step: steps compiled after it may use `NAME`,
    /// the ones before it may not (they run before it has a value).
    pub(crate) fn capture(
        &mut self,
        name: &Spanned<String>,
        in_steps: bool,
    ) -> Result<String, ConfigError> {
        let n = name.value.trim();
        let at = |m: String| self.src.at(&name.referenced, m);
        if !in_steps {
            return Err(at(
                "capture: belongs to a step under steps: (checks and rollbacks run out of order)"
                    .to_owned(),
            ));
        }
        let mut chars = n.chars();
        let named = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
            && n.len() <= 64;
        if !named {
            return Err(at(format!(
                "capture: \"{n}\" is not a variable name (letters, digits and _, up to 64)"
            )));
        }
        if self.known(n) {
            return Err(at(format!(
                "capture: {n} is already a variable: a captured value must not replace one"
            )));
        }
        self.captured.insert(n.to_owned());
        self.later.remove(n);
        Ok(n.to_owned())
    }

    /// Used names with no declaration and no value, with their first use.
    pub(crate) fn unsupplied(&self) -> Vec<(String, usize)> {
        self.unsupplied.clone()
    }

    /// The offset of a declaration's name under `vars:`.
    fn decl_offset(&self, name: &str) -> usize {
        let from = self.declared.map_or(0, |d| self.src.offset(&d.referenced));
        let from = self.src.text[..from].rfind('\n').map_or(0, |i| i + 1);
        self.src.text[from..]
            .find(&format!("{name}:"))
            .map_or(from, |i| from + i)
    }

    /// Every variable's value for the run: declared defaults, then `--var`.
    ///
    /// # Errors
    /// A declared variable with no value (when strict), a value that is not
    /// allowed or not a region of the estate, or a `--var` nobody uses.
    pub(crate) fn finish(
        &self,
        estate: &EstateSpec,
    ) -> Result<BTreeMap<String, String>, ConfigError> {
        let mut out = BTreeMap::new();
        if let Some(decls) = self.declared {
            for (name, d) in &decls.value {
                let value = self
                    .supplied
                    .get(name)
                    .cloned()
                    .or_else(|| d.default.as_ref().map(|v| v.value.clone()));
                let Some(value) = value else {
                    if self.strict {
                        let what = d
                            .description
                            .as_ref()
                            .map(|t| format!(" ({})", t.value.trim()))
                            .unwrap_or_default();
                        return Err(self.src.at_offset(
                            self.decl_offset(name),
                            format!("variable {name} needs a value: give --var {name}=VALUE{what}"),
                        ));
                    }
                    continue;
                };
                if let Some(allowed) = &d.allowed
                    && !allowed.value.contains(&value)
                {
                    return Err(self.src.at(
                        &allowed.referenced,
                        format!(
                            "{name}={value} is not allowed, expected one of {}",
                            allowed.value.join(", ")
                        ),
                    ));
                }
                if d.region && estate.region(&value).is_none() {
                    let regions: Vec<&str> =
                        estate.regions.iter().map(|r| r.name.as_str()).collect();
                    return Err(self.src.at_offset(
                        self.decl_offset(name),
                        format!(
                            "{name}={value} is not a region of the estate, expected one of {}",
                            regions.join(", ")
                        ),
                    ));
                }
                out.insert(name.clone(), value);
            }
        }
        for (name, value) in self.supplied {
            let declared = self.declared.is_some_and(|d| d.value.contains_key(name));
            if !declared && !self.used.contains(name) {
                return Err(self.src.at_offset(
                    0,
                    format!("--var {name}: this runbook neither declares nor uses {name}"),
                ));
            }
            out.insert(name.clone(), value.clone());
        }
        Ok(out)
    }
}

/// Names a shell script assigns itself: `for NAME in`, `NAME=...`, `read NAME`.
pub(crate) fn shell_assigned(script: &str) -> BTreeSet<String> {
    let is_name = |w: &str| {
        w.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let words: Vec<&str> = script
        .split(|c: char| c.is_whitespace() || ";&|()`".contains(c))
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = BTreeSet::new();
    for (i, w) in words.iter().enumerate() {
        if let Some((name, _)) = w.split_once('=')
            && is_name(name)
        {
            out.insert(name.to_owned());
        }
        if (*w == "for" || *w == "read" || *w == "local" || *w == "export")
            && let Some(next) = words.get(i + 1)
            && is_name(next)
        {
            out.insert((*next).to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loop_and_assignment_names_are_the_scripts_own() {
        let s = "for REGION in a b; do\n  AGE=$(x ${REGION})\n  echo \"${AGE}s\" --context=${CTX}\ndone";
        let got: Vec<String> = shell_assigned(s).into_iter().collect();
        assert_eq!(got, ["AGE", "REGION"]);
    }
}
