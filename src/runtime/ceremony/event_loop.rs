//! The ceremony screens' event loop: keys, a one-second tick and signals
//! in; effects (journal, screen clearing, decrypt, restore checks, atomic
//! restore) carried out and answered with messages.

use std::collections::VecDeque;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use ratatui::DefaultTerminal;
use secrecy::ExposeSecret;
use tokio::signal::unix::{SignalKind, signal};

use super::keys::KeyReader;
use super::{CeremonyError, append, invalid};
use crate::app::ceremony::{CeremonyEffect, CeremonyMsg, Decrypted, OpenScreen, SplitScreen};
use crate::config::theme::Theme;
use crate::crypto::envelope;
use crate::domain::restore::{self, Target};
use crate::runtime::journal_file::JournalWriter;
use crate::runtime::restore::{RpcSigningCheck, facts, write_atomic};
use crate::sources::clock::{Clock, WallClock};

/// Takes the terminal (alternate screen, raw mode), drives `screen`, and
/// gives the terminal back whatever happened (a panic too: ratatui's hook).
pub(super) async fn in_terminal(
    screen: &mut Screen<'_>,
    effects: &mut Effects,
    theme: &Theme,
) -> Result<(), CeremonyError> {
    let mut terminal = ratatui::try_init().map_err(CeremonyError::Terminal)?;
    let result = drive(&mut terminal, screen, effects, theme).await;
    ratatui::restore();
    result
}

/// The screen being driven.
pub(super) enum Screen<'a> {
    Split(&'a mut SplitScreen),
    Open(&'a mut OpenScreen),
}

impl Screen<'_> {
    fn update(&mut self, msg: CeremonyMsg) -> Vec<CeremonyEffect> {
        match self {
            Screen::Split(s) => s.update(msg),
            Screen::Open(s) => s.update(msg),
        }
    }

    fn quitting(&self) -> bool {
        match self {
            Screen::Split(s) => s.quitting,
            Screen::Open(s) => s.quitting,
        }
    }

    fn draw(&self, terminal: &mut DefaultTerminal, theme: &Theme) -> io::Result<()> {
        terminal
            .draw(|f| match self {
                Screen::Split(s) => crate::ui::ceremony::render_split(f, s, theme),
                Screen::Open(s) => crate::ui::ceremony::render_open(f, s, theme),
            })
            .map(|_| ())
    }
}

/// What the open screen's effects work on.
pub(super) struct OpenContext {
    pub(super) sealed: Vec<u8>,
    pub(super) target: PathBuf,
    pub(super) signing: RpcSigningCheck,
    /// Whether the target existed when the restore was assessed (and so
    /// was confirmed through the gate).
    pub(super) replace: bool,
}

/// Carries out effects.
pub(super) struct Effects {
    pub(super) journal: JournalWriter,
    pub(super) open: Option<OpenContext>,
    pub(super) clear: bool,
}

impl Effects {
    pub(super) fn new(journal: JournalWriter) -> Self {
        Self {
            journal,
            open: None,
            clear: true,
        }
    }

    /// Runs one effect; some answer with a message.
    async fn run(&mut self, effect: CeremonyEffect) -> Result<Option<CeremonyMsg>, CeremonyError> {
        let now = || WallClock.now();
        Ok(match effect {
            CeremonyEffect::Journal(event) => {
                append(&mut self.journal, &event)?;
                None
            }
            CeremonyEffect::ClearScreen => {
                self.clear = true;
                None
            }
            CeremonyEffect::Quit => None,
            CeremonyEffect::Decrypt(passphrase) => {
                let ctx = self.context()?;
                let result = envelope::open(&ctx.sealed, &passphrase)
                    .map(|plaintext| Decrypted {
                        content: restore::classify(plaintext.expose_secret()),
                        plaintext,
                    })
                    .map_err(|e| e.to_string());
                Some(CeremonyMsg::Decrypted(result, now()))
            }
            CeremonyEffect::Assess(content) => {
                let ctx = self.context()?;
                let verdict = match facts(&ctx.target, content, &ctx.signing).await {
                    Ok(facts) => {
                        ctx.replace = matches!(facts.target, Target::Exists { .. });
                        restore::decide(&facts)
                    }
                    Err(e) => restore::Verdict::Refuse(e.to_string()),
                };
                Some(CeremonyMsg::Assessed(verdict, now()))
            }
            CeremonyEffect::Restore(plaintext) => {
                let ctx = self.context()?;
                let result = write_atomic(&ctx.target, plaintext.expose_secret(), ctx.replace)
                    .map(|()| ctx.target.display().to_string())
                    .map_err(|e| e.to_string());
                Some(CeremonyMsg::Restored(result, now()))
            }
        })
    }

