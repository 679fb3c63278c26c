//! Application state and the pure `update`.
//!
//! `App::update` takes a [`Msg`], changes state, and returns the
//! [`Effect`]s it wants executed. It does no I/O and reads no clock, so
//! every behaviour here is tested by feeding messages.

pub mod ceremony;
pub mod command;
pub mod drill;
pub mod keymap;
pub mod msg;
pub mod run_request;
pub mod runbook;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::config::layout::{Layout, PanelKind};
use crate::config::theme::Theme;
use crate::domain::assess::Level;
use crate::domain::fleet::EstateView;
use crate::domain::roster;
use crate::domain::time::Timestamp;
use command::Command;
use keymap::{Action, Keymap};
pub use msg::{Effect, Msg};

/// What keys currently do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Keys go through the keymap.
    Normal,
    /// Keys edit the validator filter.
    Filter,
    /// Keys edit the `:` command line.
    Command,
}

/// A one-line message for the footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The text.
    pub text: String,
    /// How it is coloured (errors are `Critical`).
    pub level: Level,
}

/// The picture kept on screen while updates are frozen.
#[derive(Debug, Clone, PartialEq)]
pub struct Frozen {
    /// The picture at the moment of freezing.
    pub view: EstateView,
    /// The moment of freezing: ages are shown as of then.
    pub at: Timestamp,
}

/// The console's state.
#[derive(Debug, Clone)]
pub struct App {
    live: EstateView,
    frozen: Option<Frozen>,
    /// The latest time the runtime reported.
    pub now: Timestamp,
    /// Current layout.
    pub layout: Layout,
    /// Current theme.
    pub theme: Theme,
    /// Key bindings.
    pub keymap: Keymap,
    /// The focused panel; `None` until the operator moves focus, then the
    /// first panel of the layout in use.
    focus: Option<PanelKind>,
    /// The terminal size the runtime last reported.
    pub size: (u16, u16),
    /// The layout used instead of `layout` when the terminal is too small
    /// for it (normally the built-in `compact`).
    pub small_layout: Option<Layout>,
    /// The focused panel fills the screen.
    pub expanded: bool,
    /// The help overlay is open.
    pub help: bool,
    /// What keys do now.
    pub mode: Mode,
    /// Text being typed in filter or command mode.
    pub input: String,
    /// The applied validator filter.
    pub filter: String,
    selected: Vec<usize>,
    /// The footer message, if any.
    pub notice: Option<Notice>,
    /// Active faults of the simulated estate.
    pub faults: Vec<String>,
    /// Virtual clock speed shown in the header (1.0 = real time).
    pub speed: f64,
    /// Set once the console should exit.
    pub quitting: bool,
}

impl App {
    /// A console over `view` starting at `now`.
    #[must_use]
    pub fn new(view: EstateView, layout: Layout, theme: Theme, now: Timestamp) -> Self {
        Self {
            live: view,
            frozen: None,
            now,
            layout,
            theme,
            keymap: Keymap::default(),
            focus: None,
            size: (0, 0),
            small_layout: None,
            expanded: false,
            help: false,
            mode: Mode::Normal,
            input: String::new(),
            filter: String::new(),
            selected: vec![0; PanelKind::ALL.len()],
            notice: None,
            faults: Vec::new(),
            speed: 1.0,
            quitting: false,
        }
    }

    /// The picture to draw: the frozen one while frozen.
    #[must_use]
    pub fn view(&self) -> &EstateView {
        self.frozen.as_ref().map_or(&self.live, |f| &f.view)
    }

    /// The instant the drawn picture is judged at.
    #[must_use]
    pub fn view_now(&self) -> Timestamp {
        self.frozen.as_ref().map_or(self.now, |f| f.at)
    }

    /// The freeze, if updates are frozen.
    #[must_use]
    pub fn frozen(&self) -> Option<&Frozen> {
        self.frozen.as_ref()
    }

    /// The layout on screen: the chosen one, or the small-terminal layout
    /// while the terminal is too small for the chosen one to stay usable.
    #[must_use]
    pub fn layout_in_use(&self) -> &Layout {
        let (w, h) = self.size;
        match &self.small_layout {
            Some(small) if w > 0 && !self.layout.fits(w, h.saturating_sub(2)) => small,
            _ => &self.layout,
        }
    }

    /// The focused panel, always one of the layout in use.
    #[must_use]
    pub fn focused_panel(&self) -> Option<PanelKind> {
        let panels = self.layout_in_use().panels();
        self.focus
            .filter(|p| panels.contains(p))
            .or_else(|| panels.first().copied())
    }

    /// The selected row of a panel.
    #[must_use]
    pub fn selected(&self, panel: PanelKind) -> usize {
        self.selected.get(panel as usize).copied().unwrap_or(0)
    }

    /// How many selectable rows a panel has now.
    #[must_use]
    pub fn rows_in(&self, panel: PanelKind) -> usize {
        let view = self.view();
        match panel {
            PanelKind::Validators => roster::rows(view, self.view_now(), &self.filter).len(),
            PanelKind::Regions => view.regions.len(),
            PanelKind::Sources => view.sources.len(),
            PanelKind::RegionLoss => {
                let n = view.spec.regions.len();
                n + if n > 2 { n * (n - 1) / 2 } else { 0 }
            }
            _ => 0,
        }
    }

