//! Readings and how fresh they are.
//!
//! The first safety rule lives here: a value nobody has confirmed lately is
//! not a value the operator may trust, so every reading carries the time it
//! was observed and every consumer goes through [`Freshness`].

use std::time::Duration;

use super::time::Timestamp;

/// How many poll intervals a reading may age before it is STALE.
pub const STALE_AFTER_INTERVALS: u32 = 3;
/// How many poll intervals a reading may age before it is UNKNOWN again.
pub const UNKNOWN_AFTER_INTERVALS: u32 = 10;

/// A value and the instant a source reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading<T> {
    /// What the source said.
    pub value: T,
    /// When it said it.
    pub observed_at: Timestamp,
}

/// Whether a reading can be believed now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Younger than [`STALE_AFTER_INTERVALS`] poll intervals.
    Fresh,
    /// Older than that: shown with its age, never as healthy.
    Stale(Duration),
    /// Never observed, or so old that it says nothing about now.
    Unknown,
}

impl Freshness {
    /// Classifies a reading observed at `observed_at` (if ever) for a source
    /// polled every `interval`.
    #[must_use]
    pub fn classify(observed_at: Option<Timestamp>, now: Timestamp, interval: Duration) -> Self {
        let Some(at) = observed_at else {
            return Freshness::Unknown;
        };
        let age = now.since(at);
        if age > interval.saturating_mul(UNKNOWN_AFTER_INTERVALS) {
            Freshness::Unknown
        } else if age > interval.saturating_mul(STALE_AFTER_INTERVALS) {
            Freshness::Stale(age)
        } else {
            Freshness::Fresh
        }
    }

    /// The worse of two freshnesses: a panel is as fresh as its stalest part.
    #[must_use]
    pub fn worst(self, other: Freshness) -> Freshness {
        match (self, other) {
            (Freshness::Unknown, _) | (_, Freshness::Unknown) => Freshness::Unknown,
            (Freshness::Stale(a), Freshness::Stale(b)) => Freshness::Stale(a.max(b)),
            (s @ Freshness::Stale(_), Freshness::Fresh)
            | (Freshness::Fresh, s @ Freshness::Stale(_)) => s,
            (Freshness::Fresh, Freshness::Fresh) => Freshness::Fresh,
        }
    }
}

/// The latest reading of one thing plus the latest failure to read it.
///
/// Keeping both lets a panel say "last seen 2m ago, since then: timeout".
#[derive(Debug, Clone, PartialEq)]
pub struct Tracked<T> {
    /// The newest successful reading, if any ever arrived.
    pub reading: Option<Reading<T>>,
    /// The newest failure and when it happened, cleared by the next success.
    pub last_error: Option<(String, Timestamp)>,
}

impl<T> Default for Tracked<T> {
    fn default() -> Self {
        Self {
            reading: None,
            last_error: None,
        }
    }
}

impl<T> Tracked<T> {
    /// Records a successful reading.
    pub fn observe(&mut self, value: T, at: Timestamp) {
        self.reading = Some(Reading {
            value,
            observed_at: at,
        });
        self.last_error = None;
    }

    /// Records a failure; the previous reading is kept so that it can age.
    pub fn fail(&mut self, error: String, at: Timestamp) {
        self.last_error = Some((error, at));
    }

    /// Freshness of the kept reading.
    #[must_use]
    pub fn freshness(&self, now: Timestamp, interval: Duration) -> Freshness {
        Freshness::classify(self.reading.as_ref().map(|r| r.observed_at), now, interval)
    }

    /// The value only if it is fresh: the accessor for anything that
    /// decides "healthy".
    #[must_use]
    pub fn fresh_value(&self, now: Timestamp, interval: Duration) -> Option<&T> {
        match self.freshness(now, interval) {
            Freshness::Fresh => self.reading.as_ref().map(|r| &r.value),
            Freshness::Stale(_) | Freshness::Unknown => None,
        }
    }

    /// The value while it is fresh or stale (for display with a marker),
    /// `None` once unknown.
    #[must_use]
    pub fn known_value(&self, now: Timestamp, interval: Duration) -> Option<&T> {
        match self.freshness(now, interval) {
            Freshness::Fresh | Freshness::Stale(_) => self.reading.as_ref().map(|r| &r.value),
            Freshness::Unknown => None,
        }
    }

    /// Age of the kept reading, if any.
    #[must_use]
    pub fn age(&self, now: Timestamp) -> Option<Duration> {
        self.reading.as_ref().map(|r| now.since(r.observed_at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: Duration = Duration::from_secs(1);

    #[test]
    fn never_observed_is_unknown() {
        assert_eq!(
            Freshness::classify(None, Timestamp::from_secs(10), SEC),
            Freshness::Unknown
        );
    }

    #[test]
    fn ages_through_fresh_stale_unknown() {
        let at = Timestamp::from_secs(100);
        let f = |s| Freshness::classify(Some(at), Timestamp::from_secs(s), SEC * 10);
        assert_eq!(f(100), Freshness::Fresh);
        assert_eq!(
            f(130),
            Freshness::Fresh,
            "exactly three intervals is still fresh"
        );
        assert_eq!(f(131), Freshness::Stale(SEC * 31));
        assert_eq!(f(200), Freshness::Stale(SEC * 100));
        assert_eq!(f(201), Freshness::Unknown);
    }

    #[test]
    fn stale_values_are_never_fresh_values() {
        let mut t = Tracked::default();
        t.observe(7_u32, Timestamp::from_secs(0));
        assert_eq!(t.fresh_value(Timestamp::from_secs(3), SEC), Some(&7));
        assert_eq!(t.fresh_value(Timestamp::from_secs(4), SEC), None);
        assert_eq!(t.known_value(Timestamp::from_secs(4), SEC), Some(&7));
        assert_eq!(t.known_value(Timestamp::from_secs(11), SEC), None);
    }

    #[test]
    fn failure_keeps_reading_and_success_clears_error() {
        let mut t = Tracked::default();
        t.observe(1_u32, Timestamp::from_secs(0));
        t.fail("timeout".into(), Timestamp::from_secs(2));
        assert!(t.reading.is_some());
        assert!(t.last_error.is_some());
        t.observe(2, Timestamp::from_secs(3));
        assert!(t.last_error.is_none());
    }

    #[test]
    fn worst_prefers_unknown_then_oldest_stale() {
        let s = |n| Freshness::Stale(Duration::from_secs(n));
        assert_eq!(Freshness::Fresh.worst(s(5)), s(5));
        assert_eq!(s(5).worst(s(9)), s(9));
        assert_eq!(s(5).worst(Freshness::Unknown), Freshness::Unknown);
    }
}
