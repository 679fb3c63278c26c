//! Which kind a file is, for `check`: from its place (its directory, its
//! extension) and, under `drills/`, from its top-level keys, since
//! scenarios, scripts and the runbooks they run sit side by side there.

use std::path::Path;

use super::FileKind;
use crate::text::{Cap, read_text};

/// The kind a file's place gives it, if any: its directory's, else an
/// environment file for any `.toml`.
pub(super) fn kind_of(file: &Path) -> Option<FileKind> {
    if file.extension().is_some_and(|e| e == "yaml" || e == "yml") {
        if file.ancestors().skip(1).any(|d| d.ends_with("drills")) {
            // Scenario or script: told apart by content in `check_file`.
            return Some(FileKind::Scenario);
        }
        let actions = file.file_name().is_some_and(|n| n == "actions.yaml");
        return Some(if actions {
            FileKind::Actions
        } else {
            FileKind::Runbook
        });
    }
    let by_dir = file
        .parent()
        .and_then(Path::file_name)
        .and_then(|d| d.to_str())
        .and_then(FileKind::from_dir);
    let kind = by_dir.unwrap_or(FileKind::Environment);
    file.extension()
        .is_some_and(|e| e == kind.extension())
        .then_some(kind)
}

/// Top-level keys of a YAML file (lines starting with `key:`), enough to
/// tell the kinds of file under `drills/` apart without parsing.
fn top_level_keys(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter(|l| !l.starts_with([' ', '\t', '#', '-']))
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim()))
}

/// A file under `drills/` with `steps:` is a runbook a scenario runs.
pub(super) fn is_runbook(file: &Path) -> bool {
    read_text(file, Cap::CHECKED).is_ok_and(|t| top_level_keys(&t).any(|k| k == "steps"))
}

/// Script or scenario, for a file under `drills/`: a script has `run`,
/// `gates`, `decisions`, `annotations` or `end` and none of a scenario's
/// own keys; anything else is checked as a scenario.
pub(super) fn drill_kind(text: &str) -> FileKind {
    let mut script = false;
    for key in top_level_keys(text) {
        match key {
            "name" | "briefing" | "objectives" | "roles" | "targets" | "seed" | "duration"
            | "runbooks" | "criteria" => return FileKind::Scenario,
            "run" | "gates" | "decisions" | "annotations" | "end" => script = true,
            _ => {}
        }
    }
    if script {
        FileKind::Script
    } else {
        FileKind::Scenario
    }
}
