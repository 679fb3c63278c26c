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

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::app::App;
use crate::config::drill_file::resolve_runbook;
use crate::config::drill_script::Script;
use crate::config::error::ConfigError;
use crate::config::runbook::{Actions, compile, load_runbook};
use crate::domain::drill::report::{Findings, GateRecord, Report, StepTiming};
use crate::domain::drill::scenario::{InjectKind, Scenario};
use crate::domain::drill::score::{DataLoss, Scorekeeper, ServiceSample};
use crate::domain::drill::timeline::{Drill, DrillCommand, DrillEvent, Phase as DrillPhase};
use crate::domain::estate::EstateSpec;
use crate::domain::runbook::plan::{Phase, Plan, StepRef};
use crate::domain::runbook::protocol::{
    Choice, DecisionRequest, GateAnswer, GatePurpose, GateRequest, Mode, RunOutcome, Task,
};
use crate::domain::time::Timestamp;
use crate::runtime::run::{GateAnswers, RunDriver, RunError, RunReport};
use crate::runtime::runner::PracticeRunner;
use crate::sources::clock::Clock;
use crate::sources::sim::SimEstate;
use crate::sources::sim_source;

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

/// Writes `report.md` and `report.json` into `dir` (created if missing).
///
/// # Errors
/// The directory or a file cannot be written.
pub fn write_report(dir: &Path, report: &Report) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("report.md"), report.to_markdown())?;
    let json = report.to_json().map_err(std::io::Error::other)?;
    std::fs::write(dir.join("report.json"), json + "\n")
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

/// Gate answers and decisions from the script, after the scripted delay,
/// noting each gate with the dashboard as it stood when it opened.
struct ScriptAnswers {
    script: Script,
    runbook: String,
    names: BTreeMap<StepRef, String>,
    sim: Arc<Mutex<SimEstate>>,
    clock: Arc<dyn Clock>,
    drill_start: Timestamp,
    gates: Arc<Mutex<Vec<GateRecord>>>,
}

impl ScriptAnswers {
    fn step_name(&self, task: Task) -> String {
        self.names.get(&task.step()).cloned().unwrap_or_default()
    }
}

impl GateAnswers for ScriptAnswers {
    async fn gate(&self, request: GateRequest) -> Option<GateAnswer> {
        let step = match request.purpose {
            GatePurpose::Run(t)
            | GatePurpose::Skip(t)
            | GatePurpose::Retry(t)
            | GatePurpose::MarkPassed(t) => self.step_name(t),
            GatePurpose::OverridePreChecks => "override_pre_checks".to_owned(),
        };
        let reply = self.script.gate(&step).clone();
        let opened = self.clock.now();
        let dashboard = self
            .sim
            .lock()
            .map(|s| dashboard_text(&s))
            .unwrap_or_default();
        tokio::time::sleep(reply.after).await;
        let mut approvers = reply.approvers.clone();
        for i in approvers.len()..usize::from(request.approvers) {
            approvers.push(format!("approver-{}", i + 1));
        }
        if let Ok(mut g) = self.gates.lock() {
            g.push(GateRecord {
                runbook: self.runbook.clone(),
                step: step.clone(),
                opened_seconds: opened.since(self.drill_start).as_secs(),
                waited_seconds: reply.after.as_secs(),
                approvers: if reply.decline {
                    Vec::new()
                } else {
                    approvers.clone()
                },
                reason: if reply.decline {
                    "declined".into()
                } else {
                    reply.reason.clone()
                },
                dashboard,
            });
        }
        if reply.decline {
            return None;
        }
        Some(GateAnswer {
            phrase: request.phrase.clone(),
            approvers,
            reason: Some(reply.reason),
            answer: request.question.as_ref().map(|_| "yes".to_owned()),
        })
    }

    async fn decide(&self, request: DecisionRequest) -> Choice {
        let choice = self.script.decision(&self.step_name(request.task));
        if request.options.contains(&choice) {
            choice
        } else {
            Choice::Abort
        }
    }
}

