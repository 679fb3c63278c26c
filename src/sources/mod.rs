//! The only code that talks to the outside world, each system behind a
//! trait with a real and a simulated side.

pub mod aws;
pub mod clock;
pub mod cometbft;
pub mod incident;
pub mod live;
pub mod poller;
pub mod sim;
pub mod sim_source;
