//! A run's journal shared in S3, and the lease that makes its console the
//! one driver.
//!
//! The driver stores every entry in the shared journal before it looks at
//! the next command, as it fsyncs the local one: no step starts that the
//! other consoles cannot see. Entry N is written with `If-None-Match: *`,
//! so if another console wrote N first this one stops driving at once and
//! says who did. The lease is renewed in the background a third of the
//! way through its time; once it is lost (taken, or run out while S3 did
//! not answer) no further step starts.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::domain::incident::{IncidentId, Lease, Standing};
use crate::domain::journal::{Author, Entry};
use crate::sources::clock::Clock;
use crate::sources::incident::{IncidentStore, StoreError, Tag};

/// Why a shared run stopped driving.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SharedError {
    /// Another console wrote this entry number first: it drives now.
    #[error("another console wrote entry {seq} of the shared journal{}: this console stops driving and follows", by.as_ref().map(|a| format!(" ({})", a.describe())).unwrap_or_default())]
    Superseded {
        /// The entry number.
        seq: u64,
        /// Who wrote it.
        by: Option<Author>,
    },
    /// S3 did not store the entry: no further step starts until it does.
    #[error("the shared journal did not store entry {seq}: {why}; no further step starts")]
    NotStored {
        /// The entry number.
        seq: u64,
        /// What the store said.
        why: String,
    },
    /// The lease is gone: someone took it, or it ran out.
    #[error("the driver's lease is lost: {0}; no further step starts")]
    LeaseLost(String),
}

/// What a console finds when it joins an incident.
pub enum Joined {
    /// It holds the lease: it drives.
    Driving(SharedJournal),
    /// Another console drives.
    Driven {
        /// Who.
        by: Author,
        /// Time left on their lease.
        left: Duration,
    },
    /// The last driver's lease ran out. It may be alive behind a
    /// partition: taking over is the operator's decision, through a gate.
    Expired {
        /// Whose it was.
        by: Author,
        /// How long ago.
        ago: Duration,
        /// The lease's version, to take it over against.
        tag: Tag,
    },
}

/// Who a shared run is, and where: the store, the incident, this console.
#[derive(Clone)]
pub struct Seat {
    /// The incident bucket.
    pub store: Arc<dyn IncidentStore>,
    /// The incident.
    pub incident: IncidentId,
    /// This console's identity.
    pub author: Author,
    /// This console process.
    pub session: String,
    /// The lease's length.
    pub ttl: Duration,
    /// The clock leases are timed by.
    pub clock: Arc<dyn Clock>,
}

/// The driver's side of a shared incident.
pub struct SharedJournal {
    seat: Seat,
    stored: u64,
    lost: watch::Receiver<Option<String>>,
    keeper: JoinHandle<()>,
}

impl Drop for SharedJournal {
    fn drop(&mut self) {
        self.keeper.abort();
    }
}

impl Seat {
    /// Takes the lease if it is free; else says who holds it.
    ///
    /// # Errors
    /// The store did not answer, or holds a lease it cannot read.
    pub async fn join(self) -> Result<Joined, StoreError> {
        let now = self.clock.now();
        match self.store.lease(&self.incident).await? {
            None => {
                let lease = Lease::take(self.author.clone(), &self.session, now, self.ttl);
                match self.store.put_lease(&self.incident, &lease, None).await {
                    Ok(tag) => Ok(Joined::Driving(
                        SharedJournal::holding(self, lease, tag).await?,
                    )),
                    // Another console took it between the read and the write.
                    Err(StoreError::LeaseChanged { .. }) => Box::pin(self.join()).await,
                    Err(e) => Err(e),
                }
            }
            Some((lease, tag)) => Ok(match lease.standing(&self.session, now) {
                Standing::Mine { .. } | Standing::Free => {
                    Joined::Driving(SharedJournal::holding(self, lease, tag).await?)
                }
                Standing::Held { by, left } => Joined::Driven { by, left },
                Standing::Expired { by, ago } => Joined::Expired { by, ago, tag },
            }),
        }
    }

