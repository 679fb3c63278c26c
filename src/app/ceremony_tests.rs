#![allow(clippy::unwrap_used)]
use super::*;
use crate::crypto::shares::split;
use crate::domain::ceremony::DEFAULT_IDLE_TIMEOUT;
use crate::domain::ceremony::{ShareSet, Split};
use crate::domain::restore::Signing;
use secrecy::ExposeSecret;
use std::time::Duration;

const T0: Timestamp = Timestamp::from_secs(1_795_662_000);

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ctrl_key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn press(s: &mut OpenScreen, k: KeyEvent) -> Vec<CeremonyEffect> {
    s.update(CeremonyMsg::Key(k, T0))
}

fn type_in(s: &mut OpenScreen, text: &str) {
    for c in text.chars() {
        press(s, key(KeyCode::Char(c)));
    }
}

fn enter_share(s: &mut OpenScreen, name: &str, share: &str) -> Vec<CeremonyEffect> {
    type_in(s, name);
    press(s, key(KeyCode::Enter));
    type_in(s, share);
    press(s, key(KeyCode::Enter))
}

fn journal_kinds(effects: &[CeremonyEffect]) -> Vec<&'static str> {
    effects
        .iter()
        .filter_map(|e| match e {
            CeremonyEffect::Journal(ev) => Some(ev.kind),
            _ => None,
        })
        .collect()
}

fn shares(t: u8, n: u8) -> Vec<String> {
    split(b"PASSPHRASE0123456789ABCDEF", t, n)
        .unwrap()
        .iter()
        .map(|s| s.encode().expose_secret().to_owned())
        .collect()
}

fn screen() -> OpenScreen {
    OpenScreen::new(
        ShareSet::new(DEFAULT_IDLE_TIMEOUT),
        "validator.enc",
        "/tmp/priv_validator_key.json",
        T0,
    )
}

#[test]
fn secret_input_keeps_no_history_and_hides_in_debug() {
    let mut input = SecretInput::default();
    for c in "ABCDE".chars() {
        input.push(c);
    }
    input.pop();
    assert_eq!(input.expose(), "ABCD");
    assert_eq!(format!("{input:?}"), "SecretInput(4 chars, [REDACTED])");
    input.clear();
    assert!(input.is_empty());
    for _ in 0..300 {
        input.push('x');
    }
    assert_eq!(input.len(), 300, "grows past its first buffer");
}

#[test]
fn shares_go_in_one_by_one_then_decrypt() {
    let t = shares(3, 5);
    let mut s = screen();
    let fx = enter_share(&mut s, "alice", &t[0]);
    assert_eq!(journal_kinds(&fx), ["share.entered"]);
    assert_eq!(
        s.message.as_ref().unwrap().text,
        "✓ share 1 from alice accepted: 1 of 3"
    );
    assert!(s.name.is_empty() && s.share.is_empty(), "inputs cleared");
    assert_eq!(s.field, Field::Name);

    let fx = enter_share(&mut s, "bob", &t[0]);
    assert_eq!(journal_kinds(&fx), ["share.refused"]);
    assert_eq!(
        s.message.as_ref().unwrap().text,
        "✗ duplicate share (index 1 already entered)"
    );
    assert!(s.share.is_empty(), "a refused share is wiped too");
    assert_eq!(s.name, "bob", "the name stays for another try");
    assert_eq!(s.field, Field::Share, "and the share field keeps the focus");
    type_in(&mut s, &t[1]);
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(s.set.entered().len(), 2);

    let fx = enter_share(&mut s, "carol", &t[4]);
    assert_eq!(
        journal_kinds(&fx),
        ["share.entered", "ceremony.threshold_reached"]
    );
    let pass = fx.iter().find_map(|e| match e {
        CeremonyEffect::Decrypt(p) => Some(p.expose_secret().to_owned()),
        _ => None,
    });
    assert_eq!(pass.as_deref(), Some("PASSPHRASE0123456789ABCDEF"));
    assert!(matches!(s.phase, OpenPhase::Working(_)));
    assert!(s.set.entered().is_empty(), "shares forgotten once rebuilt");
    // Keys do nothing while working.
    assert!(press(&mut s, ctrl_key('c')).is_empty());
}

fn decrypted_key() -> CeremonyMsg {
    CeremonyMsg::Decrypted(
        Ok(Decrypted {
            plaintext: SecretSlice::from(b"{key}".to_vec()),
            content: Content::ValidatorKey {
                address: "AB12".into(),
                pub_key_type: "tendermint/PubKeyEd25519".into(),
            },
        }),
        T0,
    )
}

