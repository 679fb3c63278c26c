//! The TOML form of a layout and its checks.
//!
//! ```toml
//! description = "Default dashboard for 120x40 and larger"
//! [[row]]
//! height = "14"          # cells; or "30%", "min 8", "fill", "fill 2"
//! panels = [
//!   { panel = "regions", width = "60%" },
//!   { panel = "chain", width = "fill" },
//! ]
//! ```
//!
//! `height` and `width` may be left out and then mean `"fill"`. Sizes and
//! panel names are checked while toml reads them, so a bad value is reported
//! at its own line and column; rules across several values run afterwards.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use toml::Spanned;

use super::error::ConfigError;
use super::layout::{Layout, PanelKind, Row, Size, Slot};

/// What a size may look like, for error messages.
const SIZE_FORMS: &str = r#"cells ("12"), a percentage ("30%"), "min N" or "fill [N]""#;

/// Parses and checks a layout file. `name` is what operators select it by;
/// `file` is only used in error messages.
///
/// # Errors
/// The first problem found, with its line and column in `text`.
pub fn parse_layout(name: &str, file: &Path, text: &str) -> Result<Layout, ConfigError> {
    let parsed: LayoutFile =
        toml::from_str(text).map_err(|e| ConfigError::from_toml(file, text, &e))?;
    let at = |span: Range<usize>, msg: String| ConfigError::at(file, text, span, msg);
    validate_has_rows(&parsed.row).map_err(|(s, m)| at(s, m))?;
    for row in &parsed.row {
        validate_row_has_panels(&row.panels).map_err(|(s, m)| at(s, m))?;
    }
    validate_unique_panels(text, &parsed.row).map_err(|(s, m)| at(s, m))?;
    for row in &parsed.row {
        validate_percent_sum(
            "widths in this row",
            row.panels.get_ref().iter().map(|p| &p.width),
        )
        .map_err(|(s, m)| at(s, m))?;
    }
    validate_percent_sum("row heights", parsed.row.iter().map(|r| &r.height))
        .map_err(|(s, m)| at(s, m))?;

    Ok(Layout {
        name: name.to_owned(),
        description: parsed.description,
        rows: parsed
            .row
            .into_iter()
            .map(|r| Row {
                height: size_of(r.height.as_ref()),
                slots: r
                    .panels
                    .into_inner()
                    .into_iter()
                    .map(|p| Slot {
                        panel: p.panel.into_inner().0,
                        width: size_of(p.width.as_ref()),
                    })
                    .collect(),
            })
            .collect(),
    })
}

