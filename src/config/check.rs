//! `drconsole check`: validate user files before an incident needs them.
//!
//! A file's kind comes from the directory it sits in (`layouts/`, `themes/`,
//! `drills/` for drill scenarios), the same place the loader looks, so a file
//! that checks clean is a file the console will find. Any other `.toml` file
//! is an environment file, which operators keep wherever they like
//! (`drconsole check prod.toml`); any other `.yaml` is a runbook.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use super::builtin::{LAYOUTS, THEMES, builtin_path};
use super::drill_file::parse_scenario;
use super::drill_script::parse_script_alone;
use super::environment::STARTER;
use super::environment_file::parse_environment;
use super::error::ConfigError;
use super::layout_file::parse_layout;
use super::loader::{ConfigDirs, is_valid_name};
use super::runbook;
use super::theme_file::parse_theme;
use crate::domain::estate::EstateSpec;
use crate::text::{Cap, read_text};

mod kind;
use kind::{drill_kind, is_runbook, kind_of};

/// What a user file is. Add a variant (and its directory) for each new kind
/// of file, e.g. runbooks and environments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A dashboard layout, under `layouts/`.
    Layout,
    /// A colour theme, under `themes/`.
    Theme,
    /// An environment file describing a live estate: any other `.toml`.
    Environment,
    /// A runbook: any `.yaml` (the estate keeps its own wherever it likes).
    Runbook,
    /// `actions.yaml`: what runbook action names do.
    Actions,
    /// A drill scenario: a `.yaml` under a `drills/` directory.
    Scenario,
    /// A drill script (`drill --script`): a `.yaml` under a `drills/`
    /// directory whose top-level keys are a script's (`run`, `gates`, ...).
    Script,
}

impl FileKind {
    /// Every kind `check` knows.
    pub const ALL: [FileKind; 7] = [
        FileKind::Layout,
        FileKind::Theme,
        FileKind::Environment,
        FileKind::Runbook,
        FileKind::Actions,
        FileKind::Scenario,
        FileKind::Script,
    ];

    /// The kinds the console finds by name in its search directories, and
    /// so the ones `check` with no arguments looks for there.
    pub const SEARCHED: [FileKind; 2] = [FileKind::Layout, FileKind::Theme];

    /// The directory files of this kind live in (environment files may live
    /// anywhere; `environments/` is only the conventional place).
    #[must_use]
    pub fn dir(self) -> &'static str {
        match self {
            FileKind::Layout => "layouts",
            FileKind::Theme => "themes",
            FileKind::Environment => "environments",
            FileKind::Runbook | FileKind::Actions => "runbooks",
            FileKind::Scenario | FileKind::Script => "drills",
        }
    }

    /// The kind of a file found in a directory called `dir`.
    #[must_use]
    pub fn from_dir(dir: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|k| k.dir() == dir)
    }

    /// What one file of this kind is called in messages.
    #[must_use]
    pub fn noun(self) -> &'static str {
        match self {
            FileKind::Layout => "layout",
            FileKind::Theme => "theme",
            FileKind::Environment => "environment",
            FileKind::Runbook => "runbook",
            FileKind::Actions => "actions",
            FileKind::Scenario => "drill scenario",
            FileKind::Script => "drill script",
        }
    }

    /// The extension files of this kind have.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Layout | FileKind::Theme | FileKind::Environment => "toml",
            FileKind::Runbook | FileKind::Actions | FileKind::Scenario | FileKind::Script => "yaml",
        }
    }

    /// Parses `text` as a file of this kind named `name`, keeping only the verdict.
    fn validate(self, name: &str, file: &Path, text: &str) -> Result<(), ConfigError> {
        match self {
            FileKind::Layout => parse_layout(name, file, text).map(drop),
            FileKind::Theme => parse_theme(name, file, text).map(drop),
            FileKind::Environment => parse_environment(file, text).map(drop),
            FileKind::Runbook => runbook::parse_runbook(file, text).map(drop),
            FileKind::Actions => runbook::parse_actions(file, text).map(drop),
            // Scenarios are checked against the seed estate: the one drills run on.
            FileKind::Scenario => parse_scenario(file, text, &EstateSpec::seed()).map(drop),
            // A script's runbook and inject names are checked when it runs
            // with its scenario; everything else is checked here.
            FileKind::Script => parse_script_alone(file, text).map(drop),
        }
    }

    /// Whether a file's name matters: layouts and themes are selected by
    /// it, environment files by path.
    fn selected_by_name(self) -> bool {
        matches!(self, FileKind::Layout | FileKind::Theme)
    }

    /// How a shipped file of this kind is named in messages.
    fn builtin_file(self, name: &str) -> PathBuf {
        match self {
            FileKind::Layout | FileKind::Theme => builtin_path(self.dir(), name),
            FileKind::Environment => PathBuf::from(format!("(builtin) src/config/{name}.toml")),
            FileKind::Runbook | FileKind::Actions => {
                PathBuf::from(format!("(builtin) runbooks/{name}.yaml"))
            }
            FileKind::Scenario | FileKind::Script => {
                PathBuf::from(format!("(builtin) runbooks/drills/{name}.yaml"))
            }
        }
    }

    /// The shipped files of this kind: name and text.
    fn builtins(self) -> &'static [(&'static str, &'static str)] {
        match self {
            FileKind::Layout => &LAYOUTS,
            FileKind::Theme => &THEMES,
            FileKind::Environment => &ENVIRONMENTS,
            FileKind::Runbook | FileKind::Scenario | FileKind::Script => &[],
            FileKind::Actions => &ACTIONS,
        }
    }
}

