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
use serde_json::json;
use std::fmt;
use zeroize::Zeroizing;

use crate::app::Notice;
use crate::domain::assess::Level;
use crate::domain::ceremony::{
    Event, ShareSet, Split, SplitStage, WipeReason, check_name, passphrase_of,
};
use crate::domain::restore::{Content, Verdict};
use crate::domain::time::Timestamp;

/// A masked input: the text is zeroized when cleared or dropped, shown only
/// as dots, and no earlier entry is kept (no history, no undo).
#[derive(Default)]
pub struct SecretInput {
    text: Zeroizing<String>,
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

    /// Removes the last character.
    pub fn pop(&mut self) {
        self.text.pop();
    }

    /// Empties it (the bytes are zeroized).
    pub fn clear(&mut self) {
        self.text = Zeroizing::new(String::new());
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

// ------------------------------------------------------------------ split

/// The split screen: each holder in turn sees their share and types it back.
#[derive(Debug)]
pub struct SplitScreen {
    /// The hand-over.
    pub split: Split,
    /// What the holder types back.
    pub input: SecretInput,
    /// The envelope's file name, for the title.
    pub envelope: String,
    /// The last message.
    pub message: Option<Notice>,
    /// Ctrl-C asked whether to abandon the hand-over.
    pub confirm_quit: bool,
    /// Set once the screen is done with.
    pub quitting: bool,
}

impl SplitScreen {
    /// The screen for `split` of the envelope named `envelope`.
    #[must_use]
    pub fn new(split: Split, envelope: &str) -> Self {
        Self {
            split,
            input: SecretInput::default(),
            envelope: envelope.to_owned(),
            message: None,
            confirm_quit: false,
            quitting: false,
        }
    }

    /// Handles one message.
    #[allow(
        clippy::needless_pass_by_value,
        reason = "the same signature as OpenScreen::update: one runtime drives both"
    )]
    pub fn update(&mut self, msg: CeremonyMsg) -> Vec<CeremonyEffect> {
        match msg {
            CeremonyMsg::Key(key, at) => self.key(&key, at),
            CeremonyMsg::Terminate(at) => self.abandon(at, "signal"),
            _ => Vec::new(),
        }
    }

    fn abandon(&mut self, at: Timestamp, why: &str) -> Vec<CeremonyEffect> {
        self.input.clear();
        self.quitting = true;
        let (position, total) = self.split.position();
        vec![
            CeremonyEffect::Journal(Event::new(
                at,
                "ceremony.split_abandoned",
                json!({"reason": why, "holder": self.split.holder(), "position": position, "holders_count": total}),
            )),
            CeremonyEffect::ClearScreen,
            CeremonyEffect::Quit,
        ]
    }

    fn key(&mut self, key: &KeyEvent, at: Timestamp) -> Vec<CeremonyEffect> {
        if self.confirm_quit {
            if let KeyCode::Char('y' | 'Y') = key.code {
                return self.abandon(at, "operator quit");
            }
            self.confirm_quit = false;
            self.message = None;
            return Vec::new();
        }
        if ctrl(key, 'c') {
            if self.split.stage() == SplitStage::Done {
                self.quitting = true;
                return vec![CeremonyEffect::ClearScreen, CeremonyEffect::Quit];
            }
            self.confirm_quit = true;
            return Vec::new();
        }
        match self.split.stage() {
            SplitStage::Handover if key.code == KeyCode::Enter => {
                self.message = None;
                self.split
                    .show(at)
                    .into_iter()
                    .map(CeremonyEffect::Journal)
                    .collect()
            }
            SplitStage::Showing if key.code == KeyCode::Enter => {
                self.split.hide();
                self.message = None;
                vec![CeremonyEffect::ClearScreen]
            }
            SplitStage::Confirming => self.confirming(key, at),
            SplitStage::Done if matches!(key.code, KeyCode::Enter | KeyCode::Char('q')) => {
                self.quitting = true;
                vec![CeremonyEffect::ClearScreen, CeremonyEffect::Quit]
            }
            _ => Vec::new(),
        }
    }

