//! Turns SDK errors into one short line an operator can act on: which
//! service, call and region, then AWS's own error code and message.

use std::error::Error;
use std::fmt::Debug;

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

/// `"{call} {region}: {code}: {message}"` for errors AWS answered, and
/// the cause chain (connection refused, timeout, missing credentials...)
/// for requests that never got an answer.
pub(super) fn describe<E, R>(call: &str, region: &str, err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + Error + 'static,
    R: Debug + 'static,
{
    let detail = match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            match (e.code(), e.message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code.to_owned(),
                (None, Some(message)) => message.to_owned(),
                (None, None) => causes(e),
            }
        }
        SdkError::TimeoutError(_) => "no answer within the call timeout".to_owned(),
        SdkError::DispatchFailure(f) if f.is_io() || f.is_timeout() => {
            format!("cannot reach the endpoint: {}", causes(err))
        }
        _ => causes(err),
    };
    format!("{call} {region}: {detail}")
}

/// The messages of an error and its sources, each once, joined by ": ".
fn causes(err: &(dyn Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next: Option<&(dyn Error + 'static)> = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}
