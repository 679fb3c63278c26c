//! The practice runner: every operation goes to the simulated estate.
//!
//! It owns a handle to a [`SimEstate`] and a log, and nothing else: no
//! shell, no AWS client, no HTTP client, so it cannot start a process or
//! reach the network whatever the runbook says. Shell commands are
//! recorded, never executed.

use std::sync::{Arc, Mutex};

use super::{OutputSink, StepRunner, note};
use crate::domain::notify::{self, NotifyChannel};
use crate::domain::runbook::plan::SimCheck;
use crate::domain::runbook::protocol::{Job, Outcome, RenderedOperation, RenderedPractice, Task};
use crate::domain::runbook::script::ShellScript;
use crate::sources::sim::SimEstate;

/// What a practice run did with one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeRecord {
    /// The task.
    pub task: Task,
    /// The attempt.
    pub attempt: u32,
    /// The operation as it would have run live.
    pub would_run: String,
    /// What happened to the simulated estate.
    pub effect: String,
}

/// Routes every job to the simulated estate.
#[derive(Debug, Clone)]
pub struct PracticeRunner {
    estate: Arc<Mutex<SimEstate>>,
    log: Arc<Mutex<Vec<PracticeRecord>>>,
    channels: Vec<NotifyChannel>,
}

impl PracticeRunner {
    /// A runner acting on `estate` (shared with whoever shows it).
    #[must_use]
    pub fn new(estate: Arc<Mutex<SimEstate>>) -> Self {
        PracticeRunner {
            estate,
            log: Arc::new(Mutex::new(Vec::new())),
            channels: Vec::new(),
        }
    }

    /// Records notifications as these channels would receive them (an
    /// environment file's `[notify.*]`); without, only the message is.
    #[must_use]
    pub fn with_channels(mut self, channels: Vec<NotifyChannel>) -> Self {
        self.channels = channels;
        self
    }

    /// The estate it acts on.
    #[must_use]
    pub fn estate(&self) -> Arc<Mutex<SimEstate>> {
        Arc::clone(&self.estate)
    }

    /// Everything done so far, in order.
    #[must_use]
    pub fn log(&self) -> Vec<PracticeRecord> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    fn apply(&self, job: &Job) -> Result<String, String> {
        let mut estate = self
            .estate
            .lock()
            .map_err(|_| "the simulated estate is unavailable".to_owned())?;
        let err = |e: crate::sources::sim::SimError| e.to_string();
        let mut done = Vec::new();
        // The runbook's own practice effect first.
        match &job.practice {
            RenderedPractice::None => {}
            RenderedPractice::PromoteDatabase(r) => {
                estate.promote_database(r).map_err(err)?;
                done.push(format!("database primary is now {r}"));
            }
            RenderedPractice::Traffic(r, on) => {
                estate.set_traffic(r, *on).map_err(err)?;
                done.push(format!("traffic to {r} {}", on_off(*on)));
            }
            RenderedPractice::Validators(r, on) => {
                estate.set_validators_running(r, *on).map_err(err)?;
                done.push(format!(
                    "validators in {r} {}",
                    if *on { "started" } else { "stopped" }
                ));
            }
            RenderedPractice::RecoverRegion(r) => {
                estate.recover_region(r).map_err(err)?;
                done.push(format!("{r} recovered"));
            }
            p @ (RenderedPractice::RestoreChainState(_)
            | RenderedPractice::RestoreValidatorKey(_)
            | RenderedPractice::Validator(..)
            | RenderedPractice::StartNewKeyNode(_)
            | RenderedPractice::RotateKey(_)
            | RenderedPractice::KeySilent(_)
            | RenderedPractice::RotatedKeySigns(_)) => {
                done.push(key_or_restore(&mut estate, p)?);
            }
            RenderedPractice::StandbyValidators(from, to) => {
                estate.start_standby_validators(from, to).map_err(err)?;
                done.push(format!(
                    "standby keys of {from}'s validators started in {to}"
                ));
            }
            RenderedPractice::Check(check) => done.push(sim_check(&estate, *check)?),
            RenderedPractice::Fail(m) => return Err(m.clone()),
        }
        // Route53 built-ins act on the estate as AWS would.
        match &job.operation {
            RenderedOperation::RecordWeight { region, weight, .. } => {
                estate.set_traffic(region, *weight > 0).map_err(err)?;
                done.push(format!("weight of {region} set to {weight}"));
            }
            RenderedOperation::HealthCheck {
                inverted: Some(true),
                region: Some(r),
                ..
            } => {
                estate.set_traffic(r, false).map_err(err)?;
                done.push(format!("health check of {r} inverted: traffic stops"));
            }
            RenderedOperation::HealthCheck {
                disabled: Some(true),
                region,
                ..
            } => done.push(format!(
                "health check{} disabled: AWS reads it healthy, traffic keeps flowing",
                region
                    .as_ref()
                    .map(|r| format!(" of {r}"))
                    .unwrap_or_default()
            )),
            _ => {}
        }
        if done.is_empty() {
            done.push("recorded; no effect on the simulated estate".to_owned());
        }
        Ok(done.join("; "))
    }
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

impl StepRunner for PracticeRunner {
    fn replay(&self, job: &Job) -> Option<String> {
        // Checks judged the estate then; they change nothing to redo.
        if matches!(
            job.practice,
            RenderedPractice::Check(_)
                | RenderedPractice::KeySilent(_)
                | RenderedPractice::RotatedKeySigns(_)
        ) {
            return None;
        }
        let effect = match self.apply(job) {
            Ok(e) => e,
            Err(e) => format!("could not redo: {e}"),
        };
        if let Ok(mut log) = self.log.lock() {
            log.push(PracticeRecord {
                task: job.task,
                attempt: job.attempt,
                would_run: format!("replayed: {}", job.operation.describe()),
                effect: effect.clone(),
            });
        }
        Some(effect)
    }