    /// Takes over an expired lease, as the operator decided at the gate.
    /// Refused if anyone renewed or took it since it was read.
    ///
    /// # Errors
    /// [`StoreError::LeaseChanged`] naming the holder now; the store.
    pub async fn take_over(self, expired: &Tag) -> Result<SharedJournal, StoreError> {
        let lease = Lease::take(
            self.author.clone(),
            &self.session,
            self.clock.now(),
            self.ttl,
        );
        let tag = self
            .store
            .put_lease(&self.incident, &lease, Some(expired))
            .await?;
        SharedJournal::holding(self, lease, tag).await
    }
}

impl SharedJournal {
    /// The driver's side, the lease held as `tag`: learns how far the
    /// shared journal goes and starts renewing.
    async fn holding(seat: Seat, lease: Lease, tag: Tag) -> Result<Self, StoreError> {
        let stored = seat.store.last_seq(&seat.incident).await?;
        let (tx, lost) = watch::channel(None);
        let keeper = tokio::spawn(keep(seat.clone(), lease, tag, tx));
        Ok(Self {
            seat,
            stored,
            lost,
            keeper,
        })
    }

    /// This console's identity, for the journal's entries.
    #[must_use]
    pub fn author(&self) -> &Author {
        &self.seat.author
    }

    /// The incident.
    #[must_use]
    pub fn incident(&self) -> &IncidentId {
        &self.seat.incident
    }

    /// The highest entry number known to be in the shared journal.
    #[must_use]
    pub fn stored(&self) -> u64 {
        self.stored
    }

    /// Why the lease is lost, once it is.
    #[must_use]
    pub fn lost(&self) -> Option<String> {
        self.lost.borrow().clone()
    }

    /// Stores every entry of `journal` the shared journal lacks, in order.
    /// An entry already there with the same bytes counts as stored (an
    /// earlier attempt got through but its answer was lost).
    ///
    /// # Errors
    /// [`SharedError::Superseded`] when another console's entry holds the
    /// number; [`SharedError::NotStored`] when the store failed.
    pub async fn store(&mut self, journal: &[Entry]) -> Result<(), SharedError> {
        let from = self.stored;
        for entry in journal.iter().filter(|e| e.seq > from) {
            match self.seat.store.append(&self.seat.incident, entry).await {
                Ok(()) => {}
                Err(StoreError::EntryTaken { seq, by }) => {
                    let theirs = self
                        .seat
                        .store
                        .entries(&self.seat.incident, seq.saturating_sub(1))
                        .await
                        .ok()
                        .and_then(|es| es.into_iter().next());
                    if theirs.as_ref().map(Entry::line) != Some(entry.line()) {
                        return Err(SharedError::Superseded { seq, by });
                    }
                }
                Err(e) => {
                    return Err(SharedError::NotStored {
                        seq: entry.seq,
                        why: e.to_string(),
                    });
                }
            }
            self.stored = entry.seq;
        }
        Ok(())
    }

    /// Ends this console's lease now, so a follower need not wait it out.
    pub async fn release(&self) {
        self.keeper.abort();
        if let Ok(Some((lease, tag))) = self.seat.store.lease(&self.seat.incident).await
            && lease.session == self.seat.session
        {
            let now = self.seat.clock.now();
            let ended = lease.renewed(now, Duration::ZERO);
            if let Err(e) = self
                .seat
                .store
                .put_lease(&self.seat.incident, &ended, Some(&tag))
                .await
            {
                log::warn!("could not release the lease of {}: {e}", self.seat.incident);
            }
        }
    }
}

/// Renews the lease a third of the way through its time until it is lost.
async fn keep(seat: Seat, mut lease: Lease, mut tag: Tag, lost: watch::Sender<Option<String>>) {
    let every = Lease::renew_every(seat.ttl);
    loop {
        tokio::time::sleep(seat.clock.wall_for(every)).await;
        let now = seat.clock.now();
        let renewed = lease.renewed(now, seat.ttl);
        match seat
            .store
            .put_lease(&seat.incident, &renewed, Some(&tag))
            .await
        {
            Ok(t) => {
                lease = renewed;
                tag = t;
            }
            Err(StoreError::LeaseChanged { by }) => {
                let who = by.map_or_else(|| "someone".to_owned(), |a| a.describe());
                lost.send_replace(Some(format!("{who} took it")));
                return;
            }
            Err(e) if now >= lease.expires() => {
                lost.send_replace(Some(format!("it ran out while renewing failed ({e})")));
                return;
            }
            Err(e) => log::warn!("lease renewal for {}: {e}; retrying", seat.incident),
        }
    }
}
