//! The headless run driver: engine + runner + journal + clock + gate answers.
//!
//! It executes the engine's commands in order. A journal record is appended
//! and fsync'd before the next command is even looked at, so no step starts
//! before the journal says it did. Runs, gates, decisions and delays are
//! spawned and report back as events; the engine itself stays pure.
//!
//! The screen and `drconsole run` use it the same way the tests do: build a
//! [`RunDriver`], [`RunDriver::subscribe`] to a `watch` of [`RunSnapshot`]s,
//! and await [`RunDriver::run`]. Gate answers come from a [`GateAnswers`].

use std::path::Path;
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use super::journal_file::{JournalFileError, JournalWriter, TornTail};
use super::runner::{OutputLine, OutputSink, StepRunner};
use crate::domain::environment::Environment;
use crate::domain::runbook::engine::{Engine, ReplayError};
use crate::domain::runbook::plan::Plan;
use crate::domain::runbook::protocol::{Command, Event, Mode, RunOutcome};
use crate::sources::clock::Clock;

mod answers;
pub use answers::{ChannelAnswers, GateAnswers, Prompt, ScriptedAnswers, ScriptedGate};

mod follow;
mod report;
mod rto;
mod shared;
pub use follow::{Follow, FollowError};
use report::unreachable_report;
pub use report::{RunReport, RunSnapshot};
pub use shared::{Joined, Seat, SharedError, SharedJournal};

/// Lines of output kept per task for the screen.
const OUTPUT_LINES: usize = 200;

