//! Opening the console itself: the live estate (real sources, live runs)
//! or the simulated one (the simulator, practice runs, a drill), each wired
//! into the root model and its runtime hands, inside the terminal.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::{Result, bail};
use tokio::sync::mpsc;

use super::{Cli, EstateArgs, build_sim, drill_cmd, refuse_sim_flags, run_cmd, start_time};
use crate::app::App;
use crate::app::console::{Console, DrillDesk};
use crate::app::drill::DrillScreen;
use crate::config::{self, ConfigDirs};
use crate::domain::estate::EstateSpec;
use crate::domain::fleet::EstateView;
use crate::runtime::console::{self, Hands, RunLink, Wiring};
use crate::runtime::drill_console::DrillRig;
use crate::runtime::runner::{AwsActions, LiveRunner, Notifier, PracticeRunner};
use crate::sources::aws::{AwsClients, AwsOptions};
use crate::sources::clock::{Clock, VirtualClock, WallClock};
use crate::sources::sim::SimEstate;
use crate::sources::sim_source::SimSource;
use crate::sources::{live, poller};
/// Opens the console: live when an environment file is given, else on the
/// simulated estate; `run` is `drconsole run`'s run, `drill` a drill.
/// The slowest `--speed`: a hundredth of real time. Slower, the virtual
/// clock's conversion of a real second (1/speed seconds) and the simulator's
/// step sizes leave the range `Duration` counts in and panic.
pub const SPEED_MIN: f64 = 0.01;

/// The fastest `--speed`: 10,000 × (a drill day in under 9 s), beyond which
/// the simulator cannot step every second of estate time between frames.
pub const SPEED_MAX: f64 = 10_000.0;

/// How long one notification POST may take: long enough for a slow
/// webhook, short enough that a dead one does not hold up a failover.
const NOTIFY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

pub(super) fn run_console(
    cli: &Cli,
    env: Option<crate::domain::environment::Environment>,
    run: Option<run_cmd::PreparedRun>,
    drill: Option<drill_cmd::DrillStart>,
) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let args = &cli.estate;
    if !(SPEED_MIN..=SPEED_MAX).contains(&args.speed) {
        bail!(
            "--speed {:?} is outside {SPEED_MIN} to {SPEED_MAX} (1 = real time)",
            args.speed
        );
    }
    let dirs = ConfigDirs::standard();
    let layout = config::load_layout(&dirs, &cli.layout).map_err(anyhow::Error::msg)?;
    let theme = crate::runtime::honour_no_color(
        config::load_theme(&dirs, &cli.theme).map_err(anyhow::Error::msg)?,
    );
    // Below the chosen layout's size the console switches to `compact`
    // rather than cut panels off.
    let small_layout = config::load_layout(&dirs, "compact").ok();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let screen = Screen {
        layout,
        theme,
        small_layout,
        dirs,
        started,
    };
    match env {
        Some(env) => run_live_console(&runtime, args, env, screen, run),
        None => run_sim_console(&runtime, args, screen, run, drill),
    }
}

/// What both consoles start with.
struct Screen {
    layout: config::layout::Layout,
    theme: config::theme::Theme,
    small_layout: Option<config::layout::Layout>,
    dirs: ConfigDirs,
    started: std::time::Instant,
}

fn run_live_console(
    runtime: &tokio::runtime::Runtime,
    args: &EstateArgs,
    env: crate::domain::environment::Environment,
    screen: Screen,
    run: Option<run_cmd::PreparedRun>,
) -> Result<ExitCode> {
    let Screen {
        layout,
        theme,
        small_layout,
        dirs,
        started,
    } = screen;
    refuse_sim_flags(args)?;
    crate::runtime::logging::init();
    log::info!(
        "drconsole {} on the live estate {}",
        env!("CARGO_PKG_VERSION"),
        env.spec.environment
    );
    let clock: Arc<dyn Clock> = Arc::new(WallClock);
    let app = App::new(
        EstateView::new(env.spec.clone()),
        layout,
        theme,
        clock.now(),
    )
    .with_small_layout(small_layout);
    runtime.block_on(async move {
        let (report_tx, reports) = mpsc::channel(64);
        let _live = live::spawn(&env, &clock, &report_tx, &AwsOptions::default()).await?;
        let clients = AwsClients::new(&env, &AwsOptions::default()).await?;
        let primary = env
            .spec
            .regions
            .first()
            .map_or("us-east-1", |r| r.name.as_str());
        let notifier = Notifier::new(&env, Some(clients.clone()), NOTIFY_TIMEOUT)
            .map_err(anyhow::Error::msg)?;
        let runner = LiveRunner::shell_only()
            .with_aws(AwsActions::new(clients, primary))
            .with_notifier(notifier);
        let (run, start_run) = run_cmd::console_runs(run, runner, Some(env), &clock).await?;
        let console = with_run(Console::new(app), run.as_ref());
        let wiring = Wiring {
            reports,
            sim_notices: None,
            clock,
            started,
        };
        let hands = Hands {
            dirs,
            sim_commands: None,
            start_run,
            run,
            drill: None,
        };
        in_terminal(console, wiring, hands).await
    })?;
    Ok(ExitCode::SUCCESS)
}

