//! Joins a runbook run to the runbook screen: the driver's snapshots and
//! prompts become [`RunView`]s; the screen's gate answers and decisions go
//! back through the prompt's reply channel.
//!
//! The bridge owns the prompt it is waiting on; dropping it (the operator
//! left) declines the gate or aborts, never approves.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::app::runbook::{
    GateAnswer as ScreenAnswer, GatePrompt, RunEffect, RunEnd, RunView, StepRow,
};
use crate::domain::runbook::engine::{rollback_queue, run_vars};
use crate::domain::runbook::plan::{Phase, Plan, StepRef};
use crate::domain::runbook::protocol::{GateAnswer, GatePurpose, GateRequest, Mode, Task};
use crate::domain::runbook::record::StepState;
use crate::domain::runbook::render::dry_run_with;
use crate::domain::time::Timestamp;
use crate::runtime::console::RunLink;
use crate::runtime::run::{Prompt, RunSnapshot};
use crate::sources::clock::Clock;

/// Everything that stays the same for a run's views.
pub struct RunFacts {
    /// The plan being run.
    pub plan: Plan,
    /// How it touches the world.
    pub mode: Mode,
    /// Where its journal is.
    pub journal: String,
    /// Who drives the run when this console only follows it: the title
    /// then says READ-ONLY first.
    pub driven_by: Option<String>,
}

/// Starts the bridge task; returns the console's end of it.
pub fn spawn(
    facts: RunFacts,
    snapshots: watch::Receiver<RunSnapshot>,
    prompts: mpsc::UnboundedReceiver<Prompt>,
    clock: Arc<dyn Clock>,
) -> RunLink {
    let first = view(&facts, &snapshots.borrow(), None, clock.now());
    let (view_tx, views) = mpsc::unbounded_channel();
    let (control, effects) = mpsc::unbounded_channel();
    tokio::spawn(bridge(facts, snapshots, prompts, effects, view_tx, clock));
    RunLink {
        first,
        views,
        control,
    }
}

async fn bridge(
    facts: RunFacts,
    mut snapshots: watch::Receiver<RunSnapshot>,
    mut prompts: mpsc::UnboundedReceiver<Prompt>,
    mut effects: mpsc::UnboundedReceiver<RunEffect>,
    views: mpsc::UnboundedSender<RunView>,
    clock: Arc<dyn Clock>,
) {
    // Every prompt keeps its reply sender until answered: dropping one
    // would decline or abort on the operator's behalf.
    let mut waiting: VecDeque<Prompt> = VecDeque::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut snapshots_open = true;
    loop {
        tokio::select! {
            changed = snapshots.changed(), if snapshots_open => {
                if changed.is_err() { snapshots_open = false; }
            }
            Some(p) = prompts.recv() => waiting.push_back(p),
            effect = effects.recv() => match effect {
                None | Some(RunEffect::Leave) => return,
                Some(RunEffect::AnswerGate(a)) => {
                    if matches!(waiting.front(), Some(Prompt::Gate(..)))
                        && let Some(Prompt::Gate(request, reply)) = waiting.pop_front()
                    {
                        let _ = reply.send(Some(to_answer(&request, a)));
                    }
                }
                Some(RunEffect::Decide(d)) => {
                    if matches!(waiting.front(), Some(Prompt::Decision(..)))
                        && let Some(Prompt::Decision(_, reply)) = waiting.pop_front()
                    {
                        let _ = reply.send(d);
                    }
                }
            },
            _ = tick.tick() => {}
        }
        let v = view(&facts, &snapshots.borrow(), waiting.front(), clock.now());
        if views.send(v).is_err() {
            return;
        }
    }
}

fn to_answer(request: &GateRequest, a: ScreenAnswer) -> GateAnswer {
    GateAnswer {
        phrase: request.phrase.as_ref().map(|_| a.phrase),
        approvers: a.approvers,
        reason: Some(a.reason).filter(|r| !r.is_empty()),
        answer: request.question.as_ref().map(|_| a.answer),
    }
}

fn note(state: &StepState, now: Timestamp) -> Option<String> {
    match state {
        StepState::Failed { reason } => Some(reason.clone()),
        StepState::OutcomeUnknown => Some("outcome unknown: verify before retrying".to_string()),
        StepState::Waiting { until } => {
            Some(format!("next attempt in {}s", until.since(now).as_secs()))
        }
        _ => None,
    }
}

fn step_name(plan: &Plan, purpose: &GatePurpose) -> String {
    match purpose {
        GatePurpose::Run(t)
        | GatePurpose::Skip(t)
        | GatePurpose::Retry(t)
        | GatePurpose::MarkPassed(t) => plan
            .step(t.step())
            .map_or_else(String::new, |s| s.name.clone()),
        GatePurpose::OverridePreChecks => "override failed pre-checks".to_string(),
    }
}

