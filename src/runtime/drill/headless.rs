//! Headless drills: a scenario's timeline, a script of the team's
//! responses and practice runbooks, all on one virtual clock, to a report.
//!
//! Time is tokio's paused clock on a current-thread runtime: nothing sleeps
//! for real, every timer fires in order, so the same scenario, seed and
//! script always give the same report, and a 30-minute drill takes well
//! under a second.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::estate::{self, EstateWatch};
use super::script_answers::ScriptAnswers;
use crate::app::runbook::step_word;
use crate::config::drill_file::resolve_runbook;
use crate::config::drill_script::Script;
use crate::config::error::ConfigError;
use crate::config::runbook::{Actions, compile, load_runbook};
use crate::domain::drill::referee::{EstateAtEnd, Event, Referee, RunId};
use crate::domain::drill::report::Report;
use crate::domain::drill::scenario::Scenario;
use crate::domain::drill::timeline::{DrillCommand, DrillEvent, Phase as DrillPhase};
use crate::domain::estate::EstateSpec;
use crate::domain::runbook::plan::{Phase, Plan, StepRef};
use crate::domain::runbook::protocol::{Mode, Task};
use crate::domain::time::Timestamp;
use crate::runtime::run::{RunDriver, RunError, RunReport, RunSnapshot};
use crate::runtime::runner::PracticeRunner;
use crate::sources::clock::Clock;
use crate::sources::sim::SimEstate;

/// Why a drill could not run.
#[derive(Debug, thiserror::Error)]
pub enum DrillError {
    /// A runbook the scenario names did not load or compile.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A runbook run could not start (journal).
    #[error("runbook {runbook}: {source}")]
    Run {
        /// The runbook.
        runbook: String,
        /// Why.
        source: RunError,
    },
    /// The async runtime could not be built.
    #[error("runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

/// A clock that reads tokio's (paused) time from a fixed start.
#[derive(Debug)]
pub struct TokioClock {
    start: Timestamp,
    origin: tokio::time::Instant,
}

impl TokioClock {
    /// Reads `start` now.
    #[must_use]
    pub fn new(start: Timestamp) -> Self {
        Self {
            start,
            origin: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> Timestamp {
        self.start.plus(self.origin.elapsed())
    }
}

/// Everything a headless drill needs.
pub struct HeadlessDrill<'a> {
    /// The scenario.
    pub scenario: Scenario,
    /// Where the scenario file is (runbook paths are relative to it).
    pub scenario_path: &'a Path,
    /// The team's scripted responses.
    pub script: Script,
    /// Simulated time at the drill's start.
    pub start: Timestamp,
    /// The estate.
    pub spec: EstateSpec,
    /// Where each runbook run's journal goes.
    pub journal_dir: &'a Path,
}

/// A practice run in progress.
struct Running {
    run: RunId,
    plan: Plan,
    handle: tokio::task::JoinHandle<Result<RunReport, RunError>>,
    state: tokio::sync::watch::Receiver<RunSnapshot>,
}

impl HeadlessDrill<'_> {
    /// Runs the drill to its end and returns the report.
    ///
    /// # Errors
    /// A runbook does not load or compile, or a journal cannot be written.
    pub fn run(self) -> Result<Report, DrillError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()?;
        rt.block_on(self.drive())
    }

    fn plans(&self) -> Result<BTreeMap<String, Plan>, DrillError> {
        let actions = Actions::shipped()?;
        let mut plans = BTreeMap::new();
        for r in &self.scenario.runbooks {
            let runbook = load_runbook(&resolve_runbook(self.scenario_path, &r.path))?;
            plans.insert(
                r.path.clone(),
                compile(&runbook, &actions, &r.vars, &self.spec)?,
            );
        }
        Ok(plans)
    }

