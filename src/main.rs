//! drconsole: see the library crate for the design.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    drconsole::cli::run(&drconsole::cli::Cli::parse())
}
