//! Finding layouts and themes by name: the operator's own files first, then
//! the builtins, so a file named like a builtin replaces it.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::builtin::{LAYOUTS, THEMES, builtin_path};
use super::error::ConfigError;
use super::layout::Layout;
use super::layout_file::parse_layout;
use super::theme::Theme;
use super::theme_file::parse_theme;
use crate::text::{Cap, read_text};

/// Directories searched, in order, for `layouts/NAME.toml` and
/// `themes/NAME.toml` before the builtins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigDirs {
    /// Search roots, earliest wins.
    pub roots: Vec<PathBuf>,
}

impl ConfigDirs {
    /// The current directory, then `$XDG_CONFIG_HOME/drconsole` (or
    /// `~/.config/drconsole`): a checkout's files win over the user's.
    #[must_use]
    pub fn standard() -> Self {
        let mut roots = vec![PathBuf::from(".")];
        let xdg = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute());
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .map(|h| h.join(".config"));
        if let Some(base) = xdg.or(home) {
            roots.push(base.join("drconsole"));
        }
        Self { roots }
    }

    /// No directories: builtins only, as tests and `--no-user-config` want.
    #[must_use]
    pub fn none() -> Self {
        Self::default()
    }
}

/// Loads the layout called `name`, from the first root that has it, else the
/// builtin.
///
/// # Errors
/// A bad name, an unreadable or invalid file, or no such layout anywhere.
pub fn load_layout(dirs: &ConfigDirs, name: &str) -> Result<Layout, ConfigError> {
    load(dirs, Kind::LAYOUT, name, parse_layout)
}

/// Loads the theme called `name`, from the first root that has it, else the
/// builtin.
///
/// # Errors
/// A bad name, an unreadable or invalid file, or no such theme anywhere.
pub fn load_theme(dirs: &ConfigDirs, name: &str) -> Result<Theme, ConfigError> {
    load(dirs, Kind::THEME, name, parse_theme)
}

/// Layout names found in `dirs` and the builtins, sorted, each once.
#[must_use]
pub fn available_layouts(dirs: &ConfigDirs) -> Vec<String> {
    available(dirs, Kind::LAYOUT)
}

/// Theme names found in `dirs` and the builtins, sorted, each once.
#[must_use]
pub fn available_themes(dirs: &ConfigDirs) -> Vec<String> {
    available(dirs, Kind::THEME)
}

/// Whether `name` can name a layout or theme file: lowercase letters, digits,
/// `-` and `_`, so it can never reach outside its directory.
#[must_use]
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// What differs between layouts and themes when loading.
#[derive(Clone, Copy)]
struct Kind {
    what: &'static str,
    dir: &'static str,
    builtins: &'static [(&'static str, &'static str)],
    cap: Cap,
}

impl Kind {
    const LAYOUT: Kind = Kind {
        what: "layout",
        dir: "layouts",
        builtins: &LAYOUTS,
        cap: Cap::LAYOUT,
    };
    const THEME: Kind = Kind {
        what: "theme",
        dir: "themes",
        builtins: &THEMES,
        cap: Cap::THEME,
    };
}

fn load<T>(
    dirs: &ConfigDirs,
    kind: Kind,
    name: &str,
    parse: fn(&str, &Path, &str) -> Result<T, ConfigError>,
) -> Result<T, ConfigError> {
    if !is_valid_name(name) {
        return Err(ConfigError::BadName {
            kind: kind.what,
            name: name.to_owned(),
        });
    }
    for root in &dirs.roots {
        let file = root.join(kind.dir).join(format!("{name}.toml"));
        match read_text(&file, kind.cap) {
            Ok(text) => return parse(name, &file, &text),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.into()),
        }
    }
    if let Some((_, text)) = kind.builtins.iter().find(|(n, _)| *n == name) {
        return parse(name, &builtin_path(kind.dir, name), text);
    }
    Err(ConfigError::NotFound {
        kind: kind.what,
        name: name.to_owned(),
        available: available(dirs, kind),
    })
}

fn available(dirs: &ConfigDirs, kind: Kind) -> Vec<String> {
    let mut names: BTreeSet<String> = kind.builtins.iter().map(|(n, _)| (*n).to_owned()).collect();
    for root in &dirs.roots {
        let Ok(entries) = fs::read_dir(root.join(kind.dir)) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path.extension().is_some_and(|e| e == "toml")
                && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
                && is_valid_name(stem)
            {
                names.insert(stem.to_owned());
            }
        }
    }
    names.into_iter().collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::config::layout::PanelKind;

    #[test]
    fn names_cannot_escape_their_directory() {
        for bad in ["", "..", "../x", "a/b", "a\\b", "Dark", "dark.toml", "a b"] {
            assert!(!is_valid_name(bad), "{bad}");
            assert!(matches!(
                load_theme(&ConfigDirs::none(), bad),
                Err(ConfigError::BadName { .. })
            ));
        }
        assert!(is_valid_name("high-contrast"));
        assert!(is_valid_name("noc_2"));
    }

    #[test]
    fn builtins_load_without_files() {
        let dirs = ConfigDirs::none();
        assert_eq!(load_layout(&dirs, "compact").unwrap().name, "compact");
        assert_eq!(load_theme(&dirs, "light").unwrap().name, "light");
        assert_eq!(available_themes(&dirs), ["dark", "high-contrast", "light"]);
    }

    #[test]
    fn unknown_names_list_the_available_ones() {
        let e = load_layout(&ConfigDirs::none(), "big").unwrap_err();
        assert_eq!(
            e.to_string(),
            "no layout named \"big\", available: compact, default, wall"
        );
    }

    #[test]
    fn user_files_override_builtins_and_are_listed() {
        let tmp = tempfile::tempdir().unwrap();
        let first = tmp.path().join("first");
        let second = tmp.path().join("second");
        fs::create_dir_all(first.join("layouts")).unwrap();
        fs::create_dir_all(second.join("layouts")).unwrap();
        let one = |p: &str| format!("[[row]]\npanels = [{{ panel = \"{p}\" }}]\n");
        fs::write(first.join("layouts/default.toml"), one("log")).unwrap();
        fs::write(second.join("layouts/default.toml"), one("chain")).unwrap();
        fs::write(second.join("layouts/mine.toml"), one("regions")).unwrap();
        fs::write(second.join("layouts/Not Valid.toml"), one("regions")).unwrap();
        let dirs = ConfigDirs {
            roots: vec![first, second.clone()],
        };
        assert_eq!(
            load_layout(&dirs, "default").unwrap().panels(),
            [PanelKind::Log]
        );
        assert_eq!(
            load_layout(&dirs, "mine").unwrap().panels(),
            [PanelKind::Regions]
        );
        assert_eq!(
            available_layouts(&dirs),
            ["compact", "default", "mine", "wall"]
        );

        fs::write(second.join("layouts/broken.toml"), "[[row]]\npanels = []\n").unwrap();
        let e = load_layout(&dirs, "broken").unwrap_err().to_string();
        assert!(e.ends_with("broken.toml:2:10: row has no panels, expected at least one { panel = \"...\", width = \"...\" }"), "{e}");
    }

    #[test]
    fn standard_dirs_start_with_the_current_directory() {
        let dirs = ConfigDirs::standard();
        assert_eq!(dirs.roots[0], PathBuf::from("."));
        assert!(dirs.roots.iter().skip(1).all(|r| r.ends_with("drconsole")));
    }
}
