//! What carries out the root model's effects: loading layouts and themes,
//! talking to the simulator, opening and feeding a runbook run, and the
//! drill's clock and estate. Each effect that has an answer is fed back
//! into `update` at once, and so are the effects of that answer: none is
//! dropped.

use std::collections::VecDeque;

use tokio::sync::mpsc;

use crate::app::console::Console;
use crate::app::run_request::RunRequest;
use crate::app::runbook::{RunEffect, RunView};
use crate::app::{DrillMsg, Effect, Msg};
use crate::config::{self, ConfigDirs};
use crate::runtime::drill_console::DrillRig;
use crate::sources::sim_source::SimCommand;

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
}

/// Everything the console's effects act on.
pub struct Hands {
    /// Where `:layout` and `:theme` look for files.
    pub dirs: ConfigDirs,
    /// Commands to the simulator, when the estate is simulated.
    pub sim_commands: Option<mpsc::UnboundedSender<SimCommand>>,
    /// Starts a run for `:run RUNBOOK --var ...`, if this console can.
    pub start_run: Option<RunStarter>,
    /// The open run, if any.
    pub run: Option<RunLink>,
    /// The drill's clock and estate, in a drill.
    pub drill: Option<DrillRig>,
}

impl Hands {
    /// Feeds `msg` to `update` and carries out every effect, feeding each
    /// answer back in. In a drill, a key or a run's picture is first
    /// stamped with the drill's time.
    pub fn dispatch(&mut self, console: &mut Console, msg: Msg) {
        let mut pending = VecDeque::new();
        if let (Some(rig), Msg::Key(_) | Msg::RunViewed(_)) = (&self.drill, &msg) {
            pending.push_back(Msg::Drill(DrillMsg::Clock(rig.elapsed())));
        }
        pending.push_back(msg);
        while let Some(msg) = pending.pop_front() {
            for effect in console.update(msg) {
                pending.extend(self.execute(effect));
            }
        }
    }

    /// The drill's tick: its time and what the estate showed, if in a drill.
    pub fn drill_tick(&mut self) -> Option<Msg> {
        self.drill.as_mut().map(DrillRig::tick)
    }

    /// The open run, for the loop to listen to.
    pub fn run_mut(&mut self) -> &mut Option<RunLink> {
        &mut self.run
    }

    /// Carries out one effect; some answer at once with a message.
    fn execute(&mut self, effect: Effect) -> Option<Msg> {
        match effect {
            // Quitting is the loop's business: it stops when the root model
            // says so.
            Effect::Quit => None,
            Effect::LoadLayout(name) => Some(Msg::LayoutLoaded(
                config::load_layout(&self.dirs, &name).map_err(|e| e.to_string()),
            )),
            Effect::LoadTheme(name) => Some(Msg::ThemeLoaded(
                config::load_theme(&self.dirs, &name)
                    .map(crate::runtime::honour_no_color)
                    .map_err(|e| e.to_string()),
            )),
            Effect::InjectFault(fault) => self.send_sim(SimCommand::Inject(fault)),
            Effect::ClearFaults => self.send_sim(SimCommand::ClearAll),
            Effect::StartRun(request) => Some(self.open_run(request)),
            Effect::ToRun(answer) => {
                if let Some(link) = &self.run {
                    // The driver may already be gone (the run ended);
                    // leaving still works.
                    let _ = link.control.send(answer);
                }
                None
            }
            Effect::DetachRun => {
                self.run = None;
                None
            }
            Effect::Drill(work) => self.drill.as_mut().and_then(|rig| rig.carry_out(work)),
        }
    }

    fn open_run(&mut self, request: RunRequest) -> Msg {
        let started = match &self.start_run {
            Some(starter) => starter(request),
            None => Err(":run is not available in this console".to_owned()),
        };
        match started {
            Ok(link) => {
                let first = link.first.clone();
                self.run = Some(link);
                Msg::RunOpened(Box::new(first))
            }
            Err(e) => Msg::RunFailed(e),
        }
    }

    fn send_sim(&self, cmd: SimCommand) -> Option<Msg> {
        let sent = self
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
}
