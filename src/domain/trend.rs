//! Recent readings of one number, for a sparkline and a forecast: a lag
//! that grows 2 s every second reads "OK" until it breaches unless someone
//! says when it will.

use std::collections::VecDeque;
use std::time::Duration;

use super::time::Timestamp;

/// Readings kept per series: a minute at one-second polls.
pub const KEPT: usize = 60;
/// The fewest readings, and the shortest span, a forecast rests on.
const MIN_SAMPLES: usize = 5;
const MIN_SPAN: Duration = Duration::from_secs(5);
/// The longest forecast worth saying: beyond it a minute's trend says
/// little (slow drift and jitter look alike).
pub const HORIZON: Duration = Duration::from_hours(1);

/// The latest readings of one value, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    samples: VecDeque<(Timestamp, f64)>,
}

impl Series {
    /// Adds a reading; a reading not newer than the last is ignored (a
    /// replayed or reordered answer never bends the line).
    pub fn push(&mut self, at: Timestamp, value: f64) {
        if !value.is_finite() || self.samples.back().is_some_and(|(t, _)| *t >= at) {
            return;
        }
        if self.samples.len() == KEPT {
            self.samples.pop_front();
        }
        self.samples.push_back((at, value));
    }

    /// The readings, oldest first.
    #[must_use]
    pub fn values(&self) -> Vec<f64> {
        self.samples.iter().map(|(_, v)| *v).collect()
    }

    /// The least-squares slope over the kept readings, in units per
    /// second; `None` with too few readings or too short a span.
    #[must_use]
    #[allow(clippy::cast_precision_loss)] // at most KEPT samples, offsets in ms
    pub fn slope_per_sec(&self) -> Option<f64> {
        let (first, _) = *self.samples.front()?;
        let (last, _) = *self.samples.back()?;
        if self.samples.len() < MIN_SAMPLES || last.since(first) < MIN_SPAN {
            return None;
        }
        let n = self.samples.len() as f64;
        let xs: Vec<f64> = self
            .samples
            .iter()
            .map(|(t, _)| t.since(first).as_secs_f64())
            .collect();
        let mx = xs.iter().sum::<f64>() / n;
        let my = self.samples.iter().map(|(_, v)| v).sum::<f64>() / n;
        let (mut num, mut den) = (0.0, 0.0);
        for (x, (_, y)) in xs.iter().zip(&self.samples) {
            num += (x - mx) * (y - my);
            den += (x - mx) * (x - mx);
        }
        (den > 0.0).then(|| num / den).filter(|s| s.is_finite())
    }

    /// How long until the value reaches `limit` at the current rate, from
    /// its latest reading; `None` when it is not rising, already past the
    /// limit, or the breach is beyond [`HORIZON`].
    #[must_use]
    pub fn time_to(&self, limit: f64) -> Option<Duration> {
        let (_, latest) = *self.samples.back()?;
        let slope = self.slope_per_sec()?;
        if slope <= 0.0 || latest >= limit {
            return None;
        }
        let secs = (limit - latest) / slope;
        Duration::try_from_secs_f64(secs)
            .ok()
            .filter(|d| *d <= HORIZON)
    }
}

/// The blocks one region's nodes have seen lately: the highest in-sync
/// node's height and its block time, at each new height. A region whose
/// nodes stall or lag shows a longer block interval than its peers, and
/// its own wait for a block, before the whole chain is judged.
///
/// Times are the blocks' own (BFT) times, not when we polled, so the
/// interval is right whatever the poll period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockPace {
    /// `(block time, height)` per new height, oldest first.
    blocks: VecDeque<(Timestamp, u64)>,
    /// When a node of the region last answered with a height.
    heard: Option<Timestamp>,
}

/// New heights a pace needs before it states an interval: two gaps, so
/// one late block does not stand for the pace.
const PACE_MIN_BLOCKS: usize = 3;

impl BlockPace {
    /// Records the region's highest in-sync height at poll time `at`, with
    /// that block's time. A height or block time that goes backwards (a
    /// restored node, another fork, a node with a broken clock) starts the
    /// record again rather than bending it.
    pub fn observe(&mut self, at: Timestamp, height: u64, block_time: Timestamp) {
        if self.heard.is_some_and(|h| h > at) {
            return;
        }
        // A block is never newer than when it was first seen: a node with
        // a clock ahead cannot hide a stall (nor make a negative gap).
        let block_time = block_time.min(at);
        self.heard = Some(at);
        match self.blocks.back() {
            Some((_, h)) if *h == height => {}
            Some((t, h)) if *h > height || *t > block_time => {
                self.blocks.clear();
                self.blocks.push_back((block_time, height));
            }
            _ => {
                if self.blocks.len() == KEPT {
                    self.blocks.pop_front();
                }
                self.blocks.push_back((block_time, height));
            }
        }
    }

