//! The recent-blocks window: who signed which commit, cached per height so a
//! poll fetches only the blocks produced since the previous one.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use crate::domain::observation::ValidatorStatus;
use crate::domain::time::Timestamp;

/// What one block's commit says, as far as the dashboard cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockSigs {
    /// Header time of the block.
    pub time: Timestamp,
    /// Upper-case hex addresses whose signature commits to the block. A nil
    /// vote does not count: it did not help finalise this block.
    pub signers: HashSet<String>,
    /// Whether this is the canonical commit (the one block `h + 1` records).
    /// The latest height only has the node's "seen" commit, which can lack
    /// late precommits, so it is fetched again once the chain has moved on.
    pub canonical: bool,
}

/// Commits of the last `size` heights, keyed by height.
#[derive(Debug, Clone)]
pub struct SignatureWindow {
    size: u32,
    blocks: BTreeMap<u64, BlockSigs>,
}

impl SignatureWindow {
    /// An empty window over `size` blocks (at least one: the latest).
    #[must_use]
    pub fn new(size: u32) -> Self {
        Self {
            size: size.max(1),
            blocks: BTreeMap::new(),
        }
    }

    /// The heights the window covers when the chain is at `latest`.
    fn range(&self, latest: u64) -> std::ops::RangeInclusive<u64> {
        let first = latest.saturating_sub(u64::from(self.size) - 1).max(1);
        first..=latest
    }

    /// Heights in the window at `latest` whose commit is not cached yet, or
    /// is cached only as a seen commit that now has a canonical one.
    #[must_use]
    pub fn missing(&self, latest: u64) -> Vec<u64> {
        self.range(latest)
            .filter(|h| {
                self.blocks
                    .get(h)
                    .is_none_or(|b| !b.canonical && *h < latest)
            })
            .collect()
    }

    /// Caches the commit at `height`.
    pub fn insert(&mut self, height: u64, sigs: BlockSigs) {
        self.blocks.insert(height, sigs);
    }

    /// Forgets every height outside the window at `latest`, including heights
    /// above it: a lower best node means those blocks are not agreed on.
    pub fn prune(&mut self, latest: u64) {
        let range = self.range(latest);
        self.blocks.retain(|h, _| range.contains(h));
    }

    /// Mean interval between the first and last cached blocks of the window
    /// at `latest`; zero when fewer than two are known.
    #[must_use]
    pub fn avg_block_time(&self, latest: u64) -> Duration {
        let mut known = self.blocks.range(self.range(latest));
        let (Some((&h0, first)), Some((&h1, last))) = (known.next(), known.next_back()) else {
            return Duration::ZERO;
        };
        let blocks = u32::try_from(h1 - h0).unwrap_or(u32::MAX);
        if blocks == 0 {
            return Duration::ZERO;
        }
        last.time.since(first.time) / blocks
    }

    /// Signing status of each validator `(address, voting power)` over the
    /// window at `latest`; `window` counts only the heights actually known,
    /// so a gap never passes for a signed block.
    #[must_use]
    pub fn validators(&self, set: &[(String, u64)], latest: u64) -> Vec<ValidatorStatus> {
        let known: Vec<&BlockSigs> = self
            .blocks
            .range(self.range(latest))
            .map(|(_, b)| b)
            .collect();
        let window = u32::try_from(known.len()).unwrap_or(u32::MAX);
        let latest_block = self.blocks.get(&latest);
        set.iter()
            .map(|(address, power)| {
                let missed = known
                    .iter()
                    .filter(|b| !b.signers.contains(address))
                    .count();
                ValidatorStatus {
                    address: address.clone(),
                    voting_power: *power,
                    signed_latest: latest_block.is_some_and(|b| b.signers.contains(address)),
                    missed_recent: u32::try_from(missed).unwrap_or(u32::MAX),
                    window,
                    last_signed_height: self
                        .blocks
                        .range(self.range(latest))
                        .rev()
                        .find(|(_, b)| b.signers.contains(address))
                        .map(|(h, _)| *h),
                    signs_in: None,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(secs: i64, signers: &[&str]) -> BlockSigs {
        BlockSigs {
            time: Timestamp::from_secs(secs),
            signers: signers.iter().map(|s| (*s).to_owned()).collect(),
            canonical: true,
        }
    }

    #[test]
    fn only_new_heights_are_missing_after_the_first_fill() {
        let mut w = SignatureWindow::new(3);
        assert_eq!(w.missing(10), vec![8, 9, 10]);
        for h in 8..=10 {
            w.insert(h, block(0, &[]));
        }
        assert_eq!(w.missing(12), vec![11, 12]);
        w.prune(12);
        assert_eq!(w.blocks.keys().copied().collect::<Vec<_>>(), vec![10]);
    }

    #[test]
    fn a_seen_commit_is_fetched_again_once_canonical() {
        let mut w = SignatureWindow::new(3);
        w.insert(9, block(0, &[]));
        w.insert(
            10,
            BlockSigs {
                canonical: false,
                ..block(6, &[])
            },
        );
        assert_eq!(w.missing(10), vec![8]);
        assert_eq!(w.missing(11), vec![10, 11]);
    }

    #[test]
    fn young_chain_window_starts_at_height_one() {
        let w = SignatureWindow::new(20);
        assert_eq!(w.missing(2), vec![1, 2]);
    }

    #[test]
    fn counts_missed_blocks_and_latest_signature() {
        let mut w = SignatureWindow::new(4);
        w.insert(1, block(0, &["A", "B"]));
        w.insert(2, block(6, &["A"]));
        w.insert(3, block(12, &["A", "B"]));
        w.insert(4, block(18, &["A"]));
        let set = [("A".to_owned(), 10), ("B".to_owned(), 5)];
        let v = w.validators(&set, 4);
        assert!(v[0].signed_latest);
        assert_eq!((v[0].missed_recent, v[0].window), (0, 4));
        assert!(!v[1].signed_latest);
        assert_eq!((v[1].missed_recent, v[1].voting_power), (2, 5));
        assert_eq!(w.avg_block_time(4), Duration::from_secs(6));
    }

    #[test]
    fn unknown_latest_is_not_signed_and_gaps_shrink_the_window() {
        let mut w = SignatureWindow::new(4);
        w.insert(2, block(0, &["A"]));
        let v = w.validators(&[("A".to_owned(), 1)], 4);
        assert!(!v[0].signed_latest);
        assert_eq!(v[0].window, 1);
        assert_eq!(w.avg_block_time(4), Duration::ZERO);
    }
}
