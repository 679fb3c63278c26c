//! Putting a drill's report into the estate's test-results bucket, where
//! the automated dr-test reports already go, so drills and automated tests
//! are read in one place.

use aws_sdk_s3::primitives::ByteStream;

use crate::domain::drill::report::Report;
use crate::domain::environment::Environment;
use crate::sources::aws::{AwsClients, AwsOptions, AwsSetupError};

/// The estate's test-results bucket (the dr-validation runbook's destination).
pub const RESULTS_BUCKET: &str = "virtengine-dr-test-results";

/// Why a report did not reach the bucket.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The AWS clients could not be built from the environment.
    #[error("AWS setup: {0}")]
    Setup(#[from] AwsSetupError),
    /// The environment has no region to upload through.
    #[error("the environment has no region to upload through")]
    NoRegion,
    /// The report could not be serialised.
    #[error("report.json: {0}")]
    Json(#[from] serde_json::Error),
    /// S3 refused or did not answer.
    #[error("putting s3://{bucket}/{key}: {message}")]
    Put {
        /// The bucket.
        bucket: String,
        /// The object key.
        key: String,
        /// What S3 or the SDK said.
        message: String,
    },
}

/// Where a report goes: `reports/<scenario>-<timestamp>/`, the timestamp
/// being the drill's simulated start, so one drill is one folder.
#[must_use]
pub fn report_prefix(report: &Report) -> String {
    let stamp: String = report
        .timestamp
        .chars()
        .map(|c| if c == ':' { '-' } else { c })
        .collect();
    format!("reports/{}-{stamp}/", report.scenario_id)
}

/// Puts `report.json` and `report.md` under [`report_prefix`] in
/// [`RESULTS_BUCKET`], through the environment's first region (the
/// primary). Returns the `s3://` URL of the folder.
///
/// # Errors
/// The clients cannot be built, or S3 refuses a put.
pub async fn upload_report(
    env: &Environment,
    options: &AwsOptions,
    report: &Report,
) -> Result<String, UploadError> {
    let clients = AwsClients::new(env, options).await?;
    let region = env.regions.first().ok_or(UploadError::NoRegion)?;
    let s3 = &clients
        .region(&region.name)
        .ok_or(UploadError::NoRegion)?
        .s3;
    let prefix = report_prefix(report);
    let files = [
        ("report.json", report.to_json()? + "\n", "application/json"),
        ("report.md", report.to_markdown(), "text/markdown"),
    ];
    for (name, body, content_type) in files {
        let key = format!("{prefix}{name}");
        s3.put_object()
            .bucket(RESULTS_BUCKET)
            .key(&key)
            .content_type(content_type)
            .body(ByteStream::from(body.into_bytes()))
            .send()
            .await
            .map_err(|e| UploadError::Put {
                bucket: RESULTS_BUCKET.to_owned(),
                key: key.clone(),
                message: aws_sdk_s3::error::DisplayErrorContext(&e).to_string(),
            })?;
    }
    Ok(format!("s3://{RESULTS_BUCKET}/{prefix}"))
}