/// The dashboard at 120x40 as text: what the team saw at a gate.
#[must_use]
pub fn dashboard_text(sim: &SimEstate) -> String {
    let Some(layout) = crate::config::builtin::builtin_layout("default") else {
        return String::new();
    };
    let Some(theme) = crate::config::builtin::builtin_theme("dark") else {
        return String::new();
    };
    let app = App::new(sim_source::snapshot(sim), layout, theme, sim.now());
    let Ok(mut t) = Terminal::new(TestBackend::new(120, 40));
    if t.draw(|f| crate::ui::render(f, &app)).is_err() {
        return String::new();
    }
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

struct Finished {
    runbook: String,
    plan: Plan,
    snapshot: crate::runtime::run::RunSnapshot,
    report: Option<RunReport>,
}

struct Running {
    runbook: String,
    plan: Plan,
    handle: tokio::task::JoinHandle<Result<RunReport, RunError>>,
    state: tokio::sync::watch::Receiver<crate::runtime::run::RunSnapshot>,
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
        let mut drill = Drill::new(self.scenario.clone());
        let mut keeper = Scorekeeper::default();
        let gates = Arc::new(Mutex::new(Vec::new()));
        let mut running: Vec<Running> = Vec::new();
        let mut finished: Vec<Finished> = Vec::new();
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
        let mut losses_seen = (0, 0);
        let mut commands = drill.handle(DrillEvent::Start);
        let mut elapsed = Duration::ZERO;
        loop {
            for c in std::mem::take(&mut commands) {
                apply(&c, &sim, &mut keeper, drill.elapsed());
            }
            if drill.phase() == DrillPhase::Ended {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
            elapsed = elapsed.saturating_add(Duration::from_secs(1));
            let now = self.start.plus(elapsed);
            if let Ok(mut s) = sim.lock() {
                s.advance_to(now);
            }
            commands.extend(drill.handle(DrillEvent::Reached(elapsed)));
            while let Some((_, text)) = notes.next_if(|(at, _)| *at <= elapsed) {
                drill.handle(DrillEvent::Annotate(text));
            }
            while let Some((_, name)) = hand.next_if(|(at, _)| *at <= elapsed) {
                if let Some(i) = self.scenario.injects.iter().position(|x| x.name == name) {
                    commands.extend(drill.handle(DrillEvent::InjectByHand(i)));
                }
            }
            while let Some((_, runbook)) = runs.next_if(|(at, _)| *at <= elapsed) {
                let Some(plan) = plans.get(&runbook).cloned() else {
                    continue;
                };
                drill.handle(DrillEvent::Record(format!("runbook {runbook} started")));
                running.push(self.start_run(
                    &runbook,
                    plan,
                    &sim,
                    &clock,
                    &gates,
                    finished.len() + running.len(),
                )?);
            }
            running = collect_finished(&mut drill, running, &mut finished).await;
            sample(&sim, &mut keeper, elapsed, &mut losses_seen);
            if elapsed >= end && drill.phase() != DrillPhase::Ended {
                commands.extend(drill.handle(DrillEvent::End));
            }
        }
        for r in running {
            r.handle.abort();
            let snapshot = r.state.borrow().clone();
            finished.push(Finished {
                runbook: r.runbook,
                plan: r.plan,
                snapshot,
                report: None,
            });
        }
        let findings = self.findings(&sim, &finished, &gates);
        Ok(Report::build(
            &self.scenario,
            self.start,
            "simulated",
            drill.elapsed(),
            drill.moments(),
            &keeper.score(),
            &findings,
        ))
    }

    fn start_run(
        &self,
        runbook: &str,
        plan: Plan,
        sim: &Arc<Mutex<SimEstate>>,
        clock: &Arc<dyn Clock>,
        gates: &Arc<Mutex<Vec<GateRecord>>>,
        n: usize,
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
            runbook: runbook.to_owned(),
            names,
            sim: Arc::clone(sim),
            clock: Arc::clone(clock),
            drill_start: self.start,
            gates: Arc::clone(gates),
        };
        let stem = Path::new(runbook)
            .file_stem()
            .map_or_else(|| "run".into(), |s| s.to_string_lossy().into_owned());
        let journal: PathBuf = self
            .journal_dir
            .join(format!("{}-{n}-{stem}.journal", self.scenario.id));
        let driver = RunDriver::start(
            plan.clone(),
            Mode::Practice,
            &journal,
            Arc::new(PracticeRunner::new(Arc::clone(sim))),
            Arc::new(answers),
            Arc::clone(clock),
        )
        .map_err(|source| DrillError::Run {
            runbook: runbook.to_owned(),
            source,
        })?;
        let state = driver.subscribe();
        Ok(Running {
            runbook: runbook.to_owned(),
            plan,

            handle: tokio::spawn(driver.run()),
            state,
        })
    }

    fn findings(
        &self,
        sim: &Arc<Mutex<SimEstate>>,
        finished: &[Finished],
        gates: &Arc<Mutex<Vec<GateRecord>>>,
    ) -> Findings {
        let mut f = Findings::default();
        if let Ok(s) = sim.lock() {
            s.database_primary().clone_into(&mut f.database_primary);
            f.double_signs = s
                .double_signs()
                .iter()
                .map(|d| d.validator.clone())
                .collect();
        }
        for Finished {
            runbook,
            plan,
            snapshot: snap,
            report,
        } in finished
        {
            if report
                .as_ref()
                .is_some_and(|r| r.outcome == RunOutcome::Recovered)
            {
                f.runbooks_completed.push(runbook.clone());
            }
            for (task, status) in &snap.state.tasks {
                let Task::Step(at) = task else { continue };
                let (Some(started), Some(step)) = (status.started, plan.step(*at)) else {
                    continue;
                };
                let ended = status.ended.unwrap_or(started);
                f.steps.push(StepTiming {
                    runbook: runbook.clone(),
                    step: step.name.clone(),
                    outcome: state_word(&status.state),
                    started_seconds: started.since(self.start).as_secs(),
                    duration_seconds: ended.since(started).as_secs(),
                });
            }
        }
        f.steps.sort_by_key(|s| s.started_seconds);
        f.gates = gates.lock().map(|g| g.clone()).unwrap_or_default();
        f
    }
}

