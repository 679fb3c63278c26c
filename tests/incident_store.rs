//! The shared incident store: the S3 side against moto (conditional
//! writes, listing, ETags, STS identities of IAM users' keys) and the
//! in-memory side, held to one contract.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_s3::primitives::ByteStream;
use drconsole::domain::incident::{IncidentId, Layout, Lease, Standing};
use drconsole::domain::journal::{Author, Entry, Head, seal_by};
use drconsole::domain::time::Timestamp;
use drconsole::sources::aws::identity;
use drconsole::sources::incident::{IncidentStore, MemoryStore, StoreError};
use serde_json::json;
use support::incident::{self, BUCKET};
use support::moto::{self, Moto};

fn t(s: u64) -> Timestamp {
    Timestamp::parse_rfc3339("2026-12-03T03:00:00Z")
        .unwrap()
        .plus(Duration::from_secs(s))
}

fn id(name: &str) -> IncidentId {
    IncidentId::parse(name).unwrap()
}

fn author(name: &str) -> Author {
    Author {
        arn: format!("arn:aws:iam::123456789012:user/{name}"),
        user: name.into(),
        host: "bastion".into(),
    }
}

fn next(after: Option<&Entry>, by: &Author, n: u64) -> Entry {
    let head = after.map_or_else(Head::genesis, Entry::head);
    seal_by(
        &head,
        t(n),
        "run-1",
        "step.passed",
        json!({"n": n}),
        Some(by),
    )
}

/// What every side of the store must do.
async fn contract<S: IncidentStore>(store: &S) {
    let (alice, bob) = (author("alice"), author("bob"));
    let inc = id("inc-contract");
    assert!(store.entries(&inc, 0).await.unwrap().is_empty());
    let e1 = next(None, &alice, 1);
    store.append(&inc, &e1).await.unwrap();
    // Entry 1 is written once: bob's entry 1 is refused and names alice.
    let bobs = next(None, &bob, 1);
    assert_eq!(
        store.append(&inc, &bobs).await,
        Err(StoreError::EntryTaken {
            seq: 1,
            by: Some(alice.clone())
        })
    );
    // Even alice's own entry 1 again: written once means once.
    assert!(matches!(
        store.append(&inc, &e1).await,
        Err(StoreError::EntryTaken { seq: 1, .. })
    ));
    let mut chain = vec![e1];
    for n in 2..=12 {
        let e = next(chain.last(), &alice, n);
        store.append(&inc, &e).await.unwrap();
        chain.push(e);
    }
    assert_eq!(
        store.entries(&inc, 0).await.unwrap(),
        chain,
        "in sequence order past 9 and 10"
    );
    assert_eq!(store.entries(&inc, 10).await.unwrap(), chain[10..].to_vec());
    assert!(store.entries(&inc, 12).await.unwrap().is_empty());
    assert!(store.entries(&id("inc-other"), 0).await.unwrap().is_empty());

    // The lease: taken once, renewed by whoever read its version.
    assert_eq!(store.lease(&inc).await.unwrap(), None);
    let ttl = Duration::from_secs(30);
    let mine = Lease::take(alice.clone(), "s-alice", t(0), ttl);
    let tag = store.put_lease(&inc, &mine, None).await.unwrap();
    let theirs = Lease::take(bob.clone(), "s-bob", t(1), ttl);
    assert_eq!(
        store.put_lease(&inc, &theirs, None).await,
        Err(StoreError::LeaseChanged {
            by: Some(alice.clone())
        })
    );
    let (read, read_tag) = store.lease(&inc).await.unwrap().unwrap();
    assert_eq!((&read, &read_tag), (&mine, &tag));
    assert!(matches!(
        read.standing("s-bob", t(5)),
        Standing::Held { .. }
    ));
    let renewed = mine.renewed(t(10), ttl);
    let tag2 = store.put_lease(&inc, &renewed, Some(&tag)).await.unwrap();
    assert_ne!(tag2, tag);
    // A renewal against the old version is refused: someone renewed since.
    assert_eq!(
        store.put_lease(&inc, &theirs, Some(&tag)).await,
        Err(StoreError::LeaseChanged {
            by: Some(alice.clone())
        })
    );
    assert_eq!(store.lease(&inc).await.unwrap().unwrap().0, renewed);

    store
        .append(&id("inc-b"), &next(None, &bob, 1))
        .await
        .unwrap();
    assert_eq!(
        store.incidents().await.unwrap(),
        [id("inc-b"), id("inc-contract")]
    );
}

#[tokio::test]
async fn the_memory_store_keeps_the_contract() {
    contract(&MemoryStore::new(
        Layout::new("drconsole/incidents").unwrap(),
    ))
    .await;
}

#[tokio::test]
async fn the_s3_store_keeps_the_contract_against_moto() {
    let moto = Moto::start();
    let env = incident::environment(&moto).await;
    let c = incident::clients(&env, &moto::options(None)).await;
    contract(&c.store).await;
}

