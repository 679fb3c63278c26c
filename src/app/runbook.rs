//! The runbook screen: what the operator sees of a run and what their keys
//! ask of it.
//!
//! The engine owns the run; this screen owns only presentation state (the
//! selected step, the gate form being filled in, the help overlay). The
//! runtime hands it a fresh [`RunView`] whenever the run changes, and turns
//! the [`RunEffect`]s it returns into engine events. Like the dashboard's
//! `App::update`, [`RunScreen::update`] is pure.

use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::domain::runbook::plan::Phase;
use crate::domain::runbook::protocol::RunOutcome;
pub use crate::domain::runbook::protocol::{Choice, Mode};

/// The header's banner for where a run's actions land: the engine's
/// [`Mode`] in words, so the screen and the engine share one enum.
#[must_use]
pub fn mode_banner(mode: &Mode) -> String {
    match mode {
        Mode::Live { environment } => format!("LIVE: {environment}"),
        Mode::Practice => "PRACTICE · simulated".to_string(),
        Mode::DryRun => "DRY RUN · nothing runs".to_string(),
    }
}

/// A step's state as the operator reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    /// Not reached yet.
    Pending,
    /// Waiting for the operator's confirmation.
    AwaitingGate,
    /// Running now.
    Running,
    /// Done and checked.
    Passed,
    /// Failed: the run waits for a decision.
    Failed,
    /// Skipped through a gate.
    Skipped,
    /// The process died while it ran: verify before retrying.
    OutcomeUnknown,
    /// Its rollback ran.
    RolledBack,
}

impl StepStatus {
    /// The word shown beside the step: never colour alone.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            StepStatus::Pending => "pending",
            StepStatus::AwaitingGate => "awaiting gate",
            StepStatus::Running => "running",
            StepStatus::Passed => "passed",
            StepStatus::Failed => "FAILED",
            StepStatus::Skipped => "skipped",
            StepStatus::OutcomeUnknown => "OUTCOME UNKNOWN",
            StepStatus::RolledBack => "rolled back",
        }
    }

    /// The symbol shown beside the word.
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            StepStatus::Pending => "·",
            StepStatus::AwaitingGate => "⏸",
            StepStatus::Running => "▶",
            StepStatus::Passed => "✓",
            StepStatus::Failed => "✗",
            StepStatus::Skipped => "»",
            StepStatus::OutcomeUnknown => "?",
            StepStatus::RolledBack => "↶",
        }
    }
}

/// One line of the step list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRow {
    /// Which part of the runbook.
    pub phase: Phase,
    /// The step's name.
    pub name: String,
    /// Its description, if any.
    pub description: Option<String>,
    /// Its state.
    pub status: StepStatus,
    /// The exact command or call, variables filled in.
    pub command: String,
    /// How long it has run (or ran).
    pub elapsed: Option<Duration>,
    /// Its timeout, if any.
    pub timeout: Option<Duration>,
    /// Current attempt, from 1.
    pub attempt: u32,
    /// Attempts allowed.
    pub max_attempts: u32,
    /// Why it failed, was skipped, or what the operator must check.
    pub note: Option<String>,
}

/// A confirmation the run is waiting for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatePrompt {
    /// The step behind the gate.
    pub step: String,
    /// What passing the gate will do (e.g. "promote eu-west-1").
    pub action: String,
    /// In live mode, the environment the step acts on.
    pub environment: Option<String>,
    /// The exact phrase to type; `None` for a plain yes.
    pub phrase: Option<String>,
    /// A question the operator must judge (a free-text threshold).
    pub question: Option<String>,
    /// Distinct approvers needed.
    pub approvers: u8,
    /// Whether a reason is required.
    pub reason: bool,
}

/// The key that chooses an operator's choice about a failed or unknown
/// step, and its label: the one keyboard meaning of the engine's
/// [`Choice`], so the screen and the engine share one enum.
#[must_use]
pub fn choice_key(choice: Choice) -> (char, &'static str) {
    match choice {
        Choice::Retry => ('r', "retry"),
        Choice::Skip => ('s', "skip (gated)"),
        Choice::RollBack => ('b', "roll back"),
        Choice::Abort => ('x', "abort"),
        Choice::MarkPassed => ('v', "verified: mark passed"),
        Choice::Override => ('o', "override failed pre-checks (gated)"),
    }
}

