//! Chain panels: block production, the validator set, region-loss analysis.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::widgets::{DataAge, cell, label, mark, panel_block, short_duration, thousands, verdict};
use crate::config::layout::PanelKind;
use crate::config::theme::Slot;
use crate::domain::assess::{self, Level, PowerBasis, Verdict};
use crate::domain::bft::{keeps_consensus, percent};
use crate::domain::roster;
use crate::domain::time::format_age;

/// Height, block times and the share of power signing.
pub fn chain(f: &mut Frame, area: Rect, ctx: &Ctx<'_>, focused: bool) {
    let (view, now, theme) = (ctx.view, ctx.now, ctx.theme);
    let interval = view.spec.poll.chain;
    let age = DataAge::fresh().with(view.chain.freshness(now, interval), view.chain.age(now));
    let v = assess::chain(&view.chain, now, interval);
    let mut lines = Vec::new();
    if let Some(c) = view.chain.known_value(now, interval) {
        let total: u64 = c.validators.iter().map(|v| v.voting_power).sum();
        let signing: u64 = c
            .validators
            .iter()
            .filter(|v| v.signed_latest)
            .map(|v| v.voting_power)
            .sum();
        let signers = c.validators.iter().filter(|v| v.signed_latest).count();
        let quorum = Verdict {
            level: if keeps_consensus(signing, total) {
                Level::Ok
            } else {
                Level::Critical
            },
            word: format!(
                "{}% of power, {signers}/{}",
                percent(signing, total),
                c.validators.len()
            ),
        };
        lines.push(Line::from(vec![
            label(theme, "chain", 12),
            cell(theme, &c.chain_id, 0),
        ]));
        lines.push(Line::from(vec![
            label(theme, "height", 12),
            cell(theme, &thousands(c.height), 11),
            verdict(theme, &v),
        ]));
        lines.push(Line::from(vec![
            label(theme, "last block", 12),
            cell(
                theme,
                &format!("{} ago", format_age(now.since(c.latest_block_time))),
                11,
            ),
            label(
                theme,
                &format!("avg {}", short_duration(c.avg_block_time)),
                0,
            ),
        ]));
        let signing_label = if v.level == Level::Critical {
            "last commit"
        } else {
            "signing"
        };
        lines.push(Line::from(vec![
            label(theme, signing_label, 12),
            verdict(theme, &quorum),
        ]));
        if let Some(d) = &c.disagreement {
            lines.push(Line::from(vec![
                label(theme, "nodes", 12),
                verdict(
                    theme,
                    &Verdict {
                        level: Level::Warn,
                        word: format!("DISAGREE: {d}"),
                    },
                ),
            ]));
        }
    } else {
        lines.push(Line::from(verdict(theme, &v)));
        if let Some((e, at)) = &view.chain.last_error {
            lines.push(Line::from(label(
                theme,
                &format!("last error {} ago: {e}", format_age(now.since(*at))),
                0,
            )));
        }
    }
    let block = panel_block(theme, PanelKind::Chain, None, Some(age), focused);
    f.render_widget(Paragraph::new(lines).block(block), area);
}

