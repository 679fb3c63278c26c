//! The split screen: each holder in turn is called to the keyboard, shown
//! their share, and types it back from paper.

use ratatui::crossterm::event::{KeyCode, KeyEvent};
use serde_json::json;

use super::{CeremonyEffect, CeremonyMsg, SecretInput, ctrl, edit, note};
use crate::app::Notice;
use crate::domain::assess::Level;
use crate::domain::ceremony::{ConfirmError, Disposition, Event, Split, SplitStage};
use crate::domain::time::Timestamp;

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
    /// What to do with the envelope of a hand-over stopped early.
    pub disposition: Option<Disposition>,
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
            disposition: None,
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
            // Nobody to ask: the envelope is kept, its sidecar says who
            // holds a share.
            CeremonyMsg::Terminate(at) if self.split.stage() != SplitStage::Done => {
                self.abandon(at, "signal", Disposition::Keep)
            }
            CeremonyMsg::Terminate(_) => {
                self.quitting = true;
                vec![CeremonyEffect::ClearScreen, CeremonyEffect::Quit]
            }
            _ => Vec::new(),
        }
    }

    fn abandon(&mut self, at: Timestamp, why: &str, what: Disposition) -> Vec<CeremonyEffect> {
        self.input.clear();
        self.quitting = true;
        self.disposition = Some(what);
        let (position, total) = self.split.position();
        vec![
            CeremonyEffect::Journal(Event::new(
                at,
                "ceremony.split_abandoned",
                json!({
                    "reason": why,
                    "holder": self.split.holder(),
                    "position": position,
                    "holders_count": total,
                    "confirmed": self.split.confirmed(),
                    "envelope": what.as_str(),
                }),
            )),
            CeremonyEffect::ClearScreen,
            CeremonyEffect::Quit,
        ]
    }

    fn key(&mut self, key: &KeyEvent, at: Timestamp) -> Vec<CeremonyEffect> {
        if self.confirm_quit {
            match key.code {
                KeyCode::Char('k' | 'K') => {
                    return self.abandon(at, "operator quit", Disposition::Keep);
                }
                KeyCode::Char('d' | 'D') => {
                    return self.abandon(at, "operator quit", Disposition::Delete);
                }
                _ => {}
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
                let typo = match &result {
                    Err(ConfirmError::Unreadable(e)) => e.groups(),
                    _ => Vec::new(),
                };
                if typo.is_empty() {
                    self.input.clear();
                } else {
                    // A typo keeps what was typed, the wrong group marked.
                    self.input.mark(typo);
                }
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
                        let again = if self.input.is_empty() {
                            "Type it again"
                        } else {
                            "Marked ✗: Backspace to it, or Ctrl-U to clear"
                        };
                        self.message = Some(note(
                            format!("✗ {e}. {again} (Esc shows the share)."),
                            Level::Critical,
                        ));
                        Vec::new()
                    }
                }
            }
            _ => {
                if edit(&mut self.input, key) && self.input.is_empty() {
                    self.message = None;
                }
                Vec::new()
            }
        }
    }
}