#[test]
fn after_decrypting_the_checks_decide_and_a_gate_needs_its_phrase() {
    let mut s = screen();
    let fx = s.update(decrypted_key());
    assert_eq!(journal_kinds(&fx), ["key.decrypted"]);
    assert!(matches!(fx[1], CeremonyEffect::Assess(_)));
    let fx = s.update(CeremonyMsg::Assessed(
        Verdict::Gate {
            reasons: vec!["priv_validator_key.json exists and will be replaced".into()],
            phrase: "overwrite priv_validator_key.json".into(),
        },
        T0,
    ));
    assert!(fx.is_empty());
    type_in(&mut s, "overwrite");
    assert!(
        press(&mut s, key(KeyCode::Enter)).is_empty(),
        "wrong phrase"
    );
    assert!(s.message.as_ref().unwrap().text.contains("Type exactly"));
    type_in(&mut s, " priv_validator_key.json");
    let fx = press(&mut s, key(KeyCode::Enter));
    assert_eq!(journal_kinds(&fx), ["restore.confirmed"]);
    let CeremonyEffect::Restore(bytes) = &fx[1] else {
        panic!("{fx:?}")
    };
    assert_eq!(bytes.expose_secret(), b"{key}");
    let fx = s.update(CeremonyMsg::Restored(Ok("/tmp/k.json".into()), T0));
    assert_eq!(journal_kinds(&fx), ["key.restored"]);
    assert!(matches!(s.phase, OpenPhase::Done(_)));
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(matches!(fx.last(), Some(CeremonyEffect::Quit)));
}

#[test]
fn refusals_and_failures_write_nothing() {
    let mut s = screen();
    s.update(decrypted_key());
    let fx = s.update(CeremonyMsg::Assessed(
        Verdict::Refuse("refused: node runs it".into()),
        T0,
    ));
    assert_eq!(journal_kinds(&fx), ["restore.refused"]);
    assert!(!fx.iter().any(|e| matches!(e, CeremonyEffect::Restore(_))));
    assert_eq!(
        s.phase,
        OpenPhase::Failed("refused: node runs it Nothing was written.".into())
    );

    let mut s = screen();
    let fx = s.update(CeremonyMsg::Decrypted(
        Err("authentication failed: wrong passphrase, or the envelope was altered".into()),
        T0,
    ));
    assert_eq!(journal_kinds(&fx), ["ceremony.failed"]);
    let OpenPhase::Failed(text) = &s.phase else {
        panic!()
    };
    assert!(text.starts_with("Decryption failed: authentication failed"));
    assert!(text.ends_with("Nothing was written."));

    // Esc at the gate asks; any key but `y` returns to the gate; `y` cancels.
    let mut s = screen();
    s.update(decrypted_key());
    s.update(CeremonyMsg::Assessed(
        Verdict::Gate {
            reasons: vec![],
            phrase: "restore k".into(),
        },
        T0,
    ));
    assert!(press(&mut s, key(KeyCode::Esc)).is_empty());
    assert!(s.confirm_cancel);
    assert!(press(&mut s, key(KeyCode::Char('n'))).is_empty());
    assert!(
        matches!(s.phase, OpenPhase::Gate { .. }),
        "back at the gate"
    );
    assert!(press(&mut s, key(KeyCode::Esc)).is_empty());
    let fx = press(&mut s, key(KeyCode::Char('y')));
    assert_eq!(journal_kinds(&fx), ["restore.cancelled"]);
    let _ = Signing::NotChecked;
}

#[test]
fn ctrl_c_asks_before_wiping_and_reset_wipes_at_once() {
    let t = shares(2, 3);
    let mut s = screen();
    enter_share(&mut s, "alice", &t[0]);
    assert!(press(&mut s, ctrl_key('c')).is_empty());
    assert_eq!(s.phase, OpenPhase::ConfirmWipe);
    press(&mut s, key(KeyCode::Char('n')));
    assert_eq!(s.phase, OpenPhase::Entering);
    assert_eq!(s.set.entered().len(), 1, "nothing wiped");

    let fx = press(&mut s, ctrl_key('r'));
    assert_eq!(journal_kinds(&fx), ["ceremony.wiped"]);
    assert!(s.set.entered().is_empty());

    enter_share(&mut s, "alice", &t[0]);
    press(&mut s, ctrl_key('c'));
    let fx = press(&mut s, key(KeyCode::Char('y')));
    assert_eq!(journal_kinds(&fx), ["ceremony.wiped"]);
    assert!(matches!(fx.last(), Some(CeremonyEffect::Quit)));
    assert!(s.quitting && s.set.entered().is_empty());
}

#[test]
fn idle_timeout_wipes_entries_and_half_typed_input() {
    let t = shares(2, 3);
    let mut s = OpenScreen::new(ShareSet::new(Duration::from_mins(1)), "v.enc", "k.json", T0);
    enter_share(&mut s, "alice", &t[0]);
    type_in(&mut s, "bob");
    press(&mut s, key(KeyCode::Enter));
    type_in(&mut s, &t[1][..10]);
    assert!(
        s.update(CeremonyMsg::Tick(T0.plus(Duration::from_secs(59))))
            .is_empty()
    );
    let fx = s.update(CeremonyMsg::Tick(T0.plus(Duration::from_mins(1))));
    assert_eq!(journal_kinds(&fx), ["ceremony.wiped"]);
    assert!(s.set.entered().is_empty() && s.share.is_empty() && s.name.is_empty());
    assert_eq!(
        s.message.as_ref().unwrap().text,
        "Idle for 1m00s: every share entered was wiped. Start again."
    );
}

