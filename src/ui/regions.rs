//! Region panels: health and RPC nodes, replication lag, backup ages.

use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::widgets::{
    DataAge, cell, label, mark, panel_block, round_duration, short_duration, thousands, verdict,
};
use crate::config::layout::PanelKind;
use crate::config::theme::Slot;
use crate::domain::assess::{self, Level};
use crate::domain::estate::BackupKind;
use crate::domain::fleet::RegionView;
use crate::domain::observation::DatabaseRole;
use crate::domain::signing::SigningBasis;
use crate::domain::time::format_age;

/// Route53 health, role and each RPC node per region.
pub fn regions(f: &mut Frame, area: Rect, ctx: &Ctx<'_>, focused: bool) {
    let (view, now, theme) = (ctx.view, ctx.now, ctx.theme);
    let spec = &view.spec;
    let chain_height = view
        .chain
        .known_value(now, spec.poll.chain)
        .map(|c| c.height);
    let selected = ctx.app.selected(PanelKind::Regions);
    let mut age = DataAge::fresh();
    let mut lines = Vec::new();
    let needed: usize = view.regions.iter().map(|r| 1 + r.nodes.len()).sum();
    let detailed = usize::from(area.height.saturating_sub(2)) >= needed;
    for (i, (region, rspec)) in view.regions.iter().zip(&spec.regions).enumerate() {
        age = age.with(
            region.health.freshness(now, spec.poll.health),
            region.health.age(now),
        );
        let health = assess::region_health(region, now, spec.poll.health);
        let checkers = region
            .health
            .known_value(now, spec.poll.health)
            .filter(|_| detailed)
            .map(|h| format!("  {}/{} checkers ok", h.checkers_ok, h.checkers_total))
            .unwrap_or_default();
        let mut spans = vec![Span::styled(
            format!("{:<15}", region.name),
            theme.style(Slot::Title),
        )];
        if detailed {
            // The database's role as the region reports it now; the
            // configured role, marked unconfirmed, until it does.
            let role = match region
                .topology
                .known_value(now, spec.poll.health)
                .and_then(|t| t.database)
            {
                Some(DatabaseRole::Primary) => "primary".to_owned(),
                Some(DatabaseRole::Replica) => "replica".to_owned(),
                None => format!("{}?", rspec.role),
            };
            spans.push(label(theme, &role, 10));
        }
        spans.push(verdict(theme, &health));
        spans.push(Span::styled(checkers, theme.style(Slot::Muted)));
        if detailed {
            spans.push(Span::styled(
                failover_words(ctx, region),
                theme.style(Slot::Muted),
            ));
        }
        let mut line = Line::from(spans);
        if focused && i == selected {
            line = line.patch_style(theme.style(Slot::Selection));
        }
        let verdicts: Vec<_> = region
            .nodes
            .iter()
            .map(|(name, node)| {
                age = age.with(node.freshness(now, spec.poll.chain), node.age(now));
                (
                    name,
                    node,
                    assess::node(node, chain_height, now, spec.poll.chain),
                )
            })
            .collect();
        if !detailed {
            // One line per region: the worst node speaks for the region.
            let synced = verdicts
                .iter()
                .filter(|(_, _, v)| v.level == Level::Ok)
                .count();
            let worst = verdicts
                .iter()
                .map(|(_, _, v)| v.level)
                .max()
                .unwrap_or(Level::Unknown);
            line.spans.push(label(theme, "  rpc ", 0));
            line.spans.push(Span::styled(
                format!("{} {synced}/{}", mark(worst), verdicts.len()),
                theme.level(worst),
            ));
        }
        lines.push(line);
        if detailed {
            for (name, node, v) in &verdicts {
                let mut spans = vec![Span::raw("  "), cell(theme, name, 22), verdict(theme, v)];
                match (&node.last_error, node.fresh_value(now, spec.poll.chain)) {
                    (_, Some(n)) => spans.push(Span::styled(
                        format!("  h {}  peers {}", thousands(n.height), n.peers),
                        theme.style(Slot::Muted),
                    )),
                    (Some((e, _)), None) => {
                        spans.push(Span::styled(format!("  {e}"), theme.style(Slot::Muted)));
                    }
                    (None, None) => {}
                }
                lines.push(Line::from(spans));
            }
        }
    }
    let block = panel_block(theme, PanelKind::Regions, None, Some(age), focused);
    f.render_widget(Paragraph::new(lines).block(block), area);
}

