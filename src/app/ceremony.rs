//! The two ceremony screens' state and their pure `update`: the split
//! screen (hand each holder a share and have it typed back) and the open
//! screen (holders enter shares, then decrypt and restore).
//!
//! Kept apart from the dashboard's [`crate::app::App`]: a ceremony is its
//! own program run, with its own keys. Like the dashboard, `update` does no
//! I/O and reads no clock; what it wants done comes back as
//! [`CeremonyEffect`]s, and time arrives in messages.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use secrecy::{SecretSlice, SecretString};
use std::fmt;
use zeroize::Zeroizing;

use crate::app::Notice;
use crate::domain::assess::Level;
use crate::domain::ceremony::Event;
use crate::domain::restore::{Content, Verdict};
use crate::domain::time::Timestamp;

mod open;
mod split;

pub use open::{Field, OpenPhase, OpenScreen};
pub use split::SplitScreen;

/// A masked input: the text is zeroized when cleared or dropped, shown only
/// as dots, and no earlier entry is kept (no history, no undo).
#[derive(Default)]
pub struct SecretInput {
    text: Zeroizing<String>,
    marked: Vec<usize>,
}

impl fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SecretInput({} chars, {})",
            self.len(),
            crate::crypto::REDACTED
        )
    }
}

impl SecretInput {
    /// Longest input kept: a share is at most 16 KiB of text.
    pub const MAX: usize = crate::crypto::share_text::MAX_INPUT_LEN;

    /// Appends a typed character (ignored past [`SecretInput::MAX`]).
    pub fn push(&mut self, c: char) {
        if self.text.len() + c.len_utf8() <= Self::MAX {
            // Reserve first so the old buffer is not left behind unzeroized
            // by a reallocation: grow through a zeroizing swap.
            if self.text.len() + c.len_utf8() > self.text.capacity() {
                let mut bigger =
                    Zeroizing::new(String::with_capacity((self.text.capacity() * 2).max(128)));
                bigger.push_str(&self.text);
                self.text = bigger;
            }
            self.text.push(c);
        }
    }

    /// Removes the last character; a marked group stays marked until its
    /// last character is gone.
    pub fn pop(&mut self) {
        self.text.pop();
        let groups = crate::crypto::share_text::group_lengths(&self.text).len();
        self.marked.retain(|&g| g <= groups);
    }

    /// Empties it (the bytes are zeroized) and forgets the marks.
    pub fn clear(&mut self) {
        self.text = Zeroizing::new(String::new());
        self.marked.clear();
    }

    /// Marks the groups (numbered from 1) a refusal named as wrong.
    pub fn mark(&mut self, groups: Vec<usize>) {
        self.marked = groups;
    }

    /// The groups marked as wrong, numbered from 1.
    #[must_use]
    pub fn marked(&self) -> &[usize] {
        &self.marked
    }

    /// Characters typed.
    #[must_use]
    pub fn len(&self) -> usize {
        self.text.chars().count()
    }

    /// Whether nothing is typed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The text, for checking; never to display.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.text
    }
}

/// What the decrypted backup turned out to be, with its bytes.
pub struct Decrypted {
    /// The plaintext (zeroized on drop).
    pub plaintext: SecretSlice<u8>,
    /// What it is.
    pub content: Content,
}

impl fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decrypted")
            .field("plaintext", &crate::crypto::REDACTED)
            .field("content", &self.content)
            .finish()
    }
}

/// Everything that can happen to a ceremony screen.
#[derive(Debug)]
pub enum CeremonyMsg {
    /// A key press, at a time.
    Key(KeyEvent, Timestamp),
    /// The clock moved (drives the idle timeout).
    Tick(Timestamp),
    /// The envelope was opened, or why not.
    Decrypted(Result<Decrypted, String>, Timestamp),
    /// What the restore checks decided.
    Assessed(Verdict, Timestamp),
    /// The key file was written (its path), or why not.
    Restored(Result<String, String>, Timestamp),
    /// SIGTERM or SIGHUP: wipe and leave.
    Terminate(Timestamp),
}

/// Work a ceremony screen asks the runtime to do.
#[derive(Debug)]
pub enum CeremonyEffect {
    /// Append to the journal (fsync'd before the next message).
    Journal(Event),
    /// Clear the whole terminal before the next frame (between holders).
    ClearScreen,
    /// Open the envelope with this passphrase; answer with `Decrypted`.
    Decrypt(SecretString),
    /// Gather the restore facts (target, RPC nodes); answer with `Assessed`.
    Assess(Content),
    /// Write these bytes to the target atomically; answer with `Restored`.
    Restore(SecretSlice<u8>),
    /// Restore the terminal and exit.
    Quit,
}

fn ctrl(key: &KeyEvent, c: char) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char(c)
}

fn note(text: impl Into<String>, level: Level) -> Notice {
    Notice {
        text: text.into(),
        level,
    }
}

/// Edits `input` with a key; true when the key was an edit.
fn edit(input: &mut SecretInput, key: &KeyEvent) -> bool {
    if ctrl(key, 'u') {
        input.clear();
        return true;
    }
    match key.code {
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => input.push(c),
        KeyCode::Backspace => input.pop(),
        _ => return false,
    }
    true
}

#[cfg(test)]
#[path = "ceremony_tests.rs"]
mod tests;
