//! The YAML form of a runbook, as serde reads it.
//!
//! One schema covers the estate's three upstream shapes unchanged (a
//! procedure with `steps`, a `backup:`/`restore:` pair, and a suite of
//! `automated_tests`) plus drconsole's optional extensions (`vars`, `gate`,
//! `practice`, `destructive`). Every struct denies unknown keys, so a typo is
//! a load error rather than a step that silently does less. Values that
//! need checking (durations, templates, expectations) are kept as spanned
//! text here and checked in `compile`, where the error can point at them.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

mod practice;

pub use practice::PracticeFile;

/// Spanned text: every scalar we check later keeps where it was written.
pub type Text = Spanned<String>;

/// A whole runbook file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunbookFile {
    /// What the runbook is called.
    pub name: Text,
    /// Its version, as its owners number it.
    pub version: Option<Text>,
    /// A sentence for the screen (extension).
    pub description: Option<Text>,
    /// Recovery-time objective, e.g. `15m`.
    pub rto: Option<Text>,
    /// Recovery-point objective, e.g. `5m`.
    pub rpo: Option<Text>,
    /// Declared variables (extension).
    pub vars: Option<Spanned<BTreeMap<String, VarDecl>>>,
    /// What should make someone start this runbook (documentation only).
    #[serde(default)]
    pub triggers: Vec<Trigger>,
    /// Checks before anything changes.
    #[serde(default)]
    pub pre_checks: Vec<StepFile>,
    /// The procedure.
    #[serde(default)]
    pub steps: Vec<StepFile>,
    /// Checks that prove the service is back.
    #[serde(default)]
    pub post_checks: Vec<StepFile>,
    /// The runbook-level rollback.
    pub rollback: Option<RollbackFile>,
    /// How backups are taken (database runbook): modelled, linted, not run.
    pub backup: Option<BackupFile>,
    /// The restore procedure of a backup runbook.
    pub restore: Option<Spanned<RestoreFile>>,
    /// How often exercises happen (validation runbook): documentation only.
    pub schedule: Option<BTreeMap<String, Text>>,
    /// A suite of non-destructive checks (validation runbook).
    pub automated_tests: Option<Spanned<Vec<AutomatedTest>>>,
    /// Where test results go (validation runbook): documentation only.
    pub reporting: Option<Reporting>,
}

/// A declared variable.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VarDecl {
    /// What the value means, shown when it is missing.
    pub description: Option<Text>,
    /// The value when none is given.
    pub default: Option<Text>,
    /// The only values accepted.
    pub allowed: Option<Spanned<Vec<String>>>,
    /// True: the value must be one of the estate's regions.
    #[serde(default)]
    pub region: bool,
}

/// A condition that should make someone start the runbook.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// Its name.
    pub name: Text,
    /// What it means.
    pub description: Option<Text>,
    /// A count or a duration, as the owners wrote it.
    pub threshold: Option<Text>,
    /// The window the threshold is judged over.
    pub window: Option<Text>,
    /// The metric watched.
    pub metric: Option<Text>,
    /// Who may start the runbook on this trigger.
    pub authorized_roles: Option<Vec<String>>,
}

/// A parameter given to an action: text or a list (notification channels).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamValue {
    /// A scalar, numbers included.
    One(String),
    /// A list of scalars.
    Many(Vec<String>),
}

/// `retry: {max_attempts, delay}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryFile {
    /// Attempts in all.
    pub max_attempts: Spanned<u32>,
    /// Pause between attempts.
    pub delay: Option<Text>,
}

/// A gate (extension): what the operator must do before the step runs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateFile {
    /// The phrase to type; a template so it can name the region.
    pub phrase: Option<Text>,
    /// Distinct approvers needed, 1 to 5.
    pub approvers: Option<Spanned<u8>>,
    /// Whether a written reason is required.
    #[serde(default)]
    pub reason: bool,
}

/// One step, pre-check, post-check or rollback step.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepFile {
    /// Its name, unique in the runbook.
    pub name: Text,
    /// What it is for.
    pub description: Option<Text>,
    /// An action from `actions.yaml`.
    pub action: Option<Text>,
    /// The action's parameters.
    pub params: Option<Spanned<BTreeMap<String, Spanned<ParamValue>>>>,
    /// A shell command (instead of an action).
    pub command: Option<Text>,
    /// The longest the step may take.
    pub timeout: Option<Text>,
    /// Retry policy, structured form.
    pub retry: Option<Spanned<RetryFile>>,
    /// Retries after the first attempt, short form.
    pub retries: Option<Spanned<u32>>,
    /// Pause between retries, short form.
    pub interval: Option<Text>,
    /// A shell check run afterwards; it must exit 0.
    pub verify: Option<Text>,
    /// What the output must show.
    pub expect: Option<Text>,
    /// A free-text condition the operator judges.
    pub threshold: Option<Text>,
    /// Rerun the command this often until `until` holds.
    pub poll_interval: Option<Text>,
    /// The condition polling waits for.
    pub until: Option<Text>,
    /// How to undo the step.
    pub rollback: Option<Spanned<StepRollback>>,
    /// Confirmation needed before the step runs (extension).
    pub gate: Option<Spanned<GateFile>>,
    /// Effect on the simulated estate (extension).
    pub practice: Option<Spanned<PracticeFile>>,
    /// Overrides whether the step counts as changing infrastructure (extension).
    pub destructive: Option<bool>,
    /// A variable later steps get from this step's last output line (extension).
    pub capture: Option<Text>,
}

