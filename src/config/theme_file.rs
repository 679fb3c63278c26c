//! The TOML form of a theme and its checks.
//!
//! ```toml
//! description = "For dark terminals"
//! [slots]
//! text = "white"                                        # a colour
//! critical = { fg = "white", bg = "red", bold = true }  # or a style
//! ```
//!
//! A colour is a name (`red`, `light_blue`, `reset`...), `"#rrggbb"` or a
//! palette index `"38"` (0-255). A style table takes `fg`, `bg`, `bold`,
//! `italic`, `underline`, `reversed` and `dim`. Every slot must be given, so
//! a theme never silently falls back to colours its author did not choose.

use std::fmt;
use std::path::Path;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use toml::Spanned;

use super::error::ConfigError;
use super::theme::{Slot, Theme};

/// Colour names a theme may use, with what they mean to the terminal.
const COLOR_NAMES: [(&str, Color); 17] = [
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("gray", Color::Gray),
    ("dark_gray", Color::DarkGray),
    ("light_red", Color::LightRed),
    ("light_green", Color::LightGreen),
    ("light_yellow", Color::LightYellow),
    ("light_blue", Color::LightBlue),
    ("light_magenta", Color::LightMagenta),
    ("light_cyan", Color::LightCyan),
    ("white", Color::White),
    ("reset", Color::Reset),
];

/// What a colour may look like, for error messages.
fn color_forms() -> String {
    format!(
        "a colour name ({}), \"#rrggbb\" or an index \"0\" to \"255\"",
        COLOR_NAMES.map(|(n, _)| n).join(", ")
    )
}

/// What a slot value may look like, for error messages.
const STYLE_FORMS: &str =
    "a colour or a table of fg, bg, bold, italic, underline, reversed and dim";

/// Parses and checks a theme file. `name` is what operators select it by;
/// `file` is only used in error messages.
///
/// # Errors
/// The first problem found, with its line and column in `text`.
pub fn parse_theme(name: &str, file: &Path, text: &str) -> Result<Theme, ConfigError> {
    let parsed: ThemeFile =
        toml::from_str(text).map_err(|e| ConfigError::from_toml(file, text, &e))?;
    let given = &parsed.slots.get_ref().0;
    let missing: Vec<&str> = Slot::ALL
        .into_iter()
        .filter(|s| !given.iter().any(|(g, _)| g == s))
        .map(Slot::key)
        .collect();
    if !missing.is_empty() {
        let plural = if missing.len() == 1 { "" } else { "s" };
        return Err(ConfigError::at(
            file,
            text,
            parsed.slots.span(),
            format!(
                "missing slot{plural} {}, expected every slot to be given",
                missing.join(", ")
            ),
        ));
    }
    Ok(Theme::new(name, given).with_description(parsed.description))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    #[serde(default)]
    description: String,
    slots: Spanned<SlotsTable>,
}

/// The `[slots]` table in file order. toml itself rejects a key given twice.
struct SlotsTable(Vec<(Slot, Style)>);

impl<'de> Deserialize<'de> for SlotsTable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SlotsTable;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of slots")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SlotsTable, A::Error> {
                let mut out = Vec::new();
                while let Some(SlotKey(slot)) = map.next_key()? {
                    let StyleValue(style) = map.next_value()?;
                    out.push((slot, style));
                }
                Ok(SlotsTable(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// A slot name, already known to exist.
struct SlotKey(Slot);

impl<'de> Deserialize<'de> for SlotKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let key = String::deserialize(d)?;
        Slot::from_key(&key).map(SlotKey).ok_or_else(|| {
            de::Error::custom(format!(
                "unknown slot \"{key}\", expected one of: {}",
                Slot::ALL.map(Slot::key).join(", ")
            ))
        })
    }
}

