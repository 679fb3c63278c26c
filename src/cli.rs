//! The command line: `drconsole [status|check]`. The edge of the program,
//! where errors become messages and exit codes.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use tokio::sync::mpsc;

use crate::config::{self};
use crate::domain::duration::bounds;
use crate::domain::estate::EstateSpec;
use crate::domain::fault::Fault;
use crate::domain::fleet::EstateView;
use crate::domain::runbook::protocol::Mode;
use crate::domain::status;
use crate::domain::time::Timestamp;
use crate::sources::aws::AwsOptions;
use crate::sources::clock::{Clock, WallClock};
use crate::sources::live;
use crate::sources::sim::SimEstate;
use crate::sources::sim_source::{self};
use crate::text::printable;

mod console_cmd;
mod drill_cmd;
mod edge;
mod incident_cmd;
mod resume_hint;
mod run_cmd;
mod shared_run;

use console_cmd::run_console;
use edge::{print_out, run_check, run_journal};

pub use drill_cmd::DrillArgs;
pub use run_cmd::RunArgs;
/// The console's run starter, as the console builds it: tests drive a
/// drill through it with the real runs behind.
pub use run_cmd::console_runs;

/// drconsole: disaster-recovery console for a multi-region CometBFT chain.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// What to do; with none, the console opens.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Estate options shared by the console and `status`.
    #[command(flatten)]
    pub estate: EstateArgs,
    /// Layout to start with (see layouts/).
    #[arg(long, default_value = "default", global = true)]
    pub layout: String,
    /// Theme to start with (see themes/).
    #[arg(long, default_value = "dark", global = true)]
    pub theme: String,
}

/// Options that choose and shape the (simulated) estate.
#[derive(Debug, Args, Clone)]
pub struct EstateArgs {
    /// Environment file of a live estate (see `drconsole env init`);
    /// without one, the console runs on the simulated estate.
    #[arg(long, global = true)]
    pub env: Option<PathBuf>,
    /// Seed of the simulated estate: the same seed gives the same estate.
    #[arg(long, default_value_t = 1, global = true)]
    pub seed: u64,
    /// Start time of the simulated clock (RFC 3339); default: now.
    #[arg(long, global = true)]
    pub start: Option<String>,
    /// Simulated clock speed (1 = real time).
    #[arg(long, default_value_t = 1.0, global = true)]
    pub speed: f64,
    /// Fault to inject into the simulated estate at start (repeatable),
    /// e.g. "region-down us-east-1".
    #[arg(long = "inject", global = true)]
    pub inject: Vec<String>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print one snapshot of the estate and exit: 0 when every target
    /// holds, 1 when one does not, 2 on error.
    Status {
        /// Print JSON (the only format for now; the flag keeps scripts explicit).
        #[arg(long)]
        json: bool,
        /// Simulated estate: let it run this long first (e.g. 10m).
        /// Live estate: wait at most this long for every source (default 30s).
        #[arg(long)]
        after: Option<String>,
    },
    /// Validate layouts, themes, environment files and runbooks (files or
    /// directories; default: the shipped and installed layouts and themes).
    /// Runbooks are also linted. Exits 1 on any error.
    Check {
        /// Files or directories to check.
        paths: Vec<PathBuf>,
    },
    /// Run a runbook on the runbook screen, with gates, checks, rollback,
    /// a journal and an RTO clock; running it again resumes from the journal.
    Run(RunArgs),
    /// A tabletop drill: a scenario drives the simulated estate; with
    /// --script it runs headless and writes the report (exit 1 if it failed).
    Drill(DrillArgs),
    /// The append-only, hash-chained journal of runbook runs and ceremonies.
    Journal {
        /// What to do with a journal.
        #[command(subcommand)]
        command: JournalCommand,
    },
    /// Key ceremonies: seal a key backup and split its passphrase among
    /// holders; open one with their shares and restore the key safely.
    Ceremony {
        /// What to do.
        #[command(subcommand)]
        command: crate::runtime::ceremony::CeremonyCommand,
    },
    /// Shared incidents in the environment's `[incident]` bucket: list
    /// them, show or verify one's shared journal (reads only).
    Incident {
        /// What to do.
        #[command(subcommand)]
        command: incident_cmd::IncidentCommand,
    },
    /// Environment files for live estates.
    Env {
        /// What to do with environment files.
        #[command(subcommand)]
        command: EnvCommand,
    },
}

