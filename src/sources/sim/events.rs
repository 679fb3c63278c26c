//! The events that move the model: 1-second ticks (replication lag, node
//! catch-up), backup job completions and block attempts.

use rand::Rng;

use super::Fault;
use super::topology::Signer;
use super::{CATCH_UP_PER_TICK, LAG_CENTRE_MS, LAG_MAX_MS, LAG_MIN_MS, SimEstate, TICK_MS};
use crate::domain::bft::keeps_consensus;

impl SimEstate {
    /// The earliest pending event; ties go tick, then backups, then the
    /// block, a fixed order so results never depend on step size.
    pub(super) fn next_event(&self) -> (i64, Event) {
        let mut next = (self.next_tick, Event::Tick);
        if let Some((i, c)) = self.next_backup()
            && c < next.0
        {
            next = (c, Event::Backup(i));
        }
        if self.chain.next_attempt() < next.0 {
            next = (self.chain.next_attempt(), Event::Block);
        }
        next
    }

    /// Processes one event at `self.now`.
    pub(super) fn handle(&mut self, event: Event) {
        match event {
            Event::Tick => self.tick(),
            Event::Backup(i) => self.finish_backup(i),
            Event::Block => self.attempt_block(),
        }
    }

    fn next_backup(&self) -> Option<(usize, i64)> {
        self.backups
            .iter()
            .enumerate()
            .map(|(i, b)| (i, b.next_completion()))
            .min_by_key(|&(i, c)| (c, i))
    }

    fn finish_backup(&mut self, i: usize) {
        let Some(track) = self.backups.get(i) else {
            return;
        };
        let (region, kind) = (track.region, track.kind);
        let name = self.region_name(region);
        let failed = self.is_down(region)
            || self.faults.iter().any(|f| {
                matches!(&f.fault, Fault::BackupJobFailure { region: r, kind: k }
                    if r == name && *k == kind)
            });
        if let Some(track) = self.backups.get_mut(i) {
            track.finish(!failed);
        }
    }

    /// Commits a block if the validators that can sign and see each other
    /// hold more than 2/3 of the power; otherwise the round times out.
    fn attempt_block(&mut self) {
        self.note_double_signs();
        let components = self.components();
        let eligible = self.eligible_validators();
        let total: u64 = self.spec.validators.iter().map(|v| v.voting_power).sum();
        let mut power = vec![0_u64; self.regions.len()];
        for (v, ok) in self.spec.validators.iter().zip(&eligible) {
            match ok {
                Signer::In(c) => power[*c] += v.voting_power,
                // Unmapped validators count wherever the block is made.
                Signer::Anywhere => power.iter_mut().for_each(|p| *p += v.voting_power),
                Signer::Cannot => {}
            }
        }
        let Some(producer) = power.iter().position(|&p| keeps_consensus(p, total)) else {
            self.chain.retry();
            self.watch_compromised(&eligible, false);
            return;
        };
        let old = self.chain.height();
        self.chain.commit(
            eligible
                .iter()
                .map(|e| matches!(e, Signer::Anywhere) || *e == Signer::In(producer)),
        );
        let now = self.now;
        for (r, c) in self.regions.iter_mut().zip(&components) {
            if *c == Some(producer) && r.height == old && now >= r.ready_at {
                r.height = old + 1;
            }
        }
        self.watch_compromised(&eligible, true);
    }

    /// The 1-second tick: replication lag moves, lagging nodes catch up.
    fn tick(&mut self) {
        self.next_tick += TICK_MS;
        self.settle_dns();
        let components = self.components();
        let primary = self.db_primary;
        let primary_name = self.region_name(primary).to_owned();
        for i in 0..self.regions.len() {
            let step = self.lag_rng.random_range(-500..=500_i64);
            let stalled = i != primary && self.replication_stalled(i, &components);
            let growth = self.lag_growth(i, &primary_name);
            let Some(r) = self.regions.get_mut(i) else {
                continue;
            };
            let pull = (r.lag_base - LAG_CENTRE_MS) / 40;
            r.lag_base = (r.lag_base + step - pull).clamp(LAG_MIN_MS, LAG_MAX_MS);
            if i == primary {
                r.lag_extra = 0;
            } else if stalled || growth > 0 {
                let add = if stalled { TICK_MS } else { 0 };
                r.lag_extra = r.lag_extra.saturating_add(add).saturating_add(growth);
            } else {
                // Halves roughly every 10 s once replication flows again.
                r.lag_extra = if r.lag_extra < 100 {
                    0
                } else {
                    r.lag_extra.saturating_mul(14) / 15
                };
            }
        }
        let tip = self.chain.height();
        let holds_tip: Vec<Option<usize>> = self
            .regions
            .iter()
            .zip(&components)
            .filter(|(r, c)| r.height == tip && c.is_some())
            .map(|(_, c)| *c)
            .collect();
        let now = self.now;
        for (r, c) in self.regions.iter_mut().zip(&components) {
            if c.is_some() && holds_tip.contains(c) && now >= r.ready_at && r.height < tip {
                r.height = (r.height + CATCH_UP_PER_TICK).min(tip);
            }
        }
    }
}

/// What the event loop does next.
#[derive(Debug, Clone, Copy)]
pub(super) enum Event {
    Tick,
    Backup(usize),
    Block,
}
