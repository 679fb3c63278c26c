//! Tabletop drills: a scenario's timeline drives the simulated estate, the
//! team responds with practice runbooks, and the drill is scored on the RTO
//! and RPO it achieved.
//!
//! Everything here is pure: the [`timeline::Drill`] state machine takes
//! time and the facilitator's controls as events and says which injects are
//! due; [`score::Scorekeeper`] turns samples of the estate into an RTO and an
//! RPO; [`report::Report`] is the after-action report.

pub mod report;
pub mod scenario;
pub mod score;
pub mod timeline;
