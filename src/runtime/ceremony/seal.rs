//! Sealing a key backup: a fresh passphrase (or one from stdin), the
//! envelope, the metadata sidecar, and one share file per holder.

use super::escrow::Escrow;
#[allow(clippy::wildcard_imports)]
use super::*;
use crate::app::ceremony::SplitScreen;
use crate::config::theme::Theme;
use crate::crypto::envelope::{self};
use crate::crypto::share_text::{ALPHABET, ShareText};
use crate::crypto::{SharesInfo, Sidecar, shares};
use crate::domain::ceremony::{self as rules, Disposition, Event, Split};
use crate::domain::restore::{self, Content};
use crate::runtime::journal_file::JournalWriter;
use crate::runtime::restore::write_atomic;
use crate::sources::clock::{Clock, WallClock};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zeroize::Zeroizing;

/// A fresh passphrase: [`PASSPHRASE_LEN`] symbols of the share alphabet
/// from the OS generator (32 divides 256, so `byte % 32` is uniform).
pub(super) fn random_passphrase() -> Result<SecretString, CeremonyError> {
    let mut bytes = Zeroizing::new([0u8; PASSPHRASE_LEN]);
    getrandom::fill(&mut bytes[..]).map_err(|e| invalid(format!("random: {e}")))?;
    let text: Zeroizing<String> = Zeroizing::new(
        bytes
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
            .collect(),
    );
    Ok(SecretString::from(text.as_str()))
}

