//! The practice runner: every operation goes to the simulated estate.
//!
//! It owns a handle to a [`SimEstate`] and a log, and nothing else: no
//! shell, no AWS client, no HTTP client, so it cannot start a process or
//! reach the network whatever the runbook says. Shell commands are
//! recorded, never executed.

use std::sync::{Arc, Mutex};

use super::{OutputSink, StepRunner, note};

mod effects;
use crate::domain::notify::{self, NotifyChannel};
use crate::domain::runbook::protocol::{Job, Outcome, RenderedOperation, RenderedPractice, Task};
use crate::domain::runbook::script::ShellScript;
use crate::sources::clock::Clock;
use crate::sources::sim::{SimEstate, StepTime};

/// What a practice run did with one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeRecord {
    /// The task.
    pub task: Task,
    /// The attempt.
    pub attempt: u32,
    /// The operation as it would have run live.
    pub would_run: String,
    /// What happened to the simulated estate.
    pub effect: String,
}

/// Routes every job to the simulated estate.
#[derive(Clone)]
pub struct PracticeRunner {
    estate: Arc<Mutex<SimEstate>>,
    log: Arc<Mutex<Vec<PracticeRecord>>>,
    channels: Vec<NotifyChannel>,
    /// In a drill: the drill's clock, on which each step takes its
    /// simulated time ([`SimEstate::step_time`]).
    timing: Option<Arc<dyn Clock>>,
}

impl std::fmt::Debug for PracticeRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PracticeRunner")
            .field("channels", &self.channels)
            .field("step_times", &self.timing.is_some())
            .finish_non_exhaustive()
    }
}

impl PracticeRunner {
    /// A runner acting on `estate` (shared with whoever shows it).
    #[must_use]
    pub fn new(estate: Arc<Mutex<SimEstate>>) -> Self {
        PracticeRunner {
            estate,
            log: Arc::new(Mutex::new(Vec::new())),
            channels: Vec::new(),
            timing: None,
        }
    }

    /// Each step takes the simulated time its work takes, on `clock` (a
    /// drill's), and changes the estate when it ends; a DNS change reaches
    /// clients once it propagated and the TTL ran out. Without this (a
    /// practice run outside a drill) effects are immediate.
    #[must_use]
    pub fn with_step_times(mut self, clock: Arc<dyn Clock>) -> Self {
        self.timing = Some(clock);
        self
    }

    /// Records notifications as these channels would receive them (an
    /// environment file's `[notify.*]`); without, only the message is.
    #[must_use]
    pub fn with_channels(mut self, channels: Vec<NotifyChannel>) -> Self {
        self.channels = channels;
        self
    }

    /// The estate it acts on.
    #[must_use]
    pub fn estate(&self) -> Arc<Mutex<SimEstate>> {
        Arc::clone(&self.estate)
    }

    /// Everything done so far, in order.
    #[must_use]
    pub fn log(&self) -> Vec<PracticeRecord> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl StepRunner for PracticeRunner {
    fn replay(&self, job: &Job) -> Option<String> {
        // Checks judged the estate then; they change nothing to redo.
        if matches!(
            job.practice,
            RenderedPractice::Check(_)
                | RenderedPractice::KeySilent(_)
                | RenderedPractice::RotatedKeySigns(_)
        ) {
            return None;
        }
        let effect = match effects::apply(&self.estate, None, job, None) {
            Ok(e) => e,
            Err(e) => format!("could not redo: {e}"),
        };
        if let Ok(mut log) = self.log.lock() {
            log.push(PracticeRecord {
                task: job.task,
                attempt: job.attempt,
                would_run: format!("replayed: {}", job.operation.describe()),
                effect: effect.clone(),
            });
        }
        Some(effect)
    }

    async fn run(&self, job: Job, sink: OutputSink) -> Outcome {
        let would_run = job.operation.describe();
        note(&sink, &job, format!("practice, not run: {would_run}"));
        for v in job
            .operation
            .shell()
            .map(ShellScript::value_lines)
            .unwrap_or_default()
        {
            note(&sink, &job, format!("  with {v}"));
        }
        let timed = self.step_time(&job);
        if let Some(t) = &timed {
            note(&sink, &job, t.describe());
            if let Err(e) = self.wait_out(&job, t).await {
                note(&sink, &job, format!("simulated estate: {e}"));
                let mut out = Outcome::error(format!("practice: {e}"));
                out.exit.timed_out = true;
                return out;
            }
        }
        let dns = timed.and_then(|t| t.settles_after);
        let result = self.would_send(&job.operation).and_then(|sent| {
            for line in &sent {
                note(&sink, &job, line.clone());
            }
            let effect = effects::apply(&self.estate, self.timing.as_deref(), &job, dns)?;
            Ok(sent
                .into_iter()
                .chain([effect])
                .collect::<Vec<_>>()
                .join("; "))
        });
        let effect = match &result {
            Ok(e) | Err(e) => e.clone(),
        };
        note(&sink, &job, format!("simulated estate: {effect}"));
        if let Ok(mut log) = self.log.lock() {
            log.push(PracticeRecord {
                task: job.task,
                attempt: job.attempt,
                would_run,
                effect,
            });
        }
        match result {
            // The real command prints the new node's address last; so does
            // practice, so a `capture:` reads it the same way.
            Ok(e) => match self.printed_address(&job) {
                Some(address) => {
                    note(
                        &sink,
                        &job,
                        format!("prints the new key's address: {address}"),
                    );
                    Outcome::ok(format!("{e}\n{address}"))
                }
                None => Outcome::ok(e),
            },
            Err(e) => Outcome::error(format!("practice: {e}")),
        }
    }
}

impl PracticeRunner {
    /// How long `job` takes, in a drill.
    fn step_time(&self, job: &Job) -> Option<StepTime> {
        self.timing.as_ref()?;
        Some(self.estate.lock().ok()?.step_time(job))
    }

