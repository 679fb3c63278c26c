//! `notification` steps, live: one POST per channel the step names, to
//! Slack incoming webhooks and PagerDuty Events v2, each channel's secret
//! read at the moment of sending from where the environment file says.
//!
//! A secret (a webhook URL is one) is held in a [`Zeroizing`] string for
//! one request and never printed: every message names the channel and
//! where its secret lives, and any text that comes back (an HTTP error, a
//! response body) has the secret cut out before it reaches the screen,
//! the log or the journal.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use zeroize::Zeroizing;

use crate::domain::environment::Environment;
use crate::domain::notify::{
    ChannelKind, NotifyChannel, PAGERDUTY_EVENTS_URL, Planned, SecretSource, plan,
};
use crate::sources::aws::{AwsClients, causes, read_secret_string};
use crate::text::printable_within;

/// How much of a refusal's body is shown.
const BODY_SHOWN: usize = 200;

/// Sends notifications for one environment.
#[derive(Debug, Clone)]
pub struct Notifier {
    channels: Vec<NotifyChannel>,
    source: String,
    regions: Vec<String>,
    aws: Option<AwsClients>,
    client: reqwest::Client,
    /// Channel, run, severity and message of every post that went out, so
    /// a retry after a partial failure sends only to the channels that
    /// missed it.
    delivered: Arc<Mutex<HashSet<String>>>,
}

/// One `notification` step, as rendered.
#[derive(Debug, Clone, Copy)]
pub struct Notification<'a> {
    /// Channel names, as the runbook gives them.
    pub channels: &'a [String],
    /// The text.
    pub message: &'a str,
    /// The runbook's severity word.
    pub severity: Option<&'a str>,
    /// The run's id (PagerDuty's alert key unless the channel fixes one).
    pub run: &'a str,
}

impl Notifier {
    /// A notifier for `env`'s channels; `aws` reads Secrets Manager secrets.
    /// Each POST gives up after `timeout` and follows no redirect (a
    /// redirect could carry the message, or a routing key, elsewhere).
    ///
    /// # Errors
    /// When the HTTP client cannot be built (TLS setup).
    pub fn new(
        env: &Environment,
        aws: Option<AwsClients>,
        timeout: Duration,
    ) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Notifier {
            channels: env.notify.clone(),
            source: env.spec.environment.clone(),
            regions: env.spec.regions.iter().map(|r| r.name.clone()).collect(),
            aws,
            client,
            delivered: Arc::new(Mutex::new(HashSet::new())),
        })
    }

    /// Posts to every channel of `n`, one after the other, and says what
    /// each did.
    ///
    /// # Errors
    /// When any channel was not reached, naming each; the channels that
    /// were reached are listed too, and are not posted to again on retry.
    pub async fn notify(&self, n: Notification<'_>) -> Result<String, String> {
        let planned = plan(
            &self.channels,
            n.channels,
            n.message,
            n.severity,
            n.run,
            &self.source,
        )
        .map_err(|e| e.to_string())?;
        if planned.is_empty() {
            return Err("the step names no channel".to_owned());
        }
        let mut said = Vec::new();
        let mut failed = false;
        for p in planned {
            let key = format!(
                "{}\u{0}{}\u{0}{:?}\u{0}{}",
                p.name, n.run, n.severity, n.message
            );
            if self.delivered.lock().is_ok_and(|d| d.contains(&key)) {
                said.push(format!(
                    "{}: delivered by an earlier attempt, not sent again",
                    p.name
                ));
                continue;
            }
            match self.send(&p).await {
                Ok(text) => {
                    if let Ok(mut d) = self.delivered.lock() {
                        d.insert(key);
                    }
                    said.push(format!("{}: {text}", p.name));
                }
                Err(e) => {
                    failed = true;
                    said.push(format!("{}: {e}", p.name));
                }
            }
        }
        let text = said.join("; ");
        if failed { Err(text) } else { Ok(text) }
    }

    async fn send(&self, p: &Planned<'_>) -> Result<String, String> {
        let (Some(channel), Some(body)) = (p.channel, &p.body) else {
            return Err(format!(
                "no [notify.{}] in the environment file, so nowhere to send",
                p.name
            ));
        };
        let secret = self.secret(&channel.secret).await?;
        let from = channel.secret.describe();
        let (url, body): (Zeroizing<String>, Zeroizing<String>) = match channel.kind {
            ChannelKind::Slack => {
                check_url(&secret).map_err(|why| {
                    format!("the webhook URL read from {from} is not usable: {why}")
                })?;
                (secret.clone(), Zeroizing::new(body.to_string()))
            }
            ChannelKind::PagerDuty => {
                let ok = (1..=64).contains(&secret.len())
                    && secret.bytes().all(|b| b.is_ascii_alphanumeric());
                if !ok {
                    return Err(format!(
                        "the routing key read from {from} is not a PagerDuty routing key \
                         (letters and digits, 32 of them)"
                    ));
                }
                let url = channel
                    .events_url
                    .as_deref()
                    .unwrap_or(PAGERDUTY_EVENTS_URL);
                check_url(url).map_err(|why| format!("events_url is not usable: {why}"))?;
                let mut event = body.clone();
                if let Value::Object(map) = &mut event {
                    map.insert("routing_key".into(), Value::String(secret.to_string()));
                }
                (
                    Zeroizing::new(url.to_owned()),
                    Zeroizing::new(event.to_string()),
                )
            }
        };
        let scrub = |text: &str| scrub(text, &secret, channel.kind);
        let response = self
            .client
            .post(url.as_str())
            .header("content-type", "application/json")
            .body(body.as_bytes().to_vec())
            .send()
            .await
            .map_err(|e| scrub(&causes(&e.without_url())))?;
        let status = response.status();
        let text = read_capped(response).await;
        if status.is_success() {
            Ok(match channel.kind {
                ChannelKind::Slack => format!("posted ({status})"),
                ChannelKind::PagerDuty => format!("accepted ({status})"),
            })
        } else {
            Err(format!(
                "answered {status}: {}",
                printable_within(scrub(&text).trim(), BODY_SHOWN)
            ))
        }
    }

    async fn secret(&self, source: &SecretSource) -> Result<Zeroizing<String>, String> {
        match source {
            SecretSource::EnvVar(var) => match std::env::var(var) {
                Ok(v) if !v.trim().is_empty() => Ok(Zeroizing::new(v.trim().to_owned())),
                Ok(_) => Err(format!("environment variable {var} is empty")),
                Err(_) => Err(format!("environment variable {var} is not set")),
            },
            SecretSource::SecretsManager { id, region } => {
                let aws = self
                    .aws
                    .as_ref()
                    .ok_or_else(|| format!("no AWS clients to read secret {id}"))?;
                let regions: Vec<&str> = match region {
                    Some(r) => vec![r.as_str()],
                    None => self.regions.iter().map(String::as_str).collect(),
                };
                let value = read_secret_string(aws, id, &regions).await?;
                if value.is_empty() {
                    return Err(format!("secret {id} is empty"));
                }
                Ok(value)
            }
        }
    }
}

