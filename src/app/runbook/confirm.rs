//! Rolling back and aborting are confirmed like a gate: one key never
//! undoes a failover or ends a run. The choice is carried, typed, through
//! the confirmation and reaches the engine only when the operator has
//! typed the phrase that names what will happen.

use super::{Choice, RunView};

/// A roll back or abort waiting for its typed phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    /// What passing it decides.
    pub choice: Choice,
    /// The exact phrase to type.
    pub phrase: String,
    /// What the operator typed so far.
    pub typed: String,
    /// The rollback steps that will run (empty for an abort).
    pub steps: Vec<String>,
}

/// The longest phrase answer kept: a paste of anything longer is not the
/// phrase.
const MAX_TYPED: usize = 256;

impl Confirm {
    /// The confirmation `choice` needs over `view`, if it needs one.
    #[must_use]
    pub fn of(choice: Choice, view: &RunView) -> Option<Self> {
        let (phrase, steps) = match choice {
            Choice::RollBack => {
                let n = view.rollback.len();
                let steps = if n == 1 { "step" } else { "steps" };
                (
                    format!("roll back {n} {steps} of {}", view.title),
                    view.rollback.clone(),
                )
            }
            Choice::Abort => (format!("abort {}", view.title), Vec::new()),
            _ => return None,
        };
        Some(Self {
            choice,
            phrase,
            typed: String::new(),
            steps,
        })
    }

    /// Whether what is typed is the phrase, exactly.
    #[must_use]
    pub fn matches(&self) -> bool {
        self.typed == self.phrase
    }

    /// What is wrong with what is typed so far, shown at the field as the
    /// operator types: `None` once it matches.
    #[must_use]
    pub fn problem(&self) -> Option<String> {
        phrase_problem(&self.phrase, &self.typed)
    }

    /// Adds a typed character.
    pub fn push(&mut self, c: char) {
        if self.typed.len() < MAX_TYPED {
            self.typed.push(c);
        }
    }
}

/// What is wrong with `typed` as the phrase `phrase`, for the field's own
/// line: the one rule of every typed phrase (gates and confirmations).
#[must_use]
pub fn phrase_problem(phrase: &str, typed: &str) -> Option<String> {
    if typed == phrase {
        return None;
    }
    let unquoted = typed.trim_matches(['"', '\'', '“', '”']);
    Some(if typed.is_empty() {
        "not typed yet".to_owned()
    } else if unquoted == phrase {
        "without the quotes".to_owned()
    } else if phrase.starts_with(typed) {
        "…go on typing".to_owned()
    } else {
        format!("does not match: type exactly {phrase}")
    })
}
