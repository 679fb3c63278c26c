//! After the last share: rebuilding the passphrase, decrypting the
//! envelope, judging whether the validator may still sign, restoring.

use super::{CeremonyEffect, Decrypted};
use super::{OpenPhase, OpenScreen};
use crate::domain::ceremony::{Event, passphrase_of};
use crate::domain::restore::{Content, Verdict};
use crate::domain::time::Timestamp;
use serde_json::json;

impl OpenScreen {
    pub(super) fn rebuild(&mut self, at: Timestamp) -> Vec<CeremonyEffect> {
        self.contributors = self.set.entered().to_vec();
        let holders: Vec<String> = self.contributors.iter().map(|e| e.holder.clone()).collect();
        let passphrase = self
            .set
            .rebuild()
            .map_err(|e| e.to_string())
            .and_then(|secret| passphrase_of(&secret).map_err(str::to_owned));
        match passphrase {
            Ok(passphrase) => {
                self.phase = OpenPhase::Working("rebuilding the passphrase and decrypting");
                vec![
                    CeremonyEffect::Journal(Event::new(
                        at,
                        "ceremony.threshold_reached",
                        json!({"holders": holders}),
                    )),
                    CeremonyEffect::Decrypt(passphrase),
                ]
            }
            Err(e) => self.fail(&format!("Could not rebuild: {e}."), at),
        }
    }

    pub(super) fn fail(&mut self, why: &str, at: Timestamp) -> Vec<CeremonyEffect> {
        self.decrypted = None;
        let text = format!("{why} Nothing was written.");
        self.phase = OpenPhase::Failed(text.clone());
        vec![CeremonyEffect::Journal(Event::new(
            at,
            "ceremony.failed",
            json!({"reason": text}),
        ))]
    }

    pub(super) fn decrypted(
        &mut self,
        result: Result<Decrypted, String>,
        at: Timestamp,
    ) -> Vec<CeremonyEffect> {
        match result {
            Ok(d) => {
                let address = match &d.content {
                    Content::ValidatorKey { address, .. } => Some(address.clone()),
                    _ => None,
                };
                self.decrypted = Some(d.plaintext);
                self.phase = OpenPhase::Working("checking that the validator is not signing");
                vec![
                    CeremonyEffect::Journal(Event::new(
                        at,
                        "key.decrypted",
                        json!({"envelope": self.envelope, "validator_address": address}),
                    )),
                    CeremonyEffect::Assess(d.content),
                ]
            }
            Err(e) => self.fail(&format!("Decryption failed: {e}."), at),
        }
    }

    pub(super) fn assessed(&mut self, verdict: Verdict, at: Timestamp) -> Vec<CeremonyEffect> {
        match verdict {
            Verdict::Refuse(why) => {
                self.decrypted = None;
                let text = format!("{why} Nothing was written.");
                self.phase = OpenPhase::Failed(text.clone());
                vec![CeremonyEffect::Journal(Event::new(
                    at,
                    "restore.refused",
                    json!({"target": self.target, "reason": text}),
                ))]
            }
            Verdict::Gate { reasons, phrase } => {
                self.set.touch(at);
                self.phase = OpenPhase::Gate {
                    reasons,
                    phrase,
                    typed: String::new(),
                };
                Vec::new()
            }
            Verdict::Proceed => {
                self.phase = OpenPhase::Working("restoring the key file");
                self.decrypted
                    .take()
                    .map(CeremonyEffect::Restore)
                    .into_iter()
                    .collect()
            }
        }
    }

    pub(super) fn restored(
        &mut self,
        result: Result<String, String>,
        at: Timestamp,
    ) -> Vec<CeremonyEffect> {
        match result {
            Ok(path) => {
                self.phase = OpenPhase::Done(format!(
                    "Restored to {path} (mode 0600). Press Enter to finish."
                ));
                vec![CeremonyEffect::Journal(Event::new(
                    at,
                    "key.restored",
                    json!({"target": path}),
                ))]
            }
            Err(e) => self.fail(&format!("Restore failed: {e}."), at),
        }
    }
}
