//! A step's practice-mode effect: its own `practice:` (templates checked
//! against the variables) or its action's, in the plan's form.

use serde_saphyr::Spanned;

use crate::config::error::ConfigError;
use crate::config::runbook::actions::practice_texts;
use crate::config::runbook::file::PracticeFile;
use crate::config::runbook::source::Source;
use crate::config::runbook::vars::VarCheck;
use crate::domain::runbook::plan::PracticeEffect;
use crate::domain::runbook::template::{Piece, Template};

/// A step's own `practice:`, its templates checked against the variables.
pub(super) fn practice(
    src: &Source,
    vc: &mut VarCheck,
    p: &Spanned<PracticeFile>,
) -> Result<PracticeEffect, ConfigError> {
    for text in practice_texts(&p.value) {
        let t = Template::parse(text).map_err(|e| src.template_error(&p.referenced, &e))?;
        vc.check(&t, &p.referenced)?;
    }
    Ok(practice_effect(p.value.clone()))
}

/// The plan's form of a practice effect (texts already checked templates).
pub(super) fn practice_effect(p: PracticeFile) -> PracticeEffect {
    let t = |s: &str| {
        Template::parse(s).unwrap_or_else(|_| Template::from_pieces([Piece::Literal(s.to_owned())]))
    };
    match p {
        PracticeFile::None => PracticeEffect::None,
        PracticeFile::PromoteDatabase(r) => PracticeEffect::PromoteDatabase(t(&r)),
        PracticeFile::Traffic { region, serving } => PracticeEffect::Traffic(t(&region), serving),
        PracticeFile::Validators { region, running } => {
            PracticeEffect::Validators(t(&region), running)
        }
        PracticeFile::RecoverRegion(r) => PracticeEffect::RecoverRegion(t(&r)),
        PracticeFile::RestoreChainState(r) => PracticeEffect::RestoreChainState(t(&r)),
        PracticeFile::RestoreValidatorKey(v) => PracticeEffect::RestoreValidatorKey(t(&v)),
        PracticeFile::Validator { name, running } => PracticeEffect::Validator(t(&name), running),
        PracticeFile::StartNewKeyNode(v) => PracticeEffect::StartNewKeyNode(t(&v)),
        PracticeFile::RotateKey(v) => PracticeEffect::RotateKey(t(&v)),
        PracticeFile::KeySilent(v) => PracticeEffect::KeySilent(t(&v)),
        PracticeFile::RotatedKeySigns(v) => PracticeEffect::RotatedKeySigns(t(&v)),
        PracticeFile::StandbyValidators { from, to } => {
            PracticeEffect::StandbyValidators(t(&from), t(&to))
        }
        PracticeFile::Check(c) => PracticeEffect::Check(c),
        PracticeFile::Fail(m) => PracticeEffect::Fail(m),
    }
}
