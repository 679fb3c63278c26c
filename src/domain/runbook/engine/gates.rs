//! The operator's part of a run: gates (typed phrase, approvers, reason)
//! and the decisions asked about failed or unknown steps, including the
//! rollback queue a decision to roll back starts.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::{Engine, tasks};
use crate::domain::runbook::plan::{Phase, Plan, RollbackTrigger};
use crate::domain::runbook::protocol::{
    Choice, Command, DecisionRequest, GateAnswer, GatePurpose, GateRequest, RunOutcome, Task,
};
use crate::domain::runbook::record::{Record, RunState, Stage, StepState};
use crate::domain::time::Timestamp;

impl Engine {
    /// The failed or unknown tasks the operator must decide about now.
    #[must_use]
    pub fn decisions(&self) -> Vec<DecisionRequest> {
        let stage = self.state.stage;
        let mut out = Vec::new();
        for task in self.active() {
            let task_state = self.state.state(task);
            let why = match &task_state {
                StepState::Failed { reason } => format!("failed: {reason}"),
                StepState::OutcomeUnknown => {
                    "outcome unknown: it was running when drconsole stopped; verify before retrying"
                        .to_owned()
                }
                _ => continue,
            };
            let mut options = vec![Choice::Retry, Choice::Skip];
            if task_state == StepState::OutcomeUnknown {
                options.push(Choice::MarkPassed);
            }
            match stage {
                Stage::PreChecks => options.push(Choice::Override),
                Stage::Steps | Stage::PostChecks => options.push(Choice::RollBack),
                _ => {}
            }
            options.push(Choice::Abort);
            out.push(DecisionRequest { task, why, options });
        }
        out
    }

    /// Asks each decision not asked yet since it last changed.
    pub(super) fn prompt_decisions(&mut self, out: &mut Vec<Command>) {
        for d in self.decisions() {
            if self.prompted.insert(d.task) {
                out.push(Command::AwaitDecision(d));
            }
        }
    }

    fn gate_request(&self, purpose: GatePurpose, at: Timestamp) -> GateRequest {
        let env = self.mode.label().to_owned();
        let name = |t: &Task| {
            self.plan
                .step(t.step())
                .map_or_else(|| "?".to_owned(), |s| s.name.clone())
        };
        let (title, phrase, approvers, reason_required, question) = match &purpose {
            GatePurpose::Run(task) => {
                let step = self.plan.step(task.step());
                let gate = step.and_then(|s| s.gate.as_ref());
                let vars = self.vars(at);
                let phrase = gate
                    .and_then(|g| g.phrase.as_ref())
                    .map(|p| p.render(&vars).unwrap_or_else(|_| p.preview(&vars)));
                (
                    format!("Run {} on {env}", name(task)),
                    phrase,
                    gate.map_or(1, |g| g.approvers.max(1)),
                    gate.is_some_and(|g| g.reason),
                    step.and_then(|s| s.question.clone()),
                )
            }
            GatePurpose::Skip(task) => (
                format!("Skip {} on {env}", name(task)),
                Some(format!("skip {}", name(task))),
                self.plan
                    .step(task.step())
                    .and_then(|s| s.gate.as_ref())
                    .map_or(1, |g| g.approvers.max(1)),
                true,
                None,
            ),
            GatePurpose::Retry(task) => (
                format!(
                    "Run {} again on {env}: its outcome is unknown, verify before retrying",
                    name(task)
                ),
                Some(format!("retry {}", name(task))),
                1,
                true,
                None,
            ),
            GatePurpose::MarkPassed(task) => (
                format!(
                    "Record {} as passed on {env}: you verified it worked",
                    name(task)
                ),
                Some(format!("{} passed", name(task))),
                1,
                true,
                None,
            ),
            GatePurpose::OverridePreChecks => (
                format!("Go on despite failed pre-checks on {env}"),
                Some("override pre-checks".to_owned()),
                1,
                true,
                None,
            ),
        };
        GateRequest {
            purpose,
            title,
            phrase,
            approvers,
            reason_required,
            question,
            environment: env,
        }
    }

    /// Journals and asks the gate for `purpose`, refusing while another
    /// gate waits for an answer.
    pub(super) fn ask(&mut self, purpose: GatePurpose, at: Timestamp, out: &mut Vec<Command>) {
        if self.state.gate.is_some() {
            out.push(Command::GateRefused {
                why: "another gate is waiting for an answer".to_owned(),
            });
            return;
        }
        let request = self.gate_request(purpose, at);
        self.record(
            out,
            at,
            Record::GateAsked {
                request: request.clone(),
            },
        );
        out.push(Command::AwaitGate(request));
    }

