//! The live runner: real shell commands, AWS built-ins and the webhook.

use super::{AwsActions, Notification, Notifier, OutputSink, StepRunner, note, run_script};
use crate::domain::runbook::protocol::{Job, Outcome, RenderedOperation};

/// Runs jobs for real. Built-ins without their client (no AWS clients, no
/// webhook configured) fail with a message rather than pretend.
#[derive(Debug, Clone, Default)]
pub struct LiveRunner {
    aws: Option<AwsActions>,
    notifier: Option<Notifier>,
}

impl LiveRunner {
    /// A runner for shell commands only.
    #[must_use]
    pub fn shell_only() -> Self {
        Self::default()
    }

    /// With AWS built-ins.
    #[must_use]
    pub fn with_aws(mut self, aws: AwsActions) -> Self {
        self.aws = Some(aws);
        self
    }

    /// With notifications to the environment's channels.
    #[must_use]
    pub fn with_notifier(mut self, notifier: Notifier) -> Self {
        self.notifier = Some(notifier);
        self
    }

    async fn builtin(&self, op: &RenderedOperation) -> Result<String, String> {
        let aws = || {
            self.aws
                .as_ref()
                .ok_or_else(|| "no AWS clients configured for this run".to_owned())
        };
        match op {
            RenderedOperation::Shell { .. } => Err("not a built-in".to_owned()),
            RenderedOperation::PutMetric {
                namespace,
                metric,
                value,
                region,
            } => {
                aws()?
                    .put_metric(namespace, metric, *value, region.as_deref())
                    .await
            }
            RenderedOperation::HealthCheck {
                health_check_id,
                disabled,
                inverted,
                ..
            } => {
                aws()?
                    .update_health_check(health_check_id, *disabled, *inverted)
                    .await
            }
            RenderedOperation::RecordWeight {
                zone_id,
                record,
                region,
                weight,
            } => {
                aws()?
                    .set_record_weight(zone_id, record, region, *weight)
                    .await
            }
            RenderedOperation::Notify {
                channels,
                message,
                severity,
                run,
            } => {
                let notifier = self
                    .notifier
                    .as_ref()
                    .ok_or_else(|| "no notification channels configured for this run".to_owned())?;
                notifier
                    .notify(Notification {
                        channels,
                        message,
                        severity: severity.as_deref(),
                        run: run.as_deref().unwrap_or("drconsole"),
                    })
                    .await
            }
        }
    }
}

impl StepRunner for LiveRunner {
    async fn run(&self, job: Job, sink: OutputSink) -> Outcome {
        note(&sink, &job, format!("$ {}", job.operation.describe()));
        let mut outcome = match &job.operation {
            RenderedOperation::Shell(script) => {
                for v in script.value_lines() {
                    note(&sink, &job, format!("  with {v}"));
                }
                let (exit, stdout) =
                    run_script(script, job.timeout, &sink, job.task, job.attempt).await;
                Outcome {
                    exit,
                    stdout,
                    error: None,
                    verify: None,
                }
            }
            op => {
                let call = self.builtin(op);
                let result = match job.timeout {
                    Some(t) => tokio::time::timeout(t, call)
                        .await
                        .unwrap_or_else(|_| Err(format!("timed out after {}s", t.as_secs()))),
                    None => call.await,
                };
                match result {
                    Ok(text) => {
                        note(&sink, &job, text.clone());
                        Outcome::ok(text)
                    }
                    Err(e) => {
                        note(&sink, &job, e.clone());
                        Outcome::error(e)
                    }
                }
            }
        };
        let succeeded = outcome.error.is_none() && outcome.exit.code == Some(0);
        if succeeded && let Some(verify) = &job.verify {
            note(&sink, &job, format!("verify: $ {}", verify.script));
            for v in verify.value_lines() {
                note(&sink, &job, format!("  with {v}"));
            }
            let (exit, _) = run_script(verify, job.timeout, &sink, job.task, job.attempt).await;
            outcome.verify = Some(exit);
        }
        outcome
    }
}
