//! Counts the HTTP requests each AWS service client sends, so tests and the
//! benchmark can hold the adapters to their call budget (one CloudWatch and
//! one Route53 call per region per refresh, bounded S3 calls per backup kind).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_s3::config::ConfigBag;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

/// An AWS service the console calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// Route53 (health checks).
    Route53,
    /// CloudWatch (metrics).
    CloudWatch,
    /// S3 (backup listings).
    S3,
    /// Secrets Manager (passphrase secret metadata).
    SecretsManager,
}

impl Service {
    fn index(self) -> usize {
        match self {
            Service::Route53 => 0,
            Service::CloudWatch => 1,
            Service::S3 => 2,
            Service::SecretsManager => 3,
        }
    }
}

/// Where S3 writes are counted, after the four services.
const S3_WRITES: usize = 4;

/// Requests sent per service, as counted by a [`CallCounter`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallCounts {
    /// Route53 requests.
    pub route53: u64,
    /// CloudWatch requests.
    pub cloudwatch: u64,
    /// S3 requests.
    pub s3: u64,
    /// Secrets Manager requests.
    pub secrets_manager: u64,
}

impl CallCounts {
    /// The requests sent since `earlier` was taken.
    #[must_use]
    pub fn since(self, earlier: CallCounts) -> CallCounts {
        CallCounts {
            route53: self.route53.saturating_sub(earlier.route53),
            cloudwatch: self.cloudwatch.saturating_sub(earlier.cloudwatch),
            s3: self.s3.saturating_sub(earlier.s3),
            secrets_manager: self.secrets_manager.saturating_sub(earlier.secrets_manager),
        }
    }
}

/// A shared request counter; clones count into the same totals. Every
/// attempt that reaches the wire counts, retries included.
#[derive(Debug, Clone, Default)]
pub struct CallCounter {
    /// One per [`Service`], then S3 writes.
    counts: Arc<[AtomicU64; 5]>,
}

impl CallCounter {
    /// A counter at zero.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Requests sent to `service` so far.
    #[must_use]
    pub fn get(&self, service: Service) -> u64 {
        self.counts[service.index()].load(Ordering::Relaxed)
    }

    /// S3 requests that write (any method but GET and HEAD): what a
    /// follower of a shared incident must never send.
    #[must_use]
    pub fn s3_writes(&self) -> u64 {
        self.counts[S3_WRITES].load(Ordering::Relaxed)
    }

    /// All totals at once.
    #[must_use]
    pub fn snapshot(&self) -> CallCounts {
        CallCounts {
            route53: self.get(Service::Route53),
            cloudwatch: self.get(Service::CloudWatch),
            s3: self.get(Service::S3),
            secrets_manager: self.get(Service::SecretsManager),
        }
    }

    /// The SDK interceptor that counts into this counter for `service`.
    pub(super) fn interceptor(&self, service: Service) -> CountingInterceptor {
        CountingInterceptor {
            counter: self.clone(),
            service,
        }
    }
}

/// Counts each request just before it is sent.
#[derive(Debug)]
pub(super) struct CountingInterceptor {
    counter: CallCounter,
    service: Service,
}

impl Intercept for CountingInterceptor {
    fn name(&self) -> &'static str {
        "drconsole::CallCounter"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.counter.counts[self.service.index()].fetch_add(1, Ordering::Relaxed);
        let method = context.request().method();
        if self.service == Service::S3 && !matches!(method, "GET" | "HEAD") {
            self.counter.counts[S3_WRITES].fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}
