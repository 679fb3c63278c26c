//! End-to-end: a full key ceremony with the real binary in tmux. Seal a
//! key (five holders, threshold 3, shares also written with --out-dir),
//! hand out and type back every share, then open it with three holders
//! (one mistake on the way), pass the restore gate and restore. Then the
//! journal, the log file and everything the terminal kept (tmux
//! scrollback) are searched for every share and the passphrase: none may
//! appear.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use drconsole::crypto::share_text::ShareText;
use drconsole::crypto::shares;
use secrecy::ExposeSecret;
use support::tmux::Tmux;

const HOLDERS: [&str; 5] = ["alice", "bob", "carol", "dave", "erin"];
const KEY: &str = r#"{"address":"5A1F0000000000000000000000000000000000C3","pub_key":{"type":"tendermint/PubKeyEd25519","value":"cHVia2V5cHVia2V5cHVia2V5cHVia2V5cHVia2V5MDA="},"priv_key":{"type":"tendermint/PrivKeyEd25519","value":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MDA="}}"#;

/// A private copy of the binary under test (`DRCONSOLE_E2E_BIN` when set,
/// else cargo's): the target directory may be shared between worktrees,
/// and another build must not swap the binary between the two halves of
/// the ceremony.
fn private_binary(dir: &Path) -> String {
    let copy = dir.join("drconsole");
    let built = std::env::var("DRCONSOLE_E2E_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_drconsole").to_owned());
    std::fs::copy(&built, &copy).unwrap();
    // Another test thread forking while the copy was open for writing can
    // briefly hold it busy (ETXTBSY): try again.
    let help = (0..100)
        .find_map(
            |_| match std::process::Command::new(&copy).arg("--help").output() {
                Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    None
                }
                other => Some(other.unwrap()),
            },
        )
        .expect("the copied binary runs");
    assert!(
        String::from_utf8_lossy(&help.stdout).contains("ceremony"),
        "{built} has no `ceremony` command: another build replaced it (shared target directory?)"
    );
    let path = copy.display().to_string();
    assert!(
        !path.contains([' ', '\'']),
        "a path the shell line can hold"
    );
    path
}

fn shell(bin: &str, args: &str) -> String {
    format!("sh -c '{bin} {args}; echo EXIT=$?; sleep 600'")
}

/// The share file of holder `i` (0-based), as one line for typing.
fn share_line(dir: &Path, i: usize) -> String {
    let path = dir.join(format!("{:02}-{}.share", i + 1, HOLDERS[i]));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{}", path.display());
    std::fs::read_to_string(&path)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The pid of the drconsole process under the pane's shell.
fn drconsole_pid(t: &Tmux) -> u32 {
    let shell: u32 = t.pane("pane_pid").parse().unwrap();
    let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap();
    children
        .split_whitespace()
        .map(|p| p.parse::<u32>().unwrap())
        .find(|p| {
            std::fs::read_to_string(format!("/proc/{p}/comm"))
                .is_ok_and(|c| c.trim() == "drconsole")
        })
        .expect("drconsole runs under the pane's shell")
}

fn assert_no_core_dumps(pid: u32) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    let fields: Vec<&str> = core.split_whitespace().collect();
    assert_eq!(&fields[4..6], ["0", "0"], "{core}");
    // Not dumpable: /proc/PID/environ of a non-dumpable process is owned by root
    // and unreadable... except to root. The dumpable flag itself is checked
    // in-process by the unit test of runtime::hygiene.
}