#[test]
fn split_screen_walks_every_holder_through() {
    let all = split(b"PASSPHRASE", 2, 2).unwrap();
    let texts: Vec<String> = all
        .iter()
        .map(|s| s.encode().expose_secret().to_owned())
        .collect();
    let split = Split::new(vec!["alice".into(), "bob".into()], all).unwrap();
    let mut s = SplitScreen::new(split, "v.enc");
    let k = |s: &mut SplitScreen, code| s.update(CeremonyMsg::Key(key(code), T0));
    assert_eq!(journal_kinds(&k(&mut s, KeyCode::Enter)), ["share.shown"]);
    let fx = k(&mut s, KeyCode::Enter);
    assert!(matches!(fx[..], [CeremonyEffect::ClearScreen]));
    for c in texts[1].chars() {
        k(&mut s, KeyCode::Char(c));
    }
    assert!(k(&mut s, KeyCode::Enter).is_empty());
    assert!(
        s.message
            .as_ref()
            .unwrap()
            .text
            .starts_with("✗ that is share 2"),
        "{:?}",
        s.message
    );
    assert!(s.input.is_empty());
    for c in texts[0].chars() {
        k(&mut s, KeyCode::Char(c));
    }
    let fx = k(&mut s, KeyCode::Enter);
    assert_eq!(journal_kinds(&fx), ["share.confirmed"]);
    assert!(matches!(fx.last(), Some(CeremonyEffect::ClearScreen)));
    // Ctrl-C asks; anything but y carries on.
    s.update(CeremonyMsg::Key(ctrl_key('c'), T0));
    assert!(s.confirm_quit);
    k(&mut s, KeyCode::Char('n'));
    assert!(!s.confirm_quit && !s.quitting);
    k(&mut s, KeyCode::Enter);
    k(&mut s, KeyCode::Enter);
    for c in texts[1].chars() {
        k(&mut s, KeyCode::Char(c));
    }
    let fx = k(&mut s, KeyCode::Enter);
    assert_eq!(
        journal_kinds(&fx),
        ["share.confirmed", "ceremony.split_done"]
    );
    let fx = k(&mut s, KeyCode::Enter);
    assert!(matches!(fx.last(), Some(CeremonyEffect::Quit)));
}

#[test]
fn no_secret_in_debug_of_messages_effects_or_screens() {
    let t = shares(2, 2);
    let mut s = screen();
    type_in(&mut s, "alice");
    press(&mut s, key(KeyCode::Enter));
    type_in(&mut s, &t[0][..20]);
    let shown = format!("{s:?}");
    assert!(!shown.contains(&t[0][6..11]), "{shown}");
    press(&mut s, key(KeyCode::Enter));
    let fx = enter_share(&mut s, "bob", &t[0]);
    let fx2 = {
        let mut s = screen();
        enter_share(&mut s, "alice", &t[0]);
        enter_share(&mut s, "bob", &t[1])
    };
    let msg = decrypted_key();
    let all = format!("{fx:?} {fx2:?} {msg:?}");
    assert!(!all.contains("PASSPHRASE0123456789ABCDEF"), "{all}");
    assert!(!all.contains("{key}"), "{all}");
    assert!(all.contains("[REDACTED]"));
}

#[test]
fn the_decrypted_key_does_not_wait_at_the_gate_forever() {
    let mut s = OpenScreen::new(ShareSet::new(Duration::from_mins(1)), "v.enc", "k.json", T0);
    s.update(decrypted_key());
    s.update(CeremonyMsg::Assessed(
        Verdict::Gate {
            reasons: vec![],
            phrase: "restore k.json".into(),
        },
        T0,
    ));
    s.update(CeremonyMsg::Key(
        key(KeyCode::Char('r')),
        T0.plus(Duration::from_secs(30)),
    ));
    assert!(
        s.update(CeremonyMsg::Tick(T0.plus(Duration::from_secs(80))))
            .is_empty(),
        "typing restarted the timer"
    );
    let fx = s.update(CeremonyMsg::Tick(T0.plus(Duration::from_secs(90))));
    assert_eq!(journal_kinds(&fx), ["restore.cancelled"]);
    let OpenPhase::Failed(text) = &s.phase else {
        panic!("{:?}", s.phase)
    };
    assert!(text.ends_with("Nothing was written."));
    assert!(!format!("{s:?}").contains("{key}"));
}
