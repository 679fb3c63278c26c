//! Referee tests.
