//! The newest backup object per kind in one region, from `ListObjectsV2`,
//! without listing a whole prefix on every poll.
//!
//! Strategy, per backup location (bucket + prefix):
//! - The first poll lists the prefix fully, page by page (1000 keys a
//!   page), and remembers the newest object by `LastModified` and the
//!   greatest key seen. A poll lists at most [`MAX_PAGES_PER_POLL`] pages;
//!   a larger prefix is resumed where it stopped on the next poll, and until
//!   the listing is complete the kind reports an error saying so, never a
//!   partial answer.
//! - Later polls list only keys after the greatest key seen (`StartAfter`):
//!   S3 lists keys in UTF-8 order, and backup keys carry their time, so new
//!   backups sort last. Nothing new costs one call.
//! - Every [`FULL_RELIST_EVERY`]th poll lists the prefix fully again, in
//!   case a key did not sort after the others or an object was deleted.
//!
//! Keys ending in `/` are folder markers, not backups, and are ignored.

use std::time::Duration;

use aws_sdk_s3::types::Object;

use super::error::describe;
use crate::domain::environment::BackupLocation;
use crate::domain::observation::Observation;
use crate::domain::time::Timestamp;
use crate::sources::poller::TelemetrySource;

/// Pages (of up to 1000 keys) one poll lists per location at most.
pub const MAX_PAGES_PER_POLL: u32 = 200;
/// Polls between two full listings of a prefix.
pub const FULL_RELIST_EVERY: u32 = 12;
/// Poll timeout when a full listing is due: up to 200 sequential pages.
const FULL_LISTING_TIMEOUT: Duration = Duration::from_mins(2);

/// What a listing has seen so far.
#[derive(Debug, Clone, Default)]
struct Listing {
    /// Newest object by `LastModified`, and its key.
    newest: Option<(Timestamp, String)>,
    /// Greatest key seen: where the next listing starts.
    greatest_key: Option<String>,
    /// Objects seen.
    objects: u64,
}

impl Listing {
    fn add(&mut self, o: &Object) {
        let Some(key) = o.key() else { return };
        self.objects += 1;
        if self.greatest_key.as_deref().is_none_or(|g| key > g) {
            self.greatest_key = Some(key.to_owned());
        }
        if key.ends_with('/') {
            return;
        }
        let Some(at) = o.last_modified().and_then(|t| t.to_millis().ok()) else {
            return;
        };
        let at = Timestamp::from_millis(at);
        // LastModified has whole seconds; keys come in key order, so on a
        // tie the later key (usually the later-named backup) wins.
        if self.newest.as_ref().is_none_or(|(n, _)| at >= *n) {
            self.newest = Some((at, key.to_owned()));
        }
    }
}

/// One backup location's state across polls.
#[derive(Debug)]
struct Tracker {
    location: BackupLocation,
    /// The last complete full listing, kept current by incremental ones.
    known: Option<Listing>,
    /// A full listing in progress (resumed across polls when capped).
    scan: Option<Listing>,
    /// Incremental polls since the last complete full listing.
    polls_since_full: u32,
}

impl Tracker {
    fn full_due(&self) -> bool {
        self.known.is_none() || self.scan.is_some() || self.polls_since_full >= FULL_RELIST_EVERY
    }

    async fn poll(&mut self, client: &aws_sdk_s3::Client, region: &str) -> Observation {
        let result = self.step(client, region).await;
        Observation::NewestBackup {
            region: region.to_owned(),
            kind: self.location.kind,
            result,
        }
    }