/// Why a run could not start or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Live mode against an environment file that does not allow it.
    #[error(
        "environment {environment} does not allow live actions (set allow_live_actions = true in its file); use --practice or --dry-run"
    )]
    LiveNotAllowed {
        /// Its name.
        environment: String,
    },
    /// The journal could not be written or opened: the run stops, since
    /// nothing may happen that the journal does not record.
    #[error("journal: {0}")]
    Journal(#[from] JournalFileError),
    /// The journal does not resume with this plan.
    #[error("cannot resume: {0}")]
    Replay(#[from] ReplayError),
    /// The shared journal refused or failed: this console stops driving.
    #[error("shared incident: {0}")]
    Shared(#[from] SharedError),
}

/// The live mode for `env`, if its file allows live actions.
///
/// # Errors
/// [`RunError::LiveNotAllowed`].
pub fn live_mode(env: &Environment) -> Result<Mode, RunError> {
    if env.allow_live_actions {
        Ok(Mode::Live {
            environment: env.spec.environment.clone(),
        })
    } else {
        Err(RunError::LiveNotAllowed {
            environment: env.spec.environment.clone(),
        })
    }
}

/// Drives one run to its end.
pub struct RunDriver<R: StepRunner, G: GateAnswers> {
    engine: Engine,
    pending: Vec<Command>,
    runner: Arc<R>,
    answers: Arc<G>,
    journal: JournalWriter,
    clock: Arc<dyn Clock>,
    view: watch::Sender<RunSnapshot>,
    snapshot: RunSnapshot,
    /// Attempts in flight, cancelled (process groups killed) when the run ends.
    in_flight: Vec<tokio::task::JoinHandle<()>>,
    /// The shared incident's journal and lease, when the run is shared.
    shared: Option<SharedJournal>,
}

impl<R: StepRunner, G: GateAnswers> RunDriver<R, G> {
    /// A new run with a new journal at `journal` (refused if it exists).
    ///
    /// # Errors
    /// The journal cannot be created.
    pub fn start(
        plan: Plan,
        mode: Mode,
        journal: &Path,
        runner: Arc<R>,
        answers: Arc<G>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, RunError> {
        let now = clock.now();
        let run = format!("{}-{}", plan.name, now.as_millis());
        let writer = JournalWriter::create(journal, &run)?;
        let mut engine = Engine::new(plan, mode, &run);
        let pending = engine.handle(Event::Start { at: now });
        Ok(Self::with(engine, pending, writer, runner, answers, clock))
    }

    /// Resumes the run recorded in `journal`: replays it, marks what was
    /// running as outcome unknown, and asks again what was being asked.
    /// A torn last line that no append acknowledged (a crash mid-write)
    /// is dropped; anything else unsound refuses.
    ///
    /// # Errors
    /// The journal is unsound or belongs to another plan or mode.
    pub fn resume(
        plan: Plan,
        mode: Mode,
        journal: &Path,
        runner: Arc<R>,
        answers: Arc<G>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, RunError> {
        let writer = JournalWriter::open_with(journal, TornTail::DropIfUnacknowledged)?;
        let (engine, pending) = Engine::resume(plan, mode, writer.entries(), clock.now())?;
        // A practice estate starts afresh in each process: put back what
        // the run already did, in order, before anything runs again.
        for job in engine.done_jobs(clock.now()) {
            if let Some(effect) = runner.replay(&job) {
                log::info!("resume replayed {:?}: {effect}", job.task);
            }
        }
        Ok(Self::with(engine, pending, writer, runner, answers, clock))
    }

    fn with(
        engine: Engine,
        pending: Vec<Command>,
        journal: JournalWriter,
        runner: Arc<R>,
        answers: Arc<G>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let snapshot = RunSnapshot {
            state: engine.state().clone(),
            ..RunSnapshot::default()
        };
        let (view, _) = watch::channel(snapshot.clone());
        RunDriver {
            engine,
            pending,
            runner,
            answers,
            journal,
            clock,
            view,
            snapshot,
            in_flight: Vec::new(),
            shared: None,
        }
    }

    /// Shares the run: every entry is stored in the incident's journal
    /// before the next command, names this console's identity, and no step
    /// starts once the lease is lost.
    #[must_use]
    pub fn with_shared(mut self, shared: SharedJournal) -> Self {
        self.journal.set_author(Some(shared.author().clone()));
        self.shared = Some(shared);
        self
    }

    /// Snapshots after every change, for the screen.
    #[must_use]
    pub fn subscribe(&self) -> watch::Receiver<RunSnapshot> {
        self.view.subscribe()
    }

    /// The engine, read-only.
    #[must_use]
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Runs until the engine finishes. In live mode a recovered run's RTO
    /// is then published as `VirtEngine/DR` `FailoverDurationSeconds`
    /// through the runner.
    ///
    /// # Errors
    /// The journal failed: the run stops where the journal stops.
    pub async fn run(mut self) -> Result<RunReport, RunError> {
        let result = self.drive().await;
        if let Err(e) = &result {
            // Stopped short (journal, shared journal, lease): nothing it
            // started goes on, and the screen says why in its headline.
            for h in self.in_flight.drain(..) {
                h.abort();
            }
            self.snapshot.halted = Some(e.to_string());
            self.publish();
        }
        result
    }

    async fn drive(&mut self) -> Result<RunReport, RunError> {
        let (events, mut inbox) = mpsc::unbounded_channel::<Event>();
        let (sink, mut lines) = mpsc::unbounded_channel::<OutputLine>();
        let first = std::mem::take(&mut self.pending);
        let mut report = self.execute(first, &events, &sink).await?;
        self.publish();
        while report.is_none() && !self.engine.is_finished() {
            tokio::select! {
                Some(event) = inbox.recv() => {
                    let commands = self.engine.handle(event);
                    report = self.execute(commands, &events, &sink).await?;
                }
                Some(line) = lines.recv() => self.add_line(line),
            }
            while let Ok(line) = lines.try_recv() {
                self.add_line(line);
            }
            self.publish();
        }
        // Aborted or rolled back while something still ran: stop it.
        for h in self.in_flight.drain(..) {
            h.abort();
        }
        let mut report = report.unwrap_or_else(|| unreachable_report(&self.engine));
        if matches!(self.engine.mode(), Mode::Live { .. })
            && report.outcome == RunOutcome::Recovered
        {
            report.published = Some(self.publish_rto(report.elapsed, &sink).await?);
        }
        self.snapshot.report = Some(report.clone());
        self.publish();
        if let Some(shared) = &self.shared {
            shared.release().await;
        }
        Ok(report)
    }

    fn add_line(&mut self, line: OutputLine) {
        let lines = self.snapshot.output.entry(line.task).or_default();
        lines.push(line.text);
        if lines.len() > OUTPUT_LINES {
            let extra = lines.len() - OUTPUT_LINES;
            lines.drain(..extra);
        }
    }

    fn publish(&mut self) {
        self.snapshot.state = self.engine.state().clone();
        self.snapshot.gate = self.engine.state().gate.as_ref().map(|g| g.request.clone());
        self.snapshot.decisions = self.engine.decisions();
        self.view.send_replace(self.snapshot.clone());
    }

    /// Executes commands in order; journal appends are synchronous and
    /// durable before the next command.
    async fn execute(
        &mut self,
        commands: Vec<Command>,
        events: &mpsc::UnboundedSender<Event>,
        sink: &OutputSink,
    ) -> Result<Option<RunReport>, RunError> {
        let mut report = None;
        let mut batch = Vec::new();
        for c in commands {
            if let Command::Journal { at, record } = c {
                let (kind, data) = record.split();
                batch.push((at, kind, data));
                continue;
            }
            // Every record before this command is on disk (and in the
            // shared journal) before it runs.
            if !batch.is_empty() {
                self.journal.append_batch(std::mem::take(&mut batch))?;
                self.share().await?;
            }
            match c {
                Command::Journal { .. } => {}
                Command::Run(job) => {
                    if let Some(why) = self.shared.as_ref().and_then(SharedJournal::lost) {
                        return Err(SharedError::LeaseLost(why).into());
                    }
                    let runner = Arc::clone(&self.runner);
                    let (events, sink, clock) = (events.clone(), sink.clone(), self.clock.clone());
                    self.in_flight.retain(|h| !h.is_finished());
                    self.in_flight.push(tokio::spawn(async move {
                        let (task, attempt) = (job.task, job.attempt);
                        let outcome = runner.run(job, sink).await;
                        let _ = events.send(Event::Finished {
                            at: clock.now(),
                            task,
                            attempt,
                            outcome,
                        });
                    }));
                }
                Command::Wake { at } => {
                    let (events, clock) = (events.clone(), self.clock.clone());
                    tokio::spawn(async move {
                        let wait = at.since(clock.now());
                        tokio::time::sleep(clock.wall_for(wait)).await;
                        let now = clock.now().max(at);
                        let _ = events.send(Event::Tick { at: now });
                    });
                }
                Command::AwaitGate(request) => {
                    let (answers, events, clock) = (
                        Arc::clone(&self.answers),
                        events.clone(),
                        self.clock.clone(),
                    );
                    tokio::spawn(async move {
                        let event = match answers.gate(request).await {
                            Some(answer) => Event::GateAnswered {
                                at: clock.now(),
                                answer,
                            },
                            None => Event::GateDeclined { at: clock.now() },
                        };
                        let _ = events.send(event);
                    });
                }
                Command::GateRefused { why } => {
                    log::warn!("gate: {why}");
                    self.snapshot.refusals.push(why);
                }
                Command::AwaitDecision(request) => {
                    let (answers, events, clock) = (
                        Arc::clone(&self.answers),
                        events.clone(),
                        self.clock.clone(),
                    );
                    tokio::spawn(async move {
                        let task = request.task;
                        let choice = answers.decide(request).await;
                        let _ = events.send(Event::Decided {
                            at: clock.now(),
                            task,
                            choice,
                        });
                    });
                }
                Command::Finished {
                    outcome,
                    elapsed,
                    rto,
                } => {
                    report = Some(RunReport {
                        outcome,
                        elapsed,
                        rto,
                        published: None,
                    });
                }
            }
        }
        if !batch.is_empty() {
            self.journal.append_batch(batch)?;
            self.share().await?;
        }
        Ok(report)
    }

    /// Stores in the shared journal what the local one has and it lacks.
    async fn share(&mut self) -> Result<(), RunError> {
        if let Some(shared) = &mut self.shared {
            shared.store(self.journal.entries()).await?;
        }
        Ok(())
    }
}
