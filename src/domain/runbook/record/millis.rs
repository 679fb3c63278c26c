//! A [`Timestamp`](crate::domain::time::Timestamp) as milliseconds since the epoch in journal data.

use serde::{Deserialize, Deserializer, Serializer};

use crate::domain::time::Timestamp;

/// Writes milliseconds since the epoch.
#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` signature
pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(t.as_millis())
}

/// Reads milliseconds since the epoch.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
    i64::deserialize(d).map(Timestamp::from_millis)
}
