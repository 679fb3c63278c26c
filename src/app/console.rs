//! The console's root model: the dashboard, an attached runbook run, a
//! drill, and which of them is in front.
//!
//! Every key and every message comes here first. [`Console::update`]
//! routes it to the screen it belongs to and returns the [`Effect`]s for
//! the runtime to carry out; the runtime only executes effects and feeds
//! their answers back as messages. Nothing outside `update` changes a
//! screen, so screen switching, key routing and a run's lifecycle (open,
//! "already open", leave, leaving a `drconsole run` quits) are tested by
//! feeding messages alone.

mod drill_desk;

pub use drill_desk::DrillDesk;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::app::drill::DrillScreen;
use crate::app::run_request::RunRequest;
use crate::app::runbook::{RunEffect, RunScreen, RunView};
use crate::app::{App, Effect, Msg};

/// Why a second run does not open while one is open.
pub const RUN_ALREADY_OPEN: &str =
    "a run is already open: F2 shows it; leave it (q) before starting another";

/// Which screen has the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Front {
    /// The drill's facilitator screen.
    Drill,
    /// The estate dashboard.
    Dashboard,
    /// The runbook run.
    Runbook,
}

/// The run on the runbook screen.
#[derive(Debug, Clone)]
struct AttachedRun {
    screen: RunScreen,
    /// Leaving the run leaves the console too (`drconsole run`).
    quits_console: bool,
}

/// The whole console's state.
#[derive(Debug, Clone)]
pub struct Console {
    dashboard: App,
    run: Option<AttachedRun>,
    drill: Option<DrillDesk>,
    front: Front,
    quitting: bool,
}

impl Console {
    /// A console showing only the dashboard.
    #[must_use]
    pub fn new(dashboard: App) -> Self {
        Self {
            dashboard,
            run: None,
            drill: None,
            front: Front::Dashboard,
            quitting: false,
        }
    }

    /// The run `drconsole run` opened, in front; leaving it leaves the
    /// console.
    #[must_use]
    pub fn with_run(mut self, first: RunView) -> Self {
        self.learn(&first);
        self.run = Some(AttachedRun {
            screen: RunScreen::new(first),
            quits_console: true,
        });
        if self.drill.is_none() {
            self.front = Front::Runbook;
        }
        self
    }

    /// A drill, in front.
    #[must_use]
    pub fn with_drill(mut self, drill: DrillDesk) -> Self {
        self.drill = Some(drill);
        self.front = Front::Drill;
        self
    }

    /// The screen in front.
    #[must_use]
    pub fn front(&self) -> Front {
        self.front
    }

    /// The dashboard (drawn when it is in front; its theme colours all).
    #[must_use]
    pub fn dashboard(&self) -> &App {
        &self.dashboard
    }

    /// The runbook screen, while a run is open.
    #[must_use]
    pub fn run_screen(&self) -> Option<&RunScreen> {
        self.run.as_ref().map(|r| &r.screen)
    }

    /// The drill screen, in a drill.
    #[must_use]
    pub fn drill_screen(&self) -> Option<&DrillScreen> {
        self.drill.as_ref().map(DrillDesk::screen)
    }

    /// The drill screen, when the open run is one its drill started: the
    /// runbook screen then shows the drill's one clock.
    #[must_use]
    pub fn drill_of_run(&self) -> Option<&DrillScreen> {
        let journal = &self.run.as_ref()?.screen.view.journal;
        self.drill
            .as_ref()
            .filter(|d| d.started(journal))
            .map(DrillDesk::screen)
    }

    /// True once the console should exit.
    #[must_use]
    pub fn quitting(&self) -> bool {
        self.quitting
    }

    /// Applies one message; returns the effects to run.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let effects = match msg {
            Msg::Key(key) => self.on_key(key),
            Msg::RunOpened(first) => self.opened(*first),
            Msg::RunViewed(view) => self.viewed(*view),
            Msg::Drill(m) => match self.drill.as_mut() {
                Some(d) => d.on_msg(m),
                None => Vec::new(),
            },
            other => self.dashboard.update(other),
        };
        self.vet(effects)
    }

    /// The effects a screen asked for, as the root model lets them out:
    /// quitting is noted, and a run that cannot open is refused here.
    fn vet(&mut self, effects: Vec<Effect>) -> Vec<Effect> {
        let mut out = Vec::new();
        for effect in effects {
            match effect {
                Effect::Quit => {
                    self.quitting = true;
                    out.push(Effect::Quit);
                }
                Effect::StartRun(request) => out.extend(self.start_run(request)),
                other => out.push(other),
            }
        }
        out
    }

    fn start_run(&mut self, request: RunRequest) -> Vec<Effect> {
        if self.run.is_some() {
            self.dashboard
                .update(Msg::RunFailed(RUN_ALREADY_OPEN.to_owned()));
            return Vec::new();
        }
        vec![Effect::StartRun(request)]
    }

    fn opened(&mut self, first: RunView) -> Vec<Effect> {
        if self.run.is_some() {
            // A second run is refused before it starts; should one open
            // anyway, the screen keeps the run it shows.
            return Vec::new();
        }
        let relay = match self.drill.as_mut() {
            Some(d) => d.on_run_view(&first),
            None => Vec::new(),
        };
        self.learn(&first);
        self.run = Some(AttachedRun {
            screen: RunScreen::new(first),
            quits_console: false,
        });
        self.front = Front::Runbook;
        relay
    }

    fn viewed(&mut self, view: RunView) -> Vec<Effect> {
        let relay = match self.drill.as_mut() {
            Some(d) => d.on_run_view(&view),
            None => Vec::new(),
        };
        self.learn(&view);
        if let Some(run) = self.run.as_mut() {
            run.screen.show(view);
        }
        relay
    }

    /// What a picture of the run tells the dashboard: the keys it rotated
    /// (a resumed run's first picture already carries them).
    fn learn(&mut self, view: &RunView) {
        for r in &view.rotations {
            self.dashboard.learn_rotation(r);
        }
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.code == KeyCode::F(2) {
            self.front = self.next_front();
            return Vec::new();
        }
        match self.front {
            Front::Drill => match self.drill.as_mut() {
                Some(d) => d.key(key),
                None => Vec::new(),
            },
            Front::Runbook => self.run_key(key),
            Front::Dashboard => self.dashboard.update(Msg::Key(key)),
        }
    }

    /// The screen after the front one, among those there are.
    fn next_front(&self) -> Front {
        let order = [
            (Front::Drill, self.drill.is_some()),
            (Front::Dashboard, true),
            (Front::Runbook, self.run.is_some()),
        ];
        let at = order
            .iter()
            .position(|(f, _)| *f == self.front)
            .unwrap_or(1);
        (1..=order.len())
            .map(|i| order[(at + i) % order.len()])
            .find(|(_, there)| *there)
            .map_or(Front::Dashboard, |(f, _)| f)
    }

    /// A key for the runbook screen: its answers go to the run's driver;
    /// leaving detaches the run and shows the drill or the dashboard.
    fn run_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(run) = self.run.as_mut() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut left = false;
        for effect in run.screen.update(key) {
            if let (RunEffect::AnswerGate(a), Some(d)) = (&effect, self.drill.as_mut()) {
                d.on_gate_answer(a);
            }
            left |= effect == RunEffect::Leave;
            out.push(Effect::ToRun(effect));
        }
        if left {
            let quits = run.quits_console;
            self.run = None;
            out.push(Effect::DetachRun);
            self.front = if self.drill.is_some() {
                Front::Drill
            } else {
                Front::Dashboard
            };
            if quits {
                out.push(Effect::Quit);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