#[test]
#[allow(clippy::too_many_lines)] // one ceremony, step by step
fn full_ceremony_leaves_no_secret_behind() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bin = private_binary(d);
    std::fs::write(d.join("priv_validator_key.json"), KEY).unwrap();
    let share_dir = d.join("shares");
    let journal = d.join("ceremony.jsonl");
    let log = d.join("ceremony.log");
    let q = |p: &Path| p.display().to_string();

    // ------------------------------------------------------------ seal
    let t = Tmux::start(
        "ceremony-seal",
        &shell(
            &bin,
            &format!(
                "ceremony seal --in {} --out {} --threshold 3 --holders {} --out-dir {} --iterations 100000 --journal {} --log {}",
                q(&d.join("priv_validator_key.json")),
                q(&d.join("validator.enc")),
                HOLDERS.join(","),
                q(&share_dir),
                q(&journal),
                q(&log),
            ),
        ),
        100,
        30,
    );
    for (i, holder) in HOLDERS.iter().enumerate() {
        let s = t.wait_for(&[&format!("Press Enter to show {holder}'s share")]);
        assert!(s.contains(&format!("Holder {} of 5: {holder}", i + 1)));
        assert_eq!(t.pane("alternate_on"), "1", "drawn on the alternate screen");
        if i == 0 {
            assert_no_core_dumps(drconsole_pid(&t));
        }
        t.keys(&["Enter"]);
        let share = share_line(&share_dir, i);
        let first_line: String = share.split(' ').take(4).collect::<Vec<_>>().join(" ");
        t.wait_for(&["Copy it onto paper exactly", &first_line]);
        t.keys(&["Enter"]);
        let s = t.wait_for(&["type your share back from the paper"]);
        assert!(!s.contains(&first_line), "hidden while typed back:\n{s}");
        if i == 0 {
            // Someone else's share first: refused, and said why.
            t.type_text(&share_line(&share_dir, 1));
            t.keys(&["Enter"]);
            t.wait_for(&["that is share 2 of set", "Failed attempts: 1"]);
        }
        t.type_text(&share);
        t.keys(&["Enter"]);
        t.wait_for(&[&format!("{holder}'s copy checks")]);
    }
    t.wait_for(&["All 5 holders have their share"]);
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 0);
    let seal_scrollback = t.scrollback();
    assert!(
        seal_scrollback.contains("The plaintext key is still at")
            && seal_scrollback.contains("destroy it"),
        "the end of a seal names the plaintext key:\n{seal_scrollback}"
    );
    drop(t);

    // The passphrase, rebuilt here only to search for it.
    let all: Vec<String> = (0..5).map(|i| share_line(&share_dir, i)).collect();
    let parsed: Vec<ShareText> = all.iter().map(|s| ShareText::parse(s).unwrap()).collect();
    let passphrase = String::from_utf8(
        shares::combine(&parsed[1..4])
            .unwrap()
            .expose_secret()
            .to_vec(),
    )
    .unwrap();
    assert_eq!(passphrase.len(), 26);

    // ------------------------------------------------------------ open
    let target = d.join("restored").join("priv_validator_key.json");
    std::fs::create_dir(d.join("restored")).unwrap();
    let t = Tmux::start(
        "ceremony-open",
        &shell(
            &bin,
            &format!(
                "ceremony open --in {} --restore-to {} --journal {} --log {}",
                q(&d.join("validator.enc")),
                q(&target),
                q(&journal),
                q(&log),
            ),
        ),
        100,
        30,
    );
    t.wait_for(&["no share entered yet", "Name:"]);
    assert_no_core_dumps(drconsole_pid(&t));
    let enter = |name: &str, share: &str| {
        t.type_text(name);
        t.keys(&["Enter"]);
        t.type_text(share);
        t.keys(&["Enter"]);
    };
    enter("carol", &all[2]);
    t.wait_for(&[
        "1 of 3 shares entered",
        "✓ share 3 from carol accepted: 1 of 3",
    ]);
    // A duplicate, then a typo: each refused at once, with its message.
    enter("erin", &all[2]);
    t.wait_for(&["✗ duplicate share (index 3 already entered)"]);
    let mut typo = all[4].clone();
    let wrong = if &typo[14..15] == "Z" { "Y" } else { "Z" };
    typo.replace_range(14..15, wrong);
    t.type_text(&typo);
    t.keys(&["Enter"]);
    t.wait_for(&["✗ group 3 looks wrong"]);
    // The typo is kept, marked; Ctrl-U clears it for the retry.
    t.keys(&["C-u"]);
    t.type_text(&all[4]);
    t.keys(&["Enter"]);
    t.wait_for(&["2 of 3 shares entered", "erin entered share 5"]);
    enter("alice", &all[0]);
    // No --env: the gate says nothing checked the validator is stopped.
    let s = t.wait_for(&[
        "Confirm the restore",
        "Type \"restore priv_validator_key.json\"",
    ]);
    assert!(s.contains("nothing checked that validator"), "{s}");
    assert!(s.contains("3 of 3 shares entered"), "{s}");
    t.type_text("restore priv_validator_key.json");
    t.keys(&["Enter"]);
    t.wait_for(&["Restored to"]);
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 0);
    let open_scrollback = t.scrollback();
    drop(t);

    assert_eq!(std::fs::read_to_string(&target).unwrap(), KEY);
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    // ------------------------------------------------------------ journal
    let entries = drconsole::runtime::journal_file::read_journal(&journal).unwrap();
    drconsole::runtime::journal_file::verify_file(&journal).unwrap();
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    for (kind, count) in [
        ("ceremony.sealed", 1),
        ("share.shown", 5),
        ("share.confirmed", 5),
        ("ceremony.split_done", 1),
        ("ceremony.opened", 1),
        ("share.entered", 3),
        ("share.refused", 2),
        ("ceremony.threshold_reached", 1),
        ("key.decrypted", 1),
        ("restore.confirmed", 1),
        ("key.restored", 1),
    ] {
        assert_eq!(
            kinds.iter().filter(|k| **k == kind).count(),
            count,
            "{kind} in {kinds:?}"
        );
    }
    let entered: Vec<(String, u64)> = entries
        .iter()
        .filter(|e| e.kind == "share.entered")
        .map(|e| {
            (
                e.data["holder"].as_str().unwrap().to_owned(),
                e.data["share_index"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        entered,
        [("carol".into(), 3), ("erin".into(), 5), ("alice".into(), 1)]
    );

    // ------------------------------------------------------------ no secret anywhere
    let journal_text = std::fs::read_to_string(&journal).unwrap();
    let log_text = std::fs::read_to_string(&log).unwrap();
    assert!(log_text.contains("share.entered"), "the log has the events");
    let places = [
        ("journal", journal_text.as_str()),
        ("log file", log_text.as_str()),
        ("seal terminal scrollback", seal_scrollback.as_str()),
        ("open terminal scrollback", open_scrollback.as_str()),
    ];
    for (place, text) in places {
        let upper = text.to_uppercase();
        assert!(!upper.contains(&passphrase), "passphrase in the {place}");
        assert!(!text.contains("c2VjcmV0"), "private key in the {place}");
        for share in &all {
            let compact = share.replace(' ', "");
            let dashed = share.replace(' ', "-");
            for form in [share, &compact, &dashed] {
                assert!(!upper.contains(form.as_str()), "a share in the {place}");
            }
            // Payload groups (after version/threshold/index and set id)
            // with a letter in them: no such group may appear at all.
            for group in share.split(' ').skip(2) {
                if group.chars().any(|c| c.is_ascii_alphabetic()) {
                    assert!(!text.contains(group), "share group {group} in the {place}");
                }
            }
        }
    }
}

#[test]
#[allow(clippy::too_many_lines)] // one scenario, step by step
fn stdin_passphrase_idle_wipe_quit_and_a_tampered_envelope() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bin = private_binary(d);
    std::fs::write(d.join("key.json"), KEY).unwrap();
    let share_dir = d.join("shares");
    let journal = d.join("j.jsonl");
    let q = |p: &Path| p.display().to_string();

    // Seal with a passphrase given on stdin; the screens read the terminal.
    let t = Tmux::start(
        "ceremony-stdin",
        &format!(
            "sh -c 'printf \"%s\\n\" \"correct horse battery staple\" | {bin} ceremony seal --passphrase-stdin --in {} --out {} --threshold 2 --holders ann,ben --out-dir {} --iterations 100000 --journal {}; echo EXIT=$?; sleep 600'",
            q(&d.join("key.json")),
            q(&d.join("v.enc")),
            q(&share_dir),
            q(&journal),
        ),
        100,
        30,
    );
    let names = ["ann", "ben"];
    t.wait_for(&["Press Enter to show ann's share"]);
    let lines: Vec<String> = (0..2)
        .map(|i| share_file(&share_dir, &format!("{:02}-{}.share", i + 1, names[i])))
        .collect();
    for (i, name) in names.iter().enumerate() {
        t.wait_for(&[&format!("Press Enter to show {name}'s share")]);
        t.keys(&["Enter"]);
        t.wait_for(&["Copy it onto paper exactly"]);
        t.keys(&["Enter"]);
        t.wait_for(&["type your share back"]);
        t.type_text(&lines[i]);
        t.keys(&["Enter"]);
    }
    t.wait_for(&["All 2 holders have their share"]);
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 0);
    drop(t);
    let sealed = std::fs::read(d.join("v.enc")).unwrap();
    let opened = drconsole::crypto::open(
        &sealed,
        &secrecy::SecretString::from("correct horse battery staple"),
    )
    .unwrap();
    assert_eq!(opened.expose_secret(), KEY.as_bytes());
    let meta = std::fs::read_to_string(d.join("v.enc.meta.json")).unwrap();
    let meta = drconsole::crypto::Sidecar::from_json(&meta).unwrap();
    assert_eq!(
        meta.validator_address.as_deref(),
        Some("5A1F0000000000000000000000000000000000C3")
    );
    assert_eq!(meta.kdf, "PBKDF2-HMAC-SHA256 (100000 iterations)");

    // Open: an idle timeout wipes the share entered; Ctrl-C asks first.
    let target = d.join("out.json");
    let open_cmd = |idle: &str| {
        format!(
            "ceremony open --in {} --restore-to {} --journal {} --idle-timeout {idle}",
            q(&d.join("v.enc")),
            q(&target),
            q(&journal)
        )
    };
    let t = Tmux::start("ceremony-idle", &shell(&bin, &open_cmd("2s")), 100, 30);
    t.wait_for(&["no share entered yet"]);
    t.type_text("ann");
    t.keys(&["Enter"]);
    t.type_text(&lines[0]);
    t.keys(&["Enter"]);
    t.wait_for(&["1 of 2 shares entered"]);
    t.wait_for(&[
        "Idle for 2s: every share entered was wiped",
        "no share entered yet",
    ]);
    t.type_text("ann");
    t.keys(&["Enter"]);
    t.type_text(&lines[0]);
    t.keys(&["Enter"]);
    t.wait_for(&["1 of 2 shares entered"]);
    t.keys(&["C-c"]);
    t.wait_for(&["Wipe the 1 share(s) entered and quit?"]);
    t.keys(&["y"]);
    assert_eq!(t.wait_exit(), 1);
    drop(t);

    // A tampered envelope: the tag fails, nothing is written.
    let mut tampered = sealed.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 0x01;
    std::fs::write(d.join("v.enc"), &tampered).unwrap();
    let t = Tmux::start("ceremony-tamper", &shell(&bin, &open_cmd("10m")), 100, 30);
    t.wait_for(&["no share entered yet"]);
    for (name, line) in names.iter().zip(&lines) {
        t.type_text(name);
        t.keys(&["Enter"]);
        t.type_text(line);
        t.keys(&["Enter"]);
    }
    t.wait_for(&[
        "Decryption failed: authentication failed",
        "Nothing was written.",
    ]);
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 1);
    drop(t);
    assert!(
        !target.exists(),
        "nothing restored from a tampered envelope"
    );

    let entries = drconsole::runtime::journal_file::read_journal(&journal).unwrap();
    let wiped: Vec<&str> = entries
        .iter()
        .filter(|e| e.kind == "ceremony.wiped")
        .map(|e| e.data["reason"].as_str().unwrap())
        .collect();
    assert_eq!(wiped, ["idle timeout", "quit"]);
    assert!(entries.iter().any(|e| e.kind == "ceremony.failed"));
    let sealed_entry = entries
        .iter()
        .find(|e| e.kind == "ceremony.sealed")
        .unwrap();
    assert_eq!(sealed_entry.data["source"], "given on stdin");
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(!text.contains("correct horse"));
}