/// `https://`, or `http://` to this machine only (tests and rehearsals):
/// a message or a key never crosses a network in clear.
fn check_url(url: &str) -> Result<(), &'static str> {
    let parsed = reqwest::Url::parse(url).map_err(|_| "not a URL")?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" => {
            let host = parsed.host_str().unwrap_or_default();
            let ip = host.trim_start_matches('[').trim_end_matches(']');
            let loopback = host == "localhost"
                || ip
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|a| a.is_loopback());
            if loopback {
                Ok(())
            } else {
                Err("http:// is refused except to this machine; expected https://")
            }
        }
        _ => Err("expected an https:// URL"),
    }
}

/// `text` with every occurrence of `secret` replaced; for a webhook URL
/// also its path and each long part of it (Slack's token is the last),
/// which a server may repeat without the host.
fn scrub(text: &str, secret: &str, kind: ChannelKind) -> String {
    if secret.is_empty() {
        return text.to_owned();
    }
    let mut out = text.replace(secret, "<secret>");
    if kind == ChannelKind::Slack
        && let Ok(url) = reqwest::Url::parse(secret)
    {
        let path = url.path();
        let mut parts: Vec<&str> = path.split('/').filter(|p| p.len() >= 8).collect();
        if path.len() > 1 {
            parts.push(path);
        }
        // Longest first, so a path goes before the parts inside it.
        parts.sort_by_key(|p| std::cmp::Reverse(p.len()));
        for p in parts {
            out = out.replace(p, "<secret>");
        }
    }
    out
}

/// The first few KiB of a body: enough to say why, never a flood.
async fn read_capped(mut response: reqwest::Response) -> String {
    let mut got = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        got.extend_from_slice(&chunk);
        if got.len() > 4096 {
            break;
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_this_machine() {
        assert!(check_url("https://hooks.slack.com/services/T/B/X").is_ok());
        assert!(check_url("http://127.0.0.1:9/hook").is_ok());
        assert!(check_url("http://[::1]:9/hook").is_ok());
        assert!(check_url("http://hooks.slack.com/services/T/B/X").is_err());
        assert!(check_url("ftp://x").is_err());
        assert!(check_url("hooks.slack.com").is_err());
    }

    #[test]
    fn a_secret_never_survives_in_a_message() {
        let url = "https://h/services/T0/B0/LONGTOKEN123";
        let slack = |text: &str| scrub(text, url, ChannelKind::Slack);
        assert_eq!(
            slack(&format!("error sending request for {url}: refused")),
            "error sending request for <secret>: refused"
        );
        assert_eq!(
            slack("no such hook /services/T0/B0/LONGTOKEN123 (LONGTOKEN123)"),
            "no such hook <secret> (<secret>)"
        );
        assert_eq!(
            scrub("key R0UT1NG is invalid", "R0UT1NG", ChannelKind::PagerDuty),
            "key <secret> is invalid"
        );
    }
}
