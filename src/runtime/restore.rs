//! Restoring a decrypted key file safely: gather the facts the pure rules
//! in [`crate::domain::restore`] decide on (what the target holds, whether
//! the validator is still signing), then write atomically.
//!
//! "Is the validator still signing" sits behind [`SigningCheck`]: the real
//! side asks each CometBFT RPC endpoint of the environment for `/status`
//! (its `validator_info.address` is the key the node signs with) and for
//! the latest block's commit (a signature there means the validator runs
//! somewhere, even on a node the environment does not list); the
//! simulated side answers what a test tells it.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tendermint::block::CommitSig;
use tendermint_rpc::{Client, HttpClient, HttpClientUrl};

use crate::domain::environment::Environment;
use crate::domain::restore::{Content, Facts, Signing, StateBeside, Target, parse_sign_state};
use crate::sources::cometbft::dialect_of;

/// How long each endpoint gets to answer `/status`.
pub const STATUS_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether a validator is still signing somewhere.
pub trait SigningCheck {
    /// What the nodes say about the validator with hex `address`.
    fn check(&self, address: &str) -> impl Future<Output = Signing>;
}

/// Asks CometBFT RPC endpoints over HTTP.
#[derive(Debug, Clone)]
pub struct RpcSigningCheck {
    endpoints: Vec<String>,
    timeout: Duration,
}

impl RpcSigningCheck {
    /// A check of `endpoints` (RPC URLs).
    #[must_use]
    pub fn new(endpoints: Vec<String>) -> Self {
        Self {
            endpoints,
            timeout: STATUS_TIMEOUT,
        }
    }

    /// Every RPC endpoint of every region of `env`: a node anywhere that
    /// runs the key is a node that would double-sign.
    #[must_use]
    pub fn from_environment(env: &Environment) -> Self {
        Self::new(env.regions.iter().flat_map(|r| r.rpc.clone()).collect())
    }

    /// Sets how long each endpoint gets.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// What one node says: the validator it runs itself, and whether
    /// `address` signed its latest block (so runs somewhere, maybe on a
    /// node nobody listed).
    async fn ask(&self, url: &str, address: &str) -> Result<Answer, String> {
        let parsed: HttpClientUrl = url
            .parse()
            .map_err(|e: tendermint_rpc::Error| format!("invalid RPC URL: {}", e.detail()))?;
        let mut client = HttpClient::builder(parsed)
            .build()
            .map_err(|e| format!("cannot build a client: {}", e.detail()))?;
        let query = async {
            let status = client.status().await.map_err(|e| e.detail().to_string())?;
            let dialect = dialect_of(&status.node_info.version.to_string())?;
            client.set_compat_mode(dialect.compat_mode());
            let height = status.sync_info.latest_block_height;
            let commit = client
                .commit(height)
                .await
                .map_err(|e| e.detail().to_string())?;
            let signed = commit
                .signed_header
                .commit
                .signatures
                .iter()
                .any(|sig| match sig {
                    CommitSig::BlockIdFlagCommit {
                        validator_address, ..
                    }
                    | CommitSig::BlockIdFlagNil {
                        validator_address, ..
                    } => validator_address.to_string().eq_ignore_ascii_case(address),
                    CommitSig::BlockIdFlagAbsent => false,
                });
            Ok(Answer {
                runs: status.validator_info.address.to_string(),
                signed_at: signed.then_some(height.value()),
            })
        };
        match tokio::time::timeout(self.timeout, query).await {
            Ok(answer) => answer,
            Err(_) => Err(format!(
                "no answer within {}",
                crate::domain::time::format_age(self.timeout)
            )),
        }
    }
}

/// One node's answer.
struct Answer {
    /// The address of the validator key the node itself signs with.
    runs: String,
    /// The latest height, if the asked-about validator signed it.
    signed_at: Option<u64>,
}

impl SigningCheck for RpcSigningCheck {
    async fn check(&self, address: &str) -> Signing {
        if self.endpoints.is_empty() {
            return Signing::NotChecked;
        }
        let answers =
            futures_util::future::join_all(self.endpoints.iter().map(|url| self.ask(url, address)))
                .await;
        let mut unreachable = Vec::new();
        for (url, answer) in self.endpoints.iter().zip(answers) {
            match answer {
                Ok(a) if a.runs.eq_ignore_ascii_case(address) => {
                    return Signing::Running {
                        endpoint: url.clone(),
                    };
                }
                Ok(Answer {
                    signed_at: Some(height),
                    ..
                }) => {
                    return Signing::Signed {
                        endpoint: url.clone(),
                        height,
                    };
                }
                Ok(_) => {}
                Err(e) => unreachable.push((url.clone(), e)),
            }
        }
        if unreachable.is_empty() {
            Signing::NotRunning {
                checked: self.endpoints.clone(),
            }
        } else {
            Signing::Unknown { unreachable }
        }
    }
}