/// A rule broken somewhere: the span to point at and the message.
type Broken = (Range<usize>, String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LayoutFile {
    #[serde(default)]
    description: String,
    #[serde(default)]
    row: Vec<RowFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RowFile {
    height: Option<Spanned<SizeValue>>,
    panels: Spanned<Vec<PanelFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PanelFile {
    panel: Spanned<PanelName>,
    width: Option<Spanned<SizeValue>>,
}

fn size_of(v: Option<&Spanned<SizeValue>>) -> Size {
    v.map_or(Size::Fill(1), |s| s.get_ref().0)
}

fn validate_has_rows(rows: &[RowFile]) -> Result<(), Broken> {
    if rows.is_empty() {
        return Err((
            0..0,
            "no rows, expected at least one [[row]] with panels".to_owned(),
        ));
    }
    Ok(())
}

fn validate_row_has_panels(panels: &Spanned<Vec<PanelFile>>) -> Result<(), Broken> {
    if panels.get_ref().is_empty() {
        return Err((
            panels.span(),
            r#"row has no panels, expected at least one { panel = "...", width = "..." }"#
                .to_owned(),
        ));
    }
    Ok(())
}

/// A panel may be placed once: the error points at the second placement and
/// names the line of the first, where the operator probably meant it.
fn validate_unique_panels(text: &str, rows: &[RowFile]) -> Result<(), Broken> {
    let mut seen: HashMap<PanelKind, usize> = HashMap::new();
    for p in rows.iter().flat_map(|r| r.panels.get_ref()) {
        let kind = p.panel.get_ref().0;
        if let Some(&first) = seen.get(&kind) {
            let line = text[..first.min(text.len())].matches('\n').count() + 1;
            return Err((
                p.panel.span(),
                format!(
                    "panel \"{kind}\" is already placed on line {line}, \
                     expected each panel at most once per layout"
                ),
            ));
        }
        seen.insert(kind, p.panel.span().start);
    }
    Ok(())
}

/// Percentages among siblings must leave room: the error points at the one
/// that takes the total over 100.
fn validate_percent_sum<'a>(
    what: &str,
    sizes: impl Iterator<Item = &'a Option<Spanned<SizeValue>>>,
) -> Result<(), Broken> {
    let mut total = 0u32;
    for s in sizes.flatten() {
        if let Size::Percent(p) = s.get_ref().0 {
            total += u32::from(p);
            if total > 100 {
                return Err((
                    s.span(),
                    format!("{what} add up to {total}% here, expected at most 100%"),
                ));
            }
        }
    }
    Ok(())
}

/// A size read from the file, already range-checked.
struct SizeValue(Size);

impl<'de> Deserialize<'de> for SizeValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = SizeValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(SIZE_FORMS)
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<SizeValue, E> {
                parse_size(s).map(SizeValue).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<SizeValue, E> {
                match u16::try_from(n) {
                    Ok(n) if (1..=MAX_CELLS).contains(&n) => Ok(SizeValue(Size::Cells(n))),
                    _ => Err(E::custom(format!(
                        "size {n} is out of range, expected 1 to {MAX_CELLS} cells"
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

const MAX_CELLS: u16 = 500;
const MAX_FILL: u16 = 100;

/// Parses `"12"`, `"30%"`, `"min 8"`, `"fill"` or `"fill 2"`, exactly.
fn parse_size(s: &str) -> Result<Size, String> {
    let bad = || format!("bad size \"{s}\", expected {SIZE_FORMS}");
    let number = |digits: &str| -> Result<u32, String> {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        // Too many digits for u32 is simply out of range.
        Ok(digits.parse().unwrap_or(u32::MAX))
    };
    let ranged = |n: u32, max: u16, expected: String| -> Result<u16, String> {
        match u16::try_from(n) {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(format!("size \"{s}\" is out of range, expected {expected}")),
        }
    };
    if let Some(p) = s.strip_suffix('%') {
        let n = number(p)?;
        return ranged(n, 100, "1% to 100%".into()).map(Size::Percent);
    }
    if let Some(n) = s.strip_prefix("min ") {
        let n = number(n)?;
        return ranged(n, MAX_CELLS, format!("\"min 1\" to \"min {MAX_CELLS}\"")).map(Size::Min);
    }
    if s == "fill" {
        return Ok(Size::Fill(1));
    }
    if let Some(w) = s.strip_prefix("fill ") {
        let n = number(w)?;
        return ranged(n, MAX_FILL, format!("\"fill 1\" to \"fill {MAX_FILL}\"")).map(Size::Fill);
    }
    let n = number(s)?;
    ranged(n, MAX_CELLS, format!("1 to {MAX_CELLS} cells")).map(Size::Cells)
}

/// A panel name read from the file, already known to exist.
struct PanelName(PanelKind);

impl<'de> Deserialize<'de> for PanelName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = PanelName;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a panel name, one of: {}", panel_names())
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<PanelName, E> {
                PanelKind::from_key(s).map(PanelName).ok_or_else(|| {
                    E::custom(format!(
                        "unknown panel \"{s}\", expected one of: {}",
                        panel_names()
                    ))
                })
            }
        }
        d.deserialize_str(V)
    }
}

fn panel_names() -> String {
    PanelKind::ALL.map(PanelKind::key).join(", ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Layout, String> {
        parse_layout("t", Path::new("l.toml"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn sizes_parse_in_every_form() {
        assert_eq!(parse_size("14"), Ok(Size::Cells(14)));
        assert_eq!(parse_size("30%"), Ok(Size::Percent(30)));
        assert_eq!(parse_size("min 8"), Ok(Size::Min(8)));
        assert_eq!(parse_size("fill"), Ok(Size::Fill(1)));
        assert_eq!(parse_size("fill 2"), Ok(Size::Fill(2)));
        for bad in [
            "", "30 %", "min", "min  8", "fill x", "-3", "1.5", " 14", "fill2",
        ] {
            assert!(
                parse_size(bad).unwrap_err().starts_with("bad size"),
                "{bad}"
            );
        }
        for out in [
            "0",
            "501",
            "0%",
            "101%",
            "min 0",
            "fill 0",
            "fill 101",
            "99999999999",
        ] {
            assert!(
                parse_size(out).unwrap_err().contains("out of range"),
                "{out}"
            );
        }
    }

    #[test]
    fn a_small_layout_parses_with_defaults() {
        let l = parse("description = \"d\"\n[[row]]\nheight = 5\npanels = [{ panel = \"log\" }]\n")
            .unwrap();
        assert_eq!(l.description, "d");
        assert_eq!(l.rows[0].height, Size::Cells(5));
        assert_eq!(l.rows[0].slots[0].width, Size::Fill(1));
    }

    #[test]
    fn duplicate_points_at_second_and_names_first_line() {
        let e = parse(
            "[[row]]\npanels = [{ panel = \"log\" }]\n[[row]]\npanels = [{ panel = \"log\" }]\n",
        )
        .unwrap_err();
        assert!(
            e.starts_with("l.toml:4:21: panel \"log\" is already placed on line 2"),
            "{e}"
        );
    }
}
