//! The console's screens besides the dashboard: an attached runbook run and
//! a drill, which one is in front, and where keys go. The console loop
//! hands keys, run views and ticks here; the dashboard's own `App` stays
//! unaware of the others.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::app::run_request::RunRequest;
use crate::app::runbook::{RunEffect, RunScreen, RunView};
use crate::app::{App, Msg};
use crate::runtime::console::{RunLink, Wiring};
use crate::runtime::drill_console::DrillSession;
use crate::ui;

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

/// The screens beside the dashboard.
pub struct Screens {
    /// The screen in front.
    pub front: Front,
    run: Option<RunLink>,
    run_screen: Option<RunScreen>,
    drill: Option<DrillSession>,
}

impl Screens {
    /// Takes the run and drill the console starts with; the drill, else
    /// the run, else the dashboard is in front.
    #[must_use]
    pub fn new(run: Option<RunLink>, drill: Option<DrillSession>) -> Self {
        let run_screen = run.as_ref().map(|r| RunScreen::new(r.first.clone()));
        let front = if drill.is_some() {
            Front::Drill
        } else if run_screen.is_some() {
            Front::Runbook
        } else {
            Front::Dashboard
        };
        Self {
            front,
            run,
            run_screen,
            drill,
        }
    }

    /// Draws the screen in front.
    pub fn draw(&self, f: &mut Frame, app: &App) {
        match (&self.run_screen, &self.drill, self.front) {
            (Some(s), _, Front::Runbook) => ui::runbook::render(f, s, &app.theme),
            (_, Some(d), Front::Drill) => ui::drill::render(f, &d.screen, &app.theme),
            _ => ui::render(f, app),
        }
    }

    /// The attached run, for the loop to listen to.
    pub fn run_mut(&mut self) -> &mut Option<RunLink> {
        &mut self.run
    }

    /// A key: F2 switches screens; the drill and runbook screens take their
    /// keys; anything else is the dashboard's, returned as a message.
    pub fn key(&mut self, key: KeyEvent, wiring: &Wiring, app: &mut App) -> Option<Msg> {
        if key.code == KeyCode::F(2) {
            self.front = self.next_front();
            return None;
        }
        match self.front {
            Front::Drill => {
                let request = self.drill.as_mut().and_then(|d| d.key(key));
                request.and_then(|r| self.open_run(r, wiring))
            }
            Front::Runbook => {
                if self.run_key(key, app) {
                    self.front = if self.drill.is_some() {
                        Front::Drill
                    } else {
                        Front::Dashboard
                    };
                }
                None
            }
            Front::Dashboard => Some(Msg::Key(key)),
        }
    }

    /// The screen after the front one, among those there are.
    fn next_front(&self) -> Front {
        let order = [
            (Front::Drill, self.drill.is_some()),
            (Front::Dashboard, true),
            (Front::Runbook, self.run_screen.is_some()),
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

    /// A new picture of the run.
    pub fn on_view(&mut self, view: RunView) {
        if let Some(d) = self.drill.as_mut() {
            d.on_run_view(&view);
        }
        if let Some(s) = self.run_screen.as_mut() {
            s.show(view);
        }
    }

    /// The clock moved; true when the front screen must be redrawn, and
    /// why a run the drill asked for could not open.
    pub fn tick(&mut self, wiring: &Wiring) -> (bool, Option<Msg>) {
        let failed = self
            .drill
            .as_mut()
            .and_then(DrillSession::tick)
            .and_then(|r| self.open_run(r, wiring));
        (self.drill.is_some() && self.front == Front::Drill, failed)
    }

    /// Starts a run and brings its screen to the front, or answers why not
    /// with [`Msg::RunFailed`].
    pub fn open_run(&mut self, request: RunRequest, wiring: &Wiring) -> Option<Msg> {
        let started = if self.run.is_some() {
            Err(
                "a run is already open: F2 shows it; leave it (q) before starting another"
                    .to_owned(),
            )
        } else {
            match &wiring.start_run {
                Some(starter) => starter(request),
                None => Err(":run is not available in this console".to_owned()),
            }
        };
        match started {
            Ok(opened) => {
                self.run_screen = Some(RunScreen::new(opened.first.clone()));
                self.run = Some(opened);
                self.front = Front::Runbook;
                None
            }
            Err(e) => Some(Msg::RunFailed(e)),
        }
    }

    /// A key for the runbook screen; true when the operator left the run.
    fn run_key(&mut self, key: KeyEvent, app: &mut App) -> bool {
        let (Some(s), Some(link)) = (self.run_screen.as_mut(), self.run.as_ref()) else {
            return false;
        };
        let mut left = false;
        for effect in s.update(key) {
            if let (RunEffect::AnswerGate(a), Some(d)) = (&effect, self.drill.as_mut()) {
                d.on_gate_answer(&s.view.title, a);
            }
            left |= effect == RunEffect::Leave;
            // The driver may already be gone (the run ended); leaving still works.
            let _ = link.control.send(effect);
        }
        if left {
            if link.quit_with_run {
                app.quitting = true;
            }
            self.run_screen = None;
            self.run = None;
        }
        left
    }
}
