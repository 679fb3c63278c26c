//! The region-loss panel: for each region and pair, whether blocks would
//! continue if it went dark, judged on the power that signs now, placed
//! where it signs; with the chain's margin and the power nothing places.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::widgets::{cell, label, panel_block, verdict};
use crate::config::layout::PanelKind;
use crate::config::theme::Slot;
use crate::domain::assess::{Level, Verdict};
use crate::domain::bft::RegionLoss;
use crate::domain::signing::{SigningBasis, SigningPicture};

/// The panel's first line: the worst thing a single region's loss does.
#[must_use]
pub fn summary(losses: &[RegionLoss], picture: &SigningPicture) -> Verdict {
    let singles = || losses.iter().filter(|l| l.regions.len() == 1 && l.halts);
    let names = |it: Vec<&RegionLoss>| {
        it.iter()
            .map(|l| l.regions[0].as_str())
            .collect::<Vec<_>>()
            .join(" or ")
    };
    let degraded: Vec<&RegionLoss> = singles().filter(|l| !l.halts_at_full_strength).collect();
    let standing: Vec<&RegionLoss> = singles().filter(|l| l.halts_at_full_strength).collect();
    if picture.basis == SigningBasis::LastCommit {
        Verdict {
            level: Level::Critical,
            word: "NO NEW BLOCKS: judged on the last commit".into(),
        }
    } else if picture.basis == SigningBasis::Signing && !picture.margin().quorum {
        Verdict {
            level: Level::Critical,
            word: "too little power signs to make blocks".into(),
        }
    } else if !degraded.is_empty() && picture.basis == SigningBasis::Signing {
        Verdict {
            level: Level::Critical,
            word: format!("losing {} now HALTS THE CHAIN", names(degraded)),
        }
    } else if !standing.is_empty() || !degraded.is_empty() {
        let mut all = standing;
        all.extend(degraded);
        Verdict {
            level: Level::AtRisk,
            word: format!("AT RISK: losing {} alone halts the chain", names(all)),
        }
    } else {
        Verdict {
            level: Level::Ok,
            word: "the chain survives the loss of any one region".into(),
        }
    }
}

/// How a loss row reads: a halt the layout always had is a standing risk,
/// a halt the estate's state brought is critical.
fn row_verdict(l: &RegionLoss, basis: SigningBasis) -> Verdict {
    if !l.halts {
        Verdict {
            level: Level::Ok,
            word: "continue".into(),
        }
    } else if l.halts_at_full_strength || basis != SigningBasis::Signing {
        Verdict {
            level: Level::AtRisk,
            word: "HALT".into(),
        }
    } else {
        Verdict {
            level: Level::Critical,
            word: "HALT".into(),
        }
    }
}

/// For each region and pair: the power lost and whether blocks continue.
pub fn region_loss(f: &mut Frame, area: Rect, ctx: &Ctx<'_>, focused: bool) {
    let theme = ctx.theme;
    let (losses, picture) = (&ctx.losses, &ctx.signing);
    let margin = picture.margin();
    let label_w = losses
        .iter()
        .map(|l| l.regions.join(" + ").chars().count())
        .max()
        .unwrap_or(0)
        .max(14)
        + 1;
    let mut lines = vec![Line::from(verdict(theme, &summary(losses, picture)))];
    if picture.basis == SigningBasis::Signing {
        let level = if margin.one_validator_from_halt() {
            Level::Critical
        } else {
            Level::Ok
        };
        let word = if margin.one_validator_from_halt() {
            format!(
                "ONE VALIDATOR FROM HALTING: {} power to spare",
                margin.margin_power
            )
        } else {
            format!("{} power to spare before halting", margin.margin_power)
        };
        lines.push(Line::from(verdict(theme, &Verdict { level, word })));
    }
    let unmapped = picture.unmapped_power();
    if unmapped > 0 {
        lines.push(Line::from(verdict(
            theme,
            &Verdict {
                level: Level::Warn,
                word: format!("{unmapped} power in no region: counted lost with any"),
            },
        )));
    }
    lines.push(Line::from(vec![
        label(theme, "if lost", label_w),
        label(theme, "power", 7),
        label(theme, "blocks", 0),
    ]));
    let selected = ctx.app.selected(PanelKind::RegionLoss);
    for (i, l) in losses.iter().enumerate() {
        let mut line = Line::from(vec![
            cell(theme, &l.regions.join(" + "), label_w),
            cell(theme, &format!("{:>5.1}%", l.power_lost_pct), 7),
            verdict(theme, &row_verdict(l, picture.basis)),
        ]);
        if focused && i == selected {
            line = line.patch_style(theme.style(Slot::Selection));
        }
        lines.push(line);
    }
    let extra = match picture.basis {
        SigningBasis::Signing => "signing now · needs > 2/3",
        SigningBasis::LastCommit => "last commit · needs > 2/3",
        SigningBasis::Configuration => "configured · chain unseen",
    };
    let block = panel_block(
        theme,
        PanelKind::RegionLoss,
        Some(extra.to_owned()),
        None,
        focused,
    );
    f.render_widget(Paragraph::new(lines).block(block), area);
}
