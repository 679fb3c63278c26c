//! The console's event loop: gathers messages (keys, polls, run pictures,
//! ticks, signals), feeds them to the root model's `update` through
//! [`Hands`], which carries out the effects, and renders at most ~30 times
//! a second and only when something changed, so an idle console costs
//! almost nothing.

mod hands;

pub use hands::{Hands, RunLink, RunStarter};

use std::io;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{Event, EventStream, KeyEventKind};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::app::Msg;
use crate::app::console::{Console, Front};
use crate::app::runbook::RunView;
use crate::domain::observation::PollReport;
use crate::sources::clock::Clock;
use crate::sources::sim_source::SimNotice;
use crate::ui;

/// Shortest gap between two frames.
const FRAME: Duration = Duration::from_millis(33);

/// The channels the console listens to.
pub struct Wiring {
    /// Poll reports from every source.
    pub reports: mpsc::Receiver<PollReport>,
    /// Notices from the simulator, when the estate is simulated.
    pub sim_notices: Option<mpsc::UnboundedReceiver<SimNotice>>,
    /// The clock every message is stamped with.
    pub clock: Arc<dyn Clock>,
    /// When the program started: the first frame logs how long it took.
    pub started: std::time::Instant,
}

/// Runs the console until the operator quits or a signal arrives, and
/// gives back the model as it ended (what a drill wrote, for the exit).
///
/// # Errors
/// Terminal I/O errors.
pub async fn run(
    terminal: &mut DefaultTerminal,
    mut console: Console,
    mut wiring: Wiring,
    mut hands: Hands,
) -> io::Result<Console> {
    let mut keys = EventStream::new();
    let mut term = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last_frame: Option<Instant> = None;
    let mut dirty = true;
    let mut shown_second = i64::MIN;
    let size = terminal.size()?;
    hands.dispatch(&mut console, Msg::Resize(size.width, size.height));
    while !console.quitting() {
        if dirty && last_frame.is_none_or(|t| t.elapsed() >= FRAME) {
            terminal.draw(|f| ui::render_console(f, &console))?;
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
                Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => Some(Msg::Key(k)),
                Some(Ok(Event::Resize(w, h))) => Some(Msg::Resize(w, h)),
                Some(Ok(_)) => None,
                Some(Err(e)) => return Err(e),
                None => Some(Msg::Terminate),
            },
            Some(report) = wiring.reports.recv() => Some(Msg::Polled(report)),
            Some(view) = recv_view(hands.run_mut()) => Some(Msg::RunViewed(Box::new(view))),
            Some(notice) = recv_opt(&mut wiring.sim_notices) => Some(match notice {
                SimNotice::Faults(f) => Msg::FaultsChanged(f),
                SimNotice::CommandDone(r) => Msg::FaultCommandDone(r),
            }),
            _ = tick.tick() => {
                if let Some(drill) = hands.drill_tick() {
                    dirty |= console.front() == Front::Drill;
                    hands.dispatch(&mut console, drill);
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
            hands.dispatch(&mut console, msg);
        }
    }
    Ok(console)
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
