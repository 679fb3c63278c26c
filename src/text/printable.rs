//! Making text that came from input safe to print on a terminal.
//!
//! A runbook value, a TOML string or a journal entry may hold ESC and other
//! control characters (`\e]0;pwned\a\e[2J` retitles and clears the
//! operator's terminal), newlines that fake a line of output, or a megabyte
//! of text. [`printable`] shows every such character escaped and cuts the
//! text with `…(N bytes)`, so what the operator reads is exactly what the
//! input held, and nothing more happens.

use std::fmt::Write as _;

/// The longest text [`printable`] shows, in bytes, before it cuts: enough
/// for any error message of ours with a quoted value, far less than a
/// screen of noise.
pub const MAX_SHOWN: usize = 1024;

/// `text`, control characters escaped and cut after [`MAX_SHOWN`] bytes:
/// what every error at the edge, `journal show` and `journal verify` print.
#[must_use]
pub fn printable(text: &str) -> String {
    printable_within(text, MAX_SHOWN)
}

/// Like [`printable`] but cut after `limit` bytes of the original text,
/// for values quoted inside a longer message (a field's value, a path).
///
/// Escapes: `\n`, `\r`, `\t`, other C0 and C1 controls and DEL as `\xNN`,
/// and Unicode bidirectional and zero-width format characters as `\u{NNNN}`
/// (they reorder or hide what the operator reads). A cut text ends with
/// `…(N bytes)`, N the length of the whole original.
#[must_use]
pub fn printable_within(text: &str, limit: usize) -> String {
    let mut out = String::with_capacity(text.len().min(limit) + 16);
    for (i, c) in text.char_indices() {
        if i >= limit {
            let _ = write!(out, "…({} bytes)", text.len());
            return out;
        }
        escape_into(&mut out, c);
    }
    out
}

/// Bytes that may not be UTF-8 (a journal line, a share typed with a stray
/// byte): valid characters as [`printable_within`] shows them, every
/// invalid byte as `\xNN`.
#[must_use]
pub fn printable_bytes(bytes: &[u8], limit: usize) -> String {
    let mut out = String::new();
    let mut rest = bytes;
    let mut done = 0;
    while !rest.is_empty() {
        if done >= limit {
            let _ = write!(out, "…({} bytes)", bytes.len());
            return out;
        }
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(&printable_within(s, limit - done));
                if done + s.len() > limit {
                    // printable_within counted only its part; say the whole.
                    if let Some(cut) = out.rfind('…') {
                        out.truncate(cut);
                    }
                    let _ = write!(out, "…({} bytes)", bytes.len());
                }
                return out;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                let good = std::str::from_utf8(good).unwrap_or_default();
                for c in good.chars() {
                    escape_into(&mut out, c);
                }
                let n = e.error_len().unwrap_or(bad.len()).max(1).min(bad.len());
                for b in &bad[..n] {
                    let _ = write!(out, "\\x{b:02x}");
                }
                done += good.len() + n;
                rest = &bad[n..];
            }
        }
    }
    out
}

fn escape_into(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if c.is_control() => {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        }
        c if is_format(c) => {
            let _ = write!(out, "\\u{{{:04x}}}", u32::from(c));
        }
        c => out.push(c),
    }
}

/// Format characters that change how the rest of a line reads: bidi
/// embeddings, overrides and isolates, zero-width joiners and marks, BOM.
fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2069}'
            | '\u{feff}'
            | '\u{061c}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            printable("a\u{1b}]0;pwned\u{7}\u{1b}[2J\nb\tc\u{9b}"),
            "a\\x1b]0;pwned\\x07\\x1b[2J\\nb\\tc\\x9b"
        );
        assert_eq!(printable("é ok"), "é ok");
        assert_eq!(printable("x\u{202e}y"), "x\\u{202e}y");
    }

    #[test]
    fn long_text_is_cut_with_its_length() {
        let long = "é".repeat(1000);
        let shown = printable_within(&long, 10);
        assert_eq!(shown, "ééééé…(2000 bytes)");
        assert_eq!(printable_within("short", 10), "short");
    }

    #[test]
    fn invalid_bytes_are_shown_as_hex() {
        assert_eq!(printable_bytes(b"ab\xffc\x1b", 100), "ab\\xffc\\x1b");
        assert_eq!(printable_bytes(b"abcdef", 3), "abc…(6 bytes)");
    }
}
