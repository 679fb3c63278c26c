//! The compiled runbook: what the engine executes and the screen shows.
//!
//! A runbook file (upstream schema plus drconsole's extensions) is loaded,
//! linted and compiled into a [`Plan`] by `config::runbook`. Everything that
//! can be wrong with a file is wrong at that point, with file:line:col; the
//! engine only ever sees a plan whose actions exist, whose variables are
//! declared and whose durations parse.

use std::collections::BTreeMap;
use std::time::Duration;

use super::template::Template;

/// Which part of a runbook a step belongs to. The order is the order a run
/// goes through them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Checks that must pass (or be overridden at a gate) before anything changes.
    PreCheck,
    /// The procedure itself.
    Step,
    /// Checks that prove the service is back.
    PostCheck,
    /// The runbook's own `rollback.steps`, run after the steps' own rollbacks.
    Rollback,
}

/// A step's address in a plan: stable across a crash, so the journal can name it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct StepRef {
    /// The part of the runbook.
    pub phase: Phase,
    /// Position within that part, from 0.
    pub index: usize,
}

/// Where in the source file something was written, for messages and lint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct SourcePos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// A whole runbook, ready to run with the variables it was given.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The runbook's `name`.
    pub name: String,
    /// The runbook's `version`.
    pub version: String,
    /// The file it came from, as given on the command line.
    pub source: String,
    /// The recovery-time objective the RTO clock runs against.
    pub rto: Option<Duration>,
    /// The recovery-point objective, shown beside the RTO.
    pub rpo: Option<Duration>,
    /// Every variable's value for this run (declared defaults plus `--var`).
    pub vars: BTreeMap<String, String>,
    /// Pre-checks; they run concurrently.
    pub pre_checks: Vec<PlannedStep>,
    /// The procedure, in order.
    pub steps: Vec<PlannedStep>,
    /// Post-checks, in order.
    pub post_checks: Vec<PlannedStep>,
    /// The runbook-level `rollback.steps`.
    pub rollback: Vec<PlannedStep>,
    /// When the runbook-level rollback applies.
    pub rollback_trigger: RollbackTrigger,
    /// SHA-256 (hex) of the file's bytes and the variables: a journal written
    /// for a different file or different values is not resumed.
    pub fingerprint: String,
}

impl Plan {
    /// The steps of one phase.
    #[must_use]
    pub fn phase(&self, phase: Phase) -> &[PlannedStep] {
        match phase {
            Phase::PreCheck => &self.pre_checks,
            Phase::Step => &self.steps,
            Phase::PostCheck => &self.post_checks,
            Phase::Rollback => &self.rollback,
        }
    }

    /// One step by reference, if the plan has it.
    #[must_use]
    pub fn step(&self, at: StepRef) -> Option<&PlannedStep> {
        self.phase(at.phase).get(at.index)
    }
}

/// When the runbook-level rollback runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum RollbackTrigger {
    /// Whenever the operator chooses to roll back.
    #[default]
    OnRequest,
    /// `any_step_failed_after_<step>`: only once that step has passed.
    AfterStep(String),
}

/// One thing the engine runs, with everything needed to run it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedStep {
    /// The step's `name`.
    pub name: String,
    /// Its `description`, for the screen.
    pub description: Option<String>,
    /// Where it starts in the source file.
    pub pos: SourcePos,
    /// What it does.
    pub operation: Operation,
    /// A shell check run after the operation; it must exit 0.
    pub verify: Option<Template>,
    /// The longest the operation may take before it is stopped and failed.
    pub timeout: Option<Duration>,
    /// How often to try before the step fails.
    pub retry: Retry,
    /// `poll_interval` + `until`: rerun the command until its output matches.
    pub poll: Option<Poll>,
    /// What the output must show for the step to pass.
    pub expect: Option<Expectation>,
    /// A free-text `threshold` the operator must judge at a gate.
    pub question: Option<String>,
    /// The confirmation the operator must give before the step runs.
    pub gate: Option<Gate>,
    /// True when the step changes infrastructure (lint wants a gate on it).
    pub destructive: bool,
    /// The step's own `rollback`, run in reverse completion order.
    pub rollback: Option<Operation>,
    /// What the step does to the simulated estate in practice mode.
    pub practice: PracticeEffect,
    /// The variable this step's last output line sets for later steps
    /// (a new node's consensus address, say): read from the journal, so a
    /// resumed run has it too.
    pub capture: Option<String>,
    /// What the console learns once this step passed (a key it rotated),
    /// in every mode that runs steps: the dashboard's own knowledge.
    pub on_pass: Option<OnPass>,
}

/// What a passed step tells the console beyond its record: the action's
/// `on_pass:`, its texts templates over the run's values.
#[derive(Debug, Clone, PartialEq)]
pub enum OnPass {
    /// The step rotated a validator's consensus key: the dashboard keeps
    /// the validator under its name at the new address.
    KeyRotated {
        /// The validator's name, as the environment file writes it.
        validator: Template,
        /// The address of the key that was replaced.
        old_address: Template,
        /// The address of the new key.
        new_address: Template,
    },
}

/// How a step acts on the world.
#[derive(Debug, Clone, PartialEq)]
pub enum Operation {
    /// A shell command (`sh -c`); its values reach `sh` as data, through
    /// the environment ([`super::script`]).
    Shell(Template),
    /// A call drconsole makes itself.
    Builtin(Builtin),
}

