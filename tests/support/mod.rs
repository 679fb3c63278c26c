//! Helpers shared by integration tests.
#![allow(dead_code)]

pub mod cometbft_server;
pub mod estate;
pub mod http_capture;
pub mod incident;
pub mod moto;
pub mod pinned;
pub mod plans;
pub mod tmux;
