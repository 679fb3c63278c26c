//! A shared incident in S3: one object per journal entry, written with
//! `If-None-Match: *`, and the lease, replaced with `If-Match` on its ETag.
//!
//! A refused conditional write (HTTP 412, or 409 when S3 saw two at once)
//! is a typed answer, not an error: the caller learns who wrote instead by
//! reading the object that won.

use aws_sdk_s3::Client;
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::primitives::ByteStream;

use super::error::describe;
use crate::domain::incident::{IncidentId, Layout, Lease};
use crate::domain::journal::Entry;
use crate::sources::incident::{IncidentStore, StoreError, StoreFuture, Tag, entry_from_object};

/// Largest entry object read back: a journal line is at most
/// [`crate::domain::journal::MAX_LINE`] bytes.
const MAX_OBJECT: usize = crate::domain::journal::MAX_LINE + 1;

/// The incidents of one bucket, laid out by [`Layout`].
#[derive(Debug, Clone)]
pub struct S3IncidentStore {
    client: Client,
    bucket: String,
    region: String,
    layout: Layout,
}

impl S3IncidentStore {
    /// The store in `bucket` (in `region`, for messages) through `client`.
    #[must_use]
    pub fn new(client: Client, bucket: &str, region: &str, layout: Layout) -> Self {
        Self {
            client,
            bucket: bucket.to_owned(),
            region: region.to_owned(),
            layout,
        }
    }

    /// The S3 client (tests seed and tamper through it).
    #[must_use]
    pub fn client(&self) -> &Client {
        &self.client
    }

    fn unreachable<E>(
        &self,
        call: &str,
        e: &SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
    ) -> StoreError
    where
        E: aws_sdk_s3::error::ProvideErrorMetadata + std::error::Error + 'static,
    {
        StoreError::Unreachable(describe(call, &self.region, e))
    }

    /// The entry keys after entry `after`, with their numbers, in order.
    async fn entry_keys(
        &self,
        id: &IncidentId,
        after: u64,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut list = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(self.layout.journal(id));
            if after > 0 {
                list = list.start_after(self.layout.entry(id, after));
            }
            if let Some(t) = &token {
                list = list.continuation_token(t);
            }
            let page = list
                .send()
                .await
                .map_err(|e| self.unreachable("ListObjectsV2", &e))?;
            for o in page.contents() {
                if let Some(key) = o.key()
                    && let Some(seq) = self.layout.seq_of(id, key)
                {
                    keys.push((key.to_owned(), seq));
                }
            }
            token = page.next_continuation_token().map(str::to_owned);
            if token.is_none() {
                return Ok(keys);
            }
        }
    }

    /// The object's bytes and ETag; `None` when there is no such key.
    async fn get(&self, key: &str) -> Result<Option<(Vec<u8>, Tag)>, StoreError> {
        let out = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e)
                if e.as_service_error().is_some_and(
                    aws_sdk_s3::operation::get_object::GetObjectError::is_no_such_key,
                ) =>
            {
                return Ok(None);
            }
            Err(e) => return Err(self.unreachable("GetObject", &e)),
        };
        let tag = Tag(out.e_tag().unwrap_or_default().to_owned());
        if out
            .content_length()
            .is_some_and(|n| usize::try_from(n).map_or(true, |n| n > MAX_OBJECT))
        {
            return Err(StoreError::Corrupt {
                key: key.to_owned(),
                why: format!("larger than {MAX_OBJECT} bytes"),
            });
        }
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|e| StoreError::Unreachable(format!("GetObject {}: {e}", self.region)))?
            .into_bytes();
        Ok(Some((bytes.to_vec(), tag)))
    }
}

/// A conditional write S3 refused: the condition failed (412) or a
/// concurrent conditional write won (409).
fn refused<E>(e: &SdkError<E, aws_sdk_s3::config::http::HttpResponse>) -> bool {
    e.raw_response()
        .is_some_and(|r| matches!(r.status().as_u16(), 409 | 412))
}

