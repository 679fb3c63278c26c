//! How short and how long each kind of duration field may be, in one place.
//!
//! Every loader checks every duration against one of these at load time, so
//! a value that makes no sense for its field is refused with file:line:col
//! and the bound in the message, and nothing the console later does with an
//! accepted value (RTO clock ×5, alarm = schedule × factor, sums of step
//! timeouts, deadlines `now + timeout`) comes anywhere near overflowing: the
//! longest bound, [`RETENTION`], is ten years, and `Duration` counts to
//! 584 billion years.

use std::time::Duration;

use super::Bound;

const fn bound(min: Duration, max: Duration) -> Bound {
    Bound { min, max }
}

const MS: Duration = Duration::from_millis(1);
const SECOND: Duration = Duration::from_secs(1);
const HOUR: Duration = Duration::from_hours(1);
const DAY: Duration = Duration::from_hours(24);

/// `rto` and `rpo` of a runbook, an environment file's `[targets]` and a
/// drill's `targets:`. At least a second: a sub-second recovery target is a
/// typo, and zero would turn the RTO clock red before the run starts. At
/// most 7 days: past a week the service is being rebuilt, not recovered.
pub const TARGET: Bound = bound(SECOND, Duration::from_hours(24 * 7));

/// A runbook step's or automated test's `timeout`. At least a second (no
/// command starts faster); at most a day: a step that may hang longer than
/// that cannot fit in any recovery target.
pub const STEP_TIMEOUT: Bound = bound(SECOND, DAY);

/// A step's `retry.delay` / `interval` between attempts. Zero is meaningful
/// (retry at once); at most an hour, beyond which the retry is a new run.
pub const RETRY_DELAY: Bound = bound(Duration::ZERO, HOUR);

/// A step's `poll_interval` while it waits for `until:`. At least a second,
/// so a poll loop cannot spin on a shell command; at most an hour, so a
/// poll always looks again within the longest useful wait.
pub const STEP_POLL: Bound = bound(SECOND, HOUR);

/// An environment file's `poll.health`, `poll.metrics` and `poll.backups`:
/// AWS APIs, which are rate limited and billed per call. At least a second;
/// at most an hour, or the dashboard shows hour-old data as current.
pub const AWS_POLL: Bound = bound(SECOND, HOUR);

/// An environment file's `poll.chain`: the estate's own CometBFT RPC, where
/// blocks come about every second. At least 100 ms (tests and local nodes
/// poll twice a second); at most 10 minutes, or a halted chain goes
/// unnoticed for longer than any RPO.
pub const CHAIN_POLL: Bound = bound(Duration::from_millis(100), Duration::from_mins(10));

/// A backup kind's `every` and `alarm_after`. At least a minute (no backup
/// job runs more often); at most 90 days, a quarterly backup being the
/// rarest that still protects anything.
pub const BACKUP_SCHEDULE: Bound = bound(Duration::from_mins(1), Duration::from_hours(24 * 90));

/// Durations a runbook records but drconsole does not run by (backup
/// retention, trigger windows). Zero allowed; at most ten years, the
/// longest retention a regulator asks for.
pub const RETENTION: Bound = bound(Duration::ZERO, Duration::from_hours(24 * 3650));

/// A drill's `duration`, its injects' `at` and a drill script's times. A
/// tabletop drill is hours long: at most a day. Times may be zero (at the
/// start); the drill's own duration must be more (checked by its loader).
pub const DRILL_TIME: Bound = bound(Duration::ZERO, DAY);

/// `status --after`: how long the simulated estate runs first, or how long
/// to wait for live sources. At most a week: the simulator steps through
/// every second of it, and no source takes longer to answer.
pub const STATUS_AFTER: Bound = bound(Duration::ZERO, Duration::from_hours(24 * 7));

/// `ceremony open --idle-timeout`: inactivity that wipes the shares typed.
/// At least a second (one keystroke's time); at most a day, since shares
/// left on a screen longer than that are unattended secrets.
pub const IDLE_TIMEOUT: Bound = bound(SECOND, DAY);

/// `lag-growth REGION D`: lag added every second by the fault. More than
/// zero (zero is no fault); at most an hour per second, which already puts
/// any replica days behind within a drill.
pub const LAG_GROWTH: Bound = bound(MS, HOUR);

/// Every bound with its name, for property tests and documentation.
pub const ALL: [(&str, Bound); 14] = [
    ("TARGET", TARGET),
    ("STEP_TIMEOUT", STEP_TIMEOUT),
    ("RETRY_DELAY", RETRY_DELAY),
    ("STEP_POLL", STEP_POLL),
    ("AWS_POLL", AWS_POLL),
    ("CHAIN_POLL", CHAIN_POLL),
    ("BACKUP_SCHEDULE", BACKUP_SCHEDULE),
    ("RETENTION", RETENTION),
    ("DRILL_TIME", DRILL_TIME),
    ("STATUS_AFTER", STATUS_AFTER),
    ("IDLE_TIMEOUT", IDLE_TIMEOUT),
    ("LAG_GROWTH", LAG_GROWTH),
    ("INCIDENT_LEASE", INCIDENT_LEASE),
    ("INCIDENT_POLL", INCIDENT_POLL),
];

/// A shared incident's driver lease (`[incident] lease`). At least 10 s, so
/// a renewal (a third of the way in) survives one slow S3 call; at most 10
/// minutes, the longest a dead driver may hold the run before another
/// console may take over.
pub const INCIDENT_LEASE: Bound = bound(Duration::from_secs(10), Duration::from_mins(10));

/// How often a follower reads a shared incident (`[incident] poll`). At
/// least 250 ms (S3 bills per request); at most a minute, so a follower's
/// screen is never more than that behind the driver's.
pub const INCIDENT_POLL: Bound = bound(Duration::from_millis(250), Duration::from_mins(1));