    fn confirming(&mut self, key: &KeyEvent, at: Timestamp) -> Vec<CeremonyEffect> {
        match key.code {
            KeyCode::Esc => {
                self.input.clear();
                self.split.show_again();
                self.message = None;
                Vec::new()
            }
            KeyCode::Enter => {
                let result = self.split.confirm(self.input.expose(), at);
                self.input.clear();
                match result {
                    Ok(events) => {
                        let who = events
                            .first()
                            .and_then(|e| e.data["holder"].as_str())
                            .unwrap_or_default()
                            .to_owned();
                        self.message = Some(note(
                            format!("✓ {who}'s copy checks. Screen cleared."),
                            Level::Ok,
                        ));
                        let mut effects: Vec<CeremonyEffect> =
                            events.into_iter().map(CeremonyEffect::Journal).collect();
                        effects.push(CeremonyEffect::ClearScreen);
                        effects
                    }
                    Err(e) => {
                        self.message = Some(note(
                            format!("✗ {e}. Type it again (Esc shows the share)."),
                            Level::Critical,
                        ));
                        Vec::new()
                    }
                }
            }
            _ => {
                edit(&mut self.input, key);
                Vec::new()
            }
        }
    }
}

// ------------------------------------------------------------------- open

/// Which input the open screen's keys go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The holder's name (shown).
    Name,
    /// The share (masked).
    Share,
}

/// Where the open screen stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenPhase {
    /// Holders are entering shares.
    Entering,
    /// Ctrl-C asked whether to wipe and quit.
    ConfirmWipe,
    /// The runtime is at work (the words say at what).
    Working(&'static str),
    /// The restore needs a typed confirmation.
    Gate {
        /// Why, one sentence each.
        reasons: Vec<String>,
        /// The phrase to type.
        phrase: String,
        /// What has been typed (not secret).
        typed: String,
    },
    /// The key is restored.
    Done(String),
    /// Stopped; nothing was written.
    Failed(String),
}

/// The open screen: shares in, then decrypt, check and restore.
#[derive(Debug)]
pub struct OpenScreen {
    /// The shares entered so far.
    pub set: ShareSet,
    /// The holder's name being typed.
    pub name: String,
    /// The share being typed (masked).
    pub share: SecretInput,
    /// Where keys go.
    pub field: Field,
    /// Where the ceremony stands.
    pub phase: OpenPhase,
    /// The last message.
    pub message: Option<Notice>,
    /// The envelope's file name.
    pub envelope: String,
    /// The restore target's path, as given.
    pub target: String,
    /// The latest time a message brought.
    pub now: Timestamp,
    /// Set once the screen is done with.
    pub quitting: bool,
    /// Who entered the shares that reached the threshold (the shares
    /// themselves are gone once rebuilt).
    pub contributors: Vec<crate::domain::ceremony::Entered>,
    decrypted: Option<SecretSlice<u8>>,
}

impl OpenScreen {
    /// The screen for opening `envelope` into `target`.
    #[must_use]
    pub fn new(set: ShareSet, envelope: &str, target: &str, now: Timestamp) -> Self {
        Self {
            set,
            name: String::new(),
            share: SecretInput::default(),
            field: Field::Name,
            phase: OpenPhase::Entering,
            message: None,
            envelope: envelope.to_owned(),
            target: target.to_owned(),
            now,
            quitting: false,
            contributors: Vec::new(),
            decrypted: None,
        }
    }

    /// Handles one message.
    pub fn update(&mut self, msg: CeremonyMsg) -> Vec<CeremonyEffect> {
        match msg {
            CeremonyMsg::Key(key, at) => {
                self.now = at;
                self.key(&key, at)
            }
            CeremonyMsg::Tick(at) => {
                self.now = at;
                self.tick(at)
            }
            CeremonyMsg::Decrypted(result, at) => self.decrypted(result, at),
            CeremonyMsg::Assessed(verdict, at) => self.assessed(verdict, at),
            CeremonyMsg::Restored(result, at) => self.restored(result, at),
            CeremonyMsg::Terminate(at) => {
                let mut effects = self.wipe(WipeReason::Quit, at);
                self.quitting = true;
                effects.extend([CeremonyEffect::ClearScreen, CeremonyEffect::Quit]);
                effects
            }
        }
    }

    fn tick(&mut self, at: Timestamp) -> Vec<CeremonyEffect> {
        if self.phase != OpenPhase::Entering && self.phase != OpenPhase::ConfirmWipe {
            return Vec::new();
        }
        match self.set.tick(at) {
            Some(event) => {
                self.clear_inputs();
                self.phase = OpenPhase::Entering;
                self.message = Some(note(
                    format!(
                        "Idle for {}: every share entered was wiped. Start again.",
                        crate::domain::time::format_age(self.set.idle_timeout())
                    ),
                    Level::Warn,
                ));
                vec![CeremonyEffect::Journal(event), CeremonyEffect::ClearScreen]
            }
            None => Vec::new(),
        }
    }

    fn clear_inputs(&mut self) {
        self.share.clear();
        self.name.clear();
        self.field = Field::Name;
    }

