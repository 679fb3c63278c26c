//! The help overlay, generated from the keymap and the command list.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::app::App;
use crate::app::command::USAGE;
use crate::config::theme::Slot;

/// Draws the overlay centred over `area`.
pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme();
    let mut lines = vec![Line::from(Span::styled("Keys", theme.style(Slot::Title)))];
    for b in app.keymap().bindings() {
        let keys: Vec<String> = b
            .keys
            .iter()
            .map(super::super::app::keymap::Key::label)
            .collect();
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {:<18}", keys.join(" / ")),
                theme.style(Slot::Accent),
            ),
            Span::styled(b.help, theme.style(Slot::Text)),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "Commands",
        theme.style(Slot::Title),
    )));
    for (cmd, what) in USAGE {
        lines.push(Line::from(vec![
            Span::styled(format!("  :{cmd:<17}"), theme.style(Slot::Accent)),
            Span::styled(*what, theme.style(Slot::Text)),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "Symbols: ✓ ok  ! warning  ✗ critical  ~ stale  ? unknown",
        theme.style(Slot::Muted),
    )));
    let height = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height);
    let [v] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(area.width.min(100))])
        .flex(Flex::Center)
        .areas(v);
    f.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(Span::styled(
            " Help · Esc or ? closes ",
            theme.style(Slot::Title),
        ))
        .border_style(theme.style(Slot::BorderFocused));
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .style(theme.style(Slot::Text))
            .wrap(Wrap { trim: false }),
        rect,
    );
}