#[tokio::test]
async fn of_many_consoles_racing_for_one_entry_exactly_one_writes_it() {
    let moto = Moto::start();
    let env = incident::environment(&moto).await;
    let c = incident::clients(&env, &moto::options(None)).await;
    let store = Arc::new(c.store);
    let inc = id("inc-race");
    let mut last: Option<Entry> = None;
    for round in 1..=20u64 {
        let racers: Vec<_> = (0..4)
            .map(|r| {
                let store = Arc::clone(&store);
                let (inc, e) = (
                    inc.clone(),
                    next(last.as_ref(), &author(&format!("op{r}")), round),
                );
                tokio::spawn(async move { (store.append(&inc, &e).await, e) })
            })
            .collect();
        let mut won = Vec::new();
        for h in racers {
            let (result, e) = h.await.unwrap();
            match result {
                Ok(()) => won.push(e),
                Err(StoreError::EntryTaken { seq, by }) => {
                    assert_eq!(seq, round);
                    assert!(by.is_some(), "the refused console learns who wrote");
                }
                Err(other) => panic!("round {round}: {other}"),
            }
        }
        assert_eq!(
            won.len(),
            1,
            "round {round}: exactly one console wrote the entry"
        );
        last = won.pop();
    }
    let entries = store.entries(&inc, 0).await.unwrap();
    assert_eq!(entries.len(), 20);
    assert!(
        entries.iter().zip(1..).all(|(e, n)| e.seq == n),
        "no gap, no duplicate"
    );
    assert!(
        entries.windows(2).all(|w| w[1].prev == w[0].hash),
        "one chain"
    );
}

#[tokio::test]
async fn an_object_that_is_not_its_entry_is_named_and_other_objects_are_ignored() {
    let moto = Moto::start();
    let env = incident::environment(&moto).await;
    let c = incident::clients(&env, &moto::options(None)).await;
    let layout = env.incident.as_ref().unwrap().layout.clone();
    let inc = id("inc-tamper");
    let e1 = next(None, &author("alice"), 1);
    let e2 = next(Some(&e1), &author("alice"), 2);
    c.store.append(&inc, &e1).await.unwrap();
    c.store.append(&inc, &e2).await.unwrap();
    let put = |key: String, body: String| {
        c.store
            .client()
            .put_object()
            .bucket(BUCKET)
            .key(key)
            .body(ByteStream::from(body.into_bytes()))
            .send()
    };
    put(
        format!("{}README.txt", layout.journal(&inc)),
        "notes".into(),
    )
    .await
    .unwrap();
    assert_eq!(
        c.store.entries(&inc, 0).await.unwrap(),
        [e1.clone(), e2.clone()]
    );
    // Someone with the bucket's keys rewrites entry 2's author.
    let forged = format!("{}\n", e2.line()).replace("user/alice", "user/mallory");
    put(layout.entry(&inc, 2), forged).await.unwrap();
    let err = c.store.entries(&inc, 0).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}: entry edited (hash mismatch)", layout.entry(&inc, 2))
    );
    // Entry 1's bytes put where entry 2 belongs.
    put(layout.entry(&inc, 2), format!("{}\n", e1.line()))
        .await
        .unwrap();
    assert_eq!(
        c.store.entries(&inc, 1).await.unwrap_err().to_string(),
        format!("{}: holds entry 1, not 2", layout.entry(&inc, 2))
    );
}

#[tokio::test]
async fn each_iam_users_key_is_its_own_identity_and_a_stopped_store_is_unreachable() {
    let mut moto = Moto::start();
    let env = incident::environment(&moto).await;
    let alice = incident::clients(&env, &incident::iam_user(&moto, "alice").await).await;
    let bob = incident::clients(&env, &incident::iam_user(&moto, "bob").await).await;
    let a = identity::caller(&alice.sts, &alice.region).await.unwrap();
    let b = identity::caller(&bob.sts, &bob.region).await.unwrap();
    assert!(a.arn.ends_with(":user/alice"), "{a:?}");
    assert!(b.arn.ends_with(":user/bob"), "{b:?}");
    assert!(!a.same_identity(&b));
    assert_eq!(
        (a.user.as_str(), a.host.as_str()),
        (identity::login().as_str(), identity::host().as_str())
    );
    assert!(!a.host.is_empty() && !a.user.is_empty());
    moto.stop();
    let err = alice.store.entries(&id("inc-1"), 0).await.unwrap_err();
    let StoreError::Unreachable(why) = &err else {
        panic!("{err:?}")
    };
    assert!(why.starts_with("ListObjectsV2 eu-west-1: "), "{why}");
    let err = alice
        .store
        .append(&id("inc-1"), &next(None, &a, 1))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("shared journal unreachable: PutObject eu-west-1: "),
        "{err}"
    );
    let err = identity::caller(&alice.sts, &alice.region)
        .await
        .unwrap_err();
    assert!(err.starts_with("GetCallerIdentity eu-west-1: "), "{err}");
}
