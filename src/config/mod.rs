//! User files: layouts and themes (later runbooks and environments).
//! Every error names the file, line and column and what was expected.

pub mod layout;
pub mod theme;