/// `drconsole journal ...`.
#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Check the hash chain and the head file: any edit, deletion,
    /// reordering or truncation is named with its line. Exit 1 if found.
    Verify {
        /// The journal file.
        file: PathBuf,
    },
    /// Print a verified journal, one line per entry.
    Show {
        /// The journal file.
        file: PathBuf,
    },
}

/// `drconsole env ...`.
#[derive(Debug, Subcommand)]
pub enum EnvCommand {
    /// Print a commented starter environment file for the seed's three
    /// regions; redirect it to a file and fill in the REPLACE markers.
    Init,
}

/// Runs the parsed command line.
#[must_use]
pub fn run(cli: &Cli) -> ExitCode {
    let result = match &cli.command {
        None => load_env(&cli.estate).and_then(|env| run_console(cli, env, None, None)),
        Some(Command::Run(args)) => run_runbook(cli, args),
        Some(Command::Drill(args)) => run_drill(cli, args),
        Some(Command::Status { json, after }) => run_status(&cli.estate, *json, after.as_deref()),
        Some(Command::Check { paths }) => Ok(run_check(paths)),
        Some(Command::Journal { command }) => Ok(run_journal(command)),
        Some(Command::Ceremony { command }) => {
            crate::runtime::ceremony::run(command, cli.estate.env.as_deref(), &cli.theme)
                .map_err(Into::into)
        }
        Some(Command::Incident { command }) => {
            load_env(&cli.estate).and_then(|env| incident_cmd::run(command, env.as_ref()))
        }
        Some(Command::Env {
            command: EnvCommand::Init,
        }) => print_out(config::starter_template().trim_end()).map(|()| ExitCode::SUCCESS),
    };
    result.unwrap_or_else(|e| {
        // Errors quote files, flags and values: never raw to the terminal.
        eprintln!("drconsole: {}", printable(&edge::message(&e)));
        ExitCode::from(2)
    })
}

fn start_time(args: &EstateArgs) -> Result<Timestamp> {
    match &args.start {
        Some(s) => Timestamp::parse_rfc3339(s)
            .map_err(anyhow::Error::msg)
            .context("--start"),
        None => Ok(WallClock.now()),
    }
}

fn build_sim(args: &EstateArgs, start: Timestamp) -> Result<SimEstate> {
    let mut sim = SimEstate::new(EstateSpec::seed(), args.seed, start);
    for text in &args.inject {
        let fault = Fault::parse(text)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("--inject {text:?}"))?;
        sim.inject(fault)
            .map_err(|e| anyhow::anyhow!("--inject {text:?}: {e}"))?;
    }
    Ok(sim)
}

fn run_status(args: &EstateArgs, _json: bool, after: Option<&str>) -> Result<ExitCode> {
    let after = after
        .map(|a| {
            bounds::STATUS_AFTER
                .parse("--after", a)
                .map_err(|e| anyhow::anyhow!(e.for_flag("--after")))
        })
        .transpose()?;
    let (view, now) = match &args.env {
        Some(path) => live_snapshot(args, path, after)?,
        None => sim_snapshot(args, after)?,
    };
    let report = status::report(&view, now);
    print_out(&serde_json::to_string_pretty(&report)?)?;
    Ok(if report.breaches.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The live estate as its sources first describe it: every source polled
/// once (or `wait` elapsed: a silent source's data stays unknown).
fn live_snapshot(
    args: &EstateArgs,
    path: &std::path::Path,
    wait: Option<Duration>,
) -> Result<(EstateView, Timestamp)> {
    refuse_sim_flags(args)?;
    let env = config::load_environment(path).map_err(anyhow::Error::msg)?;
    let wait = wait.unwrap_or(Duration::from_secs(30));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let clock: Arc<dyn Clock> = Arc::new(WallClock);
        let (tx, mut rx) = mpsc::channel(64);
        let live = live::spawn(&env, &clock, &tx, &AwsOptions::default()).await?;
        let mut view = EstateView::new(env.spec.clone());
        let mut pending: std::collections::BTreeSet<String> = live.names.iter().cloned().collect();
        let deadline = tokio::time::Instant::now()
            .checked_add(wait)
            .context("--after is too long")?;
        while !pending.is_empty() {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(report)) => {
                    pending.remove(&report.source);
                    view.apply(&report);
                }
                Ok(None) | Err(_) => break,
            }
        }
        for name in &pending {
            eprintln!(
                "drconsole: {name} did not answer within {}; its data is unknown",
                crate::domain::time::format_age(wait)
            );
        }
        // The report says only UNKNOWN for what failed; say why here.
        for source in &view.sources {
            if let Some((error, _)) = &source.last_error {
                eprintln!("drconsole: {}: {error}", source.name);
            }
        }
        Ok((view, clock.now()))
    })
}