impl IncidentStore for S3IncidentStore {
    fn append<'a>(&'a self, id: &'a IncidentId, entry: &'a Entry) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let key = self.layout.entry(id, entry.seq);
            let body = format!("{}\n", entry.line()).into_bytes();
            let sent = self
                .client
                .put_object()
                .bucket(&self.bucket)
                .key(&key)
                .content_type("application/json")
                .if_none_match("*")
                .body(ByteStream::from(body))
                .send()
                .await;
            match sent {
                Ok(_) => Ok(()),
                Err(e) if refused(&e) => {
                    let by = self
                        .get(&key)
                        .await
                        .ok()
                        .flatten()
                        .and_then(|(b, _)| entry_from_object(&key, entry.seq, &b).ok())
                        .and_then(|e| e.by);
                    Err(StoreError::EntryTaken { seq: entry.seq, by })
                }
                Err(e) => Err(self.unreachable("PutObject", &e)),
            }
        })
    }

    fn entries<'a>(&'a self, id: &'a IncidentId, after: u64) -> StoreFuture<'a, Vec<Entry>> {
        Box::pin(async move {
            let keys = self.entry_keys(id, after).await?;
            let mut out = Vec::with_capacity(keys.len());
            for (key, seq) in keys {
                let Some((body, _)) = self.get(&key).await? else {
                    // Listed, then gone: a deletion is a difference to report.
                    return Err(StoreError::Corrupt {
                        key,
                        why: "listed but not readable (deleted?)".into(),
                    });
                };
                out.push(entry_from_object(&key, seq, &body)?);
            }
            Ok(out)
        })
    }

    fn last_seq<'a>(&'a self, id: &'a IncidentId) -> StoreFuture<'a, u64> {
        Box::pin(async move {
            Ok(self
                .entry_keys(id, 0)
                .await?
                .iter()
                .map(|(_, seq)| *seq)
                .max()
                .unwrap_or(0))
        })
    }

    fn lease<'a>(&'a self, id: &'a IncidentId) -> StoreFuture<'a, Option<(Lease, Tag)>> {
        Box::pin(async move {
            let key = self.layout.lease(id);
            let Some((body, tag)) = self.get(&key).await? else {
                return Ok(None);
            };
            serde_json::from_slice(&body)
                .map(|l| Some((l, tag)))
                .map_err(|e| StoreError::Corrupt {
                    key,
                    why: e.to_string(),
                })
        })
    }

    fn put_lease<'a>(
        &'a self,
        id: &'a IncidentId,
        lease: &'a Lease,
        over: Option<&'a Tag>,
    ) -> StoreFuture<'a, Tag> {
        Box::pin(async move {
            let key = self.layout.lease(id);
            let body =
                serde_json::to_vec(lease).map_err(|e| StoreError::Unreachable(e.to_string()))?;
            let mut put = self
                .client
                .put_object()
                .bucket(&self.bucket)
                .key(&key)
                .content_type("application/json")
                .body(ByteStream::from(body));
            put = match over {
                None => put.if_none_match("*"),
                Some(tag) => put.if_match(&tag.0),
            };
            match put.send().await {
                Ok(out) => Ok(Tag(out.e_tag().unwrap_or_default().to_owned())),
                Err(e) if refused(&e) => {
                    let by = self.lease(id).await.ok().flatten().map(|(l, _)| l.holder);
                    Err(StoreError::LeaseChanged { by })
                }
                Err(e) => Err(self.unreachable("PutObject", &e)),
            }
        })
    }

    fn incidents(&self) -> StoreFuture<'_, Vec<IncidentId>> {
        Box::pin(async move {
            let mut out = Vec::new();
            let mut token: Option<String> = None;
            loop {
                let mut list = self
                    .client
                    .list_objects_v2()
                    .bucket(&self.bucket)
                    .prefix(self.layout.root())
                    .delimiter("/");
                if let Some(t) = &token {
                    list = list.continuation_token(t);
                }
                let page = list
                    .send()
                    .await
                    .map_err(|e| self.unreachable("ListObjectsV2", &e))?;
                out.extend(
                    page.common_prefixes()
                        .iter()
                        .filter_map(|p| p.prefix())
                        .filter_map(|p| self.layout.incident_of(p)),
                );
                token = page.next_continuation_token().map(str::to_owned);
                if token.is_none() {
                    break;
                }
            }
            out.sort();
            Ok(out)
        })
    }
}
