//! Who answers a run's gates and decisions: a script (tests, headless
//! drills) or the operator's screen through a channel of prompts.

use crate::domain::runbook::protocol::{Choice, DecisionRequest, GateAnswer, GateRequest};
use std::collections::VecDeque;
use std::future::Future;
use std::sync::Mutex;
use tokio::sync::{mpsc, oneshot};

/// Where gate answers and decisions come from: the screen, or a script.
pub trait GateAnswers: Send + Sync + 'static {
    /// Answers a gate; `None` declines it.
    fn gate(&self, request: GateRequest) -> impl Future<Output = Option<GateAnswer>> + Send;
    /// Chooses what to do about a failed or unknown task.
    fn decide(&self, request: DecisionRequest) -> impl Future<Output = Choice> + Send;
}

/// One scripted reply to a gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptedGate {
    /// Type the phrase exactly, with enough approvers, a reason and an answer.
    Approve,
    /// Answer with this (possibly wrong) answer.
    Answer(GateAnswer),
    /// Decline.
    Decline,
}

/// Answers from a script, for tests and drills: queued replies first, then
/// the defaults (approve every gate correctly or decline; abort on failure).
#[derive(Debug, Default)]
pub struct ScriptedAnswers {
    gates: Mutex<VecDeque<ScriptedGate>>,
    decisions: Mutex<VecDeque<Choice>>,
    approve_by_default: bool,
    asked: Mutex<Vec<GateRequest>>,
}

impl ScriptedAnswers {
    /// Approves every gate, aborts on every failure unless scripted.
    #[must_use]
    pub fn approving() -> Self {
        ScriptedAnswers {
            approve_by_default: true,
            ..Self::default()
        }
    }

    /// Declines every gate and aborts on every failure unless scripted.
    #[must_use]
    pub fn declining() -> Self {
        Self::default()
    }

    /// Queues replies to the next gates.
    #[must_use]
    pub fn with_gates(self, replies: impl IntoIterator<Item = ScriptedGate>) -> Self {
        if let Ok(mut g) = self.gates.lock() {
            g.extend(replies);
        }
        self
    }

    /// Queues the next decisions.
    #[must_use]
    pub fn with_decisions(self, choices: impl IntoIterator<Item = Choice>) -> Self {
        if let Ok(mut d) = self.decisions.lock() {
            d.extend(choices);
        }
        self
    }

    /// Every gate asked so far.
    #[must_use]
    pub fn asked(&self) -> Vec<GateRequest> {
        self.asked.lock().map(|a| a.clone()).unwrap_or_default()
    }

    /// The answer a careful operator gives to `request`.
    #[must_use]
    pub fn correct_answer(request: &GateRequest) -> GateAnswer {
        GateAnswer {
            phrase: request.phrase.clone(),
            approvers: (1..=request.approvers)
                .map(|i| format!("approver-{i}"))
                .collect(),
            reason: Some("scripted".to_owned()),
            answer: request.question.as_ref().map(|_| "yes".to_owned()),
        }
    }
}

impl GateAnswers for ScriptedAnswers {
    async fn gate(&self, request: GateRequest) -> Option<GateAnswer> {
        if let Ok(mut a) = self.asked.lock() {
            a.push(request.clone());
        }
        let next = self.gates.lock().ok().and_then(|mut g| g.pop_front());
        match next {
            Some(ScriptedGate::Approve) => Some(Self::correct_answer(&request)),
            Some(ScriptedGate::Answer(a)) => Some(a),
            None if self.approve_by_default => Some(Self::correct_answer(&request)),
            Some(ScriptedGate::Decline) | None => None,
        }
    }

    async fn decide(&self, _request: DecisionRequest) -> Choice {
        self.decisions
            .lock()
            .ok()
            .and_then(|mut d| d.pop_front())
            .unwrap_or(Choice::Abort)
    }
}

/// A question for the operator, with where to send the answer.
#[derive(Debug)]
pub enum Prompt {
    /// A gate; send `None` to decline.
    Gate(GateRequest, oneshot::Sender<Option<GateAnswer>>),
    /// A failed or unknown task.
    Decision(DecisionRequest, oneshot::Sender<Choice>),
}

/// Gate answers from a screen: every question arrives as a [`Prompt`] on
/// a channel and is answered through its oneshot. A dropped reply sender
/// declines the gate or aborts, never approves.
#[derive(Debug, Clone)]
pub struct ChannelAnswers {
    prompts: mpsc::UnboundedSender<Prompt>,
}

impl ChannelAnswers {
    /// The answers source and the receiver the screen reads prompts from.
    #[must_use]
    pub fn new() -> (Self, mpsc::UnboundedReceiver<Prompt>) {
        let (prompts, rx) = mpsc::unbounded_channel();
        (ChannelAnswers { prompts }, rx)
    }
}

impl GateAnswers for ChannelAnswers {
    async fn gate(&self, request: GateRequest) -> Option<GateAnswer> {
        let (tx, rx) = oneshot::channel();
        self.prompts.send(Prompt::Gate(request, tx)).ok()?;
        rx.await.ok().flatten()
    }

    async fn decide(&self, request: DecisionRequest) -> Choice {
        let (tx, rx) = oneshot::channel();
        if self.prompts.send(Prompt::Decision(request, tx)).is_err() {
            return Choice::Abort;
        }
        rx.await.unwrap_or(Choice::Abort)
    }
}
