//! The open screen: holders enter name and share, each checked at once;
//! at the threshold the runtime decrypts, checks and restores.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use secrecy::SecretSlice;
use serde_json::json;

use super::{CeremonyEffect, CeremonyMsg, Decrypted, SecretInput, ctrl, edit, note};
use crate::app::Notice;
use crate::crypto::shares::ShareError;
use crate::domain::assess::Level;
use crate::domain::ceremony::{Event, Refusal, ShareSet, WipeReason, check_name};
use crate::domain::time::Timestamp;

mod after_shares;

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
    /// Esc at the restore gate asked whether to cancel the restore.
    pub confirm_cancel: bool,
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
            confirm_cancel: false,
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
        if matches!(self.phase, OpenPhase::Gate { .. }) {
            // The decrypted key waits at the gate no longer than shares wait.
            if self.set.idle_left(at).is_some_and(|left| left.is_zero()) {
                self.decrypted = None;
                self.phase = OpenPhase::Failed(
                    "Nobody confirmed within the idle timeout: restore cancelled, the decrypted \
                     key wiped. Nothing was written."
                        .to_owned(),
                );
                return vec![CeremonyEffect::Journal(Event::new(
                    at,
                    "restore.cancelled",
                    json!({"target": self.target, "reason": "idle timeout"}),
                ))];
            }
            return Vec::new();
        }
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
            OpenPhase::Gate { .. } => self.gate(key, at),
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

    /// A key at the restore gate. Esc asks before cancelling (a cancel
    /// wipes the decrypted key, and every holder must type again); any
    /// answer but `y` returns to the gate with the phrase as typed.
    fn gate(&mut self, key: &KeyEvent, at: Timestamp) -> Vec<CeremonyEffect> {
        self.set.touch(at);
        let OpenPhase::Gate { phrase, typed, .. } = &mut self.phase else {
            return Vec::new();
        };
        if self.confirm_cancel {
            self.confirm_cancel = false;
            if !matches!(key.code, KeyCode::Char('y' | 'Y')) {
                self.message = Some(note("Back at the gate: nothing was cancelled.", Level::Ok));
                return Vec::new();
            }
            self.decrypted = None;
            self.message = None;
            self.phase = OpenPhase::Failed("Restore cancelled: nothing was written.".to_owned());
            return vec![CeremonyEffect::Journal(Event::new(
                at,
                "restore.cancelled",
                json!({"target": self.target}),
            ))];
        }
        if ctrl(key, 'u') {
            typed.clear();
            self.message = None;
            return Vec::new();
        }
        match key.code {
            KeyCode::Esc => {
                self.confirm_cancel = true;
                Vec::new()
            }
            KeyCode::Enter if typed == phrase => {
                let phrase = phrase.clone();
                self.message = None;
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
                    format!(
                        "Type exactly \"{phrase}\" to go on (Ctrl-U clears the field), or Esc to cancel."
                    ),
                    Level::Warn,
                ));
                Vec::new()
            }
            KeyCode::Backspace => {
                typed.pop();
                Vec::new()
            }
            KeyCode::Char(c)
                if !key.modifiers.contains(KeyModifiers::CONTROL)
                    && typed.len() + c.len_utf8() <= SecretInput::MAX =>
            {
                typed.push(c);
                Vec::new()
            }
            _ => Vec::new(),
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
        if ctrl(key, 'u') && self.field == Field::Name {
            self.name.clear();
            return Vec::new();
        }
        match (key.code, self.field) {
            // Focus never leaves a share being typed: the rest of it would
            // land in the name field, in clear.
            (KeyCode::Tab | KeyCode::BackTab, Field::Share) if !self.share.is_empty() => {
                self.message = Some(note(
                    "The share field keeps the focus while it holds text: Enter checks it, \
                     Ctrl-U clears it.",
                    Level::Warn,
                ));
            }
            (KeyCode::Tab | KeyCode::BackTab, Field::Share) => self.field = Field::Name,
            (KeyCode::Esc, Field::Name) => self.name.clear(),
            (KeyCode::Esc, Field::Share) => self.share.clear(),
            (KeyCode::Enter | KeyCode::Tab | KeyCode::BackTab, Field::Name) => {
                match check_name(&self.name) {
                    Ok(_) => {
                        self.field = Field::Share;
                        self.message = None;
                    }
                    Err(e) => self.message = Some(note(format!("✗ {e}"), Level::Critical)),
                }
            }
            (KeyCode::Enter, Field::Share) => return self.submit(at),
            // The guard makes the edit (once); emptied, the message goes.
            (_, Field::Share) if edit(&mut self.share, key) && self.share.is_empty() => {
                self.message = None;
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
        let mut effects = vec![CeremonyEffect::Journal(event)];
        let typo = match &result {
            Err(Refusal::Share(ShareError::Text(e))) => e.groups(),
            _ => Vec::new(),
        };
        if typo.is_empty() {
            self.share.clear();
        } else {
            // A typo keeps what was typed, the wrong group marked.
            self.share.mark(typo);
        }
        match result {
            Err(refusal) => {
                let hint = if self.share.is_empty() {
                    ""
                } else {
                    " (marked ✗: Backspace to it, or Ctrl-U to clear)"
                };
                self.message = Some(note(format!("✗ {refusal}{hint}"), Level::Critical));
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
}