    fn wipe(&mut self, reason: WipeReason, at: Timestamp) -> Vec<CeremonyEffect> {
        self.clear_inputs();
        self.decrypted = None;
        vec![CeremonyEffect::Journal(self.set.wipe(reason, at))]
    }

    fn key(&mut self, key: &KeyEvent, at: Timestamp) -> Vec<CeremonyEffect> {
        match &mut self.phase {
            OpenPhase::Entering => self.entering(key, at),
            OpenPhase::ConfirmWipe => {
                if let KeyCode::Char('y' | 'Y') = key.code {
                    let mut effects = self.wipe(WipeReason::Quit, at);
                    self.quitting = true;
                    effects.extend([CeremonyEffect::ClearScreen, CeremonyEffect::Quit]);
                    effects
                } else {
                    self.phase = OpenPhase::Entering;
                    self.message = Some(note("Carry on: nothing was wiped.", Level::Ok));
                    Vec::new()
                }
            }
            OpenPhase::Working(_) => Vec::new(),
            OpenPhase::Gate { phrase, typed, .. } => match key.code {
                KeyCode::Esc => {
                    self.decrypted = None;
                    self.phase =
                        OpenPhase::Failed("Restore cancelled: nothing was written.".to_owned());
                    vec![CeremonyEffect::Journal(Event::new(
                        at,
                        "restore.cancelled",
                        json!({"target": self.target}),
                    ))]
                }
                KeyCode::Enter if typed == phrase => {
                    let phrase = phrase.clone();
                    self.phase = OpenPhase::Working("restoring the key file");
                    let mut effects = vec![CeremonyEffect::Journal(Event::new(
                        at,
                        "restore.confirmed",
                        json!({"target": self.target, "phrase": phrase}),
                    ))];
                    if let Some(plaintext) = self.decrypted.take() {
                        effects.push(CeremonyEffect::Restore(plaintext));
                    }
                    effects
                }
                KeyCode::Enter => {
                    self.message = Some(note(
                        format!("Type exactly \"{phrase}\" to go on, or Esc to cancel."),
                        Level::Warn,
                    ));
                    Vec::new()
                }
                KeyCode::Backspace => {
                    typed.pop();
                    Vec::new()
                }
                KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                    typed.push(c);
                    Vec::new()
                }
                _ => Vec::new(),
            },
            OpenPhase::Done(_) | OpenPhase::Failed(_) => {
                if matches!(key.code, KeyCode::Enter | KeyCode::Esc | KeyCode::Char('q'))
                    || ctrl(key, 'c')
                {
                    self.quitting = true;
                    vec![CeremonyEffect::ClearScreen, CeremonyEffect::Quit]
                } else {
                    Vec::new()
                }
            }
        }
    }

    fn entering(&mut self, key: &KeyEvent, at: Timestamp) -> Vec<CeremonyEffect> {
        self.set.touch(at);
        if ctrl(key, 'c') {
            if self.set.entered().is_empty() && self.share.is_empty() {
                self.quitting = true;
                return vec![CeremonyEffect::ClearScreen, CeremonyEffect::Quit];
            }
            self.phase = OpenPhase::ConfirmWipe;
            return Vec::new();
        }
        if ctrl(key, 'r') {
            let effects = self.wipe(WipeReason::Reset, at);
            self.message = Some(note("Reset: every share entered was wiped.", Level::Warn));
            return effects;
        }
        match (key.code, self.field) {
            (KeyCode::Tab | KeyCode::BackTab, Field::Name) => self.field = Field::Share,
            (KeyCode::Tab | KeyCode::BackTab, Field::Share) => self.field = Field::Name,
            (KeyCode::Esc, Field::Name) => self.name.clear(),
            (KeyCode::Esc, Field::Share) => self.share.clear(),
            (KeyCode::Enter, Field::Name) => match check_name(&self.name) {
                Ok(_) => {
                    self.field = Field::Share;
                    self.message = None;
                }
                Err(e) => self.message = Some(note(format!("✗ {e}"), Level::Critical)),
            },
            (KeyCode::Enter, Field::Share) => return self.submit(at),
            (_, Field::Share) => {
                edit(&mut self.share, key);
            }
            (KeyCode::Backspace, Field::Name) => {
                self.name.pop();
            }
            (KeyCode::Char(c), Field::Name)
                if !key.modifiers.contains(KeyModifiers::CONTROL)
                    && self.name.chars().count() < crate::domain::ceremony::MAX_NAME_LEN =>
            {
                self.name.push(c);
            }
            _ => {}
        }
        Vec::new()
    }

    fn submit(&mut self, at: Timestamp) -> Vec<CeremonyEffect> {
        let (result, event) = self.set.submit(&self.name, self.share.expose(), at);
        self.share.clear();
        let mut effects = vec![CeremonyEffect::Journal(event)];
        match result {
            Err(refusal) => {
                self.message = Some(note(format!("✗ {refusal}"), Level::Critical));
            }
            Ok(entered) => {
                let needed = self.set.needed().unwrap_or(0);
                let index = self.set.entered().last().map_or(0, |e| e.index);
                self.message = Some(note(
                    format!(
                        "✓ share {index} from {} accepted: {entered} of {needed}",
                        self.name.trim()
                    ),
                    Level::Ok,
                ));
                self.name.clear();
                self.field = Field::Name;
                effects.push(CeremonyEffect::ClearScreen);
                if self.set.is_complete() {
                    effects.extend(self.rebuild(at));
                }
            }
        }
        effects
    }

    fn rebuild(&mut self, at: Timestamp) -> Vec<CeremonyEffect> {
        self.contributors = self.set.entered().to_vec();
        let holders: Vec<String> = self.contributors.iter().map(|e| e.holder.clone()).collect();
        let passphrase = self
            .set
            .rebuild()
            .map_err(|e| e.to_string())
            .and_then(|secret| passphrase_of(&secret).map_err(str::to_owned));
        match passphrase {
            Ok(passphrase) => {
                self.phase = OpenPhase::Working("rebuilding the passphrase and decrypting");
                vec![
                    CeremonyEffect::Journal(Event::new(
                        at,
                        "ceremony.threshold_reached",
                        json!({"holders": holders}),
                    )),
                    CeremonyEffect::Decrypt(passphrase),
                ]
            }
            Err(e) => self.fail(&format!("Could not rebuild: {e}."), at),
        }
    }

    fn fail(&mut self, why: &str, at: Timestamp) -> Vec<CeremonyEffect> {
        self.decrypted = None;
        let text = format!("{why} Nothing was written.");
        self.phase = OpenPhase::Failed(text.clone());
        vec![CeremonyEffect::Journal(Event::new(
            at,
            "ceremony.failed",
            json!({"reason": text}),
        ))]
    }

    fn decrypted(
        &mut self,
        result: Result<Decrypted, String>,
        at: Timestamp,
    ) -> Vec<CeremonyEffect> {
        match result {
            Ok(d) => {
                let address = match &d.content {
                    Content::ValidatorKey { address, .. } => Some(address.clone()),
                    _ => None,
                };
                self.decrypted = Some(d.plaintext);
                self.phase = OpenPhase::Working("checking that the validator is not signing");
                vec![
                    CeremonyEffect::Journal(Event::new(
                        at,
                        "key.decrypted",
                        json!({"envelope": self.envelope, "validator_address": address}),
                    )),
                    CeremonyEffect::Assess(d.content),
                ]
            }
            Err(e) => self.fail(&format!("Decryption failed: {e}."), at),
        }
    }

    fn assessed(&mut self, verdict: Verdict, at: Timestamp) -> Vec<CeremonyEffect> {
        match verdict {
            Verdict::Refuse(why) => {
                self.decrypted = None;
                let text = format!("{why} Nothing was written.");
                self.phase = OpenPhase::Failed(text.clone());
                vec![CeremonyEffect::Journal(Event::new(
                    at,
                    "restore.refused",
                    json!({"target": self.target, "reason": text}),
                ))]
            }
            Verdict::Gate { reasons, phrase } => {
                self.phase = OpenPhase::Gate {
                    reasons,
                    phrase,
                    typed: String::new(),
                };
                Vec::new()
            }
            Verdict::Proceed => {
                self.phase = OpenPhase::Working("restoring the key file");
                self.decrypted
                    .take()
                    .map(CeremonyEffect::Restore)
                    .into_iter()
                    .collect()
            }
        }
    }

    fn restored(&mut self, result: Result<String, String>, at: Timestamp) -> Vec<CeremonyEffect> {
        match result {
            Ok(path) => {
                self.phase = OpenPhase::Done(format!(
                    "Restored to {path} (mode 0600). Press Enter to finish."
                ));
                vec![CeremonyEffect::Journal(Event::new(
                    at,
                    "key.restored",
                    json!({"target": path}),
                ))]
            }
            Err(e) => self.fail(&format!("Restore failed: {e}."), at),
        }
    }
}

#[cfg(test)]
#[path = "ceremony_tests.rs"]
mod tests;
