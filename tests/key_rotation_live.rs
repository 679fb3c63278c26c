//! A rotation run live: no simulated estate reports it, so the dashboard
//! learns it from the run itself. The real rotation runbook and actions
//! file say which step rotates (the action's `on_pass:`), the journal's
//! records say it passed and which address the new node printed, and the
//! dashboard keeps the validator under its name with the height it saw.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use drconsole::app::App;
use drconsole::config::runbook::{Actions, compile, load_runbook};
use drconsole::domain::estate::EstateSpec;
use drconsole::domain::fleet::EstateView;
use drconsole::domain::observation::KeyRotation;
use drconsole::domain::runbook::learned::key_rotations;
use drconsole::domain::runbook::plan::{Phase, Plan, StepRef};
use drconsole::domain::runbook::protocol::{Mode, Task};
use drconsole::domain::runbook::record::{Captured, Record, RunState};
use drconsole::domain::time::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const VALIDATOR: &str = "us-east-1-val-0";

fn plan(old: &str) -> Plan {
    let given: BTreeMap<String, String> = [
        ("VALIDATOR", VALIDATOR),
        ("REGION", "us-east-1"),
        ("OLD_ADDRESS", old),
        ("VALOPER", "virtenginevaloper1abc"),
        ("OPERATOR_KEY", "operator"),
        ("CHAIN_ID", "virtengine-1"),
        ("RPC_URL", "http://127.0.0.1:26657"),
        ("ROTATION_FEE", "1000000uve"),
        ("FEE_AMOUNT", "1000000"),
        ("FEE_DENOM", "uve"),
        ("NEW_ENVELOPE", "val0.rotated.key.enc"),
        ("PASSPHRASE_SECRET", "virtengine/val0/passphrase"),
        ("SECRET_REGION", "eu-west-1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let rb = load_runbook(Path::new("runbooks/validator-key-rotation.yaml")).unwrap();
    compile(
        &rb,
        &Actions::shipped().unwrap(),
        &given,
        &EstateSpec::seed(),
    )
    .unwrap()
}

fn live() -> Mode {
    Mode::Live {
        environment: "prod".into(),
    }
}

/// The run's state after its steps passed up to and including `last`,
/// the new-key node printing `new` as its last line.
fn passed_until(plan: &Plan, last: &str, new: &str, at: Timestamp) -> RunState {
    let mut state = RunState::default();
    Record::RunStarted {
        run: "r1".into(),
        runbook: plan.name.clone(),
        version: plan.version.clone(),
        fingerprint: plan.fingerprint.clone(),
        mode: live(),
    }
    .apply(at, &mut state);
    for (index, step) in plan.steps.iter().enumerate() {
        let task = Task::Step(StepRef {
            phase: Phase::Step,
            index,
        });
        let captured = step.capture.as_ref().map(|name| Captured {
            name: name.clone(),
            value: new.to_owned(),
        });
        Record::Passed {
            task,
            attempt: 1,
            exit: Some(0),
            output: new.to_owned(),
            captured,
        }
        .apply(at, &mut state);
        if step.name == last {
            break;
        }
    }
    state
}

/// The seed estate with us-east-1-val-0's key rotated on the chain, seen
/// as a live console sees it: the chain's set at the new address and no
/// source that says a rotation happened.
fn live_view() -> (EstateView, Timestamp, String, String) {
    let (mut view, now) = support::estate::view_watched(400, &[], |sim| {
        sim.set_validator_running(VALIDATOR, false).unwrap();
        sim.start_new_key_node(VALIDATOR).unwrap();
        sim.rotate_validator_key(VALIDATOR).unwrap();
    });
    let r = view.rotations.pop().expect("the sim rotated");
    assert!(view.rotations.is_empty());
    (view, now, r.old_address, r.new_address)
}

fn dashboard(view: EstateView, now: Timestamp) -> App {
    App::new(
        view,
        drconsole::config::builtin_layout("default").unwrap(),
        drconsole::config::builtin_theme("dark").unwrap(),
        now,
    )
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(200, 48)).unwrap();
    t.draw(|f| drconsole::ui::render(f, app)).unwrap();
    format!("{}", t.backend())
}

fn row<'a>(screen: &'a str, needle: &str) -> Option<&'a str> {
    screen.lines().find(|l| l.contains(needle))
}

