//! The cryptographic core of key ceremonies.
//!
//! - [`envelope`]: the key backup envelope, AES-256-GCM under a key from
//!   PBKDF2-HMAC-SHA256, with a versioned header bound as associated data.
//! - [`shares`]: Shamir secret sharing over GF(256) (the `blahaj` crate):
//!   split a passphrase among N holders with threshold T, and combine the
//!   shares the holders enter, checking each one at once.
//! - [`share_text`]: a share as text a person can copy onto paper and type
//!   back, with a check character per group and a checksum over the whole.
//! - [`sidecar`]: the JSON metadata written beside a key backup.
//!
//! Secret hygiene: every secret lives in a zeroizing type. What the API
//! hands out is a [`secrecy::SecretBox`] (`SecretSlice<u8>`, `SecretString`),
//! whose `Debug` prints `[REDACTED]`; the types here that hold a secret
//! print `[REDACTED]` too, and errors never carry secret bytes.

pub mod envelope;
pub mod share_text;
pub mod shares;
pub mod sidecar;

pub use envelope::{EnvelopeError, EnvelopeKey, Header, open, open_with_key, seal, seal_with_key};
pub use share_text::{ParseError, SetId, ShareText};
pub use shares::{Combiner, Progress, ShareError, combine, split};
pub use sidecar::{SharesInfo, Sidecar};

/// What `Debug` prints in place of a secret.
pub const REDACTED: &str = "[REDACTED]";

/// A secret copy of `bytes` in an allocation of exactly their length (so
/// nothing is reallocated, and left behind unzeroized, on the way in).
fn secret_copy(bytes: &[u8]) -> secrecy::SecretSlice<u8> {
    secrecy::SecretSlice::from(Box::<[u8]>::from(bytes))
}

/// Fills `buf` from the operating system's random number generator.
fn os_random(buf: &mut [u8]) -> Result<(), getrandom::Error> {
    getrandom::fill(buf)
}
