//! Where a shared incident's journal and lease are kept: the trait the
//! driver and followers use, with S3 as the real side
//! ([`crate::sources::aws::S3IncidentStore`]) and an in-memory store with
//! the same conditional-write rules as the simulated one.
//!
//! The two rules every side keeps: entry N is written once (a second
//! writer of N is refused and told who wrote it), and a lease is replaced
//! only by whoever read its current version.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::domain::incident::{IncidentId, Layout, Lease};
use crate::domain::journal::{Author, Entry, JournalError, read_line};
use crate::text::printable_within;

/// An object's version as the store names it (S3's ETag): what a lease is
/// renewed against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag(pub String);

/// Why the shared store refused or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Another console already wrote this entry number: it drives now.
    #[error("entry {seq} was already written{}", by.as_ref().map(|a| format!(" by {}", a.describe())).unwrap_or_default())]
    EntryTaken {
        /// The entry number.
        seq: u64,
        /// Who wrote the one that is there, when it could be read.
        by: Option<Author>,
    },
    /// The lease is not as it was read: someone else took or renewed it.
    #[error("the lease changed since it was read{}", by.as_ref().map(|a| format!(": {} holds it", a.describe())).unwrap_or_default())]
    LeaseChanged {
        /// The holder now, when it could be read.
        by: Option<Author>,
    },
    /// The store did not answer, or answered with an error.
    #[error("shared journal unreachable: {0}")]
    Unreachable(String),
    /// An object is not what its key says (not an entry, another number,
    /// an unreadable lease).
    #[error("{key}: {why}")]
    Corrupt {
        /// The object.
        key: String,
        /// What is wrong.
        why: String,
    },
}

/// What a store call gives back, boxed so the store can be shared as a
/// trait object (`Arc<dyn IncidentStore>`) by drivers and followers alike.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A shared incident's storage.
pub trait IncidentStore: Send + Sync {
    /// Stores `entry` as entry `entry.seq`, only if no entry has that
    /// number yet ([`StoreError::EntryTaken`] otherwise).
    fn append<'a>(&'a self, id: &'a IncidentId, entry: &'a Entry) -> StoreFuture<'a, ()>;

    /// Every entry after `after`, in order; each checked against its own
    /// hash and its key's number (the chain is the caller's to check).
    fn entries<'a>(&'a self, id: &'a IncidentId, after: u64) -> StoreFuture<'a, Vec<Entry>>;

    /// The highest entry number stored (0 for none), from the listing
    /// alone: no object is read.
    fn last_seq<'a>(&'a self, id: &'a IncidentId) -> StoreFuture<'a, u64>;

    /// The lease as it stands, with its version.
    fn lease<'a>(&'a self, id: &'a IncidentId) -> StoreFuture<'a, Option<(Lease, Tag)>>;

    /// Writes the lease: with `over` `None` only if there is none, else
    /// only if it is still the version `over` names
    /// ([`StoreError::LeaseChanged`] otherwise). Returns the new version.
    fn put_lease<'a>(
        &'a self,
        id: &'a IncidentId,
        lease: &'a Lease,
        over: Option<&'a Tag>,
    ) -> StoreFuture<'a, Tag>;

    /// The incidents in the store, in name order.
    fn incidents(&self) -> StoreFuture<'_, Vec<IncidentId>>;
}

/// Reads an entry object's body: one canonical line and its newline, the
/// number its key gives.
///
/// # Errors
/// [`StoreError::Corrupt`] naming the key.
pub fn entry_from_object(key: &str, seq: u64, body: &[u8]) -> Result<Entry, StoreError> {
    let corrupt = |why: String| StoreError::Corrupt {
        key: key.to_owned(),
        why,
    };
    let text = std::str::from_utf8(body).map_err(|_| corrupt("not UTF-8".into()))?;
    let line = text
        .strip_suffix('\n')
        .filter(|l| !l.contains('\n'))
        .ok_or_else(|| corrupt("not one journal line".into()))?;
    let entry = read_line(1, line).map_err(|e| {
        corrupt(match e {
            JournalError::Edited { .. } => "entry edited (hash mismatch)".to_owned(),
            JournalError::NotJson { reason, .. } => {
                format!("not JSON: {}", printable_within(&reason, 200))
            }
            JournalError::NotEntry { reason, .. } => {
                format!("not a journal entry: {}", printable_within(&reason, 200))
            }
            other => other.to_string(),
        })
    })?;
    if entry.seq != seq {
        return Err(corrupt(format!("holds entry {}, not {seq}", entry.seq)));
    }
    Ok(entry)
}

/// Key → (bytes, version).
type Objects = BTreeMap<String, (Vec<u8>, u64)>;

/// An incident store in memory, with S3's conditional-write rules: the
/// simulated estate's, and the tests'. It can be made unreachable, and
/// counts its writes, so a test can show a follower never writes.
#[derive(Debug)]
pub struct MemoryStore {
    layout: Layout,
    objects: Mutex<Objects>,
    versions: AtomicU64,
    writes: AtomicU64,
    down: AtomicBool,
}