/// Every form a share can take in text, and its payload groups: none may
/// appear in `text`.
fn assert_no_share_in(place: &str, text: &str, shares: &[String]) {
    let upper = text.to_uppercase();
    for share in shares {
        let compact = share.replace(' ', "");
        let dashed = share.replace(' ', "-");
        for form in [share, &compact, &dashed] {
            assert!(!upper.contains(form.as_str()), "a share in the {place}");
        }
        for group in share.split(' ').skip(2) {
            if group.chars().any(|c| c.is_ascii_alphabetic()) {
                assert!(!upper.contains(group), "share group {group} in the {place}");
            }
        }
    }
}

/// Seals `key.json` 2 of 2 for ann and ben in tmux, typing a share into
/// every stage of the split screen on the way; returns the share lines.
fn seal_two(bin: &str, d: &Path, journal: &Path, log: &Path) -> (Vec<String>, String) {
    seal_two_with(bin, d, journal, log, "", "")
}

/// [`seal_two`] with `global` before `ceremony` and `extra` after the
/// seal's own arguments.
fn seal_two_with(
    bin: &str,
    d: &Path,
    journal: &Path,
    log: &Path,
    global: &str,
    extra: &str,
) -> (Vec<String>, String) {
    let q = |p: &Path| p.display().to_string();
    std::fs::write(d.join("key.json"), KEY).unwrap();
    let share_dir = d.join("shares");
    let t = Tmux::start(
        "ceremony-fields-seal",
        &shell(
            bin,
            &format!(
                "{global} ceremony seal --in {} --out {} --threshold 2 --holders ann,ben --out-dir {} --iterations 100000 --journal {} --log {} {extra}",
                q(&d.join("key.json")),
                q(&d.join("v.enc")),
                q(&share_dir),
                q(journal),
                q(log),
            ),
        ),
        100,
        30,
    );
    let names = ["ann", "ben"];
    t.wait_for(&["Press Enter to show ann's share"]);
    let lines: Vec<String> = (0..2)
        .map(|i| share_file(&share_dir, &format!("{:02}-{}.share", i + 1, names[i])))
        .collect();
    for (i, name) in names.iter().enumerate() {
        t.wait_for(&[&format!("Press Enter to show {name}'s share")]);
        // Typed at the hand-over and while shown: ignored.
        t.type_text(&lines[1 - i].replace(' ', ""));
        t.keys(&["Enter"]);
        t.wait_for(&[
            "Copy it onto paper exactly",
            "    1     2     3     4",
            "    13    14",
        ]);
        t.type_text(&lines[1 - i].replace(' ', ""));
        t.keys(&["Enter"]);
        t.wait_for(&["type your share back"]);
        t.type_text(&lines[i]);
        t.keys(&["Enter"]);
        t.wait_for(&[&format!("{name}'s copy checks")]);
    }
    t.wait_for(&["All 2 holders have their share"]);
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 0);
    let scrollback = t.scrollback();
    (lines, scrollback)
}

