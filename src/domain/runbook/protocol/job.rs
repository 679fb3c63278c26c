//! One attempt as the runner sees it: the operation with every value
//! filled in ([`Job`]), its practice-mode effect, and what came back
//! ([`Outcome`]).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Task;
use crate::domain::runbook::script::ShellScript;

/// A step's operation with every value filled in: what the runner executes
/// and what the screen shows as "about to run".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum RenderedOperation {
    /// `sh -c SCRIPT` with the values in its environment.
    Shell(ShellScript),
    /// CloudWatch `PutMetricData`.
    PutMetric {
        /// Namespace.
        namespace: String,
        /// Metric name.
        metric: String,
        /// The value.
        value: f64,
        /// Region to publish in; the runner's default when absent.
        region: Option<String>,
    },
    /// Route53 `UpdateHealthCheck`.
    HealthCheck {
        /// Health check id.
        health_check_id: String,
        /// New `Disabled`, if changed.
        disabled: Option<bool>,
        /// New `Inverted`, if changed.
        inverted: Option<bool>,
        /// The region it guards.
        region: Option<String>,
    },
    /// Route53 `ChangeResourceRecordSets` (UPSERT of one weighted record).
    RecordWeight {
        /// Hosted zone id.
        zone_id: String,
        /// Record name.
        record: String,
        /// The weighted record's set identifier (its region).
        region: String,
        /// The new weight.
        weight: i64,
    },
    /// A webhook POST.
    Notify {
        /// Channels named by the runbook.
        channels: Vec<String>,
        /// Message text.
        message: String,
        /// Severity, if given.
        severity: Option<String>,
        /// The run's id: PagerDuty's alert key unless the channel fixes one.
        #[serde(default)]
        run: Option<String>,
    },
}

impl RenderedOperation {
    /// One line for the screen, the dry run and the journal; for a shell
    /// command, its script (references, not values: see
    /// [`RenderedOperation::shell`]).
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            RenderedOperation::Shell(s) => s.script.clone(),
            RenderedOperation::PutMetric {
                namespace,
                metric,
                value,
                region,
            } => format!(
                "cloudwatch put-metric-data {namespace}/{metric} = {value}{}",
                region
                    .as_ref()
                    .map(|r| format!(" in {r}"))
                    .unwrap_or_default()
            ),
            RenderedOperation::HealthCheck {
                health_check_id,
                disabled,
                inverted,
                ..
            } => format!(
                "route53 update-health-check {health_check_id}{}{}",
                disabled
                    .map(|d| format!(" disabled={d}"))
                    .unwrap_or_default(),
                inverted
                    .map(|i| format!(" inverted={i}"))
                    .unwrap_or_default()
            ),
            RenderedOperation::RecordWeight {
                zone_id,
                record,
                region,
                weight,
            } => format!("route53 set weight of {record} ({region}) in {zone_id} to {weight}"),
            RenderedOperation::Notify {
                channels, message, ..
            } => format!("notify {}: {message}", channels.join(", ")),
        }
    }
}

impl RenderedOperation {
    /// The values a shell command refers to (none for a built-in, whose
    /// fields are data already): shown and journaled apart from the script.
    #[must_use]
    pub fn shell(&self) -> Option<&ShellScript> {
        match self {
            RenderedOperation::Shell(s) => Some(s),
            _ => None,
        }
    }
}

/// What a step does to the simulated estate, regions filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenderedPractice {
    /// Record only.
    None,
    /// Promote the database in a region.
    PromoteDatabase(String),
    /// Send (true) or stop (false) traffic to a region.
    Traffic(String, bool),
    /// Start (true) or stop (false) a region's validators.
    Validators(String, bool),
    /// Bring a region back.
    RecoverRegion(String),
    /// Restore a region from its newest chain-state snapshot.
    RestoreChainState(String),
    /// Restore a validator's key: it signs again.
    RestoreValidatorKey(String),
    /// Start standby keys of the first region's validators in the second.
    StandbyValidators(String, String),
    /// Stop (false) or start (true) one validator.
    Validator(String, bool),
    /// Start a node with a fresh key for a validator.
    StartNewKeyNode(String),
    /// Rotate a validator's key to its new node's key.
    RotateKey(String),
    /// Pass only when the validator's key signed no recent commit.
    KeySilent(String),
    /// Pass only when the validator's rotated key signs with its power.
    RotatedKeySigns(String),
    /// Pass only when the simulated service shows this.
    Check(crate::domain::runbook::plan::SimCheck),
    /// Fail on purpose, with this message.
    Fail(String),
}

/// Everything a runner needs to execute one attempt of one task.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// What is run.
    pub task: Task,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The step's name, for output and errors.
    pub name: String,
    /// The operation.
    pub operation: RenderedOperation,
    /// A shell check run after the operation succeeds; must exit 0.
    pub verify: Option<ShellScript>,
    /// Limit for the operation (and, separately, its verify).
    pub timeout: Option<Duration>,
    /// The practice-mode effect.
    pub practice: RenderedPractice,
}

/// How one command ended.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Exit {
    /// Exit status; `None` when killed or never started.
    pub code: Option<i32>,
    /// Stopped because it ran past its timeout.
    pub timed_out: bool,
}

/// What a runner reports for one attempt.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    /// The operation's exit.
    pub exit: Exit,
    /// Its standard output (capped by the runner).
    pub stdout: String,
    /// Why it could not run or failed outside an exit status (an AWS
    /// error, a render error, a practice failure).
    pub error: Option<String>,
    /// The verify command's exit, when there was one and it ran.
    pub verify: Option<Exit>,
}

impl Outcome {
    /// A successful outcome with this output (built-ins, practice).
    #[must_use]
    pub fn ok(stdout: impl Into<String>) -> Self {
        Outcome {
            exit: Exit {
                code: Some(0),
                timed_out: false,
            },
            stdout: stdout.into(),
            error: None,
            verify: None,
        }
    }

    /// A failure that is not an exit status.
    #[must_use]
    pub fn error(reason: impl Into<String>) -> Self {
        Outcome {
            exit: Exit::default(),
            stdout: String::new(),
            error: Some(reason.into()),
            verify: None,
        }
    }
}
