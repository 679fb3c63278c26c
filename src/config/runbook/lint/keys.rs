//! The key rule: a key named as compromised is rotated, never restored.
//! Restoring it puts the attacker's copy back beside the validator's: two
//! signers with one key double-sign, and the validator is slashed and
//! tombstoned for a sign it did not make.

use super::{Linter, Severity};
use crate::config::runbook::file::RunbookFile;
use crate::domain::runbook::plan::{Phase, PlannedStep, PracticeEffect, StepRef};

/// Whether the runbook's name, description or triggers say compromise.
fn says_compromise(doc: &RunbookFile) -> bool {
    let texts = [Some(&doc.name), doc.description.as_ref()]
        .into_iter()
        .flatten()
        .chain(
            doc.triggers
                .iter()
                .flat_map(|t| std::iter::once(&t.name).chain(t.description.as_ref())),
        );
    texts
        .map(|t| t.value.to_lowercase())
        .any(|t| t.contains("compromis") || t.contains("leaked"))
}

/// Whether a step brings a validator key back from its backup.
fn restores_key(s: &PlannedStep) -> bool {
    if matches!(s.practice, PracticeEffect::RestoreValidatorKey(_)) {
        return true;
    }
    super::command_text(s).is_some_and(|c| c.contains("ceremony open"))
}

/// `restores-compromised-key`: an error on every step that restores a key
/// in a runbook written for a compromise.
pub(super) fn restores_compromised_key(
    l: &mut Linter,
    doc: &RunbookFile,
    steps: &[(StepRef, &PlannedStep)],
) {
    if !says_compromise(doc) {
        return;
    }
    for &(at, s) in steps.iter().filter(|(at, _)| at.phase == Phase::Step) {
        if restores_key(s) {
            l.push_op(
                at,
                s,
                Severity::Error,
                "restores-compromised-key",
                format!(
                    "step {} restores a validator key in a runbook for a compromised key: the \
                     attacker's copy would sign beside it (double-sign, tombstoned); rotate the \
                     key instead (runbooks/validator-key-rotation.yaml)",
                    s.name
                ),
            );
        }
    }
}