/// Traffic and keys of a region: `  traffic 100%  keys 3`, with the
/// health check's inversion when a failover forced it.
fn failover_words(ctx: &Ctx<'_>, region: &RegionView) -> String {
    let mut out = String::new();
    if let Some(t) = region
        .topology
        .known_value(ctx.now, ctx.view.spec.poll.health)
    {
        if let Some(w) = t.traffic_weight {
            let _ = write!(out, "  traffic {w}");
        }
        if t.health_check_inverted == Some(true) {
            out.push_str(" (check inverted)");
        }
    }
    // Keys signing there now; a stopped chain's last commit says nothing
    // about now, so then no count is shown.
    if ctx.signing.basis == SigningBasis::Signing {
        let keys = ctx
            .signing
            .signers
            .iter()
            .filter(|s| s.counts && s.region.as_deref() == Some(region.name.as_str()))
            .count();
        let _ = write!(out, "  keys {keys}");
    }
    out
}

/// Replication lag per region against the RPO, with a bar.
pub fn replication(f: &mut Frame, area: Rect, ctx: &Ctx<'_>, focused: bool) {
    let (view, now, theme) = (ctx.view, ctx.now, ctx.theme);
    let spec = &view.spec;
    let rpo = spec.targets.rpo;
    let mut age = DataAge::fresh();
    let mut lines = Vec::new();
    // Name, value and verdict come first; the bar gets what room is left.
    let bar_width = usize::from(area.width.saturating_sub(2))
        .saturating_sub(15 + 8 + 15)
        .min(10);
    for region in &view.regions {
        age = age.with(
            region.lag.freshness(now, spec.poll.metrics),
            region.lag.age(now),
        );
        let v = assess::replication_trend(region, rpo, now, spec.poll.metrics);
        let (value, bar) = match region.lag.known_value(now, spec.poll.metrics) {
            Some(lag) => (
                short_duration(*lag),
                gauge(
                    lag.as_secs_f64() / rpo.as_secs_f64().max(1.0),
                    bar_width.saturating_sub(2),
                ),
            ),
            None => ("—".to_owned(), " ".repeat(bar_width.saturating_sub(2))),
        };
        let bar_style = if v.level == Level::Ok {
            theme.style(Slot::Muted)
        } else {
            theme.level(v.level)
        };
        let mut spans = vec![
            cell(theme, &region.name, 15),
            cell(theme, &format!("{value:>7}"), 8),
        ];
        if bar_width > 2 {
            spans.push(Span::styled(format!("▕{bar}▏ "), bar_style));
        }
        spans.push(verdict(theme, &v));
        // The last minute of readings, when there is room for them.
        let room = usize::from(area.width.saturating_sub(2))
            .saturating_sub(15 + 8 + bar_width + 2 + v.word.chars().count() + 3);
        if room >= 8 {
            let line = crate::domain::trend::sparkline(
                &region.lag_trend.values(),
                room.min(30),
                rpo.as_secs_f64(),
            );
            spans.push(Span::styled(format!("  {line}"), theme.style(Slot::Muted)));
        }
        lines.push(Line::from(spans));
    }
    // The soonest forecast breach takes the RPO's line: it is what the
    // operator has to beat.
    let soonest = view
        .regions
        .iter()
        .filter_map(|r| {
            assess::rpo_forecast(r, rpo, now, spec.poll.metrics)
                .filter(|d| *d <= assess::RISING_WARNS_WITHIN)
                .map(|d| (d, &r.name))
        })
        .min();
    lines.push(Line::from(match soonest {
        Some((d, name)) => vec![Span::styled(
            format!("{name} hits RPO in {}", format_age(d)),
            theme.level(Level::Warn),
        )],
        None => vec![label(theme, &format!("RPO {}", round_duration(rpo)), 0)],
    }));
    let block = panel_block(theme, PanelKind::Replication, None, Some(age), focused);
    f.render_widget(Paragraph::new(lines).block(block), area);
}

/// A text bar `width` cells wide, filled to `ratio` (clamped to 0..=1).
fn gauge(ratio: f64, width: usize) -> String {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )] // clamped to 0..=width, a few cells
    let filled = (ratio.clamp(0.0, 1.0) * width as f64).round() as usize;
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

