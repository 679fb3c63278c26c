//! Validated layouts: which panels the dashboard shows, and where.
//!
//! The file format and its checks live in [`crate::config::layout_file`]; this is
//! what the UI receives, already known to be good.

use std::fmt;

use ratatui::layout::{Constraint, Direction, Layout as Split, Rect};

/// Every panel a layout may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PanelKind {
    /// Per-region health, role and RPC nodes.
    Regions,
    /// Replication lag per region against the RPO.
    Replication,
    /// Newest backup per kind per region.
    Backups,
    /// Chain height and block production.
    Chain,
    /// Validator set with signing status.
    Validators,
    /// What losing a region (or two) does to consensus.
    RegionLoss,
    /// RTO and RPO targets and current breaches.
    Targets,
    /// Each source's last success, last error and next try.
    Sources,
    /// The application log.
    Log,
}

impl PanelKind {
    /// Every panel, in the order help and errors list them.
    pub const ALL: [PanelKind; 9] = [
        PanelKind::Regions,
        PanelKind::Replication,
        PanelKind::Backups,
        PanelKind::Chain,
        PanelKind::Validators,
        PanelKind::RegionLoss,
        PanelKind::Targets,
        PanelKind::Sources,
        PanelKind::Log,
    ];

    /// The name used in layout files.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            PanelKind::Regions => "regions",
            PanelKind::Replication => "replication",
            PanelKind::Backups => "backups",
            PanelKind::Chain => "chain",
            PanelKind::Validators => "validators",
            PanelKind::RegionLoss => "region_loss",
            PanelKind::Targets => "targets",
            PanelKind::Sources => "sources",
            PanelKind::Log => "log",
        }
    }

    /// The panel's title on screen.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            PanelKind::Regions => "Regions",
            PanelKind::Replication => "Replication",
            PanelKind::Backups => "Backups",
            PanelKind::Chain => "Chain",
            PanelKind::Validators => "Validators",
            PanelKind::RegionLoss => "Region loss",
            PanelKind::Targets => "Targets",
            PanelKind::Sources => "Sources",
            PanelKind::Log => "Log",
        }
    }

    /// Looks a panel up by its file name.
    #[must_use]
    pub fn from_key(key: &str) -> Option<PanelKind> {
        PanelKind::ALL.into_iter().find(|p| p.key() == key)
    }
}

impl fmt::Display for PanelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A height or width as a layout file states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// Exactly this many cells.
    Cells(u16),
    /// This percentage of the parent.
    Percent(u16),
    /// At least this many cells, growing with free space.
    Min(u16),
    /// A share of what is left, weighted.
    Fill(u16),
}

impl Size {
    fn constraint(self) -> Constraint {
        match self {
            Size::Cells(n) => Constraint::Length(n),
            Size::Percent(p) => Constraint::Percentage(p),
            Size::Min(n) => Constraint::Min(n),
            Size::Fill(w) => Constraint::Fill(w),
        }
    }
}

/// One panel in a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Which panel.
    pub panel: PanelKind,
    /// Its width within the row.
    pub width: Size,
}

/// A horizontal band of panels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The band's height.
    pub height: Size,
    /// Panels left to right.
    pub slots: Vec<Slot>,
}

/// A named arrangement of panels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Name (`default`, `compact`, `wall`...).
    pub name: String,
    /// One line saying what the layout is for.
    pub description: String,
    /// Rows top to bottom.
    pub rows: Vec<Row>,
}

impl Layout {
    /// Panels in reading order: the order Tab moves focus in.
    #[must_use]
    pub fn panels(&self) -> Vec<PanelKind> {
        self.rows
            .iter()
            .flat_map(|r| r.slots.iter().map(|s| s.panel))
            .collect()
    }

    /// Whether every row gets the height it asks for in a `width`x`height`
    /// area (percentages and fills count three lines: a border and a row).
    #[must_use]
    pub fn fits(&self, width: u16, height: u16) -> bool {
        let need = |s: Size| match s {
            Size::Cells(n) | Size::Min(n) => n,
            Size::Percent(_) | Size::Fill(_) => 3,
        };
        let rows: u16 = self.rows.iter().map(|r| need(r.height)).sum();
        let widest: u16 = self
            .rows
            .iter()
            .map(|r| r.slots.iter().map(|s| need(s.width).max(20)).sum::<u16>())
            .max()
            .unwrap_or(0);
        rows <= height && widest <= width
    }

    /// Splits `area` into one rectangle per panel, in [`Layout::panels`] order.
    #[must_use]
    pub fn areas(&self, area: Rect) -> Vec<(PanelKind, Rect)> {
        let rows = Split::default()
            .direction(Direction::Vertical)
            .constraints(self.rows.iter().map(|r| r.height.constraint()))
            .split(area);
        let mut out = Vec::with_capacity(self.rows.iter().map(|r| r.slots.len()).sum());
        for (row, row_area) in self.rows.iter().zip(rows.iter()) {
            let cols = Split::default()
                .direction(Direction::Horizontal)
                .constraints(row.slots.iter().map(|s| s.width.constraint()))
                .split(*row_area);
            out.extend(
                row.slots
                    .iter()
                    .zip(cols.iter())
                    .map(|(s, a)| (s.panel, *a)),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_follow_reading_order_and_fill_the_screen() {
        let l = Layout {
            name: "t".into(),
            description: String::new(),
            rows: vec![
                Row {
                    height: Size::Cells(10),
                    slots: vec![
                        Slot {
                            panel: PanelKind::Regions,
                            width: Size::Percent(50),
                        },
                        Slot {
                            panel: PanelKind::Chain,
                            width: Size::Fill(1),
                        },
                    ],
                },
                Row {
                    height: Size::Fill(1),
                    slots: vec![Slot {
                        panel: PanelKind::Log,
                        width: Size::Fill(1),
                    }],
                },
            ],
        };
        let a = l.areas(Rect::new(0, 0, 100, 30));
        assert_eq!(a.iter().map(|(p, _)| *p).collect::<Vec<_>>(), l.panels());
        assert_eq!(a[0].1, Rect::new(0, 0, 50, 10));
        assert_eq!(a[1].1, Rect::new(50, 0, 50, 10));
        assert_eq!(a[2].1, Rect::new(0, 10, 100, 20));
    }

    #[test]
    fn keys_round_trip() {
        for p in PanelKind::ALL {
            assert_eq!(PanelKind::from_key(p.key()), Some(p));
        }
    }
}
