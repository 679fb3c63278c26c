//! What `open` learns of an envelope before any share is typed: its
//! sidecar's `shares` object, or else the seal's journal entry, name the
//! set, threshold and holders every share is checked against.

use std::path::{Path, PathBuf};

use crate::crypto::Sidecar;
use crate::domain::ceremony::Expected;
use crate::runtime::journal_file::JournalWriter;

/// The sidecar beside `envelope`: `ENVELOPE.meta.json`.
pub(super) fn sidecar_path(envelope: &Path) -> PathBuf {
    let mut name = envelope.as_os_str().to_owned();
    name.push(".meta.json");
    PathBuf::from(name)
}

/// The envelope's expected shares, and a note for the screen and journal
/// when a sidecar exists but cannot be used.
pub(super) fn expected_for(
    envelope: &Path,
    journal: &JournalWriter,
) -> (Option<Expected>, Option<String>) {
    let path = sidecar_path(envelope);
    let mut note = None;
    match crate::text::read_text(&path, crate::text::Cap::SHARE_FILE) {
        Ok(text) => match Sidecar::from_json(&text) {
            Ok(sidecar) => {
                if let Some(info) = &sidecar.shares {
                    match Expected::from_sidecar(info) {
                        Ok(expected) => return (Some(expected), None),
                        Err(e) => note = Some(format!("{}: shares: {e}", path.display())),
                    }
                }
            }
            Err(e) => note = Some(format!("{}: {e}", path.display())),
        },
        Err(e) if e.is_not_found() => {}
        Err(e) => note = Some(e.to_string()),
    }
    let name = envelope
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let from_journal = journal
        .entries()
        .iter()
        .rev()
        .filter(|e| e.kind == "ceremony.sealed")
        .find(|e| {
            let sealed = e.data["envelope"].as_str().map(Path::new);
            sealed
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned())
                == name
        })
        .and_then(|e| Expected::from_sealed_entry(&e.data));
    (from_journal, note)
}
