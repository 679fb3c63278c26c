//! Executes effects and owns the terminal: the only place where the pure
//! core meets crossterm, tokio and the file system.

pub mod ceremony;
pub mod console;
pub mod drill;
pub mod drill_console;
pub mod drill_upload;
pub mod hygiene;
pub mod journal_file;
pub mod logging;
pub mod restore;
pub mod run;
pub mod run_link;
pub mod runner;

use crate::config::theme::Theme;

/// Strips colours when `NO_COLOR` is set to anything non-empty
/// (<https://no-color.org>); words and symbols still carry every state.
#[must_use]
pub fn honour_no_color(theme: Theme) -> Theme {
    match std::env::var_os("NO_COLOR") {
        Some(v) if !v.is_empty() => theme.without_color(),
        _ => theme,
    }
}
