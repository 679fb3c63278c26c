//! Shamir secret sharing over GF(256) with `blahaj`, and the checks a
//! ceremony makes as each holder enters a share.
//!
//! Splitting gives N shares with threshold T (2 ≤ T ≤ N ≤ 16) of one
//! random set id; share `x` holds the value at `x` of a random polynomial
//! of degree T−1 per secret byte (coefficients uniform in 0..=255: the
//! bias of `sharks`, RUSTSEC-2024-0398, is fixed in `blahaj`). Any T shares
//! rebuild the secret; fewer reveal nothing about it.
//!
//! Known limit: `blahaj` keeps the polynomials in plain `Vec`s while it
//! deals the shares, and they are freed without being zeroized. Shares
//! themselves (`blahaj::Share`) zeroize on drop, and everything this module
//! keeps is in [`Zeroizing`].

use blahaj::{Share, Sharks};
use secrecy::SecretSlice;
use zeroize::Zeroizing;

use super::share_text::{MAX_INDEX, MAX_PAYLOAD_LEN, ParseError, SetId, ShareText};

/// Why splitting or combining failed. No variant carries secret bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    /// T and N outside 2 ≤ T ≤ N ≤ 16.
    #[error("cannot split {threshold} of {shares}: need 2 ≤ threshold ≤ shares ≤ 16")]
    InvalidParameters {
        /// Threshold asked for.
        threshold: u8,
        /// Number of shares asked for.
        shares: u8,
    },
    /// Nothing to split.
    #[error("the secret is empty")]
    EmptySecret,
    /// More than [`MAX_PAYLOAD_LEN`] bytes.
    #[error("the secret is {len} bytes; at most {max} can be split")]
    SecretTooLong {
        /// Bytes given.
        len: usize,
        /// [`MAX_PAYLOAD_LEN`].
        max: usize,
    },
    /// The text is not a valid share.
    #[error(transparent)]
    Text(#[from] ParseError),
    /// A share of a different split.
    #[error("share from another set (set id {got}, expected {expected})")]
    OtherSet {
        /// This share's set id.
        got: SetId,
        /// The set id of the shares entered so far.
        expected: SetId,
    },
    /// The same share twice.
    #[error("duplicate share (index {0} already entered)")]
    Duplicate(u8),
    /// Same set and index as an entered share, different content.
    #[error("share {0} differs from the share {0} already entered: one of the two is wrong")]
    ConflictingIndex(u8),
    /// Same set, different threshold.
    #[error("threshold mismatch (this share says {got} are needed, the set says {expected})")]
    ThresholdMismatch {
        /// This share's threshold.
        got: u8,
        /// The threshold of the shares entered so far.
        expected: u8,
    },
    /// Same set, different length.
    #[error("length mismatch (this share holds {got} bytes, the set holds {expected})")]
    LengthMismatch {
        /// This share's payload length.
        got: usize,
        /// The payload length of the shares entered so far.
        expected: usize,
    },
    /// Fewer distinct shares than the threshold.
    #[error("not enough shares: {have} of {needed} entered")]
    NotEnough {
        /// Distinct shares entered.
        have: usize,
        /// The threshold.
        needed: usize,
    },
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
    /// `blahaj` refused to combine (should not happen after the checks).
    #[error("recovery failed: {0}")]
    Recover(&'static str),
}

/// Splits `secret` into `shares` shares, any `threshold` of which rebuild it.
///
/// # Errors
/// Parameters outside 2 ≤ T ≤ N ≤ 16, an empty secret or one over 4096
/// bytes, or an RNG failure.
pub fn split(secret: &[u8], threshold: u8, shares: u8) -> Result<Vec<ShareText>, ShareError> {
    if threshold < 2 || threshold > shares || shares > MAX_INDEX {
        return Err(ShareError::InvalidParameters { threshold, shares });
    }
    if secret.is_empty() {
        return Err(ShareError::EmptySecret);
    }
    if secret.len() > MAX_PAYLOAD_LEN {
        return Err(ShareError::SecretTooLong {
            len: secret.len(),
            max: MAX_PAYLOAD_LEN,
        });
    }
    let set_id = SetId::random().map_err(|e| ShareError::Random(e.to_string()))?;
    Sharks(threshold)
        .dealer(secret)
        .take(usize::from(shares))
        .map(|share| {
            let bytes = Zeroizing::new(Vec::from(&share));
            let payload = Zeroizing::new(bytes[1..].to_vec());
            Ok(ShareText::new(set_id, threshold, bytes[0], payload)?)
        })
        .collect()
}

/// Rebuilds a secret from shares (see [`Combiner`] for the checks).
///
/// # Errors
/// The first share that [`Combiner::add`] refuses, or too few shares.
pub fn combine(shares: &[ShareText]) -> Result<SecretSlice<u8>, ShareError> {
    let mut combiner = Combiner::new();
    for share in shares {
        combiner.add(share.clone())?;
    }
    combiner.finish()
}

/// Where a ceremony stands after a share was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Distinct shares entered.
    pub entered: usize,
    /// Shares needed (the threshold).
    pub needed: usize,
    /// The set id.
    pub set_id: SetId,
}

