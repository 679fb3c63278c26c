//! The one duration grammar of the console, its formatter, the bounds every
//! file, flag and command checks a duration against, and the arithmetic the
//! console does on durations.
//!
//! Runbooks, `actions.yaml`, environment files, drill scenarios and scripts,
//! the `:inject` fault text and every command-line flag read durations
//! through [`Bound::parse`], so they all accept exactly the same text and
//! none lets an absurd value through to the engine or the screens:
//!
//! - a whole number and a unit, `500ms`, `30s`, `2m`, `4h`, `1d`;
//! - several of those with units from largest to smallest, each at most
//!   once, `1h30m`, `2m30s`, `1d12h`, `1m500ms`;
//! - a bare whole number, meaning seconds, `45` (the upstream runbooks and
//!   TOML integers write them so).
//!
//! Nothing else: no sign, fraction, space, empty text, repeated or
//! out-of-order unit. A value too large to count is an error, never a wrap.
//!
//! The console then scales and adds durations (the RTO clock turns amber at
//! 80 %, timeouts are summed, backup alarms are a multiple of the schedule)
//! with [`scaled`], [`total`] and [`past_fraction`], which saturate or
//! compute exactly, so even a duration that skipped the bounds cannot panic.

use std::fmt::Write as _;
use std::time::Duration;

pub mod bounds;

/// What is wrong with a duration's text or value. The messages are the ones
/// an operator reads next to the file:line:col or the flag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Not in the grammar at all.
    #[error("bad duration \"{}\", expected e.g. 30s, 2m, 1h30m, 1d or 500ms", shown(.0))]
    Malformed(String),
    /// A negative number where a file gives a bare number (a TOML integer).
    #[error("negative duration {0}, expected e.g. 30s, 2m, 1h30m, 1d or 500ms")]
    Negative(i64),
    /// Well formed but more milliseconds than the console counts.
    #[error(
        "duration \"{}\" is too long to count, expected e.g. 30s, 2m, 1h30m, 1d or 500ms",
        shown(.0)
    )]
    Overflow(String),
    /// Longer than the field's bound allows.
    #[error("{field} {} is longer than the longest allowed, {max}", shown(text))]
    TooLong {
        /// The field or flag, as the operator wrote it (`rto`, `--after`).
        field: String,
        /// The value as written.
        text: String,
        /// The bound, formatted.
        max: String,
    },
    /// Shorter than the field's bound allows (but not zero).
    #[error("{field} {} is shorter than the shortest allowed, {min}", shown(text))]
    TooShort {
        /// The field or flag.
        field: String,
        /// The value as written.
        text: String,
        /// The bound, formatted.
        min: String,
    },
    /// Zero where the field needs some time.
    #[error("{field} is zero, expected at least {min}")]
    Zero {
        /// The field or flag.
        field: String,
        /// The bound, formatted.
        min: String,
    },
}

/// A duration's text as messages quote it: escaped, at most 80 bytes.
fn shown(text: &str) -> String {
    crate::text::printable_within(text, 80)
}

impl DurationError {
    /// The message for a command-line flag: errors that do not already
    /// name the field get `FLAG: ` in front, so the operator knows which.
    #[must_use]
    pub fn for_flag(&self, flag: &str) -> String {
        match self {
            DurationError::Malformed(_)
            | DurationError::Negative(_)
            | DurationError::Overflow(_) => format!("{flag}: {self}"),
            _ => self.to_string(),
        }
    }
}

/// The units, largest first: the order they must appear in.
const UNITS: [(&str, u128); 5] = [
    ("d", 86_400_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1000),
    ("ms", 1),
];

/// Parses the grammar described in the module doc, with no bound: use
/// [`Bound::parse`] for anything a file, flag or command gives.
///
/// # Errors
/// [`DurationError::Malformed`] for text outside the grammar;
/// [`DurationError::Overflow`] past `u64::MAX` milliseconds.
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    let bad = || DurationError::Malformed(text.to_owned());
    if text.is_empty() {
        return Err(bad());
    }
    let mut rest = text;
    let mut next_unit = 0;
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad());
        }
        let (number, after) = rest.split_at(digits);
        let letters = after.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (unit, after) = after.split_at(letters);
        let size = if unit.is_empty() && after.is_empty() && next_unit == 0 {
            1000 // a bare number: seconds
        } else {
            let index = UNITS
                .iter()
                .skip(next_unit)
                .position(|(u, _)| *u == unit)
                .ok_or_else(bad)?
                .saturating_add(next_unit);
            next_unit = index.saturating_add(1);
            UNITS[index].1
        };
        // Twenty digits already exceed u64 milliseconds; more cannot count.
        let n: u128 = if digits > 20 {
            return Err(DurationError::Overflow(text.to_owned()));
        } else {
            number.parse().map_err(|_| bad())?
        };
        total = n
            .checked_mul(size)
            .and_then(|ms| total.checked_add(ms))
            .ok_or_else(|| DurationError::Overflow(text.to_owned()))?;
        rest = after;
    }
    u64::try_from(total)
        .map(Duration::from_millis)
        .map_err(|_| DurationError::Overflow(text.to_owned()))
}