    /// Applies one message; returns the effects to run.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(key) => return self.on_key(key),
            Msg::Resize(w, h) => self.size = (w, h),
            Msg::Tick(now) => self.now = self.now.max(now),
            Msg::Polled(report) => {
                self.now = self.now.max(report.at);
                self.live.apply(&report);
            }
            Msg::FaultsChanged(faults) => self.faults = faults,
            Msg::LayoutLoaded(Ok(layout)) => {
                self.say(Level::Ok, format!("layout {}", layout.name));
                self.layout = layout;
                self.expanded = false;
            }
            Msg::ThemeLoaded(Ok(theme)) => {
                self.say(Level::Ok, format!("theme {}", theme.name));
                self.theme = theme;
            }
            Msg::LayoutLoaded(Err(e))
            | Msg::ThemeLoaded(Err(e))
            | Msg::FaultCommandDone(Err(e))
            | Msg::RunFailed(e) => self.say(Level::Critical, e),
            Msg::FaultCommandDone(Ok(text)) => self.say(Level::Warn, text),
            Msg::Terminate => return self.quit(),
        }
        Vec::new()
    }

    fn say(&mut self, level: Level, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            level,
        });
    }

    fn quit(&mut self) -> Vec<Effect> {
        self.quitting = true;
        vec![Effect::Quit]
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        match self.mode {
            Mode::Normal => match self.keymap.action_for(&key) {
                Some(action) => self.on_action(action),
                None => Vec::new(),
            },
            Mode::Filter | Mode::Command => self.on_text_key(key),
        }
    }

    fn on_text_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let ctrl_c = key.code == KeyCode::Char('c')
            && key
                .modifiers
                .contains(ratatui::crossterm::event::KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => {
                if self.mode == Mode::Filter {
                    self.filter.clear();
                }
                self.leave_text_mode();
            }
            _ if ctrl_c => self.leave_text_mode(),
            KeyCode::Enter => {
                let text = std::mem::take(&mut self.input);
                let mode = self.mode;
                self.mode = Mode::Normal;
                return match mode {
                    Mode::Command => self.run_command(&text),
                    Mode::Filter | Mode::Normal => Vec::new(),
                };
            }
            KeyCode::Backspace => {
                self.input.pop();
                self.sync_filter();
            }
            KeyCode::Char(c) => {
                self.input.push(c);
                self.sync_filter();
            }
            _ => {}
        }
        Vec::new()
    }

    fn leave_text_mode(&mut self) {
        self.mode = Mode::Normal;
        self.input.clear();
    }

    /// The filter applies as it is typed, so the list narrows live.
    fn sync_filter(&mut self) {
        if self.mode == Mode::Filter {
            self.filter.clone_from(&self.input);
            self.set_selected(PanelKind::Validators, 0);
        }
    }

    fn run_command(&mut self, text: &str) -> Vec<Effect> {
        match command::parse(text) {
            Err(e) => {
                self.say(Level::Critical, e);
                Vec::new()
            }
            Ok(Command::Quit) => self.quit(),
            Ok(Command::Help) => {
                self.help = true;
                Vec::new()
            }
            Ok(Command::Layout(name)) => vec![Effect::LoadLayout(name)],
            Ok(Command::Run(request)) => vec![Effect::StartRun(request)],
            Ok(Command::Theme(name)) => vec![Effect::LoadTheme(name)],
            Ok(Command::Freeze) => self.on_action(Action::Freeze),
            Ok(Command::Inject(_) | Command::ClearFaults) if !self.live.spec.simulated => {
                self.say(
                    Level::Critical,
                    "faults can only be injected into the simulated estate",
                );
                Vec::new()
            }
            Ok(Command::Inject(fault)) => match fault.validate(&self.live.spec) {
                Ok(()) => vec![Effect::InjectFault(fault)],
                Err(e) => {
                    self.say(Level::Critical, e.to_string());
                    Vec::new()
                }
            },
            Ok(Command::ClearFaults) => vec![Effect::ClearFaults],
        }
    }

    fn set_selected(&mut self, panel: PanelKind, row: usize) {
        if let Some(s) = self.selected.get_mut(panel as usize) {
            *s = row;
        }
    }

    fn move_selection(&mut self, delta: isize) {
        let Some(panel) = self.focused_panel() else {
            return;
        };
        let rows = self.rows_in(panel);
        let last = rows.saturating_sub(1);
        let cur = self.selected(panel).min(last);
        let next = cur.saturating_add_signed(delta).min(last);
        self.set_selected(panel, next);
    }

    fn on_action(&mut self, action: Action) -> Vec<Effect> {
        let panels = self.layout_in_use().panels();
        let step = |delta: usize| {
            let at = self
                .focused_panel()
                .and_then(|f| panels.iter().position(|p| *p == f))
                .unwrap_or(0);
            panels.get((at + delta) % panels.len().max(1)).copied()
        };
        match action {
            Action::Quit => return self.quit(),
            Action::Help => self.help = !self.help,
            Action::Cancel => {
                if self.help {
                    self.help = false;
                } else if self.expanded {
                    self.expanded = false;
                } else {
                    self.notice = None;
                }
            }
            Action::FocusNext => self.focus = step(1),
            Action::FocusPrev => self.focus = step(panels.len().saturating_sub(1)),
            Action::Down => self.move_selection(1),
            Action::Up => self.move_selection(-1),
            Action::PageDown => self.move_selection(10),
            Action::PageUp => self.move_selection(-10),
            Action::Top => self.move_selection(isize::MIN / 2),
            Action::Bottom => self.move_selection(isize::MAX / 2),
            Action::Expand => self.expanded = !self.expanded,
            Action::Filter => {
                self.mode = Mode::Filter;
                self.input.clone_from(&self.filter);
                self.focus = Some(PanelKind::Validators);
            }
            Action::Command => {
                self.mode = Mode::Command;
                self.input.clear();
            }
            Action::Freeze => {
                if self.frozen.take().is_none() {
                    self.frozen = Some(Frozen {
                        view: self.live.clone(),
                        at: self.now,
                    });
                }
            }
        }
        Vec::new()
    }
}
