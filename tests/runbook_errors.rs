//! Every load error a runbook can produce, pinned exactly:
//! `tests/runbook_errors/NAME.yaml` is an invalid runbook and `NAME.expected`
//! the one line `drconsole check` must print for it (file:line:col: message).
//!
//! To add a case, add both files; the test fails if either lacks the other.
#![allow(clippy::unwrap_used, missing_docs)]

mod support;

use support::pinned::{check_message, pin};

const CASES: &str = "tests/runbook_errors";

#[test]
fn every_invalid_runbook_gives_its_expected_message() {
    pin(CASES, "yaml", 25, check_message);
}
