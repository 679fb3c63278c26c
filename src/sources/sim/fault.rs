//! Handles of faults in force in the simulated estate; the faults
//! themselves are domain words ([`crate::domain::fault`]).

use std::fmt;

use crate::domain::fault::Fault;
use crate::domain::time::Timestamp;

/// Handle of an injected fault, so it can be cleared on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FaultId(pub(super) u64);

impl FaultId {
    /// The id an operator typed (`:clear 3`); clearing an id the estate
    /// never issued just returns false.
    #[must_use]
    pub const fn new(number: u64) -> Self {
        Self(number)
    }

    /// The number the console shows and `:clear` takes.
    #[must_use]
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for FaultId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A fault in force: what, since when, and the handle to clear it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveFault {
    /// Handle for [`super::SimEstate::clear`].
    pub id: FaultId,
    /// The fault.
    pub fault: Fault,
    /// Simulated time of injection.
    pub since: Timestamp,
}
