//! The ceremony screens' key reader. A thread reads the terminal in
//! blocks of 4 KiB and hands them over; on every wake the event loop takes
//! every block already read, so a pasted share of any size arrives in one
//! batch and is drawn once.
//!
//! crossterm's reader is not used here: it reads 1 KiB at a time from an
//! edge-triggered poll and stops reading while it still holds events, so
//! the rest of a long paste waited for the next key press (a 10 KB paste
//! took a minute and a half). The screens need few keys, decoded below:
//! characters, Enter, Tab, Shift-Tab, Backspace, Esc and Ctrl-letters;
//! other escape sequences (arrows, function keys) are dropped.

use std::io::{self, IsTerminal as _, Read as _};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc;
use zeroize::Zeroizing;

/// Bytes read at most per block.
const BLOCK: usize = 4096;
/// The longest unfinished escape sequence kept for the next read; a
/// longer one is not a key and is dropped, so nothing grows unbounded.
const MAX_SEQUENCE: usize = 32;
/// Most bytes taken in one wake: the screen is drawn at least this often
/// however fast keys arrive. Every field holds at most 16 KiB.
const MAX_BATCH: usize = 64 * 1024;

/// Reads key presses from the terminal.
pub(super) struct KeyReader {
    blocks: mpsc::UnboundedReceiver<io::Result<Zeroizing<Vec<u8>>>>,
    /// An incomplete UTF-8 character or escape sequence left at the end
    /// of the last batch.
    pending: Zeroizing<Vec<u8>>,
}

impl KeyReader {
    /// Starts the reading thread on stdin, or `/dev/tty` when stdin is not
    /// a terminal (a passphrase was piped in).
    ///
    /// # Errors
    /// `/dev/tty` cannot be opened.
    pub(super) fn new() -> io::Result<Self> {
        let mut source: Box<dyn io::Read + Send> = if io::stdin().is_terminal() {
            Box::new(io::stdin())
        } else {
            Box::new(std::fs::File::open("/dev/tty")?)
        };
        let (tx, rx) = mpsc::unbounded_channel();
        std::thread::Builder::new()
            .name("ceremony-keys".into())
            .spawn(move || {
                loop {
                    let mut buf = Zeroizing::new(vec![0u8; BLOCK]);
                    match source.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            buf.truncate(n);
                            if tx.send(Ok(buf)).is_err() {
                                break;
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            break;
                        }
                    }
                }
            })?;
        Ok(Self {
            blocks: rx,
            pending: Zeroizing::new(Vec::new()),
        })
    }

    /// Waits for input, then takes every block already read (up to
    /// [`MAX_BATCH`] bytes) and decodes it. `None`: the terminal is gone.
    ///
    /// # Errors
    /// The terminal could not be read.
    pub(super) async fn next_batch(&mut self) -> io::Result<Option<Vec<KeyEvent>>> {
        let Some(first) = self.blocks.recv().await else {
            return Ok(None);
        };
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.extend_from_slice(&first?);
        while bytes.len() < MAX_BATCH {
            match self.blocks.try_recv() {
                Ok(block) => bytes.extend_from_slice(&block?),
                Err(_) => break,
            }
        }
        let (keys, used) = decode(&bytes);
        self.pending.extend_from_slice(&bytes[used..]);
        Ok(Some(keys))
    }
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// Decodes terminal bytes into keys; returns them and how many bytes were
/// used (the rest is an incomplete UTF-8 character, kept for next time).
pub(super) fn decode(bytes: &[u8]) -> (Vec<KeyEvent>, usize) {
    let mut keys = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            0x1b => {
                i += 1;
                match bytes.get(i) {
                    Some(b'[') => {
                        // CSI: parameters, then a final byte 0x40..=0x7E.
                        let start = i + 1;
                        let end = bytes[start..]
                            .iter()
                            .position(|c| (0x40..=0x7e).contains(c))
                            .map(|p| start + p);
                        match end {
                            Some(end) => {
                                if bytes[end] == b'Z' {
                                    keys.push(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT));
                                }
                                i = end + 1;
                            }
                            // Cut by the end of a read: kept for the next
                            // batch, so its tail is never typed as text.
                            None if bytes.len() - start <= MAX_SEQUENCE => {
                                return (keys, start - 2);
                            }
                            None => i = bytes.len(),
                        }
                    }
                    Some(b'O') if i + 1 >= bytes.len() => return (keys, i - 1),
                    Some(b'O') => i += 2,
                    // Esc alone (or before an Alt-modified key, taken as Esc).
                    _ => keys.push(key(KeyCode::Esc)),
                }
                continue;
            }
            b'\r' | b'\n' => keys.push(key(KeyCode::Enter)),
            b'\t' => keys.push(key(KeyCode::Tab)),
            0x7f | 0x08 => keys.push(key(KeyCode::Backspace)),
            0x01..=0x1a => keys.push(KeyEvent::new(
                KeyCode::Char(char::from(b + 0x60)),
                KeyModifiers::CONTROL,
            )),
            0x00 | 0x1c..=0x1f => {}
            _ => {
                let len = match b {
                    0xc0..=0xdf => 2,
                    0xe0..=0xef => 3,
                    0xf0..=0xf7 => 4,
                    _ => 1,
                };
                if i + len > bytes.len() {
                    return (keys, i);
                }
                if let Some(c) = std::str::from_utf8(&bytes[i..i + len])
                    .ok()
                    .and_then(|s| s.chars().next())
                {
                    keys.push(key(KeyCode::Char(c)));
                }
                i += len;
                continue;
            }
        }
        i += 1;
    }
    (keys, bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(bytes: &[u8]) -> Vec<(KeyCode, KeyModifiers)> {
        decode(bytes)
            .0
            .iter()
            .map(|k| (k.code, k.modifiers))
            .collect()
    }

    #[test]
    fn decodes_the_keys_the_screens_use() {
        let none = KeyModifiers::NONE;
        assert_eq!(
            codes(b"a\r\t\x7f\x1b[Z\x03\x15\x1b"),
            [
                (KeyCode::Char('a'), none),
                (KeyCode::Enter, none),
                (KeyCode::Tab, none),
                (KeyCode::Backspace, none),
                (KeyCode::BackTab, KeyModifiers::SHIFT),
                (KeyCode::Char('c'), KeyModifiers::CONTROL),
                (KeyCode::Char('u'), KeyModifiers::CONTROL),
                (KeyCode::Esc, none),
            ]
        );
        // Arrows are dropped; UTF-8 is decoded; a split character waits.
        assert_eq!(
            codes("\x1b[A\x1bOBé".as_bytes()),
            [(KeyCode::Char('é'), none)]
        );
        let (keys, used) = decode(&[b'x', 0xc3]);
        assert_eq!((keys.len(), used), (1, 1));
        // A sequence cut by the end of a read waits for the rest.
        assert_eq!(decode(b"a\x1b[").1, 1);
        assert_eq!(decode(b"\x1bO").1, 0);
        assert_eq!(codes(b"\x1b[Z"), [(KeyCode::BackTab, KeyModifiers::SHIFT)]);
        // An endless one is dropped, never kept growing.
        let mut endless = b"\x1b[".to_vec();
        endless.extend([b'1'; 100]);
        assert_eq!(decode(&endless), (Vec::new(), endless.len()));
        // 10 KB decodes at once.
        assert_eq!(decode(&[b'A'; 10_000]).0.len(), 10_000);
    }
}
