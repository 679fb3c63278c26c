//! Runbook files: the upstream schema unchanged plus drconsole's
//! extensions, loaded with serde-saphyr, compiled into a
//! [`crate::domain::runbook::plan::Plan`] and linted for the domain's
//! known ways to hurt an estate.
//!
//! - [`file`]: the YAML schema (`deny_unknown_fields` everywhere);
//! - [`actions`]: `runbooks/actions.yaml`, action names to built-ins and commands;
//! - [`compile`]: checks and builds the plan, errors with file:line:col;
//! - [`lint`]: the domain rules `drconsole check` applies.

pub mod actions;
pub mod compile;
pub mod expect;
pub mod file;
pub mod lint;
pub mod source;
mod vars;

pub use actions::{Actions, SHIPPED_ACTIONS, parse_actions};
pub use compile::{Compiled, Runbook, build, compile, load_runbook, parse_runbook};
pub use lint::{LintFinding, Severity, check_runbook_file, lint};
