//! Overlays on the runbook screen: help and the leave confirmation.

#[allow(clippy::wildcard_imports)]
use super::*;
use crate::config::theme::{Slot, Theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

pub(super) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

pub(super) fn render_help(f: &mut Frame, area: Rect, theme: &Theme) {
    let text = [
        (
            "j k ↑ ↓ g G",
            "select a step: its command and output show on the right",
        ),
        ("Enter", "answer the gate the run waits on"),
        ("Tab / Shift-Tab", "next / previous field of the gate"),
        ("r", "retry a failed step"),
        ("s", "skip a failed step (asks for a gate)"),
        (
            "b",
            "roll back: completed steps' rollbacks in reverse, then the runbook's",
        ),
        ("x", "abort the run (asks for its phrase)"),
        ("v", "outcome unknown: you verified it succeeded"),
        (
            "o",
            "go on despite failed pre-checks (gated, with a reason)",
        ),
        (
            "q",
            "leave: the journal keeps the run; run it again to resume",
        ),
    ];
    let lines: Vec<Line> = text
        .iter()
        .map(|(k, d)| {
            Line::from(vec![
                Span::styled(format!("{k:<18}"), theme.style(Slot::Accent)),
                Span::styled(*d, theme.style(Slot::Text)),
            ])
        })
        .collect();
    let rect = centered(area, 86, u16::try_from(lines.len()).unwrap_or(20) + 2);
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines).block(block(theme, "Runbook keys (any key closes)")),
        rect,
    );
}

pub(super) fn render_leave(f: &mut Frame, area: Rect, theme: &Theme) {
    let rect = centered(area, 60, 4);
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(vec![
            Line::from(Span::styled(
                "Leave this run? It resumes from its journal.",
                theme.style(Slot::Text),
            )),
            Line::from(Span::styled(
                "y: leave   any other key: stay",
                theme.style(Slot::Muted),
            )),
        ])
        .block(block(theme, "Leave"))
        .style(Style::default()),
        rect,
    );
}
