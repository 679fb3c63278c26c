//! The key backup envelope: AES-256-GCM under a key from PBKDF2-HMAC-SHA256.
//!
//! # Format, version 1
//!
//! All integers are unsigned and big-endian. `S` is the salt length.
//!
//! | offset   | size | field                                             |
//! |----------|------|---------------------------------------------------|
//! | 0        | 6    | magic, ASCII `DRCENV` (`44 52 43 45 4E 56`)       |
//! | 6        | 1    | format version: `01`                              |
//! | 7        | 1    | KDF id: `01` = PBKDF2-HMAC-SHA256                  |
//! | 8        | 4    | PBKDF2 iteration count (u32)                      |
//! | 12       | 1    | salt length `S`: writers use 16, readers accept 16 to 64 |
//! | 13       | S    | salt                                              |
//! | 13+S     | 12   | AES-GCM nonce                                     |
//! | 25+S     | n    | ciphertext (n = plaintext length)                 |
//! | 25+S+n   | 16   | AES-GCM tag                                       |
//!
//! The header is bytes `0 .. 25+S`. To open:
//!
//! 1. Check the magic, the version (1), the KDF id (1), the salt length,
//!    and that the iteration count is at least [`MIN_ITERATIONS`]
//!    (100,000) and at most [`MAX_ITERATIONS`] (10,000,000): all before
//!    any key is derived.
//! 2. `key = PBKDF2-HMAC-SHA256(password = the passphrase's bytes (UTF-8,
//!    no normalisation), salt, iterations, dkLen = 32)`.
//! 3. `plaintext = AES-256-GCM-Decrypt(key, nonce, associated data = the
//!    whole header, ciphertext || tag)`. A wrong passphrase and a changed
//!    byte anywhere (header, nonce, ciphertext or tag) both fail here, and
//!    cannot be told apart.
//!
//! Writers use a fresh random salt and nonce from the operating system
//! for every envelope and [`DEFAULT_ITERATIONS`] (600,000) unless told
//! otherwise. The same description is in the README ("Key backup envelope
//! format").

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce, Tag};
use secrecy::{ExposeSecret, ExposeSecretMut, SecretSlice, SecretString};
use std::fmt;
use zeroize::Zeroizing;

use super::REDACTED;

/// The first six bytes of every envelope.
pub const MAGIC: [u8; 6] = *b"DRCENV";
/// The format version this code writes and reads.
pub const VERSION: u8 = 1;
/// KDF id of PBKDF2-HMAC-SHA256, the only KDF of version 1.
pub const KDF_PBKDF2_HMAC_SHA256: u8 = 1;
/// The iteration count used unless told otherwise (OWASP's current advice).
pub const DEFAULT_ITERATIONS: u32 = 600_000;
/// The estate's floor: fewer iterations are refused on seal and on open.
pub const MIN_ITERATIONS: u32 = 100_000;
/// The ceiling: a (tampered) header cannot make `open` run for hours.
pub const MAX_ITERATIONS: u32 = 10_000_000;
/// Salt length written.
pub const SALT_LEN: usize = 16;
/// Smallest salt length read.
pub const MIN_SALT_LEN: usize = 16;
/// Largest salt length read.
pub const MAX_SALT_LEN: usize = 64;
/// AES-GCM nonce length.
pub const NONCE_LEN: usize = 12;
/// AES-GCM tag length.
pub const TAG_LEN: usize = 16;
/// AES-256 key length.
pub const KEY_LEN: usize = 32;
/// Header bytes before the salt: magic, version, KDF id, iterations, salt length.
const FIXED_LEN: usize = 13;

/// Why sealing or opening an envelope failed. No variant carries secret bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// The bytes do not start with the magic.
    #[error("not a drconsole key backup envelope (it does not start with \"DRCENV\")")]
    NotAnEnvelope,
    /// A format version this code does not read.
    #[error("unsupported envelope version {0} (this drconsole reads version 1)")]
    UnsupportedVersion(u8),
    /// A KDF id this code does not know.
    #[error("unsupported key derivation function id {0} (1 = PBKDF2-HMAC-SHA256 is the only one)")]
    UnsupportedKdf(u8),
    /// Fewer iterations than the estate's policy allows; refused before deriving.
    #[error("PBKDF2 iteration count {iterations} is below the minimum of {minimum}")]
    IterationsTooLow {
        /// The count asked for or found in the header.
        iterations: u32,
        /// [`MIN_ITERATIONS`].
        minimum: u32,
    },
    /// More iterations than [`MAX_ITERATIONS`]; refused before deriving.
    #[error("PBKDF2 iteration count {iterations} is above the maximum of {maximum}")]
    IterationsTooHigh {
        /// The count asked for or found in the header.
        iterations: u32,
        /// [`MAX_ITERATIONS`].
        maximum: u32,
    },
    /// A salt length outside 16 to 64 bytes.
    #[error("unsupported salt length {0} bytes (16 to 64 are accepted)")]
    BadSaltLength(usize),
    /// Too short to hold the header and the tag.
    #[error("envelope truncated: {len} bytes, at least {needed} needed")]
    Truncated {
        /// Bytes given.
        len: usize,
        /// Bytes the header says there must be at least.
        needed: usize,
    },
    /// The tag did not verify.
    #[error(
        "authentication failed: wrong passphrase, or the envelope was altered \
         (AES-GCM cannot tell which)"
    )]
    AuthenticationFailed,
    /// The plaintext is beyond AES-GCM's limit.
    #[error("plaintext too large for AES-GCM")]
    TooLarge,
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
}

