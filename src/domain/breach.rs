//! Every target that does not demonstrably hold, worst first.
//!
//! Unknown and stale data count: a target nobody can confirm is not a
//! target that holds. The list is sorted by severity so that the header's
//! first words and the Targets panel's first line are the worst problem.

use std::fmt::Write as _;

use serde::Serialize;

use super::assess::{self, Level, Verdict};
use super::bft;
use super::estate::EstateSpec;
use super::fleet::EstateView;
use super::signing::{self, SigningBasis, SigningPicture};
use super::time::Timestamp;

/// What kind of target is breached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreachKind {
    /// RPC nodes disagree on the block at one height: a fork, the worst
    /// thing the console can see (double signs follow forks).
    ChainSplit,
    /// An RPC node serves another chain than the environment's.
    WrongChain,
    /// Two regions both report their database as the primary: writes can
    /// land on both sides and diverge (split brain).
    DatabaseSplit,
    /// No blocks for longer than the halt threshold.
    ChainHalted,
    /// Route53 says a region is unhealthy.
    RegionUnhealthy,
    /// One validator (or one more region) from halting.
    HaltMargin,
    /// A validator has no signature in the latest commits.
    ValidatorMissing,
    /// Replication lag above the RPO.
    Rpo,
    /// A region has no fresh RPC answer, or the chain view is old.
    RpcUnknown,
    /// Voting power no region claims.
    UnmappedPower,
    /// A configured validator is not in the chain's set.
    ValidatorNotInSet,
    /// A backup older than its alarm age, or missing.
    BackupAlarm,
    /// A backup passphrase secret does not exist.
    SecretMissing,
    /// Something needed to judge a target is stale or unknown.
    Unknown,
}

/// One breached (or unverifiable) target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breach {
    /// Kind.
    pub kind: BreachKind,
    /// What it is about: a region, `region/kind`, a validator, or `chain`.
    pub subject: String,
    /// Why, in words.
    pub detail: String,
}

impl Breach {
    /// How it is shown: unconfirmed data is unknown, the rest critical.
    #[must_use]
    pub fn level(&self) -> Level {
        match self.kind {
            BreachKind::Unknown | BreachKind::RpcUnknown => Level::Unknown,
            _ => Level::Critical,
        }
    }

    /// The header's words for it, when it is the worst problem.
    #[must_use]
    pub fn headline(&self) -> String {
        match self.kind {
            BreachKind::ChainHalted => "CHAIN HALTED".to_owned(),
            BreachKind::ChainSplit => "CHAIN SPLIT".to_owned(),
            BreachKind::WrongChain => "WRONG CHAIN".to_owned(),
            BreachKind::DatabaseSplit => "TWO DATABASE PRIMARIES".to_owned(),
            BreachKind::RegionUnhealthy => format!(
                "{} DOWN",
                self.subject.trim_end_matches(" health").to_uppercase()
            ),
            BreachKind::HaltMargin => "NEAR HALT".to_owned(),
            _ => format!("{} {}", self.subject.to_uppercase(), self.detail),
        }
    }
}

/// Every target that does not demonstrably hold, worst first.
#[must_use]
pub fn breaches(view: &EstateView, now: Timestamp) -> Vec<Breach> {
    breaches_given(view, now, &signing::picture(view, now))
}

/// [`breaches`] with the signing picture already made (a frame makes it
/// once for every panel).
#[must_use]
pub fn breaches_given(view: &EstateView, now: Timestamp, picture: &SigningPicture) -> Vec<Breach> {
    let mut out = Vec::new();
    regional(view, now, &mut out);
    database_split(view, now, &mut out);
    chain(view, now, picture, &mut out);
    out.sort_by_key(|b| b.kind);
    out
}

fn push(out: &mut Vec<Breach>, kind: BreachKind, subject: String, v: &Verdict) {
    let kind = if matches!(v.level, Level::Stale | Level::Unknown) {
        BreachKind::Unknown
    } else {
        kind
    };
    out.push(Breach {
        kind,
        subject,
        detail: v.word.clone(),
    });
}