fn run_sim_console(
    runtime: &tokio::runtime::Runtime,
    args: &EstateArgs,
    screen: Screen,
    run: Option<run_cmd::PreparedRun>,
    drill: Option<drill_cmd::DrillStart>,
) -> Result<ExitCode> {
    let Screen {
        layout,
        theme,
        small_layout,
        dirs,
        started,
    } = screen;
    let start = start_time(args)?;
    let sim = match &drill {
        Some(d) => SimEstate::new(EstateSpec::seed(), d.scenario.seed, start),
        None => build_sim(args, start)?,
    };
    let app = App::new(EstateView::new(sim.spec().clone()), layout, theme, start)
        .with_speed(args.speed)
        .with_small_layout(small_layout)
        .with_faults(sim.faults().iter().map(|f| f.fault.describe()).collect());
    crate::runtime::logging::init();
    log::info!(
        "drconsole {} on the simulated estate, seed {}",
        env!("CARGO_PKG_VERSION"),
        args.seed
    );
    let vclock = Arc::new(VirtualClock::new(start, args.speed));
    let clock: Arc<dyn Clock> = Arc::clone(&vclock) as Arc<dyn Clock>;
    runtime.block_on(async move {
        let (report_tx, reports) = mpsc::channel(64);
        let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
        let (notice_tx, notices) = mpsc::unbounded_channel();
        let estate = Arc::new(Mutex::new(sim));
        tokio::spawn(poller::run(
            SimSource::shared(Arc::clone(&estate), cmd_rx, notice_tx),
            Arc::clone(&clock),
            report_tx,
        ));
        let channels = run.as_ref().map(|r| r.channels.clone()).unwrap_or_default();
        let mut practice = PracticeRunner::new(Arc::clone(&estate)).with_channels(channels);
        if drill.is_some() {
            // A drill's steps take the time their work takes, on its clock.
            practice = practice.with_step_times(Arc::clone(&clock));
        }
        let (run, start_run) = Box::pin(run_cmd::console_runs(run, practice, None, &clock)).await?;
        let mut console = with_run(Console::new(app), run.as_ref());
        let mut rig = None;
        if let Some(d) = drill {
            // Each practice run of the drill gets a fresh journal here.
            let stem = std::env::temp_dir().join(format!("drconsole-drill-{}", std::process::id()));
            console = console.with_drill(DrillDesk::new(
                DrillScreen::new(d.scenario, start),
                d.path,
                stem,
            ));
            rig = Some(DrillRig::new(
                Arc::clone(&vclock),
                Arc::clone(&estate),
                cmd_tx.clone(),
                start,
                d.report,
            ));
        }
        let wiring = Wiring {
            reports,
            sim_notices: Some(notices),
            clock,
            started,
        };
        let hands = Hands {
            dirs,
            sim_commands: Some(cmd_tx),
            start_run,
            run,
            drill: rig,
        };
        in_terminal(console, wiring, hands).await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The console with the run `drconsole run` opened, if any, in front.
fn with_run(console: Console, run: Option<&RunLink>) -> Console {
    match run {
        Some(link) => console.with_run(link.first.clone()),
        None => console,
    }
}

/// Takes the terminal (alternate screen, raw mode), runs the console and
/// gives the terminal back whatever happened.
async fn in_terminal(console: Console, wiring: Wiring, hands: Hands) -> Result<()> {
    let mut terminal = ratatui::try_init()?;
    let result = console::run(&mut terminal, console, wiring, hands).await;
    ratatui::restore();
    // After a drill the facilitator leaves with where its report is.
    if let Some(drill) = result.as_ref().ok().and_then(Console::drill_screen) {
        match drill.report_note() {
            Some(note) => println!("{note}"),
            None => println!("the drill did not end: no report was written"),
        }
    }
    Ok(result.map(|_| ())?)
}