/// The key derivation function and its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kdf {
    /// PBKDF2-HMAC-SHA256 (KDF id 1).
    Pbkdf2HmacSha256 {
        /// Iteration count.
        iterations: u32,
    },
}

/// An envelope header. It holds nothing secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The key derivation function and its parameters.
    pub kdf: Kdf,
    /// The PBKDF2 salt (16 to 64 bytes).
    pub salt: Vec<u8>,
    /// The AES-GCM nonce.
    pub nonce: [u8; NONCE_LEN],
}

fn check_iterations(iterations: u32) -> Result<(), EnvelopeError> {
    if iterations < MIN_ITERATIONS {
        return Err(EnvelopeError::IterationsTooLow {
            iterations,
            minimum: MIN_ITERATIONS,
        });
    }
    if iterations > MAX_ITERATIONS {
        return Err(EnvelopeError::IterationsTooHigh {
            iterations,
            maximum: MAX_ITERATIONS,
        });
    }
    Ok(())
}

impl Header {
    /// A header with a fresh random salt and nonce.
    ///
    /// # Errors
    /// The iteration count is outside the bounds, or the OS RNG failed.
    pub fn random(iterations: u32) -> Result<Self, EnvelopeError> {
        check_iterations(iterations)?;
        let mut salt = vec![0u8; SALT_LEN];
        let mut nonce = [0u8; NONCE_LEN];
        super::os_random(&mut salt).map_err(|e| EnvelopeError::Random(e.to_string()))?;
        super::os_random(&mut nonce).map_err(|e| EnvelopeError::Random(e.to_string()))?;
        Ok(Self {
            kdf: Kdf::Pbkdf2HmacSha256 { iterations },
            salt,
            nonce,
        })
    }

    /// The PBKDF2 iteration count.
    #[must_use]
    pub fn iterations(&self) -> u32 {
        match self.kdf {
            Kdf::Pbkdf2HmacSha256 { iterations } => iterations,
        }
    }

    /// The header's bytes, exactly as written (and used as associated data).
    ///
    /// # Panics
    /// Never for a header from [`Header::random`] or [`Header::parse`]; a
    /// hand-built header with a salt over 255 bytes is a programming error.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let salt_len = u8::try_from(self.salt.len()).expect("salt length fits a byte");
        let mut out = Vec::with_capacity(FIXED_LEN + self.salt.len() + NONCE_LEN);
        out.extend_from_slice(&MAGIC);
        out.push(VERSION);
        out.push(KDF_PBKDF2_HMAC_SHA256);
        out.extend_from_slice(&self.iterations().to_be_bytes());
        out.push(salt_len);
        out.extend_from_slice(&self.salt);
        out.extend_from_slice(&self.nonce);
        out
    }

    /// Parses and checks the header at the start of `bytes`; returns it and
    /// its length in bytes. Checks that the envelope is long enough to hold
    /// a tag, and the iteration bounds, so nothing is derived for a refused
    /// envelope.
    ///
    /// # Errors
    /// Each way a header can be wrong has its own [`EnvelopeError`].
    pub fn parse(bytes: &[u8]) -> Result<(Self, usize), EnvelopeError> {
        if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
            return Err(EnvelopeError::NotAnEnvelope);
        }
        if bytes.len() < FIXED_LEN {
            return Err(EnvelopeError::Truncated {
                len: bytes.len(),
                needed: FIXED_LEN + MIN_SALT_LEN + NONCE_LEN + TAG_LEN,
            });
        }
        if bytes[6] != VERSION {
            return Err(EnvelopeError::UnsupportedVersion(bytes[6]));
        }
        if bytes[7] != KDF_PBKDF2_HMAC_SHA256 {
            return Err(EnvelopeError::UnsupportedKdf(bytes[7]));
        }
        let iterations = u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
        check_iterations(iterations)?;
        let salt_len = usize::from(bytes[12]);
        if !(MIN_SALT_LEN..=MAX_SALT_LEN).contains(&salt_len) {
            return Err(EnvelopeError::BadSaltLength(salt_len));
        }
        let header_len = FIXED_LEN + salt_len + NONCE_LEN;
        if bytes.len() < header_len + TAG_LEN {
            return Err(EnvelopeError::Truncated {
                len: bytes.len(),
                needed: header_len + TAG_LEN,
            });
        }
        let salt = bytes[FIXED_LEN..FIXED_LEN + salt_len].to_vec();
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&bytes[FIXED_LEN + salt_len..header_len]);
        Ok((
            Self {
                kdf: Kdf::Pbkdf2HmacSha256 { iterations },
                salt,
                nonce,
            },
            header_len,
        ))
    }
}

