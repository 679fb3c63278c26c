//! The layouts and themes shipped in `layouts/` and `themes/`, compiled in so
//! the console works from any directory and with no files installed.

use std::path::PathBuf;

use super::layout::Layout;
use super::layout_file::parse_layout;
use super::theme::Theme;
use super::theme_file::parse_theme;

/// The layout used when none is chosen.
pub const DEFAULT_LAYOUT: &str = "default";
/// The theme used when none is chosen.
pub const DEFAULT_THEME: &str = "dark";

/// Shipped layouts: name and file text.
pub const LAYOUTS: [(&str, &str); 3] = [
    ("default", include_str!("../../layouts/default.toml")),
    ("compact", include_str!("../../layouts/compact.toml")),
    ("wall", include_str!("../../layouts/wall.toml")),
];

/// Shipped themes: name and file text.
pub const THEMES: [(&str, &str); 3] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

/// How a builtin file is named in messages: not a real path, but says where
/// its source lives in the repository.
#[must_use]
pub fn builtin_path(dir: &str, name: &str) -> PathBuf {
    PathBuf::from(format!("(builtin) {dir}/{name}.toml"))
}

/// A shipped layout by name, for fallbacks and tests. `None` if there is no
/// such builtin (a builtin that fails to parse is caught by this module's tests).
#[must_use]
pub fn builtin_layout(name: &str) -> Option<Layout> {
    let (_, text) = LAYOUTS.iter().find(|(n, _)| *n == name)?;
    parse_layout(name, &builtin_path("layouts", name), text).ok()
}

/// A shipped theme by name, for fallbacks and tests. `None` if there is no
/// such builtin.
#[must_use]
pub fn builtin_theme(name: &str) -> Option<Theme> {
    let (_, text) = THEMES.iter().find(|(n, _)| *n == name)?;
    parse_theme(name, &builtin_path("themes", name), text).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::config::layout::PanelKind;
    use crate::config::theme::Slot;
    use ratatui::layout::Rect;

    #[test]
    fn every_builtin_file_parses() {
        for (name, text) in LAYOUTS {
            if let Err(e) = parse_layout(name, &builtin_path("layouts", name), text) {
                panic!("{e}");
            }
        }
        for (name, text) in THEMES {
            if let Err(e) = parse_theme(name, &builtin_path("themes", name), text) {
                panic!("{e}");
            }
        }
        for (name, _) in LAYOUTS {
            assert!(
                !builtin_layout(name).unwrap().description.is_empty(),
                "{name}"
            );
        }
        for (name, _) in THEMES {
            assert!(
                !builtin_theme(name).unwrap().description.is_empty(),
                "{name}"
            );
        }
        assert!(builtin_layout(DEFAULT_LAYOUT).is_some());
        assert!(builtin_theme(DEFAULT_THEME).is_some());
    }

    #[test]
    fn every_builtin_layout_shows_what_an_outage_needs() {
        for (name, _) in LAYOUTS {
            let panels = builtin_layout(name).unwrap().panels();
            for must in [PanelKind::Regions, PanelKind::Chain, PanelKind::RegionLoss] {
                assert!(panels.contains(&must), "{name} lacks {must}");
            }
            assert!(
                panels.contains(&PanelKind::Replication) || panels.contains(&PanelKind::Backups),
                "{name} shows neither replication nor backups"
            );
        }
    }

    #[test]
    fn default_and_wall_show_every_panel() {
        for name in ["default", "wall"] {
            let mut panels = builtin_layout(name).unwrap().panels();
            panels.sort();
            assert_eq!(panels, PanelKind::ALL.to_vec(), "{name}");
        }
    }

    #[test]
    fn every_builtin_layout_leaves_each_panel_usable_on_its_screen() {
        // The area the UI hands the layout: the screen less header and command line.
        for (name, width, height, min_w, min_h) in [
            ("default", 120, 38, 30, 7),
            ("compact", 80, 22, 30, 6),
            ("wall", 200, 58, 40, 10),
        ] {
            let layout = builtin_layout(name).unwrap();
            let areas = layout.areas(Rect::new(0, 0, width, height));
            for (panel, a) in &areas {
                assert!(
                    a.width >= min_w && a.height >= min_h,
                    "{name}: {panel} gets only {}x{}",
                    a.width,
                    a.height
                );
            }
            let used: u32 = areas
                .iter()
                .map(|(_, a)| u32::from(a.width) * u32::from(a.height))
                .sum();
            assert_eq!(used, u32::from(width) * u32::from(height), "{name}");
        }
    }

    #[test]
    fn every_builtin_theme_tells_states_apart() {
        for (name, _) in THEMES {
            let t = builtin_theme(name).unwrap();
            let levels = [
                Slot::Ok,
                Slot::Warn,
                Slot::Critical,
                Slot::Stale,
                Slot::Unknown,
            ]
            .map(|s| t.style(s));
            for (i, a) in levels.iter().enumerate() {
                for b in &levels[i + 1..] {
                    assert_ne!(a, b, "{name}: two states look the same");
                }
            }
            // Unknown must never look healthy, even without colour.
            assert_ne!(t.style(Slot::Unknown), t.style(Slot::Ok), "{name}");
            assert_ne!(t.style(Slot::Simulated), t.style(Slot::Text), "{name}");
        }
    }
}
