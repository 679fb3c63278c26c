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

#[test]
fn one_wait_rule_for_the_chain_and_each_region() {
    let six = Duration::from_secs(6);
    let wait = |s| block_wait(Duration::from_secs(s), six);
    assert_eq!(wait(0), BlockWait::OnTime);
    assert_eq!(wait(12), BlockWait::OnTime, "two intervals are on time");
    assert_eq!(wait(13), BlockWait::Slow);
    assert_eq!(wait(18), BlockWait::Slow, "the bound itself is not a halt");
    assert_eq!(wait(19), BlockWait::Halted);
    assert_eq!(
        block_wait(Duration::MAX, six),
        BlockWait::Halted,
        "the longest wait is a halt"
    );
    assert_eq!(
        block_wait(Duration::from_hours(1), Duration::MAX),
        BlockWait::OnTime,
        "a huge expected interval saturates instead of overflowing"
    );
}

#[test]
fn a_region_pace_says_unknown_measuring_slow_or_halted() {
    use crate::domain::estate::EstateSpec;
    use crate::domain::fleet::EstateView;
    let view = EstateView::new(EstateSpec::seed());
    let mut r = view.regions[0].clone();
    let poll = Duration::from_secs(5);
    let at = Timestamp::from_secs;
    assert_eq!(region_pace(&r, None, at(0), poll), RegionPace::NoFreshNode);
    r.block_pace.observe(at(100), 10, at(100));
    assert_eq!(region_pace(&r, None, at(101), poll).word(), "measuring");
    r.block_pace.observe(at(106), 11, at(106));
    r.block_pace.observe(at(112), 12, at(112));
    let p = region_pace(&r, None, at(113), poll);
    assert_eq!(p.word(), "producing");
    assert!(
        matches!(p, RegionPace::Blocks { interval: Some(i), .. } if i == Duration::from_secs(6))
    );
    // Still answering, at the same height: slow after 12 s, halted after 18 s.
    r.block_pace.observe(at(125), 12, at(112));
    assert_eq!(region_pace(&r, None, at(125), poll).word(), "slow");
    r.block_pace.observe(at(131), 12, at(112));
    assert_eq!(region_pace(&r, None, at(131), poll).word(), "halted");
    // Silent for more than three polls: unknown, never "producing".
    assert_eq!(region_pace(&r, None, at(147), poll).word(), "unknown");
}

#[test]
fn a_hostile_block_interval_cannot_postpone_a_halt() {
    use crate::domain::observation::ChainStatus;
    let chain = |avg| ChainStatus {
        chain_id: "c".into(),
        height: 10,
        latest_block_time: Timestamp::from_secs(0),
        avg_block_time: avg,
        validators: Vec::new(),
        disagreement: None,
        heads: Vec::new(),
    };
    let day = chain(Duration::from_hours(24));
    assert_eq!(expected_block_interval(&day), MAX_BLOCK_INTERVAL);
    assert!(
        halted(&day, Timestamp::from_secs(181)),
        "3 minutes, not 3 days"
    );
    assert!(!halted(&day, Timestamp::from_secs(180)));
    assert_eq!(
        expected_block_interval(&chain(Duration::from_millis(1))),
        Duration::from_secs(1)
    );
}
