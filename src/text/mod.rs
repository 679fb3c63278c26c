//! Text crossing the console's edges: every file is read through
//! [`read`] (regular files only, a size cap per kind, UTF-8 checked with a
//! position), and every message that may quote input goes out through
//! [`printable`] (control characters escaped, long values cut), so no file,
//! flag or journal can block, exhaust or repaint the operator's terminal.

pub mod printable;
pub mod read;

pub use printable::{printable, printable_bytes, printable_within};
pub use read::{Cap, ReadError, open_regular, read_bytes, read_text};