/// A signing check that answers what it was told: for tests and drills.
#[derive(Debug, Clone)]
pub struct SimulatedSigning(pub Signing);

impl SigningCheck for SimulatedSigning {
    async fn check(&self, _address: &str) -> Signing {
        self.0.clone()
    }
}

/// Why a restore could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// Reading the target or writing the new file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: String,
        /// The OS error.
        source: io::Error,
    },
    /// The target path has no file name.
    #[error("{0}: not a file path")]
    NotAFile(String),
    /// The target is not a regular file of a key's size (a FIFO, a
    /// device, a huge file): it is never read, never replaced.
    #[error(transparent)]
    Target(#[from] crate::text::ReadError),
}

fn io_err(path: &Path, source: io::Error) -> RestoreError {
    RestoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Gathers the facts for restoring `content` to `target`.
///
/// # Errors
/// The target cannot be read (other than not existing).
pub async fn facts(
    target: &Path,
    content: Content,
    signing: &impl SigningCheck,
) -> Result<Facts, RestoreError> {
    let file_name = target
        .file_name()
        .ok_or_else(|| RestoreError::NotAFile(target.display().to_string()))?
        .to_string_lossy()
        .into_owned();
    // The key file being replaced: a regular file of bounded size, or
    // absent; anything else (a FIFO, a device) is refused, never read.
    let target_state = match crate::text::read_bytes(target, crate::text::Cap::KEY_FILE) {
        Ok(bytes) => Target::Exists {
            state: parse_sign_state(&bytes),
        },
        Err(crate::text::ReadError::Io { source, .. })
            if source.kind() == io::ErrorKind::NotFound =>
        {
            Target::Absent
        }
        Err(e) => return Err(RestoreError::Target(e)),
    };
    let (signing, state_beside) = match &content {
        Content::ValidatorKey { address, .. } => {
            (signing.check(address).await, state_beside(target))
        }
        Content::SignState(_) | Content::Other => (Signing::NotChecked, StateBeside::NotApplicable),
    };
    Ok(Facts {
        file_name,
        content,
        target: target_state,
        signing,
        state_beside,
    })
}

/// Where CometBFT keeps the signing state of a key restored to
/// `HOME/config/NAME`: `HOME/data/priv_validator_state.json`.
fn state_beside(target: &Path) -> StateBeside {
    let Some(config) = target.parent() else {
        return StateBeside::NotApplicable;
    };
    if config.file_name().is_none_or(|n| n != "config") {
        return StateBeside::NotApplicable;
    }
    let Some(home) = config.parent() else {
        return StateBeside::NotApplicable;
    };
    let state = home.join("data").join("priv_validator_state.json");
    if state.exists() {
        StateBeside::Present
    } else {
        StateBeside::Missing {
            path: state.display().to_string(),
        }
    }
}

/// Writes `bytes` to `target` atomically with mode 0600: a temporary file
/// beside it (created 0600, exclusive), fsync, rename over the target,
/// fsync of the directory. A crash leaves the old file or the new one,
/// never half of either. Callers decide (see [`crate::domain::restore`])
/// whether replacing an existing target is allowed; with `replace` false,
/// a target that appeared meanwhile is kept (hard link, which refuses to
/// replace, in place of rename).
///
/// # Errors
/// Any I/O failure (`AlreadyExists` for a target that must not be
/// replaced); the temporary file is removed.
pub fn write_atomic(target: &Path, bytes: &[u8], replace: bool) -> Result<(), RestoreError> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .ok_or_else(|| RestoreError::NotAFile(target.display().to_string()))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = dir.join(tmp_name);
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        if replace {
            fs::rename(&tmp, target)?;
        } else {
            fs::hard_link(&tmp, target)?;
            fs::remove_file(&tmp)?;
        }
        File::open(&dir)?.sync_all()
    })();
    if let Err(e) = written {
        // Best effort: the temporary file may hold key material.
        let _ = fs::remove_file(&tmp);
        return Err(io_err(target, e));
    }
    Ok(())
}
