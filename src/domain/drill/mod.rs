//! Tabletop drills: a scenario's timeline drives the simulated estate, the
//! team responds with practice runbooks, and the drill is scored on the RTO
//! and RPO it achieved.
//!
//! Everything here is pure: the [`timeline::Drill`] state machine takes
//! time and the facilitator's controls as events and says which injects are
//! due; the [`referee::Referee`] owns it and is the one judge of the drill:
//! fed typed events (samples of the service, injects applied or refused,
//! data lost, runs, steps, gates, notes), it decides the outage start, the
//! RTO and RPO achieved and which runbook recovered; [`report::Report`] is
//! the after-action report it produces. The headless and the interactive
//! drivers only relay events into it.

pub mod events;
pub mod findings;
pub mod first_page;
pub mod moments;
pub mod referee;
pub mod report;
mod report_html;
mod report_markdown;
pub mod report_svg;
pub mod scenario;
pub mod score;
pub mod timeline;
