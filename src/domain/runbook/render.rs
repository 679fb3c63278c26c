//! Fills a planned step's templates in when it starts: shell commands as a
//! script plus its values ([`super::script`], the one shell renderer),
//! built-in fields as text and numbers, practice effects with their
//! regions. Also the dry-run listing of every command a plan would run,
//! from the same renderer.

use std::collections::BTreeMap;

use super::plan::{Builtin, Operation, Phase, Plan, PlannedStep, PracticeEffect, StepRef};
use super::protocol::{Job, RenderedOperation, RenderedPractice, Task};
use super::script::{self, ShellScript, escape, value_line};
use super::template::{Piece, Template, TemplateError};

/// Renders `operation` with `vars`.
///
/// # Errors
/// A missing variable, or a number field that is not a number.
pub fn operation(
    operation: &Operation,
    vars: &BTreeMap<String, String>,
) -> Result<RenderedOperation, String> {
    let text = |t: &Template| t.render(vars).map_err(|e: TemplateError| e.to_string());
    let opt = |t: &Option<Template>| t.as_ref().map(text).transpose();
    Ok(match operation {
        Operation::Shell(t) => {
            RenderedOperation::Shell(ShellScript::render(t, vars).map_err(|e| e.to_string())?)
        }
        Operation::Builtin(Builtin::PutMetric {
            namespace,
            metric,
            value,
            region,
        }) => {
            let raw = text(value)?;
            RenderedOperation::PutMetric {
                namespace: text(namespace)?,
                metric: text(metric)?,
                value: raw
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| format!("metric value {raw:?} is not a number"))?,
                region: opt(region)?,
            }
        }
        Operation::Builtin(Builtin::HealthCheckUpdate {
            health_check_id,
            disabled,
            inverted,
            region,
        }) => RenderedOperation::HealthCheck {
            health_check_id: text(health_check_id)?,
            disabled: *disabled,
            inverted: *inverted,
            region: opt(region)?,
        },
        Operation::Builtin(Builtin::RecordWeight {
            zone_id,
            record,
            region,
            weight,
        }) => {
            let raw = text(weight)?;
            RenderedOperation::RecordWeight {
                zone_id: text(zone_id)?,
                record: text(record)?,
                region: text(region)?,
                weight: raw
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| format!("record weight {raw:?} is not a whole number"))?,
            }
        }
        Operation::Builtin(Builtin::Notify {
            channels,
            message,
            severity,
        }) => RenderedOperation::Notify {
            channels: channels.clone(),
            message: text(message)?,
            severity: severity.clone(),
            run: vars.get("RUN_ID").cloned(),
        },
    })
}

/// Renders a practice effect.
///
/// # Errors
/// A missing variable.
pub fn practice(
    effect: &PracticeEffect,
    vars: &BTreeMap<String, String>,
) -> Result<RenderedPractice, String> {
    let r = |t: &Template| t.render(vars).map_err(|e| e.to_string());
    Ok(match effect {
        PracticeEffect::None => RenderedPractice::None,
        PracticeEffect::PromoteDatabase(t) => RenderedPractice::PromoteDatabase(r(t)?),
        PracticeEffect::Traffic(t, on) => RenderedPractice::Traffic(r(t)?, *on),
        PracticeEffect::Validators(t, on) => RenderedPractice::Validators(r(t)?, *on),
        PracticeEffect::RecoverRegion(t) => RenderedPractice::RecoverRegion(r(t)?),
        PracticeEffect::RestoreChainState(t) => RenderedPractice::RestoreChainState(r(t)?),
        PracticeEffect::RestoreValidatorKey(t) => RenderedPractice::RestoreValidatorKey(r(t)?),
        PracticeEffect::StandbyValidators(from, to) => {
            RenderedPractice::StandbyValidators(r(from)?, r(to)?)
        }
        PracticeEffect::Validator(t, on) => RenderedPractice::Validator(r(t)?, *on),
        PracticeEffect::StartNewKeyNode(t) => RenderedPractice::StartNewKeyNode(r(t)?),
        PracticeEffect::RotateKey(t) => RenderedPractice::RotateKey(r(t)?),
        PracticeEffect::KeySilent(t) => RenderedPractice::KeySilent(r(t)?),
        PracticeEffect::RotatedKeySigns(t) => RenderedPractice::RotatedKeySigns(r(t)?),
        PracticeEffect::Check(c) => RenderedPractice::Check(*c),
        PracticeEffect::Fail(m) => RenderedPractice::Fail(m.clone()),
    })
}

