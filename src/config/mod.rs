//! User files: layouts and themes (later runbooks and environments).
//! Every error names the file, line and column and what was expected.

pub mod error;
pub mod layout;
pub mod layout_file;
pub mod theme;

pub use error::ConfigError;
pub use layout_file::parse_layout;