#[test]
#[allow(clippy::too_many_lines)] // one ceremony, field by field
fn a_share_typed_into_any_field_is_never_shown_logged_or_journaled() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bin = private_binary(d);
    let journal = d.join("j.jsonl");
    let log = d.join("c.log");
    let q = |p: &Path| p.display().to_string();
    let (lines, seal_scrollback) = seal_two(&bin, d, &journal, &log);

    let target = d.join("out.json");
    std::fs::write(&target, "{}").unwrap();
    let t = Tmux::start(
        "ceremony-fields-open",
        &shell(
            &bin,
            &format!(
                "ceremony open --in {} --restore-to {} --journal {} --log {}",
                q(&d.join("v.enc")),
                q(&target),
                q(&journal),
                q(&log),
            ),
        ),
        100,
        30,
    );
    t.wait_for(&["Name:"]);
    // A share in the name field: refused as a name, never drawn in clear.
    t.type_text(&lines[1]);
    let s = t.screen();
    assert_no_share_in("name field on screen", &s, &lines);
    t.keys(&["Enter"]);
    t.wait_for(&["reads as share groups, not a name"]);
    t.keys(&["C-u"]);
    // Today's trap: Tab in the middle of a share. Focus stays.
    t.type_text("ann");
    t.keys(&["Enter"]);
    let (head, tail) = lines[0].split_at(lines[0].len() / 2);
    t.type_text(head);
    t.keys(&["Tab"]);
    t.wait_for(&["keeps the focus while it holds text"]);
    t.keys(&["BTab"]);
    t.type_text(tail);
    t.keys(&["Enter"]);
    t.wait_for(&["✓ share 1 from ann accepted: 1 of 2"]);
    // Tab out of an empty name says to type it first.
    t.keys(&["Tab"]);
    t.wait_for(&["type your name first"]);
    t.type_text("ben");
    t.keys(&["Tab"]);
    // A typo: named under the field, what was typed kept, its group marked.
    let mut typo = lines[1].clone();
    let wrong = if &typo[14..15] == "Z" { "Y" } else { "Z" };
    typo.replace_range(14..15, wrong);
    t.type_text(&typo);
    t.keys(&["Enter"]);
    let s = t.wait_for(&["✗ group 3 looks wrong", "✗✗✗✗✗", "(83"]);
    let rows: Vec<&str> = s.lines().collect();
    let field = rows.iter().position(|r| r.contains("Share:")).unwrap();
    let message = rows
        .iter()
        .position(|r| r.contains("✗ group 3 looks wrong"))
        .unwrap();
    assert!(
        message > field && message <= field + 2,
        "beside the field:\n{s}"
    );
    t.keys(&["C-u"]);
    t.type_text(&lines[1]);
    t.keys(&["Enter"]);
    t.wait_for(&["Confirm the restore", "overwrite out.json"]);
    // Esc at the gate asks, and any other key returns to it.
    t.keys(&["Escape"]);
    t.wait_for(&["Cancel the restore?"]);
    t.keys(&["n"]);
    t.wait_for(&["Back at the gate", "Type \"overwrite out.json\""]);
    // A share in the gate's phrase field: refused, cleared with Ctrl-U.
    t.type_text(&lines[0].replace(' ', ""));
    t.keys(&["Enter"]);
    t.wait_for(&["Type exactly \"overwrite out.json\""]);
    t.keys(&["C-u"]);
    t.type_text("overwrite out.json");
    t.keys(&["Enter"]);
    t.wait_for(&["Restored to"]);
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 0);
    let open_scrollback = t.scrollback();
    drop(t);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), KEY);

    let entries = drconsole::runtime::journal_file::read_journal(&journal).unwrap();
    let holders: Vec<&str> = entries
        .iter()
        .filter(|e| e.kind == "share.entered")
        .map(|e| e.data["holder"].as_str().unwrap())
        .collect();
    assert_eq!(holders, ["ann", "ben"]);
    let journal_text = std::fs::read_to_string(&journal).unwrap();
    let log_text = std::fs::read_to_string(&log).unwrap();
    for (place, text) in [
        ("journal", journal_text.as_str()),
        ("log file", log_text.as_str()),
        ("seal scrollback", seal_scrollback.as_str()),
        ("open scrollback", open_scrollback.as_str()),
    ] {
        assert_no_share_in(place, text, &lines);
    }
}