/// One line for every region's backup passphrase secrets: present, or
/// which are missing or unknown.
fn secrets_line(ctx: &Ctx<'_>, age: &mut DataAge) -> Line<'static> {
    let (view, now, theme) = (ctx.view, ctx.now, ctx.theme);
    let interval = view.spec.poll.backups;
    let mut total = 0;
    let mut bad: Vec<(Level, String)> = Vec::new();
    for r in &view.regions {
        for (name, s) in &r.secrets {
            *age = age.with(s.freshness(now, interval), s.age(now));
            total += 1;
            let v = assess::secret(s, now, interval);
            if v.level != Level::Ok {
                bad.push((v.level, format!("{} {} {}", r.name, v.word, name)));
            }
        }
    }
    let mut spans = vec![label(theme, "passphrase secrets ", 0)];
    match bad.iter().map(|(l, _)| *l).max() {
        None => spans.push(verdict(
            theme,
            &assess::Verdict {
                level: Level::Ok,
                word: format!("{total} of {total} present"),
            },
        )),
        Some(worst) => {
            let text: Vec<&str> = bad.iter().map(|(_, t)| t.as_str()).collect();
            spans.push(Span::styled(
                format!("{} {}", mark(worst), text.join("; ")),
                theme.level(worst),
            ));
        }
    }
    Line::from(spans)
}

fn short_kind(kind: BackupKind) -> &'static str {
    match kind {
        BackupKind::ChainState => "chain",
        BackupKind::Keys => "keys",
        BackupKind::Database => "db",
    }
}

/// Newest backup age per kind per region against schedule and alarm.
pub fn backups(f: &mut Frame, area: Rect, ctx: &Ctx<'_>, focused: bool) {
    let (view, now, theme) = (ctx.view, ctx.now, ctx.theme);
    let spec = &view.spec;
    let mut age = DataAge::fresh();
    let inner = usize::from(area.width.saturating_sub(2));
    // Wide panels say "✓ 2h58m OK"; narrow ones drop the word (the symbol
    // still carries the level) and shorten the headings.
    let wide = inner >= 15 + 16 * spec.backups.len();
    let col = if wide { 16 } else { 10 };
    let mut header = vec![label(theme, "region", 15)];
    header.extend(spec.backups.iter().map(|p| {
        label(
            theme,
            if wide {
                p.kind.label()
            } else {
                short_kind(p.kind)
            },
            col,
        )
    }));
    let mut lines = vec![Line::from(header)];
    for region in &view.regions {
        let mut spans = vec![cell(theme, &region.name, 15)];
        for ((_, newest), policy) in region.backups.iter().zip(&spec.backups) {
            age = age.with(newest.freshness(now, spec.poll.backups), newest.age(now));
            let v = assess::backup(newest, policy, now, spec.poll.backups);
            let text = match (v.level, newest.known_value(now, spec.poll.backups)) {
                (Level::Ok | Level::Warn | Level::Critical, Some(Some(at))) if wide => format!(
                    "{} {} {}",
                    mark(v.level),
                    format_age(now.since(*at)),
                    v.word
                ),
                (Level::Ok | Level::Warn | Level::Critical, Some(Some(at))) => {
                    format!("{} {}", mark(v.level), format_age(now.since(*at)))
                }
                (Level::Stale, _) if !wide => format!("{} STALE", mark(v.level)),
                _ => format!("{} {}", mark(v.level), v.word),
            };
            spans.push(Span::styled(format!("{text:<col$}"), theme.level(v.level)));
        }
        lines.push(Line::from(spans));
    }
    let schedule: Vec<String> = spec
        .backups
        .iter()
        .map(|p| {
            format!(
                "{} {}/{}",
                short_kind(p.kind),
                round_duration(p.every),
                round_duration(p.alarm_after)
            )
        })
        .collect();
    lines.push(secrets_line(ctx, &mut age));
    lines.push(Line::from(label(
        theme,
        &format!("every/alarm: {}", schedule.join(" · ")),
        0,
    )));
    let block = panel_block(theme, PanelKind::Backups, None, Some(age), focused);
    f.render_widget(Paragraph::new(lines).block(block), area);
}

#[cfg(test)]
mod tests {
    use super::gauge;

    #[test]
    fn gauge_clamps() {
        assert_eq!(gauge(0.0, 4), "░░░░");
        assert_eq!(gauge(0.5, 4), "██░░");
        assert_eq!(gauge(7.0, 4), "████");
        assert_eq!(gauge(f64::NAN, 4).chars().count(), 4);
    }
}
