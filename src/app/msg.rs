//! What flows into `update` and what flows out of it.

use ratatui::crossterm::event::KeyEvent;

use std::path::PathBuf;
use std::time::Duration;

use crate::app::run_request::RunRequest;
use crate::app::runbook::{RunEffect, RunView};
use crate::config::layout::Layout;
use crate::config::theme::Theme;
use crate::domain::drill::referee::{EstateAtEnd, Event, RunId};
use crate::domain::drill::report::Report;
use crate::domain::drill::scenario::Inject;
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
    /// A run asked for with [`Effect::StartRun`] opened: its first picture.
    RunOpened(Box<RunView>),
    /// A new picture of the open run.
    RunViewed(Box<RunView>),
    /// Something for the drill, from the drill's clock and estate.
    Drill(DrillMsg),
    /// SIGTERM or SIGHUP: leave cleanly.
    Terminate,
}

/// What the runtime tells the drill. Drill time (an offset from the
/// drill's start on its virtual clock) arrives inside these messages, as
/// wall time arrives in [`Msg::Tick`].
#[derive(Debug, Clone)]
pub enum DrillMsg {
    /// The drill's clock reads this now; the message after it (a key, a
    /// run's picture) happened at this drill time.
    Clock(Duration),
    /// The clock moved to `elapsed`; `seen` is what the estate showed since
    /// the last tick (a sample of the service, promotions, restores).
    Tick {
        /// Drill time now.
        elapsed: Duration,
        /// What the estate showed, for the referee.
        seen: Vec<Event>,
    },
    /// Something the runtime saw for the referee: an inject applied or
    /// refused, the dashboard as it stood when a gate opened.
    Saw(Event),
    /// The estate's own facts at the end, asked for by
    /// [`DrillWork::ReadEstateAtEnd`].
    EstateAtEnd(EstateAtEnd),
    /// Where the report went, asked for by [`DrillWork::WriteReport`].
    ReportFiled(ReportFiled),
}

/// Where a drill's report went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportFiled {
    /// Written into this directory.
    Written(PathBuf),
    /// The directory could not take it.
    Failed {
        /// The directory given with `--report`.
        dir: PathBuf,
        /// Why.
        error: String,
    },
    /// No `--report DIR` was given.
    NotAsked,
}

/// Work the drill asks of its clock and simulated estate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrillWork {
    /// Run (true) or stop (false) the virtual clock.
    Clock(bool),
    /// Set the virtual clock's speed.
    Speed(u32),
    /// Move the virtual clock to this drill time.
    JumpTo(Duration),
    /// Change the simulated estate (a fault, or clear all) at drill time
    /// `at`, and answer with [`DrillMsg::Saw`] an [`Event::Inject`] that
    /// says whether the estate took it.
    Apply {
        /// The inject.
        inject: Inject,
        /// Drill time of applying.
        at: Duration,
    },
    /// A practice run's gate opened: answer with [`DrillMsg::Saw`] an
    /// [`Event::GateOpened`] holding the dashboard as it stands.
    GateOpened {
        /// Drill time of opening.
        at: Duration,
        /// The run.
        run: RunId,
        /// The gate's step.
        step: String,
    },
    /// The drill ended: answer with [`DrillMsg::EstateAtEnd`].
    ReadEstateAtEnd,
    /// Write the report, answer with [`DrillMsg::ReportFiled`].
    WriteReport(Box<Report>),
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
    /// Load a runbook and open its run, answering with [`Msg::RunOpened`];
    /// a failure answers with [`Msg::RunFailed`].
    StartRun(RunRequest),
    /// Carry the runbook screen's answer (a gate, a decision, leaving) to
    /// the run's driver.
    ToRun(RunEffect),
    /// The operator left the run: stop listening to it.
    DetachRun,
    /// Work for the drill's clock and estate.
    Drill(DrillWork),
}
