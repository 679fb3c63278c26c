//! Validated themes: semantic colour slots, never raw colours in widgets.
//!
//! The file format and its checks live in [`crate::config::theme_file`].

use ratatui::style::{Color, Modifier, Style};

use crate::domain::assess::Level;

/// A meaning a colour can carry. Widgets ask for a slot, never a colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Slot {
    /// Ordinary text.
    Text,
    /// Secondary text: labels, ages, hints.
    Muted,
    /// Panel borders.
    Border,
    /// The focused panel's border.
    BorderFocused,
    /// Panel titles and headings.
    Title,
    /// Highlights that are not states: keys in help, the command line.
    Accent,
    /// Within target.
    Ok,
    /// Drifting towards a target.
    Warn,
    /// Breached or down.
    Critical,
    /// Too old to judge.
    Stale,
    /// No data.
    Unknown,
    /// The SIMULATED banner.
    Simulated,
    /// The LIVE banner.
    Live,
    /// The FROZEN marker.
    Frozen,
    /// The selected row.
    Selection,
    /// The header bar.
    Header,
}

impl Slot {
    /// Every slot, in the order theme files list them.
    pub const ALL: [Slot; 16] = [
        Slot::Text,
        Slot::Muted,
        Slot::Border,
        Slot::BorderFocused,
        Slot::Title,
        Slot::Accent,
        Slot::Ok,
        Slot::Warn,
        Slot::Critical,
        Slot::Stale,
        Slot::Unknown,
        Slot::Simulated,
        Slot::Live,
        Slot::Frozen,
        Slot::Selection,
        Slot::Header,
    ];

    /// The key used in theme files.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Slot::Text => "text",
            Slot::Muted => "muted",
            Slot::Border => "border",
            Slot::BorderFocused => "border_focused",
            Slot::Title => "title",
            Slot::Accent => "accent",
            Slot::Ok => "ok",
            Slot::Warn => "warn",
            Slot::Critical => "critical",
            Slot::Stale => "stale",
            Slot::Unknown => "unknown",
            Slot::Simulated => "simulated",
            Slot::Live => "live",
            Slot::Frozen => "frozen",
            Slot::Selection => "selection",
            Slot::Header => "header",
        }
    }

    /// Looks a slot up by its file key.
    #[must_use]
    pub fn from_key(key: &str) -> Option<Slot> {
        Slot::ALL.into_iter().find(|s| s.key() == key)
    }

    /// The slot that shows a verdict level.
    #[must_use]
    pub fn for_level(level: Level) -> Slot {
        match level {
            Level::Ok => Slot::Ok,
            // A standing risk shares the warning colour; its own word and
            // symbol (◆ AT RISK) tell it apart.
            Level::Warn | Level::AtRisk => Slot::Warn,
            Level::Critical => Slot::Critical,
            Level::Stale => Slot::Stale,
            Level::Unknown => Slot::Unknown,
        }
    }
}

/// A complete theme: one style per slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    /// Name (`dark`, `light`, `high-contrast`...).
    pub name: String,
    /// One line saying what the theme is for, shown when choosing one.
    pub description: String,
    styles: Vec<Style>,
}

impl Theme {
    /// A theme from a style per slot; slots missing from `styles` get
    /// the terminal's defaults.
    #[must_use]
    pub fn new(name: impl Into<String>, styles: &[(Slot, Style)]) -> Self {
        let mut all = vec![Style::default(); Slot::ALL.len()];
        for (slot, style) in styles {
            all[*slot as usize] = *style;
        }
        Self {
            name: name.into(),
            description: String::new(),
            styles: all,
        }
    }

    /// The same theme with a description, for themes built in code.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// The style for a slot.
    #[must_use]
    pub fn style(&self, slot: Slot) -> Style {
        self.styles.get(slot as usize).copied().unwrap_or_default()
    }

    /// The style for a verdict level.
    #[must_use]
    pub fn level(&self, level: Level) -> Style {
        self.style(Slot::for_level(level))
    }

    /// The same theme with every colour removed and modifiers kept: what
    /// `NO_COLOR` asks for. Words and symbols still carry every state.
    #[must_use]
    pub fn without_color(&self) -> Theme {
        let styles = self
            .styles
            .iter()
            .map(|s| Style {
                fg: None,
                bg: None,
                underline_color: None,
                ..*s
            })
            .collect();
        Theme {
            name: self.name.clone(),
            description: self.description.clone(),
            styles,
        }
    }

    /// A theme with no colours at all, in which the states that matter most
    /// are still told apart by weight and inversion.
    #[must_use]
    pub fn monochrome() -> Theme {
        let b = Style::default().add_modifier(Modifier::BOLD);
        Theme::new(
            "monochrome",
            &[
                (Slot::Critical, b.add_modifier(Modifier::REVERSED)),
                (Slot::Warn, b),
                (Slot::Title, b),
                (Slot::Muted, Style::default().add_modifier(Modifier::DIM)),
                (Slot::Stale, Style::default().add_modifier(Modifier::DIM)),
                (Slot::Simulated, b.add_modifier(Modifier::REVERSED)),
                (Slot::Live, b.add_modifier(Modifier::REVERSED)),
                (Slot::Frozen, b.add_modifier(Modifier::REVERSED)),
                (
                    Slot::Selection,
                    Style::default().add_modifier(Modifier::REVERSED),
                ),
                (Slot::BorderFocused, b),
                (
                    Slot::Header,
                    Style::default().add_modifier(Modifier::REVERSED),
                ),
            ],
        )
    }
}

/// Convenience for themes built in code: a style with a foreground.
#[must_use]
pub fn fg(c: Color) -> Style {
    Style::default().fg(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_keeps_modifiers() {
        let t = Theme::new(
            "x",
            &[(Slot::Critical, fg(Color::Red).add_modifier(Modifier::BOLD))],
        );
        let plain = t.without_color().style(Slot::Critical);
        assert_eq!(plain.fg, None);
        assert!(plain.add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn slot_keys_round_trip() {
        for s in Slot::ALL {
            assert_eq!(Slot::from_key(s.key()), Some(s));
        }
    }
}
