//! The scripted team at a headless drill's gates and decisions: answers
//! from the script after its delay, and each gate told to the referee with
//! the dashboard as it stood when the gate opened.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::dashboard_text;
use crate::config::drill_script::Script;
use crate::domain::drill::referee::{Event, RunId};
use crate::domain::runbook::plan::StepRef;
use crate::domain::runbook::protocol::{
    Choice, DecisionRequest, GateAnswer, GatePurpose, GateRequest, Task,
};
use crate::domain::time::Timestamp;
use crate::runtime::run::GateAnswers;
use crate::sources::clock::Clock;
use crate::sources::sim::SimEstate;

/// Gate answers and decisions for one run, from the script.
pub(super) struct ScriptAnswers {
    pub(super) script: Script,
    pub(super) run: RunId,
    pub(super) names: BTreeMap<StepRef, String>,
    pub(super) sim: Arc<Mutex<SimEstate>>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) drill_start: Timestamp,
    /// Events for the referee; the drive loop relays them.
    pub(super) events: Arc<Mutex<Vec<Event>>>,
}

impl ScriptAnswers {
    fn step_name(&self, task: Task) -> String {
        self.names.get(&task.step()).cloned().unwrap_or_default()
    }

    fn tell(&self, event: Event) {
        if let Ok(mut e) = self.events.lock() {
            e.push(event);
        }
    }
}

impl GateAnswers for ScriptAnswers {
    async fn gate(&self, request: GateRequest) -> Option<GateAnswer> {
        let step = match request.purpose {
            GatePurpose::Run(t)
            | GatePurpose::Skip(t)
            | GatePurpose::Retry(t)
            | GatePurpose::MarkPassed(t) => self.step_name(t),
            GatePurpose::OverridePreChecks => "override_pre_checks".to_owned(),
        };
        let reply = self.script.gate(&step).clone();
        let opened = self.clock.now().since(self.drill_start);
        let dashboard = self
            .sim
            .lock()
            .map(|s| dashboard_text(&s))
            .unwrap_or_default();
        self.tell(Event::GateOpened {
            at: opened,
            run: self.run,
            step: step.clone(),
            dashboard,
        });
        tokio::time::sleep(reply.after).await;
        // The team gives a reason where the gate asks for one, as the
        // console's gate form does.
        let reason = if request.reason_required {
            reply.reason.clone()
        } else {
            String::new()
        };
        let mut approvers = reply.approvers.clone();
        for i in approvers.len()..usize::from(request.approvers) {
            approvers.push(format!("approver-{}", i + 1));
        }
        self.tell(Event::GateAnswered {
            at: opened.saturating_add(reply.after),
            run: self.run,
            step,
            approvers: approvers.clone(),
            reason: reason.clone(),
            declined: reply.decline,
        });
        if reply.decline {
            return None;
        }
        Some(GateAnswer {
            phrase: request.phrase.clone(),
            approvers,
            reason: request.reason_required.then_some(reason),
            answer: request.question.as_ref().map(|_| "yes".to_owned()),
        })
    }

    async fn decide(&self, request: DecisionRequest) -> Choice {
        let choice = self.script.decision(&self.step_name(request.task));
        if request.options.contains(&choice) {
            choice
        } else {
            Choice::Abort
        }
    }
}