/// An envelope of `KEY` under a fresh passphrase, its shares (2 of 3,
/// for ann, ben and cat) and, unless `sidecar` is false, its sidecar.
fn sealed_fixture(d: &Path, name: &str, sidecar: bool) -> (Vec<String>, String) {
    let passphrase = format!("fixture passphrase {name}");
    let sealed = drconsole::crypto::seal(
        KEY.as_bytes(),
        &secrecy::SecretString::from(passphrase.clone()),
        100_000,
    )
    .unwrap();
    std::fs::write(d.join(name), &sealed).unwrap();
    let shares = shares::split(passphrase.as_bytes(), 2, 3).unwrap();
    let set_id = shares[0].set_id().to_string();
    if sidecar {
        let meta = drconsole::crypto::Sidecar::for_backup(
            "validator_key",
            name,
            jiff::Timestamp::UNIX_EPOCH,
            100_000,
        )
        .unwrap()
        .shares(drconsole::crypto::SharesInfo {
            set_id: set_id.clone(),
            threshold: 2,
            holders: vec!["ann".into(), "ben".into(), "cat".into()],
            confirmed: vec!["ann".into(), "ben".into(), "cat".into()],
        });
        std::fs::write(d.join(format!("{name}.meta.json")), meta.to_json().unwrap()).unwrap();
    }
    let lines = shares
        .iter()
        .map(|s| {
            s.encode_lines(4)
                .expose_secret()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    (lines, set_id)
}

#[test]
fn a_share_of_another_set_is_refused_first_naming_the_expected_set() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bin = private_binary(d);
    let (mine, my_set) = sealed_fixture(d, "v.enc", true);
    let (theirs, their_set) = sealed_fixture(d, "other.enc", true);
    assert_ne!(my_set, their_set);
    let q = |p: &Path| p.display().to_string();
    let open = |envelope: &str, journal: &Path| {
        shell(
            &bin,
            &format!(
                "ceremony open --in {} --restore-to {} --journal {}",
                q(&d.join(envelope)),
                q(&d.join("out.json")),
                q(journal),
            ),
        )
    };
    // From the sidecar.
    let t = Tmux::start(
        "ceremony-set-sidecar",
        &open("v.enc", &d.join("j1")),
        160,
        30,
    );
    let s = t.wait_for(&["no share entered yet: any 2 of the 3 holders' shares open it"]);
    assert!(s.contains(&format!("set {my_set}")), "{s}");
    t.type_text("ann");
    t.keys(&["Enter"]);
    t.type_text(&theirs[0]);
    t.keys(&["Enter"]);
    t.wait_for(&[
        &format!("share from another set (set {their_set})"),
        &format!("this envelope's shares are set {my_set}"),
        "as its sidecar says",
    ]);
    // The genuine holders are then taken.
    t.type_text(&mine[1]);
    t.keys(&["Enter"]);
    t.wait_for(&["✓ share 2 from ann accepted: 1 of 2"]);
    t.keys(&["C-c"]);
    t.keys(&["y"]);
    assert_eq!(t.wait_exit(), 1);
    drop(t);

    // No sidecar: from the seal's journal entry.
    std::fs::remove_file(d.join("v.enc.meta.json")).unwrap();
    let journal = d.join("j2");
    let mut writer =
        drconsole::runtime::journal_file::JournalWriter::create(&journal, "seal v.enc").unwrap();
    writer
        .append(
            drconsole::domain::time::Timestamp::from_secs(1_795_662_000),
            "ceremony.sealed",
            serde_json::json!({
                "envelope": q(&d.join("v.enc")),
                "threshold": 2,
                "holders": ["ann", "ben", "cat"],
                "set_id": my_set,
            }),
        )
        .unwrap();
    drop(writer);
    let t = Tmux::start("ceremony-set-journal", &open("v.enc", &journal), 160, 30);
    t.wait_for(&["no share entered yet"]);
    t.type_text("ben");
    t.keys(&["Enter"]);
    t.type_text(&theirs[1]);
    t.keys(&["Enter"]);
    t.wait_for(&[
        &format!("shares are set {my_set}"),
        "as the seal's journal says",
    ]);
    t.keys(&["C-c"]);
    assert_eq!(
        t.wait_exit(),
        1,
        "nothing entered: Ctrl-C quits at once, stopped"
    );
}

#[test]
fn a_pasted_10_kb_share_is_handled_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bin = private_binary(d);
    let (lines, _) = sealed_fixture(d, "v.enc", true);
    let q = |p: &Path| p.display().to_string();
    let t = Tmux::start(
        "ceremony-paste",
        &shell(
            &bin,
            &format!(
                "ceremony open --in {} --restore-to {} --journal {}",
                q(&d.join("v.enc")),
                q(&d.join("out.json")),
                q(&d.join("j")),
            ),
        ),
        100,
        30,
    );
    t.wait_for(&["Name:"]);
    t.type_text("ann");
    t.keys(&["Enter"]);
    // 10 KB: the share repeated, in one paste.
    let one = lines[0].replace(' ', "-");
    let mut paste = String::new();
    while paste.len() < 10_000 {
        paste.push_str(&one);
        paste.push('-');
    }
    paste.truncate(10_000);
    let started = std::time::Instant::now();
    t.type_text(&paste);
    t.wait_for(&["(10000 characters)"]);
    let taken = started.elapsed();
    t.keys(&["Enter"]);
    t.wait_for(&["✗ group 1667 looks wrong: it has 4 characters"]);
    let refused = started.elapsed();
    eprintln!("10 KB paste: on screen after {taken:?}, refused after {refused:?}");
    assert!(taken < std::time::Duration::from_secs(1), "{taken:?}");
    assert!(
        refused < std::time::Duration::from_millis(1500),
        "{refused:?}"
    );
    // Ctrl-U empties it; the real share then goes in as ever.
    t.keys(&["C-u"]);
    t.wait_for(&["(0 characters)"]);
    t.type_text(&lines[0]);
    t.keys(&["Enter"]);
    t.wait_for(&["✓ share 1 from ann accepted: 1 of 2"]);
    t.keys(&["C-c"]);
    t.keys(&["y"]);
    assert_eq!(t.wait_exit(), 1);
}

