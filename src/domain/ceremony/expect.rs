//! What an envelope's own records say its shares are: the set id,
//! threshold and holders that its sidecar (or the seal's journal entry)
//! names. With it, the first share entered no longer decides the set: a
//! share of another set is refused whatever position it comes in.

use serde_json::Value;

use crate::crypto::SharesInfo;
use crate::crypto::share_text::SetId;

/// Where the expectation was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The envelope's metadata sidecar, `shares` object.
    Sidecar,
    /// The seal's `ceremony.sealed` journal entry.
    Journal,
}

impl Source {
    /// How messages name it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Sidecar => "its sidecar",
            Source::Journal => "the seal's journal",
        }
    }
}

/// The shares an envelope was sealed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The set id every share must carry.
    pub set_id: SetId,
    /// How many shares open it.
    pub threshold: u8,
    /// Every holder, in hand-over order.
    pub holders: Vec<String>,
    /// The holders known to hold a share (typed it back); `None` when the
    /// record does not say.
    pub confirmed: Option<Vec<String>>,
    /// Where this was read.
    pub source: Source,
}

impl Expected {
    /// From a sidecar's `shares` object.
    ///
    /// # Errors
    /// A set id that is not four share characters, or a threshold outside
    /// 2 to the holder count.
    pub fn from_sidecar(info: &SharesInfo) -> Result<Self, String> {
        let set_id = info
            .set_id
            .parse()
            .map_err(|_| format!("set id {:?} is not 4 share characters", info.set_id))?;
        Self::checked(Self {
            set_id,
            threshold: info.threshold,
            holders: info.holders.clone(),
            confirmed: Some(info.confirmed.clone()),
            source: Source::Sidecar,
        })
    }

    /// From the data of a `ceremony.sealed` journal entry (`set_id`,
    /// `threshold`, `holders`); `None` when it lacks them.
    #[must_use]
    pub fn from_sealed_entry(data: &Value) -> Option<Self> {
        let set_id = data["set_id"].as_str()?.parse().ok()?;
        let threshold = u8::try_from(data["threshold"].as_u64()?).ok()?;
        let holders = data["holders"]
            .as_array()?
            .iter()
            .map(|h| h.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()?;
        Self::checked(Self {
            set_id,
            threshold,
            holders,
            confirmed: None,
            source: Source::Journal,
        })
        .ok()
    }

    fn checked(self) -> Result<Self, String> {
        if self.threshold < 2 || usize::from(self.threshold) > self.holders.len() {
            return Err(format!(
                "threshold {} with {} holders",
                self.threshold,
                self.holders.len()
            ));
        }
        Ok(self)
    }

    /// Holders who were handed a share but never confirmed it, when the
    /// record says who confirmed.
    #[must_use]
    pub fn unconfirmed(&self) -> Vec<&str> {
        match &self.confirmed {
            Some(confirmed) => self
                .holders
                .iter()
                .filter(|h| !confirmed.contains(h))
                .map(String::as_str)
                .collect(),
            None => Vec::new(),
        }
    }
}
