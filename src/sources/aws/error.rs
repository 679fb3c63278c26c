//! Turns SDK errors into one short line an operator can act on: which
//! service, call and region, then AWS's own error code and message.

use std::error::Error;

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

/// `"{call} {region}: {code}: {message}"` for errors AWS answered, and
/// the cause chain (connection refused, timeout, missing credentials...)
/// for requests that never got an answer.
pub(super) fn describe<E>(call: &str, region: &str, err: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + Error + 'static,
{
    let detail = match err {
        SdkError::ServiceError(service) => {
            // What the SDK could not read (moto answers auth failures in
            // one XML shape for every protocol, with CDATA; proxies answer
            // HTML) is looked for in the raw body.
            let e = service.err();
            let raw = service.raw();
            let body = raw.body().bytes().map(String::from_utf8_lossy);
            let body = body.as_deref().unwrap_or_default();
            let code = e
                .code()
                .filter(|c| !c.is_empty())
                .or_else(|| element(body, "Code"));
            let message = e
                .message()
                .filter(|m| !m.is_empty())
                .or_else(|| element(body, "Message"));
            match (code, message) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code.to_owned(),
                (None, Some(message)) => message.to_owned(),
                (None, None) => format!("HTTP {}: {}", raw.status().as_u16(), causes(e)),
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

/// The text of the first `<name>` element in `xml`, CDATA unwrapped.
fn element<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let start = xml.find(&format!("<{name}>"))? + name.len() + 2;
    let len = xml[start..].find(&format!("</{name}>"))?;
    let text = xml[start..start + len].trim();
    let text = text
        .strip_prefix("<![CDATA[")
        .and_then(|t| t.strip_suffix("]]>"))
        .unwrap_or(text);
    Some(text.trim()).filter(|t| !t.is_empty())
}

/// The messages of an error and its sources, each once, joined by ": ".
pub(crate) fn causes(err: &(dyn Error + 'static)) -> String {
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

#[cfg(test)]
mod tests {
    use super::element;

    #[test]
    fn reads_code_and_message_from_an_error_body() {
        let xml = "<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code>\
                   <Message><![CDATA[The security token is invalid.]]></Message>";
        assert_eq!(element(xml, "Code"), Some("InvalidClientTokenId"));
        assert_eq!(
            element(xml, "Message"),
            Some("The security token is invalid.")
        );
        assert_eq!(element(xml, "RequestId"), None);
        assert_eq!(element("<Code></Code>", "Code"), None);
    }
}