impl Progress {
    /// Whether enough shares are in.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.entered >= self.needed
    }
}

/// Collects shares one at a time, checking each as it arrives: format and
/// checksum, set, threshold, length, duplicate.
#[derive(Debug, Default)]
pub struct Combiner {
    shares: Vec<ShareText>,
}

impl Combiner {
    /// No shares yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses and adds a typed share.
    ///
    /// # Errors
    /// As [`ShareText::parse`] and [`Combiner::add`].
    pub fn add_text(&mut self, text: &str) -> Result<Progress, ShareError> {
        self.add(ShareText::parse(text)?)
    }

    /// Adds a share after checking it against those already entered.
    ///
    /// # Errors
    /// Another set, a threshold or length mismatch, a duplicate or a
    /// conflicting share of the same index. The share is not kept.
    pub fn add(&mut self, share: ShareText) -> Result<Progress, ShareError> {
        if let Some(first) = self.shares.first() {
            if share.set_id() != first.set_id() {
                return Err(ShareError::OtherSet {
                    got: share.set_id(),
                    expected: first.set_id(),
                });
            }
            if share.threshold() != first.threshold() {
                return Err(ShareError::ThresholdMismatch {
                    got: share.threshold(),
                    expected: first.threshold(),
                });
            }
            if share.expose_payload().len() != first.expose_payload().len() {
                return Err(ShareError::LengthMismatch {
                    got: share.expose_payload().len(),
                    expected: first.expose_payload().len(),
                });
            }
        }
        if let Some(same) = self.shares.iter().find(|s| s.index() == share.index()) {
            return Err(if same.expose_payload() == share.expose_payload() {
                ShareError::Duplicate(share.index())
            } else {
                ShareError::ConflictingIndex(share.index())
            });
        }
        self.shares.push(share);
        self.progress().ok_or(ShareError::Recover("no shares"))
    }

    /// Where the ceremony stands; `None` before the first share.
    #[must_use]
    pub fn progress(&self) -> Option<Progress> {
        self.shares.first().map(|first| Progress {
            entered: self.shares.len(),
            needed: usize::from(first.threshold()),
            set_id: first.set_id(),
        })
    }

    /// Rebuilds the secret from the first T shares entered.
    ///
    /// # Errors
    /// Fewer shares than the threshold.
    pub fn finish(self) -> Result<SecretSlice<u8>, ShareError> {
        let Some(progress) = self.progress() else {
            return Err(ShareError::NotEnough { have: 0, needed: 2 });
        };
        if !progress.is_complete() {
            return Err(ShareError::NotEnough {
                have: progress.entered,
                needed: progress.needed,
            });
        }
        let mut points = Vec::with_capacity(progress.needed);
        for share in self.shares.iter().take(progress.needed) {
            let mut bytes = Zeroizing::new(Vec::with_capacity(share.expose_payload().len() + 1));
            bytes.push(share.index());
            bytes.extend_from_slice(share.expose_payload());
            points.push(Share::try_from(bytes.as_slice()).map_err(ShareError::Recover)?);
        }
        let threshold = u8::try_from(progress.needed).unwrap_or(MAX_INDEX);
        let secret = Sharks(threshold)
            .recover(&points)
            .map(Zeroizing::new)
            .map_err(|_| ShareError::Recover("blahaj refused the shares"))?;
        Ok(super::secret_copy(&secret))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn three_of_five_round_trip_through_text() {
        let secret = b"correct horse battery staple";
        let shares = split(secret, 3, 5).unwrap();
        assert_eq!(shares.len(), 5);
        let mut combiner = Combiner::new();
        for (n, share) in shares.iter().rev().take(3).enumerate() {
            let p = combiner.add_text(share.encode().expose_secret()).unwrap();
            assert_eq!((p.entered, p.needed), (n + 1, 3));
        }
        assert_eq!(combiner.finish().unwrap().expose_secret(), secret);
    }

    #[test]
    fn parameters_are_checked() {
        for (t, n) in [(1, 3), (4, 3), (2, 17), (0, 0), (17, 17)] {
            assert_eq!(
                split(b"s", t, n).unwrap_err(),
                ShareError::InvalidParameters {
                    threshold: t,
                    shares: n
                }
            );
        }
        assert_eq!(split(b"", 2, 2).unwrap_err(), ShareError::EmptySecret);
        assert!(matches!(
            split(&[0; 4097], 2, 2).unwrap_err(),
            ShareError::SecretTooLong { len: 4097, .. }
        ));
        assert!(split(&[0; 4096], 16, 16).is_ok());
    }
}
