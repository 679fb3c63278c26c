//! The dashboard's state and its pure `update`.
//!
//! `App::update` takes a [`Msg`], changes state, and returns the
//! [`Effect`]s it wants executed. It does no I/O and reads no clock, so
//! every behaviour here is tested by feeding messages. Its key handling
//! (modes, the `:` command line, actions) is in [`keys`].

mod keys;

use crate::app::keymap::Keymap;
use crate::app::{Effect, Msg};
use crate::config::layout::{Layout, PanelKind};
use crate::config::theme::Theme;
use crate::domain::assess::Level;
use crate::domain::fleet::EstateView;
use crate::domain::roster;
use crate::domain::time::Timestamp;

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

/// The dashboard's state. Its fields are private: only [`App::update`]
/// changes it after construction, and the renderer reads it through the
/// accessors below.
#[derive(Debug, Clone)]
pub struct App {
    live: EstateView,
    frozen: Option<Frozen>,
    /// The latest time the runtime reported.
    now: Timestamp,
    /// Current layout.
    layout: Layout,
    /// Current theme.
    theme: Theme,
    /// Key bindings.
    keymap: Keymap,
    /// The focused panel; `None` until the operator moves focus, then the
    /// first panel of the layout in use.
    focus: Option<PanelKind>,
    /// The terminal size the runtime last reported.
    size: (u16, u16),
    /// The layout used instead of `layout` when the terminal is too small
    /// for it (normally the built-in `compact`).
    small_layout: Option<Layout>,
    /// The focused panel fills the screen.
    expanded: bool,
    /// The help overlay is open.
    help: bool,
    /// What keys do now.
    mode: Mode,
    /// Text being typed in filter or command mode.
    input: String,
    /// The applied validator filter.
    filter: String,
    selected: Vec<usize>,
    /// The footer message, if any.
    notice: Option<Notice>,
    /// Active faults of the simulated estate.
    faults: Vec<String>,
    /// Virtual clock speed shown in the header (1.0 = real time).
    speed: f64,
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
        }
    }

    /// The layout for a terminal too small for the chosen one (normally the
    /// built-in `compact`).
    #[must_use]
    pub fn with_small_layout(mut self, small: Option<Layout>) -> Self {
        self.small_layout = small;
        self
    }

    /// The virtual clock's speed, shown in the header (1.0 = real time).
    #[must_use]
    pub fn with_speed(mut self, speed: f64) -> Self {
        self.speed = speed;
        self
    }

    /// The simulated estate's faults at start, described for the header.
    #[must_use]
    pub fn with_faults(mut self, faults: Vec<String>) -> Self {
        self.faults = faults;
        self
    }

    /// The latest time the runtime reported.
    #[must_use]
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The layout the operator chose (see [`App::layout_in_use`]).
    #[must_use]
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The colours every screen draws with.
    #[must_use]
    pub fn theme(&self) -> &Theme {
        &self.theme
    }

    /// Key bindings, for the help overlay.
    #[must_use]
    pub fn keymap(&self) -> &Keymap {
        &self.keymap
    }

    /// The focused panel fills the screen.
    #[must_use]
    pub fn expanded(&self) -> bool {
        self.expanded
    }

    /// The help overlay is open.
    #[must_use]
    pub fn help(&self) -> bool {
        self.help
    }

    /// What keys do now.
    #[must_use]
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Text being typed in filter or command mode.
    #[must_use]
    pub fn input(&self) -> &str {
        &self.input
    }

    /// The applied validator filter.
    #[must_use]
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// The footer message, if any.
    #[must_use]
    pub fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref()
    }

    /// Active faults of the simulated estate, described for the header.
    #[must_use]
    pub fn faults(&self) -> &[String] {
        &self.faults
    }

    /// Virtual clock speed shown in the header (1.0 = real time).
    #[must_use]
    pub fn speed(&self) -> f64 {
        self.speed
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

    /// Takes a key rotation a run of this console made (the root model
    /// hands it over from the run's picture).
    pub fn learn_rotation(&mut self, r: &crate::domain::observation::KeyRotation) {
        self.live.learn_rotation(r);
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
            Msg::Terminate => return vec![Effect::Quit],
            // The root model's own: they never reach the dashboard.
            Msg::RunOpened(_) | Msg::RunViewed(_) | Msg::Drill(_) => {}
        }
        Vec::new()
    }

    fn say(&mut self, level: Level, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            level,
        });
    }
}
