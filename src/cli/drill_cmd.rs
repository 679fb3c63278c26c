//! `drconsole drill SCENARIO`: a tabletop exercise. With `--script` it runs
//! headless at accelerated time and writes the report; otherwise it opens
//! the drill screen for a facilitator.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::Args;

use crate::config::drill_file::load_scenario;
use crate::config::drill_script::load_script;
use crate::domain::drill::report::Report;
use crate::domain::estate::EstateSpec;
use crate::domain::time::Timestamp;
use crate::runtime::drill::HeadlessDrill;

/// `drconsole drill` options.
#[derive(Debug, Args, Clone)]
pub struct DrillArgs {
    /// The scenario file (see runbooks/drills/).
    pub scenario: PathBuf,
    /// Scripted team responses: run headless at accelerated time.
    #[arg(long)]
    pub script: Option<PathBuf>,
    /// Write report.md and report.json into this directory.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Also put report.json and report.md into the estate's test-results
    /// bucket (needs --env FILE for the AWS account).
    #[arg(long)]
    pub upload: bool,
}

/// An interactive drill about to open in the console.
pub struct DrillStart {
    /// The loaded scenario.
    pub scenario: crate::domain::drill::scenario::Scenario,
    /// Its file (runbooks are relative to it).
    pub path: PathBuf,
    /// Where the report goes when the drill ends.
    pub report: Option<PathBuf>,
}

/// Default simulated start of a headless drill, so that the same scenario,
/// seed and script always give the same report.
pub const HEADLESS_START: &str = "2026-01-05T03:00:00Z";

/// Runs a drill headless and writes its report.
///
/// # Errors
/// A scenario, script or runbook that does not load, or a report that
/// cannot be written.
pub fn headless(
    args: &DrillArgs,
    script: &Path,
    start: Option<Timestamp>,
) -> Result<(Report, ExitCode)> {
    let spec = EstateSpec::seed();
    let scenario = load_scenario(&args.scenario, &spec).map_err(anyhow::Error::msg)?;
    let script = load_script(script, &scenario).map_err(anyhow::Error::msg)?;
    let start = match start {
        Some(s) => s,
        None => Timestamp::parse_rfc3339(HEADLESS_START).map_err(anyhow::Error::msg)?,
    };
    let journals = tempfile_dir()?;
    let report = HeadlessDrill {
        scenario,
        scenario_path: &args.scenario,
        script,
        start,
        spec,
        journal_dir: journals.as_path(),
    }
    .run()?;
    let _ = std::fs::remove_dir_all(&journals);
    if let Some(dir) = &args.report {
        crate::runtime::drill::write_report(dir, &report)
            .with_context(|| format!("writing the report into {}", dir.display()))?;
    }
    let code = if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    Ok((report, code))
}

/// With `--upload`, puts the report into the estate's test-results bucket
/// through the environment file's AWS settings; returns where it went.
///
/// # Errors
/// `--upload` without `--env`, an environment that does not load, or S3
/// refusing the upload.
pub fn upload(args: &DrillArgs, env: Option<&Path>, report: &Report) -> Result<Option<String>> {
    if !args.upload {
        return Ok(None);
    }
    let Some(env) = env else {
        anyhow::bail!(
            "--upload needs --env FILE: the environment whose test-results bucket to use"
        );
    };
    let env = crate::config::load_environment(env).map_err(anyhow::Error::msg)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let url = rt.block_on(crate::runtime::drill_upload::upload_report(
        &env,
        &crate::sources::aws::AwsOptions::default(),
        report,
    ))?;
    Ok(Some(url))
}

/// A private directory for the practice runs' journals of a headless drill.
fn tempfile_dir() -> Result<PathBuf> {
    let base = std::env::temp_dir().join(format!("drconsole-drill-{}", std::process::id()));
    std::fs::create_dir_all(&base)?;
    Ok(base)
}