#[test]
fn a_seal_stopped_early_asks_keep_or_delete_and_open_warns() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bin = private_binary(d);
    std::fs::write(d.join("key.json"), KEY).unwrap();
    let q = |p: &Path| p.display().to_string();
    let seal = |out: &str, session: &str| {
        let t = Tmux::start(
            session,
            &shell(
                &bin,
                &format!(
                    "ceremony seal --in {} --out {} --threshold 2 --holders ann,ben,cat --out-dir {} --iterations 100000 --journal {}",
                    q(&d.join("key.json")),
                    q(&d.join(out)),
                    q(&d.join(format!("{out}.shares"))),
                    q(&d.join("j")),
                ),
            ),
            100,
            30,
        );
        t.wait_for(&["Press Enter to show ann's share"]);
        t.keys(&["Enter"]);
        t.wait_for(&["Copy it onto paper exactly"]);
        t.keys(&["Enter"]);
        t.wait_for(&["type your share back"]);
        let share = share_file(&d.join(format!("{out}.shares")), "01-ann.share");
        t.type_text(&share);
        t.keys(&["Enter"]);
        t.wait_for(&["ann's copy checks", "Press Enter to show ben's share"]);
        t.keys(&["C-c"]);
        t.wait_for(&[
            "Only ann has a share (1 of 3)",
            "k: keep the envelope",
            "d: delete",
        ]);
        t
    };
    // Keep: the sidecar says who holds a share; the end names the plaintext key.
    let t = seal("kept.enc", "ceremony-stop-keep");
    t.keys(&["k"]);
    assert_eq!(t.wait_exit(), 1);
    let s = t.scrollback();
    assert!(s.contains("only 1 of 3 hold a share (ann)"), "{s}");
    assert!(s.contains("plaintext key is still at"), "{s}");
    assert!(s.contains("destroy it"), "{s}");
    drop(t);
    let meta = std::fs::read_to_string(d.join("kept.enc.meta.json")).unwrap();
    let meta = drconsole::crypto::Sidecar::from_json(&meta).unwrap();
    let info = meta.shares.unwrap();
    assert_eq!(info.confirmed, ["ann"]);
    assert_eq!(info.holders, ["ann", "ben", "cat"]);
    let t = Tmux::start(
        "ceremony-stop-open",
        &shell(
            &bin,
            &format!(
                "ceremony open --in {} --restore-to {} --journal {}",
                q(&d.join("kept.enc")),
                q(&d.join("out.json")),
                q(&d.join("j")),
            ),
        ),
        100,
        30,
    );
    t.wait_for(&["sealed before all confirmed: ben, cat may hold no share"]);
    t.keys(&["C-c"]);
    assert_eq!(t.wait_exit(), 1, "stopped before a restore");
    drop(t);

    // Delete: envelope, sidecar and share files gone.
    let t = seal("deleted.enc", "ceremony-stop-delete");
    t.keys(&["d"]);
    assert_eq!(t.wait_exit(), 1);
    let s = t.scrollback();
    assert!(s.contains("deleted"), "{s}");
    assert!(s.contains("plaintext key is still at"), "{s}");
    drop(t);
    assert!(!d.join("deleted.enc").exists());
    assert!(!d.join("deleted.enc.meta.json").exists());
    assert!(!d.join("deleted.enc.shares").join("01-ann.share").exists());
    let entries = drconsole::runtime::journal_file::read_journal(&d.join("j")).unwrap();
    let abandoned: Vec<&str> = entries
        .iter()
        .filter(|e| e.kind == "ceremony.split_abandoned")
        .map(|e| e.data["envelope"].as_str().unwrap())
        .collect();
    assert_eq!(abandoned, ["kept", "deleted"]);
}