/// The validator set, filterable, with each validator's signing.
pub fn validators(f: &mut Frame, area: Rect, ctx: &Ctx<'_>, focused: bool) {
    let (view, now, theme, app) = (ctx.view, ctx.now, ctx.theme, ctx.app);
    let interval = view.spec.poll.chain;
    let rows = roster::rows(view, now, app.filter());
    let total = roster::total_power(view, now);
    let visible = usize::from(area.height.saturating_sub(3));
    let selected = app
        .selected(PanelKind::Validators)
        .min(rows.len().saturating_sub(1));
    let first = selected.saturating_sub(visible.saturating_sub(1));
    // A halted chain has no current signatures: the last commit's would
    // show validators of a dead region as signing.
    let chain_verdict = assess::chain(&view.chain, now, interval);
    let halted = chain_verdict.level == Level::Critical;
    let name_w = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4)
        + 1;
    let region_w = rows
        .iter()
        .map(|r| r.region.chars().count())
        .max()
        .unwrap_or(6)
        .max(6)
        + 1;
    let mut lines = vec![Line::from(vec![
        label(theme, "name", name_w),
        label(theme, "region", region_w),
        label(theme, "power", 7),
        label(theme, "share", 7),
        label(theme, "signing", 13),
        label(theme, "address", 0),
    ])];
    for (i, r) in rows.iter().enumerate().skip(first).take(visible) {
        let status = match r.status {
            Some(_) if halted => Verdict {
                level: Level::Stale,
                word: "HALTED".into(),
            },
            Some(s) => assess::validator(s),
            None => {
                Verdict::from_freshness(view.chain.freshness(now, interval)).unwrap_or(Verdict {
                    level: Level::Unknown,
                    word: "UNKNOWN".into(),
                })
            }
        };
        let mut line = Line::from(vec![
            cell(theme, r.name, name_w),
            cell(theme, r.region, region_w),
            cell(theme, &r.voting_power.to_string(), 7),
            cell(theme, &format!("{:.1}%", percent(r.voting_power, total)), 7),
            Span::styled(
                format!("{:<13}", format!("{} {}", mark(status.level), status.word)),
                theme.level(status.level),
            ),
            Span::styled(r.address.to_owned(), theme.style(Slot::Muted)),
        ]);
        if focused && i == selected {
            line = line.patch_style(theme.style(Slot::Selection));
        }
        lines.push(line);
    }
    if rows.is_empty() {
        lines.push(Line::from(label(
            theme,
            "no validator matches the filter",
            0,
        )));
    }
    let extra = if app.filter().is_empty() {
        format!("{}", rows.len())
    } else {
        format!("/{}  {} match", app.filter(), rows.len())
    };
    let age = DataAge::fresh().with(view.chain.freshness(now, interval), view.chain.age(now));
    let block = panel_block(
        theme,
        PanelKind::Validators,
        Some(extra),
        Some(age),
        focused,
    );
    f.render_widget(Paragraph::new(lines).block(block), area);
}

/// For each region and pair: the power lost and whether blocks continue.
pub fn region_loss(f: &mut Frame, area: Rect, ctx: &Ctx<'_>, focused: bool) {
    let (view, now, theme) = (ctx.view, ctx.now, ctx.theme);
    let (losses, basis) = assess::region_loss(view, now);
    let halting: Vec<&str> = losses
        .iter()
        .filter(|l| l.halts && l.regions.len() == 1)
        .map(|l| l.regions[0].as_str())
        .collect();
    let summary = if halting.is_empty() {
        Verdict {
            level: Level::Ok,
            word: "the chain survives the loss of any one region".into(),
        }
    } else {
        Verdict {
            level: Level::Critical,
            word: format!("losing {} alone HALTS THE CHAIN", halting.join(" or ")),
        }
    };
    let label_w = losses
        .iter()
        .map(|l| l.regions.join(" + ").chars().count())
        .max()
        .unwrap_or(0)
        .max(14)
        + 1;
    let mut lines = vec![
        Line::from(verdict(theme, &summary)),
        Line::from(vec![
            label(theme, "if lost", label_w),
            label(theme, "power", 7),
            label(theme, "blocks", 0),
        ]),
    ];
    let selected = ctx.app.selected(PanelKind::RegionLoss);
    for (i, l) in losses.iter().enumerate() {
        let v = if l.halts {
            Verdict {
                level: Level::Critical,
                word: "HALT".into(),
            }
        } else {
            Verdict {
                level: Level::Ok,
                word: "continue".into(),
            }
        };
        let mut line = Line::from(vec![
            cell(theme, &l.regions.join(" + "), label_w),
            cell(theme, &format!("{:>5.1}%", l.power_lost_pct), 7),
            verdict(theme, &v),
        ]);
        if focused && i == selected {
            line = line.patch_style(theme.style(Slot::Selection));
        }
        lines.push(line);
    }
    let extra = match basis {
        PowerBasis::Chain => Some("blocks need > 2/3 of power".to_owned()),
        PowerBasis::Configuration => Some("from configuration: chain not reached".to_owned()),
    };
    let block = panel_block(theme, PanelKind::RegionLoss, extra, None, focused);
    f.render_widget(Paragraph::new(lines).block(block), area);
}
