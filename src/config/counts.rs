//! How small and how large each count in a user file may be, in one place,
//! like the duration bounds in [`crate::domain::duration::bounds`]: every
//! loader checks every count against one of these at load time and names
//! the bound in its message, so no count can make the console spin.

/// An inclusive range a count must fall in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountBound {
    /// The smallest allowed.
    pub min: u32,
    /// The largest allowed.
    pub max: u32,
}

impl CountBound {
    /// `None` when `value` is allowed, else the message for field `field`.
    #[must_use]
    pub fn refuse(self, field: &str, value: u32) -> Option<String> {
        if value < self.min {
            Some(format!("{field} must be at least {}", self.min))
        } else if value > self.max {
            Some(format!(
                "{field} {value} is more than the most allowed, {}",
                self.max
            ))
        } else {
            None
        }
    }
}

/// A step's `retries:` (tries after the first). Zero allowed; at most 100:
/// a step that fails a hundred times is not going to pass on the next, and
/// every attempt is a journal entry fsync'd to disk.
pub const RETRIES: CountBound = CountBound { min: 0, max: 100 };

/// A step's `retry: {max_attempts}` (tries in all): at least 1, at most
/// 101, the same as `retries:` counted with the first try.
pub const MAX_ATTEMPTS: CountBound = CountBound { min: 1, max: 101 };

/// Every count bound with its name, for tests and documentation.
pub const ALL: [(&str, CountBound); 2] = [("RETRIES", RETRIES), ("MAX_ATTEMPTS", MAX_ATTEMPTS)];