pub(super) fn passphrase_from_stdin() -> Result<SecretString, CeremonyError> {
    let mut raw = Zeroizing::new(Vec::with_capacity(MAX_PASSPHRASE + 2));
    io::stdin()
        .lock()
        .take(u64::try_from(MAX_PASSPHRASE + 3).unwrap_or(u64::MAX))
        .read_to_end(&mut raw)
        .map_err(io_at(Path::new("stdin")))?;
    let text =
        std::str::from_utf8(&raw).map_err(|_| invalid("the passphrase on stdin is not UTF-8"))?;
    let text = text.strip_suffix('\n').unwrap_or(text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    if text.is_empty() {
        return Err(invalid("the passphrase on stdin is empty"));
    }
    if text.len() > MAX_PASSPHRASE {
        return Err(invalid(format!(
            "the passphrase on stdin is over {MAX_PASSPHRASE} bytes"
        )));
    }
    Ok(SecretString::from(text))
}

/// A holder name as a file name: letters, digits, `-`, `_` and `.` kept.
pub(super) fn share_file_name(holder: &str, index: u8) -> String {
    let clean: String = holder
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{index:02}-{}.share", clean.trim_start_matches('.'))
}

pub(super) fn write_share_files(
    dir: &Path,
    holders: &[String],
    shares: &[ShareText],
) -> Result<(), CeremonyError> {
    fs::create_dir_all(dir).map_err(io_at(dir))?;
    for (holder, share) in holders.iter().zip(shares) {
        let path = dir.join(share_file_name(holder, share.index()));
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(io_at(&path))?;
        let text = share.encode_lines(4);
        file.write_all(text.expose_secret().as_bytes())
            .and_then(|()| file.write_all(b"\n"))
            .and_then(|()| file.sync_all())
            .map_err(io_at(&path))?;
    }
    Ok(())
}

/// The holders named on the command line (default holder-1 to holder-5),
/// checked against the threshold.
pub(super) fn holders_of(args: &SealArgs) -> Result<(Vec<String>, u8), CeremonyError> {
    let holders = match &args.holders {
        Some(list) => rules::parse_holders(list).map_err(invalid)?,
        None => (1..=5).map(|i| format!("holder-{i}")).collect(),
    };
    let n = u8::try_from(holders.len()).map_err(|_| invalid("at most 16 holders"))?;
    if args.threshold < 2 || args.threshold > n || n > 16 {
        return Err(invalid(format!(
            "--threshold {} with {n} holders: need 2 ≤ threshold ≤ holders ≤ 16",
            args.threshold
        )));
    }
    Ok((holders, n))
}

/// The metadata sidecar for the backup being sealed (the validator's
/// address and key type when the plaintext is a validator key).
pub(super) fn sidecar_for(args: &SealArgs, plaintext: &[u8]) -> Result<Sidecar, CeremonyError> {
    let mut sidecar = Sidecar::for_backup(
        &args.kind,
        &file_name(&args.out),
        jiff::Timestamp::now(),
        args.iterations,
    )
    .map_err(|e| invalid(e.to_string()))?;
    if let Content::ValidatorKey {
        address,
        pub_key_type,
    } = restore::classify(plaintext)
    {
        sidecar = sidecar.validator(&address, &pub_key_type);
    }
    if let Some(location) = &args.passphrase_location {
        sidecar = sidecar.passphrase_location(location);
    }
    Ok(sidecar)
}

pub(super) async fn seal(
    args: &SealArgs,
    env: Option<&Path>,
    theme: &Theme,
) -> Result<ExitCode, CeremonyError> {
    let (holders, n) = holders_of(args)?;
    let escrow = Escrow::of(args, env).await?;
    if args.out.exists() {
        return Err(invalid(format!(
            "{} exists: a backup is never overwritten",
            args.out.display()
        )));
    }
    let plaintext = Zeroizing::new(crate::text::read_bytes(
        &args.input,
        crate::text::Cap::KEY_FILE,
    )?);
    let passphrase = if args.passphrase_stdin {
        passphrase_from_stdin()?
    } else {
        random_passphrase()?
    };
    let sealed = envelope::seal(&plaintext, &passphrase, args.iterations)
        .map_err(|e| invalid(e.to_string()))?;
    let shares = shares::split(passphrase.expose_secret().as_bytes(), args.threshold, n)
        .map_err(|e| invalid(e.to_string()))?;
    let set_id = shares.first().map(|s| s.set_id().to_string());
    let mut sidecar = sidecar_for(args, &plaintext)?;
    if let Some(Escrow { region, .. }) = &escrow
        && args.passphrase_location.is_none()
        && let Some(secret) = &args.passphrase_secret
    {
        sidecar = sidecar.passphrase_location(&format!("secretsmanager:{region}:{secret}"));
    }
    let mut sidecar = sidecar.shares(SharesInfo {
        set_id: set_id.clone().unwrap_or_default(),
        threshold: args.threshold,
        holders: holders.clone(),
        confirmed: Vec::new(),
    });
    drop(plaintext);
    let journal_path = args
        .journal
        .clone()
        .unwrap_or_else(|| default_journal(&args.out));
    let mut journal = open_journal(&journal_path, &format!("seal {}", file_name(&args.out)))?;

    write_atomic(&args.out, &sealed, false).map_err(|e| invalid(e.to_string()))?;
    let mut meta_path = args.out.as_os_str().to_owned();
    meta_path.push(".meta.json");
    let meta_path = PathBuf::from(meta_path);
    let meta = sidecar.to_json().map_err(|e| invalid(e.to_string()))?;
    write_atomic(&meta_path, meta.as_bytes(), false).map_err(|e| invalid(e.to_string()))?;
    // Escrow before any share is handed out: if the write fails, nothing
    // of this seal is left to be mistaken for a backup.
    if let Some(e) = &escrow {
        e.write(args, &passphrase, &mut journal, &meta_path).await?;
    }
    drop(passphrase);
    if let Some(dir) = &args.out_dir {
        write_share_files(dir, &holders, &shares)?;
    }
    append(
        &mut journal,
        &Event::new(
            WallClock.now(),
            "ceremony.sealed",
            json!({
                "envelope": args.out.display().to_string(),
                "sidecar": meta_path.display().to_string(),
                "iterations": args.iterations,
                "threshold": args.threshold,
                "holders": holders,
                "set_id": set_id,
                "source": if args.passphrase_stdin { "given on stdin" } else { "generated" },
                "written_to_dir": args.out_dir.as_ref().map(|d| d.display().to_string()),
            }),
        ),
    )?;
    let holders_all = holders.clone();
    let split = Split::new(holders, shares).map_err(invalid)?;
    let mut screen = SplitScreen::new(split, &file_name(&args.out));
    let mut effects = Effects::new(journal);
    in_terminal(&mut Screen::Split(&mut screen), &mut effects, theme).await?;
    let end = SealEnd {
        args,
        meta_path: &meta_path,
        journal_path: &journal_path,
        sealed_len: sealed.len(),
        holders: &holders_all,
    };
    end.finish(&screen, &mut sidecar, &mut effects.journal)
}

/// What the end of a seal reports on.
struct SealEnd<'a> {
    args: &'a SealArgs,
    meta_path: &'a Path,
    journal_path: &'a Path,
    sealed_len: usize,
    holders: &'a [String],
}

