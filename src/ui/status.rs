//! Targets, sources and the log pane.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_logger::TuiLoggerWidget;

use super::Ctx;
use super::widgets::{cell, label, mark, panel_block, round_duration, verdict};
use crate::config::layout::PanelKind;
use crate::config::theme::Slot;
use crate::domain::assess::{Level, Verdict};
use crate::domain::time::format_age;

/// RTO and RPO, and every target that does not hold right now.
pub fn targets(f: &mut Frame, area: Rect, ctx: &Ctx<'_>, focused: bool) {
    let (view, theme) = (ctx.view, ctx.theme);
    let t = view.spec.targets;
    let breaches = &ctx.breaches;
    let mut lines = vec![Line::from(vec![
        label(theme, "RTO", 5),
        cell(theme, &round_duration(t.rto), 8),
        label(theme, "RPO", 5),
        cell(theme, &round_duration(t.rpo), 8),
    ])];
    if breaches.is_empty() {
        lines.push(Line::from(verdict(
            theme,
            &Verdict {
                level: Level::Ok,
                word: "all targets hold".into(),
            },
        )));
    } else {
        lines.push(Line::from(verdict(
            theme,
            &Verdict {
                level: Level::Critical,
                word: format!("{} not holding:", breaches.len()),
            },
        )));
        for b in breaches {
            let level = b.level();
            lines.push(Line::from(vec![
                Span::styled(format!("  {} ", mark(level)), theme.level(level)),
                cell(theme, &b.subject, 28),
                Span::styled(b.detail.clone(), theme.level(level)),
            ]));
        }
    }
    let block = panel_block(theme, PanelKind::Targets, None, None, focused);
    f.render_widget(Paragraph::new(lines).block(block), area);
}

/// A source whose next poll is this far overdue has stopped reporting.
const OVERDUE: std::time::Duration = std::time::Duration::from_secs(10);

/// Order of attention: broken, unknown, stale, degraded, fine.
fn severity_rank(level: Level) -> u8 {
    match level {
        Level::Critical => 0,
        Level::Unknown => 1,
        Level::Stale => 2,
        Level::Warn => 3,
        Level::AtRisk => 4,
        Level::Ok => 5,
    }
}

/// Each source: last success, last error, next poll.
pub fn sources(f: &mut Frame, area: Rect, ctx: &Ctx<'_>, focused: bool) {
    let (view, now, theme) = (ctx.view, ctx.now, ctx.theme);
    let mut lines = Vec::new();
    let name_w = view
        .sources
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let mut rows: Vec<(Level, Line<'static>)> = view
        .sources
        .iter()
        .map(|s| {
            let ok = s.last_ok.map_or_else(
                || "never ok".to_owned(),
                |t| format!("ok {} ago", format_age(now.since(t))),
            );
            let overdue = s.next_poll.filter(|t| now.since(*t) > OVERDUE);
            let next = s.next_poll.map_or_else(String::new, |t| {
                if t > now {
                    format!("next in {}", format_age(t.since(now)))
                } else {
                    "polling".to_owned()
                }
            });
            let (failed, total) = s.failed_last;
            let (level, err) = match (&s.failing_since, &s.last_error, overdue) {
                (_, _, Some(t)) => (
                    Level::Stale,
                    format!("no report for {}", format_age(now.since(t))),
                ),
                (Some(since), Some((e, _)), None) => (
                    Level::Critical,
                    format!("failing {}: {e}", format_age(now.since(*since))),
                ),
                (None, Some((e, _)), None) if failed > 0 => {
                    (Level::Warn, format!("{failed} of {total} failed: {e}"))
                }
                (None, Some((e, at)), None) => (
                    Level::Ok,
                    format!("last error {} ago: {e}", format_age(now.since(*at))),
                ),
                _ => (Level::Ok, String::new()),
            };
            let line = Line::from(vec![
                Span::styled(format!("{} ", mark(level)), theme.level(level)),
                cell(theme, &s.name, name_w),
                cell(theme, &ok, 13),
                label(theme, &next, 13),
                Span::styled(err, theme.level(level)),
            ]);
            (level, line)
        })
        .collect();
    // The ones in trouble first: a long list of healthy sources must not
    // push a failing one off the bottom of the panel.
    rows.sort_by_key(|(level, _)| severity_rank(*level));
    let room = usize::from(area.height.saturating_sub(2));
    let hidden = rows.len().saturating_sub(room);
    let shown = if hidden > 0 {
        room.saturating_sub(1)
    } else {
        rows.len()
    };
    lines.extend(rows.iter().take(shown).map(|(_, l)| l.clone()));
    if shown < rows.len() {
        let rest = &rows[shown..];
        let ok = rest.iter().filter(|(l, _)| *l == Level::Ok).count();
        lines.push(Line::from(label(
            theme,
            &format!("+{} more ({ok} ok) · e expands", rest.len()),
            0,
        )));
    }
    if lines.is_empty() {
        lines.push(Line::from(Span::styled(
            "? no source has answered yet",
            theme.style(Slot::Unknown),
        )));
    }
    let block = panel_block(theme, PanelKind::Sources, None, None, focused);
    f.render_widget(Paragraph::new(lines).block(block), area);
}

/// The application log (tui-logger).
pub fn log(f: &mut Frame, area: Rect, ctx: &Ctx<'_>, focused: bool) {
    let theme = ctx.theme;
    let widget = TuiLoggerWidget::default()
        .block(panel_block(theme, PanelKind::Log, None, None, focused))
        .style(theme.style(Slot::Text))
        .style_error(theme.style(Slot::Critical))
        .style_warn(theme.style(Slot::Warn))
        .style_info(theme.style(Slot::Text))
        .style_debug(theme.style(Slot::Muted))
        .style_trace(theme.style(Slot::Muted))
        .output_separator(' ')
        // On the simulated estate every screen shows simulated time; the
        // log's wall-clock stamps would be a second clock, so they go.
        .output_timestamp((!ctx.view.spec.simulated).then(|| "%H:%M:%S".to_owned()))
        .output_level(Some(tui_logger::TuiLoggerLevelOutput::Abbreviated))
        .output_target(false)
        .output_file(false)
        .output_line(false);
    f.render_widget(widget, area);
}
