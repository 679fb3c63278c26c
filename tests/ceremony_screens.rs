//! insta snapshots of the ceremony screens over `TestBackend`: the split
//! screen's stages, and the open screen with masked input, progress,
//! precise refusals, the gate and the end states. Shares come from a fixed
//! payload so the snapshots are stable.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use drconsole::app::ceremony::{CeremonyMsg, Decrypted, OpenPhase, OpenScreen, SplitScreen};
use drconsole::config::theme::Theme;
use drconsole::crypto::share_text::{SetId, ShareText};
use drconsole::domain::ceremony::{DEFAULT_IDLE_TIMEOUT, ShareSet, Split};
use drconsole::domain::restore::{Content, Verdict};
use drconsole::domain::time::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use secrecy::{ExposeSecret, SecretSlice};
use zeroize::Zeroizing;

const T0: Timestamp = Timestamp::from_secs(1_795_662_000);

fn theme() -> Theme {
    drconsole::config::load_theme(&drconsole::config::ConfigDirs::standard(), "dark").unwrap()
}

/// Three fixed shares of one set (not a real split: stable bytes).
fn fixed_shares() -> Vec<ShareText> {
    let set = SetId::from_value(0x4_2A1B).unwrap();
    (1..=3u8)
        .map(|i| {
            let payload: Vec<u8> = (0..26u8)
                .map(|b| b.wrapping_mul(37).wrapping_add(i))
                .collect();
            ShareText::new(set, 2, i, Zeroizing::new(payload)).unwrap()
        })
        .collect()
}

fn key(code: KeyCode) -> CeremonyMsg {
    CeremonyMsg::Key(KeyEvent::new(code, KeyModifiers::NONE), T0)
}

fn typed(text: &str) -> impl Iterator<Item = CeremonyMsg> + '_ {
    text.chars().map(|c| key(KeyCode::Char(c)))
}

fn draw_split(s: &SplitScreen) -> String {
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| drconsole::ui::ceremony::render_split(f, s, &theme()))
        .unwrap();
    format!("{}", t.backend())
}

fn draw_open(s: &OpenScreen) -> String {
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| drconsole::ui::ceremony::render_open(f, s, &theme()))
        .unwrap();
    format!("{}", t.backend())
}

fn split_screen() -> (SplitScreen, Vec<String>) {
    let shares = fixed_shares();
    let texts = shares
        .iter()
        .map(|s| s.encode().expose_secret().to_owned())
        .collect();
    let split = Split::new(vec!["alice".into(), "bob".into(), "carol".into()], shares).unwrap();
    (SplitScreen::new(split, "validator-0.key.enc"), texts)
}

#[test]
fn split_handover_shows_no_share() {
    let (s, texts) = split_screen();
    let screen = draw_split(&s);
    assert!(!screen.contains(&texts[0][6..11]));
    insta::assert_snapshot!(screen);
}

#[test]
fn split_showing_the_share() {
    let (mut s, texts) = split_screen();
    s.update(key(KeyCode::Enter));
    let screen = draw_split(&s);
    for group in texts[0].split('-') {
        assert!(screen.contains(group), "group {group} on screen");
    }
    insta::assert_snapshot!(screen);
}

#[test]
fn split_typing_back_is_masked_and_a_typo_names_its_group() {
    let (mut s, texts) = split_screen();
    s.update(key(KeyCode::Enter));
    s.update(key(KeyCode::Enter));
    let mut typo = texts[0].clone();
    let c = if &typo[13..14] == "A" { "B" } else { "A" };
    typo.replace_range(13..14, c);
    for m in typed(&typo) {
        s.update(m);
    }
    s.update(key(KeyCode::Enter));
    for m in typed(&texts[0][..17]) {
        s.update(m);
    }
    let screen = draw_split(&s);
    assert!(!screen.contains(&texts[0][6..11]), "the share is hidden");
    assert!(screen.contains("•••••••••••••••••▏  (17 characters)"));
    assert!(screen.contains("group 3 looks wrong"));
    insta::assert_snapshot!(screen);
}

