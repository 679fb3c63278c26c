//! The `:` command line: parsing only; `update` decides what each does.

use crate::app::run_request::RunRequest;
use crate::domain::fault::Fault;

/// A command typed after `:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `:q`, `:quit`.
    Quit,
    /// `:help`.
    Help,
    /// `:layout NAME`.
    Layout(String),
    /// `:theme NAME`.
    Theme(String),
    /// `:inject FAULT...` (simulated estate only), checked for syntax; the
    /// names it carries are checked against the estate by `update`.
    Inject(Fault),
    /// `:clear`: clear every injected fault.
    ClearFaults,
    /// `:freeze`.
    Freeze,
    /// `:run RUNBOOK [--var NAME=VALUE]... [--journal FILE]`: open a run
    /// on the runbook screen.
    Run(RunRequest),
}

/// Every command with its usage, for help and error messages.
pub const USAGE: &[(&str, &str)] = &[
    (
        "layout NAME",
        "switch layout (default, compact, wall, or your own)",
    ),
    (
        "theme NAME",
        "switch theme (dark, light, high-contrast, or your own)",
    ),
    (
        "inject FAULT",
        "simulated estate: region-down REGION, health-check-failure REGION, replication-stall REGION, lag-growth REGION 2s, backup-failure REGION KIND, validator-offline NAME, partition REGION[,REGION]",
    ),
    ("clear", "simulated estate: clear every injected fault"),
    ("freeze", "freeze / resume updates"),
    (
        "run RUNBOOK --var NAME=VALUE",
        "run a runbook on the runbook screen (practice on the simulated estate); F2 switches screens",
    ),
    ("help", "show key and command help"),
    ("q", "quit"),
];

/// Parses what was typed after `:`.
///
/// # Errors
/// A message for the status line naming what was expected.
pub fn parse(line: &str) -> Result<Command, String> {
    let line = line.trim();
    let (word, rest) = line
        .split_once(char::is_whitespace)
        .map_or((line, ""), |(w, r)| (w, r.trim()));
    let need_arg = |what: &str| -> Result<String, String> {
        if rest.is_empty() {
            Err(format!(":{word} needs {what}"))
        } else {
            Ok(rest.to_owned())
        }
    };
    match word {
        "q" | "quit" | "q!" => Ok(Command::Quit),
        "help" | "h" => Ok(Command::Help),
        "layout" => need_arg("a layout name, e.g. :layout compact").map(Command::Layout),
        "theme" => need_arg("a theme name, e.g. :theme light").map(Command::Theme),
        "inject" => need_arg("a fault, e.g. :inject region-down us-east-1")
            .and_then(|text| Fault::parse(&text))
            .map(Command::Inject),
        "clear" => Ok(Command::ClearFaults),
        "freeze" => Ok(Command::Freeze),
        "run" => need_arg(
            "a runbook, e.g. :run runbooks/regional-failover.yaml --var FAILING_REGION=us-east-1",
        )
        .and_then(|text| RunRequest::from_line(&text))
        .map(Command::Run),
        "" => Err("empty command; try :layout, :theme, :inject, :clear, :q".to_owned()),
        other => Err(format!(
            "unknown command :{other}; try :layout, :theme, :inject, :clear, :freeze, :run, :help, :q"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands_and_arguments() {
        assert_eq!(parse("q"), Ok(Command::Quit));
        assert_eq!(
            parse("  layout   compact "),
            Ok(Command::Layout("compact".into()))
        );
        assert_eq!(
            parse("inject region-down us-east-1"),
            Ok(Command::Inject(Fault::RegionDown {
                region: "us-east-1".into()
            }))
        );
    }

    #[test]
    fn explains_what_is_wrong() {
        assert_eq!(
            parse("theme"),
            Err(":theme needs a theme name, e.g. :theme light".into())
        );
        assert!(parse("lyaout x").is_err_and(|e| e.contains("unknown command :lyaout")));
    }
}
