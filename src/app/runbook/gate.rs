//! The gate form: what the operator types at a gate (phrase, approvers,
//! reason, answer) before it becomes a typed answer for the engine.

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
    pub(super) field: usize,
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

    pub(super) fn text_mut(&mut self, field: GateField) -> Option<&mut String> {
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

impl GateForm {
    /// What is wrong with `field` as typed, against `gate`: shown beside
    /// the field while the operator types, so a refusal never comes as a
    /// surprise after Enter. `None`: the field is fine.
    #[must_use]
    pub fn problem(&self, field: GateField, gate: &super::GatePrompt) -> Option<String> {
        match field {
            GateField::Phrase => gate
                .phrase
                .as_deref()
                .and_then(|p| super::confirm::phrase_problem(p, &self.phrase)),
            GateField::Approver(i) => {
                let name = self.text(field).trim();
                if name.is_empty() {
                    return Some("a name is needed".to_owned());
                }
                let earlier = (0..i).any(|j| self.text(GateField::Approver(j)).trim() == name);
                earlier.then(|| "already named: approvers must be distinct people".to_owned())
            }
            GateField::Reason => self
                .reason
                .trim()
                .is_empty()
                .then(|| "a reason is required".to_owned()),
            GateField::Answer => self
                .answer
                .trim()
                .is_empty()
                .then(|| "answer the question first".to_owned()),
        }
    }
}
