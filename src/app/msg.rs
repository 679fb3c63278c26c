//! What flows into `update` and what flows out of it.

use ratatui::crossterm::event::KeyEvent;

use crate::app::run_request::RunRequest;
use crate::config::layout::Layout;
use crate::config::theme::Theme;
use crate::domain::fault::Fault;
use crate::domain::observation::PollReport;
use crate::domain::time::Timestamp;

/// Everything that can happen to the console. Time arrives inside messages;
/// `update` never reads a clock.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A key press.
    Key(KeyEvent),
    /// The terminal changed size.
    Resize(u16, u16),
    /// The clock moved: the header clock and every age depend on it.
    Tick(Timestamp),
    /// A source finished a poll.
    Polled(PollReport),
    /// The simulated estate's active faults, described for the header.
    FaultsChanged(Vec<String>),
    /// A layout asked for with `:layout` was loaded, or why not.
    LayoutLoaded(Result<Layout, String>),
    /// A theme asked for with `:theme` was loaded, or why not.
    ThemeLoaded(Result<Theme, String>),
    /// The outcome of `:inject` or `:clear`, to show on the status line.
    FaultCommandDone(Result<String, String>),
    /// A run asked for (`:run`, the drill) could not open, and why.
    RunFailed(String),
    /// SIGTERM or SIGHUP: leave cleanly.
    Terminate,
}

/// Work `update` asks the runtime to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Restore the terminal and exit.
    Quit,
    /// Load a layout by name and answer with [`Msg::LayoutLoaded`].
    LoadLayout(String),
    /// Load a theme by name and answer with [`Msg::ThemeLoaded`].
    LoadTheme(String),
    /// Inject a fault into the simulated estate.
    InjectFault(Fault),
    /// Clear every fault in the simulated estate.
    ClearFaults,
    /// Load a runbook and open its run; a failure answers with
    /// [`Msg::RunFailed`].
    StartRun(RunRequest),
}
