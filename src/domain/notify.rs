//! Notifications to the people working an incident: which channels an
//! environment has, where each one's secret is read from, and exactly what
//! is sent to each kind of channel.
//!
//! The bodies are built here, without their secret, so the live runner
//! that sends them and the practice runner that only records them show the
//! same thing: a drill rehearses the very message the bridge would read.

use serde_json::{Value, json};

/// PagerDuty's Events API v2 endpoint, used unless a channel names another
/// (an emulator in tests and rehearsals).
pub const PAGERDUTY_EVENTS_URL: &str = "https://events.pagerduty.com/v2/enqueue";

/// The longest summary PagerDuty accepts.
const PAGERDUTY_SUMMARY_CHARS: usize = 1024;

/// The longest message posted to Slack: well under its 40 000-character
/// limit, and more than any runbook message needs.
const SLACK_TEXT_CHARS: usize = 3000;

/// One `[notify.NAME]` table of the environment file: a channel a runbook
/// names (`channels: [pagerduty, slack]`) and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyChannel {
    /// The name runbooks use, e.g. `slack`.
    pub name: String,
    /// What it is, which decides the body sent.
    pub kind: ChannelKind,
    /// Where its secret (Slack's webhook URL, PagerDuty's routing key) is
    /// read at the moment of sending; the file never holds it.
    pub secret: SecretSource,
    /// PagerDuty only: the events endpoint ([`PAGERDUTY_EVENTS_URL`] when
    /// `None`).
    pub events_url: Option<String>,
    /// PagerDuty only: the alert key to trigger and resolve; `None` uses
    /// one per run (`drconsole/<run id>`), so a run resolves what it raised.
    pub dedup_key: Option<String>,
}

/// The kinds of channel the console can post to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelKind {
    /// A Slack incoming webhook: the secret is the webhook URL itself.
    Slack,
    /// PagerDuty Events API v2: the secret is the integration's routing key.
    PagerDuty,
}

impl ChannelKind {
    /// The word the environment file uses.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            ChannelKind::Slack => "slack",
            ChannelKind::PagerDuty => "pagerduty",
        }
    }
}

/// Where a channel's secret comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// An environment variable of the console's process.
    EnvVar(String),
    /// A Secrets Manager secret whose string is the value. `region: None`
    /// tries each region of the estate, primary first, so a replicated
    /// secret still reads when the primary region is the one that is down.
    SecretsManager {
        /// Name or ARN.
        id: String,
        /// The one region to read it in, if the file names one.
        region: Option<String>,
    },
}

impl SecretSource {
    /// Where it is, for messages ("environment variable X", "secret Y").
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            SecretSource::EnvVar(v) => format!("environment variable {v}"),
            SecretSource::SecretsManager { id, .. } => format!("secret {id}"),
        }
    }
}

/// How urgent a notification is, as runbooks write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Pages: something needs a human now.
    Critical,
    /// Something failed.
    Error,
    /// Something may fail.
    Warning,
    /// For the record (the default).
    Info,
    /// The incident is over: PagerDuty resolves the run's alert.
    Resolved,
}

/// A runbook's severity that is not one of the five.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("severity \"{0}\" is not one of critical, error, warning, info, resolved")]
pub struct UnknownSeverity(pub String);

impl Severity {
    /// The runbook's word; no word is `info`.
    ///
    /// # Errors
    /// Any other word, so a typo fails in practice as it would live.
    pub fn parse(word: Option<&str>) -> Result<Self, UnknownSeverity> {
        Ok(match word.map(str::trim) {
            None | Some("" | "info") => Severity::Info,
            Some("critical") => Severity::Critical,
            Some("error") => Severity::Error,
            Some("warning") => Severity::Warning,
            Some("resolved") => Severity::Resolved,
            Some(other) => return Err(UnknownSeverity(crate::text::printable_within(other, 40))),
        })
    }

    fn slack_tag(self) -> &'static str {
        match self {
            Severity::Critical => ":rotating_light: *CRITICAL*",
            Severity::Error => ":red_circle: *ERROR*",
            Severity::Warning => ":warning: *WARNING*",
            Severity::Info => ":information_source:",
            Severity::Resolved => ":white_check_mark: *RESOLVED*",
        }
    }
}

/// The Slack incoming-webhook body. `&`, `<` and `>` are escaped as Slack
/// asks, so no value in a message (a region name, a variable) can become
/// an `@channel` ping or a link.
#[must_use]
pub fn slack_body(message: &str, severity: Severity) -> Value {
    let mut text = String::with_capacity(message.len().saturating_add(32));
    for c in message.chars().take(SLACK_TEXT_CHARS) {
        match c {
            '&' => text.push_str("&amp;"),
            '<' => text.push_str("&lt;"),
            '>' => text.push_str("&gt;"),
            c if c.is_control() && c != '\n' => text.push(' '),
            c => text.push(c),
        }
    }
    if message.chars().count() > SLACK_TEXT_CHARS {
        text.push('…');
    }
    json!({ "text": format!("{} {text}", severity.slack_tag()) })
}