impl MemoryStore {
    /// An empty store laid out as `layout`.
    #[must_use]
    pub fn new(layout: Layout) -> Self {
        Self {
            layout,
            objects: Mutex::new(BTreeMap::new()),
            versions: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            down: AtomicBool::new(false),
        }
    }

    /// Makes every call fail as unreachable (`true`) or work again.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// Writes attempted so far.
    #[must_use]
    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::SeqCst)
    }

    /// Replaces an object's bytes outright, as someone with the bucket's
    /// credentials could (for tamper tests).
    pub fn overwrite(&self, key: &str, body: &[u8]) {
        let v = self.versions.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut o) = self.objects.lock() {
            o.insert(key.to_owned(), (body.to_vec(), v));
        }
    }

    /// The layout.
    #[must_use]
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    fn up(&self) -> Result<std::sync::MutexGuard<'_, Objects>, StoreError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(StoreError::Unreachable("the store is down".into()));
        }
        self.objects
            .lock()
            .map_err(|_| StoreError::Unreachable("store lock poisoned".into()))
    }
}

impl IncidentStore for MemoryStore {
    fn append<'a>(&'a self, id: &'a IncidentId, entry: &'a Entry) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.writes.fetch_add(1, Ordering::SeqCst);
            let key = self.layout.entry(id, entry.seq);
            let mut objects = self.up()?;
            if let Some((body, _)) = objects.get(&key) {
                let by = entry_from_object(&key, entry.seq, body)
                    .ok()
                    .and_then(|e| e.by);
                return Err(StoreError::EntryTaken { seq: entry.seq, by });
            }
            let v = self.versions.fetch_add(1, Ordering::SeqCst);
            objects.insert(key, (format!("{}\n", entry.line()).into_bytes(), v));
            Ok(())
        })
    }

    fn entries<'a>(&'a self, id: &'a IncidentId, after: u64) -> StoreFuture<'a, Vec<Entry>> {
        Box::pin(async move {
            let objects = self.up()?;
            let from = self.layout.entry(id, after.saturating_add(1));
            let prefix = self.layout.journal(id);
            objects
                .range(from..)
                .take_while(|(k, _)| k.starts_with(&prefix))
                .filter_map(|(k, (body, _))| self.layout.seq_of(id, k).map(|seq| (k, seq, body)))
                .map(|(k, seq, body)| entry_from_object(k, seq, body))
                .collect()
        })
    }

    fn last_seq<'a>(&'a self, id: &'a IncidentId) -> StoreFuture<'a, u64> {
        Box::pin(async move {
            let objects = self.up()?;
            let prefix = self.layout.journal(id);
            Ok(objects
                .range(prefix.clone()..)
                .take_while(|(k, _)| k.starts_with(&prefix))
                .filter_map(|(k, _)| self.layout.seq_of(id, k))
                .max()
                .unwrap_or(0))
        })
    }

    fn lease<'a>(&'a self, id: &'a IncidentId) -> StoreFuture<'a, Option<(Lease, Tag)>> {
        Box::pin(async move {
            let key = self.layout.lease(id);
            let objects = self.up()?;
            objects
                .get(&key)
                .map(|(body, v)| {
                    serde_json::from_slice(body)
                        .map(|l| (l, Tag(v.to_string())))
                        .map_err(|e| StoreError::Corrupt {
                            key: key.clone(),
                            why: e.to_string(),
                        })
                })
                .transpose()
        })
    }

    fn put_lease<'a>(
        &'a self,
        id: &'a IncidentId,
        lease: &'a Lease,
        over: Option<&'a Tag>,
    ) -> StoreFuture<'a, Tag> {
        Box::pin(async move {
            self.writes.fetch_add(1, Ordering::SeqCst);
            let key = self.layout.lease(id);
            let mut objects = self.up()?;
            let now = objects
                .get(&key)
                .map(|(body, v)| (body.clone(), v.to_string()));
            let matches = match (&now, over) {
                (None, None) => true,
                (Some((_, v)), Some(t)) => *v == t.0,
                _ => false,
            };
            if !matches {
                let by = now
                    .and_then(|(body, _)| serde_json::from_slice::<Lease>(&body).ok())
                    .map(|l| l.holder);
                return Err(StoreError::LeaseChanged { by });
            }
            let body =
                serde_json::to_vec(lease).map_err(|e| StoreError::Unreachable(e.to_string()))?;
            let v = self.versions.fetch_add(1, Ordering::SeqCst);
            objects.insert(key, (body, v));
            Ok(Tag(v.to_string()))
        })
    }

    fn incidents(&self) -> StoreFuture<'_, Vec<IncidentId>> {
        Box::pin(async move {
            let objects = self.up()?;
            let root = self.layout.root();
            let mut out: Vec<IncidentId> = objects
                .keys()
                .filter_map(|k| {
                    let rest = k.strip_prefix(&root)?;
                    let (id, _) = rest.split_once('/')?;
                    self.layout.incident_of(&format!("{root}{id}/"))
                })
                .collect();
            out.dedup();
            Ok(out)
        })
    }
}
