#![allow(clippy::unwrap_used)]
use secrecy::ExposeSecret;
use serde_json::json;

use super::*;
use crate::crypto::share_text::ShareText;
use crate::crypto::shares::split;

const T0: Timestamp = Timestamp::from_secs(1_795_662_000);

fn at(s: u64) -> Timestamp {
    T0.plus(Duration::from_secs(s))
}

fn texts(shares: &[ShareText]) -> Vec<String> {
    shares
        .iter()
        .map(|s| s.encode().expose_secret().to_owned())
        .collect()
}

#[test]
fn holders_are_parsed_and_checked() {
    assert_eq!(
        parse_holders(" alice, bob ,carol").unwrap(),
        ["alice", "bob", "carol"]
    );
    assert_eq!(
        parse_holders("alice,,bob").unwrap_err(),
        "holder \"\": type your name first"
    );
    assert_eq!(
        parse_holders("alice,Alice").unwrap_err(),
        "holder \"Alice\" is named twice"
    );
    assert!(check_name(&"x".repeat(41)).is_err());
    assert!(check_name("a\u{7}b").is_err());
}

#[test]
fn split_hands_each_holder_a_share_and_checks_the_copy() {
    let shares = split(b"passphrase", 2, 3).unwrap();
    let t = texts(&shares);
    let mut s = Split::new(vec!["a".into(), "b".into(), "c".into()], shares).unwrap();
    assert_eq!(s.stage(), SplitStage::Handover);
    assert!(
        s.shown_share().is_none(),
        "nothing shown before the holder comes"
    );
    let ev = s.show(at(0));
    assert_eq!(ev[0].kind, "share.shown");
    assert_eq!(ev[0].data, json!({"holder": "a", "share_index": 1}));
    assert_eq!(s.shown_share().unwrap().index(), 1);
    s.hide();
    assert!(s.shown_share().is_none(), "hidden while typed back");
    // Another holder's share is refused, and counted.
    let err = s.confirm(&t[1], at(1)).unwrap_err();
    assert!(
        err.to_string().starts_with("that is share 2 of set"),
        "{err}"
    );
    assert_eq!(s.attempts(), 1);
    // A typo names the group.
    let mut typo = t[0].clone();
    let c = if typo.as_bytes()[7] == b'A' { "B" } else { "A" };
    typo.replace_range(7..8, c);
    assert_eq!(
        s.confirm(&typo, at(2)).unwrap_err().to_string(),
        "group 2 looks wrong"
    );
    let ev = s.confirm(&t[0].to_lowercase(), at(3)).unwrap();
    assert_eq!(
        ev[0].data,
        json!({"holder": "a", "share_index": 1, "failed_attempts": 2})
    );
    assert_eq!(s.stage(), SplitStage::Handover);
    assert_eq!(s.position(), (2, 3));
    assert_eq!(s.holder(), "b");
    for (i, text) in t.iter().enumerate().skip(1) {
        s.show(at(10));
        s.hide();
        let ev = s.confirm(text, at(11)).unwrap();
        if i == 2 {
            assert_eq!(ev[1].kind, "ceremony.split_done");
        }
    }
    assert_eq!(s.stage(), SplitStage::Done);
    assert!(Split::new(vec!["a".into()], Vec::new()).is_err());
}

