//! The driver's lease: which console may start steps, until when.
//!
//! A lease is taken with `If-None-Match: *` and renewed with `If-Match` on
//! the ETag it was last written with, so of two consoles racing for it
//! one wins and the other learns who did. It names a session (one console
//! process) as well as an author, because the same person at two
//! terminals must not both drive.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::domain::journal::Author;
use crate::domain::time::Timestamp;

/// The lease object's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lease {
    /// Who drives.
    pub holder: Author,
    /// The driving console's session: random, per process.
    pub session: String,
    /// When this holder first took it.
    pub taken_ms: i64,
    /// When it runs out unless renewed.
    pub expires_ms: i64,
}

/// What a console makes of the lease as it reads it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// No lease: whoever takes it first drives.
    Free,
    /// This console's own, still running.
    Mine {
        /// Time left.
        left: Duration,
    },
    /// Another console drives.
    Held {
        /// Who.
        by: Author,
        /// Time left before it runs out.
        left: Duration,
    },
    /// Another console's lease ran out. Its driver may still be alive
    /// behind a partition: taking over is a gate, never automatic.
    Expired {
        /// Whose it was.
        by: Author,
        /// How long ago it ran out.
        ago: Duration,
    },
}

impl Lease {
    /// A new lease for `holder`'s `session`, from `now` for `ttl`.
    #[must_use]
    pub fn take(holder: Author, session: &str, now: Timestamp, ttl: Duration) -> Self {
        Self {
            holder,
            session: session.to_owned(),
            taken_ms: now.as_millis(),
            expires_ms: now.plus(ttl).as_millis(),
        }
    }

    /// The same lease, running `ttl` from `now`.
    #[must_use]
    pub fn renewed(&self, now: Timestamp, ttl: Duration) -> Self {
        Self {
            expires_ms: now.plus(ttl).as_millis(),
            ..self.clone()
        }
    }

    /// When it runs out.
    #[must_use]
    pub fn expires(&self) -> Timestamp {
        Timestamp::from_millis(self.expires_ms)
    }

    /// How `session` stands with this lease at `now`. An expired lease of
    /// one's own is "expired" too: another console may be taking it.
    #[must_use]
    pub fn standing(&self, session: &str, now: Timestamp) -> Standing {
        let expires = self.expires();
        if now >= expires {
            return Standing::Expired {
                by: self.holder.clone(),
                ago: now.since(expires),
            };
        }
        let left = expires.since(now);
        if self.session == session {
            Standing::Mine { left }
        } else {
            Standing::Held {
                by: self.holder.clone(),
                left,
            }
        }
    }

    /// When the holder renews: a third of the way through, so two missed
    /// renewals still leave time before it runs out.
    #[must_use]
    pub fn renew_every(ttl: Duration) -> Duration {
        ttl / 3
    }
}
