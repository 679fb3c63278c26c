//! Who wrote a journal entry: the AWS caller identity of the credentials
//! the console ran with, and the login and host it ran on.
//!
//! Names typed at a gate say who agreed; the author says whose keys and
//! whose terminal wrote the entry. In a shared incident every entry has
//! one, so a follower sees who drives and two approvals from one ARN are
//! told apart from two people.

use serde::{Deserialize, Serialize};

/// The writer of an entry. Fields are in canonical order: the entry's hash
/// covers them as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Author {
    /// STS `GetCallerIdentity` ARN of the console's credentials.
    pub arn: String,
    /// The operating-system login.
    pub user: String,
    /// The host name.
    pub host: String,
}

impl Author {
    /// `user@host (arn)`, for screens and messages (printable only: these
    /// come from a journal that may have been edited).
    #[must_use]
    pub fn describe(&self) -> String {
        format!(
            "{}@{} ({})",
            crate::text::printable_within(&self.user, 64),
            crate::text::printable_within(&self.host, 64),
            crate::text::printable_within(&self.arn, 160)
        )
    }

    /// True when `other` is the same AWS identity, whatever terminal it
    /// used: what makes two approvals one person's.
    #[must_use]
    pub fn same_identity(&self, other: &Author) -> bool {
        self.arn == other.arn
    }
}
