//! The one clock abstraction: the runtime reads it and hands the time to
//! `update` inside messages; simulations and drills run it faster than real
//! time or pause it.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::domain::time::Timestamp;

/// A source of "now".
pub trait Clock: Send + Sync {
    /// The current instant on this clock.
    fn now(&self) -> Timestamp;

    /// How much wall time passes while this clock advances by `d`: what
    /// the runtime sleeps for. A fast virtual clock sleeps less.
    fn wall_for(&self, d: Duration) -> Duration {
        d
    }
}

/// The machine's wall clock: for live estates.
#[derive(Debug, Default, Clone, Copy)]
pub struct WallClock;

impl Clock for WallClock {
    fn now(&self) -> Timestamp {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        Timestamp::from_millis(i64::try_from(ms).unwrap_or(i64::MAX))
    }
}

#[derive(Debug, Clone, Copy)]
struct Anchor {
    real: Instant,
    virtual_at: Timestamp,
    speed: f64,
    paused: bool,
}

/// A clock that starts at a chosen instant and runs at a chosen speed
/// (1x, 10x...), and can be paused: the simulated estate and drills run on it.
#[derive(Debug)]
pub struct VirtualClock {
    anchor: Mutex<Anchor>,
}

impl VirtualClock {
    /// A clock reading `start` now and advancing `speed` times real time.
    #[must_use]
    pub fn new(start: Timestamp, speed: f64) -> Self {
        Self {
            anchor: Mutex::new(Anchor {
                real: Instant::now(),
                virtual_at: start,
                speed: speed.max(0.0),
                paused: false,
            }),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut Anchor) -> R) -> R {
        let mut guard = match self.anchor.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }

    fn read(a: &Anchor) -> Timestamp {
        if a.paused {
            return a.virtual_at;
        }
        let real = a.real.elapsed().as_secs_f64() * a.speed;
        a.virtual_at
            .plus(crate::domain::duration::from_secs_f64(real))
    }

    /// Changes speed from now on without jumping.
    pub fn set_speed(&self, speed: f64) {
        self.with(|a| {
            a.virtual_at = Self::read(a);
            a.real = Instant::now();
            a.speed = speed.max(0.0);
        });
    }

    /// Stops or restarts the clock without losing time.
    pub fn set_paused(&self, paused: bool) {
        self.with(|a| {
            a.virtual_at = Self::read(a);
            a.real = Instant::now();
            a.paused = paused;
        });
    }

    /// Moves the clock forward to `t` (never back): skipping to a drill's
    /// next inject.
    pub fn jump_to(&self, t: Timestamp) {
        self.with(|a| {
            let now = Self::read(a);
            a.virtual_at = now.max(t);
            a.real = Instant::now();
        });
    }

    /// The current speed factor.
    #[must_use]
    pub fn speed(&self) -> f64 {
        self.with(|a| a.speed)
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> Timestamp {
        self.with(|a| Self::read(a))
    }

    fn wall_for(&self, d: Duration) -> Duration {
        let speed = self.speed();
        if speed > 0.0 {
            crate::domain::duration::from_secs_f64(d.as_secs_f64() / speed)
        } else {
            d
        }
    }
}

/// A clock that moves only when told: tests and headless drills.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<Timestamp>,
}

impl ManualClock {
    /// A clock stopped at `start`.
    #[must_use]
    pub fn new(start: Timestamp) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, d: Duration) {
        let mut g = match self.now.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        *g = g.plus(d);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        match self.now.lock() {
            Ok(g) => *g,
            Err(p) => *p.into_inner(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paused_virtual_clock_stands_still() {
        let c = VirtualClock::new(Timestamp::from_secs(1000), 1000.0);
        c.set_paused(true);
        let a = c.now();
        let b = c.now();
        assert_eq!(a, b);
        assert!(a >= Timestamp::from_secs(1000));
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::new(Timestamp::from_secs(5));
        assert_eq!(c.now(), Timestamp::from_secs(5));
        c.advance(Duration::from_secs(3));
        assert_eq!(c.now(), Timestamp::from_secs(8));
    }
}
