//! Step runners: what executes one attempt of a runbook task.
//!
//! The engine decides; a [`StepRunner`] acts. [`LiveRunner`] runs real
//! shell commands and AWS calls; [`PracticeRunner`] only moves the
//! simulated estate and, by construction, holds nothing that could start a
//! process or open a connection; [`DryRunRunner`] runs nothing at all.

mod aws;
mod dry_run;
mod live;
mod notify;
mod practice;
mod shell;

use std::future::Future;

use tokio::sync::mpsc;

use crate::domain::runbook::protocol::{Job, Outcome, Task};

pub use aws::AwsActions;
pub use dry_run::DryRunRunner;
pub use live::LiveRunner;
pub use notify::{Notification, Notifier};
pub use practice::{PracticeRecord, PracticeRunner};
pub use shell::{MAX_CAPTURE, run_script, run_shell};

/// Which stream a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
    /// Said by drconsole (what ran, what the built-in did).
    Note,
}

/// One line of live output, as it arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputLine {
    /// The task that wrote it.
    pub task: Task,
    /// Its attempt.
    pub attempt: u32,
    /// Which stream.
    pub stream: Stream,
    /// The line, without its newline.
    pub text: String,
}

/// Where runners send live output; a closed receiver is fine.
pub type OutputSink = mpsc::UnboundedSender<OutputLine>;

/// Sends a note line for `job`, ignoring a closed receiver.
pub(crate) fn note(sink: &OutputSink, job: &Job, text: impl Into<String>) {
    let _ = sink.send(OutputLine {
        task: job.task,
        attempt: job.attempt,
        stream: Stream::Note,
        text: text.into(),
    });
}

/// Executes one attempt of a task and says how it ended. Never panics and
/// never returns early: every failure is an [`Outcome`].
pub trait StepRunner: Send + Sync + 'static {
    /// Runs `job`, streaming its output to `sink`.
    fn run(&self, job: Job, sink: OutputSink) -> impl Future<Output = Outcome> + Send;

    /// Re-applies the effect of `job`, which passed before a restart, and
    /// says what it did. Only the practice runner has anything to redo
    /// (its estate starts afresh each process); a live step is never
    /// run again by a resume, so the default does nothing.
    fn replay(&self, job: &Job) -> Option<String> {
        let _ = job;
        None
    }
}