    /// When a node of the region last answered with a height.
    #[must_use]
    pub fn heard(&self) -> Option<Timestamp> {
        self.heard
    }

    /// The newest block's time, if any was seen.
    #[must_use]
    pub fn latest_block_time(&self) -> Option<Timestamp> {
        self.blocks.back().map(|(t, _)| *t)
    }

    /// The mean time per block over the kept heights; `None` until
    /// [`PACE_MIN_BLOCKS`] distinct heights were seen.
    #[must_use]
    pub fn interval(&self) -> Option<Duration> {
        if self.blocks.len() < PACE_MIN_BLOCKS {
            return None;
        }
        let (t0, h0) = *self.blocks.front()?;
        let (t1, h1) = *self.blocks.back()?;
        let blocks = u32::try_from(h1.checked_sub(h0)?).ok()?;
        t1.since(t0).checked_div(blocks)
    }

    /// Seconds per block between successive heights, oldest first, then
    /// the wait since the newest block at `now` when it is longer than the
    /// last gap: a stall shows as a rising bar, not a flat line.
    #[must_use]
    #[allow(clippy::cast_precision_loss)] // block gaps, far below 2^52
    pub fn gaps(&self, now: Timestamp) -> Vec<f64> {
        let mut out: Vec<f64> = self
            .blocks
            .iter()
            .zip(self.blocks.iter().skip(1))
            .map(|((t0, h0), (t1, h1))| {
                t1.since(*t0).as_secs_f64() / h1.saturating_sub(*h0).max(1) as f64
            })
            .collect();
        if let Some(t) = self.latest_block_time() {
            let wait = now.since(t).as_secs_f64();
            if out.last().is_some_and(|last| wait > *last) {
                out.push(wait);
            }
        }
        out
    }
}