/// The job for one attempt of `task`.
///
/// # Errors
/// As [`operation`]; also an `Undo` of a step that has no rollback.
pub fn job(
    step: &PlannedStep,
    task: Task,
    attempt: u32,
    vars: &BTreeMap<String, String>,
) -> Result<Job, String> {
    let (op, verify, practice_effect) = match task {
        Task::Step(_) => (
            operation(&step.operation, vars)?,
            step.verify
                .as_ref()
                .map(|v| ShellScript::render(v, vars).map_err(|e| e.to_string()))
                .transpose()?,
            practice(&step.practice, vars)?,
        ),
        Task::Undo(_) => {
            let undo = step
                .rollback
                .as_ref()
                .ok_or_else(|| format!("step {:?} has no rollback", step.name))?;
            (operation(undo, vars)?, None, RenderedPractice::None)
        }
    };
    Ok(Job {
        task,
        attempt,
        name: step.name.clone(),
        operation: op,
        verify,
        timeout: step.timeout,
        practice: practice_effect,
    })
}

/// One line of a dry run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DryRunLine {
    /// The step.
    pub step: StepRef,
    /// Its name.
    pub name: String,
    /// For a shell command, exactly the script `sh` would run (variable
    /// references, no values); for a built-in, the call with values filled
    /// in, control characters escaped.
    pub command: String,
    /// Its verify script, if any.
    pub verify: Option<String>,
    /// Its own rollback, if any, shown as `command` is.
    pub rollback: Option<String>,
    /// The values the scripts above refer to, one per line, escaped
    /// ([`script::value_line`]).
    pub values: Vec<String>,
    /// Whether a gate stops it.
    pub gated: bool,
}

/// Every command `plan` would run, in order, without running any: what
/// `--dry-run` prints.
#[must_use]
pub fn dry_run(plan: &Plan) -> Vec<DryRunLine> {
    dry_run_with(plan, &plan.vars)
}

/// [`dry_run`] with `vars` in place of the plan's own: the runbook screen
/// passes the run's values (`ELAPSED_SECONDS`, `RUN_ID`...) so every
/// `${...}` it knows shows resolved, as the command gets it.
#[must_use]
pub fn dry_run_with(plan: &Plan, vars: &BTreeMap<String, String>) -> Vec<DryRunLine> {
    let show = |op: &Operation| match op {
        Operation::Shell(t) => shell_text(t),
        Operation::Builtin(_) => escape_controls(&match operation(op, vars) {
            Ok(r) => r.describe(),
            Err(_) => preview(op, vars),
        }),
    };
    let mut out = Vec::new();
    for phase in [
        Phase::PreCheck,
        Phase::Step,
        Phase::PostCheck,
        Phase::Rollback,
    ] {
        for (index, s) in plan.phase(phase).iter().enumerate() {
            let mut shells: Vec<&Template> = s.verify.iter().collect();
            for op in std::iter::once(&s.operation).chain(s.rollback.as_ref()) {
                if let Operation::Shell(t) = op {
                    shells.push(t);
                }
            }
            out.push(DryRunLine {
                step: StepRef { phase, index },
                name: s.name.clone(),
                command: show(&s.operation),
                verify: s.verify.as_ref().map(shell_text),
                rollback: s.rollback.as_ref().map(show),
                values: values(&shells, vars),
                gated: s.gate.is_some() || s.question.is_some(),
            });
        }
    }
    out
}

