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
    // The paper sheet numbers the groups, above each one.
    assert!(
        screen.contains("    1     2     3     4\n") || screen.contains("    1     2     3     4 ")
    );
    assert!(screen.contains("    5     6     7     8"));
    insta::assert_snapshot!(screen);
}

#[test]
fn split_typing_back_is_masked_and_a_typo_names_its_group() {
    let (mut s, texts) = split_screen();
    s.update(key(KeyCode::Enter));
    s.update(key(KeyCode::Enter));
    let typo = typo_in_group_3(&texts[0]);
    for m in typed(&typo) {
        s.update(m);
    }
    s.update(key(KeyCode::Enter));
    // The typo keeps what was typed, its group marked, the message under
    // the field.
    let screen = draw_split(&s);
    assert!(screen.contains("••••• ••••• ✗✗✗✗✗ •••••"), "{screen}");
    assert_beside_the_share_field(&screen, "group 3 looks wrong");
    insta::assert_snapshot!("split_typo_marked_beside_the_field", screen);
    s.update(CeremonyMsg::Key(
        KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
        T0,
    ));
    for m in typed(&texts[0][..17]) {
        s.update(m);
    }
    let screen = draw_split(&s);
    assert!(!screen.contains(&texts[0][6..11]), "the share is hidden");
    assert!(screen.contains("••••• ••••• •••••▏  (17 characters)"));
    assert!(!screen.contains("✗✗✗✗✗"), "Ctrl-U cleared the marks");
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
    assert!(screen.contains("Share: ••••• ••••• ••••• •••••▏  (23 characters)"));
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

fn ctrl(c: char) -> CeremonyMsg {
    CeremonyMsg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL), T0)
}

#[test]
fn tab_never_leaves_a_share_being_typed_and_a_share_is_no_name() {
    let text = fixed_shares()[0].encode().expose_secret().to_owned();
    let mut s = open_screen();
    // A share typed as the name: drawn as dots, refused without quoting it.
    for m in typed(&text[..29]) {
        s.update(m);
    }
    let screen = draw_open(&s);
    assert!(!screen.contains(&text[6..11]), "{screen}");
    s.update(key(KeyCode::Enter));
    let screen = draw_open(&s);
    assert!(
        screen.contains("reads as share groups, not a name"),
        "{screen}"
    );
    assert!(!screen.contains(&text[6..11]));
    s.update(ctrl('u'));
    assert!(s.name.is_empty(), "Ctrl-U clears the name field");
    for m in typed("alice") {
        s.update(m);
    }
    s.update(key(KeyCode::Tab));
    for m in typed(&text[..12]) {
        s.update(m);
    }
    s.update(key(KeyCode::Tab));
    s.update(key(KeyCode::BackTab));
    for m in typed(&text[12..]) {
        s.update(m);
    }
    assert_eq!(s.name, "alice", "nothing of the share reached the name");
    s.update(key(KeyCode::Enter));
    assert_eq!(s.set.entered().len(), 1);
    assert_eq!(s.set.entered()[0].holder, "alice");
}

#[test]
fn open_gate_esc_asks_and_returns_to_the_gate() {
    let mut s = open_screen();
    s.update(CeremonyMsg::Decrypted(
        Ok(Decrypted {
            plaintext: SecretSlice::from(b"{}".to_vec()),
            content: Content::Other,
        }),
        T0,
    ));
    s.update(CeremonyMsg::Assessed(
        Verdict::Gate {
            reasons: vec!["key.json exists and will be replaced".into()],
            phrase: "overwrite key.json".into(),
        },
        T0,
    ));
    for m in typed("overwrite kye.json") {
        s.update(m);
    }
    s.update(key(KeyCode::Enter));
    let screen = draw_open(&s);
    let rows: Vec<&str> = screen.lines().collect();
    let field = rows
        .iter()
        .position(|r| r.contains("> overwrite kye"))
        .unwrap();
    assert!(
        rows[field + 1].contains("Type exactly"),
        "beside the field:\n{screen}"
    );
    s.update(key(KeyCode::Esc));
    insta::assert_snapshot!("open_gate_cancel_asked", draw_open(&s));
    s.update(key(KeyCode::Char('n')));
    assert!(matches!(s.phase, OpenPhase::Gate { .. }));
    assert!(draw_open(&s).contains("Back at the gate"));
    s.update(ctrl('u'));
    let OpenPhase::Gate { typed: t, .. } = &s.phase else {
        panic!("at the gate")
    };
    assert!(t.is_empty(), "Ctrl-U clears the phrase");
}