fn open_screen() -> OpenScreen {
    OpenScreen::new(
        ShareSet::new(DEFAULT_IDLE_TIMEOUT),
        "validator-0.key.enc",
        "config/priv_validator_key.json",
        T0,
    )
}

fn enter(s: &mut OpenScreen, name: &str, share: &str) {
    for m in typed(name) {
        s.update(m);
    }
    s.update(key(KeyCode::Enter));
    for m in typed(share) {
        s.update(m);
    }
    s.update(key(KeyCode::Enter));
}

#[test]
fn open_first_holder_typing_masked() {
    let mut s = open_screen();
    for m in typed("alice") {
        s.update(m);
    }
    s.update(key(KeyCode::Enter));
    let share = fixed_shares()[0].encode();
    for m in typed(&share.expose_secret()[..23]) {
        s.update(m);
    }
    let screen = draw_open(&s);
    assert!(screen.contains("no share entered yet"));
    assert!(screen.contains("Share: •••••••••••••••••••••••▏  (23 characters)"));
    assert!(!screen.contains(&share.expose_secret()[6..11]));
    insta::assert_snapshot!(screen);
}

#[test]
fn open_progress_and_a_precise_refusal() {
    let texts: Vec<String> = fixed_shares()
        .iter()
        .map(|s| s.encode().expose_secret().to_owned())
        .collect();
    let mut s = open_screen();
    enter(&mut s, "alice", &texts[0]);
    let screen = draw_open(&s);
    assert!(screen.contains("1 of 2 shares entered"));
    assert!(screen.contains("✓ share 1 from alice accepted: 1 of 2"));
    enter(&mut s, "bob", &texts[0]);
    let screen = draw_open(&s);
    assert!(screen.contains("✗ duplicate share (index 1 already entered)"));
    insta::assert_snapshot!(screen);
    s.update(CeremonyMsg::Key(
        KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
        T0,
    ));
    let mut bad = texts[1].clone();
    bad.replace_range(20..21, "U");
    for m in typed(&bad) {
        s.update(m);
    }
    s.update(key(KeyCode::Enter));
    assert!(
        draw_open(&s).contains("✗ group 4 looks wrong: character 3 ('U') is not one a share uses")
    );
}

#[test]
fn open_confirm_wipe_on_ctrl_c() {
    let texts = fixed_shares()[0].encode();
    let mut s = open_screen();
    enter(&mut s, "alice", texts.expose_secret());
    s.update(CeremonyMsg::Key(
        KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
        T0,
    ));
    let screen = draw_open(&s);
    assert!(screen.contains("Wipe the 1 share(s) entered and quit?"));
    insta::assert_snapshot!(screen);
}

#[test]
fn open_gate_and_end_states() {
    let mut s = open_screen();
    s.update(CeremonyMsg::Decrypted(
        Ok(Decrypted {
            plaintext: SecretSlice::from(b"{}".to_vec()),
            content: Content::ValidatorKey {
                address: "AB12".into(),
                pub_key_type: "tendermint/PubKeyEd25519".into(),
            },
        }),
        T0,
    ));
    s.update(CeremonyMsg::Assessed(
        Verdict::Gate {
            reasons: vec![
                "priv_validator_key.json exists and will be replaced".into(),
                "no environment file (--env) names RPC endpoints: nothing checked that validator AB12 is stopped".into(),
            ],
            phrase: "overwrite priv_validator_key.json".into(),
        },
        T0,
    ));
    for m in typed("overwrite priv") {
        s.update(m);
    }
    insta::assert_snapshot!("open_gate", draw_open(&s));

    let mut s = open_screen();
    s.update(CeremonyMsg::Decrypted(
        Err("authentication failed: wrong passphrase, or the envelope was altered (AES-GCM cannot tell which)".into()),
        T0,
    ));
    assert!(matches!(s.phase, OpenPhase::Failed(_)));
    insta::assert_snapshot!("open_decrypt_failed", draw_open(&s));
}