/// The shipped environment file: the starter `drconsole env init` prints.
const ENVIRONMENTS: [(&str, &str); 1] = [("env-starter", STARTER)];

/// The shipped actions file, compiled in for runbooks that have none beside them.
const ACTIONS: [(&str, &str); 1] = [("actions", runbook::SHIPPED_ACTIONS)];

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.noun())
    }
}

/// The verdict on one file: one line of `check` output.
#[derive(Debug)]
pub enum Finding {
    /// The file is valid.
    Ok(PathBuf, FileKind),
    /// The file (or directory) has a problem.
    Err(ConfigError),
    /// The file was read as this kind and is not a valid one: the line
    /// says which kind it was taken for, so a file in the wrong place
    /// explains itself.
    Invalid(ConfigError, FileKind),
    /// A domain rule's finding on a runbook (an error or a warning).
    Lint(runbook::LintFinding),
}

impl Finding {
    /// Whether this finding should make `check` fail.
    #[must_use]
    pub fn is_err(&self) -> bool {
        match self {
            Finding::Err(_) | Finding::Invalid(..) => true,
            Finding::Lint(l) => l.severity == runbook::Severity::Error,
            Finding::Ok(..) => false,
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::Ok(file, kind) => write!(f, "ok {} ({kind})", file.display()),
            Finding::Err(e) => write!(f, "{e}"),
            Finding::Invalid(e, kind) => {
                let article = if kind.to_string().starts_with(['a', 'e', 'i', 'o', 'u']) {
                    "an"
                } else {
                    "a"
                };
                write!(f, "{e} (checked as {article} {kind})")
            }
            Finding::Lint(l) => write!(f, "{l}"),
        }
    }
}

/// Checks each path: a file, or a directory searched recursively (hidden
/// directories skipped). Findings come in path order, one per file.
#[must_use]
pub fn check_paths(paths: &[PathBuf]) -> Vec<Finding> {
    let mut out = Vec::new();
    for path in paths {
        match fs::metadata(path) {
            Ok(m) if m.is_dir() => check_dir(path, &mut out),
            Ok(_) => out.extend(check_given_file(path)),
            Err(source) => out.push(Finding::Err(ConfigError::Io {
                file: path.clone(),
                source,
            })),
        }
    }
    out
}

/// Checks the builtins and every file under `layouts/` and `themes/` in the
/// standard directories: what the console would load if started here.
#[must_use]
pub fn check_default() -> Vec<Finding> {
    let mut out = check_builtins();
    for root in ConfigDirs::standard().roots {
        for kind in FileKind::SEARCHED {
            let dir = root.join(kind.dir());
            if dir.is_dir() {
                check_dir(&dir, &mut out);
            }
        }
    }
    out
}

