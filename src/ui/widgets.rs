//! Small pieces every panel uses: the bordered block with its data age,
//! the symbol for a level, and verdict spans.

use std::time::Duration;

use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType};

use crate::config::layout::PanelKind;
use crate::config::theme::{Slot, Theme};
use crate::domain::assess::{Level, Verdict};
use crate::domain::telemetry::Freshness;
use crate::domain::time::format_age;

/// The symbol that says a level without colour.
#[must_use]
pub fn mark(level: Level) -> &'static str {
    match level {
        Level::Ok => "✓",
        Level::AtRisk => "◆",
        Level::Warn => "!",
        Level::Critical => "✗",
        Level::Stale => "~",
        Level::Unknown => "?",
    }
}

/// `✓ HEALTHY` in the level's style.
#[must_use]
pub fn verdict<'a>(theme: &Theme, v: &Verdict) -> Span<'a> {
    Span::styled(
        format!("{} {}", mark(v.level), v.word),
        theme.level(v.level),
    )
}

/// How old a panel's data is, for its title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DataAge {
    /// Readings folded in.
    pub readings: usize,
    /// Of which unknown.
    pub unknown: usize,
    /// Oldest stale reading's age, if any is stale.
    pub stale: Option<Duration>,
    /// Age of the oldest known reading.
    pub oldest: Option<Duration>,
}

impl DataAge {
    /// Folds one reading's freshness and age in.
    #[must_use]
    pub fn with(mut self, freshness: Freshness, age: Option<Duration>) -> DataAge {
        self.readings += 1;
        match freshness {
            Freshness::Unknown => self.unknown += 1,
            Freshness::Stale(a) => {
                self.stale = Some(self.stale.map_or(a, |s| s.max(a)));
                self.oldest = Some(self.oldest.map_or(a, |o| o.max(a)));
            }
            Freshness::Fresh => self.oldest = self.oldest.max(age),
        }
        self
    }

    /// Nothing folded in yet.
    #[must_use]
    pub fn fresh() -> DataAge {
        DataAge::default()
    }

    fn title(self, theme: &Theme) -> Vec<Span<'static>> {
        let mut out = Vec::new();
        if self.readings > 0 && self.unknown == self.readings {
            out.push(Span::styled("? UNKNOWN ", theme.style(Slot::Unknown)));
            return out;
        }
        match self.stale {
            Some(a) => out.push(Span::styled(
                format!("~ STALE {} ", format_age(a)),
                theme.style(Slot::Stale),
            )),
            None => out.push(Span::styled(
                self.oldest
                    .map_or_else(|| "· ".to_owned(), |a| format!("· {} ", format_age(a))),
                theme.style(Slot::Muted),
            )),
        }
        if self.unknown > 0 {
            out.push(Span::styled(
                format!("? {} of {} UNKNOWN ", self.unknown, self.readings),
                theme.style(Slot::Unknown),
            ));
        }
        out
    }
}

/// The panel frame: title, data age, focus.
#[must_use]
pub fn panel_block<'a>(
    theme: &Theme,
    panel: PanelKind,
    extra: Option<String>,
    age: Option<DataAge>,
    focused: bool,
) -> Block<'a> {
    let mut title = vec![Span::styled(
        format!(" {} ", panel.title()),
        theme.style(Slot::Title),
    )];
    if let Some(extra) = extra {
        title.push(Span::styled(format!("{extra} "), theme.style(Slot::Muted)));
    }
    if let Some(age) = age {
        title.extend(age.title(theme));
    }
    let (border, kind) = if focused {
        (theme.style(Slot::BorderFocused), BorderType::Thick)
    } else {
        (theme.style(Slot::Border), BorderType::Plain)
    };
    Block::bordered()
        .border_type(kind)
        .border_style(border)
        .title(Line::from(title))
}

/// A label in the muted style, padded to `width`.
#[must_use]
pub fn label<'a>(theme: &Theme, text: &str, width: usize) -> Span<'a> {
    Span::styled(format!("{text:<width$}"), theme.style(Slot::Muted))
}

/// Plain text, padded to `width`.
#[must_use]
pub fn cell<'a>(theme: &Theme, text: &str, width: usize) -> Span<'a> {
    Span::styled(format!("{text:<width$}"), theme.style(Slot::Text))
}

/// Seconds with one decimal below a minute, then a short age.
#[must_use]
pub fn short_duration(d: Duration) -> String {
    if d < Duration::from_mins(1) {
        format!("{:.1}s", d.as_secs_f64())
    } else {
        format_age(d)
    }
}

/// A schedule or target as people say it: `4h`, `1d`, `15m`, `90s`.
#[must_use]
pub fn round_duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0 => "0s".to_owned(),
        _ if s.is_multiple_of(86_400) => format!("{}d", s / 86_400),
        _ if s.is_multiple_of(3600) => format!("{}h", s / 3600),
        _ if s.is_multiple_of(60) => format!("{}m", s / 60),
        _ => format_age(d),
    }
}

/// `1,234,567`: heights are read aloud on incident calls.
#[must_use]
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_durations_read_like_speech() {
        assert_eq!(round_duration(Duration::from_hours(4)), "4h");
        assert_eq!(round_duration(Duration::from_hours(24)), "1d");
        assert_eq!(round_duration(Duration::from_mins(15)), "15m");
        assert_eq!(round_duration(Duration::from_secs(61)), "1m01s");
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(100), "100");
    }

    #[test]
    fn every_level_has_its_own_symbol() {
        let all = [
            Level::Ok,
            Level::Warn,
            Level::Critical,
            Level::Stale,
            Level::Unknown,
        ]
        .map(mark);
        for (i, a) in all.iter().enumerate() {
            assert!(all[i + 1..].iter().all(|b| a != b));
        }
    }
}
