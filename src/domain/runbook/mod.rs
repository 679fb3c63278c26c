//! Runbooks as the engine sees them: a compiled [`plan::Plan`], `${VAR}`
//! templates, and the pure state machine that steps through a plan.

pub mod plan;
pub mod template;
