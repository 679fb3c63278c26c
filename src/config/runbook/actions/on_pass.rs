//! An action's `on_pass:`: what the console learns once a step of it
//! passed, beyond the step's record. Today one kind, a key rotation, so
//! that the dashboard keeps a rotated validator under its name in a live
//! run as in practice (where the simulated estate says so itself).
//!
//! ```yaml
//! on_pass:
//!   key_rotated: {validator: "${validator}", old_address: "${old_address}", new_address: "${new_address}"}
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::config::error::ConfigError;
use crate::config::runbook::source::Source;
use crate::domain::runbook::plan::OnPass;
use crate::domain::runbook::template::{Piece, Template};

/// `on_pass:` as the actions file writes it; its texts are templates over
/// the action's parameters.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum OnPassFile {
    /// The step rotated a validator's consensus key.
    KeyRotated {
        /// The validator's name.
        validator: String,
        /// The address of the key that was replaced.
        old_address: String,
        /// The address of the new key.
        new_address: String,
    },
}

impl OnPassFile {
    fn texts(&self) -> [&str; 3] {
        match self {
            Self::KeyRotated {
                validator,
                old_address,
                new_address,
            } => [validator, old_address, new_address],
        }
    }

    /// The same with each text passed through `fill` (parameters spliced).
    pub(super) fn map(&self, fill: impl Fn(&str) -> String) -> Self {
        match self {
            Self::KeyRotated {
                validator,
                old_address,
                new_address,
            } => Self::KeyRotated {
                validator: fill(validator),
                old_address: fill(old_address),
                new_address: fill(new_address),
            },
        }
    }

    /// The plan's form (texts already checked templates).
    pub(crate) fn to_plan(&self) -> OnPass {
        let t = |s: &str| {
            Template::parse(s)
                .unwrap_or_else(|_| Template::from_pieces([Piece::Literal(s.to_owned())]))
        };
        match self {
            Self::KeyRotated {
                validator,
                old_address,
                new_address,
            } => OnPass::KeyRotated {
                validator: t(validator),
                old_address: t(old_address),
                new_address: t(new_address),
            },
        }
    }
}

/// An action's `on_pass:` checked: every text a template over the
/// action's own parameters, none empty.
pub(super) fn checked<T>(
    src: &Source,
    action: &str,
    params: &BTreeMap<String, T>,
    on_pass: Option<Spanned<OnPassFile>>,
) -> Result<Option<OnPassFile>, ConfigError> {
    let Some(p) = on_pass else {
        return Ok(None);
    };
    for text in p.value.texts() {
        let t = Template::parse(text).map_err(|e| src.template_error(&p.referenced, &e))?;
        if t.vars().is_empty() && text.trim().is_empty() {
            return Err(src.at(
                &p.referenced,
                format!("action {action}: on_pass has an empty value"),
            ));
        }
        if let Some(v) = t.vars().into_iter().find(|v| !params.contains_key(*v)) {
            return Err(src.at(
                &p.referenced,
                format!("action {action}: on_pass uses ${{{v}}}, not one of its parameters"),
            ));
        }
    }
    Ok(Some(p.value))
}
