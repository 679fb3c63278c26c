//! The runbook screen: what the operator sees of a run and what their keys
//! ask of it.
//!
//! The engine owns the run; this screen owns only presentation state (the
//! selected step, the gate form being filled in, the help overlay). The
//! runtime hands it a fresh [`RunView`] whenever the run changes, and turns
//! the [`RunEffect`]s it returns into engine events. Like the dashboard's
//! `App::update`, [`RunScreen::update`] is pure.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub use crate::domain::runbook::protocol::{Choice, Mode};
use crate::domain::runbook::record::StepState;

mod view;
pub use view::{
    GatePrompt, RunEnd, RunView, StepRow, choice_key, mode_banner, step_symbol, step_word,
};

mod gate;
pub use gate::{GateAnswer, GateField, GateForm};

mod confirm;
pub use confirm::{Confirm, phrase_problem};

/// What the screen asks the runtime to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEffect {
    /// Hand a gate answer to the engine.
    AnswerGate(GateAnswer),
    /// Hand a decision to the engine.
    Decide(Choice),
    /// Leave the screen; the journal keeps the run for a resume.
    Leave,
}

/// The screen's state.
#[derive(Debug, Clone)]
pub struct RunScreen {
    /// The latest picture of the run.
    pub view: RunView,
    /// The selected step (its output and command are shown).
    pub selected: usize,
    /// The gate form while the operator fills it in.
    pub form: Option<GateForm>,
    /// Help overlay open.
    pub help: bool,
    /// Asking "leave the run?".
    pub confirm_leave: bool,
    /// A one-line message for the footer.
    pub notice: Option<String>,
    /// A roll back or abort waiting for its typed phrase.
    pub confirm: Option<Confirm>,
}

impl RunScreen {
    /// A screen over the first picture of a run.
    #[must_use]
    pub fn new(view: RunView) -> Self {
        let form = view.gate.as_ref().map(|_| GateForm::default());
        let mut s = Self {
            view,
            selected: 0,
            form,
            help: false,
            confirm_leave: false,
            notice: None,
            confirm: None,
        };
        s.follow_run();
        s
    }

    /// Takes the engine's new picture; the selection follows the step the
    /// run is on, and a new gate opens its form.
    pub fn show(&mut self, view: RunView) {
        // The same gate asked again (a refused answer) keeps what was
        // typed; another gate starts a fresh form.
        let key = |g: &GatePrompt| (g.step.clone(), g.action.clone());
        let gate_changed = self.view.gate.as_ref().map(key) != view.gate.as_ref().map(key);
        self.view = view;
        // A confirmation follows the run: its phrase and steps are redrawn
        // from the new picture, and it closes when the choice is gone.
        if let Some(c) = self.confirm.take() {
            self.confirm = self
                .view
                .choices
                .contains(&c.choice)
                .then(|| Confirm::of(c.choice, &self.view))
                .flatten()
                .map(|fresh| Confirm {
                    typed: c.typed,
                    ..fresh
                });
        }
        if gate_changed {
            self.form = self.view.gate.as_ref().map(|_| GateForm::default());
        }
        self.follow_run();
    }

    fn follow_run(&mut self) {
        let active = self.view.rows.iter().position(|r| {
            matches!(
                r.status,
                StepState::Running
                    | StepState::Waiting { .. }
                    | StepState::AwaitingGate
                    | StepState::Failed { .. }
                    | StepState::OutcomeUnknown
            )
        });
        if let Some(i) = active {
            self.selected = i;
        }
        self.selected = self.selected.min(self.view.rows.len().saturating_sub(1));
    }

    /// The fields the current gate asks for, in the order Tab visits them.
    #[must_use]
    pub fn fields(&self) -> Vec<GateField> {
        let Some(gate) = &self.view.gate else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if gate.question.is_some() {
            out.push(GateField::Answer);
        }
        if gate.phrase.is_some() {
            out.push(GateField::Phrase);
        }
        for i in 0..usize::from(gate.approvers.max(1)) {
            out.push(GateField::Approver(i));
        }
        if gate.reason {
            out.push(GateField::Reason);
        }
        out
    }

    /// The field the cursor is in.
    #[must_use]
    pub fn current_field(&self) -> Option<GateField> {
        let form = self.form.as_ref()?;
        self.fields().get(form.field).copied()
    }

