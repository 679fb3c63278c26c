//! Keys and what they mean. The help overlay is generated from this table,
//! so what `?` shows is always what the keys do.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Something the operator asked for, independent of which key asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Leave the console.
    Quit,
    /// Show or hide the help overlay.
    Help,
    /// Focus the next panel.
    FocusNext,
    /// Focus the previous panel.
    FocusPrev,
    /// Move the selection down in the focused panel.
    Down,
    /// Move the selection up in the focused panel.
    Up,
    /// Move down a page.
    PageDown,
    /// Move up a page.
    PageUp,
    /// Jump to the first row.
    Top,
    /// Jump to the last row.
    Bottom,
    /// Filter the validator list.
    Filter,
    /// Show the focused panel full screen, or go back.
    Expand,
    /// Stop or resume applying new readings.
    Freeze,
    /// Open the command line.
    Command,
    /// Close whatever is open.
    Cancel,
}

/// One key as the table and help show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Required modifiers (Shift is ignored for characters).
    pub modifiers: KeyModifiers,
}

impl Key {
    const fn plain(code: KeyCode) -> Self {
        Self {
            code,
            modifiers: KeyModifiers::NONE,
        }
    }
    const fn ch(c: char) -> Self {
        Self::plain(KeyCode::Char(c))
    }
    const fn ctrl(c: char) -> Self {
        Self {
            code: KeyCode::Char(c),
            modifiers: KeyModifiers::CONTROL,
        }
    }

    fn matches(&self, ev: &KeyEvent) -> bool {
        let mods = if matches!(ev.code, KeyCode::Char(_) | KeyCode::BackTab) {
            ev.modifiers - KeyModifiers::SHIFT
        } else {
            ev.modifiers
        };
        self.code == ev.code && self.modifiers == mods
    }

    /// How help prints the key.
    #[must_use]
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Tab => "Tab".to_owned(),
            KeyCode::BackTab => "Shift-Tab".to_owned(),
            KeyCode::Up => "↑".to_owned(),
            KeyCode::Down => "↓".to_owned(),
            KeyCode::PageUp => "PgUp".to_owned(),
            KeyCode::PageDown => "PgDn".to_owned(),
            KeyCode::Home => "Home".to_owned(),
            KeyCode::End => "End".to_owned(),
            KeyCode::Esc => "Esc".to_owned(),
            KeyCode::Enter => "Enter".to_owned(),
            other => format!("{other:?}"),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{base}")
        } else {
            base
        }
    }
}

/// A row of the keymap: keys, the action, and the help text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// Keys that trigger the action.
    pub keys: Vec<Key>,
    /// The action.
    pub action: Action,
    /// One line for the help overlay.
    pub help: &'static str,
}

/// The dashboard's keys (k9s / bottom habits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        use Action as A;
        use KeyCode as K;
        let b = |keys: Vec<Key>, action, help| Binding { keys, action, help };
        Self {
            bindings: vec![
                b(vec![Key::ch('?')], A::Help, "show or hide this help"),
                b(vec![Key::ch('q'), Key::ctrl('c')], A::Quit, "quit"),
                b(
                    vec![Key::plain(K::Tab)],
                    A::FocusNext,
                    "focus the next panel",
                ),
                b(
                    vec![Key::plain(K::BackTab)],
                    A::FocusPrev,
                    "focus the previous panel",
                ),
                b(
                    vec![Key::ch('j'), Key::plain(K::Down)],
                    A::Down,
                    "move down",
                ),
                b(vec![Key::ch('k'), Key::plain(K::Up)], A::Up, "move up"),
                b(
                    vec![Key::plain(K::PageDown), Key::ctrl('d')],
                    A::PageDown,
                    "page down",
                ),
                b(
                    vec![Key::plain(K::PageUp), Key::ctrl('u')],
                    A::PageUp,
                    "page up",
                ),
                b(vec![Key::ch('g'), Key::plain(K::Home)], A::Top, "first row"),
                b(
                    vec![Key::ch('G'), Key::plain(K::End)],
                    A::Bottom,
                    "last row",
                ),
                b(
                    vec![Key::ch('/')],
                    A::Filter,
                    "filter validators by name, region or address",
                ),
                b(
                    vec![Key::ch('e'), Key::plain(K::Enter)],
                    A::Expand,
                    "expand the focused panel / back",
                ),
                b(vec![Key::ch('f')], A::Freeze, "freeze / resume updates"),
                b(
                    vec![Key::ch(':')],
                    A::Command,
                    "command line (:layout, :theme, :inject, :clear, :q)",
                ),
                b(
                    vec![Key::plain(K::Esc)],
                    A::Cancel,
                    "close help, filter or command line",
                ),
            ],
        }
    }
}

impl Keymap {
    /// The action bound to a key press, if any.
    #[must_use]
    pub fn action_for(&self, ev: &KeyEvent) -> Option<Action> {
        self.bindings
            .iter()
            .find(|b| b.keys.iter().any(|k| k.matches(ev)))
            .map(|b| b.action)
    }

    /// Every binding, in help order.
    #[must_use]
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The first key label for an action: for hints in the footer.
    #[must_use]
    pub fn label_for(&self, action: Action) -> String {
        self.bindings
            .iter()
            .find(|b| b.action == action)
            .and_then(|b| b.keys.first())
            .map_or_else(|| "?".to_owned(), Key::label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifted_characters_match_without_shift_in_the_table() {
        let km = Keymap::default();
        let ev = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(km.action_for(&ev), Some(Action::Bottom));
        let q = KeyEvent::new(KeyCode::Char('?'), KeyModifiers::SHIFT);
        assert_eq!(km.action_for(&q), Some(Action::Help));
    }

    #[test]
    fn ctrl_c_quits_but_c_does_nothing() {
        let km = Keymap::default();
        assert_eq!(
            km.action_for(&KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(
            km.action_for(&KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE)),
            None
        );
    }

    #[test]
    fn every_action_has_a_key_and_help() {
        let km = Keymap::default();
        assert!(
            km.bindings()
                .iter()
                .all(|b| !b.keys.is_empty() && !b.help.is_empty())
        );
        assert_eq!(km.label_for(Action::Help), "?");
    }
}