impl SealEnd<'_> {
    /// Updates or deletes the envelope and sidecar as the hand-over ended,
    /// and tells the operator where the plaintext key still lies.
    fn finish(
        &self,
        screen: &SplitScreen,
        sidecar: &mut Sidecar,
        journal: &mut JournalWriter,
    ) -> Result<ExitCode, CeremonyError> {
        let args = self.args;
        let done = screen.split.stage() == crate::domain::ceremony::SplitStage::Done;
        let confirmed = screen.split.confirmed().to_vec();
        let input = args.input.display();
        if !done && screen.disposition == Some(Disposition::Delete) {
            for path in [args.out.as_path(), self.meta_path] {
                fs::remove_file(path).map_err(io_at(path))?;
            }
            if let Some(dir) = &args.out_dir {
                for (i, holder) in self.holders.iter().enumerate() {
                    let index = u8::try_from(i + 1).unwrap_or(u8::MAX);
                    let path = dir.join(share_file_name(holder, index));
                    if let Err(e) = fs::remove_file(&path)
                        && e.kind() != io::ErrorKind::NotFound
                    {
                        return Err(io_at(&path)(e));
                    }
                }
            }
            append(
                journal,
                &Event::new(
                    WallClock.now(),
                    "ceremony.envelope_deleted",
                    json!({"envelope": args.out.display().to_string(), "confirmed": confirmed}),
                ),
            )?;
            say(&format!(
                "the hand-over was stopped: {} and {} deleted{}; journal {}",
                args.out.display(),
                self.meta_path.display(),
                if args.out_dir.is_some() {
                    ", with the share files"
                } else {
                    ""
                },
                self.journal_path.display(),
            ));
            say(&format!(
                "The plaintext key is still at {input}, now its only copy: seal it again, \
                 then destroy it."
            ));
            return Ok(ExitCode::from(1));
        }
        // The sidecar says who proved their copy.
        if let Some(info) = &mut sidecar.shares {
            info.confirmed.clone_from(&confirmed);
        }
        let meta = sidecar.to_json().map_err(|e| invalid(e.to_string()))?;
        write_atomic(self.meta_path, meta.as_bytes(), true).map_err(|e| invalid(e.to_string()))?;
        say(&format!(
            "sealed {} ({} bytes) and {}; journal {}; {}",
            args.out.display(),
            self.sealed_len,
            self.meta_path.display(),
            self.journal_path.display(),
            if done {
                "every holder confirmed their share".to_owned()
            } else {
                format!(
                    "WARNING: the hand-over was stopped before every holder confirmed; only {} of \
                     {} hold a share ({}), {} are needed to open it; the sidecar says so",
                    confirmed.len(),
                    self.holders.len(),
                    if confirmed.is_empty() {
                        "nobody".to_owned()
                    } else {
                        confirmed.join(", ")
                    },
                    args.threshold,
                )
            }
        ));
        say(&format!(
            "The plaintext key is still at {input}: nothing here removed it. Once the envelope \
             is stored safely, destroy it (e.g. shred -u {input}): a plaintext key on disk \
             defeats the backup."
        ));
        Ok(if done {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        })
    }
}
