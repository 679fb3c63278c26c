//! The rules that hold a runbook against the estate it runs on: a
//! backup-freshness check the backup schedule can never meet, and a
//! validator threshold the regions' layout contradicts.

use std::collections::BTreeMap;
use std::time::Duration;

use super::{Linter, Severity, command_text};
use crate::domain::estate::{BackupKind, EstateSpec};
use crate::domain::runbook::plan::{CompareOp, Expectation, PlannedStep};
use crate::domain::time::format_age;

/// The largest age a freshness condition allows: the duration after `<`.
fn max_age(text: &str) -> Option<Duration> {
    let after = text.split('<').nth(1)?;
    let after = after.trim_start_matches(['=', ' ']);
    let after = after
        .strip_prefix("interval")
        .unwrap_or(after)
        .trim_start_matches([' ', '\'']);
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    let n: u64 = digits.parse().ok()?;
    let unit: String = after[digits.len()..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect();
    let secs = match unit.as_str() {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => n,
        "m" | "min" | "mins" | "minute" | "minutes" => n.saturating_mul(60),
        "h" | "hour" | "hours" => n.saturating_mul(3600),
        "d" | "day" | "days" => n.saturating_mul(86_400),
        _ => return None,
    };
    Some(Duration::from_secs(secs))
}

/// A freshness limit tighter than (or equal to) the backup period of the
/// kind of backup the step checks.
pub(super) fn backup_freshness(l: &mut Linter, s: &PlannedStep, estate: &EstateSpec) {
    let about = format!(
        "{} {}",
        s.name,
        s.description.as_deref().unwrap_or_default()
    )
    .to_lowercase();
    let backup = about.contains("backup") || about.contains("snapshot");
    if !(backup && (about.contains("fresh") || about.contains("age") || about.contains("rpo"))) {
        return;
    }
    let limit = s.question.as_deref().and_then(max_age).or(match s.expect {
        Some(Expectation::Compare {
            op: CompareOp::Lt | CompareOp::Le,
            value,
        }) if value >= 0.0 => Some(crate::domain::duration::from_secs_f64(value)),
        _ => None,
    });
    let Some(limit) = limit else { return };
    let c = command_text(s).unwrap_or_default();
    let kind = if c.contains("snapshot") {
        BackupKind::ChainState
    } else if c.contains("key") && !c.contains("cockroach") {
        BackupKind::Keys
    } else {
        BackupKind::Database
    };
    let Some(policy) = estate.backups.iter().find(|b| b.kind == kind) else {
        return;
    };
    let every = policy.every;
    if limit < every {
        l.push_step(
            s,
            Severity::Error,
            "backup-freshness-impossible",
            format!(
                "step {} requires a {} backup younger than {} but they are taken every {}: \
                 the check fails for {} of every {}",
                s.name,
                kind.label(),
                format_age(limit),
                format_age(every),
                format_age(every.saturating_sub(limit)),
                format_age(every)
            ),
        );
    } else if limit == every {
        l.push_step(
            s,
            Severity::Warning,
            "backup-freshness-no-margin",
            format!(
                "step {} allows a {} backup age of {}, exactly the backup period: it fails whenever \
                 it runs before the next backup has completed",
                s.name,
                kind.label(),
                format_age(limit)
            ),
        );
    }
}

/// A per-region validator count that some region of the estate cannot reach.
pub(super) fn validators_per_region(l: &mut Linter, s: &PlannedStep, estate: &EstateSpec) {
    let Some(question) = s.question.as_deref().map(str::to_lowercase) else {
        return;
    };
    if !(question.contains("each region") && question.contains("validator")) {
        return;
    }
    let Some(wanted) = question
        .split(">=")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|w| w.parse::<usize>().ok())
    else {
        return;
    };
    let mut per_region: BTreeMap<&str, usize> = estate
        .regions
        .iter()
        .map(|r| (r.name.as_str(), 0))
        .collect();
    for v in &estate.validators {
        *per_region.entry(v.region.as_str()).or_default() += 1;
    }
    let short: Vec<String> = estate
        .regions
        .iter()
        .filter_map(|r| {
            let count = per_region.get(r.name.as_str()).copied().unwrap_or(0);
            (count < wanted).then(|| format!("{} has {count}", r.name))
        })
        .collect();
    if !short.is_empty() {
        l.push_step(
            s,
            Severity::Error,
            "threshold-contradicts-estate",
            format!(
                "step {} expects at least {wanted} validators in each region but {}: it can never pass",
                s.name,
                short.join(", ")
            ),
        );
    }
}
