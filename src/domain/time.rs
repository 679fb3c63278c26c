//! Wall-clock instants as the console reasons about them.
//!
//! Every reading, journal entry and drill inject carries a [`Timestamp`]; the
//! domain never reads a clock itself, so time always arrives from outside.

use std::fmt;
use std::time::Duration;

/// Milliseconds since the Unix epoch, UTC.
///
/// A newtype rather than `SystemTime` so that virtual clocks, snapshots and
/// JSON all agree on one cheap, totally ordered, copyable representation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The instant `ms` milliseconds after the Unix epoch.
    #[must_use]
    pub const fn from_millis(ms: i64) -> Self {
        Self(ms)
    }

    /// The instant `s` whole seconds after the Unix epoch.
    #[must_use]
    pub const fn from_secs(s: i64) -> Self {
        Self(s.saturating_mul(1000))
    }

    /// Milliseconds since the Unix epoch.
    #[must_use]
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// How long ago `earlier` was, seen from `self`; zero if it lies ahead
    /// (clocks of different sources may disagree slightly).
    #[must_use]
    pub fn since(self, earlier: Timestamp) -> Duration {
        u64::try_from(self.0.saturating_sub(earlier.0))
            .map_or(Duration::ZERO, Duration::from_millis)
    }

    /// This instant moved forward by `d`, saturating at the end of time.
    #[must_use]
    pub fn plus(self, d: Duration) -> Timestamp {
        Timestamp(
            self.0
                .saturating_add(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        )
    }

    /// This instant moved back by `d`, saturating at the start of time.
    #[must_use]
    pub fn minus(self, d: Duration) -> Timestamp {
        Timestamp(
            self.0
                .saturating_sub(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        )
    }

    /// Parses an RFC 3339 instant such as `2026-11-26T03:00:00Z`.
    ///
    /// # Errors
    /// When the text is not an RFC 3339 instant with an offset.
    pub fn parse_rfc3339(text: &str) -> Result<Timestamp, String> {
        text.parse::<jiff::Timestamp>()
            .map(|t| Timestamp(t.as_millisecond()))
            .map_err(|e| {
                format!("not an RFC 3339 instant ({e}); expected e.g. 2026-11-26T03:00:00Z")
            })
    }

    /// `HH:MM:SS` in UTC: what a header clock shows.
    #[must_use]
    pub fn clock_utc(self) -> String {
        match jiff::Timestamp::from_millisecond(self.0) {
            Ok(t) => t.strftime("%H:%M:%S").to_string(),
            Err(_) => "--:--:--".to_owned(),
        }
    }

    /// Seconds since `earlier`, rounded down: the unit of JSON output.
    #[must_use]
    pub fn secs_since(self, earlier: Timestamp) -> u64 {
        self.since(earlier).as_secs()
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 with second precision, always UTC.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match jiff::Timestamp::from_millisecond(self.0) {
            Ok(t) => write!(f, "{}", t.strftime("%Y-%m-%dT%H:%M:%SZ")),
            Err(_) => write!(f, "@{}ms", self.0),
        }
    }
}

/// A short human age: `42s`, `3m05s`, `4h12m`, `2d03h`.
///
/// Used wherever an operator must judge staleness at a glance.
#[must_use]
pub fn format_age(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        3600..=86_399 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d{:02}h", s / 86_400, (s % 86_400) / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_never_goes_negative() {
        let a = Timestamp::from_secs(100);
        let b = Timestamp::from_secs(90);
        assert_eq!(a.since(b), Duration::from_secs(10));
        assert_eq!(b.since(a), Duration::ZERO);
    }

    #[test]
    fn formats_rfc3339_and_clock() {
        let t = Timestamp::parse_rfc3339("2026-11-26T03:04:05Z").expect("valid");
        assert_eq!(t.to_string(), "2026-11-26T03:04:05Z");
        assert_eq!(t.clock_utc(), "03:04:05");
        assert!(Timestamp::parse_rfc3339("yesterday").is_err());
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(format_age(Duration::from_secs(42)), "42s");
        assert_eq!(format_age(Duration::from_secs(185)), "3m05s");
        assert_eq!(format_age(Duration::from_mins(252)), "4h12m");
        assert_eq!(format_age(Duration::from_hours(51)), "2d03h");
    }
}
