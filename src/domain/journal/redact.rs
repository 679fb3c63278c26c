//! Keeping secrets out of the journal: finding data keys that name a share,
//! passphrase, secret, mnemonic or key material, so the writer can refuse
//! them before they reach disk.

use serde_json::Value;

/// Words of a data key that mark a secret.
const SECRET_WORDS: &[&str] = &[
    "share",
    "shares",
    "passphrase",
    "passphrases",
    "password",
    "passwords",
    "secret",
    "secrets",
    "mnemonic",
    "mnemonics",
    "keymaterial",
];

/// Last words that make a key describe a secret rather than hold one
/// (`share_index`, `secret_name`).
const METADATA_WORDS: &[&str] = &[
    "index",
    "id",
    "ids",
    "count",
    "name",
    "names",
    "holder",
    "holders",
    "threshold",
    "set",
    "arn",
    "total",
    "number",
];

/// The JSON pointer of the first object key in `data` that looks like it
/// holds a secret, or `None`.
///
/// Defence in depth: ceremonies must journal who entered a share and its
/// index, never the share, so the writer refuses data that even *names* a
/// share, passphrase, secret, mnemonic or key material. A key is split into
/// words (`snake_case`, `kebab-case`, `camelCase`) and matched
/// case-insensitively; `key_material` counts as one word. A key whose last
/// word is metadata (`share_index`, `secret_name`, `shares_count`) is
/// allowed, but its value is still searched. Values are not inspected.
#[must_use]
pub fn find_secret_key(data: &Value) -> Option<String> {
    fn walk(v: &Value, path: &str) -> Option<String> {
        match v {
            Value::Object(map) => map.iter().find_map(|(k, v)| {
                let here = format!("{path}/{}", k.replace('~', "~0").replace('/', "~1"));
                if is_secret_key(k) {
                    Some(here)
                } else {
                    walk(v, &here)
                }
            }),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, v)| walk(v, &format!("{path}/{i}"))),
            _ => None,
        }
    }
    walk(data, "")
}

fn is_secret_key(key: &str) -> bool {
    let words = key_words(key);
    let joined: Vec<String> = words
        .windows(2)
        .map(|w| format!("{}{}", w[0], w[1]))
        .collect();
    let secret = words
        .iter()
        .chain(joined.iter())
        .any(|w| SECRET_WORDS.contains(&w.as_str()));
    let metadata = words
        .last()
        .is_some_and(|w| METADATA_WORDS.contains(&w.as_str()));
    secret && !metadata
}

/// `shareText` → `["share", "text"]`; `KEY-material` → `["key", "material"]`.
fn key_words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_numeric();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}