    /// Applies one key; returns what the runtime should do.
    pub fn update(&mut self, key: KeyEvent) -> Vec<RunEffect> {
        if self.confirm_leave {
            self.confirm_leave = false;
            return if matches!(key.code, KeyCode::Char('y' | 'Y')) {
                vec![RunEffect::Leave]
            } else {
                Vec::new()
            };
        }
        if self.help {
            self.help = false;
            return Vec::new();
        }
        if self.confirm.is_some() {
            return self.on_confirm_key(key);
        }
        if self.form.is_some() && self.view.gate.is_some() {
            return self.on_form_key(key);
        }
        self.on_key(key)
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<RunEffect> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('c') if ctrl => self.confirm_leave = true,
            KeyCode::Char('q') => {
                if self.view.outcome.is_some() {
                    return vec![RunEffect::Leave];
                }
                self.confirm_leave = true;
            }
            KeyCode::Char('?') => self.help = true,
            KeyCode::Down | KeyCode::Char('j') => {
                self.selected = (self.selected + 1).min(self.view.rows.len().saturating_sub(1));
            }
            KeyCode::Up | KeyCode::Char('k') => self.selected = self.selected.saturating_sub(1),
            KeyCode::Char('g') => self.selected = 0,
            KeyCode::Char('G') => self.selected = self.view.rows.len().saturating_sub(1),
            KeyCode::Enter if self.view.gate.is_some() => self.form = Some(GateForm::default()),
            KeyCode::Char(c) => {
                if let Some(d) = self
                    .view
                    .choices
                    .iter()
                    .copied()
                    .find(|d| choice_key(*d).0 == c)
                {
                    self.notice = None;
                    if let Some(c) = Confirm::of(d, &self.view) {
                        self.confirm = Some(c);
                        return Vec::new();
                    }
                    return vec![RunEffect::Decide(d)];
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// Keys while a roll back or abort waits for its phrase: Esc returns
    /// to the choices, Enter decides only on the exact phrase.
    fn on_confirm_key(&mut self, key: KeyEvent) -> Vec<RunEffect> {
        let Some(c) = self.confirm.as_mut() else {
            return Vec::new();
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => {
                self.confirm = None;
                self.notice = Some("not confirmed: choose again".to_owned());
            }
            KeyCode::Char('c') if ctrl => {
                self.confirm = None;
                self.confirm_leave = true;
            }
            KeyCode::Char('u') if ctrl => c.typed.clear(),
            KeyCode::Backspace => {
                c.typed.pop();
            }
            KeyCode::Enter if c.matches() => {
                let choice = c.choice;
                self.confirm = None;
                return vec![RunEffect::Decide(choice)];
            }
            KeyCode::Char(ch) if !ctrl => c.push(ch),
            _ => {}
        }
        Vec::new()
    }

    fn on_form_key(&mut self, key: KeyEvent) -> Vec<RunEffect> {
        let fields = self.fields();
        let Some(form) = self.form.as_mut() else {
            return Vec::new();
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let field = fields.get(form.field).copied();
        match key.code {
            KeyCode::Esc => {
                self.form = None;
                self.notice = Some("gate not answered: Enter reopens it".to_string());
            }
            KeyCode::Char('c') if ctrl => {
                self.form = None;
                self.confirm_leave = true;
            }
            KeyCode::Char('u') if ctrl => {
                if let Some(text) = field.and_then(|f| form.text_mut(f)) {
                    text.clear();
                }
            }
            KeyCode::Tab | KeyCode::Down => form.field = (form.field + 1) % fields.len().max(1),
            KeyCode::BackTab | KeyCode::Up => {
                form.field = (form.field + fields.len().max(1) - 1) % fields.len().max(1);
            }
            KeyCode::Backspace => {
                if let Some(text) = field.and_then(|f| form.text_mut(f)) {
                    text.pop();
                }
            }
            KeyCode::Enter => {
                if form.field + 1 < fields.len() {
                    form.field += 1;
                } else {
                    return self.submit();
                }
            }
            KeyCode::Char(c) if !ctrl => {
                if let Some(text) = field.and_then(|f| form.text_mut(f)) {
                    text.push(c);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn submit(&mut self) -> Vec<RunEffect> {
        let fields = self.fields();
        let (Some(gate), Some(form)) = (&self.view.gate, self.form.as_mut()) else {
            return Vec::new();
        };
        // Nothing is sent while a field says what is wrong with it: the
        // cursor goes there instead, and everything typed stays.
        if let Some((i, why)) = fields
            .iter()
            .enumerate()
            .find_map(|(i, f)| form.problem(*f, gate).map(|w| (i, w)))
        {
            form.field = i;
            self.notice = Some(format!("not sent: {why}"));
            return Vec::new();
        }
        let form = form.clone();
        let approvers: Vec<String> = form
            .approvers
            .iter()
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect();
        vec![RunEffect::AnswerGate(GateAnswer {
            step: gate.step.clone(),
            phrase: form.phrase,
            approvers,
            reason: form.reason.trim().to_string(),
            answer: form.answer.trim().to_string(),
        })]
    }
}
