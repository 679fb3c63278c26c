//! What a practice step does to the simulated estate: its effect, the
//! Route 53 built-ins' effect on traffic, a fence, a key, a restore, or a
//! check judged against the simulated service.

use std::sync::Mutex;
use std::time::Duration;

use crate::domain::runbook::plan::SimCheck;
use crate::domain::runbook::protocol::{Job, RenderedOperation, RenderedPractice};
use crate::sources::clock::Clock;
use crate::sources::sim::SimEstate;

/// Applies `job`'s effect now; a DNS change that `dns` says settles
/// later reaches clients then.
pub(super) fn apply(
    estate: &Mutex<SimEstate>,
    clock: Option<&dyn Clock>,
    job: &Job,
    dns: Option<Duration>,
) -> Result<String, String> {
    let mut estate = estate
        .lock()
        .map_err(|_| "the simulated estate is unavailable".to_owned())?;
    if let Some(clock) = clock {
        // The step ends now: the estate changes at its end.
        estate.advance_to(clock.now());
    }
    let err = |e: crate::sources::sim::SimError| e.to_string();
    let traffic = |estate: &mut SimEstate, r: &str, on: bool| -> Result<String, String> {
        if let Some(after) = dns {
            estate.shift_traffic(r, on, after).map_err(err)?;
            Ok(format!(
                "traffic to {r} {} once DNS settles, in {}",
                on_off(on),
                crate::domain::duration::format(after)
            ))
        } else {
            estate.set_traffic(r, on).map_err(err)?;
            Ok(format!("traffic to {r} {}", on_off(on)))
        }
    };
    let mut done = Vec::new();
    // The runbook's own practice effect first.
    match &job.practice {
        RenderedPractice::None => {}
        RenderedPractice::PromoteDatabase(r) => {
            estate.promote_database(r).map_err(err)?;
            done.push(format!("database primary is now {r}"));
        }
        RenderedPractice::Traffic(r, on) => done.push(traffic(&mut estate, r, *on)?),
        RenderedPractice::Validators(r, on) => {
            estate.set_validators_running(r, *on).map_err(err)?;
            done.push(format!(
                "validators in {r} {}",
                if *on { "started" } else { "stopped" }
            ));
        }
        RenderedPractice::RecoverRegion(r) => {
            estate.recover_region(r).map_err(err)?;
            done.push(format!("{r} recovered"));
        }
        p @ (RenderedPractice::RestoreChainState(_)
        | RenderedPractice::RestoreValidatorKey(_)
        | RenderedPractice::Validator(..)
        | RenderedPractice::StartNewKeyNode(_)
        | RenderedPractice::RotateKey(_)
        | RenderedPractice::KeySilent(_)
        | RenderedPractice::RotatedKeySigns(_)) => {
            done.push(key_or_restore(&mut estate, p)?);
        }
        RenderedPractice::StandbyValidators(from, to) => {
            estate.start_standby_validators(from, to).map_err(err)?;
            done.push(format!(
                "standby keys of {from}'s validators started in {to}"
            ));
        }
        RenderedPractice::Check(check) => done.push(sim_check(&estate, *check)?),
        RenderedPractice::Fail(m) => return Err(m.clone()),
    }
    // Route53 built-ins act on the estate as AWS would.
    match &job.operation {
        RenderedOperation::RecordWeight { region, weight, .. } => {
            let moved = traffic(&mut estate, region, *weight > 0)?;
            done.push(format!("weight of {region} set to {weight}: {moved}"));
        }
        RenderedOperation::HealthCheck {
            inverted: Some(true),
            region: Some(r),
            ..
        } => {
            let moved = traffic(&mut estate, r, false)?;
            done.push(format!("health check of {r} inverted: {moved}"));
        }
        RenderedOperation::HealthCheck {
            disabled: Some(true),
            region,
            ..
        } => done.push(format!(
            "health check{} disabled: AWS reads it healthy, traffic keeps flowing",
            region
                .as_ref()
                .map(|r| format!(" of {r}"))
                .unwrap_or_default()
        )),
        _ => {}
    }
    if done.is_empty() {
        done.push("recorded; no effect on the simulated estate".to_owned());
    }
    Ok(done.join("; "))
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

/// The effects on one region's state or one validator's key: a restore
/// from a chain-state snapshot, a key through the ceremony, fencing one
/// validator, a new-key node, a key rotation. One line for the output.
fn key_or_restore(
    estate: &mut crate::sources::sim::SimEstate,
    p: &RenderedPractice,
) -> Result<String, String> {
    let out = match p {
        RenderedPractice::RestoreChainState(r) => {
            estate.restore_chain_state(r).map(|r| r.describe())
        }
        RenderedPractice::RestoreValidatorKey(v) => estate.restore_validator_key(v),
        RenderedPractice::Validator(v, on) => estate.set_validator_running(v, *on),
        RenderedPractice::StartNewKeyNode(v) => estate.start_new_key_node(v),
        RenderedPractice::KeySilent(v) => estate.key_silent(v),
        RenderedPractice::RotatedKeySigns(v) => estate.rotated_key_signs(v),
        RenderedPractice::RotateKey(v) => estate.rotate_validator_key(v).map(|r| {
            format!(
                "key of {} rotated at height {}: {} left the validator set, {} signs from {}",
                r.validator,
                r.height.unwrap_or_default(),
                r.old_address,
                r.new_address,
                r.signs_from
            )
        }),
        _ => return Ok(String::new()),
    };
    out.map_err(|e| e.to_string())
}

/// A practice check judged against the simulated service; the line for
/// the output, or why it failed.
fn sim_check(estate: &crate::sources::sim::SimEstate, check: SimCheck) -> Result<String, String> {
    let service = estate.service();
    let (ok, what) = match check {
        SimCheck::ApiHealthy => (
            service.api_healthy,
            format!(
                "API served from {}",
                if service.serving.is_empty() {
                    "nowhere".to_owned()
                } else {
                    service.serving.join(", ")
                }
            ),
        ),
        SimCheck::BlocksCommitting => (
            service.blocks_committing,
            format!("chain at height {}", estate.chain_height()),
        ),
    };
    if !ok {
        return Err(format!(
            "check failed on the simulated estate: {what}, {}",
            match check {
                SimCheck::ApiHealthy => "API not healthy",
                SimCheck::BlocksCommitting => "no block committed in the last 20 s",
            }
        ));
    }
    Ok(format!("check passed: {what}"))
}
