//! The dashboard's keys: normal mode through the keymap, the filter and
//! `:` command lines, and what each action does.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::{App, Frozen, Mode};
use crate::app::Effect;
use crate::app::command::{self, Command};
use crate::app::keymap::Action;
use crate::config::layout::PanelKind;
use crate::domain::assess::Level;

impl App {
    pub(super) fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
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
            Ok(Command::Quit) => vec![Effect::Quit],
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
            Action::Quit => return vec![Effect::Quit],
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
