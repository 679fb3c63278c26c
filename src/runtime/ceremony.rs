//! `drconsole ceremony seal|open`: reads and writes the files, owns the
//! terminal, and carries out the ceremony screens' effects (journal,
//! decrypt, restore checks, atomic restore).
//!
//! Before any secret is read, core dumps are turned off
//! ([`hygiene::disable_core_dumps`]); the screens draw on the alternate
//! screen, so nothing shown stays in the terminal's scrollback.

use std::io::{self, Read as _, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::json;

use crate::app::ceremony::{OpenPhase, OpenScreen};
use crate::config::theme::Theme;
use crate::config::{self, ConfigDirs};
use crate::crypto::envelope::{DEFAULT_ITERATIONS, Header};
use crate::domain::ceremony::{Event, ShareSet};
use crate::domain::duration::bounds::IDLE_TIMEOUT;
use crate::runtime::hygiene;
use crate::runtime::journal_file::{JournalFileError, JournalWriter};
use crate::runtime::restore::RpcSigningCheck;
use crate::sources::clock::{Clock, WallClock};

mod escrow;
mod event_loop;
mod keys;
mod records;

use event_loop::{Effects, OpenContext, Screen, in_terminal};

mod seal;
use seal::seal;

/// Characters in a generated passphrase: 26 of 32 symbols, 130 bits.
pub const PASSPHRASE_LEN: usize = 26;
/// Longest passphrase read from stdin (bytes): what a share can carry.
const MAX_PASSPHRASE: usize = crate::crypto::share_text::MAX_PAYLOAD_LEN;

/// `drconsole ceremony ...`.
#[derive(Debug, clap::Subcommand)]
pub enum CeremonyCommand {
    /// Encrypt a key file with a fresh passphrase (or one from stdin),
    /// then hand each holder a share of the passphrase, one at a time.
    Seal(SealArgs),
    /// Holders enter their shares; at the threshold the backup is
    /// decrypted and restored, safely.
    Open(OpenArgs),
}

/// `drconsole ceremony seal`.
#[derive(Debug, clap::Args)]
pub struct SealArgs {
    /// The key file to back up, e.g. priv_validator_key.json.
    #[arg(long = "in")]
    pub input: PathBuf,
    /// The envelope to write (refused if it exists); the metadata sidecar
    /// goes to OUT.meta.json.
    #[arg(long)]
    pub out: PathBuf,
    /// How many shares open the backup.
    #[arg(long, default_value_t = 3)]
    pub threshold: u8,
    /// Holder names, comma-separated, in hand-over order (default:
    /// holder-1 to holder-5).
    #[arg(long)]
    pub holders: Option<String>,
    /// Read the passphrase from stdin instead of generating one.
    #[arg(long)]
    pub passphrase_stdin: bool,
    /// Also write each holder's share to DIR/<holder>.share (0600).
    /// Without it no share ever touches a disk.
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// The journal (default: OUT.journal.jsonl); created or continued.
    #[arg(long)]
    pub journal: Option<PathBuf>,
    /// PBKDF2 iterations (at least 100000).
    #[arg(long, default_value_t = DEFAULT_ITERATIONS)]
    pub iterations: u32,
    /// The sidecar's `type`.
    #[arg(long, default_value = "validator_key")]
    pub kind: String,
    /// The sidecar's `passphrase_location` (where holders keep their shares).
    #[arg(long)]
    pub passphrase_location: Option<String>,
    /// Append a log of what happened (never a secret) to this file.
    #[arg(long)]
    pub log: Option<PathBuf>,
    /// Also escrow the passphrase in this Secrets Manager secret, as a new
    /// version (needs --env for the account); the old one is never read.
    #[arg(long)]
    pub passphrase_secret: Option<String>,
    /// The secret's region (default: the environment's first region).
    #[arg(long, requires = "passphrase_secret")]
    pub secret_region: Option<String>,
}

/// `drconsole ceremony open`.
#[derive(Debug, clap::Args)]
pub struct OpenArgs {
    /// The envelope to open.
    #[arg(long = "in")]
    pub input: PathBuf,
    /// Where to restore the decrypted file, e.g. config/priv_validator_key.json.
    #[arg(long)]
    pub restore_to: PathBuf,
    /// The journal (default: IN.journal.jsonl); created or continued.
    #[arg(long)]
    pub journal: Option<PathBuf>,
    /// Inactivity after which every share entered is wiped.
    #[arg(long, default_value = "10m")]
    pub idle_timeout: String,
    /// Append a log of what happened (never a secret) to this file.
    #[arg(long)]
    pub log: Option<PathBuf>,
}

/// Why a ceremony could not run. Messages never hold a secret.
#[derive(Debug, thiserror::Error)]
pub enum CeremonyError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        source: io::Error,
    },
    /// An input file is not a regular file, too big or unreadable.
    #[error(transparent)]
    Read(#[from] crate::text::ReadError),
    /// The command line or an input file is wrong.
    #[error("{0}")]
    Invalid(String),
    /// The journal refused or failed; the ceremony stops.
    #[error("journal: {0}")]
    Journal(#[from] JournalFileError),
    /// The terminal failed.
    #[error("terminal: {0}")]
    Terminal(io::Error),
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> CeremonyError + '_ {
    move |source| CeremonyError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn invalid(text: impl Into<String>) -> CeremonyError {
    CeremonyError::Invalid(text.into())
}

/// Runs a ceremony command. `env` is the `--env` file (its RPC endpoints
/// are asked whether the validator is still signing); `theme` the theme.
///
/// # Errors
/// Bad arguments, unreadable files, the journal or the terminal failing.
pub fn run(
    command: &CeremonyCommand,
    env: Option<&Path>,
    theme: &str,
) -> Result<ExitCode, CeremonyError> {
    hygiene::disable_core_dumps().map_err(|e| {
        invalid(format!(
            "cannot turn core dumps off, refusing to start: {e}"
        ))
    })?;
    let theme = crate::runtime::honour_no_color(
        config::load_theme(&ConfigDirs::standard(), theme).map_err(|e| invalid(e.to_string()))?,
    );
    let log = match command {
        CeremonyCommand::Seal(a) => a.log.as_deref(),
        CeremonyCommand::Open(a) => a.log.as_deref(),
    };
    if let Some(path) = log {
        hygiene::log_to_file(path).map_err(io_at(path))?;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CeremonyError::Terminal)?;
    match command {
        CeremonyCommand::Seal(args) => runtime.block_on(seal(args, env, &theme)),
        CeremonyCommand::Open(args) => runtime.block_on(open(args, env, &theme)),
    }
}

fn default_journal(envelope: &Path) -> PathBuf {
    let mut name = envelope.as_os_str().to_owned();
    name.push(".journal.jsonl");
    PathBuf::from(name)
}

fn open_journal(path: &Path, run: &str) -> Result<JournalWriter, CeremonyError> {
    let mut writer = if path.exists() {
        JournalWriter::open(path)?
    } else {
        JournalWriter::create(path, run)?
    };
    writer.set_run(run);
    Ok(writer)
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

async fn open(
    args: &OpenArgs,
    env: Option<&Path>,
    theme: &Theme,
) -> Result<ExitCode, CeremonyError> {
    let idle = IDLE_TIMEOUT
        .parse("--idle-timeout", &args.idle_timeout)
        .map_err(|e| invalid(e.for_flag("--idle-timeout")))?;
    let sealed = crate::text::read_bytes(&args.input, crate::text::Cap::ENVELOPE)?;
    let (header, _) =
        Header::parse(&sealed).map_err(|e| invalid(format!("{}: {e}", args.input.display())))?;
    let signing = match env {
        Some(path) => RpcSigningCheck::from_environment(
            &config::load_environment(path).map_err(|e| invalid(e.to_string()))?,
        ),
        None => RpcSigningCheck::new(Vec::new()),
    };
    let journal_path = args
        .journal
        .clone()
        .unwrap_or_else(|| default_journal(&args.input));
    let mut journal = open_journal(&journal_path, &format!("open {}", file_name(&args.input)))?;
    let (expected, records_note) = records::expected_for(&args.input, &journal);
    append(
        &mut journal,
        &Event::new(
            WallClock.now(),
            "ceremony.opened",
            json!({
                "envelope": args.input.display().to_string(),
                "target": args.restore_to.display().to_string(),
                "iterations": header.iterations(),
                "environment": env.map(|p| p.display().to_string()),
                "expected": expected.as_ref().map(|e| json!({
                    "set_id": e.set_id.to_string(),
                    "threshold": e.threshold,
                    "holders_count": e.holders.len(),
                    "source": e.source.as_str(),
                    "unconfirmed": e.unconfirmed(),
                })),
                "records_note": records_note,
            }),
        ),
    )?;
    let set = match expected {
        Some(expected) => ShareSet::new(idle).with_expected(expected),
        None => ShareSet::new(idle),
    };
    let mut screen = OpenScreen::new(
        set,
        &file_name(&args.input),
        &args.restore_to.display().to_string(),
        WallClock.now(),
    );
    if let Some(note) = records_note {
        screen.message = Some(crate::app::Notice {
            text: format!("! the first share entered decides the set: {note}"),
            level: crate::domain::assess::Level::Warn,
        });
    }
    let mut effects = Effects::new(journal);
    effects.open = Some(OpenContext {
        sealed,
        target: args.restore_to.clone(),
        signing,
        replace: false,
    });
    in_terminal(&mut Screen::Open(&mut screen), &mut effects, theme).await?;
    match &screen.phase {
        OpenPhase::Done(text) => {
            say(text);
            Ok(ExitCode::SUCCESS)
        }
        OpenPhase::Failed(text) => {
            say(&format!("drconsole: {text}"));
            Ok(ExitCode::from(1))
        }
        _ => {
            say("drconsole: the ceremony stopped; every share entered was wiped");
            Ok(ExitCode::from(1))
        }
    }
}

/// Prints a closing line for the operator; a closed stdout is no reason
/// to panic after the ceremony is over.
fn say(text: &str) {
    let _ = writeln!(io::stdout().lock(), "{text}");
}

fn append(journal: &mut JournalWriter, event: &Event) -> Result<(), CeremonyError> {
    journal.append(event.at, event.kind, event.data.clone())?;
    log::info!("{} {}", event.kind, event.data);
    Ok(())
}
