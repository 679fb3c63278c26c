//! Interop: an independent implementation of the documented envelope format
//! (Python's `cryptography` package, in the test venv that tests/run.sh
//! builds) opens what drconsole seals, and drconsole opens what it seals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use drconsole::crypto::envelope::{self, EnvelopeError, MIN_ITERATIONS};
use secrecy::{ExposeSecret, SecretString};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Written only from the README's "Key backup envelope format" section.
const ENVELOPE_PY: &str = r#"
import os, struct, sys
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

def key(passphrase, salt, iterations):
    return PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt,
                      iterations=iterations).derive(passphrase)

mode, path = sys.argv[1], sys.argv[2]
passphrase = os.environ["ENVELOPE_PASSPHRASE"].encode("utf-8")
if mode == "open":
    data = open(path, "rb").read()
    assert data[:6] == b"DRCENV", "magic"
    assert data[6] == 1, "version"
    assert data[7] == 1, "kdf id"
    (iterations,) = struct.unpack(">I", data[8:12])
    assert iterations >= 100000, "iterations"
    s = data[12]
    salt, nonce = data[13:13 + s], data[13 + s:25 + s]
    header, body = data[:25 + s], data[25 + s:]
    aad = b"" if os.environ.get("ENVELOPE_NO_AAD") else header
    sys.stdout.buffer.write(AESGCM(key(passphrase, salt, iterations)).decrypt(nonce, body, aad))
elif mode == "seal":
    iterations = int(sys.argv[3])
    plaintext = sys.stdin.buffer.read()
    salt, nonce = os.urandom(16), os.urandom(12)
    header = b"DRCENV" + bytes([1, 1]) + struct.pack(">I", iterations) + bytes([len(salt)]) + salt + nonce
    body = AESGCM(key(passphrase, salt, iterations)).encrypt(nonce, plaintext, header)
    open(path, "wb").write(header + body)
"#;

fn python() -> PathBuf {
    let python = std::env::var_os("DRCONSOLE_MOTO_PYTHON").expect(
        "DRCONSOLE_MOTO_PYTHON is unset: run tests/run.sh (it builds tests/.venv with \
         Python's cryptography package)",
    );
    PathBuf::from(python)
}

fn run_py(
    dir: &Path,
    args: &[&str],
    passphrase: &str,
    stdin: &[u8],
    extra_env: &[(&str, &str)],
) -> Output {
    let script = dir.join("envelope.py");
    std::fs::write(&script, ENVELOPE_PY).unwrap();
    let mut child = Command::new(python())
        .arg(&script)
        .args(args)
        .env("ENVELOPE_PASSPHRASE", passphrase)
        .envs(extra_env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the venv's python");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

const PLAINTEXT: &[u8] = b"{\"address\": \"A1B2\", \"priv_key\": {\"type\": \"tendermint/PrivKeyEd25519\", \"value\": \"...\"}}\n\x00\xff";
const PASSPHRASE: &str = "correct horse battery staple \u{00e9}\u{00df}";

#[test]
fn python_opens_a_drconsole_envelope() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key.enc");
    let sealed =
        envelope::seal(PLAINTEXT, &SecretString::from(PASSPHRASE), MIN_ITERATIONS).unwrap();
    std::fs::write(&path, &sealed).unwrap();
    let path = path.to_str().unwrap();

    let out = run_py(dir.path(), &["open", path], PASSPHRASE, b"", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, PLAINTEXT);

    // The same independent reader fails with the wrong passphrase, and
    // without the header as associated data.
    let out = run_py(dir.path(), &["open", path], "wrong", b"", &[]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("InvalidTag"));
    let out = run_py(
        dir.path(),
        &["open", path],
        PASSPHRASE,
        b"",
        &[("ENVELOPE_NO_AAD", "1")],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("InvalidTag"));
}

#[test]
fn drconsole_opens_a_python_envelope() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key.enc");
    let out = run_py(
        dir.path(),
        &["seal", path.to_str().unwrap(), &MIN_ITERATIONS.to_string()],
        PASSPHRASE,
        PLAINTEXT,
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sealed = std::fs::read(&path).unwrap();
    let opened = envelope::open(&sealed, &SecretString::from(PASSPHRASE)).unwrap();
    assert_eq!(opened.expose_secret(), PLAINTEXT);
    assert_eq!(
        envelope::open(&sealed, &SecretString::from("wrong")).map(|_| ()),
        Err(EnvelopeError::AuthenticationFailed)
    );

    // A Python envelope under the floor is refused before any derivation.
    let weak = dir.path().join("weak.enc");
    let out = run_py(
        dir.path(),
        &["seal", weak.to_str().unwrap(), "1000"],
        PASSPHRASE,
        PLAINTEXT,
        &[],
    );
    assert!(out.status.success());
    let weak = std::fs::read(&weak).unwrap();
    assert_eq!(
        envelope::open(&weak, &SecretString::from(PASSPHRASE)).map(|_| ()),
        Err(EnvelopeError::IterationsTooLow {
            iterations: 1000,
            minimum: MIN_ITERATIONS
        })
    );
}
