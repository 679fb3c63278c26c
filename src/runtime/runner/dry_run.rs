//! The dry-run runner: shows what would run, runs nothing.

use std::sync::{Arc, Mutex};

use super::{OutputSink, StepRunner, note};
use crate::domain::runbook::protocol::{Job, Outcome};

/// Records every rendered command and reports it as done without running
/// it: `--dry-run`. What it shows comes from the renderer the live runner
/// uses: the script as `sh` would get it, then each value escaped on a
/// line of its own.
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
        lines.extend(
            job.operation
                .shell()
                .map(crate::domain::runbook::script::ShellScript::value_lines)
                .unwrap_or_default()
                .into_iter()
                .map(|v| format!("  with {v}")),
        );
        if let Some(v) = &job.verify {
            lines.push(format!("verify: {}", v.script));
            lines.extend(v.value_lines().into_iter().map(|v| format!("  with {v}")));
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
