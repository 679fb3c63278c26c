//! Runbooks as the engine sees them: a compiled [`plan::Plan`], `${VAR}`
//! templates, and the pure state machine that steps through a plan.

pub mod engine;
pub mod expect;
pub mod learned;
pub mod plan;
pub mod protocol;
pub mod record;
pub mod render;
pub mod script;
pub mod template;