    async fn drive(self) -> Result<Report, DrillError> {
        let plans = self.plans()?;
        let clock: Arc<dyn Clock> = Arc::new(TokioClock::new(self.start));
        let sim = Arc::new(Mutex::new(SimEstate::new(
            self.spec.clone(),
            self.scenario.seed,
            self.start,
        )));
        let mut referee = Referee::new(self.scenario.clone());
        let told = Arc::new(Mutex::new(Vec::new()));
        let mut watch = EstateWatch::default();
        let mut running: Vec<Running> = Vec::new();
        let mut started = 0;
        let (mut runs, mut notes, mut hand) = (
            self.script.runs.clone().into_iter().peekable(),
            self.script.annotations.clone().into_iter().peekable(),
            self.script.injects.clone().into_iter().peekable(),
        );
        let end = self
            .script
            .end
            .unwrap_or(self.scenario.duration)
            .min(self.scenario.duration);
        let mut commands = referee.control(DrillEvent::Start);
        let mut elapsed = Duration::ZERO;
        loop {
            for c in std::mem::take(&mut commands) {
                if let DrillCommand::Apply(inject) = c
                    && let Ok(mut s) = sim.lock()
                {
                    let at = referee.drill().elapsed();
                    referee.observe(estate::apply(&mut s, &inject, at));
                }
            }
            if referee.drill().phase() == DrillPhase::Ended {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
            elapsed = elapsed.saturating_add(Duration::from_secs(1));
            let now = self.start.plus(elapsed);
            if let Ok(mut s) = sim.lock() {
                s.advance_to(now);
            }
            commands.extend(referee.control(DrillEvent::Reached(elapsed)));
            while let Some((_, text)) = notes.next_if(|(at, _)| *at <= elapsed) {
                referee.observe(Event::Note(text));
            }
            while let Some((_, name)) = hand.next_if(|(at, _)| *at <= elapsed) {
                if let Some(i) = self.scenario.injects.iter().position(|x| x.name == name) {
                    commands.extend(referee.control(DrillEvent::InjectByHand(i)));
                }
            }
            while let Some((_, runbook)) = runs.next_if(|(at, _)| *at <= elapsed) {
                let Some(plan) = plans.get(&runbook).cloned() else {
                    continue;
                };
                let run = RunId(started);
                started += 1;
                referee.observe(Event::RunStarted {
                    at: elapsed,
                    run,
                    runbook: runbook.clone(),
                });
                running.push(self.start_run(run, &runbook, plan, &sim, &clock, &told)?);
            }
            running = self.collect_finished(&mut referee, running, elapsed).await;
            for e in told
                .lock()
                .map(|mut t| std::mem::take(&mut *t))
                .unwrap_or_default()
            {
                referee.observe(e);
            }
            if let Ok(s) = sim.lock() {
                for e in watch.look(&s, self.start, elapsed) {
                    referee.observe(e);
                }
            }
            if elapsed >= end && referee.drill().phase() != DrillPhase::Ended {
                commands.extend(referee.control(DrillEvent::End));
            }
        }
        for r in running {
            r.handle.abort();
            let snapshot = r.state.borrow().clone();
            self.relay_steps(&mut referee, r.run, &r.plan, &snapshot);
        }
        let at_end = sim
            .lock()
            .map_or_else(|_| EstateAtEnd::default(), |s| estate::at_end(&s));
        Ok(referee.report(self.start, "simulated", at_end))
    }

    fn start_run(
        &self,
        run: RunId,
        runbook: &str,
        plan: Plan,
        sim: &Arc<Mutex<SimEstate>>,
        clock: &Arc<dyn Clock>,
        told: &Arc<Mutex<Vec<Event>>>,
    ) -> Result<Running, DrillError> {
        let names = [
            Phase::PreCheck,
            Phase::Step,
            Phase::PostCheck,
            Phase::Rollback,
        ]
        .into_iter()
        .flat_map(|ph| {
            plan.phase(ph).iter().enumerate().map(move |(i, s)| {
                (
                    StepRef {
                        phase: ph,
                        index: i,
                    },
                    s.name.clone(),
                )
            })
        })
        .collect();
        let answers = ScriptAnswers {
            script: self.script.clone(),
            run,
            names,
            sim: Arc::clone(sim),
            clock: Arc::clone(clock),
            drill_start: self.start,
            events: Arc::clone(told),
        };
        let stem = Path::new(runbook)
            .file_stem()
            .map_or_else(|| "run".into(), |s| s.to_string_lossy().into_owned());
        let journal: PathBuf = self
            .journal_dir
            .join(format!("{}-{}-{stem}.journal", self.scenario.id, run.0));
        let driver = RunDriver::start(
            plan.clone(),
            Mode::Practice,
            &journal,
            // A drill's steps take the time their work takes.
            Arc::new(PracticeRunner::new(Arc::clone(sim)).with_step_times(Arc::clone(clock))),
            Arc::new(answers),
            Arc::clone(clock),
        )
        .map_err(|source| DrillError::Run {
            runbook: runbook.to_owned(),
            source,
        })?;
        let state = driver.subscribe();
        Ok(Running {
            run,
            plan,
            handle: tokio::spawn(driver.run()),
            state,
        })
    }

    /// Tells the referee of runs that ended (their steps, then how they
    /// ended); returns those still running.
    async fn collect_finished(
        &self,
        referee: &mut Referee,
        running: Vec<Running>,
        at: Duration,
    ) -> Vec<Running> {
        let mut still = Vec::new();
        for r in running {
            if r.handle.is_finished() {
                let report: Option<RunReport> = r.handle.await.ok().and_then(Result::ok);
                let snapshot = r.state.borrow().clone();
                self.relay_steps(referee, r.run, &r.plan, &snapshot);
                // When the run ended, not when this loop noticed.
                let ended = snapshot.state.finished_at.map(|t| t.since(self.start));
                referee.observe(Event::RunFinished {
                    at: ended.unwrap_or(at),
                    run: r.run,
                    outcome: report.map(|rep| rep.outcome),
                });
            } else {
                still.push(r);
            }
        }
        still
    }

    /// Each step of a run's snapshot that started, and how it ended.
    fn relay_steps(&self, referee: &mut Referee, run: RunId, plan: &Plan, snap: &RunSnapshot) {
        for (task, status) in &snap.state.tasks {
            let Task::Step(at) = task else { continue };
            let (Some(started), Some(step)) = (status.started, plan.step(*at)) else {
                continue;
            };
            referee.observe(Event::StepStarted {
                at: started.since(self.start),
                run,
                step: step.name.clone(),
            });
            if let Some(ended) = status.ended {
                referee.observe(Event::StepFinished {
                    at: ended.since(self.start),
                    run,
                    step: step.name.clone(),
                    outcome: step_word(&status.state).to_lowercase(),
                });
            }
        }
    }
}
