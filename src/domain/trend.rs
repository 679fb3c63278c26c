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
