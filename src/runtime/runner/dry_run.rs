//! The dry-run runner: shows what would run, runs nothing.

use std::sync::{Arc, Mutex};

use super::{OutputSink, StepRunner, note};
use crate::domain::runbook::protocol::{Job, Outcome};

/// Records every rendered command and reports it as done without running
/// it: `--dry-run`.
#[derive(Debug, Clone, Default)]
pub struct DryRunRunner {
    shown: Arc<Mutex<Vec<String>>>,
}

impl DryRunRunner {
    /// A runner with nothing shown yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Every command shown so far, in order.
    #[must_use]
    pub fn shown(&self) -> Vec<String> {
        self.shown.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl StepRunner for DryRunRunner {
    async fn run(&self, job: Job, sink: OutputSink) -> Outcome {
        let mut lines = vec![job.operation.describe()];
        if let Some(v) = &job.verify {
            lines.push(format!("verify: {v}"));
        }
        for l in &lines {
            note(&sink, &job, format!("would run: {l}"));
        }
        if let Ok(mut s) = self.shown.lock() {
            s.extend(lines);
        }
        Outcome::ok("dry run: not run")
    }
}