    async fn run(&self, job: Job, sink: OutputSink) -> Outcome {
        let would_run = job.operation.describe();
        note(&sink, &job, format!("practice, not run: {would_run}"));
        for v in job
            .operation
            .shell()
            .map(ShellScript::value_lines)
            .unwrap_or_default()
        {
            note(&sink, &job, format!("  with {v}"));
        }
        let result = self.would_send(&job.operation).and_then(|sent| {
            for line in &sent {
                note(&sink, &job, line.clone());
            }
            let effect = self.apply(&job)?;
            Ok(sent
                .into_iter()
                .chain([effect])
                .collect::<Vec<_>>()
                .join("; "))
        });
        let effect = match &result {
            Ok(e) | Err(e) => e.clone(),
        };
        note(&sink, &job, format!("simulated estate: {effect}"));
        if let Ok(mut log) = self.log.lock() {
            log.push(PracticeRecord {
                task: job.task,
                attempt: job.attempt,
                would_run,
                effect,
            });
        }
        match result {
            // The real command prints the new node's address last; so does
            // practice, so a `capture:` reads it the same way.
            Ok(e) => match self.printed_address(&job) {
                Some(address) => {
                    note(
                        &sink,
                        &job,
                        format!("prints the new key's address: {address}"),
                    );
                    Outcome::ok(format!("{e}\n{address}"))
                }
                None => Outcome::ok(e),
            },
            Err(e) => Outcome::error(format!("practice: {e}")),
        }
    }
}

impl PracticeRunner {
    /// The consensus address a new-key node step prints.
    fn printed_address(&self, job: &Job) -> Option<String> {
        let RenderedPractice::StartNewKeyNode(v) = &job.practice else {
            return None;
        };
        self.estate.lock().ok()?.new_key_address(v)
    }

    /// What a `notification` step would send, one line per channel, built
    /// by the rule the live runner sends by; nothing for other operations.
    fn would_send(&self, op: &RenderedOperation) -> Result<Vec<String>, String> {
        let RenderedOperation::Notify {
            channels,
            message,
            severity,
            run,
        } = op
        else {
            return Ok(Vec::new());
        };
        let source = self
            .estate
            .lock()
            .map(|e| e.spec().environment.clone())
            .unwrap_or_default();
        let planned = notify::plan(
            &self.channels,
            channels,
            message,
            severity.as_deref(),
            run.as_deref().unwrap_or("drconsole"),
            &source,
        )
        .map_err(|e| e.to_string())?;
        if self.channels.is_empty() {
            return Ok(vec![format!(
                "would notify {} (no channels in the simulated estate): {message}",
                channels.join(", ")
            )]);
        }
        Ok(planned
            .iter()
            .map(|p| match (p.channel, &p.body) {
                (Some(c), Some(body)) => {
                    format!("would send to {} ({}): {body}", p.name, c.kind.label())
                }
                _ => format!(
                    "would not reach {}: no [notify.{}] in the environment file (live, this step fails)",
                    p.name, p.name
                ),
            })
            .collect())
    }
}

/// The effects on one region's state or one validator's key: a restore
/// from a chain-state snapshot, a key through the ceremony, fencing one
/// validator, a new-key node, a key rotation. One line for the output.
fn key_or_restore(
    estate: &mut crate::sources::sim::SimEstate,
    p: &RenderedPractice,
) -> Result<String, String> {
    let out = match p {
        RenderedPractice::RestoreChainState(r) => {
            estate.restore_chain_state(r).map(|r| r.describe())
        }
        RenderedPractice::RestoreValidatorKey(v) => estate.restore_validator_key(v),
        RenderedPractice::Validator(v, on) => estate.set_validator_running(v, *on),
        RenderedPractice::StartNewKeyNode(v) => estate.start_new_key_node(v),
        RenderedPractice::KeySilent(v) => estate.key_silent(v),
        RenderedPractice::RotatedKeySigns(v) => estate.rotated_key_signs(v),
        RenderedPractice::RotateKey(v) => estate.rotate_validator_key(v).map(|r| {
            format!(
                "key of {} rotated at height {}: {} left the validator set, {} signs from {}",
                r.validator,
                r.height.unwrap_or_default(),
                r.old_address,
                r.new_address,
                r.signs_from
            )
        }),
        _ => return Ok(String::new()),
    };
    out.map_err(|e| e.to_string())
}

/// A practice check judged against the simulated service; the line for
/// the output, or why it failed.
fn sim_check(estate: &crate::sources::sim::SimEstate, check: SimCheck) -> Result<String, String> {
    let service = estate.service();
    let (ok, what) = match check {
        SimCheck::ApiHealthy => (
            service.api_healthy,
            format!(
                "API served from {}",
                if service.serving.is_empty() {
                    "nowhere".to_owned()
                } else {
                    service.serving.join(", ")
                }
            ),
        ),
        SimCheck::BlocksCommitting => (
            service.blocks_committing,
            format!("chain at height {}", estate.chain_height()),
        ),
    };
    if !ok {
        return Err(format!(
            "check failed on the simulated estate: {what}, {}",
            match check {
                SimCheck::ApiHealthy => "API not healthy",
                SimCheck::BlocksCommitting => "no block committed in the last 20 s",
            }
        ));
    }
    Ok(format!("check passed: {what}"))
}