/// A slot's value: a bare colour (the foreground) or a style table.
struct StyleValue(Style);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(clippy::struct_excessive_bools)] // The file format's own on/off flags.
struct StyleTable {
    fg: Option<ColorValue>,
    bg: Option<ColorValue>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    reversed: bool,
    #[serde(default)]
    dim: bool,
}

impl StyleTable {
    fn style(&self) -> Style {
        let mut style = Style::default();
        if let Some(ColorValue(c)) = self.fg {
            style = style.fg(c);
        }
        if let Some(ColorValue(c)) = self.bg {
            style = style.bg(c);
        }
        for (on, m) in [
            (self.bold, Modifier::BOLD),
            (self.italic, Modifier::ITALIC),
            (self.underline, Modifier::UNDERLINED),
            (self.reversed, Modifier::REVERSED),
            (self.dim, Modifier::DIM),
        ] {
            if on {
                style = style.add_modifier(m);
            }
        }
        style
    }
}

impl<'de> Deserialize<'de> for StyleValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StyleValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(STYLE_FORMS)
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<StyleValue, E> {
                parse_color(s)
                    .map(|c| StyleValue(Style::default().fg(c)))
                    .map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<StyleValue, A::Error> {
                let table = StyleTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(StyleValue(table.style()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A colour, already known to be one.
#[derive(Clone, Copy)]
struct ColorValue(Color);

impl<'de> Deserialize<'de> for ColorValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ColorValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&color_forms())
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<ColorValue, E> {
                parse_color(s).map(ColorValue).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

/// Parses a colour name, `#rrggbb` or a palette index, with a message that
/// says which form was meant and what it needs.
fn parse_color(text: &str) -> Result<Color, String> {
    if let Some((_, c)) = COLOR_NAMES.iter().find(|(n, _)| *n == text) {
        return Ok(*c);
    }
    if let Some(hex) = text.strip_prefix('#') {
        let rgb = (hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| u32::from_str_radix(hex, 16).ok())
            .flatten();
        return match rgb {
            Some(value) => {
                let [_, r, g, b] = value.to_be_bytes();
                Ok(Color::Rgb(r, g, b))
            }
            None => Err(format!(
                "bad colour \"{text}\", expected \"#rrggbb\" with six hex digits"
            )),
        };
    }
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<u8>().map(Color::Indexed).map_err(|_| {
            format!("bad colour \"{text}\", expected a palette index from \"0\" to \"255\"")
        });
    }
    Err(format!("bad colour \"{text}\", expected {}", color_forms()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    #[test]
    fn colours_parse_in_every_form() {
        assert_eq!(parse_color("light_red"), Ok(Color::LightRed));
        assert_eq!(parse_color("#ff8000"), Ok(Color::Rgb(255, 128, 0)));
        assert_eq!(parse_color("#FF8000"), Ok(Color::Rgb(255, 128, 0)));
        assert_eq!(parse_color("38"), Ok(Color::Indexed(38)));
        for bad in [
            "", "purple", "#ff80", "#ff800g", "256", "Red", " red", "#+f8000",
        ] {
            assert!(
                parse_color(bad).unwrap_err().starts_with("bad colour"),
                "{bad}"
            );
        }
    }

    #[test]
    fn style_tables_set_colours_and_modifiers() {
        let mut text = String::from("[slots]\n");
        for s in Slot::ALL {
            writeln!(text, "{} = \"white\"", s.key()).unwrap();
        }
        text = text.replace(
            "critical = \"white\"",
            "critical = { fg = \"white\", bg = \"red\", bold = true, reversed = true }",
        );
        let t = parse_theme("t", Path::new("t.toml"), &text).unwrap();
        let c = t.style(Slot::Critical);
        assert_eq!((c.fg, c.bg), (Some(Color::White), Some(Color::Red)));
        assert!(c.add_modifier.contains(Modifier::BOLD | Modifier::REVERSED));
        assert_eq!(t.style(Slot::Ok), Style::default().fg(Color::White));
    }
}
