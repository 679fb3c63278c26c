//! The `[notify.NAME]` tables: the channels `notification` steps post to.
//! A channel names where its secret is read (an environment variable or a
//! Secrets Manager secret), never the secret itself, because the file is
//! shared and checked in.

use std::collections::BTreeMap;

use toml::Spanned;

use super::Broken;
use super::names::{validate_region_name, validate_secret_name, validate_url};
use super::shape::NotifyFile;
use crate::domain::notify::{ChannelKind, NotifyChannel, SecretSource};
use crate::text::printable_within;

/// Every channel, checked, in file order.
/// `regions` are the file's region names: a secret is read in one of them.
pub(super) fn notify_channels(
    tables: &BTreeMap<Spanned<String>, NotifyFile>,
    regions: &[&str],
) -> Result<Vec<NotifyChannel>, Broken> {
    let mut entries: Vec<_> = tables.iter().collect();
    entries.sort_by_key(|(name, _)| name.span().start);
    entries
        .into_iter()
        .map(|(name, t)| {
            let kind = channel_kind(name, t)?;
            let secret = secret_source(name, kind, t, regions)?;
            if let Some(url) = &t.events_url {
                validate_url("events_url", url)?;
            }
            if let Some(key) = &t.dedup_key {
                validate_dedup_key(key)?;
            }
            Ok(NotifyChannel {
                name: name.get_ref().clone(),
                kind,
                secret,
                events_url: t.events_url.as_ref().map(|u| u.get_ref().clone()),
                dedup_key: t.dedup_key.as_ref().map(|k| k.get_ref().clone()),
            })
        })
        .collect()
}

/// The channel's name checked, and its kind: written, or the name itself.
fn channel_kind(name: &Spanned<String>, t: &NotifyFile) -> Result<ChannelKind, Broken> {
    let n = name.get_ref();
    let name_ok = (1..=32).contains(&n.len())
        && n.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !name_ok {
        return Err((
            name.span(),
            format!(
                "bad notify channel name \"{}\", expected up to 32 lower-case letters, digits, \
                 \"-\" and \"_\" as runbooks name it (e.g. slack)",
                printable_within(n, 40)
            ),
        ));
    }
    let kind = match &t.kind {
        Some(k) => match k.get_ref().as_str() {
            "slack" => ChannelKind::Slack,
            "pagerduty" => ChannelKind::PagerDuty,
            other => {
                return Err((
                    k.span(),
                    format!(
                        "bad kind \"{}\" for notify channel \"{n}\", expected slack or pagerduty",
                        printable_within(other, 40)
                    ),
                ));
            }
        },
        None => match n.as_str() {
            "slack" => ChannelKind::Slack,
            "pagerduty" => ChannelKind::PagerDuty,
            _ => {
                return Err((
                    name.span(),
                    format!(
                        "notify channel \"{n}\" has no kind, expected kind = \"slack\" or \
                         kind = \"pagerduty\""
                    ),
                ));
            }
        },
    };
    Ok(kind)
}

/// Where the secret is read: one of the kind's two keys, the other
/// kind's keys refused by name.
fn secret_source(
    name: &Spanned<String>,
    kind: ChannelKind,
    t: &NotifyFile,
    regions: &[&str],
) -> Result<SecretSource, Broken> {
    let n = name.get_ref();
    let (env_key, secret_key, what) = match kind {
        ChannelKind::Slack => ("url_env", "url_secret", "webhook URL"),
        ChannelKind::PagerDuty => ("routing_key_env", "routing_key_secret", "routing key"),
    };
    let (env, secret, foreign): (_, _, &[ForeignKey<'_>]) = match kind {
        ChannelKind::Slack => (
            &t.url_env,
            &t.url_secret,
            &[
                ("routing_key_env", &t.routing_key_env),
                ("routing_key_secret", &t.routing_key_secret),
                ("events_url", &t.events_url),
                ("dedup_key", &t.dedup_key),
            ],
        ),
        ChannelKind::PagerDuty => (
            &t.routing_key_env,
            &t.routing_key_secret,
            &[("url_env", &t.url_env), ("url_secret", &t.url_secret)],
        ),
    };
    for &(key, value) in foreign {
        if let Some(v) = value {
            return Err((
                v.span(),
                format!(
                    "{key} is not a {} setting: {} channel \"{n}\" takes {env_key} or {secret_key}",
                    kind.label(),
                    kind.label()
                ),
            ));
        }
    }
    Ok(match (env, secret) {
        (Some(_), Some(s)) => {
            return Err((
                s.span(),
                format!(
                    "notify channel \"{n}\" names both {env_key} and {secret_key}, expected one"
                ),
            ));
        }
        (None, None) => {
            return Err((
                name.span(),
                format!(
                    "notify channel \"{n}\" has no {env_key} or {secret_key}: its {what} is read \
                     from one of them when a step posts"
                ),
            ));
        }
        (Some(var), None) => {
            if let Some(r) = &t.secret_region {
                return Err((
                    r.span(),
                    format!("secret_region goes with {secret_key}, not {env_key}"),
                ));
            }
            validate_env_var(env_key, var)?;
            SecretSource::EnvVar(var.get_ref().clone())
        }
        (None, Some(id)) => {
            validate_secret_id(id)?;
            if let Some(r) = &t.secret_region {
                validate_region_name(r)?;
                if !regions.contains(&r.get_ref().as_str()) {
                    return Err((
                        r.span(),
                        format!(
                            "secret_region \"{}\" is not a region of this file, expected one of {}",
                            r.get_ref(),
                            regions.join(", ")
                        ),
                    ));
                }
            }
            SecretSource::SecretsManager {
                id: id.get_ref().clone(),
                region: t.secret_region.as_ref().map(|r| r.get_ref().clone()),
            }
        }
    })
}

fn validate_dedup_key(key: &Spanned<String>) -> Result<(), Broken> {
    let k = key.get_ref();
    if (1..=255).contains(&k.len()) && k.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return Ok(());
    }
    Err((
        key.span(),
        format!(
            "bad dedup_key \"{}\", expected 1 to 255 printable characters",
            printable_within(k, 64)
        ),
    ))
}

/// A key that belongs to the other kind of channel, and its value if set.
type ForeignKey<'a> = (&'a str, &'a Option<Spanned<String>>);

/// A POSIX environment variable name.
fn validate_env_var(key: &str, var: &Spanned<String>) -> Result<(), Broken> {
    let v = var.get_ref();
    let ok = (1..=128).contains(&v.len())
        && v.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        return Ok(());
    }
    Err((
        var.span(),
        format!(
            "bad {key} \"{}\", expected the name of an environment variable such as \
             DRCONSOLE_SLACK_URL (letters, digits and _)",
            printable_within(v, 64)
        ),
    ))
}

/// A secret's name, or its full ARN.
fn validate_secret_id(id: &Spanned<String>) -> Result<(), Broken> {
    let v = id.get_ref();
    if v.starts_with("arn:") {
        let ok =
            v.len() <= 2048 && v.split(':').count() >= 7 && v.bytes().all(|b| b.is_ascii_graphic());
        if ok {
            return Ok(());
        }
        return Err((
            id.span(),
            format!(
                "bad secret ARN \"{}\", expected arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME",
                printable_within(v, 64)
            ),
        ));
    }
    validate_secret_name(id)
}