fn refuse_sim_flags(args: &EstateArgs) -> Result<()> {
    if !args.inject.is_empty() || args.start.is_some() {
        bail!("--inject and --start apply to the simulated estate only, not with --env");
    }
    Ok(())
}

fn sim_snapshot(args: &EstateArgs, after: Option<Duration>) -> Result<(EstateView, Timestamp)> {
    let start = start_time(args)?;
    let mut sim = build_sim(args, start)?;
    let now = start.plus(after.unwrap_or_default());
    Ok((sim_source::watched_until(&mut sim, now), now))
}

fn load_env(args: &EstateArgs) -> Result<Option<crate::domain::environment::Environment>> {
    args.env
        .as_ref()
        .map(|p| config::load_environment(p).map_err(anyhow::Error::msg))
        .transpose()
}

fn run_drill(cli: &Cli, args: &DrillArgs) -> Result<ExitCode> {
    let Some(script) = &args.script else {
        let scenario = config::drill_file::load_scenario(&args.scenario, &EstateSpec::seed())
            .map_err(anyhow::Error::msg)?;
        let drill = drill_cmd::DrillStart {
            scenario,
            path: args.scenario.clone(),
            report: args.report.clone(),
        };
        return run_console(cli, None, None, Some(drill));
    };
    let start = cli
        .estate
        .start
        .as_deref()
        .map(Timestamp::parse_rfc3339)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let (report, code) = drill_cmd::headless(args, script, start)?;
    if let Some(url) = drill_cmd::upload(args, cli.estate.env.as_deref(), &report)? {
        print_out(&format!("report uploaded to {url}"))?;
    }
    let verdict = if report.passed() { "PASSED" } else { "FAILED" };
    let rto = report
        .rto_achieved_seconds
        .map_or_else(|| "not restored".to_owned(), |s| format!("{s}s"));
    print_out(&format!(
        "drill {}: {verdict} ({}/{} criteria); RTO {rto} (target {}s), RPO {}s (target {}s)",
        report.scenario_id,
        report.summary.passed,
        report.summary.total,
        report.rto_target_seconds,
        report.rpo_achieved_seconds,
        report.rpo_target_seconds
    ))?;
    Ok(code)
}

/// `--incident`'s sharing, checked before the console opens.
fn shared_plan(
    args: &RunArgs,
    env: Option<&crate::domain::environment::Environment>,
) -> Result<Option<shared_run::SharedPlan>> {
    let Some(id) = &args.incident else {
        return Ok(None);
    };
    let env = env.filter(|e| e.incident.is_some()).ok_or_else(|| {
        anyhow::anyhow!("--incident needs --env FILE with an [incident] table naming the bucket")
    })?;
    Ok(Some(shared_run::SharedPlan {
        env: env.clone(),
        incident: crate::domain::incident::IncidentId::parse(id).context("--incident")?,
        take_over: args.take_over,
    }))
}

fn run_runbook(cli: &Cli, args: &RunArgs) -> Result<ExitCode> {
    // Refuse a FIFO or device before anything opens it (the loader then
    // reads it with its size cap).
    crate::text::open_regular(&args.runbook, "runbook")?;
    let env = load_env(&cli.estate)?;
    match run_cmd::prepare(&args.request()?, args.dry_run, env.as_ref())? {
        run_cmd::RunPlan::Printed => Ok(ExitCode::SUCCESS),
        run_cmd::RunPlan::Console(mut prepared) => {
            prepared.shared = shared_plan(args, env.as_ref())?;
            if let (Some(shared), None) = (&prepared.shared, &args.journal) {
                prepared.journal = run_cmd::incident_journal(&shared.incident, &prepared.plan)?;
            }
            let env = if matches!(prepared.mode, Mode::Practice) {
                None
            } else {
                env
            };
            let journal = prepared.journal.clone();
            let code = run_console(cli, env, Some(*prepared), None)?;
            let typed: Vec<String> = std::env::args().collect();
            if let Some(hint) = resume_hint::resume_hint(&typed, &journal) {
                eprintln!("{hint}");
            }
            Ok(code)
        }
    }
}