/// The built-in actions of `runbooks/actions.yaml`; their fields are
/// templates rendered when the step starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Builtin {
    /// CloudWatch `PutMetricData`.
    PutMetric {
        /// e.g. `VirtEngine/DR`.
        namespace: Template,
        /// e.g. `FailoverDurationSeconds`.
        metric: Template,
        /// A number once rendered.
        value: Template,
        /// The region to publish in; the environment's primary when absent.
        region: Option<Template>,
    },
    /// Route53 `UpdateHealthCheck`.
    HealthCheckUpdate {
        /// The health check's id.
        health_check_id: Template,
        /// Disable or enable the check (disabled reads healthy to AWS!).
        disabled: Option<bool>,
        /// Invert the check: the correct way to force it unhealthy.
        inverted: Option<bool>,
        /// Which region it guards (for practice mode and the screen).
        region: Option<Template>,
    },
    /// Route53 `ChangeResourceRecordSets` on a weighted record.
    RecordWeight {
        /// Hosted zone id.
        zone_id: Template,
        /// Record name, e.g. `api.virtengine.io`.
        record: Template,
        /// The region whose weighted record is set.
        region: Template,
        /// The new weight, a number once rendered.
        weight: Template,
    },
    /// An HTTP webhook (Slack or similar).
    Notify {
        /// Channels named in the runbook, for the record.
        channels: Vec<String>,
        /// The message text.
        message: Template,
        /// `resolved`, `critical`, ...
        severity: Option<String>,
    },
}

/// Retry policy: `retry: {max_attempts, delay}` or `retries`/`interval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Attempts in all, at least 1.
    pub max_attempts: u32,
    /// Pause between attempts.
    pub delay: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            max_attempts: 1,
            delay: Duration::ZERO,
        }
    }
}

/// Rerun a command until its output satisfies a condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Poll {
    /// Pause between polls.
    pub interval: Duration,
    /// The condition, e.g. `status = 'succeeded'`.
    pub until: Expectation,
}

/// What a command's result must show.
#[derive(Debug, Clone, PartialEq)]
pub enum Expectation {
    /// The last number in the output compared with a value: `>= 6`.
    Compare {
        /// The comparison.
        op: CompareOp,
        /// The value compared against.
        value: f64,
    },
    /// The trimmed output (or its last line) equals this text: `PASS`, `0`.
    Text(String),
    /// A SQL-style result with this many rows: `0 rows`.
    Rows(u64),
    /// The exit status: `exit 0`.
    ExitStatus(i32),
    /// `column = 'value'` in tabular output, e.g. `status = 'succeeded'`.
    ColumnEquals {
        /// Column name.
        column: String,
        /// Expected value.
        value: String,
    },
}

/// A numeric comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `>=`
    Ge,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `<`
    Lt,
    /// `==` or `=`
    Eq,
    /// `!=`
    Ne,
}

/// The confirmation a step needs before it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    /// The phrase the operator types, built from variables so it names the
    /// region or height (`fail over us-east-1`). `None`: a y/n confirmation.
    pub phrase: Option<Template>,
    /// Distinct approvers needed (1 = the operator alone).
    pub approvers: u8,
    /// Whether a written reason is required.
    pub reason: bool,
}

/// What a step does to the simulated estate in practice mode. Anything not
/// listed here is recorded and succeeds without effect.
#[derive(Debug, Clone, PartialEq)]
pub enum PracticeEffect {
    /// Record only.
    None,
    /// Make a region the database primary.
    PromoteDatabase(Template),
    /// Send traffic to a region (`true`) or stop sending it (`false`).
    Traffic(Template, bool),
    /// Start (`true`) or stop/fence (`false`) a region's validators.
    Validators(Template, bool),
    /// Bring a region back after a fault.
    RecoverRegion(Template),
    /// Restore a region's nodes from its newest chain-state snapshot
    /// (the snapshot's age is the data lost).
    RestoreChainState(Template),
    /// A validator's key restored through the ceremony: it signs again.
    RestoreValidatorKey(Template),
    /// Start standby copies of the first region's validator keys in the
    /// second (a failover restoring signing power).
    StandbyValidators(Template, Template),
    /// Stop (`false`) or start one validator, not its whole region.
    Validator(Template, bool),
    /// Start a node with a freshly generated key for a validator.
    StartNewKeyNode(Template),
    /// Rotate a validator's consensus key to its new node's key.
    RotateKey(Template),
    /// Pass only when the validator's key signed none of the recent
    /// commits: the proof, before a rotation, that the fence holds.
    KeySilent(Template),
    /// Pass only when the validator's new key is in the set with its old
    /// power and signs, and its old address is gone.
    RotatedKeySigns(Template),
    /// Pass only when the simulated service shows this: a check judged
    /// against the estate instead of a command's output.
    Check(SimCheck),
    /// Fail the step: the operator wants to rehearse a failure.
    Fail(String),
}

/// What a practice check asks of the simulated estate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SimCheck {
    /// Some region takes traffic, passes its health check and reaches the database.
    ApiHealthy,
    /// A block was committed in the last 20 s.
    BlocksCommitting,
}