fn share_file(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name))
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The moto environment file (tests/fixtures/env/moto.toml) pointed at `moto`.
fn moto_env_file(moto: &support::moto::Moto, d: &Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string("tests/fixtures/env/moto.toml")
        .unwrap()
        .replace("http://127.0.0.1:5000", &moto.endpoint());
    let path = d.join("moto.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_rotation_seal_escrows_a_new_passphrase_version_whose_shares_combine() {
    let moto = support::moto::Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bin = private_binary(d);
    let env = moto_env_file(&moto, d);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let clients = rt.block_on(support::moto::clients(
        &support::moto::environment(&moto),
        None,
    ));
    let sm = clients.region("eu-west-1").unwrap().secrets.clone();
    let secret = "virtengine/dr/us-east-1-val-0/backup-passphrase";
    rt.block_on(
        sm.create_secret()
            .name(secret)
            .secret_string("the-old-passphrase")
            .send(),
    )
    .unwrap();
    let journal = d.join("seal.jsonl");
    let log = d.join("seal.log");
    // As the rotation runbook's seal_new_key step says to run it.
    let (lines, scrollback) = seal_two_with(
        &format!(
            "env AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true {bin}"
        ),
        d,
        &journal,
        &log,
        &format!("--env {}", env.display()),
        &format!("--passphrase-secret {secret} --secret-region eu-west-1"),
    );
    // The holders' shares rebuild the passphrase Secrets Manager now holds.
    let shares: Vec<ShareText> = lines.iter().map(|l| ShareText::parse(l).unwrap()).collect();
    let rebuilt = shares::combine(&shares).unwrap();
    let rebuilt = String::from_utf8(rebuilt.expose_secret().to_vec()).unwrap();
    let current = rt
        .block_on(sm.get_secret_value().secret_id(secret).send())
        .unwrap();
    assert_eq!(current.secret_string(), Some(rebuilt.as_str()));
    assert_ne!(rebuilt, "the-old-passphrase");
    // It opens the new envelope.
    let sealed = std::fs::read(d.join("v.enc")).unwrap();
    let opened =
        drconsole::crypto::envelope::open(&sealed, &secrecy::SecretString::from(rebuilt.clone()))
            .unwrap();
    assert_eq!(opened.expose_secret(), KEY.as_bytes());
    // A new version: the old one is kept as AWSPREVIOUS, not overwritten.
    let versions = rt
        .block_on(sm.list_secret_version_ids().secret_id(secret).send())
        .unwrap();
    let stages: Vec<Vec<String>> = versions
        .versions()
        .iter()
        .map(|v| v.version_stages().to_vec())
        .collect();
    assert_eq!(stages.len(), 2, "{stages:?}");
    assert!(
        stages.iter().any(|s| s.contains(&"AWSPREVIOUS".to_owned())),
        "{stages:?}"
    );
    // The journal names the secret and its new version, never the value;
    // the sidecar says where the passphrase is kept.
    let j = std::fs::read_to_string(&journal).unwrap();
    let version = current.version_id().unwrap();
    assert!(
        j.contains("ceremony.passphrase_escrowed") && j.contains(version),
        "{j}"
    );
    let meta = std::fs::read_to_string(d.join("v.enc.meta.json")).unwrap();
    assert!(
        meta.contains(&format!("secretsmanager:eu-west-1:{secret}")),
        "{meta}"
    );
    for (place, text) in [
        ("journal", j.as_str()),
        ("log", &std::fs::read_to_string(&log).unwrap_or_default()),
        ("scrollback", &scrollback),
        ("sidecar", &meta),
    ] {
        assert!(!text.contains(&rebuilt), "the passphrase is in the {place}");
        assert!(
            !text.contains("the-old-passphrase"),
            "the old passphrase is in the {place}"
        );
    }
    // The rotation runbook's own seal_new_key step, compiled from the real
    // file and run through sh, accepts this envelope for the new key and
    // refuses it for another address.
    let sidecar: serde_json::Value = serde_json::from_str(&meta).unwrap();
    let address = sidecar["validator_address"].as_str().unwrap();
    let envelope = d.join("v.enc").display().to_string();
    assert_eq!(rotation_seal_check(&envelope, address, "ann,ben"), "PASS");
    let other = "A1B2C3D4E5F60718293A4B5C6D7E8F9011223344";
    assert_eq!(
        rotation_seal_check(&envelope, other, "ann,ben"),
        format!("the envelope holds {address}, not {other}")
    );
    assert_eq!(
        rotation_seal_check(&envelope, address, "ann,ben,cat"),
        "only 2 holders confirmed"
    );
}

/// The last line `runbooks/validator-key-rotation.yaml`'s `seal_new_key`
/// check prints for this envelope, new address and holders (values reach
/// `sh` as data, as in a run).
fn rotation_seal_check(envelope: &str, new_address: &str, holders: &str) -> String {
    use drconsole::config::runbook::{Actions, compile, load_runbook};
    use drconsole::domain::runbook::plan::Operation;
    use drconsole::domain::runbook::script::ShellScript;
    let mut given: std::collections::BTreeMap<String, String> = [
        ("VALIDATOR", "us-east-1-val-0"),
        ("REGION", "us-east-1"),
        ("OLD_ADDRESS", "6DE2F18AC876F1587B5E73C9AC87818641A280AB"),
        ("VALOPER", "virtenginevaloper1abc"),
        ("OPERATOR_KEY", "operator"),
        ("CHAIN_ID", "virtengine-1"),
        ("RPC_URL", "http://127.0.0.1:1"),
        ("ROTATION_FEE", "1000000uve"),
        ("FEE_AMOUNT", "1000000"),
        ("FEE_DENOM", "uve"),
        ("NEW_ENVELOPE", envelope),
        (
            "PASSPHRASE_SECRET",
            "virtengine/dr/us-east-1-val-0/backup-passphrase",
        ),
        ("SECRET_REGION", "eu-west-1"),
        ("HOLDERS", holders),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let rb = load_runbook(Path::new("runbooks/validator-key-rotation.yaml")).unwrap();
    let plan = compile(
        &rb,
        &Actions::shipped().unwrap(),
        &given,
        &drconsole::domain::estate::EstateSpec::seed(),
    )
    .unwrap();
    let step = plan
        .steps
        .iter()
        .find(|s| s.name == "seal_new_key")
        .unwrap();
    let Operation::Shell(t) = &step.operation else {
        panic!("seal_new_key runs a command")
    };
    given.insert("NEW_ADDRESS".into(), new_address.into());
    let script = ShellScript::render(t, &given).unwrap();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script.script)
        .envs(script.env())
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn a_seal_whose_passphrase_cannot_be_escrowed_leaves_nothing_behind() {
    let moto = support::moto::Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let env = moto_env_file(&moto, d);
    std::fs::write(d.join("key.json"), KEY).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .arg("--env")
        .arg(&env)
        .args(["ceremony", "seal", "--in"])
        .arg(d.join("key.json"))
        .arg("--out")
        .arg(d.join("v.enc"))
        .args([
            "--threshold",
            "2",
            "--holders",
            "ann,ben",
            "--iterations",
            "100000",
        ])
        .args([
            "--passphrase-secret",
            "no/such/secret",
            "--secret-region",
            "eu-west-1",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Secrets Manager PutSecretValue eu-west-1 no/such/secret"),
        "{err}"
    );
    assert!(err.contains("the passphrase was not escrowed"), "{err}");
    assert!(!d.join("v.enc").exists());
    assert!(!d.join("v.enc.meta.json").exists());
    // Without --env it is refused before anything is read.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .args(["ceremony", "seal", "--in"])
        .arg(d.join("key.json"))
        .arg("--out")
        .arg(d.join("v.enc"))
        .args(["--passphrase-secret", "x"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--passphrase-secret x needs --env FILE"),
        "{err}"
    );
}