#[test]
fn combine_checks_each_share_and_counts_progress() {
    let shares = split(b"passphrase", 3, 5).unwrap();
    let t = texts(&shares);
    let mut set = ShareSet::new(DEFAULT_IDLE_TIMEOUT);
    assert_eq!(set.needed(), None);

    let (r, ev) = set.submit("alice", &t[0], at(0));
    assert_eq!(r.unwrap(), 1);
    assert_eq!(ev.kind, "share.entered");
    assert_eq!(ev.data["share_index"], 1);
    assert_eq!(ev.data["entered"], 1);
    assert_eq!(ev.data["needed"], 3);
    assert!(!ev.data.to_string().contains(&t[0][..10]));

    // Refusals, each with its message, and nothing counted.
    let (r, ev) = set.submit("", &t[1], at(1));
    assert_eq!(r.unwrap_err().to_string(), "type your name first");
    assert_eq!(ev.kind, "share.refused");
    let (r, _) = set.submit("ALICE", &t[1], at(1));
    assert_eq!(
        r.unwrap_err().to_string(),
        "ALICE has already entered a share"
    );
    let (r, _) = set.submit("bob", &t[0], at(2));
    assert_eq!(
        r.unwrap_err().to_string(),
        "duplicate share (index 1 already entered)"
    );
    let (r, _) = set.submit("bob", "", at(2));
    assert_eq!(
        r.unwrap_err().to_string(),
        "empty: type the share, groups of 5 characters"
    );
    assert_eq!(set.entered().len(), 1);

    assert_eq!(set.submit("bob", &t[3], at(3)).0.unwrap(), 2);
    assert!(!set.is_complete());
    assert_eq!(set.submit("carol", &t[4], at(4)).0.unwrap(), 3);
    assert!(set.is_complete());
    assert_eq!(
        set.submit("dave", &t[2], at(5)).0.unwrap_err(),
        Refusal::Complete
    );
    let names: Vec<_> = set
        .entered()
        .iter()
        .map(|e| (e.holder.as_str(), e.index))
        .collect();
    assert_eq!(names, [("alice", 1), ("bob", 4), ("carol", 5)]);
    let secret = set.rebuild().unwrap();
    assert_eq!(secret.expose_secret(), b"passphrase");
    assert_eq!(
        passphrase_of(&secret).unwrap().expose_secret(),
        "passphrase"
    );
    assert!(set.entered().is_empty(), "rebuilding forgets the shares");
}

#[test]
fn idle_timeout_and_reset_wipe_everything() {
    let shares = split(b"passphrase", 2, 3).unwrap();
    let t = texts(&shares);
    let mut set = ShareSet::new(Duration::from_mins(10));
    assert_eq!(set.tick(at(10_000)), None, "nothing to wipe");
    set.submit("alice", &t[0], at(0)).0.unwrap();
    assert_eq!(set.idle_left(at(60)), Some(Duration::from_mins(9)));
    set.touch(at(500));
    assert_eq!(set.tick(at(1000)), None, "typing restarted the timer");
    let ev = set.tick(at(1100)).unwrap();
    assert_eq!(ev.kind, "ceremony.wiped");
    assert_eq!(
        ev.data,
        json!({"reason": "idle timeout", "shares_count": 1})
    );
    assert!(set.entered().is_empty());
    assert_eq!(set.needed(), None);
    // After a wipe the same share is welcome again.
    set.submit("alice", &t[0], at(1200)).0.unwrap();
    let ev = set.wipe(WipeReason::Reset, at(1201));
    assert_eq!(ev.data["reason"], "reset");
    assert!(set.rebuild().is_err());
}

#[test]
fn events_never_carry_secrets() {
    let shares = split(b"passphrase", 2, 2).unwrap();
    let t = texts(&shares);
    let mut set = ShareSet::new(DEFAULT_IDLE_TIMEOUT);
    let mut s = Split::new(vec!["a".into(), "b".into()], shares).unwrap();
    let mut events = s.show(at(0));
    s.hide();
    events.extend(s.confirm(&t[0], at(1)).unwrap());
    events.push(set.submit("a", &t[0], at(2)).1);
    events.push(set.submit("b", "garbage share", at(3)).1);
    events.push(set.wipe(WipeReason::Quit, at(4)));
    for e in &events {
        assert_eq!(
            crate::domain::journal::find_secret_key(&e.data),
            None,
            "{e:?}"
        );
        let text = e.data.to_string();
        for share in &t {
            for group in share.split('-').skip(2) {
                assert!(!text.contains(group), "{text}");
            }
        }
    }
}
