//! What a run's passed steps taught the console about the estate, from
//! its state alone (so a resumed run knows it too): today, the keys it
//! rotated. The dashboard folds these in as its own knowledge, which is
//! what keeps a rotated validator under its name in a live run, where no
//! simulated estate reports the rotation.

use super::engine::run_vars;
use super::plan::{OnPass, Phase, Plan};
use super::protocol::{Mode, Task};
use super::record::RunState;
use crate::domain::observation::KeyRotation;
use crate::domain::time::Timestamp;

/// The key rotations this run's passed steps made, in the order they
/// passed. A dry run ran nothing, so it rotated nothing; a step whose
/// undo passed since is left out; a value that cannot be filled in (a
/// capture that never came) leaves its rotation out rather than guess.
/// The height is unknown here: the dashboard knows the chain.
#[must_use]
pub fn key_rotations(
    plan: &Plan,
    state: &RunState,
    mode: &Mode,
    now: Timestamp,
) -> Vec<KeyRotation> {
    if matches!(mode, Mode::DryRun) {
        return Vec::new();
    }
    let vars = run_vars(plan, state, mode, now);
    let undone = |t: &Task| state.passed_in_order.contains(&Task::Undo(t.step()));
    state
        .passed_in_order
        .iter()
        .filter(|t| matches!(t, Task::Step(at) if at.phase == Phase::Step) && !undone(t))
        .filter_map(|t| {
            let step = plan.step(t.step())?;
            let Some(OnPass::KeyRotated {
                validator,
                old_address,
                new_address,
            }) = &step.on_pass
            else {
                return None;
            };
            let at = state.tasks.get(t).and_then(|s| s.ended).unwrap_or(now);
            Some(KeyRotation {
                validator: validator.render(&vars).ok()?,
                old_address: old_address.render(&vars).ok()?,
                new_address: new_address.render(&vars).ok()?,
                height: None,
                at,
                signs_from: at,
            })
        })
        .filter(|r| !r.new_address.is_empty() && !r.old_address.is_empty())
        .collect()
}