/// Moves runs that ended from `running` to `finished`, noting each on the timeline.
async fn collect_finished(
    drill: &mut Drill,
    running: Vec<Running>,
    finished: &mut Vec<Finished>,
) -> Vec<Running> {
    let mut still = Vec::new();
    for r in running {
        if r.handle.is_finished() {
            let report = r.handle.await.ok().and_then(Result::ok);
            let outcome = report
                .as_ref()
                .map_or("failed to run".to_string(), |rep| outcome_word(rep.outcome));
            drill.handle(DrillEvent::Record(format!(
                "runbook {} {outcome}",
                r.runbook
            )));
            let snapshot = r.state.borrow().clone();
            finished.push(Finished {
                runbook: r.runbook,
                plan: r.plan,
                snapshot,
                report,
            });
        } else {
            still.push(r);
        }
    }
    still
}

/// One look at the service, and any new data loss from promotions and
/// chain-state restores (`seen`: how many of each were already counted).
fn sample(
    sim: &Arc<Mutex<SimEstate>>,
    keeper: &mut Scorekeeper,
    at: Duration,
    seen: &mut (usize, usize),
) {
    let Ok(s) = sim.lock() else { return };
    let service = s.service();
    keeper.sample(ServiceSample {
        at,
        api_healthy: service.api_healthy,
        blocks_committing: service.blocks_committing,
    });
    for p in s.promotions().iter().skip(seen.0) {
        keeper.lost(DataLoss {
            cause: format!("promoted {} (from {})", p.to, p.from),
            window: p.data_loss,
        });
    }
    for r in s.restores().iter().skip(seen.1) {
        keeper.lost(DataLoss {
            cause: format!("restored {} from the snapshot of {}", r.region, r.snapshot),
            window: r.data_loss,
        });
    }
    *seen = (s.promotions().len(), s.restores().len());
}

fn apply(c: &DrillCommand, sim: &Arc<Mutex<SimEstate>>, keeper: &mut Scorekeeper, at: Duration) {
    let DrillCommand::Apply(kind) = c else { return };
    let Ok(mut s) = sim.lock() else { return };
    match kind {
        InjectKind::Fault(fault) => {
            if let Err(e) = s.inject(fault.clone()) {
                log::warn!("drill inject refused: {e}");
            }
            keeper.disrupted(at);
        }
        InjectKind::ClearFaults => s.clear_all(),
        InjectKind::Message { .. } => {}
    }
}

fn outcome_word(o: RunOutcome) -> String {
    match o {
        RunOutcome::Recovered => "recovered",
        RunOutcome::RolledBack => "rolled back",
        RunOutcome::Aborted => "aborted",
    }
    .to_owned()
}

fn state_word(s: &crate::domain::runbook::record::StepState) -> String {
    use crate::domain::runbook::record::StepState as S;
    match s {
        S::Pending => "pending",
        S::AwaitingGate => "awaiting gate",
        S::Running | S::Waiting { .. } => "running",
        S::Passed => "passed",
        S::Failed { .. } => "failed",
        S::Skipped => "skipped",
        S::OutcomeUnknown => "outcome unknown",
        S::RolledBack => "rolled back",
    }
    .to_owned()
}
