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
use crate::app::ceremony::{Field, OpenPhase, OpenScreen, SecretInput, SplitScreen};
use crate::config::theme::{Slot, Theme};
use crate::domain::ceremony::SplitStage;
use crate::domain::time::format_age;

/// The dot a masked character is drawn as.
pub const MASK: char = '•';
/// Share groups per line on screen (a line fits an 80-column terminal).
const GROUPS_PER_LINE: usize = 4;

fn frame<'a>(title: String, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Slot::BorderFocused))
        .title(Span::styled(title, theme.style(Slot::Title)))
        .padding(Padding::horizontal(1))
}

fn masked(input: &SecretInput, theme: &Theme, focused: bool) -> Vec<Span<'static>> {
    let dots: String = std::iter::repeat_n(MASK, input.len()).collect();
    let cursor = if focused { "▏" } else { "" };
    vec![
        Span::styled(dots, theme.style(Slot::Text)),
        Span::styled(cursor, theme.style(Slot::Accent)),
        Span::styled(
            format!("  ({} characters)", input.len()),
            theme.style(Slot::Muted),
        ),
    ]
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
fn draw(
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

fn areas(f: &Frame) -> (Rect, Rect) {
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
        lines.push(Line::from(Span::styled(
            "Quit now? Holders not yet served get no share. y: quit · any other key: carry on",
            theme.style(Slot::Critical),
        )));
    }
    draw(
        f,
        (body, footer),
        (title, lines),
        (s.message.as_ref(), keys),
        theme,
    );
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
                for row in text.expose_secret().lines() {
                    lines.push(Line::from(Span::styled(
                        format!("    {row}"),
                        theme.style(Slot::Accent).add_modifier(Modifier::BOLD),
                    )));
                }
                lines.push(Line::default());
                lines.push(Line::from(
                    "Characters: 0-9 and A-Z without I, L, O, U. Each group of 5 ends in a check character.",
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

/// Draws the open screen.
pub fn render_open(f: &mut Frame, s: &OpenScreen, theme: &Theme) {
    let (body, footer) = areas(f);
    let title = format!(" Key ceremony · open · {} → {} ", s.envelope, s.target);
    let mut lines = open_header(s, theme);
    let keys = match &s.phase {
        OpenPhase::Entering | OpenPhase::ConfirmWipe => {
            entering_lines(&mut lines, s, theme);
            "Enter next/check · Tab field · Esc clear field · Ctrl-R reset all · Ctrl-C quit"
        }
        OpenPhase::Working(what) => {
            lines.push(Line::from(Span::styled(
                format!("… {what}"),
                theme.style(Slot::Accent),
            )));
            ""
        }
        OpenPhase::Gate {
            reasons,
            phrase,
            typed,
        } => {
            lines.push(Line::from(Span::styled(
                "Confirm the restore",
                theme.style(Slot::Warn).add_modifier(Modifier::BOLD),
            )));
            for r in reasons {
                lines.push(Line::from(Span::styled(
                    format!("  ! {r}"),
                    theme.style(Slot::Warn),
                )));
            }
            lines.push(Line::default());
            lines.push(Line::from(format!("Type \"{phrase}\" and press Enter:")));
            lines.push(Line::from(vec![
                Span::styled("> ", theme.style(Slot::Title)),
                Span::raw(typed.clone()),
                Span::styled("▏", theme.style(Slot::Accent)),
            ]));
            "Enter confirm · Esc cancel (nothing is written)"
        }
        OpenPhase::Done(text) => {
            lines.push(Line::from(Span::styled(
                format!("✓ {text}"),
                theme.style(Slot::Ok),
            )));
            "Enter finish"
        }
        OpenPhase::Failed(text) => {
            lines.push(Line::from(Span::styled(
                format!("✗ {text}"),
                theme.style(Slot::Critical),
            )));
            "Enter quit"
        }
    };
    draw(
        f,
        (body, footer),
        (title, lines),
        (s.message.as_ref(), keys),
        theme,
    );
}

/// Progress, set id, idle countdown and who has entered a share.
fn open_header(s: &OpenScreen, theme: &Theme) -> Vec<Line<'static>> {
    let list = if s.contributors.is_empty() {
        s.set.entered()
    } else {
        &s.contributors[..]
    };
    let entered = list.len();
    let progress = match s.set.needed() {
        Some(needed) => format!("{entered} of {needed} shares entered"),
        None if !s.contributors.is_empty() => {
            format!("{entered} of {entered} shares entered: passphrase rebuilt, shares wiped")
        }
        None => "no share entered yet".to_owned(),
    };
    let mut head = vec![Span::styled(progress, theme.style(Slot::Title))];
    if let Some(id) = s.set.set_id() {
        head.push(Span::styled(
            format!("  · set {id}"),
            theme.style(Slot::Muted),
        ));
    }
    let idle = match s.phase {
        OpenPhase::Entering | OpenPhase::ConfirmWipe => Some("wiped"),
        OpenPhase::Gate { .. } => Some("cancelled"),
        OpenPhase::Working(_) | OpenPhase::Done(_) | OpenPhase::Failed(_) => None,
    };
    if let (Some(what), Some(left)) = (idle, s.set.idle_left(s.now)) {
        head.push(Span::styled(
            format!("  · {what} if idle for {}", format_age(left)),
            theme.style(Slot::Muted),
        ));
    }
    let mut lines = vec![Line::from(head), Line::default()];
    for (i, e) in list.iter().enumerate() {
        lines.push(Line::from(vec![
            Span::styled("  ✓ ", theme.style(Slot::Ok)),
            Span::raw(format!(
                "{}. {} entered share {} at {}",
                i + 1,
                e.holder,
                e.index,
                e.at.clock_utc()
            )),
        ]));
    }
    if entered > 0 {
        lines.push(Line::default());
    }
    lines
}

fn entering_lines(lines: &mut Vec<Line<'static>>, s: &OpenScreen, theme: &Theme) {
    let label = |field: Field, text: &'static str| {
        let style = if s.field == field {
            theme.style(Slot::Title).add_modifier(Modifier::BOLD)
        } else {
            theme.style(Slot::Muted)
        };
        Span::styled(text, style)
    };
    let marker = |field: Field| if s.field == field { "▏" } else { "" };
    lines.push(Line::from("Next holder: type your name, then your share."));
    lines.push(Line::default());
    lines.push(Line::from(vec![
        label(Field::Name, "Name:  "),
        Span::raw(s.name.clone()),
        Span::styled(marker(Field::Name), theme.style(Slot::Accent)),
    ]));
    let mut share = vec![label(Field::Share, "Share: ")];
    share.extend(masked(&s.share, theme, s.field == Field::Share));
    lines.push(Line::from(share));
    if s.phase == OpenPhase::ConfirmWipe {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!(
                "Wipe the {} share(s) entered and quit? y: wipe and quit · any other key: carry on",
                s.set.entered().len()
            ),
            theme.style(Slot::Critical),
        )));
    }
}
