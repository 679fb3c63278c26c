//! Secret hygiene for the process during a key ceremony: no core dumps,
//! not dumpable (no ptrace by the same user, no /proc/PID/mem), and a log
//! file that only ever receives what the journal receives.

use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;
use std::sync::Mutex;

use rustix::process::{DumpableBehavior, Resource, Rlimit, set_dumpable_behavior, setrlimit};

/// Turns core dumps off for this process (soft and hard `RLIMIT_CORE` 0,
/// so it cannot be raised again) and marks it not dumpable
/// (`PR_SET_DUMPABLE` 0). Called before any secret is read.
///
/// # Errors
/// The kernel refused either call; a ceremony must not start then.
pub fn disable_core_dumps() -> io::Result<()> {
    setrlimit(
        Resource::Core,
        Rlimit {
            current: Some(0),
            maximum: Some(0),
        },
    )?;
    set_dumpable_behavior(DumpableBehavior::NotDumpable)?;
    Ok(())
}

/// Whether core dumps are off: the soft and hard limits are 0 and the
/// process is not dumpable.
#[must_use]
pub fn core_dumps_disabled() -> bool {
    let limit = rustix::process::getrlimit(Resource::Core);
    limit.current == Some(0)
        && limit.maximum == Some(0)
        && rustix::process::dumpable_behavior().ok() == Some(DumpableBehavior::NotDumpable)
}

/// A `log` sink appending one line per record to a 0600 file.
struct FileLogger {
    file: Mutex<File>,
}

impl log::Log for FileLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Info
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let line = format!(
            "{} {:5} {}\n",
            jiff::Timestamp::now(),
            record.level(),
            record.args()
        );
        if let Ok(mut file) = self.file.lock() {
            // A log line lost is not worth stopping a ceremony for.
            let _ = file.write_all(line.as_bytes());
        }
    }

    fn flush(&self) {
        if let Ok(mut file) = self.file.lock() {
            let _ = file.flush();
        }
    }
}

/// Sends `log` records (info and above) to `path`, created 0600 or
/// appended to.
///
/// # Errors
/// The file cannot be opened, or a logger is already installed.
pub fn log_to_file(path: &Path) -> io::Result<()> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    let logger: &'static FileLogger = Box::leak(Box::new(FileLogger {
        file: Mutex::new(file),
    }));
    log::set_logger(logger).map_err(|e| io::Error::other(e.to_string()))?;
    log::set_max_level(log::LevelFilter::Info);
    Ok(())
}