/// More than one region whose fresh reading says its database is the
/// primary.
fn database_split(view: &EstateView, now: Timestamp, out: &mut Vec<Breach>) {
    let primaries: Vec<&str> = view
        .regions
        .iter()
        .filter(|r| {
            r.topology
                .fresh_value(now, view.spec.poll.health)
                .is_some_and(|t| t.database == Some(super::observation::DatabaseRole::Primary))
        })
        .map(|r| r.name.as_str())
        .collect();
    if primaries.len() > 1 {
        out.push(Breach {
            kind: BreachKind::DatabaseSplit,
            subject: "database".to_owned(),
            detail: format!(
                "{} each report their database as the primary",
                primaries.join(" and ")
            ),
        });
    }
}

/// Health, replication, backups, secrets and RPC coverage per region.
fn regional(view: &EstateView, now: Timestamp, out: &mut Vec<Breach>) {
    let spec: &EstateSpec = &view.spec;
    for r in &view.regions {
        let h = assess::region_health(r, now, spec.poll.health);
        if h.level != Level::Ok {
            let subject = format!("{} health", r.name);
            push(out, BreachKind::RegionUnhealthy, subject, &h);
        }
        let l = assess::replication(&r.lag, spec.targets.rpo, now, spec.poll.metrics);
        if matches!(l.level, Level::Critical | Level::Stale | Level::Unknown) {
            push(out, BreachKind::Rpo, format!("{} replication", r.name), &l);
        }
        for ((kind, newest), policy) in r.backups.iter().zip(&spec.backups) {
            let b = assess::backup(newest, policy, now, spec.poll.backups);
            if matches!(b.level, Level::Critical | Level::Stale | Level::Unknown) {
                let subject = format!("{}/{}", r.name, kind.label());
                push(out, BreachKind::BackupAlarm, subject, &b);
            }
        }
        for (name, s) in &r.secrets {
            let v = assess::secret(s, now, spec.poll.backups);
            if v.level != Level::Ok {
                let subject = format!("{} secret {name}", r.name);
                push(out, BreachKind::SecretMissing, subject, &v);
            }
        }
        let answering = r
            .nodes
            .iter()
            .filter(|(_, n)| n.fresh_value(now, spec.poll.chain).is_some())
            .count();
        if answering == 0 {
            let why = r
                .nodes
                .iter()
                .find_map(|(name, n)| n.last_error.as_ref().map(|(e, _)| format!(": {name}: {e}")))
                .unwrap_or_default();
            let detail = if r.nodes.is_empty() {
                "no RPC node configured: the chain is unseen from here".to_owned()
            } else {
                format!("no fresh answer from its {} RPC nodes{why}", r.nodes.len())
            };
            out.push(Breach {
                kind: BreachKind::RpcUnknown,
                subject: format!("{} rpc", r.name),
                detail,
            });
        }
    }
}

/// Block production, the chain view's age, signing and region loss.
fn chain(view: &EstateView, now: Timestamp, picture: &SigningPicture, out: &mut Vec<Breach>) {
    let spec = &view.spec;
    let c = assess::chain(&view.chain, now, spec.poll.chain);
    match c.level {
        Level::Critical => push(out, BreachKind::ChainHalted, "chain".to_owned(), &c),
        Level::Stale | Level::Unknown => out.push(Breach {
            kind: BreachKind::RpcUnknown,
            subject: "chain".to_owned(),
            detail: format!("chain view {}: no RPC node answered lately", c.word),
        }),
        Level::Ok | Level::AtRisk | Level::Warn => {}
    }
    agreement(view, now, out);
    placement(picture, out);
    if picture.basis != SigningBasis::Signing {
        return;
    }
    if let Some(chain) = view.chain.fresh_value(now, spec.poll.chain) {
        for v in &chain.validators {
            if signing::missing(v, chain.height) {
                let name = spec
                    .validator(&v.address)
                    .map_or(v.address.as_str(), |c| &c.name);
                let detail = match v.last_signed_height {
                    Some(h) => format!(
                        "no signature in the last {} blocks (last signed at height {h})",
                        chain.height.saturating_sub(h)
                    ),
                    None => format!("in none of the last {} commits", v.window),
                };
                out.push(Breach {
                    kind: BreachKind::ValidatorMissing,
                    subject: name.to_owned(),
                    detail,
                });
            }
        }
    }
    margin(view, picture, out);
}

