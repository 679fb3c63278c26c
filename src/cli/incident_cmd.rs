//! `drconsole incident list|show|verify --env FILE`: read the shared
//! incidents of an environment's `[incident]` bucket. Reading writes
//! nothing: these commands are safe from any terminal.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use clap::Subcommand;

use super::edge::print_out;
use crate::domain::environment::Environment;
use crate::domain::incident::{Difference, IncidentId, Standing, compare};
use crate::domain::journal::{Entry, render_show, verify_lines};
use crate::runtime::journal_file;
use crate::sources::aws::{AwsOptions, IncidentClients, incident_clients};
use crate::sources::clock::{Clock, WallClock};
use crate::sources::incident::IncidentStore;
use crate::text::printable;

/// `drconsole incident ...`.
#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// The shared incidents, each with who drives it and its last entry.
    List,
    /// One incident's shared journal, verified, one line per entry with
    /// its author.
    Show {
        /// The incident's id.
        #[arg(long)]
        incident: String,
    },
    /// Check the shared journal's chain; with --journal also compare it
    /// with that local copy and name every entry the other lacks or that
    /// differs. Exit 1 on any problem.
    Verify {
        /// The incident's id.
        #[arg(long)]
        incident: String,
        /// The driver's local journal of the same run.
        #[arg(long)]
        journal: Option<PathBuf>,
    },
}

/// Runs `command` against `env`'s incident bucket.
///
/// # Errors
/// No environment, no `[incident]` table, a bad id, or the bucket did not
/// answer.
pub fn run(command: &IncidentCommand, env: Option<&Environment>) -> Result<ExitCode> {
    let env =
        env.ok_or_else(|| anyhow!("incident commands need --env FILE with an [incident] table"))?;
    let settings = env.incident.as_ref().ok_or_else(|| {
        anyhow!(
            "environment {} has no [incident] table",
            env.spec.environment
        )
    })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let clients = incident_clients(env, settings, &AwsOptions::default()).await?;
        let at = format!("s3://{}/{}", settings.bucket, settings.layout.root());
        match command {
            IncidentCommand::List => list(&clients, &at).await,
            IncidentCommand::Show { incident } => show(&clients, &parse(incident)?).await,
            IncidentCommand::Verify { incident, journal } => {
                verify(&clients, &parse(incident)?, journal.as_ref(), &at).await
            }
        }
    })
}

fn parse(id: &str) -> Result<IncidentId> {
    IncidentId::parse(id).context("--incident")
}

async fn list(c: &IncidentClients, at: &str) -> Result<ExitCode> {
    let ids = c.store.incidents().await?;
    if ids.is_empty() {
        print_out(&format!("no incidents in {at}"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let now = WallClock.now();
    for id in ids {
        let last = c.store.last_seq(&id).await?;
        let lease = match c.store.lease(&id).await? {
            None => "no driver".to_owned(),
            // No console of ours holds it: the empty session is nobody's.
            Some((lease, _)) => match lease.standing("", now) {
                Standing::Held { by, left } => format!(
                    "driven by {} ({} left on the lease)",
                    by.describe(),
                    crate::domain::duration::format(left)
                ),
                Standing::Expired { by, ago } => format!(
                    "no driver: the lease of {} ran out {} ago",
                    by.describe(),
                    crate::domain::duration::format(ago)
                ),
                Standing::Mine { .. } | Standing::Free => "no driver".to_owned(),
            },
        };
        print_out(&printable(&format!("{id}  {last} entries  {lease}")))?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn show(c: &IncidentClients, id: &IncidentId) -> Result<ExitCode> {
    let entries = c.store.entries(id, 0).await?;
    if let Err(e) = chain(&entries) {
        eprintln!("{}", printable(&format!("shared journal of {id}: {e}")));
        return Ok(ExitCode::from(1));
    }
    print_out(render_show(&entries).trim_end())?;
    Ok(ExitCode::SUCCESS)
}

/// The shared entries as one chain, numbered by their entry numbers (a
/// missing object is a gap, a forged one a broken link).
fn chain(
    entries: &[Entry],
) -> Result<crate::domain::journal::Summary, crate::domain::journal::JournalError> {
    let lines: Vec<(usize, String)> = entries
        .iter()
        .map(|e| (usize::try_from(e.seq).unwrap_or(usize::MAX), e.line()))
        .collect();
    verify_lines(lines.iter().map(|(n, l)| (*n, l.as_str())), None)
}

async fn verify(
    c: &IncidentClients,
    id: &IncidentId,
    journal: Option<&PathBuf>,
    at: &str,
) -> Result<ExitCode> {
    let shared = c.store.entries(id, 0).await?;
    let mut problems = Vec::new();
    match chain(&shared) {
        Ok(summary) => print_out(&format!("shared journal {at}{id}/: {summary}"))?,
        Err(e) => problems.push(format!(
            "shared journal {at}{id}/: {e} (lines are entry numbers)"
        )),
    }
    if let Some(path) = journal {
        match journal_file::verify_file(path) {
            Ok(summary) => print_out(&printable(&format!("{}: {summary}", path.display())))?,
            Err(e) => problems.push(format!("{}: {e}", path.display())),
        }
        if let Ok(local) = journal_file::read_journal(path) {
            let differences = compare(&local, &shared);
            if differences.is_empty() && problems.is_empty() {
                print_out("the local and shared journals agree entry for entry")?;
            }
            problems.extend(differences.iter().map(Difference::describe));
        }
    }
    for p in &problems {
        eprintln!("{}", printable(p));
    }
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