    /// Lists in place, so a poll cut short by its timeout keeps what it saw.
    async fn step(
        &mut self,
        client: &aws_sdk_s3::Client,
        region: &str,
    ) -> Result<Option<Timestamp>, String> {
        let loc = &self.location;
        let call = format!("{region} {}", loc.url());
        if self.full_due() {
            let scan = self.scan.get_or_insert_with(Listing::default);
            let complete = list(client, loc, scan)
                .await
                .map_err(|e| describe("S3 ListObjectsV2", &call, &e))?;
            if complete {
                self.known = self.scan.take();
                self.polls_since_full = 0;
            } else if self.known.is_none() {
                let seen = self.scan.as_ref().map_or(0, |s| s.objects);
                log::warn!("S3 listing of {} capped at {seen} objects", loc.url());
                return Err(format!(
                    "S3 ListObjectsV2 {call}: first listing incomplete, {seen} objects so far \
                     ({MAX_PAGES_PER_POLL} pages per poll); continues next poll"
                ));
            }
        } else if let Some(known) = &mut self.known {
            self.polls_since_full += 1;
            list(client, loc, known)
                .await
                .map_err(|e| describe("S3 ListObjectsV2", &call, &e))?;
        }
        Ok(self
            .known
            .as_ref()
            .and_then(|k| k.newest.as_ref().map(|(at, _)| *at)))
    }
}

/// Lists `loc` after `into.greatest_key`, adding what it sees; true when
/// the listing reached the end within [`MAX_PAGES_PER_POLL`] pages.
async fn list(
    client: &aws_sdk_s3::Client,
    loc: &BackupLocation,
    into: &mut Listing,
) -> Result<
    bool,
    aws_sdk_s3::error::SdkError<
        aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Error,
        aws_sdk_s3::config::http::HttpResponse,
    >,
> {
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES_PER_POLL {
        let mut req = client
            .list_objects_v2()
            .bucket(&loc.bucket)
            .prefix(&loc.prefix);
        req = match (&token, &into.greatest_key) {
            (Some(t), _) => req.continuation_token(t),
            (None, Some(after)) => req.start_after(after),
            (None, None) => req,
        };
        let out = req.send().await?;
        for o in out.contents() {
            into.add(o);
        }
        match out.next_continuation_token() {
            Some(t) if out.is_truncated() == Some(true) => token = Some(t.to_owned()),
            _ => return Ok(true),
        }
    }
    Ok(false)
}

/// The newest backup of each kind in one region.
#[derive(Debug)]
pub struct S3Backups {
    client: aws_sdk_s3::Client,
    region: String,
    trackers: Vec<Tracker>,
    interval: Duration,
    call_timeout: Duration,
}

impl S3Backups {
    /// Watches `locations` in `region` every `interval`.
    #[must_use]
    pub fn new(
        client: aws_sdk_s3::Client,
        region: &str,
        locations: Vec<BackupLocation>,
        interval: Duration,
        call_timeout: Duration,
    ) -> Self {
        Self {
            client,
            region: region.to_owned(),
            trackers: locations
                .into_iter()
                .map(|location| Tracker {
                    location,
                    known: None,
                    scan: None,
                    polls_since_full: 0,
                })
                .collect(),
            interval,
            call_timeout,
        }
    }

    /// The key of the newest object of each location found so far.
    #[must_use]
    pub fn newest_keys(&self) -> Vec<(&BackupLocation, Option<&str>)> {
        self.trackers
            .iter()
            .map(|t| {
                let key = t.known.as_ref().and_then(|k| k.newest.as_ref());
                (&t.location, key.map(|(_, k)| k.as_str()))
            })
            .collect()
    }
}

impl TelemetrySource for S3Backups {
    fn name(&self) -> String {
        format!("s3 {}", self.region)
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    fn timeout(&self) -> Duration {
        if self.trackers.iter().any(Tracker::full_due) {
            FULL_LISTING_TIMEOUT
        } else {
            super::poll_timeout(self.call_timeout, 3)
        }
    }

    async fn poll(&mut self, _now: Timestamp) -> Vec<Observation> {
        let client = &self.client;
        let region = self.region.as_str();
        futures_util::future::join_all(self.trackers.iter_mut().map(|t| t.poll(client, region)))
            .await
    }

    fn timed_out(&self, after: Duration) -> Vec<Observation> {
        self.trackers
            .iter()
            .map(|t| Observation::NewestBackup {
                region: self.region.clone(),
                kind: t.location.kind,
                result: Err(format!(
                    "S3 ListObjectsV2 {} {}: no answer within {after:?}",
                    self.region,
                    t.location.url()
                )),
            })
            .collect()
    }
}
