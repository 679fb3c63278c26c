//! The console's event loop: gathers messages (keys, polls, ticks, signals),
//! feeds them to `update`, runs the effects, and renders at most ~30 times
//! a second and only when something changed, so an idle console costs
//! almost nothing.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{Event, EventStream, KeyEventKind};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::app::run_request::RunRequest;
use crate::app::runbook::{RunEffect, RunView};
use crate::app::{App, Effect, Msg};
use crate::config::{self, ConfigDirs};
use crate::domain::observation::PollReport;
use crate::runtime::drill_console::DrillSession;
use crate::runtime::screens::Screens;
use crate::sources::clock::Clock;
use crate::sources::sim_source::{SimCommand, SimNotice};

/// Shortest gap between two frames.
const FRAME: Duration = Duration::from_millis(33);

/// The channels the console listens to and talks through.
pub struct Wiring {
    /// Poll reports from every source.
    pub reports: mpsc::Receiver<PollReport>,
    /// Notices from the simulator, when the estate is simulated.
    pub sim_notices: Option<mpsc::UnboundedReceiver<SimNotice>>,
    /// Commands to the simulator, when the estate is simulated.
    pub sim_commands: Option<mpsc::UnboundedSender<SimCommand>>,
    /// Where `:layout` and `:theme` look for files.
    pub dirs: ConfigDirs,
    /// The clock every message is stamped with.
    pub clock: Arc<dyn Clock>,
    /// When the program started: the first frame logs how long it took.
    pub started: std::time::Instant,
    /// A runbook run shown on the runbook screen, if one is attached.
    pub run: Option<RunLink>,
    /// Starts a run for `:run RUNBOOK --var ...`, if this console can.
    pub start_run: Option<RunStarter>,
    /// A tabletop drill shown on the drill screen, if one is running.
    pub drill: Option<DrillSession>,
}

/// Loads, compiles and starts the run a request asks for.
pub type RunStarter = Box<dyn Fn(RunRequest) -> Result<RunLink, String> + Send>;

/// The console's side of a runbook run: pictures in, the operator's answers
/// out. The driver that owns the engine holds the other ends.
pub struct RunLink {
    /// The first picture, shown before any update arrives.
    pub first: RunView,
    /// Every later picture.
    pub views: mpsc::UnboundedReceiver<RunView>,
    /// Gate answers, decisions and leaving, for the driver.
    pub control: mpsc::UnboundedSender<RunEffect>,
    /// Leaving the run also leaves the console (`drconsole run`).
    pub quit_with_run: bool,
}

/// Runs the console until the operator quits or a signal arrives.
///
/// # Errors
/// Terminal I/O errors.
pub async fn run(
    terminal: &mut DefaultTerminal,
    mut app: App,
    mut wiring: Wiring,
) -> io::Result<()> {
    let mut keys = EventStream::new();
    let mut term = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last_frame: Option<Instant> = None;
    let mut dirty = true;
    let mut shown_second = i64::MIN;
    let size = terminal.size()?;
    app.update(Msg::Resize(size.width, size.height));
    let mut screens = Screens::new(wiring.run.take(), wiring.drill.take());
    while !app.quitting {
        if dirty && last_frame.is_none_or(|t| t.elapsed() >= FRAME) {
            terminal.draw(|f| screens.draw(f, &app))?;
            if last_frame.is_none() {
                log::info!(
                    "first frame drawn {} ms after start",
                    wiring.started.elapsed().as_millis()
                );
            }
            last_frame = Some(Instant::now());
            dirty = false;
        }
        let frame_due = last_frame.map_or_else(Instant::now, |t| t + FRAME);
        let msg = tokio::select! {
            ev = keys.next() => match ev {
                Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => {
                    dirty = true;
                    screens.key(k, &wiring, &mut app)
                }
                Some(Ok(Event::Resize(w, h))) => Some(Msg::Resize(w, h)),
                Some(Ok(_)) => None,
                Some(Err(e)) => return Err(e),
                None => Some(Msg::Terminate),
            },
            Some(report) = wiring.reports.recv() => Some(Msg::Polled(report)),
            Some(view) = recv_view(screens.run_mut()) => {
                screens.on_view(view);
                dirty = true;
                None
            }
            Some(notice) = recv_opt(&mut wiring.sim_notices) => Some(match notice {
                SimNotice::Faults(f) => Msg::FaultsChanged(f),
                SimNotice::CommandDone(r) => Msg::FaultCommandDone(r),
            }),
            _ = tick.tick() => {
                let (redraw, failed) = screens.tick(&wiring);
                dirty |= redraw;
                if let Some(failed) = failed {
                    dispatch(&mut app, &mut screens, &wiring, failed);
                }
                let now = wiring.clock.now();
                let second = now.as_millis().div_euclid(1000);
                if second == shown_second { None } else { shown_second = second; Some(Msg::Tick(now)) }
            }
            _ = term.recv() => Some(Msg::Terminate),
            _ = hangup.recv() => Some(Msg::Terminate),
            () = tokio::time::sleep_until(frame_due), if dirty => None,
        };
        if let Some(msg) = msg {
            dirty = true;
            dispatch(&mut app, &mut screens, &wiring, msg);
        }
    }
    Ok(())
}

/// Feeds `msg` to `update` and carries out every effect, feeding each
/// effect's answer back in and carrying out its effects too: none is
/// dropped.
fn dispatch(app: &mut App, screens: &mut Screens, wiring: &Wiring, msg: Msg) {
    let mut pending = std::collections::VecDeque::from([msg]);
    while let Some(msg) = pending.pop_front() {
        for effect in app.update(msg) {
            let reply = match effect {
                Effect::StartRun(request) => screens.open_run(request, wiring),
                other => execute(other, wiring),
            };
            pending.extend(reply);
        }
    }
}

async fn recv_view(run: &mut Option<RunLink>) -> Option<RunView> {
    match run {
        Some(link) => link.views.recv().await,
        None => std::future::pending().await,
    }
}

async fn recv_opt<T>(rx: &mut Option<mpsc::UnboundedReceiver<T>>) -> Option<T> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Carries out one effect; some answer at once with a message.
fn execute(effect: Effect, wiring: &Wiring) -> Option<Msg> {
    match effect {
        // Quitting is the loop's business; runs start in the loop.
        Effect::Quit | Effect::StartRun(_) => None,
        Effect::LoadLayout(name) => Some(Msg::LayoutLoaded(
            config::load_layout(&wiring.dirs, &name).map_err(|e| e.to_string()),
        )),
        Effect::LoadTheme(name) => Some(Msg::ThemeLoaded(
            config::load_theme(&wiring.dirs, &name)
                .map(crate::runtime::honour_no_color)
                .map_err(|e| e.to_string()),
        )),
        Effect::InjectFault(fault) => send_sim(wiring, SimCommand::Inject(fault)),
        Effect::ClearFaults => send_sim(wiring, SimCommand::ClearAll),
    }
}

fn send_sim(wiring: &Wiring, cmd: SimCommand) -> Option<Msg> {
    let sent = wiring
        .sim_commands
        .as_ref()
        .is_some_and(|tx| tx.send(cmd).is_ok());
    if sent {
        None
    } else {
        Some(Msg::FaultCommandDone(Err(
            "the simulator is not running".to_owned()
        )))
    }
}