/// Checks the files compiled into the binary.
#[must_use]
pub fn check_builtins() -> Vec<Finding> {
    FileKind::ALL
        .into_iter()
        .flat_map(|kind| {
            kind.builtins().iter().map(move |(name, text)| {
                let file = kind.builtin_file(name);
                match kind.validate(name, &file, text) {
                    Ok(()) => Finding::Ok(file, kind),
                    Err(e) => Finding::Err(e),
                }
            })
        })
        .collect()
}

/// A file named on the command line: it must be one we know how to check.
fn check_given_file(file: &Path) -> Vec<Finding> {
    match kind_of(file) {
        Some(FileKind::Runbook | FileKind::Actions) => runbook::check_runbook_file(file),
        Some(FileKind::Scenario) if is_runbook(file) => runbook::check_runbook_file(file),
        Some(kind) => check_file(file, kind),
        None => vec![Finding::Err(ConfigError::UnknownKind {
            file: file.to_path_buf(),
        })],
    }
}

/// Walks `dir` in name order. Files that are not ours are skipped; a
/// `.toml` outside `layouts/` and `themes/` is checked as an environment.
fn check_dir(dir: &Path, out: &mut Vec<Finding>) {
    let mut entries: Vec<_> = match fs::read_dir(dir) {
        Ok(rd) => rd.flatten().collect(),
        Err(source) => {
            out.push(Finding::Err(ConfigError::Io {
                file: dir.to_path_buf(),
                source,
            }));
            return;
        }
    };
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        // file_type does not follow symlinks, so a link cannot loop us.
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir {
            if !hidden {
                check_dir(&path, out);
            }
        } else if let Some(FileKind::Runbook | FileKind::Actions) = kind_of(&path) {
            out.extend(runbook::check_runbook_file(&path));
        } else if kind_of(&path) == Some(FileKind::Scenario) && is_runbook(&path) {
            out.extend(runbook::check_runbook_file(&path));
        } else if let Some(kind) = kind_of(&path) {
            out.extend(check_file(&path, kind));
        }
    }
}

fn check_file(file: &Path, kind: FileKind) -> Vec<Finding> {
    let cap = match kind {
        FileKind::Layout => Cap::LAYOUT,
        FileKind::Theme => Cap::THEME,
        FileKind::Environment => Cap::ENVIRONMENT,
        FileKind::Runbook => Cap::RUNBOOK,
        FileKind::Actions => Cap::ACTIONS,
        FileKind::Scenario | FileKind::Script => Cap::SCENARIO,
    };
    let text = match read_text(file, cap) {
        Ok(text) => text,
        Err(e) => return vec![Finding::Err(e.into())],
    };
    let kind = match kind {
        FileKind::Scenario => drill_kind(&text),
        other => other,
    };
    let name = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if kind.selected_by_name() && !is_valid_name(&name) {
        // The loader could never select it, so it would be silently ignored.
        return vec![Finding::Err(ConfigError::at(
            file,
            &text,
            0..0,
            format!(
                "file name \"{name}\" cannot be selected as a {kind}, \
                 expected lowercase letters, digits, \"-\" and \"_\""
            ),
        ))];
    }
    if let Err(e) = kind.validate(&name, file, &text) {
        return vec![Finding::Invalid(e, kind)];
    }
    let lint = match kind {
        FileKind::Scenario => scenario_lint(file, &text),
        _ => Vec::new(),
    };
    if lint.is_empty() {
        vec![Finding::Ok(file.to_path_buf(), kind)]
    } else {
        lint.into_iter().map(Finding::Lint).collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "check_tests.rs"]
mod tests;

/// The drill rules on a scenario that loaded: its expected runbooks
/// against its injects, on the seed estate the drill runs on.
fn scenario_lint(file: &Path, text: &str) -> Vec<runbook::LintFinding> {
    let estate = EstateSpec::seed();
    parse_scenario(file, text, &estate).map_or_else(
        |_| Vec::new(),
        |s| runbook::lint::restores_compromised_key_in_drill(file, text, &s, &estate),
    )
}
