//! Unit tests for `domain::assess`, kept beside it so the production file stays short enough to read in one sitting.

use super::*;
use crate::domain::estate::{BackupKind, EstateSpec};
use crate::domain::fleet::EstateView;
use crate::domain::observation::HealthStatus;

const S: Duration = Duration::from_secs(1);

#[test]
fn stale_health_is_never_healthy() {
    let mut v = EstateView::new(EstateSpec::seed());
    let r = &mut v.regions[0];
    r.health.observe(
        HealthStatus {
            healthy: true,
            checkers_ok: 8,
            checkers_total: 8,
        },
        Timestamp::from_secs(0),
    );
    assert_eq!(region_health(r, Timestamp::from_secs(1), S).word, "HEALTHY");
    let later = region_health(r, Timestamp::from_secs(10), S);
    assert_eq!(
        (later.level, later.word.as_str()),
        (Level::Stale, "STALE 10s")
    );
    assert_eq!(
        region_health(r, Timestamp::from_secs(100), S).level,
        Level::Unknown
    );
}

#[test]
fn backup_ages_against_schedule_and_alarm() {
    let p = BackupPolicy {
        kind: BackupKind::ChainState,
        every: S * 4 * 3600,
        alarm_after: S * 24 * 3600,
    };
    let now = Timestamp::from_secs(100_000);
    let mut t = Tracked::default();
    let at = |age: u32| Some(now.minus(S * age));
    t.observe(at(3600), now);
    assert_eq!(backup(&t, &p, now, S).word, "OK");
    t.observe(at(5 * 3600), now);
    assert_eq!(backup(&t, &p, now, S).word, "LATE");
    t.observe(at(24 * 3600), now);
    assert_eq!(backup(&t, &p, now, S).word, "ALARM");
    t.observe(None, now);
    assert_eq!(backup(&t, &p, now, S).word, "NONE");
}

#[test]
fn lag_against_rpo() {
    let now = Timestamp::from_secs(10);
    let rpo = S * 300;
    let mut t = Tracked::default();
    t.observe(S * 10, now);
    assert_eq!(replication(&t, rpo, now, S).level, Level::Ok);
    t.observe(S * 200, now);
    assert_eq!(replication(&t, rpo, now, S).level, Level::Warn);
    t.observe(S * 301, now);
    assert_eq!(replication(&t, rpo, now, S).word, "BREACH");
}
