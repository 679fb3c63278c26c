//! The console's application layer: the root model ([`console::Console`])
//! and the screens it routes to (the dashboard's [`App`], the runbook run,
//! the drill, the key ceremony), each a pure `update` from messages to
//! effects. Nothing here does I/O or reads a clock.

pub mod ceremony;
pub mod command;
pub mod console;
pub mod dashboard;
pub mod drill;
pub mod keymap;
pub mod msg;
pub mod run_request;
pub mod runbook;

pub use dashboard::{App, Frozen, Mode, Notice};
pub use msg::{DrillMsg, DrillWork, Effect, Msg, ReportFiled};
