//! Publishing a recovered live run's RTO as `VirtEngine/DR`
//! `FailoverDurationSeconds`, through the run's own runner, journaled.

use std::time::Duration;

use super::{GateAnswers, RunDriver, RunError};
use crate::domain::runbook::protocol::{Job, RenderedOperation, RenderedPractice, Task};
use crate::domain::runbook::record::Record;
use crate::runtime::runner::{OutputSink, StepRunner};

impl<R: StepRunner, G: GateAnswers> RunDriver<R, G> {
    pub(super) async fn publish_rto(
        &mut self,
        elapsed: Duration,
        sink: &OutputSink,
    ) -> Result<Result<String, String>, RunError> {
        let seconds = elapsed.as_secs_f64();
        let job = Job {
            task: Task::Step(crate::domain::runbook::plan::StepRef {
                phase: crate::domain::runbook::plan::Phase::PostCheck,
                index: usize::MAX,
            }),
            attempt: 1,
            name: "publish-rto".to_owned(),
            operation: RenderedOperation::PutMetric {
                namespace: "VirtEngine/DR".to_owned(),
                metric: "FailoverDurationSeconds".to_owned(),
                value: seconds,
                region: None,
            },
            verify: None,
            timeout: Some(Duration::from_secs(30)),
            practice: RenderedPractice::None,
        };
        let outcome = self.runner.run(job, sink.clone()).await;
        let result = match outcome.error {
            None => Ok(outcome.stdout),
            Some(e) => Err(e),
        };
        let (ok, detail) = match &result {
            Ok(t) => (true, t.clone()),
            Err(e) => (false, e.clone()),
        };
        let (kind, data) = Record::RtoPublished {
            seconds,
            ok,
            detail,
        }
        .split();
        self.journal.append(self.clock.now(), &kind, data)?;
        self.share().await?;
        Ok(result)
    }
}
