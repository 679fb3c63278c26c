//! A masked share as the screens draw it: one dot per character typed,
//! grouped as the refusals number the groups, a group a refusal named
//! drawn as `✗` (a symbol, not only a colour), long input cut short.

use ratatui::text::Span;

use crate::app::ceremony::SecretInput;
use crate::config::theme::{Slot, Theme};
use crate::crypto::share_text::group_lengths;

/// The dot a masked character is drawn as.
pub const MASK: char = '•';
/// The mark a character of a group named wrong is drawn as.
pub const WRONG: char = '✗';
/// Groups drawn at most (a share of a 26-character passphrase has 14).
const MAX_GROUPS_SHOWN: usize = 24;

/// The masked input: grouped dots, the wrong groups marked, the cursor
/// when focused, and the character count.
#[must_use]
pub fn masked(input: &SecretInput, theme: &Theme, focused: bool) -> Vec<Span<'static>> {
    let groups = group_lengths(input.expose());
    let mut spans = Vec::with_capacity(groups.len().min(MAX_GROUPS_SHOWN) * 2 + 3);
    for (i, &(number, len)) in groups.iter().take(MAX_GROUPS_SHOWN).enumerate() {
        if i > 0 {
            spans.push(Span::raw(" "));
        }
        let wrong = input.marked().contains(&number);
        let (glyph, slot) = if wrong {
            (WRONG, Slot::Critical)
        } else {
            (MASK, Slot::Text)
        };
        spans.push(Span::styled(
            std::iter::repeat_n(glyph, len).collect::<String>(),
            theme.style(slot),
        ));
    }
    if groups.len() > MAX_GROUPS_SHOWN {
        spans.push(Span::styled(" …", theme.style(Slot::Muted)));
    }
    let cursor = if focused { "▏" } else { "" };
    spans.push(Span::styled(cursor, theme.style(Slot::Accent)));
    let count = input.len();
    let unit = if count == 1 {
        "character"
    } else {
        "characters"
    };
    spans.push(Span::styled(
        format!("  ({count} {unit})"),
        theme.style(Slot::Muted),
    ));
    spans
}