    /// Waits out a step's simulated time on the drill's clock, or its
    /// timeout when the work outlasts it (the step then fails and the
    /// estate does not change, as a real command stopped at its timeout).
    async fn wait_out(&self, job: &Job, t: &StepTime) -> Result<(), String> {
        let Some(clock) = &self.timing else {
            return Ok(());
        };
        let started = clock.now();
        if let Some(limit) = job.timeout.filter(|limit| t.took > *limit) {
            wait_until(clock.as_ref(), started.plus(limit)).await;
            return Err(format!(
                "timed out after {}: the {} takes {}",
                crate::domain::duration::format(limit),
                t.work.label(),
                crate::domain::duration::format(t.took)
            ));
        }
        wait_until(clock.as_ref(), started.plus(t.took)).await;
        Ok(())
    }

    /// The consensus address a new-key node step prints.
    fn printed_address(&self, job: &Job) -> Option<String> {
        let RenderedPractice::StartNewKeyNode(v) = &job.practice else {
            return None;
        };
        self.estate.lock().ok()?.new_key_address(v)
    }

    /// What a `notification` step would send, one line per channel, built
    /// by the rule the live runner sends by; nothing for other operations.
    fn would_send(&self, op: &RenderedOperation) -> Result<Vec<String>, String> {
        let RenderedOperation::Notify {
            channels,
            message,
            severity,
            run,
        } = op
        else {
            return Ok(Vec::new());
        };
        let source = self
            .estate
            .lock()
            .map(|e| e.spec().environment.clone())
            .unwrap_or_default();
        let planned = notify::plan(
            &self.channels,
            channels,
            message,
            severity.as_deref(),
            run.as_deref().unwrap_or("drconsole"),
            &source,
        )
        .map_err(|e| e.to_string())?;
        if self.channels.is_empty() {
            return Ok(vec![format!(
                "would notify {} (no channels in the simulated estate): {message}",
                channels.join(", ")
            )]);
        }
        Ok(planned
            .iter()
            .map(|p| match (p.channel, &p.body) {
                (Some(c), Some(body)) => {
                    format!("would send to {} ({}): {body}", p.name, c.kind.label())
                }
                _ => format!(
                    "would not reach {}: no [notify.{}] in the environment file (live, this step fails)",
                    p.name, p.name
                ),
            })
            .collect())
    }
}

/// Waits until `clock` reads `deadline`, a quarter second of wall time at
/// most between looks: a paused drill holds the step where it is, and a
/// change of speed applies at once.
async fn wait_until(clock: &dyn Clock, deadline: crate::domain::time::Timestamp) {
    const LOOK: std::time::Duration = std::time::Duration::from_millis(250);
    loop {
        let now = clock.now();
        if now >= deadline {
            return;
        }
        let wall = clock
            .wall_for(deadline.since(now))
            .clamp(std::time::Duration::from_millis(1), LOOK);
        tokio::time::sleep(wall).await;
    }
}
