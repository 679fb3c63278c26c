//! `notification` steps: one JSON POST to a webhook (Slack-compatible).

use std::time::Duration;

use serde_json::json;

/// Where notifications go.
#[derive(Debug, Clone)]
pub struct Webhook {
    url: String,
    client: reqwest::Client,
    timeout: Duration,
}

impl Webhook {
    /// A webhook at `url`; each POST gives up after `timeout`.
    ///
    /// # Errors
    /// When the HTTP client cannot be built (TLS setup).
    pub fn new(url: &str, timeout: Duration) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Webhook {
            url: url.to_owned(),
            client,
            timeout,
        })
    }

    /// POSTs `{"text", "channels", "severity"}`; any 2xx is success.
    ///
    /// # Errors
    /// A connection error, a timeout or a non-2xx status.
    pub async fn notify(
        &self,
        channels: &[String],
        message: &str,
        severity: Option<&str>,
    ) -> Result<String, String> {
        let body = json!({"text": message, "channels": channels, "severity": severity});
        let response = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| format!("webhook: {e} (timeout {}s)", self.timeout.as_secs()))?;
        let status = response.status();
        if status.is_success() {
            Ok(format!("notified {} ({status})", channels.join(", ")))
        } else {
            Err(format!("webhook answered {status}"))
        }
    }
}