/// The text [`parse`] reads back as `d` (to the millisecond), in its
/// canonical form: largest units first, each part carried into the next
/// unit up, zero parts left out, `0s` for nothing: `4h`, `1h30m`, `2m5s`,
/// `1s500ms`. That is the shortest form with carried units (`1h`, never
/// `1h0m0s`); it prints `1m30s` rather than the equally valid `90s`, so an
/// operator reads every duration the same way.
#[must_use]
pub fn format(d: Duration) -> String {
    let mut ms = d.as_millis();
    let mut out = String::new();
    for (unit, size) in UNITS {
        if ms >= size {
            let _ = write!(out, "{}{unit}", ms / size);
            ms %= size;
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

/// The shortest and longest a kind of field may be. Each named constant in
/// [`bounds`] says why its numbers are what they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    /// The shortest allowed; `Duration::ZERO` when zero is meaningful.
    pub min: Duration,
    /// The longest allowed.
    pub max: Duration,
}

impl Bound {
    /// Parses `text` and checks it; `field` names it in messages.
    ///
    /// # Errors
    /// As [`parse`], except that a value too long to count is reported as
    /// [`DurationError::TooLong`] with the bound; then as
    /// [`Bound::check_written`].
    pub fn parse(self, field: &str, text: &str) -> Result<Duration, DurationError> {
        match parse(text) {
            Ok(d) => self.check_written(field, text, Some(d)),
            Err(DurationError::Overflow(_)) => self.check_written(field, text, None),
            Err(e) => Err(e),
        }
    }

    /// Checks a duration that arrived already counted (a default, a value
    /// computed from others); messages show it in its [`format`].
    ///
    /// # Errors
    /// As [`Bound::check_written`].
    pub fn check(self, field: &str, d: Duration) -> Result<Duration, DurationError> {
        self.check_written(field, &format(d), Some(d))
    }

    /// Checks a value parsed earlier from `text` (`None`: too long to
    /// count), so a loader can read the grammar where the value stands and
    /// check the bound once it knows the field.
    ///
    /// # Errors
    /// [`DurationError::Zero`] for zero where the bound needs more,
    /// [`DurationError::TooShort`] or [`DurationError::TooLong`].
    pub fn check_written(
        self,
        field: &str,
        text: &str,
        d: Option<Duration>,
    ) -> Result<Duration, DurationError> {
        let too_long = || DurationError::TooLong {
            field: field.to_owned(),
            text: text.to_owned(),
            max: format(self.max),
        };
        let d = d.ok_or_else(too_long)?;
        if d.is_zero() && !self.min.is_zero() {
            return Err(DurationError::Zero {
                field: field.to_owned(),
                min: format(self.min),
            });
        }
        if d < self.min {
            return Err(DurationError::TooShort {
                field: field.to_owned(),
                text: text.to_owned(),
                min: format(self.min),
            });
        }
        if d > self.max {
            return Err(too_long());
        }
        Ok(d)
    }
}

/// `d` times `factor`, saturating at `Duration::MAX`: for multiples of a
/// schedule or a timeout, where "longer than anything" is the right meaning.
#[must_use]
pub fn scaled(d: Duration, factor: u32) -> Duration {
    d.saturating_mul(factor)
}

/// The sum of `durations`, saturating at `Duration::MAX`: for the time a
/// list of steps may take at most.
#[must_use]
pub fn total(durations: impl IntoIterator<Item = Duration>) -> Duration {
    durations
        .into_iter()
        .fold(Duration::ZERO, Duration::saturating_add)
}

/// Whether `elapsed` is past `num/den` of `limit`, computed exactly
/// (in `u128` nanoseconds, which cannot overflow for any two durations):
/// the RTO clock's amber threshold is `past_fraction(elapsed, rto, 4, 5)`.
#[must_use]
pub fn past_fraction(elapsed: Duration, limit: Duration, num: u32, den: u32) -> bool {
    elapsed.as_nanos().saturating_mul(u128::from(den))
        > limit.as_nanos().saturating_mul(u128::from(num))
}

/// Fractional seconds (from a metric or a clock speed) as a duration:
/// negative or NaN is zero, too large saturates, never a panic as
/// `Duration::from_secs_f64` would.
#[must_use]
pub fn from_secs_f64(secs: f64) -> Duration {
    if secs.is_nan() || secs <= 0.0 {
        return Duration::ZERO;
    }
    Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX)
}

#[cfg(test)]
mod tests;