/// The values as a sparkline of `width` cells (the latest on the right),
/// scaled from zero to `scale` (a target, so a flat low line reads low) or
/// to the largest value when that is higher; empty for fewer than two
/// values, which make no line.
#[must_use]
pub fn sparkline(values: &[f64], width: usize, scale: f64) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    if values.len() < 2 {
        return String::new();
    }
    let shown = &values[values.len().saturating_sub(width)..];
    let top = shown.iter().copied().fold(scale.max(0.0), f64::max);
    shown
        .iter()
        .map(|v| {
            if top <= 0.0 {
                BARS[0]
            } else {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                // clamped to 0..=7
                let i = ((v / top) * 7.0).round().clamp(0.0, 7.0) as usize;
                BARS[i]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(points: &[(i64, f64)]) -> Series {
        let mut s = Series::default();
        for (t, v) in points {
            s.push(Timestamp::from_secs(*t), *v);
        }
        s
    }

    #[test]
    fn a_lag_growing_two_seconds_a_second_breaches_when_it_says() {
        // 24 s now, RPO 300 s: 276 s to go at 2 s/s is 2m18s.
        let s = series(
            &(0..10_i32)
                .map(|i| (i64::from(i), 6.0 + 2.0 * f64::from(i)))
                .collect::<Vec<_>>(),
        );
        let slope = s.slope_per_sec().expect("slope");
        assert!((slope - 2.0).abs() < 1e-9);
        assert_eq!(s.time_to(300.0), Some(Duration::from_secs(138)));
    }

    #[test]
    fn a_steady_or_falling_value_never_forecasts_a_breach() {
        assert_eq!(
            series(&[(0, 5.0), (2, 5.0), (4, 5.0), (6, 5.0), (8, 5.0)]).time_to(300.0),
            None
        );
        assert_eq!(
            series(&[(0, 9.0), (2, 7.0), (4, 5.0), (6, 3.0), (8, 1.0)]).time_to(300.0),
            None
        );
    }

    #[test]
    fn too_few_or_too_close_readings_say_nothing() {
        assert_eq!(
            series(&[(0, 1.0), (1, 2.0), (2, 3.0)]).slope_per_sec(),
            None
        );
        let mut close = Series::default();
        for i in 0..10 {
            close.push(
                Timestamp::from_millis(i * 100),
                f64::from(u8::try_from(i).unwrap_or(0)),
            );
        }
        assert_eq!(close.slope_per_sec(), None, "one second of readings");
    }

    #[test]
    fn out_of_order_and_non_finite_readings_are_ignored() {
        let mut s = series(&[(0, 1.0), (5, 2.0)]);
        s.push(Timestamp::from_secs(3), 100.0);
        s.push(Timestamp::from_secs(6), f64::NAN);
        s.push(Timestamp::from_secs(7), f64::INFINITY);
        assert_eq!(s.values(), [1.0, 2.0]);
    }

    #[test]
    fn only_the_latest_readings_are_kept() {
        let s = series(&(0..1000).map(|i| (i, 1.0)).collect::<Vec<_>>());
        assert_eq!(s.values().len(), KEPT);
    }

    #[test]
    fn a_far_breach_is_beyond_the_horizon() {
        let s = series(&[(0, 0.0), (10, 0.001), (20, 0.002), (30, 0.003), (40, 0.004)]);
        assert_eq!(s.time_to(300.0), None);
    }

    fn pace(points: &[(i64, u64)]) -> BlockPace {
        let mut p = BlockPace::default();
        for (i, (t, h)) in points.iter().enumerate() {
            let polled = Timestamp::from_secs(1000 + i64::try_from(i).unwrap_or(0));
            p.observe(polled, *h, Timestamp::from_secs(*t));
        }
        p
    }

    #[test]
    fn a_block_pace_is_the_blocks_own_times_over_the_heights_gained() {
        // Polled every second, blocks every 6 s: heights repeat between
        // blocks and a poll may skip one; the interval is still 6 s.
        let p = pace(&[(0, 10), (0, 10), (6, 11), (18, 13), (18, 13), (24, 14)]);
        assert_eq!(p.interval(), Some(Duration::from_secs(6)));
        assert_eq!(p.gaps(Timestamp::from_secs(25)), [6.0, 6.0, 6.0]);
        // Forty seconds without a block: the wait is the last bar.
        assert_eq!(p.gaps(Timestamp::from_secs(64)).last().copied(), Some(40.0));
    }

    #[test]
    fn a_pace_needs_three_heights_and_restarts_when_time_or_height_go_back() {
        assert_eq!(pace(&[(0, 10), (6, 11)]).interval(), None, "one gap");
        assert_eq!(pace(&[]).interval(), None);
        let back = pace(&[(0, 10), (6, 11), (12, 12), (3, 13)]);
        assert_eq!(back.interval(), None, "a block time went backwards");
        assert_eq!(back.latest_block_time(), Some(Timestamp::from_secs(3)));
        let lower = pace(&[(0, 10), (6, 11), (12, 12), (18, 5)]);
        assert_eq!(lower.interval(), None, "a height went backwards");
        // A reading polled before the last one is ignored.
        let mut p = pace(&[(0, 10), (6, 11), (12, 12)]);
        p.observe(Timestamp::from_secs(1), 99, Timestamp::from_secs(600));
        assert_eq!(p.interval(), Some(Duration::from_secs(6)));
    }

    #[test]
    fn a_block_time_ahead_of_the_poll_counts_from_the_poll() {
        let mut p = BlockPace::default();
        p.observe(Timestamp::from_secs(100), 7, Timestamp::from_secs(4000));
        assert_eq!(p.latest_block_time(), Some(Timestamp::from_secs(100)));
        // Still at that height 40 s later: the wait shows, not a future.
        p.observe(Timestamp::from_secs(140), 7, Timestamp::from_secs(4000));
        assert_eq!(p.gaps(Timestamp::from_secs(140)), Vec::<f64>::new());
        assert_eq!(p.latest_block_time(), Some(Timestamp::from_secs(100)));
    }

    #[test]
    fn a_huge_height_jump_does_not_overflow() {
        let p = pace(&[(0, 0), (6, 1), (12, u64::MAX)]);
        assert_eq!(p.interval(), None, "more blocks than a u32 counts");
        assert!(
            p.gaps(Timestamp::from_secs(12))
                .iter()
                .all(|g| g.is_finite())
        );
    }

    #[test]
    fn sparklines_scale_to_the_top_and_keep_the_latest() {
        assert_eq!(sparkline(&[0.0, 1.0, 2.0, 4.0], 10, 0.0), "▁▃▅█");
        assert_eq!(sparkline(&[9.0, 0.0, 0.0], 2, 0.0), "▁▁");
        assert_eq!(sparkline(&[], 5, 0.0), "");
        assert_eq!(sparkline(&[3.0], 5, 0.0), "", "one reading is no line");
        assert_eq!(
            sparkline(&[3.0, 3.0], 5, 300.0),
            "▁▁",
            "low against the target"
        );
    }
}