/// Why the RPC endpoints do not tell one story, if they do not: a fork,
/// endpoints on another chain (both read from `breaches`, already made),
/// then what one region's endpoints disagree on; for the chain panel and
/// `status --json`.
#[must_use]
pub fn disagreement(breaches: &[Breach], view: &EstateView, now: Timestamp) -> Option<String> {
    let mut parts: Vec<String> = breaches
        .iter()
        .filter_map(|b| match b.kind {
            BreachKind::WrongChain => Some(format!("{} {}", b.subject, b.detail)),
            BreachKind::ChainSplit => Some(b.detail.clone()),
            _ => None,
        })
        .collect();
    if let Some(c) = view.chain.known_value(now, view.spec.poll.chain)
        && let Some(d) = &c.disagreement
    {
        parts.push(d.clone());
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// A fork among the endpoints, and endpoints serving another chain.
fn agreement(view: &EstateView, now: Timestamp, out: &mut Vec<Breach>) {
    if let Some(fork) = view.agreement.fork() {
        out.push(Breach {
            kind: BreachKind::ChainSplit,
            subject: "chain".to_owned(),
            detail: fork.describe(),
        });
    }
    let fresh_for = view
        .spec
        .poll
        .chain
        .saturating_mul(super::telemetry::STALE_AFTER_INTERVALS);
    for w in view
        .agreement
        .wrong_chains(view.spec.chain_id.as_deref(), now, fresh_for)
    {
        out.push(Breach {
            kind: BreachKind::WrongChain,
            subject: w.endpoint,
            detail: match &w.expected {
                Some(e) => format!("serves chain {}, not {e}", w.serves),
                None => format!(
                    "serves chain {}, and as many endpoints serve another: neither is trusted",
                    w.serves
                ),
            },
        });
    }
}

/// Power nothing places, and configured validators the chain lacks.
fn placement(picture: &SigningPicture, out: &mut Vec<Breach>) {
    let unplaced: Vec<&str> = picture
        .signers
        .iter()
        .filter(|s| s.region.is_none())
        .map(|s| s.address.as_str())
        .collect();
    if !unplaced.is_empty() {
        let power: u64 = picture
            .signers
            .iter()
            .filter(|s| s.region.is_none())
            .fold(0_u64, |a, s| a.saturating_add(s.power));
        let mut detail = format!(
            "{power} power in no region, counted as lost with any region: {}",
            unplaced
                .iter()
                .take(5)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        );
        if unplaced.len() > 5 {
            let _ = write!(detail, " and {} more", unplaced.len() - 5);
        }
        out.push(Breach {
            kind: BreachKind::UnmappedPower,
            subject: "chain".to_owned(),
            detail,
        });
    }
    for name in &picture.not_in_set {
        out.push(Breach {
            kind: BreachKind::ValidatorNotInSet,
            subject: name.clone(),
            detail: "configured, but not in the chain's validator set".to_owned(),
        });
    }
}

/// One validator from halting, or a region whose loss now halts the chain
/// though the layout would survive it with everyone signing.
fn margin(view: &EstateView, picture: &SigningPicture, out: &mut Vec<Breach>) {
    let m = picture.margin();
    let names: Vec<String> = view.spec.regions.iter().map(|r| r.name.clone()).collect();
    let degraded: Vec<String> = bft::region_loss(&names, picture)
        .into_iter()
        .filter(|l| l.regions.len() == 1 && l.halts && !l.halts_at_full_strength)
        .flat_map(|l| l.regions)
        .collect();
    if !m.quorum {
        out.push(Breach {
            kind: BreachKind::HaltMargin,
            subject: "chain".to_owned(),
            detail: format!(
                "only {} of {} power signs: blocks need more than {}",
                m.signing_power,
                m.total_power,
                bft::power_needed(m.total_power).saturating_sub(1)
            ),
        });
    } else if m.one_validator_from_halt() {
        out.push(Breach {
            kind: BreachKind::HaltMargin,
            subject: "chain".to_owned(),
            detail: format!(
                "one validator from halting: {} of {} power signs, {} to spare",
                m.signing_power, m.total_power, m.margin_power
            ),
        });
    } else if !degraded.is_empty() {
        out.push(Breach {
            kind: BreachKind::HaltMargin,
            subject: "chain".to_owned(),
            detail: format!(
                "losing {} now halts the chain: {} of {} power signs, {} to spare",
                degraded.join(" or "),
                m.signing_power,
                m.total_power,
                m.margin_power
            ),
        });
    }
}

#[cfg(test)]
#[path = "breach_tests.rs"]
mod tests;