/// The script of `t`, or why it has none (a load check refuses that first).
fn shell_text(t: &Template) -> String {
    script::script_text(t).unwrap_or_else(|e| format!("(cannot be rendered: {e})"))
}

/// One line per variable the templates refer to, in name order.
fn values(templates: &[&Template], vars: &BTreeMap<String, String>) -> Vec<String> {
    let mut names: Vec<&str> = templates
        .iter()
        .flat_map(|t| t.pieces())
        .filter_map(|p| match p {
            Piece::Var(v) => Some(v.as_str()),
            Piece::Literal(_) => None,
        })
        .collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .map(|n| value_line(n, vars.get(n).map(String::as_str)))
        .collect()
}

/// `text` on one line with control characters escaped, quotes and
/// backslashes left as they are: a built-in's call as the dry run shows it.
fn escape_controls(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\\' | '"' => c.to_string(),
            c => escape(&c.to_string()),
        })
        .collect()
}

fn preview(op: &Operation, vars: &BTreeMap<String, String>) -> String {
    match op {
        Operation::Shell(t) => t.preview(vars),
        Operation::Builtin(b) => match b {
            Builtin::PutMetric {
                namespace,
                metric,
                value,
                ..
            } => format!(
                "cloudwatch put-metric-data {}/{} = {}",
                namespace.preview(vars),
                metric.preview(vars),
                value.preview(vars)
            ),
            Builtin::HealthCheckUpdate {
                health_check_id, ..
            } => format!(
                "route53 update-health-check {}",
                health_check_id.preview(vars)
            ),
            Builtin::RecordWeight {
                record,
                region,
                weight,
                ..
            } => format!(
                "route53 set weight of {} ({}) to {}",
                record.preview(vars),
                region.preview(vars),
                weight.preview(vars)
            ),
            Builtin::Notify { message, .. } => format!("notify: {}", message.preview(vars)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn t(text: &str) -> Template {
        Template::parse(text).expect("parses")
    }

    #[test]
    fn numbers_in_built_ins_must_be_numbers() {
        let metric = |v: &str| {
            operation(
                &Operation::Builtin(Builtin::PutMetric {
                    namespace: t("VirtEngine/DR"),
                    metric: t("FailoverDurationSeconds"),
                    value: t("${V}"),
                    region: None,
                }),
                &vars(&[("V", v)]),
            )
        };
        assert!(matches!(
            metric(" 412.5 "),
            Ok(RenderedOperation::PutMetric { value, .. }) if (value - 412.5).abs() < f64::EPSILON
        ));
        for bad in ["NaN", "inf", "ten", ""] {
            assert_eq!(
                metric(bad),
                Err(format!("metric value {bad:?} is not a number"))
            );
        }
        let weight = operation(
            &Operation::Builtin(Builtin::RecordWeight {
                zone_id: t("Z"),
                record: t("api"),
                region: t("us-east-1"),
                weight: t("0.5"),
            }),
            &BTreeMap::new(),
        );
        assert_eq!(
            weight,
            Err("record weight \"0.5\" is not a whole number".to_owned())
        );
    }

    #[test]
    fn shell_values_travel_apart_and_missing_ones_are_named() {
        let op = Operation::Shell(t("kubectl --context=${R} scale"));
        assert_eq!(
            operation(&op, &vars(&[("R", "a b")])),
            Ok(RenderedOperation::Shell(ShellScript {
                script: "kubectl --context=\"${DRCONSOLE_VAR_R}\" scale".to_owned(),
                values: vars(&[("R", "a b")]),
            }))
        );
        assert_eq!(
            operation(&op, &BTreeMap::new()),
            Err("variable R has no value".to_owned())
        );
    }
}