/// A 256-bit AES key, zeroized on drop, never printed.
#[derive(Clone)]
pub struct EnvelopeKey(Zeroizing<[u8; KEY_LEN]>);

impl EnvelopeKey {
    /// Derives the key for `header` from a passphrase's bytes with
    /// PBKDF2-HMAC-SHA256.
    ///
    /// # Errors
    /// The header's iteration count is outside the bounds.
    pub fn derive(passphrase: &[u8], header: &Header) -> Result<Self, EnvelopeError> {
        let iterations = header.iterations();
        check_iterations(iterations)?;
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(passphrase, &header.salt, iterations, &mut key[..]);
        Ok(Self(key))
    }

    /// A key from raw bytes (a key that did not come from a passphrase).
    #[must_use]
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(<&Key<Aes256Gcm>>::from(&*self.0))
    }
}

impl fmt::Debug for EnvelopeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EnvelopeKey({REDACTED})")
    }
}

/// Seals `plaintext` under `passphrase` with a fresh salt and nonce and
/// `iterations` rounds of PBKDF2 ([`DEFAULT_ITERATIONS`] is the advice).
///
/// # Errors
/// The iteration count is outside the bounds, or the OS RNG failed.
pub fn seal(
    plaintext: &[u8],
    passphrase: &SecretString,
    iterations: u32,
) -> Result<Vec<u8>, EnvelopeError> {
    let header = Header::random(iterations)?;
    let key = EnvelopeKey::derive(passphrase.expose_secret().as_bytes(), &header)?;
    seal_with_key(plaintext, &key, &header)
}

/// Seals `plaintext` under an already derived key, writing `header` (whose
/// nonce must never be used twice with the same key).
///
/// # Errors
/// The header's iteration count is outside the bounds, or the plaintext is
/// too large for AES-GCM.
pub fn seal_with_key(
    plaintext: &[u8],
    key: &EnvelopeKey,
    header: &Header,
) -> Result<Vec<u8>, EnvelopeError> {
    check_iterations(header.iterations())?;
    if !(MIN_SALT_LEN..=MAX_SALT_LEN).contains(&header.salt.len()) {
        return Err(EnvelopeError::BadSaltLength(header.salt.len()));
    }
    let mut out = header.to_bytes();
    let header_len = out.len();
    out.reserve_exact(plaintext.len() + TAG_LEN);
    out.extend_from_slice(plaintext);
    let (aad, body) = out.split_at_mut(header_len);
    let nonce = Nonce::from(header.nonce);
    let sealed = key
        .cipher()
        .encrypt_inout_detached(&nonce, aad, body.into());
    if let Ok(tag) = sealed {
        // Capacity was reserved: no reallocation leaves a copy behind.
        out.extend_from_slice(tag.as_slice());
        Ok(out)
    } else {
        // The plaintext may still be in the buffer.
        zeroize::Zeroize::zeroize(&mut out);
        Err(EnvelopeError::TooLarge)
    }
}

/// Opens an envelope with a passphrase.
///
/// # Errors
/// Each malformed header has its own error, checked before the (slow) key
/// derivation; a wrong passphrase or any altered byte is
/// [`EnvelopeError::AuthenticationFailed`].
pub fn open(bytes: &[u8], passphrase: &SecretString) -> Result<SecretSlice<u8>, EnvelopeError> {
    let (header, _) = Header::parse(bytes)?;
    let key = EnvelopeKey::derive(passphrase.expose_secret().as_bytes(), &header)?;
    open_with_key(bytes, &key)
}

/// Opens an envelope with an already derived key (see [`EnvelopeKey::derive`]).
///
/// # Errors
/// As [`open`].
pub fn open_with_key(bytes: &[u8], key: &EnvelopeKey) -> Result<SecretSlice<u8>, EnvelopeError> {
    let (header, header_len) = Header::parse(bytes)?;
    let (aad, rest) = bytes.split_at(header_len);
    let (ciphertext, tag) = rest.split_at(rest.len() - TAG_LEN);
    let tag = Tag::try_from(tag).map_err(|_| EnvelopeError::AuthenticationFailed)?;
    // Decrypted in place inside the secret box: zeroized on every path.
    let mut plaintext = super::secret_copy(ciphertext);
    key.cipher()
        .decrypt_inout_detached(
            &Nonce::from(header.nonce),
            aad,
            plaintext.expose_secret_mut().into(),
            &tag,
        )
        .map_err(|_| EnvelopeError::AuthenticationFailed)?;
    Ok(plaintext)
}

#[cfg(test)]
#[path = "envelope_tests.rs"]
mod tests;
