//! Backups of an environment file: each region's `[[region.backup]]` (or
//! the seed's three), their schedules, and the rule that every region
//! watches the same kinds on the same schedule.

use std::ops::Range;
use std::time::Duration;

use toml::Spanned;

use super::names::validate_bucket;
use super::shape::RegionFile;
use super::{Broken, duration, line_of};
use crate::domain::duration::{self, bounds::BACKUP_SCHEDULE};
use crate::domain::environment::BackupLocation;
use crate::domain::estate::{BackupKind, BackupPolicy};

/// The seed's schedule, alarm age and prefix for each kind, in file order.
const SEED_BACKUPS: [(BackupKind, Duration, Duration, &str); 3] = [
    (
        BackupKind::ChainState,
        Duration::from_hours(4),
        Duration::from_hours(24),
        "chain-state/",
    ),
    (
        BackupKind::Keys,
        Duration::from_hours(24),
        Duration::from_hours(48),
        "keys/",
    ),
    (
        BackupKind::Database,
        Duration::from_hours(6),
        Duration::from_hours(24),
        "database/",
    ),
];

fn seed_backup(kind: BackupKind) -> (Duration, Duration, &'static str) {
    SEED_BACKUPS.iter().find(|(k, ..)| *k == kind).map_or(
        (Duration::from_hours(24), Duration::from_hours(48), ""),
        |&(_, e, a, p)| (e, a, p),
    )
}

/// The key a backup kind has in files, for messages.
pub(super) fn kind_key(kind: BackupKind) -> &'static str {
    match kind {
        BackupKind::ChainState => "chain_state",
        BackupKind::Keys => "keys",
        BackupKind::Database => "database",
    }
}

/// One backup kind of one region as the file gives it or the seed implies,
/// with where to point if it disagrees with another region.
pub(super) struct BackupEntry {
    pub(super) location: BackupLocation,
    pub(super) policy: BackupPolicy,
    /// The `kind` value, or the region name when defaulted.
    pub(super) kind_span: Range<usize>,
    /// The `every` value, or `kind_span` when defaulted.
    pub(super) every_span: Range<usize>,
    /// The `alarm_after` value, or `kind_span` when defaulted.
    pub(super) alarm_span: Range<usize>,
    /// True when the region lists no backups and the seed's were assumed.
    pub(super) defaulted: bool,
}

/// The region's backups, or the seed's three in the seed's bucket.
pub(super) fn region_backups(r: &RegionFile) -> Result<Vec<BackupEntry>, Broken> {
    let name = r.name.get_ref();
    if r.backup.is_empty() {
        return Ok(SEED_BACKUPS
            .iter()
            .map(|&(kind, every, alarm_after, prefix)| BackupEntry {
                location: BackupLocation {
                    kind,
                    bucket: format!("virtengine-dr-backups-{name}"),
                    prefix: prefix.to_owned(),
                },
                policy: BackupPolicy {
                    kind,
                    every,
                    alarm_after,
                },
                kind_span: r.name.span(),
                every_span: r.name.span(),
                alarm_span: r.name.span(),
                defaulted: true,
            })
            .collect());
    }
    let mut out: Vec<BackupEntry> = Vec::new();
    for b in &r.backup {
        let kind: BackupKind = (*b.kind.get_ref()).into();
        if out.iter().any(|e| e.policy.kind == kind) {
            return Err((
                b.kind.span(),
                format!(
                    "region \"{name}\" lists {} backups twice, expected one [[region.backup]] per kind",
                    kind_key(kind)
                ),
            ));
        }
        validate_bucket(&b.bucket)?;
        let (seed_every, seed_alarm, _) = seed_backup(kind);
        let every = duration("every", b.every.as_ref(), seed_every, BACKUP_SCHEDULE)?;
        let alarm_after = duration(
            "alarm_after",
            b.alarm_after.as_ref(),
            seed_alarm,
            BACKUP_SCHEDULE,
        )?;
        let every_span = b.every.as_ref().map_or(b.kind.span(), Spanned::span);
        let alarm_span = b.alarm_after.as_ref().map_or(b.kind.span(), Spanned::span);
        if alarm_after <= every {
            // Point at whichever of the two the operator wrote.
            let span = if b.alarm_after.is_some() {
                alarm_span.clone()
            } else {
                every_span.clone()
            };
            return Err((
                span,
                format!(
                    "{} backups alarm after {}{} but run every {}, \
                     expected alarm_after longer than every",
                    kind_key(kind),
                    duration::format(alarm_after),
                    if b.alarm_after.is_some() {
                        ""
                    } else {
                        " (the default)"
                    },
                    duration::format(every)
                ),
            ));
        }
        out.push(BackupEntry {
            location: BackupLocation {
                kind,
                bucket: b.bucket.get_ref().clone(),
                prefix: b.prefix.clone(),
            },
            policy: BackupPolicy {
                kind,
                every,
                alarm_after,
            },
            kind_span: b.kind.span(),
            every_span,
            alarm_span,
            defaulted: false,
        });
    }
    Ok(out)
}

/// Every region must watch the same kinds on the same schedule: the
/// estate's policy is one, and `EstateSpec::backups` holds it once.
pub(super) fn validate_backups_agree(
    text: &str,
    regions: &[RegionFile],
    backups: &[Vec<BackupEntry>],
) -> Result<(), Broken> {
    let (Some(first_region), Some(first)) = (regions.first(), backups.first()) else {
        return Ok(());
    };
    let first_name = first_region.name.get_ref();
    let first_line = line_of(text, first_region.name.span().start);
    let kinds = |entries: &[BackupEntry]| -> String {
        entries
            .iter()
            .map(|e| kind_key(e.policy.kind))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (r, entries) in regions.iter().zip(backups).skip(1) {
        let name = r.name.get_ref();
        for e in entries {
            let Some(model) = first.iter().find(|m| m.policy.kind == e.policy.kind) else {
                let what = if e.defaulted {
                    format!(
                        "region \"{name}\" lists no backups, so it watches the seed's three kinds"
                    )
                } else {
                    format!(
                        "region \"{name}\" watches {} backups",
                        kind_key(e.policy.kind)
                    )
                };
                return Err((
                    e.kind_span.clone(),
                    format!(
                        "{what}, but \"{first_name}\" (line {first_line}) has no {} backup, \
                         expected the same backup kinds in every region: {}",
                        kind_key(e.policy.kind),
                        kinds(first)
                    ),
                ));
            };
            for (ours, theirs, span, key) in [
                (e.policy.every, model.policy.every, &e.every_span, "every"),
                (
                    e.policy.alarm_after,
                    model.policy.alarm_after,
                    &e.alarm_span,
                    "alarm_after",
                ),
            ] {
                if ours != theirs {
                    return Err((
                        span.clone(),
                        format!(
                            "{} backups: {key} is {} here but {} in \"{first_name}\" \
                             (line {first_line}), \
                             expected one schedule per kind in every region",
                            kind_key(e.policy.kind),
                            duration::format(ours),
                            duration::format(theirs)
                        ),
                    ));
                }
            }
        }
        if let Some(missing) = first
            .iter()
            .find(|m| !entries.iter().any(|e| e.policy.kind == m.policy.kind))
        {
            return Err((
                r.name.span(),
                format!(
                    "region \"{name}\" has no {} backup but \"{first_name}\" \
                     (line {first_line}) has, \
                     expected the same backup kinds in every region: {}",
                    kind_key(missing.policy.kind),
                    kinds(first)
                ),
            ));
        }
    }
    Ok(())
}
