//! The drill side of `restores-compromised-key`: a scenario that declares
//! a validator's key compromised (`fault: key-compromised V`) and expects a
//! runbook that restores V's key teaches the team the one move that gets
//! the validator tombstoned.

use std::path::Path;

use super::{LintFinding, Severity};
use crate::config::drill_file::resolve_runbook;
use crate::config::runbook::actions::Actions;
use crate::config::runbook::compile::{build, load_runbook};
use crate::config::runbook::source::Source;
use crate::domain::drill::scenario::{InjectKind, Scenario};
use crate::domain::estate::EstateSpec;
use crate::domain::fault::Fault;
use crate::domain::runbook::plan::PracticeEffect;

/// Every expected runbook of `scenario` (written in `text` at `file`)
/// that restores the key of a validator an inject declares compromised.
/// A runbook that does not load is the runbook check's business, not this.
#[must_use]
pub fn restores_compromised_key(
    file: &Path,
    text: &str,
    scenario: &Scenario,
    estate: &EstateSpec,
) -> Vec<LintFinding> {
    let compromised: Vec<&str> = scenario
        .injects
        .iter()
        .filter_map(|i| match &i.kind {
            InjectKind::Fault(Fault::KeyCompromised { validator }) => Some(validator.as_str()),
            _ => None,
        })
        .collect();
    let src = Source::new(file, text);
    let mut out = Vec::new();
    for r in &scenario.runbooks {
        let path = resolve_runbook(file, &r.path);
        let Ok(runbook) = load_runbook(&path) else {
            continue;
        };
        let Ok(actions) = Actions::for_runbook(&path) else {
            continue;
        };
        let Ok(compiled) = build(&runbook, &actions, &r.vars, estate, false) else {
            continue;
        };
        for s in &compiled.plan.steps {
            let PracticeEffect::RestoreValidatorKey(t) = &s.practice else {
                continue;
            };
            let Ok(v) = t.render(&compiled.plan.vars) else {
                continue;
            };
            if !compromised.iter().any(|c| c.eq_ignore_ascii_case(&v)) {
                continue;
            }
            let at = text.find(&r.path).unwrap_or(0);
            let (line, column) = src.line_col(at);
            out.push(LintFinding {
                file: file.to_path_buf(),
                line,
                column,
                severity: Severity::Error,
                rule: "restores-compromised-key",
                message: format!(
                    "runbook {} restores the key of {v} (step {}), which an inject of this drill \
                     declares compromised: the attacker's copy would sign beside it; expect \
                     validator-key-rotation.yaml instead",
                    r.path, s.name
                ),
            });
        }
    }
    out
}
