//! Backup jobs on their schedules: each job completes a seeded 3-12 minutes
//! after its scheduled time, unless a fault says it does not.

use crate::domain::estate::{BackupKind, BackupPolicy};
use crate::domain::time::Timestamp;

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;

/// One backup kind in one region.
#[derive(Debug, Clone)]
pub(super) struct BackupTrack {
    /// Index of the region in the spec.
    pub(super) region: usize,
    /// Which backup.
    pub(super) kind: BackupKind,
    every: i64,
    salt: u64,
    /// Completion time of the newest backup that exists.
    pub(super) newest: Option<Timestamp>,
    /// Scheduled start of the next job that has not completed yet.
    next_scheduled: i64,
}

impl BackupTrack {
    /// The track as it stands at `start`: the newest backup is the latest
    /// job that completed before it.
    pub(super) fn new(
        seed: u64,
        region: usize,
        region_name: &str,
        policy: &BackupPolicy,
        start: Timestamp,
    ) -> Self {
        let every = i64::try_from(policy.every.as_millis())
            .unwrap_or(i64::MAX)
            .max(MINUTE_MS);
        let offset = match policy.kind {
            // The seed's key backup cron is `0 2 * * *`.
            BackupKind::Keys => 2 * HOUR_MS,
            BackupKind::ChainState | BackupKind::Database => 0,
        } % every;
        let salt = region_name
            .bytes()
            .chain([policy.kind as u8])
            .fold(seed, |h, b| mix(h ^ u64::from(b)));
        let mut track = Self {
            region,
            kind: policy.kind,
            every,
            salt,
            newest: None,
            next_scheduled: 0,
        };
        let s = start.as_millis();
        let latest = (s - offset).div_euclid(every) * every + offset;
        let done = if track.completion(latest) <= s {
            latest
        } else {
            latest - every
        };
        track.newest = Some(Timestamp::from_millis(track.completion(done)));
        track.next_scheduled = done + every;
        track
    }

    /// When the pending job completes, in ms since the epoch.
    pub(super) fn next_completion(&self) -> i64 {
        self.completion(self.next_scheduled)
    }

    /// The pending job ends now; it leaves a backup only if `succeeded`.
    pub(super) fn finish(&mut self, succeeded: bool) {
        if succeeded {
            self.newest = Some(Timestamp::from_millis(self.next_completion()));
        }
        self.next_scheduled += self.every;
    }

    /// Completion of the job scheduled at `scheduled`: 3-12 minutes later,
    /// fixed by the seed, and never more than half a period.
    fn completion(&self, scheduled: i64) -> i64 {
        let h = mix(self.salt ^ scheduled.cast_unsigned());
        let spread = (h % (9 * MINUTE_MS.unsigned_abs() + 1)).cast_signed();
        scheduled + (3 * MINUTE_MS + spread).min(self.every / 2)
    }
}

/// SplitMix64 finaliser: a cheap, well-mixed hash for seeded durations.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
