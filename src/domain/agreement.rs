//! One chain, checked: every answering RPC endpoint, in every region, is
//! compared on the chain it serves and on the block it has at each height
//! it reported. A node on another chain, or on another fork, is named; a
//! fork stays on the screen until fresh evidence clears it.

use std::collections::BTreeMap;
use std::time::Duration;

use super::observation::EndpointHead;
use super::time::Timestamp;

/// Heights of block hashes kept per endpoint for comparing at a common
/// height (enough for endpoints a few blocks apart).
const KEPT_HEIGHTS: usize = 32;

/// What one endpoint said lately.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sighting {
    endpoint: String,
    region: String,
    /// The validator key it signs with, if it is a validator node.
    validator: Option<String>,
    chain_id: String,
    hashes: BTreeMap<u64, String>,
    at: Timestamp,
}

/// Two or more endpoints with different blocks at one height.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fork {
    /// The height they disagree at.
    pub height: u64,
    /// Each endpoint and the hash it has there.
    pub sides: Vec<(String, String)>,
    /// When it was first seen.
    pub since: Timestamp,
}

impl Fork {
    /// The fork in words, naming every side.
    #[must_use]
    pub fn describe(&self) -> String {
        let sides = self
            .sides
            .iter()
            .map(|(e, h)| format!("{e} has {}", h.get(..12).unwrap_or(h)))
            .collect::<Vec<_>>()
            .join(", ");
        format!("different blocks at height {}: {sides}", self.height)
    }
}

/// An endpoint serving another chain than the estate's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrongChain {
    /// The endpoint.
    pub endpoint: String,
    /// What it serves.
    pub serves: String,
    /// What the estate runs; `None` when no chain is served by more
    /// endpoints than every other (a tie names every side).
    pub expected: Option<String>,
}

/// Every endpoint's recent heads, and the fork seen among them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Agreement {
    sightings: Vec<Sighting>,
    fork: Option<Fork>,
    /// Heights up to here are settled: a fork below it was cleared by
    /// agreement above it.
    settled: u64,
}

impl Agreement {
    /// Records what endpoints said at `at`, then looks for a fork.
    pub fn observe(&mut self, heads: &[EndpointHead], at: Timestamp) {
        for head in heads {
            if !self.sightings.iter().any(|s| s.endpoint == head.endpoint) {
                self.sightings.push(Sighting {
                    endpoint: head.endpoint.clone(),
                    region: head.region.clone(),
                    validator: None,
                    chain_id: head.chain_id.clone(),
                    hashes: BTreeMap::new(),
                    at,
                });
            }
            let Some(s) = self
                .sightings
                .iter_mut()
                .find(|s| s.endpoint == head.endpoint)
            else {
                continue;
            };
            if s.chain_id != head.chain_id {
                s.hashes.clear();
            }
            s.chain_id.clone_from(&head.chain_id);
            s.region.clone_from(&head.region);
            s.validator.clone_from(&head.validator);
            s.at = at;
            s.hashes.insert(head.height, head.block_hash.clone());
            while s.hashes.len() > KEPT_HEIGHTS {
                s.hashes.pop_first();
            }
        }
        self.recheck(at);
    }

    /// A fork stands until the endpoints on its sides agree again at a
    /// later common height; a new fork replaces it only when none stands.
    fn recheck(&mut self, at: Timestamp) {
        if let Some(f) = &self.fork {
            if let Some(h) = self.agree_after(f) {
                self.settled = h;
                self.fork = None;
            } else {
                // Endpoints that answered since join the sides they are on.
                let sides = f.sides.first().map(|(e, _)| self.sides_at(f.height, e));
                if let (Some(f), Some(sides)) = (self.fork.as_mut(), sides) {
                    f.sides = sides;
                }
                return;
            }
        }
        self.fork = self.find_fork(at);
    }

    /// Every endpoint on the chain of `endpoint` with a hash at `height`.
    fn sides_at(&self, height: u64, endpoint: &str) -> Vec<(String, String)> {
        let chain = self
            .sightings
            .iter()
            .find(|s| s.endpoint == endpoint)
            .map(|s| s.chain_id.clone());
        self.sightings
            .iter()
            .filter(|s| Some(&s.chain_id) == chain.as_ref())
            .filter_map(|s| {
                s.hashes
                    .get(&height)
                    .map(|x| (s.endpoint.clone(), x.clone()))
            })
            .collect()
    }