/// One row per step in run order, and the task whose output to show.
fn rows(
    plan: &Plan,
    mode: &Mode,
    snap: &RunSnapshot,
    now: Timestamp,
) -> (Vec<StepRow>, Option<Task>) {
    let commands = dry_run_with(plan, &run_vars(plan, &snap.state, mode, now));
    let mut rows = Vec::new();
    let mut current: Option<Task> = None;
    for phase in [
        Phase::PreCheck,
        Phase::Step,
        Phase::PostCheck,
        Phase::Rollback,
    ] {
        for (index, step) in plan.phase(phase).iter().enumerate() {
            let at = StepRef { phase, index };
            let task = snap.state.task(Task::Step(at));
            let undo = snap.state.task(Task::Undo(at));
            let status = if undo.state == StepState::Passed {
                StepState::RolledBack
            } else {
                task.state.clone()
            };
            if matches!(
                status,
                StepState::Running
                    | StepState::Waiting { .. }
                    | StepState::Failed { .. }
                    | StepState::OutcomeUnknown
            ) {
                current = Some(Task::Step(at));
            }
            if matches!(undo.state, StepState::Running | StepState::Failed { .. }) {
                current = Some(Task::Undo(at));
            }
            let elapsed = task
                .started
                .map(|s| task.ended.filter(|e| *e >= s).unwrap_or(now).since(s));
            rows.push(StepRow {
                phase,
                name: step.name.clone(),
                description: step.description.clone(),
                status,
                command: commands
                    .iter()
                    .find(|c| c.step == at)
                    .map_or_else(String::new, |c| {
                        // The script as sh gets it, then the values it
                        // refers to, escaped, one per line.
                        let mut text = c.command.clone();
                        for v in &c.values {
                            text.push_str("\nwith ");
                            text.push_str(v);
                        }
                        text
                    }),
                elapsed,
                timeout: step.timeout,
                attempt: task.attempt,
                max_attempts: step.retry.max_attempts,
                note: note(&task.state, now)
                    .or_else(|| note(&undo.state, now).map(|n| format!("rollback: {n}"))),
                output: snap
                    .output
                    .get(&Task::Step(at))
                    .cloned()
                    .unwrap_or_default(),
            });
        }
    }
    (rows, current)
}

/// The screen's picture of a run now.
#[must_use]
pub fn view(
    facts: &RunFacts,
    snap: &RunSnapshot,
    waiting: Option<&Prompt>,
    now: Timestamp,
) -> RunView {
    let plan = &facts.plan;
    let (rows, current) = rows(plan, &facts.mode, snap, now);
    let output = current
        .and_then(|t| snap.output.get(&t))
        .or_else(|| snap.output.values().last())
        .cloned()
        .unwrap_or_default();
    let (gate, choices) = match waiting {
        Some(Prompt::Gate(r, _)) => (
            Some(GatePrompt {
                step: step_name(plan, &r.purpose),
                action: r.title.clone(),
                environment: matches!(facts.mode, Mode::Live { .. }).then(|| r.environment.clone()),
                phrase: r.phrase.clone(),
                question: r.question.clone(),
                approvers: r.approvers,
                reason: r.reason_required,
            }),
            Vec::new(),
        ),
        Some(Prompt::Decision(d, _)) => (None, d.options.clone()),
        None => (None, Vec::new()),
    };
    let outcome = snap.report.as_ref().map(|r| RunEnd {
        outcome: r.outcome,
        took: r.elapsed,
        rto: r.rto,
    });
    let state = &snap.state;
    RunView {
        title: match &facts.driven_by {
            Some(driver) => format!(
                "{} {} · READ-ONLY, driven by {driver}",
                plan.name, plan.version
            ),
            None => format!("{} {}", plan.name, plan.version).trim().to_string(),
        },
        mode: facts.mode.clone(),
        elapsed: state.elapsed(now),
        rto: plan.rto,
        clock_stopped: state.recovered_at.is_some() || state.finished_at.is_some(),
        rows,
        output,
        gate,
        choices,
        outcome,
        journal: facts.journal.clone(),
        rollback: rollback_queue(plan, state)
            .into_iter()
            .map(|t| {
                let name = plan
                    .step(t.step())
                    .map_or_else(|| "?".to_owned(), |s| s.name.clone());
                match t {
                    Task::Undo(_) => format!("undo {name}"),
                    Task::Step(_) => name,
                }
            })
            .collect(),
        rotations: crate::domain::runbook::learned::key_rotations(plan, state, &facts.mode, now),
        halted: snap.halted.clone(),
    }
}

/// The journal file a run of `plan` uses by default: one per runbook and
/// set of values, so starting the same run again finds it and resumes.
#[must_use]
pub fn default_journal(dir: &Path, plan: &Plan) -> std::path::PathBuf {
    let stem = Path::new(&plan.source)
        .file_stem()
        .map_or_else(|| "run".into(), |s| s.to_string_lossy().into_owned());
    let short: String = plan.fingerprint.chars().take(12).collect();
    dir.join(format!("{stem}-{short}.journal"))
}
