//! The chain as a sequence of committed blocks: height, header times and
//! who signed each commit. Whether a block can be committed is decided by
//! the estate ([`super::SimEstate`]); this only records and schedules.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::domain::time::Timestamp;

/// Blocks in the signing window CometBFT dashboards usually show.
pub(super) const WINDOW: u32 = 100;
/// Mask of the window's bits in a signature history.
const FULL: u128 = (1 << WINDOW) - 1;
/// Block header times kept for node `latest_block_time` look-ups.
const HISTORY: usize = 2048;
/// Target block interval and its jitter.
const BLOCK_MS: i64 = 6_000;
const JITTER_MS: i64 = 600;
/// How soon a halted chain tries again (a consensus round timeout).
const RETRY_MS: i64 = 1_000;
/// Separates this stream from the estate's other RNG streams.
const STREAM: u64 = 0x0C4A_1B10_C0FF_EE01;

/// Committed blocks and the schedule of the next attempt.
#[derive(Debug, Clone)]
pub(super) struct Chain {
    rng: ChaCha8Rng,
    height: u64,
    /// `(height, header time)`, oldest first, newest last.
    history: VecDeque<(u64, Timestamp)>,
    /// Per validator: bit 0 is the latest block, bit 1 the one before...
    signatures: Vec<u128>,
    next_attempt: i64,
    /// Seeds the blocks' pseudo hashes.
    hash_seed: u64,
}

impl Chain {
    /// A chain that has been running happily until `start`, with a full
    /// window of blocks all validators signed.
    pub(super) fn new(seed: u64, start: Timestamp, validators: usize) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ STREAM);
        let height: u64 = rng.random_range(1_000_000..2_000_000);
        let interval = draw(&mut rng);
        let phase = rng.random_range(0..interval);
        let latest = start.as_millis() - phase;
        let mut times = vec![latest];
        let mut t = latest;
        for _ in 1..WINDOW {
            t -= draw(&mut rng);
            times.push(t);
        }
        let history = times
            .iter()
            .rev()
            .zip(height + 1 - u64::from(WINDOW)..)
            .map(|(&ms, h)| (h, Timestamp::from_millis(ms)))
            .collect();
        Self {
            rng,
            height,
            history,
            signatures: vec![FULL; validators],
            next_attempt: latest + interval,
            hash_seed: seed ^ STREAM,
        }
    }

    /// Latest committed height.
    pub(super) fn height(&self) -> u64 {
        self.height
    }

    /// When the next block is proposed, in ms since the epoch.
    pub(super) fn next_attempt(&self) -> i64 {
        self.next_attempt
    }

    /// Consensus failed at the scheduled attempt: try again after a round.
    pub(super) fn retry(&mut self) {
        self.next_attempt += RETRY_MS;
    }

    /// Commits a block at the scheduled attempt; `signed` gives each
    /// validator's presence in the commit, in spec order.
    pub(super) fn commit(&mut self, signed: impl IntoIterator<Item = bool>) {
        let at = Timestamp::from_millis(self.next_attempt);
        self.height += 1;
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back((self.height, at));
        for (sigs, s) in self.signatures.iter_mut().zip(signed) {
            *sigs = ((*sigs << 1) | u128::from(s)) & FULL;
        }
        self.next_attempt += draw(&mut self.rng);
    }

    /// The block hash at height `h`: 32 pseudo-random bytes in upper-case
    /// hex, stable for a seed, as CometBFT prints a block id.
    pub(super) fn block_hash(&self, h: u64) -> String {
        hex_stream(self.hash_seed ^ h.wrapping_mul(0x9E37_79B9_7F4A_7C15), 64)
    }

    /// Header time of the latest block.
    pub(super) fn latest_time(&self) -> Timestamp {
        self.time_of(self.height)
    }

    /// Header time of block `h`; estimated at the target interval when it
    /// is older than the kept history.
    pub(super) fn time_of(&self, h: u64) -> Timestamp {
        let Some(&(first_h, first_t)) = self.history.front() else {
            return Timestamp::default();
        };
        if h < first_h {
            let back = (first_h - h).saturating_mul(BLOCK_MS.unsigned_abs());
            return first_t.minus(Duration::from_millis(back));
        }
        usize::try_from(h - first_h)
            .ok()
            .and_then(|i| self.history.get(i))
            .map_or_else(|| self.latest_or(first_t), |&(_, t)| t)
    }

    fn latest_or(&self, fallback: Timestamp) -> Timestamp {
        self.history.back().map_or(fallback, |&(_, t)| t)
    }

    /// Mean interval over the last [`WINDOW`] blocks, as CometBFT reports it.
    pub(super) fn avg_block_time(&self) -> Duration {
        let n = self.history.len().min(WINDOW as usize);
        let newest = self.history.back();
        let oldest = self.history.get(self.history.len() - n);
        match (oldest, newest) {
            (Some(&(_, a)), Some(&(_, b))) if n > 1 => {
                b.since(a) / (u32::try_from(n - 1).unwrap_or(1))
            }
            _ => Duration::ZERO,
        }
    }

    /// Whether validator `i` signed the latest commit.
    pub(super) fn signed_latest(&self, i: usize) -> bool {
        self.signatures.get(i).is_some_and(|s| s & 1 == 1)
    }

    /// The latest height in the window validator `i` signed.
    pub(super) fn last_signed(&self, i: usize) -> Option<u64> {
        let sigs = self.signatures.get(i).copied().unwrap_or(0);
        (sigs != 0).then(|| self.height - u64::from(sigs.trailing_zeros()))
    }

    /// Commits in the window validator `i` is missing from.
    pub(super) fn missed(&self, i: usize) -> u32 {
        WINDOW - self.signatures.get(i).map_or(0, |s| s.count_ones())
    }
}

/// One block interval: 6 s with uniform ±0.6 s jitter.
fn draw(rng: &mut ChaCha8Rng) -> i64 {
    BLOCK_MS + rng.random_range(-JITTER_MS..=JITTER_MS)
}

/// `len` upper-case hex digits of the splitmix64 stream from `state`:
/// stable pseudo-random ids (block hashes, fresh key addresses).
pub(super) fn hex_stream(mut state: u64, len: usize) -> String {
    let mut out = String::with_capacity(len + 16);
    while out.len() < len {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let _ = write!(out, "{z:016X}");
    }
    out.truncate(len);
    out
}