/// The PagerDuty Events v2 event, without its `routing_key` (the sender
/// adds it, so no copy of this body ever holds the secret). A `resolved`
/// notification resolves the alert `dedup_key`; any other triggers it.
#[must_use]
pub fn pagerduty_event(message: &str, severity: Severity, dedup_key: &str, source: &str) -> Value {
    let pd_severity = match severity {
        Severity::Critical => "critical",
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Resolved => "info",
    };
    if severity == Severity::Resolved {
        return json!({
            "event_action": "resolve",
            "dedup_key": dedup_key,
        });
    }
    let summary: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(PAGERDUTY_SUMMARY_CHARS)
        .collect();
    json!({
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "client": "drconsole",
        "payload": {
            "summary": summary,
            "source": source,
            "severity": pd_severity,
            "component": "drconsole",
        },
    })
}

/// The alert key of a run: one per run unless the channel fixes one.
#[must_use]
pub fn dedup_key(channel: &NotifyChannel, run: &str) -> String {
    channel
        .dedup_key
        .clone()
        .unwrap_or_else(|| format!("drconsole/{run}"))
}

/// What one notification step sends to one channel, secret left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned<'a> {
    /// The channel name the runbook gave.
    pub name: &'a str,
    /// Its table in the environment file; `None` when it has none, which
    /// fails the step live and is said in practice.
    pub channel: Option<&'a NotifyChannel>,
    /// The JSON body (without secret), or `None` without a channel.
    pub body: Option<Value>,
}

/// The bodies a `notification` step sends: one rule for the live runner
/// that sends them and the practice runner that records them.
///
/// # Errors
/// An unknown severity, before anything is sent to any channel.
pub fn plan<'a>(
    configured: &'a [NotifyChannel],
    names: &'a [String],
    message: &str,
    severity: Option<&str>,
    run: &str,
    source: &str,
) -> Result<Vec<Planned<'a>>, UnknownSeverity> {
    let severity = Severity::parse(severity)?;
    Ok(names
        .iter()
        .map(|name| {
            let channel = configured.iter().find(|c| &c.name == name);
            let body = channel.map(|c| match c.kind {
                ChannelKind::Slack => slack_body(message, severity),
                ChannelKind::PagerDuty => {
                    pagerduty_event(message, severity, &dedup_key(c, run), source)
                }
            });
            Planned {
                name,
                channel,
                body,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_are_the_five_words_and_nothing_else() {
        assert_eq!(Severity::parse(None), Ok(Severity::Info));
        assert_eq!(Severity::parse(Some("resolved")), Ok(Severity::Resolved));
        assert_eq!(
            Severity::parse(Some("Critical")).map_err(|e| e.to_string()),
            Err(
                "severity \"Critical\" is not one of critical, error, warning, info, resolved"
                    .to_owned()
            )
        );
    }

    #[test]
    fn a_message_cannot_ping_or_link_in_slack() {
        let body = slack_body(
            "fail over <!channel> & <https://evil|x>\u{1b}[2J",
            Severity::Info,
        );
        assert_eq!(
            body["text"],
            ":information_source: fail over &lt;!channel&gt; &amp; &lt;https://evil|x&gt; [2J"
        );
    }

    #[test]
    fn long_messages_are_cut_where_each_service_stops() {
        let long = "é".repeat(5000);
        let slack = slack_body(&long, Severity::Critical);
        let text = slack["text"].as_str().unwrap_or_default();
        assert!(text.ends_with('…') && text.chars().count() < 3100);
        let pd = pagerduty_event(&long, Severity::Critical, "k", "prod");
        let summary = pd["payload"]["summary"].as_str().unwrap_or_default();
        assert_eq!(summary.chars().count(), 1024);
    }

    #[test]
    fn resolved_resolves_the_runs_alert_and_the_rest_trigger_it() {
        let resolve = pagerduty_event("done", Severity::Resolved, "drconsole/r1", "prod");
        assert_eq!(
            resolve,
            json!({"event_action": "resolve", "dedup_key": "drconsole/r1"})
        );
        let trigger = pagerduty_event("rolled back", Severity::Critical, "drconsole/r1", "prod");
        assert_eq!(trigger["event_action"], "trigger");
        assert_eq!(trigger["payload"]["severity"], "critical");
        assert_eq!(trigger["payload"]["source"], "prod");
        assert!(trigger.get("routing_key").is_none());
    }
}
