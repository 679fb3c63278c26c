//! User files: layouts, themes and the environment file (later runbooks).
//! Every error names the file, line and column and what was expected.

pub mod builtin;
pub mod check;
pub mod counts;
pub mod drill_file;
pub mod drill_script;
pub mod environment;
pub mod environment_file;
pub mod error;
pub mod layout;
pub mod layout_file;
pub mod loader;
pub mod runbook;
pub mod theme;
pub mod theme_file;

pub use builtin::{DEFAULT_LAYOUT, DEFAULT_THEME, builtin_layout, builtin_theme};
pub use check::{FileKind, Finding, check_builtins, check_default, check_paths};
pub use environment::{load_environment, parse_environment, starter_template};
pub use error::ConfigError;
pub use layout_file::parse_layout;
pub use loader::{
    ConfigDirs, available_layouts, available_themes, is_valid_name, load_layout, load_theme,
};
pub use theme_file::parse_theme;
