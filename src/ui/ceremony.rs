//! The ceremony screens. They only read state. A share is drawn only on
//! the split screen while its holder copies it; everything typed is drawn
//! as dots.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Padding, Paragraph, Wrap};
use secrecy::ExposeSecret;

use crate::app::Notice;
use crate::app::ceremony::SplitScreen;
use crate::config::theme::{Slot, Theme};
use crate::domain::ceremony::SplitStage;

mod input;
mod open;

pub use input::{MASK, WRONG, masked};
pub use open::render_open;

/// Share groups per line on screen (a line fits an 80-column terminal).
const GROUPS_PER_LINE: usize = 4;

fn frame<'a>(title: String, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Slot::BorderFocused))
        .title(Span::styled(title, theme.style(Slot::Title)))
        .padding(Padding::horizontal(1))
}

fn message_line(message: Option<&Notice>, theme: &Theme) -> Line<'static> {
    message.map_or_else(Line::default, |m| {
        Line::from(Span::styled(m.text.clone(), theme.level(m.level)))
    })
}

fn keys_line(keys: &str, theme: &Theme) -> Line<'static> {
    Line::from(Span::styled(keys.to_owned(), theme.style(Slot::Muted)))
}

/// Splits the screen into the body and a two-line footer (message, keys).
/// Both screens' frame: the titled body, then the message and key lines.
pub(super) fn draw(
    f: &mut Frame,
    (body, footer): (Rect, Rect),
    (title, lines): (String, Vec<Line<'static>>),
    (message, keys): (Option<&Notice>, &str),
    theme: &Theme,
) {
    f.render_widget(
        Paragraph::new(lines)
            .style(theme.style(Slot::Text))
            .wrap(Wrap { trim: false })
            .block(frame(title, theme)),
        body,
    );
    f.render_widget(
        Paragraph::new(vec![message_line(message, theme), keys_line(keys, theme)]),
        footer,
    );
}

pub(super) fn areas(f: &Frame) -> (Rect, Rect) {
    let [body, footer] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(2)]).areas(f.area());
    (body, footer)
}

/// Draws the split screen.
pub fn render_split(f: &mut Frame, s: &SplitScreen, theme: &Theme) {
    let (body, footer) = areas(f);
    let (pos, total) = s.split.position();
    let set = s
        .split
        .set_id()
        .map(|id| id.to_string())
        .unwrap_or_default();
    let title = format!(" Key ceremony · split · {} ", s.envelope);
    let holder = s.split.holder().to_owned();
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                format!("Holder {pos} of {total}: {holder}"),
                theme.style(Slot::Title),
            ),
            Span::styled(
                format!(
                    "    any {} of {total} shares open the backup · set {set}",
                    s.split.threshold()
                ),
                theme.style(Slot::Muted),
            ),
        ]),
        Line::default(),
    ];
    let keys = split_stage(&mut lines, s, theme, &holder);
    if s.confirm_quit {
        lines.push(Line::default());
        let confirmed = s.split.confirmed();
        let who = if confirmed.is_empty() {
            "No holder has".to_owned()
        } else {
            format!(
                "Only {} {}",
                confirmed.join(", "),
                if confirmed.len() == 1 { "has" } else { "have" }
            )
        };
        let openable = if confirmed.len() < usize::from(s.split.threshold()) {
            format!(
                " Fewer than {}: a kept envelope cannot be opened by them.",
                s.split.threshold()
            )
        } else {
            String::new()
        };
        lines.push(Line::from(Span::styled(
            format!(
                "Stop the hand-over? {who} a share ({} of {total}).{openable}",
                confirmed.len()
            ),
            theme.style(Slot::Critical),
        )));
        lines.push(Line::from(Span::styled(
            "k: keep the envelope (its sidecar lists who holds a share) · d: delete the envelope \
             and its sidecar · any other key: carry on",
            theme.style(Slot::Critical),
        )));
    }
    // While a share is typed back, the message sits under the field.
    let footer_message = (s.split.stage() != SplitStage::Confirming)
        .then_some(s.message.as_ref())
        .flatten();
    draw(
        f,
        (body, footer),
        (title, lines),
        (footer_message, keys),
        theme,
    );
}

