//! The open screen: progress and who has entered, the name and masked
//! share fields with the message under them, the restore gate.

use ratatui::Frame;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::MASK;
use super::{areas, beside_field, draw, masked};
use crate::app::ceremony::{Field, OpenPhase, OpenScreen};
use crate::config::theme::{Slot, Theme};
use crate::domain::time::format_age;

/// Draws the open screen.
pub fn render_open(f: &mut Frame, s: &OpenScreen, theme: &Theme) {
    let (body, footer) = areas(f);
    let title = format!(" Key ceremony · open · {} → {} ", s.envelope, s.target);
    let mut lines = open_header(s, theme);
    let keys = match &s.phase {
        OpenPhase::Entering | OpenPhase::ConfirmWipe => {
            entering_lines(&mut lines, s, theme);
            "Enter next/check · Tab field · Esc / Ctrl-U clear field · Ctrl-R reset all · Ctrl-C quit"
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
                Span::raw(shown_name(&crate::text::printable_within(typed, 120))),
                Span::styled("▏", theme.style(Slot::Accent)),
            ]));
            beside_field(&mut lines, s.message.as_ref(), theme);
            if s.confirm_cancel {
                lines.push(Line::default());
                lines.push(Line::from(Span::styled(
                    "Cancel the restore? The decrypted key is wiped, nothing is written, and the \
                     holders must enter their shares again. y: cancel · any other key: back to the gate",
                    theme.style(Slot::Critical),
                )));
            }
            "Enter confirm · Ctrl-U clear · Esc cancel (asks first; nothing is written)"
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
    // Where there is a field, the message sits under it.
    let inline = matches!(
        s.phase,
        OpenPhase::Entering | OpenPhase::ConfirmWipe | OpenPhase::Gate { .. }
    );
    draw(
        f,
        (body, footer),
        (title, lines),
        ((!inline).then_some(s.message.as_ref()).flatten(), keys),
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
    let progress = match (entered, s.set.expected()) {
        (0, Some(e)) if s.contributors.is_empty() => format!(
            "no share entered yet: any {} of the {} holders' shares open it",
            e.threshold,
            e.holders.len()
        ),
        _ => progress,
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
    let mut lines = vec![Line::from(head)];
    if let Some(e) = s.set.expected() {
        lines.push(Line::from(Span::styled(
            format!(
                "  set and threshold from {}: shares of other sets are refused",
                e.source.as_str()
            ),
            theme.style(Slot::Muted),
        )));
        let missing = e.unconfirmed();
        if !missing.is_empty() {
            lines.push(Line::from(Span::styled(
                format!(
                    "  ! sealed before all confirmed: {} may hold no share",
                    missing.join(", ")
                ),
                theme.style(Slot::Warn),
            )));
        }
    }
    lines.push(Line::default());
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

/// A name or phrase as typed, or dots when it reads as share groups (a
/// share typed into the wrong field is never drawn in clear).
fn shown_name(name: &str) -> String {
    if crate::domain::ceremony::looks_like_share(name) {
        std::iter::repeat_n(MASK, name.chars().count()).collect()
    } else {
        name.to_owned()
    }
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
        Span::raw(shown_name(&s.name)),
        Span::styled(marker(Field::Name), theme.style(Slot::Accent)),
    ]));
    let mut share = vec![label(Field::Share, "Share: ")];
    share.extend(masked(&s.share, theme, s.field == Field::Share));
    lines.push(Line::from(share));
    beside_field(lines, s.message.as_ref(), theme);
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