    /// The highest height at which endpoints of one chain disagree.
    fn find_fork(&self, at: Timestamp) -> Option<Fork> {
        let mut worst: Option<Fork> = None;
        for (i, a) in self.sightings.iter().enumerate() {
            for b in &self.sightings[i + 1..] {
                if a.chain_id != b.chain_id {
                    continue;
                }
                for (h, ha) in a.hashes.range(self.settled + 1..) {
                    let Some(hb) = b.hashes.get(h) else { continue };
                    if ha != hb && worst.as_ref().is_none_or(|w| *h > w.height) {
                        worst = Some(Fork {
                            height: *h,
                            sides: self.sides_at(*h, &a.endpoint),
                            since: at,
                        });
                    }
                }
            }
        }
        worst
    }

    /// The latest height above `fork` at which every endpoint of it has
    /// the same hash, if there is one.
    fn agree_after(&self, fork: &Fork) -> Option<u64> {
        let sides: Vec<&Sighting> = fork
            .sides
            .iter()
            .filter_map(|(e, _)| self.sightings.iter().find(|s| s.endpoint == *e))
            .collect();
        let first = sides.first()?;
        first
            .hashes
            .range(fork.height + 1..)
            .rev()
            .find(|(h, hash)| {
                sides
                    .iter()
                    .all(|s| s.hashes.get(h).is_some_and(|x| x == *hash))
            })
            .map(|(h, _)| *h)
    }

    /// The fork standing now, if any.
    #[must_use]
    pub fn fork(&self) -> Option<&Fork> {
        self.fork.as_ref()
    }

    /// The chain the estate runs: `expected` when configured, else the one
    /// more endpoints heard from within `fresh_for` serve than any other;
    /// `None` on a tie, where no side can be trusted over the other.
    #[must_use]
    pub fn chain_id(
        &self,
        expected: Option<&str>,
        now: Timestamp,
        fresh_for: Duration,
    ) -> Option<String> {
        if let Some(e) = expected {
            return Some(e.to_owned());
        }
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for s in self.fresh(now, fresh_for) {
            match counts.iter_mut().find(|(c, _)| *c == s.chain_id) {
                Some((_, n)) => *n += 1,
                None => counts.push((&s.chain_id, 1)),
            }
        }
        let top = counts.iter().map(|(_, n)| *n).max()?;
        let mut leaders = counts.iter().filter(|(_, n)| *n == top);
        let leader = leaders.next().map(|(c, _)| (*c).to_owned());
        if leaders.next().is_some() {
            return None;
        }
        leader
    }

    /// Endpoints heard from within `fresh_for` that serve another chain.
    #[must_use]
    pub fn wrong_chains(
        &self,
        expected: Option<&str>,
        now: Timestamp,
        fresh_for: Duration,
    ) -> Vec<WrongChain> {
        let chain = self.chain_id(expected, now, fresh_for);
        let served = |s: &Sighting| chain.as_deref() == Some(s.chain_id.as_str());
        // Without a chain everyone agrees on, every endpoint is suspect
        // unless they all serve the same one.
        let mut ids = self.fresh(now, fresh_for).map(|s| s.chain_id.as_str());
        let first = ids.next();
        let one_chain = ids.all(|c| Some(c) == first);
        if chain.is_none() && one_chain {
            return Vec::new();
        }
        self.fresh(now, fresh_for)
            .filter(|s| !served(s))
            .map(|s| WrongChain {
                endpoint: s.endpoint.clone(),
                serves: s.chain_id.clone(),
                expected: chain.clone(),
            })
            .collect()
    }

    /// The region where a node heard from within `fresh_for` signs with
    /// validator `address`'s key (the most recently heard, should two).
    #[must_use]
    pub fn hosted_in(&self, address: &str, now: Timestamp, fresh_for: Duration) -> Option<&str> {
        self.fresh(now, fresh_for)
            .filter(|s| {
                s.validator
                    .as_deref()
                    .is_some_and(|v| v.eq_ignore_ascii_case(address))
            })
            .max_by_key(|s| s.at)
            .map(|s| s.region.as_str())
    }

    fn fresh(&self, now: Timestamp, fresh_for: Duration) -> impl Iterator<Item = &Sighting> {
        self.sightings
            .iter()
            .filter(move |s| now.since(s.at) <= fresh_for)
    }
}

#[cfg(test)]
#[path = "agreement_tests.rs"]
mod tests;