/// A message drawn under its field, indented to the field's text.
pub(super) fn beside_field(
    lines: &mut Vec<Line<'static>>,
    message: Option<&Notice>,
    theme: &Theme,
) {
    if let Some(m) = message {
        lines.push(Line::from(vec![
            Span::raw("       "),
            Span::styled(m.text.clone(), theme.level(m.level)),
        ]));
    }
}

/// The share as the holder copies it: lines of four groups, each group's
/// number above it (the numbers the refusals use).
fn paper_sheet(lines: &mut Vec<Line<'static>>, text: &str, theme: &Theme) {
    let mut number = 1usize;
    for row in text.lines() {
        let groups: Vec<&str> = row.split_whitespace().collect();
        let numbers = (number..number + groups.len()).fold(String::new(), |mut out, n| {
            use std::fmt::Write as _;
            let _ = write!(out, "{n:<6}");
            out
        });
        number += groups.len();
        lines.push(Line::from(Span::styled(
            format!("    {}", numbers.trim_end()),
            theme.style(Slot::Muted),
        )));
        lines.push(Line::from(Span::styled(
            format!("    {}", groups.join(" ")),
            theme.style(Slot::Accent).add_modifier(Modifier::BOLD),
        )));
    }
}

/// The lines of the current hand-over stage; returns its key hints.
fn split_stage(
    lines: &mut Vec<Line<'static>>,
    s: &SplitScreen,
    theme: &Theme,
    holder: &str,
) -> &'static str {
    let (_, total) = s.split.position();
    match s.split.stage() {
        SplitStage::Handover => {
            lines.push(Line::from(format!(
                "{holder}, come to the keyboard. Everyone else: look away from the screen."
            )));
            lines.push(Line::default());
            lines.push(Line::from(format!("Press Enter to show {holder}'s share.")));
            "Enter show the share · Ctrl-C quit"
        }
        SplitStage::Showing => {
            if let Some(share) = s.split.shown_share() {
                lines.push(Line::from(format!(
                    "{holder}'s share (share {} of {total}). Copy it onto paper exactly:",
                    share.index()
                )));
                lines.push(Line::default());
                let text = share.encode_lines(GROUPS_PER_LINE);
                paper_sheet(lines, text.expose_secret(), theme);
                lines.push(Line::default());
                lines.push(Line::from(
                    "Characters: 0-9 and A-Z without I, L, O, U; each group of 5 ends in a check character. \
                     The small numbers are the groups' numbers, not part of the share.",
                ));
            }
            lines.push(Line::from(
                "Press Enter when copied: the share is hidden and you type it back from paper.",
            ));
            "Enter hide and type it back · Ctrl-C quit"
        }
        SplitStage::Confirming => {
            lines.push(Line::from(format!(
                "{holder}, type your share back from the paper (dashes and spaces optional):"
            )));
            lines.push(Line::default());
            let mut spans = vec![Span::styled("Share: ", theme.style(Slot::Title))];
            spans.extend(masked(&s.input, theme, true));
            lines.push(Line::from(spans));
            beside_field(lines, s.message.as_ref(), theme);
            if s.split.attempts() > 0 {
                lines.push(Line::default());
                lines.push(Line::from(Span::styled(
                    format!("Failed attempts: {}", s.split.attempts()),
                    theme.style(Slot::Warn),
                )));
            }
            "Enter check · Backspace / Ctrl-U edit · Esc show the share again · Ctrl-C quit"
        }
        SplitStage::Done => {
            lines.push(Line::from(Span::styled(
                format!("✓ All {total} holders have their share and have typed it back."),
                theme.style(Slot::Ok),
            )));
            lines.push(Line::from(
                "Keep each paper copy apart. Nothing of the shares was written to the journal.",
            ));
            "Enter finish"
        }
    }
}