    /// Checks an answer to the waiting gate and journals its refusal or
    /// what passing it allows.
    pub(super) fn on_gate_answer(
        &mut self,
        at: Timestamp,
        answer: GateAnswer,
        out: &mut Vec<Command>,
    ) {
        let Some(pending) = self.state.gate.clone() else {
            return;
        };
        let request = pending.request;
        if let Err(why) = check_answer(&request, &answer) {
            self.record(
                out,
                at,
                Record::GateRefused {
                    purpose: request.purpose.clone(),
                    why: why.clone(),
                },
            );
            out.push(Command::GateRefused { why });
            out.push(Command::AwaitGate(request));
            return;
        }
        let reason = answer.reason.clone().unwrap_or_default();
        let purpose = request.purpose.clone();
        self.record(
            out,
            at,
            Record::GatePassed {
                purpose: purpose.clone(),
                answer,
            },
        );
        match purpose {
            GatePurpose::Run(_) => {}
            GatePurpose::Skip(task) => self.record(out, at, Record::Skipped { task }),
            GatePurpose::Retry(task) => self.record(out, at, Record::Retry { task }),
            GatePurpose::MarkPassed(task) => self.record(out, at, Record::MarkedPassed { task }),
            GatePurpose::OverridePreChecks => self.record(out, at, Record::Overridden { reason }),
        }
    }

    /// Carries out the operator's choice for a failed or unknown task.
    pub(super) fn on_decision(
        &mut self,
        at: Timestamp,
        task: Task,
        choice: Choice,
        out: &mut Vec<Command>,
    ) {
        let allowed = self
            .decisions()
            .into_iter()
            .find(|d| d.task == task)
            .is_some_and(|d| d.options.contains(&choice));
        if !allowed {
            self.prompted.remove(&task); // ask again
            out.push(Command::GateRefused {
                why: format!("{choice:?} is not possible for this step now"),
            });
            return;
        }
        self.prompted.remove(&task);
        let unknown = self.state.state(task) == StepState::OutcomeUnknown;
        match choice {
            Choice::Retry if unknown => self.ask(GatePurpose::Retry(task), at, out),
            Choice::Retry => {
                self.record(out, at, Record::Decided { task, choice });
                self.record(out, at, Record::Retry { task });
            }
            Choice::Skip => self.ask(GatePurpose::Skip(task), at, out),
            Choice::MarkPassed => self.ask(GatePurpose::MarkPassed(task), at, out),
            Choice::Override => self.ask(GatePurpose::OverridePreChecks, at, out),
            Choice::RollBack => {
                self.record(out, at, Record::Decided { task, choice });
                let queue = rollback_queue(&self.plan, &self.state);
                self.record(out, at, Record::RollbackStarted { queue });
            }
            Choice::Abort => {
                self.record(out, at, Record::Decided { task, choice });
                self.finish(RunOutcome::Aborted, at, out);
            }
        }
    }
}

/// What rolling back `state` of `plan` would run now: the completed
/// steps' own rollbacks, newest first, then the runbook's rollback steps
/// when its trigger allows. One rule for the engine that starts the
/// rollback and the screen that asks the operator to confirm it.
#[must_use]
pub fn rollback_queue(plan: &Plan, state: &RunState) -> Vec<Task> {
    let mut queue: Vec<Task> = state
        .completed
        .iter()
        .rev()
        .filter(|s| plan.step(**s).is_some_and(|p| p.rollback.is_some()))
        .map(|s| Task::Undo(*s))
        .collect();
    let triggered = match &plan.rollback_trigger {
        RollbackTrigger::OnRequest => true,
        RollbackTrigger::AfterStep(name) => state.completed.iter().any(|s| {
            plan.step(*s).is_some_and(|p| &p.name == name)
                && state.state(Task::Step(*s)) == StepState::Passed
        }),
    };
    if triggered {
        queue.extend(tasks(plan, Phase::Rollback));
    }
    queue
}

/// Whether `answer` satisfies `request`: the exact phrase, enough distinct
/// approvers, a reason and an answer where asked.
///
/// # Errors
/// What is wrong, for the operator.
pub fn check_answer(request: &GateRequest, answer: &GateAnswer) -> Result<(), String> {
    if let Some(p) = &request.phrase
        && answer.phrase.as_deref() != Some(p.as_str())
    {
        return Err(format!(
            "the typed phrase does not match: type exactly \"{p}\""
        ));
    }
    let distinct: BTreeSet<&str> = answer
        .approvers
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
        .collect();
    if distinct.len() < usize::from(request.approvers) {
        let mut why = format!(
            "needs {} distinct approvers, got {}",
            request.approvers,
            distinct.len()
        );
        if distinct.len() < answer.approvers.len() {
            let _ = write!(why, " (duplicates and blanks do not count)");
        }
        return Err(why);
    }
    if request.reason_required && answer.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err("a reason is required".to_owned());
    }
    if let Some(q) = &request.question
        && answer.answer.as_deref().is_none_or(|a| a.trim().is_empty())
    {
        return Err(format!("answer the question: {q}"));
    }
    Ok(())
}