    fn context(&mut self) -> Result<&mut OpenContext, CeremonyError> {
        self.open
            .as_mut()
            .ok_or_else(|| invalid("internal: an open effect outside `ceremony open`"))
    }
}

/// Blanks every cell (a frame of spaces, so ratatui's idea of the screen
/// stays true), then has the terminal erase it all. `Terminal::clear` is
/// not used: it asks the terminal for the cursor position, and the answer
/// can be swallowed by the key reader.
fn clear_screen(terminal: &mut DefaultTerminal) -> io::Result<()> {
    use ratatui::backend::{Backend as _, ClearType};
    terminal.draw(|f| f.render_widget(ratatui::widgets::Clear, f.area()))?;
    terminal.backend_mut().clear_region(ClearType::All)
}

/// The event loop: keys, a one-second tick and signals in; effects out.
async fn drive(
    terminal: &mut DefaultTerminal,
    screen: &mut Screen<'_>,
    effects: &mut Effects,
    theme: &Theme,
) -> Result<(), CeremonyError> {
    let term_err = CeremonyError::Terminal;
    let mut keys = KeyReader::new().map_err(term_err)?;
    let mut sigterm = signal(SignalKind::terminate()).map_err(term_err)?;
    let mut hangup = signal(SignalKind::hangup()).map_err(term_err)?;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        if effects.clear {
            clear_screen(terminal).map_err(term_err)?;
            effects.clear = false;
        }
        screen.draw(terminal, theme).map_err(term_err)?;
        if screen.quitting() {
            return Ok(());
        }
        let msgs: Vec<CeremonyMsg> = tokio::select! {
            batch = keys.next_batch() => {
                let now = WallClock.now();
                match batch.map_err(term_err)? {
                    Some(keys) => keys.into_iter().map(|k| CeremonyMsg::Key(k, now)).collect(),
                    None => vec![CeremonyMsg::Terminate(now)],
                }
            }
            _ = tick.tick() => vec![CeremonyMsg::Tick(WallClock.now())],
            _ = sigterm.recv() => vec![CeremonyMsg::Terminate(WallClock.now())],
            _ = hangup.recv() => vec![CeremonyMsg::Terminate(WallClock.now())],
        };
        // Every key of the batch is handled, its effects carried out in
        // order, before the one frame drawn for the whole batch.
        for msg in msgs {
            if screen.quitting() {
                break;
            }
            handle(screen, msg, effects, terminal, theme).await?;
        }
    }
}

/// Hands one message to the screen and carries out what it asks, feeding
/// the answers back.
async fn handle(
    screen: &mut Screen<'_>,
    msg: CeremonyMsg,
    effects: &mut Effects,
    terminal: &mut DefaultTerminal,
    theme: &Theme,
) -> Result<(), CeremonyError> {
    let mut queue: VecDeque<CeremonyEffect> = screen.update(msg).into();
    while let Some(effect) = queue.pop_front() {
        let slow = matches!(
            effect,
            CeremonyEffect::Decrypt(_) | CeremonyEffect::Assess(_)
        );
        if slow {
            // Show "decrypting…" / "checking…" while it happens.
            screen
                .draw(terminal, theme)
                .map_err(CeremonyError::Terminal)?;
        }
        if let Some(reply) = effects.run(effect).await? {
            queue.extend(screen.update(reply));
        }
    }
    Ok(())
}
