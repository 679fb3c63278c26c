//! `drconsole run RUNBOOK`: load and compile the runbook, then run it on
//! the runbook screen (practice on the simulated estate, or live against an
//! environment that allows it), resuming from its journal when one exists;
//! `--dry-run` prints every command and runs none.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Result, bail};
use clap::Args;

use crate::app::run_request::RunRequest;
use crate::config::runbook::{Actions, compile, load_runbook, parse_actions};
use crate::domain::environment::Environment;
use crate::domain::estate::EstateSpec;
use crate::domain::runbook::plan::Plan;
use crate::domain::runbook::protocol::Mode;
use crate::domain::runbook::render::dry_run;
use crate::runtime::console::{RunLink, RunStarter};
use crate::runtime::run::{ChannelAnswers, RunDriver, SharedJournal, live_mode};
use crate::runtime::run_link::{self, RunFacts};
use crate::runtime::runner::StepRunner;
use crate::sources::clock::Clock;

/// `drconsole run` options.
#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    /// The runbook file (the estate's own files load unchanged).
    pub runbook: PathBuf,
    /// A variable's value, `NAME=VALUE` (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Run against the simulated estate: nothing real is touched.
    #[arg(long, conflicts_with = "dry_run")]
    pub practice: bool,
    /// Print every command that would run, with values filled in; run none.
    #[arg(long)]
    pub dry_run: bool,
    /// The run's journal; default: one per runbook and values under the
    /// state directory, so running the same thing again resumes it.
    #[arg(long)]
    pub journal: Option<PathBuf>,
    /// Share the run as this incident in the environment's `[incident]`
    /// bucket: the first console drives, others follow it read-only.
    #[arg(long, value_name = "ID", conflicts_with = "dry_run")]
    pub incident: Option<String>,
    /// Take over the incident's run from a driver whose lease ran out
    /// (only once its console is known to have stopped).
    #[arg(long, requires = "incident")]
    pub take_over: bool,
}

/// A run ready to start, before the console exists.
pub struct PreparedRun {
    /// The compiled runbook.
    pub plan: Plan,
    /// Practice or live.
    pub mode: Mode,
    /// Its journal file.
    pub journal: PathBuf,
    /// The environment file's notification channels: practice records
    /// what each would have been sent.
    pub channels: Vec<crate::domain::notify::NotifyChannel>,
    /// Shared as an incident (`--incident`), if asked.
    pub shared: Option<super::shared_run::SharedPlan>,
}

/// What `run` should do after loading.
pub enum RunPlan {
    /// `--dry-run`: already printed.
    Printed,
    /// Open the console with this run.
    Console(Box<PreparedRun>),
}

impl RunArgs {
    /// The typed request these flags ask for (the same one `:run` builds).
    ///
    /// # Errors
    /// A `--var` that is not `NAME=VALUE`, a bad name, or a name twice.
    pub fn request(&self) -> Result<RunRequest> {
        RunRequest::new(
            self.runbook.clone(),
            &self.vars,
            self.journal.clone(),
            self.practice,
        )
        .map_err(anyhow::Error::msg)
    }
}

/// `actions.yaml` beside the runbook when there is one, else the shipped one.
fn actions_for(runbook: &Path) -> Result<Actions> {
    let beside = runbook
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join("actions.yaml");
    if beside.is_file() {
        let text = crate::text::read_text(&beside, crate::text::Cap::ACTIONS)?;
        return parse_actions(&beside, &text).map_err(anyhow::Error::msg);
    }
    Actions::shipped().map_err(anyhow::Error::msg)
}

/// A run asked for in the console (`:run`, the drill): practice on the
/// simulated estate (no `env`), live on a live one.
///
/// # Errors
/// [`prepare`] fails; as one line for the status bar.
pub fn from_console(request: RunRequest, env: Option<&Environment>) -> Result<PreparedRun, String> {
    let request = request.in_console(env.is_some())?;
    match prepare(&request, false, env).map_err(|e| format!("{e:#}"))? {
        RunPlan::Console(p) => Ok(*p),
        RunPlan::Printed => Err("nothing to run".to_owned()),
    }
}

/// Where runs keep their journals by default.
fn state_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("XDG_STATE_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("drconsole/runs");
    }
    match std::env::var_os("HOME") {
        Some(h) => PathBuf::from(h).join(".local/state/drconsole/runs"),
        None => PathBuf::from("drconsole-runs"),
    }
}

/// The default journal of a shared incident's run: under the state
/// directory's `incidents/ID/`, so a run of another incident never
/// resumes from it.
///
/// # Errors
/// The directory cannot be made.
pub fn incident_journal(
    incident: &crate::domain::incident::IncidentId,
    plan: &Plan,
) -> Result<PathBuf> {
    let dir = state_dir().join("incidents").join(incident.as_str());
    std::fs::create_dir_all(&dir)?;
    Ok(run_link::default_journal(&dir, plan))
}