#[test]
fn open_typo_keeps_the_share_with_its_group_marked() {
    let text = fixed_shares()[1].encode().expose_secret().to_owned();
    let mut s = open_screen();
    let bad = typo_in_group_3(&text);
    enter(&mut s, "bob", &bad);
    let screen = draw_open(&s);
    assert_eq!(s.share.len(), bad.chars().count(), "what was typed is kept");
    assert!(screen.contains("••••• ••••• ✗✗✗✗✗ •••••"), "{screen}");
    assert_beside_the_share_field(&screen, "✗ group 3 looks wrong");
    insta::assert_snapshot!(screen);
    // Backspacing into the marked group takes its mark off once it is gone.
    // (Group 3 starts at character 13: "XXXXX-XXXXX-X".)
    for _ in 0..bad.len() - 13 {
        s.update(key(KeyCode::Backspace));
    }
    assert_eq!(s.share.marked(), [3]);
    s.update(key(KeyCode::Backspace));
    assert!(s.share.marked().is_empty());
}

#[test]
fn open_names_the_set_from_the_sidecar_before_any_share() {
    let info = drconsole::crypto::SharesInfo {
        set_id: "4AGV".into(),
        threshold: 2,
        holders: vec!["alice".into(), "bob".into(), "carol".into()],
        confirmed: vec!["alice".into()],
    };
    let expected = drconsole::domain::ceremony::Expected::from_sidecar(&info).unwrap();
    let mut s = OpenScreen::new(
        ShareSet::new(DEFAULT_IDLE_TIMEOUT).with_expected(expected),
        "validator-0.key.enc",
        "config/priv_validator_key.json",
        T0,
    );
    let screen = draw_open(&s);
    assert!(
        screen.contains("any 2 of the 3 holders' shares open it"),
        "{screen}"
    );
    assert!(screen.contains("bob, carol may hold no share"), "{screen}");
    insta::assert_snapshot!(screen);
    // A share of another set, first: refused, the expected set named.
    let other = fixed_shares()[0].encode().expose_secret().to_owned();
    enter(&mut s, "alice", &other);
    let said = &s.message.as_ref().unwrap().text;
    assert!(
        said.contains("share from another set (set 8AGV): this envelope's shares are set 4AGV, as its sidecar says"),
        "{said}"
    );
    assert!(s.set.entered().is_empty());
}

#[test]
fn split_stop_asks_keep_or_delete() {
    let (mut s, texts) = split_screen();
    s.update(key(KeyCode::Enter));
    s.update(key(KeyCode::Enter));
    for m in typed(&texts[0]) {
        s.update(m);
    }
    s.update(key(KeyCode::Enter));
    s.update(ctrl('c'));
    let screen = draw_split(&s);
    assert!(
        screen.contains("Only alice has a share (1 of 3)"),
        "{screen}"
    );
    assert!(screen.contains("k: keep the envelope"), "{screen}");
    insta::assert_snapshot!(screen);
    s.update(key(KeyCode::Char('x')));
    assert!(!s.quitting, "any other key carries on");
    s.update(ctrl('c'));
    s.update(key(KeyCode::Char('d')));
    assert!(s.quitting);
    assert_eq!(
        s.disposition,
        Some(drconsole::domain::ceremony::Disposition::Delete)
    );
}

#[test]
fn a_one_character_share_says_one_character() {
    let err = ShareText::parse("5").unwrap_err().to_string();
    assert!(
        err.contains(": 1 character is not a multiple of 5"),
        "{err}"
    );
    let err = ShareText::parse("1320RK").unwrap_err().to_string();
    assert!(
        err.contains(": 6 characters is not a multiple of 5"),
        "{err}"
    );
}

/// `share` with one character of its third group changed: a typo the
/// checksum catches.
fn typo_in_group_3(share: &str) -> String {
    let mut typo = share.to_owned();
    let c = if &typo[13..14] == "A" { "B" } else { "A" };
    typo.replace_range(13..14, c);
    typo
}

/// `message` is within the two rows under the share field, not far below.
fn assert_beside_the_share_field(screen: &str, message: &str) {
    let rows: Vec<&str> = screen.lines().collect();
    let field = rows.iter().position(|r| r.contains("Share:")).unwrap();
    assert!(
        rows[field + 1..field + 3]
            .iter()
            .any(|r| r.contains(message)),
        "{screen}"
    );
}