#[test]
fn the_rotation_step_of_the_real_runbook_tells_which_key_it_rotated() {
    let (old, new) = (
        "6DE2F18AC876F1587B5E73C9AC87818641A280AB",
        "A1B2C3D4E5F60718293A4B5C6D7E8F9011223344",
    );
    let plan = plan(old);
    let at = Timestamp::from_millis(1_800_000_000_000);
    // Up to the new node: nothing rotated yet.
    let before = passed_until(&plan, "start_new_key_node", new, at);
    assert_eq!(key_rotations(&plan, &before, &live(), at), Vec::new());
    let after = passed_until(&plan, "rotate_consensus_key", new, at);
    let got = key_rotations(&plan, &after, &live(), at);
    assert_eq!(
        got,
        vec![KeyRotation {
            validator: VALIDATOR.into(),
            old_address: old.into(),
            new_address: new.into(),
            height: None,
            at,
            signs_from: at,
        }]
    );
    // Practice says the same (the estate also reports it, with its height).
    assert_eq!(key_rotations(&plan, &after, &Mode::Practice, at), got);
    // A dry run ran nothing: it rotated nothing.
    assert_eq!(key_rotations(&plan, &after, &Mode::DryRun, at), Vec::new());
}

#[test]
fn a_rotation_whose_new_address_was_never_captured_is_not_guessed() {
    let plan = plan("6DE2F18AC876F1587B5E73C9AC87818641A280AB");
    let at = Timestamp::from_millis(1_800_000_000_000);
    let mut state = passed_until(&plan, "rotate_consensus_key", "X", at);
    state.captured.clear();
    assert_eq!(key_rotations(&plan, &state, &live(), at), Vec::new());
}

#[test]
fn a_live_rotation_keeps_the_validator_under_its_name_with_the_height_seen() {
    let (view, now, old, new) = live_view();
    let mut app = dashboard(view, now);
    // Without the run's word, the new address is a stranger.
    let before = screen(&app);
    assert!(
        row(&before, &new[..8]).is_some_and(|r| !r.contains(VALIDATOR)),
        "{before}"
    );
    let height = app.view().chain.reading.as_ref().unwrap().value.height;
    let plan = plan(&old);
    let state = passed_until(&plan, "rotate_consensus_key", &new, now);
    for r in key_rotations(&plan, &state, &live(), now) {
        app.learn_rotation(&r);
    }
    let after = screen(&app);
    let line = row(&after, &format!("{VALIDATOR} ")).unwrap_or_else(|| panic!("{after}"));
    assert!(
        line.contains(&format!("↻ rotated at height {}", height + 1)),
        "{line}"
    );
    assert!(
        !after.contains("not in the chain's validator set"),
        "{after}"
    );
    // Learning it again (every picture of the run carries it) changes nothing.
    for r in key_rotations(&plan, &state, &live(), now) {
        app.learn_rotation(&r);
    }
    assert_eq!(app.view().rotations.len(), 1);
}

#[test]
fn a_rotation_learned_long_after_the_last_chain_answer_has_no_height() {
    let (view, now, old, new) = live_view();
    let mut app = dashboard(view, now);
    // A resumed run, say: the rotation passed ten minutes after the
    // console's last chain answer; that answer's height would be wrong.
    let later = now.plus(Duration::from_mins(10));
    let plan = plan(&old);
    let state = passed_until(&plan, "rotate_consensus_key", &new, later);
    for r in key_rotations(&plan, &state, &live(), later) {
        app.learn_rotation(&r);
    }
    let shown = screen(&app);
    let line = row(&shown, &format!("{VALIDATOR} ")).unwrap_or_else(|| panic!("{shown}"));
    assert!(line.contains("↻ rotated (height not seen)"), "{line}");
    // The estate's own report, with its height, replaces the unknown.
    app.learn_rotation(&KeyRotation {
        validator: VALIDATOR.into(),
        old_address: old,
        new_address: new.to_ascii_lowercase(),
        height: Some(4242),
        at: later,
        signs_from: later,
    });
    let shown = screen(&app);
    let line = row(&shown, &format!("{VALIDATOR} ")).unwrap_or_else(|| panic!("{shown}"));
    assert!(line.contains("↻ rotated at height 4242"), "{line}");
}