/// Loads, compiles and checks the mode; prints the dry run.
///
/// # Errors
/// A load or compile error (file:line:col), a live run without an
/// environment that allows it, or a journal directory that cannot be made.
pub fn prepare(request: &RunRequest, dry_run: bool, env: Option<&Environment>) -> Result<RunPlan> {
    let spec = env.map_or_else(EstateSpec::seed, |e| e.spec.clone());
    let runbook = load_runbook(&request.runbook).map_err(anyhow::Error::msg)?;
    let actions = actions_for(&request.runbook)?;
    let plan = compile(&runbook, &actions, &request.vars, &spec).map_err(anyhow::Error::msg)?;
    if dry_run {
        print_dry_run(&plan)?;
        return Ok(RunPlan::Printed);
    }
    let mode = if request.practice {
        Mode::Practice
    } else {
        match env {
            Some(env) => live_mode(env)?,
            None => bail!(
                "a live run needs --env FILE naming the estate (with allow_live_actions = true); use --practice or --dry-run to rehearse"
            ),
        }
    };
    let journal = if let Some(j) = &request.journal {
        j.clone()
    } else {
        let dir = state_dir();
        std::fs::create_dir_all(&dir)?;
        run_link::default_journal(&dir, &plan)
    };
    Ok(RunPlan::Console(Box::new(PreparedRun {
        plan,
        mode,
        journal,
        channels: env.map(|e| e.notify.clone()).unwrap_or_default(),
        shared: None,
    })))
}

fn print_dry_run(plan: &Plan) -> Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "DRY RUN of {} {} ({}): nothing runs",
        plan.name, plan.version, plan.source
    )?;
    for line in dry_run(plan) {
        let gate = if line.gated { " [gate]" } else { "" };
        writeln!(out, "{:?} {}{gate}", line.step.phase, line.name)?;
        for l in line.command.lines() {
            writeln!(out, "    $ {l}")?;
        }
        if let Some(v) = &line.verify {
            for (i, l) in v.lines().enumerate() {
                let head = if i == 0 { "verify: $" } else { "        $" };
                writeln!(out, "    {head} {l}")?;
            }
        }
        if let Some(r) = &line.rollback {
            for (i, l) in r.lines().enumerate() {
                let head = if i == 0 { "rollback: $" } else { "          $" };
                writeln!(out, "    {head} {l}")?;
            }
        }
        for v in &line.values {
            writeln!(out, "    with {v}")?;
        }
    }
    out.flush()?;
    Ok(())
}

/// The console's runs: the one given on the command line (leaving it
/// leaves the console), or else a starter for `:run` lines. `env` is the
/// live estate, `None` for practice on the simulated one.
///
/// # Errors
/// The command line's run cannot start (see [`attach`]).
pub async fn console_runs<R: StepRunner + Clone>(
    run: Option<PreparedRun>,
    runner: R,
    env: Option<Environment>,
    clock: &Arc<dyn Clock>,
) -> Result<(Option<RunLink>, Option<RunStarter>)> {
    if let Some(mut prepared) = run {
        let link = match prepared.shared.take() {
            Some(shared) => {
                Box::pin(super::shared_run::attach_shared(
                    prepared,
                    shared,
                    runner,
                    Arc::clone(clock),
                ))
                .await?
            }
            None => attach(prepared, runner, Arc::clone(clock))?,
        };
        return Ok((Some(link), None));
    }
    let clock = Arc::clone(clock);
    let starter: RunStarter = Box::new(move |request: RunRequest| {
        let prepared = from_console(request, env.as_ref())?;
        attach(prepared, runner.clone(), Arc::clone(&clock)).map_err(|e| format!("{e:#}"))
    });
    Ok((None, Some(starter)))
}

/// Starts (or resumes) the run on its own task and returns the screen's
/// end of it. The run stops with the console.
///
/// # Errors
/// The journal cannot be created, or does not resume with this plan.
pub fn attach<R: StepRunner>(
    prepared: PreparedRun,
    runner: R,
    clock: Arc<dyn Clock>,
) -> Result<RunLink> {
    attach_with(prepared, runner, clock, None)
}

/// [`attach`], sharing the run's journal through `shared` when given.
///
/// # Errors
/// As [`attach`].
pub fn attach_with<R: StepRunner>(
    prepared: PreparedRun,
    runner: R,
    clock: Arc<dyn Clock>,
    shared: Option<SharedJournal>,
) -> Result<RunLink> {
    let PreparedRun {
        plan,
        mode,
        journal,
        ..
    } = prepared;
    let (answers, prompts) = ChannelAnswers::new();
    let (runner, answers) = (Arc::new(runner), Arc::new(answers));
    let driver = if journal.exists() {
        log::info!("resuming the run recorded in {}", journal.display());
        RunDriver::resume(
            plan.clone(),
            mode.clone(),
            &journal,
            runner,
            answers,
            Arc::clone(&clock),
        )?
    } else {
        RunDriver::start(
            plan.clone(),
            mode.clone(),
            &journal,
            runner,
            answers,
            Arc::clone(&clock),
        )?
    };
    let driver = match shared {
        Some(j) => driver.with_shared(j),
        None => driver,
    };
    let snapshots = driver.subscribe();
    tokio::spawn(async move {
        match driver.run().await {
            Ok(report) => log::info!("run ended: {:?} after {:?}", report.outcome, report.elapsed),
            Err(e) => log::error!("run stopped: {e}"),
        }
    });
    let facts = RunFacts {
        plan,
        mode,
        journal: journal.display().to_string(),
        driven_by: None,
    };
    Ok(run_link::spawn(facts, snapshots, prompts, clock))
}
