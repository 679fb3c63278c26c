//! drconsole: a terminal incident console for the disaster recovery of a
//! multi-region CometBFT / Cosmos-SDK chain.
//!
//! Layers, innermost first: [`domain`] (pure types and rules), [`config`]
//! (user files), [`sources`] (the outside world), [`app`] (state and the
//! pure `update`), [`ui`] (render functions that only read state) and
//! [`runtime`] (executes effects, owns the terminal).

pub mod app;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod runtime;
pub mod sources;
pub mod text;
pub mod ui;
