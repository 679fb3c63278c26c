//! `drconsole run RUNBOOK --incident ID --env FILE`: the run's journal is
//! shared in the environment's `[incident]` bucket. The first console to
//! take the lease drives; a console that finds it held follows the run
//! read-only; one that finds it run out takes over only when told to
//! (`--take-over`), because the old driver may be alive behind a
//! partition. Every entry names the console's STS identity.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use tokio::sync::{mpsc, watch};

use super::run_cmd::{PreparedRun, attach_with};
use crate::domain::duration::format as words;
use crate::domain::environment::Environment;
use crate::domain::incident::{DifferenceKind, IncidentId, compare};
use crate::domain::journal::Author;
use crate::runtime::console::RunLink;
use crate::runtime::journal_file;
use crate::runtime::run::{Follow, Joined, Seat};
use crate::runtime::run_link::{self, RunFacts};
use crate::runtime::runner::StepRunner;
use crate::sources::aws::{AwsOptions, identity, incident_clients};
use crate::sources::clock::Clock;
use crate::sources::incident::IncidentStore;

/// A run to share, as the command line asked.
#[derive(Debug, Clone)]
pub struct SharedPlan {
    /// The environment holding the `[incident]` table (and the endpoint).
    pub env: Environment,
    /// The incident.
    pub incident: IncidentId,
    /// `--take-over`: the operator checked the old driver is gone.
    pub take_over: bool,
}

/// A random id for this console process: two terminals of one person are
/// two sessions.
fn session_id() -> Result<String> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| anyhow!("random session id: {e}"))?;
    Ok(bytes.iter().fold(String::with_capacity(16), |mut s, b| {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
        s
    }))
}

/// Joins the incident and opens the run: driving it, or following it.
///
/// # Errors
/// No `[incident]`, STS or S3 did not answer, an expired lease without
/// `--take-over`, or a local journal that disagrees with the shared one.
pub async fn attach_shared<R: StepRunner>(
    prepared: PreparedRun,
    shared: SharedPlan,
    runner: R,
    clock: Arc<dyn Clock>,
) -> Result<RunLink> {
    let settings =
        shared.env.incident.clone().ok_or_else(|| {
            anyhow!("--incident needs an environment file with an [incident] table")
        })?;
    let clients = incident_clients(&shared.env, &settings, &AwsOptions::default()).await?;
    let author = identity::caller(&clients.sts, &clients.region)
        .await
        .map_err(|e| anyhow!("{e}: a shared incident names whose credentials write each entry"))?;
    let store: Arc<dyn IncidentStore> = Arc::new(clients.store);
    let id = shared.incident.clone();
    let at = format!("s3://{}/{}{id}/", settings.bucket, settings.layout.root());
    let seat = Seat {
        store: Arc::clone(&store),
        incident: id.clone(),
        author,
        session: session_id()?,
        ttl: settings.lease,
        clock: Arc::clone(&clock),
    };
    let journal = match seat.clone().join().await? {
        Joined::Driving(j) => j,
        Joined::Expired { tag, .. } if shared.take_over => seat.take_over(&tag).await?,
        Joined::Expired { by, ago, .. } => bail!(
            "incident {id}: the lease of {} ran out {} ago. Its console may still be running behind a partition: make sure it has stopped, then run again with --take-over",
            by.describe(),
            words(ago)
        ),
        Joined::Driven { by, .. } => {
            log::info!("incident {id} is driven by {}: following", by.describe());
            return follow_link(
                prepared,
                store,
                id,
                (settings.poll, settings.lease),
                clock,
                &at,
                &by,
            )
            .await;
        }
    };
    local_copy(&prepared.journal, store.as_ref(), &id).await?;
    attach_with(prepared, runner, clock, Some(journal))
}

/// Makes the local journal a copy of the shared one before driving: a new
/// driver (a takeover from another machine) starts from the shared entries;
/// an existing local journal may only be ahead of it (entries this console
/// wrote before it could share them, which the run then shares).
async fn local_copy(path: &Path, store: &dyn IncidentStore, id: &IncidentId) -> Result<()> {
    let shared = store.entries(id, 0).await?;
    if !path.exists() {
        if !shared.is_empty() {
            journal_file::import(path, &shared)
                .with_context(|| format!("starting {} from the shared journal", path.display()))?;
        }
        return Ok(());
    }
    let local = journal_file::read_journal(path)?;
    if let Some(d) = compare(&local, &shared)
        .iter()
        .find(|d| d.kind != DifferenceKind::OnlyLocal)
    {
        bail!(
            "{}: the local journal and the shared journal of {id} disagree ({}); nothing runs. Compare them with drconsole incident verify --incident {id} --journal {}",
            path.display(),
            d.describe(),
            path.display()
        );
    }
    Ok(())
}

/// The run as the driver's journal tells it, read-only: its first
/// picture is the journal as read now, never an empty run.
async fn follow_link(
    prepared: PreparedRun,
    store: Arc<dyn IncidentStore>,
    incident: IncidentId,
    (poll, lease): (std::time::Duration, std::time::Duration),
    clock: Arc<dyn Clock>,
    at: &str,
    driver: &Author,
) -> Result<RunLink> {
    let mut follow = Follow {
        store,
        incident,
        plan: prepared.plan.clone(),
        mode: prepared.mode.clone(),
        poll,
        lease,
        clock: Arc::clone(&clock),
    };
    let mut entries = Vec::new();
    // The driver stores its first entry right after taking the lease:
    // wait for it (a lease's length at most) rather than show an empty run.
    let deadline = tokio::time::Instant::now() + lease;
    let first = loop {
        if let Some(first) = follow
            .read(&mut entries)
            .await
            .map_err(|e| anyhow!("following {at}: {e}"))?
        {
            break first;
        }
        if tokio::time::Instant::now() >= deadline {
            bail!(
                "following {at}: {} holds the lease but no entry came within {}",
                driver.describe(),
                words(lease)
            );
        }
        tokio::time::sleep(poll).await;
    };
    let (tx, snapshots) = watch::channel(first);
    tokio::spawn(async move {
        if let Err(e) = follow.run(entries, &tx).await {
            tx.send_modify(|s| s.halted = Some(format!("following stopped: {e}")));
        }
    });
    // A follower answers no gate: nothing ever prompts it.
    let (_, prompts) = mpsc::unbounded_channel();
    let facts = RunFacts {
        plan: prepared.plan,
        mode: prepared.mode,
        journal: format!("{at} (shared; this console follows)"),
        driven_by: Some(driver.describe()),
    };
    Ok(run_link::spawn(facts, snapshots, prompts, clock))
}
