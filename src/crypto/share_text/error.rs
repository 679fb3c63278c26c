//! Why a typed share was refused: one variant per kind of mistake, each
//! message naming the group to look at, and none quoting the share.

/// Why a typed share was refused. Each kind of mistake has its own variant
/// and message; none carries the share's content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Nothing but spaces.
    #[error("empty: type the share, groups of 5 characters")]
    Empty,
    /// Longer than any share can be.
    #[error("too long: {len} bytes, a share is at most {max}")]
    TooLong {
        /// Bytes given.
        len: usize,
        /// [`MAX_INPUT_LEN`](super::MAX_INPUT_LEN).
        max: usize,
    },
    /// Not recognisably a share at all.
    #[error("not a share: {0}")]
    NotAShare(&'static str),
    /// A character outside the alphabet.
    #[error("group {group} looks wrong: character {position} ({ch:?}) is not one a share uses")]
    BadCharacter {
        /// 1-based group number.
        group: usize,
        /// 1-based position in the group.
        position: usize,
        /// The character.
        ch: char,
    },
    /// A group (between separators) that is not five characters long.
    #[error("group {group} looks wrong: it has {chars} characters, a group has 5")]
    GroupLength {
        /// 1-based group number where the bad run starts.
        group: usize,
        /// Characters between the separators.
        chars: usize,
    },
    /// Without separators, a length that is not a multiple of five.
    #[error(
        "a character is missing or extra: {chars} {} not a multiple of 5 \
         (type the dashes between groups to find which group)",
        if *.chars == 1 { "character is" } else { "characters is" }
    )]
    Length {
        /// Characters typed.
        chars: usize,
    },
    /// Groups whose check character does not match.
    #[error("{}", groups_message(.0))]
    BadGroups(Vec<usize>),
    /// Every group checks but the whole-share checksum does not.
    #[error(
        "every group checks but the share as a whole does not: two groups may be swapped, \
         or one group has two mistakes"
    )]
    Checksum,
    /// A format version this code does not read.
    #[error("share format version {0} is not supported (this drconsole reads version 1)")]
    UnsupportedVersion(u8),
    /// The checks pass but a field is out of range.
    #[error("malformed share: {0}")]
    Malformed(&'static str),
}

impl ParseError {
    /// The groups (numbered from 1) this error names as wrong; empty when
    /// it names none.
    #[must_use]
    pub fn groups(&self) -> Vec<usize> {
        match self {
            ParseError::BadGroups(groups) => groups.clone(),
            ParseError::BadCharacter { group, .. } | ParseError::GroupLength { group, .. } => {
                vec![*group]
            }
            _ => Vec::new(),
        }
    }
}

fn groups_message(groups: &[usize]) -> String {
    match groups {
        [g] => format!("group {g} looks wrong"),
        [a, b] => format!("groups {a} and {b} look wrong"),
        [rest @ .., last] => {
            let firsts: Vec<String> = rest.iter().map(ToString::to_string).collect();
            format!("groups {} and {last} look wrong", firsts.join(", "))
        }
        [] => "no group looks wrong".to_owned(),
    }
}