/// How a run ended, typed, so every reader (the screen, the drill) decides
/// from the outcome itself, never from its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunEnd {
    /// Recovered, rolled back or aborted.
    pub outcome: RunOutcome,
    /// How long the run took.
    pub took: Duration,
    /// The runbook's RTO, to say whether it was met.
    pub rto: Option<Duration>,
}

/// Everything the screen shows of a run, rebuilt by the runtime from the
/// engine whenever something changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunView {
    /// Runbook name and version.
    pub title: String,
    /// Live, practice or dry run.
    pub mode: Mode,
    /// Time since the run started (the RTO clock).
    pub elapsed: Duration,
    /// The runbook's RTO.
    pub rto: Option<Duration>,
    /// True once the clock stopped (service restored or run ended).
    pub clock_stopped: bool,
    /// Every step in run order: pre-checks, steps, post-checks, rollback.
    pub rows: Vec<StepRow>,
    /// Output of the step the run is on (most recent last).
    pub output: Vec<String>,
    /// The gate being waited on.
    pub gate: Option<GatePrompt>,
    /// Choices offered about a failed or unknown step.
    pub choices: Vec<Choice>,
    /// The run's end, once it ended: the screen words it.
    pub outcome: Option<RunEnd>,
    /// The journal file, so the operator knows where the record is.
    pub journal: String,
}

/// The field of the gate form being typed into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateField {
    /// The confirmation phrase.
    Phrase,
    /// An approver's name (index into the list).
    Approver(usize),
    /// The reason.
    Reason,
    /// The answer to the gate's question.
    Answer,
}

/// A gate form being filled in. It keeps no history: it is dropped once
/// submitted or cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GateForm {
    /// Typed phrase.
    pub phrase: String,
    /// Approvers' names typed so far.
    pub approvers: Vec<String>,
    /// Typed reason.
    pub reason: String,
    /// Typed answer to the gate's question.
    pub answer: String,
    field: usize,
}

/// The operator's answer to a gate, for the engine to judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateAnswer {
    /// The step it answers.
    pub step: String,
    /// The phrase as typed.
    pub phrase: String,
    /// The approvers as typed.
    pub approvers: Vec<String>,
    /// The reason as typed.
    pub reason: String,
    /// The answer to the question, as typed.
    pub answer: String,
}

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
        };
        s.follow_run();
        s
    }

    /// Takes the engine's new picture; the selection follows the step the
    /// run is on, and a new gate opens its form.
    pub fn show(&mut self, view: RunView) {
        let gate_changed =
            self.view.gate.as_ref().map(|g| &g.step) != view.gate.as_ref().map(|g| &g.step);
        self.view = view;
        if gate_changed {
            self.form = self.view.gate.as_ref().map(|_| GateForm::default());
        }
        self.follow_run();
    }

    fn follow_run(&mut self) {
        let active = self.view.rows.iter().position(|r| {
            matches!(
                r.status,
                StepStatus::Running
                    | StepStatus::AwaitingGate
                    | StepStatus::Failed
                    | StepStatus::OutcomeUnknown
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
                    return vec![RunEffect::Decide(d)];
                }
            }
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
        let (Some(gate), Some(form)) = (&self.view.gate, self.form.take()) else {
            return Vec::new();
        };
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

impl GateForm {
    /// The text of one field, for the renderer.
    #[must_use]
    pub fn text(&self, field: GateField) -> &str {
        match field {
            GateField::Phrase => &self.phrase,
            GateField::Approver(i) => self.approvers.get(i).map_or("", String::as_str),
            GateField::Reason => &self.reason,
            GateField::Answer => &self.answer,
        }
    }

    fn text_mut(&mut self, field: GateField) -> Option<&mut String> {
        match field {
            GateField::Phrase => Some(&mut self.phrase),
            GateField::Approver(i) => {
                if self.approvers.len() <= i {
                    self.approvers.resize(i + 1, String::new());
                }
                self.approvers.get_mut(i)
            }
            GateField::Reason => Some(&mut self.reason),
            GateField::Answer => Some(&mut self.answer),
        }
    }
}
