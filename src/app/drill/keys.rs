//! The drill screen's keys: the controls, typing a note, picking an inject
//! to fire by hand, and why a key that does nothing did nothing (said in
//! the facilitator's pane only).

use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{DrillEffect, DrillMode, DrillScreen};
use crate::domain::drill::moments::Happening;
use crate::domain::drill::report::offset;
use crate::domain::drill::timeline::{DrillEvent, Phase};

impl DrillScreen {
    pub(super) fn refuse(&mut self, why: &str) -> Vec<DrillEffect> {
        self.notice = Some(why.to_owned());
        Vec::new()
    }

    /// Why a control key would do nothing now, if it would.
    pub(super) fn why_not(&self, code: KeyCode) -> Option<String> {
        let d = self.drill();
        let phase = d.phase();
        let not_started = "the drill has not started: s starts it".to_owned();
        let ended = || {
            let report = self
                .report_note
                .as_deref()
                .unwrap_or("the report is being written");
            format!("the drill has ended ({report})")
        };
        match code {
            KeyCode::Char('s') => match phase {
                Phase::Briefing => None,
                Phase::Running => Some("the drill is already running".to_owned()),
                Phase::Paused => Some("the drill is paused: p resumes it".to_owned()),
                Phase::Ended => Some(ended()),
            },
            KeyCode::Char('p' | ' ' | '1' | '2' | '0' | 'n' | 'i' | 'r' | 'e')
                if phase == Phase::Ended =>
            {
                Some(ended())
            }
            KeyCode::Char('p' | ' ' | '1' | '2' | '0' | 'n' | 'i' | 'r')
                if phase == Phase::Briefing =>
            {
                Some(not_started)
            }
            KeyCode::Char('n') if d.next_inject().is_none_or(|(_, at)| at <= d.elapsed()) => {
                Some("no timed inject is left: i fires one by hand".to_owned())
            }
            KeyCode::Char('i') if (0..d.scenario().injects.len()).all(|i| d.fired(i)) => {
                Some("every inject has fired".to_owned())
            }
            KeyCode::Char('r') if d.scenario().runbooks.is_empty() => {
                Some("the scenario names no runbook to run".to_owned())
            }
            KeyCode::Char('p' | ' ' | '1' | '2' | '0' | 'n' | 'i' | 'a' | 'e' | 'r' | '?') => None,
            KeyCode::Char(c) => Some(format!("{c} does nothing here: ? lists the drill's keys")),
            _ => None,
        }
    }

    pub(super) fn control_key(&mut self, key: KeyEvent) -> Vec<DrillEffect> {
        match key.code {
            KeyCode::Char('s') if self.drill().phase() == Phase::Briefing => {
                self.handle(DrillEvent::Start)
            }
            KeyCode::Char('p' | ' ') => match self.drill().phase() {
                Phase::Running => self.handle(DrillEvent::Pause),
                Phase::Paused => self.handle(DrillEvent::Resume),
                _ => Vec::new(),
            },
            KeyCode::Char('1') => self.handle(DrillEvent::Speed(1)),
            KeyCode::Char('2') => self.handle(DrillEvent::Speed(2)),
            KeyCode::Char('0') => self.handle(DrillEvent::Speed(10)),
            KeyCode::Char('n') => self.handle(DrillEvent::SkipToNext),
            KeyCode::Char('i') if self.drill().phase() != Phase::Briefing => {
                self.mode = DrillMode::PickInject(0);
                Vec::new()
            }
            KeyCode::Char('a') => {
                self.mode = DrillMode::Annotate(String::new());
                Vec::new()
            }
            KeyCode::Char('e') if self.drill().phase() != Phase::Ended => {
                self.mode = DrillMode::ConfirmEnd;
                Vec::new()
            }
            KeyCode::Char('r') if self.drill().phase() != Phase::Briefing => self
                .drill()
                .scenario()
                .runbooks
                .first()
                .map(|r| vec![DrillEffect::StartRunbook(r.clone())])
                .unwrap_or_default(),
            KeyCode::Char('?') => {
                self.help = true;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    pub(super) fn annotate_key(&mut self, key: KeyEvent, mut text: String) -> Vec<DrillEffect> {
        match key.code {
            KeyCode::Esc => self.mode = DrillMode::Controls,
            KeyCode::Enter if text.trim().is_empty() => {
                self.mode = DrillMode::Controls;
                return self.refuse("an empty note is not kept");
            }
            KeyCode::Enter => {
                self.mode = DrillMode::Controls;
                return self.handle(DrillEvent::Annotate(text));
            }
            KeyCode::Backspace => {
                text.pop();
                self.mode = DrillMode::Annotate(text);
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                text.push(c);
                self.mode = DrillMode::Annotate(text);
            }
            _ => self.mode = DrillMode::Annotate(text),
        }
        Vec::new()
    }

    pub(super) fn pick_key(&mut self, key: KeyEvent, i: usize) -> Vec<DrillEffect> {
        let n = self.drill().scenario().injects.len();
        match key.code {
            KeyCode::Esc => self.mode = DrillMode::Controls,
            KeyCode::Down | KeyCode::Char('j') => {
                self.mode = DrillMode::PickInject((i + 1).min(n.saturating_sub(1)));
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.mode = DrillMode::PickInject(i.saturating_sub(1));
            }
            KeyCode::Enter if self.drill().fired(i) => {
                let name = self
                    .drill()
                    .scenario()
                    .injects
                    .get(i)
                    .map_or("it", |inj| inj.name.as_str());
                let at = self
                    .fired_at(name)
                    .map_or_else(String::new, |t| format!(" at {}", offset(t)));
                return self.refuse(&format!("{name} already fired{at}: pick another or Esc"));
            }
            KeyCode::Enter => {
                self.mode = DrillMode::Controls;
                return self.handle(DrillEvent::InjectByHand(i));
            }
            _ => {}
        }
        Vec::new()
    }

    /// When the inject named `name` fired, from the timeline.
    fn fired_at(&self, name: &str) -> Option<Duration> {
        self.drill().moments().iter().find_map(|m| match &m.what {
            Happening::Inject { name: n, .. } if n == name => Some(m.at),
            _ => None,
        })
    }
}
