//! Pure types and rules: no tokio, no ratatui, no AWS, no clock reads.
//!
//! Everything here can be driven from tests with plain values.

pub mod agreement;
pub mod assess;
pub mod bft;
pub mod breach;
pub mod ceremony;
pub mod drill;
pub mod duration;
pub mod environment;
pub mod estate;
pub mod fault;
pub mod fleet;
pub mod incident;
pub mod journal;
pub mod notify;
pub mod observation;
pub mod restore;
pub mod roster;
pub mod runbook;
pub mod signing;
pub mod status;
pub mod telemetry;
pub mod time;
pub mod trend;
