//! Chain panels: block production, the validator set, region-loss analysis.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::widgets::{DataAge, cell, label, mark, panel_block, short_duration, thousands, verdict};
use crate::config::layout::PanelKind;
use crate::config::theme::Slot;
use crate::domain::assess::{self, BlockWait, Level, RegionPace, Verdict};
use crate::domain::bft::percent;
use crate::domain::breach::BreachKind;
use crate::domain::observation::ChainStatus;
use crate::domain::roster;
use crate::domain::signing::{self, Signing, SigningBasis};
use crate::domain::time::format_age;
use crate::domain::trend::sparkline;

/// Height, block times and the share of power signing.
pub fn chain(f: &mut Frame, area: Rect, ctx: &Ctx<'_>, focused: bool) {
    let (view, now, theme) = (ctx.view, ctx.now, ctx.theme);
    let interval = view.spec.poll.chain;
    let age = DataAge::fresh().with(view.chain.freshness(now, interval), view.chain.age(now));
    let v = assess::chain(&view.chain, now, interval);
    let mut lines = Vec::new();
    let known = view.chain.known_value(now, interval);
    if let Some(c) = known {
        let picture = &ctx.signing;
        let margin = picture.margin();
        let signers = picture.signers.iter().filter(|s| s.counts).count();
        // A stopped chain's last commit is history: never shown green.
        let live = picture.basis == SigningBasis::Signing;
        let quorum = Verdict {
            level: match (live, margin.quorum) {
                (false, _) => Level::Stale,
                (true, true) => Level::Ok,
                (true, false) => Level::Critical,
            },
            word: format!(
                "{}% of power, {signers}/{}",
                percent(margin.signing_power, margin.total_power),
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
        let signing_label = if live { "signing" } else { "last commit" };
        lines.push(Line::from(vec![
            label(theme, signing_label, 12),
            verdict(theme, &quorum),
        ]));
        if let Some(d) = crate::domain::breach::disagreement(&ctx.breaches, view, now) {
            lines.push(Line::from(vec![
                label(theme, "nodes", 12),
                verdict(
                    theme,
                    &Verdict {
                        // A fork or another chain is critical; a node a few
                        // blocks behind its peers is a warning.
                        level: if ctx.breaches.iter().any(|b| {
                            matches!(b.kind, BreachKind::ChainSplit | BreachKind::WrongChain)
                        }) {
                            Level::Critical
                        } else {
                            Level::Warn
                        },
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
    lines.extend(pace_lines(ctx, known, area.width));
    let block = panel_block(theme, PanelKind::Chain, None, Some(age), focused);
    f.render_widget(Paragraph::new(lines).block(block), area);
}

/// Each region's own view of the chain: the block interval its nodes see
/// with a sparkline of recent gaps, or why there is none. A region whose
/// nodes stop seeing blocks is named here before the chain is judged.
fn pace_lines<'a>(ctx: &Ctx<'_>, chain: Option<&ChainStatus>, width: u16) -> Vec<Line<'a>> {
    let (view, now, theme) = (ctx.view, ctx.now, ctx.theme);
    let name_w = view
        .regions
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let mut lines = vec![Line::from(label(theme, "block interval by region", 0))];
    for r in &view.regions {
        let mut spans = vec![label(theme, &format!("  {}", r.name), name_w + 2)];
        match assess::region_pace(r, chain, now, view.spec.poll.chain) {
            RegionPace::NoFreshNode => spans.push(verdict(
                theme,
                &Verdict {
                    level: Level::Unknown,
                    word: "no in-sync node".to_owned(),
                },
            )),
            RegionPace::Blocks {
                interval,
                wait,
                waited,
            } => {
                // A late block is the news; "measuring" only while on time.
                let shown = interval
                    .map(short_duration)
                    .or_else(|| (wait == BlockWait::OnTime).then(|| "measuring".to_owned()));
                if let Some(shown) = shown {
                    spans.push(cell(theme, &shown, 10));
                }
                let late = |level, word| Verdict {
                    level,
                    word: format!("{word} for {}", format_age(waited)),
                };
                match wait {
                    BlockWait::Halted => {
                        spans.push(verdict(theme, &late(Level::Critical, "HALTED")));
                    }
                    BlockWait::Slow => spans.push(verdict(theme, &late(Level::Warn, "SLOW"))),
                    BlockWait::OnTime => {
                        let room =
                            usize::from(width.saturating_sub(2)).saturating_sub(name_w + 2 + 10);
                        let gaps = r.block_pace.gaps(now);
                        let scale = interval.map_or(0.0, |i| i.as_secs_f64() * 2.0);
                        let line = sparkline(&gaps, room.min(20), scale);
                        spans.push(Span::styled(line, theme.style(Slot::Muted)));
                    }
                }
            }
        }
        lines.push(Line::from(spans));
    }
    lines
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
    let chain = view.chain.known_value(now, interval);
    let name_w = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4)
        + 1;
    // Where a key signs now, when the source says, else where it is
    // configured: a failover shows as the key's new region.
    let region_of = |r: &roster::ValidatorRow<'_>| r.signs_in.unwrap_or(r.region).to_owned();
    let region_w = rows
        .iter()
        .map(|r| region_of(r).chars().count())
        .max()
        .unwrap_or(6)
        .max(6)
        + 1;
    let sign_w = 17;
    // A stopped chain's signatures are history: the column says so.
    let stale = rows.iter().any(|r| r.signing == Signing::Stale);
    let mut lines = vec![Line::from(vec![
        label(theme, "name", name_w),
        label(theme, "region", region_w),
        label(theme, "power", 7),
        label(theme, "share", 7),
        label(theme, if stale { "last signed" } else { "signing" }, sign_w),
        label(theme, "address", 0),
    ])];
    for (i, r) in rows.iter().enumerate().skip(first).take(visible) {
        let status = row_status(r, chain, view, now);
        let mut line = Line::from(vec![
            cell(theme, r.name, name_w),
            cell(theme, &region_of(r), region_w),
            cell(theme, &r.voting_power.to_string(), 7),
            cell(theme, &format!("{:.1}%", percent(r.voting_power, total)), 7),
            Span::styled(
                format!(
                    "{:<sign_w$}",
                    format!("{} {} ", mark(status.level), status.word)
                ),
                theme.level(status.level),
            ),
        ]);
        // Before the address, which a narrow panel cuts: the note must show.
        if let Some(rotation) = r.rotation {
            let note = match rotation.height {
                Some(h) => format!("↻ rotated at height {h} "),
                None => "↻ rotated (height not seen) ".to_owned(),
            };
            line.push_span(Span::styled(note, theme.level(Level::Warn)));
        }
        line.push_span(Span::styled(r.address.to_owned(), theme.style(Slot::Muted)));
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

/// What the signing column says for one row.
fn row_status(
    r: &roster::ValidatorRow<'_>,
    chain: Option<&crate::domain::observation::ChainStatus>,
    view: &crate::domain::fleet::EstateView,
    now: crate::domain::time::Timestamp,
) -> Verdict {
    match (r.status, chain) {
        // A stopped chain has no current signatures: the last commit's
        // would show validators of a dead region as signing.
        (Some(s), Some(c)) if r.signing == Signing::Stale => Verdict {
            level: Level::Stale,
            word: signing::last_signed_ago(c, s, now).map_or_else(
                || "NOT SIGNED".to_owned(),
                |ago| format!("{} ago", format_age(ago)),
            ),
        },
        (Some(s), _) => Verdict {
            level: r.signing.level(),
            word: match r.signing {
                Signing::Missed => format!("MISSED {}", s.missed_recent),
                other => other.word().to_owned(),
            },
        },
        (None, _) => Verdict::from_freshness(view.chain.freshness(now, view.spec.poll.chain))
            .unwrap_or(Verdict {
                level: Level::Unknown,
                word: "UNKNOWN".into(),
            }),
    }
}