/// A step's own rollback: an action or a command.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepRollback {
    /// An action from `actions.yaml`.
    pub action: Option<Text>,
    /// Its parameters.
    pub params: Option<Spanned<BTreeMap<String, Spanned<ParamValue>>>>,
    /// Or a shell command.
    pub command: Option<Text>,
}

/// `rollback: {trigger, steps}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollbackFile {
    /// `any_step_failed_after_<step>` or `manual`.
    pub trigger: Option<Text>,
    /// Steps run after the completed steps' own rollbacks.
    #[serde(default)]
    pub steps: Vec<StepFile>,
}

/// `restore:` of a backup runbook: the procedure drconsole runs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreFile {
    /// Checks before anything changes.
    #[serde(default)]
    pub pre_checks: Vec<StepFile>,
    /// The procedure.
    #[serde(default)]
    pub steps: Vec<StepFile>,
    /// Checks afterwards.
    #[serde(default)]
    pub post_checks: Vec<StepFile>,
}

/// `backup:` of a backup runbook: how backups are taken.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupFile {
    /// Cron schedules by backup type (`full`, `incremental`).
    pub schedule: Option<BTreeMap<String, Text>>,
    /// Where backups go.
    #[serde(default)]
    pub destinations: Vec<BackupDestination>,
    /// How long each type is kept (durations).
    pub retention: Option<BTreeMap<String, Text>>,
    /// The periodic verification job.
    pub verification: Option<BackupVerification>,
}

/// One backup destination.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupDestination {
    /// The region.
    pub region: Text,
    /// The bucket URI.
    pub bucket: Text,
}

/// The backup verification job.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupVerification {
    /// Its cron schedule.
    pub schedule: Option<Text>,
    /// Its commands.
    #[serde(default)]
    pub steps: Vec<StepFile>,
}

/// One test of a validation suite.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutomatedTest {
    /// Its name.
    pub name: Text,
    /// What it verifies.
    pub description: Option<Text>,
    /// Its cron schedule.
    pub schedule: Option<Text>,
    /// Regions it covers.
    pub regions: Option<Vec<String>>,
    /// Its commands.
    #[serde(default)]
    pub steps: Vec<TestStep>,
    /// A free-text pass condition the operator judges.
    pub threshold: Option<Text>,
    /// A parsed pass condition (extension).
    pub expect: Option<Text>,
    /// The longest each command may take (extension).
    pub timeout: Option<Text>,
    /// Effect on the simulated estate (extension).
    pub practice: Option<Spanned<PracticeFile>>,
}

/// One command of an automated test.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestStep {
    /// Optional name (upstream tests give none).
    pub name: Option<Text>,
    /// The command.
    pub command: Text,
}

/// Where validation results are reported.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reporting {
    /// `json`, ...
    pub format: Option<Text>,
    /// Where reports go.
    pub destination: Option<Text>,
    /// Who hears about them.
    #[serde(default)]
    pub notifications: Vec<ReportNotification>,
}

/// One notification channel of a report.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportNotification {
    /// `slack`, `email`, ...
    pub channel: Text,
    /// A webhook URL (a template).
    pub webhook: Option<Text>,
    /// Email recipients.
    pub recipients: Option<Vec<String>>,
}

impl<'de> Deserialize<'de> for ParamValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ParamVisitor)
    }
}

/// Accepts any scalar as text (`weight: 100` is the text `100`) or a list.
struct ParamVisitor;

impl<'de> serde::de::Visitor<'de> for ParamVisitor {
    type Value = ParamValue;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a scalar or a list of scalars")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ParamValue, E> {
        Ok(ParamValue::One(v.to_owned()))
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<ParamValue, E> {
        Ok(ParamValue::One(v.to_string()))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<ParamValue, E> {
        Ok(ParamValue::One(v.to_string()))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ParamValue, E> {
        Ok(ParamValue::One(v.to_string()))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<ParamValue, E> {
        Ok(ParamValue::One(v.to_string()))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<ParamValue, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<String>()? {
            out.push(v);
        }
        Ok(ParamValue::Many(out))
    }
}
